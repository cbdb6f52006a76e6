/**
 * The `Wasi` class: options in, import objects out, `start`/`initialize` to run a guest.
 *
 * @module
 */
import { WasiError } from "../errors.js";
import { describeValue } from "../runtime/values.js";
import { sleepNs, type WasiClock } from "./clock.js";
import { RIGHTS_DIR, RIGHTS_FILE, RIGHTS_STDIN, RIGHTS_STDOUT, FILETYPE } from "./defs.js";
import { WasiExit } from "./exit.js";
import { hostFsFactory } from "./fs/host-hook.js";
import { MemoryFs, type MemoryTree } from "./fs/memory.js";
import { isErrno, type Vfs } from "./fs/vfs.js";
import { buildImports, buildPreview1, type WasiImport } from "./imports.js";
import { hostRandom, type WasiRandom } from "./random.js";
import { FdEntry, KIND_DIR, KIND_INPUT, KIND_OUTPUT, WasiState, type Deadline, type Mount } from "./state.js";
import { InputStream, OutputStream, type OutputOption, type StdinOption } from "./stdio.js";

/**
 * One preopened directory:
 * - `{ memory: { "a.txt": "hi" } }` (or a `MemoryFs`): an in-memory filesystem, browser-safe;
 * - `{ host: "./data" }`: a host directory, Node only (see `Wasi`);
 * - `{ fs }` or a bare `Vfs`: any filesystem implementing the `Vfs` interface, e.g. `new NodeFs(dir)`.
 * `readOnly: true` refuses every modification with `EROFS`.
 */
export type PreopenOption =
  | Vfs
  | { fs: Vfs; readOnly?: boolean }
  | { memory: MemoryTree | MemoryFs; readOnly?: boolean }
  | { host: string; readOnly?: boolean };

/** Options of `new Wasi`. Nothing of the host is visible to the guest unless given here. */
export interface WasiOptions {
  /** `argv`, including the program name (default: none). */
  args?: readonly string[];
  /** Environment variables, as an object or as `"K=V"` strings (default: none). */
  env?: Readonly<Record<string, string>> | readonly string[];
  /** stdin (default: empty). */
  stdin?: StdinOption;
  /** stdout (default `"ignore"`). */
  stdout?: OutputOption;
  /** stderr (default `"ignore"`). */
  stderr?: OutputOption;
  /** Guest path -> directory. Descriptors 3, 4, ... in this order. */
  preopens?: Readonly<Record<string, PreopenOption>>;
  /** A pluggable clock (e.g. `fixedClock(...)`); default: the host's clocks. */
  clock?: WasiClock;
  /** A pluggable random source (e.g. `seededRandom(1)`); default: `crypto.getRandomValues`. */
  random?: WasiRandom;
  /**
   * The most descriptors the guest may hold open at once, standard streams and preopens included
   * (default 1024); opening more fails with `EMFILE`. On a host directory each is a descriptor of the
   * host process, so this keeps a guest from exhausting the host's.
   */
  maxOpenFiles?: number;
  /**
   * The most bytes a `"pipe"` stdout or stderr captures (default 64 MiB, `DEFAULT_PIPE_CAPACITY`);
   * beyond it the guest's writes fail with `ENOSPC` and nothing more is held.
   */
  pipeCapacity?: number;
}

/**
 * What `start`/`initialize` accept: a wasmhost `Instance` or a plain `WebAssembly.Instance`. A wasmhost
 * instance brings its store, whose time limit or epoch deadline then also bounds blocking WASI calls.
 */
export type WasiInstance =
  | WebAssembly.Instance
  | {
      getMemory(name: string): { readonly native: WebAssembly.Memory } | undefined | null;
      getFunc(name: string): { call(...args: unknown[]): unknown } | undefined | null;
      readonly store?: object;
    };

/** A component instance for `start` (structurally: `ComponentInstance`'s exports, which hold `wasi:cli/run`). */
export interface WasiComponentInstance {
  readonly exports: Record<string, unknown>;
  /** Its store: a time limit or epoch deadline there also bounds blocking WASI calls. */
  readonly store?: object;
}

const enc = new TextEncoder();

/** The deadline of a wasmhost instance's store (structurally: a `Store` has `remainingMs`), or null. */
function deadlineOf(instance: WasiInstance): Deadline | null {
  if (instance instanceof WebAssembly.Instance) return null;
  const store = instance.store as Partial<Deadline> | undefined;
  if (store === undefined || typeof store.remainingMs !== "function" || typeof store.epochWatched !== "function") return null;
  return store as Deadline;
}

/**
 * WASI preview1 (and preview0) for one guest.
 *
 * ```ts
 * const wasi = new Wasi({ args: ["prog"], stdout: "pipe", preopens: { "/tmp": { memory: {} } } });
 * linker.defineWasi(wasi);
 * const code = wasi.start(linker.instantiate(store, module));   // proc_exit(n) -> n; return -> 0
 * wasi.stdoutText();
 * ```
 *
 * Host directories: `{ host: "./data" }` is resolved by the Node host filesystem, which lives in its own
 * module (src/host/node-fs.ts) so that this class stays browser-safe; that module registers itself when
 * imported (the Node entry points and the CLI import it). Without it, a `{ host }` preopen throws
 * `WasiError`; `{ fs: new NodeFs(dir) }` is the explicit equivalent.
 *
 * A trap propagates from `start` as `Trap`; a missing `memory` or `_start` export is a `WasiError`.
 *
 * Limits. Given a wasmhost `Instance` whose store has a time limit or an epoch deadline, WASI calls
 * honour it: `poll_oneoff` sleeps at most until the deadline, `fd_read` on stdin waits at most until
 * then (when the stdin callback honours its `waitMs`), and long `fd_read`/`fd_write` calls look at the
 * deadline between iovecs; reaching it throws the same `"interrupt"` `Trap` the guest's own code would.
 * Without a limit nothing changes. The guest holds at most `maxOpenFiles` descriptors (`EMFILE`), a
 * `"pipe"` capture at most `pipeCapacity` bytes (`ENOSPC`), one read or write moves at most
 * 2 GiB - 4 KiB (Linux's limit: a short count, so totals never wrap), paths and symlink targets are
 * at most 4096 bytes (`ENAMETOOLONG`, refused before they are decoded), and a walk holds at most 512
 * directories.
 * `start` can be called once. Defaults keep the host invisible: no args, no env, empty stdin,
 * stdout/stderr discarded, no preopens. A filesystem, stdin callback or clock that throws gives the
 * guest `EIO` rather than unwinding it; bad guest pointers give `EFAULT`.
 */
export class Wasi {
  private readonly state: WasiState;
  private readonly stdinStream: InputStream;
  private readonly out: OutputStream;
  private readonly err: OutputStream;
  private readonly owned: Vfs[] = [];
  private imports: Record<string, Record<string, WasiImport>> | undefined;
  /** The preview1 namespace built alone by `preview1Internals`, reused by `getImports`. */
  private preview1: Record<string, WasiImport> | undefined;
  private started = false;
  /** Runs a component's `wasi:cli/run` (set by `ComponentLinker.defineWasi`, which owns components). */
  private componentRunner: ((instance: object) => number) | undefined;
  /** True once `setMemory` bound a memory: linking no longer rebinds it. */
  private explicitMemory = false;

  constructor(options: WasiOptions = {}) {
    if (options === null || typeof options !== "object") throw new TypeError(`new Wasi: options must be an object, got ${describeValue(options)}`);
    const args = WasiState.encodeAll(options.args ?? []);
    const envList = Array.isArray(options.env)
      ? (options.env as readonly string[])
      : Object.entries((options.env ?? {}) as Record<string, string>).map(([k, v]) => {
          if (k.includes("=") || k === "") throw new WasiError(`invalid environment variable name ${JSON.stringify(k)}`);
          return `${k}=${v}`;
        });
    const env = WasiState.encodeAll(envList);
    const clock = options.clock ?? null;
    const sleep = clock?.sleep !== undefined ? clock.sleep.bind(clock) : sleepNs;
    this.state = new WasiState(args, env, clock, options.random ?? hostRandom, sleep);
    this.state.virtualSleep = clock?.sleep !== undefined;
    this.stdinStream = new InputStream(options.stdin);
    this.out = new OutputStream(options.stdout, 1, options.pipeCapacity);
    this.err = new OutputStream(options.stderr, 2, options.pipeCapacity);
    const maxFds = options.maxOpenFiles ?? 1024;
    const preopenCount = Object.keys(options.preopens ?? {}).length;
    if (!Number.isInteger(maxFds) || maxFds < 3 + preopenCount)
      throw new WasiError(`maxOpenFiles must be an integer of at least ${3 + preopenCount} (3 standard streams and ${preopenCount} preopens), got ${String(maxFds)}`);
    this.state.maxFds = maxFds;
    const st = this.state;
    st.allocFd(new FdEntry(KIND_INPUT, this.stdinStream.filetype, RIGHTS_STDIN, 0, 0, null, null, null, this.stdinStream, null));
    st.allocFd(new FdEntry(KIND_OUTPUT, this.out.filetype, RIGHTS_STDOUT, 0, 0, null, null, null, null, this.out));
    st.allocFd(new FdEntry(KIND_OUTPUT, this.err.filetype, RIGHTS_STDOUT, 0, 0, null, null, null, null, this.err));
    const now = clock !== null ? () => clock.now(0) : undefined;
    for (const [guest, spec] of Object.entries(options.preopens ?? {})) {
      if (guest === "" || guest.includes("\0")) throw new WasiError(`invalid preopen guest path ${JSON.stringify(guest)}`);
      const mount = this.mountOf(spec, now);
      const root = mount.vfs.root();
      if (isErrno(root)) throw new WasiError(`cannot open preopen ${guest}`, undefined);
      const e = new FdEntry(KIND_DIR, FILETYPE.DIRECTORY, RIGHTS_DIR, RIGHTS_DIR | RIGHTS_FILE, 0, null, root, mount, null, null);
      e.preopen = enc.encode(guest);
      this.state.allocFd(e);
    }
  }

  private mountOf(spec: PreopenOption, now: (() => bigint) | undefined): Mount {
    if (typeof spec !== "object" || spec === null) throw new WasiError("a preopen must be an object");
    if ("root" in spec && typeof spec.root === "function") return { vfs: spec, readOnly: spec.readOnly };
    const ro = (spec as { readOnly?: boolean }).readOnly === true;
    if ("fs" in spec) return { vfs: spec.fs, readOnly: ro || spec.fs.readOnly };
    if ("memory" in spec) {
      const m = spec.memory;
      const vfs = m instanceof MemoryFs ? m : new MemoryFs(m, now !== undefined ? { now } : {});
      return { vfs, readOnly: ro || vfs.readOnly };
    }
    if ("host" in spec) {
      const make = hostFsFactory();
      if (make === undefined)
        throw new WasiError(`a { host } preopen needs the Node host filesystem (src/host/node-fs.ts) to be loaded first; or pass { fs: new NodeFs(dir) }`);
      const vfs = make(spec.host, ro);
      this.owned.push(vfs);
      return { vfs, readOnly: ro };
    }
    throw new WasiError("a preopen needs one of `memory`, `host` or `fs`");
  }

  /**
   * The WASI functions of both namespaces with their wasm types, as raw host functions (what
   * `linker.defineWasi` installs). Built once per `Wasi`.
   */
  getImports(): Record<string, Record<string, WasiImport>> {
    return (this.imports ??= buildImports(this.state, this.preview1));
  }

  /** A plain import object (`{ wasi_snapshot_preview1: { fd_write, ... }, wasi_unstable: {...} }`) for `WebAssembly.instantiate`. */
  getImportObject(): Record<string, Record<string, (...args: any[]) => number | void>> {
    const out: Record<string, Record<string, (...args: any[]) => number | void>> = {};
    for (const [ns, fns] of Object.entries(this.getImports())) {
      out[ns] = {};
      for (const [name, imp] of Object.entries(fns)) out[ns]![name] = imp.fn;
    }
    return out;
  }

  /**
   * Runs a command's `_start` and returns its exit code: `proc_exit(n)` gives n, a normal return 0.
   * Traps and host errors propagate. Open descriptors are closed afterwards.
   */
  start(instance: WasiInstance | WasiComponentInstance): number {
    if (this.started) throw new WasiError("this Wasi has already started a program; make a new Wasi per run");
    if (instance === null || typeof instance !== "object") {
      throw new TypeError(`Wasi: instance must be an Instance, WebAssembly.Instance or ComponentInstance, got ${describeValue(instance)}`);
    }
    this.started = true;
    if (!(instance instanceof WebAssembly.Instance) && typeof (instance as { getMemory?: unknown }).getMemory !== "function") {
      if (this.componentRunner === undefined) throw new WasiError("a component instance needs its linker's defineWasi(wasi) before wasi.start");
      this.state.deadline = deadlineOf(instance as WasiInstance);
      try {
        return this.componentRunner(instance);
      } catch (e) {
        if (e instanceof WasiExit) return e.code;
        throw e;
      } finally {
        this.out.flush();
        this.err.flush();
        this.close();
      }
    }
    const core = instance as WasiInstance;
    const { memory, func } = this.bind(core, "_start");
    this.state.bind(memory);
    this.state.deadline = deadlineOf(core);
    if (func === undefined) throw new WasiError("the module exports no _start function (is it a reactor? use initialize())");
    try {
      func();
      return 0;
    } catch (e) {
      if (e instanceof WasiExit) return e.code;
      throw e;
    } finally {
      this.out.flush();
      this.err.flush();
      this.close();
    }
  }

  /**
   * Prepares a reactor: binds its memory and runs its `_initialize` export when it has one. Afterwards
   * call its exports as usual. A module with `_start` is a command: use `start` instead.
   */
  initialize(instance: WasiInstance): void {
    if (this.started) throw new WasiError("this Wasi has already started a program");
    this.started = true;
    const { memory } = this.bind(instance, "_start");
    if (this.bind(instance, "_start").func !== undefined) throw new WasiError("the module exports _start: it is a command, use start()");
    this.state.bind(memory);
    this.state.deadline = deadlineOf(instance);
    const init = this.bind(instance, "_initialize").func;
    if (init !== undefined) init();
  }

  /**
   * Called by `Linker.instantiate` for a module that imports WASI functions: until `start`,
   * `initialize` or `setMemory` binds a memory, WASI calls use the `memory` export of the latest
   * instance linked this way (found on the first call), so a reactor's exports can be called right
   * after instantiation. @internal
   */
  linkedTo(memory: () => WebAssembly.Memory | undefined): void {
    if (this.started || this.explicitMemory) return;
    this.state.unbind(memory);
  }

  /**
   * Binds the guest memory without running anything, for hosts that call a module's exports
   * themselves (`start` and `initialize` do this for you).
   */
  setMemory(memory: WebAssembly.Memory | { readonly native: WebAssembly.Memory }): void {
    const native = memory instanceof WebAssembly.Memory ? memory : (memory as { native?: unknown } | null)?.native;
    if (!(native instanceof WebAssembly.Memory)) throw new TypeError(`Wasi.setMemory: memory must be a Memory or WebAssembly.Memory, got ${describeValue(memory)}`);
    this.explicitMemory = true;
    this.state.bind(memory instanceof WebAssembly.Memory ? memory : memory.native);
  }

  private bind(instance: WasiInstance, name: string): { memory: WebAssembly.Memory; func: (() => unknown) | undefined } {
    if (instance === null || typeof instance !== "object") {
      throw new TypeError(`Wasi: instance must be an Instance or WebAssembly.Instance, got ${describeValue(instance)}`);
    }
    let memory: WebAssembly.Memory | undefined;
    let func: (() => unknown) | undefined;
    if (instance instanceof WebAssembly.Instance) {
      const m = instance.exports.memory;
      if (m instanceof WebAssembly.Memory) memory = m;
      const f = instance.exports[name];
      if (typeof f === "function") func = f as () => unknown;
    } else {
      let m: { readonly native: WebAssembly.Memory } | undefined | null;
      try {
        m = instance.getMemory("memory");
      } catch {
        m = undefined;
      }
      memory = m?.native;
      let f: { call(...args: unknown[]): unknown } | undefined | null;
      try {
        f = instance.getFunc(name);
      } catch {
        f = undefined;
      }
      if (f) func = () => f!.call();
    }
    if (memory === undefined) throw new WasiError('the module exports no memory named "memory", which WASI needs');
    return { memory, func };
  }

  /**
   * What the WASI 0.2 host (src/component/wasi) builds on: the state, the preview1 functions, and the
   * hook that lets `start` run a component. @internal
   */
  preview1Internals(runner?: (instance: object) => number): { state: WasiState; functions: Record<string, WasiImport> } {
    if (runner !== undefined) this.componentRunner = runner;
    // Only the preview1 namespace: a component never imports `wasi_unstable` (half the cost of building both).
    return { state: this.state, functions: this.imports?.wasi_snapshot_preview1 ?? (this.preview1 ??= buildPreview1(this.state)) };
  }

  /**
   * Binds the store a component using this `Wasi` was instantiated in: its time limit or epoch deadline
   * then bounds blocking WASI calls, as for a preview1 instance (`ComponentLinker.instantiate` calls
   * it). @internal
   */
  useStore(store: object): void {
    this.state.deadline = deadlineOf({ store } as WasiInstance);
  }

  /** What the guest wrote to stdout, when stdout is `"pipe"`. */
  stdoutBytes(): Uint8Array {
    return this.out.bytes();
  }
  /** `stdoutBytes()` decoded as UTF-8. */
  stdoutText(): string {
    return this.out.text();
  }
  /** What the guest wrote to stderr, when stderr is `"pipe"`. */
  stderrBytes(): Uint8Array {
    return this.err.bytes();
  }
  /** `stderrBytes()` decoded as UTF-8. */
  stderrText(): string {
    return this.err.text();
  }

  /** Closes every open descriptor and the host filesystems this `Wasi` opened. Called by `start`. */
  close(): void {
    const fds = this.state.fds;
    const mounts = new Set<Vfs>();
    for (let i = 0; i < fds.length; i++) {
      const e = fds[i];
      if (e !== undefined && e.kind !== KIND_INPUT && e.kind !== KIND_OUTPUT) {
        if (e.mount !== null) mounts.add(e.mount.vfs);
        e.close();
        this.state.freeFd(i);
      }
    }
    for (const v of this.owned.splice(0)) mounts.add(v);
    // Filesystems may hold cached handles (NodeFs does); they stay usable after close().
    for (const v of mounts) (v as { close?: () => void }).close?.();
  }
}


