/**
 * Builds the import objects: every function of `wasi_snapshot_preview1` and `wasi_unstable` with its
 * wasm type, as raw host functions (wasm arguments in, errno out, no Caller).
 *
 * @module
 */
import { Trap, WasiError } from "../errors.js";
import type { FuncType, ValType } from "../types.js";
import { ERRNO } from "./defs.js";
import { WasiExit } from "./exit.js";
import { argsCalls } from "./calls/args.js";
import { fdCalls } from "./calls/fd.js";
import { pathCalls } from "./calls/path.js";
import { PREVIEW0, PREVIEW1, type HostFn, type Preview } from "./calls/preview.js";
import { procCalls } from "./calls/proc.js";
import { sockCalls } from "./calls/sock.js";
import type { WasiState } from "./state.js";

/** The two namespaces wasmhost defines. */
export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"] as const;

/** A WASI import: its wasm type and the raw host function. */
export interface WasiImport {
  readonly type: FuncType;
  readonly fn: HostFn;
}

/**
 * Parameter types per function (`i` = i32, `I` = i64); every function returns an i32 errno except
 * `proc_exit`, which returns nothing. Same signatures in both namespaces.
 */
export const SIGNATURES: Readonly<Record<string, string>> = {
  args_get: "ii", args_sizes_get: "ii", environ_get: "ii", environ_sizes_get: "ii",
  clock_res_get: "ii", clock_time_get: "iIi",
  fd_advise: "iIIi", fd_allocate: "iII", fd_close: "i", fd_datasync: "i", fd_fdstat_get: "ii",
  fd_fdstat_set_flags: "ii", fd_fdstat_set_rights: "iII", fd_filestat_get: "ii", fd_filestat_set_size: "iI",
  fd_filestat_set_times: "iIIi", fd_pread: "iiiIi", fd_prestat_get: "ii", fd_prestat_dir_name: "iii",
  fd_pwrite: "iiiIi", fd_read: "iiii", fd_readdir: "iiiIi", fd_renumber: "ii", fd_seek: "iIii", fd_sync: "i",
  fd_tell: "ii", fd_write: "iiii",
  path_create_directory: "iii", path_filestat_get: "iiiii", path_filestat_set_times: "iiiiIIi",
  path_link: "iiiiiii", path_open: "iiiiiIIii", path_readlink: "iiiiii", path_remove_directory: "iii",
  path_rename: "iiiiii", path_symlink: "iiiii", path_unlink_file: "iii",
  poll_oneoff: "iiii", proc_exit: "i", proc_raise: "i", sched_yield: "", random_get: "ii",
  sock_accept: "iii", sock_recv: "iiiiii", sock_send: "iiiii", sock_shutdown: "ii",
};

const typeCache = new Map<string, FuncType>();
function typeOf(name: string, sig: string): FuncType {
  const key = `${name === "proc_exit" ? "v" : "r"}${sig}`;
  let t = typeCache.get(key);
  if (t === undefined) {
    const params: ValType[] = [...sig].map((c) => (c === "I" ? "i64" : "i32"));
    t = Object.freeze({ params: Object.freeze(params), results: Object.freeze(name === "proc_exit" ? [] : ["i32" as const]) });
    typeCache.set(key, t);
  }
  return t;
}

/**
 * A tiny wasm module that exports `(i32, i64, i32) -> i32` and calls an imported `(i32, i32) -> i32`
 * with the first and last argument: `clock_time_get` without its ignored i64 `precision`, so the hot
 * path crosses into JS with no BigInt allocated.
 */
const DROP_MIDDLE_I64 = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x0e, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7e, 0x7f, 0x01, 0x7f, // types
  0x02, 0x07, 0x01, 0x01, 0x68, 0x01, 0x66, 0x00, 0x00, // import "h" "f" (type 0)
  0x03, 0x02, 0x01, 0x01, // func 1: type 1
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01, // export "f" = func 1
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x20, 0x00, 0x20, 0x02, 0x10, 0x00, 0x0b, // local.get 0, local.get 2, call 0
]);
let dropMiddleModule: WebAssembly.Module | null | undefined;

/** Wraps `fn(a, c)` as a wasm function of type (i32, i64, i32) -> i32, or returns undefined where wasm cannot be compiled. */
function dropMiddleI64(fn: HostFn): HostFn | undefined {
  if (dropMiddleModule === undefined) {
    try {
      dropMiddleModule = new WebAssembly.Module(DROP_MIDDLE_I64);
    } catch {
      dropMiddleModule = null;
    }
  }
  if (dropMiddleModule === null) return undefined;
  const inst = new WebAssembly.Instance(dropMiddleModule, { h: { f: fn } });
  return inst.exports.f as HostFn;
}

/**
 * Makes `fn` answer `EIO` instead of throwing when a filesystem, stream callback or clock throws, so
 * that a failing `Vfs` never unwinds the guest. `WasiExit` (proc_exit), `WasiError` (host misuse) and
 * `Trap` (the store's deadline reached) pass through. Fixed arities, so no rest-parameter array is allocated per call.
 */
function guard(fn: HostFn, arity: number): HostFn {
  const fail = (e: unknown): number => {
    if (e instanceof WasiExit || e instanceof WasiError || e instanceof Trap) throw e;
    return ERRNO.IO;
  };
  switch (arity) {
    case 0: return () => { try { return fn(); } catch (e) { return fail(e); } };
    case 1: return (a) => { try { return fn(a); } catch (e) { return fail(e); } };
    case 2: return (a, b) => { try { return fn(a, b); } catch (e) { return fail(e); } };
    case 3: return (a, b, c) => { try { return fn(a, b, c); } catch (e) { return fail(e); } };
    case 4: return (a, b, c, d) => { try { return fn(a, b, c, d); } catch (e) { return fail(e); } };
    case 5: return (a, b, c, d, e) => { try { return fn(a, b, c, d, e); } catch (x) { return fail(x); } };
    case 6: return (a, b, c, d, e, f) => { try { return fn(a, b, c, d, e, f); } catch (x) { return fail(x); } };
    case 7: return (a, b, c, d, e, f, g) => { try { return fn(a, b, c, d, e, f, g); } catch (x) { return fail(x); } };
    default: return (...args: unknown[]) => { try { return fn(...args); } catch (x) { return fail(x); } };
  }
}

/** Calls that reach no filesystem, stream or user code, left unguarded (clock_time_get is the hot one). */
const UNGUARDED = new Set(["args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "proc_exit", "sched_yield", "clock_time_get", "fd_prestat_get", "fd_prestat_dir_name", "fd_fdstat_get"]);

function namespace(s: WasiState, pv: Preview): Record<string, WasiImport> {
  const fns: Record<string, HostFn> = {
    ...argsCalls(s), ...procCalls(s, pv), ...fdCalls(s, pv), ...pathCalls(s, pv), ...sockCalls(s, pv),
  };
  const out: Record<string, WasiImport> = {};
  for (const [name, fn] of Object.entries(fns)) {
    const sig = SIGNATURES[name];
    if (sig !== undefined) out[name] = { type: typeOf(name, sig), fn: UNGUARDED.has(name) ? fn : guard(fn, sig.length) };
  }
  const fast = fns.clock_time_get_i32 !== undefined && s.clock === null ? dropMiddleI64(fns.clock_time_get_i32) : undefined;
  if (fast !== undefined) out.clock_time_get = { type: out.clock_time_get!.type, fn: fast };
  return out;
}

/** Both namespaces for one state (`preview1`: its preview1 namespace, when already built). */
export function buildImports(s: WasiState, preview1?: Record<string, WasiImport>): Record<string, Record<string, WasiImport>> {
  return { wasi_snapshot_preview1: preview1 ?? namespace(s, PREVIEW1), wasi_unstable: namespace(s, PREVIEW0) };
}

/** The preview1 namespace alone (what the WASI 0.2 host runs on: no `wasi_unstable` to build). */
export function buildPreview1(s: WasiState): Record<string, WasiImport> {
  return namespace(s, PREVIEW1);
}
