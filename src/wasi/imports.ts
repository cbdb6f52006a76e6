/**
 * Builds the import objects: every function of `wasi_snapshot_preview1` and `wasi_unstable` with its
 * wasm type, as raw host functions (wasm arguments in, errno out, no Caller).
 *
 * @module
 */
import type { FuncType, ValType } from "../types.js";
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

function namespace(s: WasiState, pv: Preview): Record<string, WasiImport> {
  const fns: Record<string, HostFn> = {
    ...argsCalls(s), ...procCalls(s, pv), ...fdCalls(s, pv), ...pathCalls(s, pv), ...sockCalls(s, pv),
  };
  const out: Record<string, WasiImport> = {};
  for (const [name, fn] of Object.entries(fns)) {
    const sig = SIGNATURES[name];
    if (sig !== undefined) out[name] = { type: typeOf(name, sig), fn };
  }
  return out;
}

/** Both namespaces for one state. */
export function buildImports(s: WasiState): Record<string, Record<string, WasiImport>> {
  return { wasi_snapshot_preview1: namespace(s, PREVIEW1), wasi_unstable: namespace(s, PREVIEW0) };
}
