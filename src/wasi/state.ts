/**
 * The state every WASI call works on: the guest memory (views cached, refreshed when the memory grows),
 * the descriptor table, and the guest-memory helpers that turn a bad pointer into `EFAULT`.
 *
 * Descriptor table: `fds[n]` is an `FdEntry` or `undefined`. 0..2 are the standard streams, then the
 * preopens in option order. A new descriptor takes the most recently freed number, else the next
 * unused one: O(1), with no scan (preview1 promises no particular number). The table holds at most
 * `maxFds` descriptors at once (`EMFILE` beyond), so a guest cannot make the host hold unbounded
 * handles — on a host directory, real descriptors of the host process.
 *
 * @module
 */
import { Trap, WasiError } from "../errors.js";
import { parseWasmFrames } from "../runtime/trap.js";
import { ERRNO, type FilestatLayout } from "./defs.js";
import type { Vfs, VfsDir, VfsFile, VfsStat } from "./fs/vfs.js";
import type { InputStream, OutputStream } from "./stdio.js";
import { cpuTimeNs, monotonicNs, realtimeNs, type WasiClock } from "./clock.js";
import type { WasiRandom } from "./random.js";

/** What a descriptor refers to. */
export const KIND_INPUT = 0;
export const KIND_OUTPUT = 1;
export const KIND_FILE = 2;
export const KIND_DIR = 3;

/**
 * The deadline of the store a guest runs in (a wasmhost `Store` is one): WASI calls that block or run
 * long stop there with an `"interrupt"` trap, as the guest's own code would.
 */
export interface Deadline {
  /** Milliseconds left before the running call must stop: `Infinity` without a limit, 0 once reached. */
  remainingMs(): number;
  /** True when the deadline can arrive at any moment from another thread (an epoch deadline): long waits then wake up to look. */
  epochWatched(): boolean;
}

/** How often a wait under an epoch deadline wakes up to look at the epoch. */
const EPOCH_POLL_NS = 5_000_000n;

/** A mounted filesystem. */
export interface Mount {
  readonly vfs: Vfs;
  readonly readOnly: boolean;
}

/** A cached directory listing for `fd_readdir` (cookies index into it). */
export interface Listing {
  names: Uint8Array[];
  inos: bigint[];
  types: number[];
}

/** One open descriptor. */
export class FdEntry {
  pos = 0;
  listing: Listing | null = null;
  /** The guest path of a preopen (for `fd_prestat_*`), else null. */
  preopen: Uint8Array | null = null;
  constructor(
    public kind: number,
    public filetype: number,
    public rightsBase: number,
    public rightsInh: number,
    public flags: number,
    public file: VfsFile | null,
    public dir: VfsDir | null,
    public mount: Mount | null,
    public input: InputStream | null,
    public output: OutputStream | null,
  ) {}

  close(): void {
    if (this.file !== null) this.file.close();
    if (this.dir !== null) this.dir.close();
    this.file = null;
    this.dir = null;
    this.listing = null;
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** The shared state of one `Wasi`. */
export class WasiState {
  memory: WebAssembly.Memory | null = null;
  buf: ArrayBufferLike = new ArrayBuffer(0);
  u8: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(this.buf);
  /** The memory as u64s (wasm memory is whole 64 KiB pages), for allocation-free aligned clock writes. */
  u64: BigUint64Array = new BigUint64Array(this.buf);
  readonly fds: (FdEntry | undefined)[] = [];
  /** Numbers below `fds.length` that are free, most recently freed last. */
  private readonly freeFds: number[] = [];
  /** Descriptors open now. */
  private openFds = 0;
  /** The most descriptors open at once. */
  maxFds = 1024;

  constructor(
    readonly args: readonly Uint8Array[],
    readonly env: readonly Uint8Array[],
    readonly clock: WasiClock | null,
    readonly random: WasiRandom,
    readonly sleep: (ns: bigint) => void,
  ) {}

  /** The deadline of the store the guest runs in, once bound (see `Wasi.start`); null: none. */
  deadline: Deadline | null = null;
  /** True when `sleep` is a pluggable clock's (virtual time: never capped by a real deadline). */
  virtualSleep = false;

  /** Milliseconds left before the store's deadline (`Infinity` without one). */
  remainingMs(): number {
    return this.deadline === null ? Infinity : this.deadline.remainingMs();
  }

  /** Throws the `"interrupt"` trap when the store's deadline has been reached. */
  checkDeadline(): void {
    if (this.deadline !== null && this.deadline.remainingMs() <= 0) throw interrupted();
  }

  /**
   * Sleeps `ns` nanoseconds, but never past the store's deadline: reaching it throws the `"interrupt"`
   * trap. Under an epoch deadline the wait wakes every 5 ms to look at the epoch. A pluggable clock's
   * `sleep` (virtual time) is called as it is, and the deadline checked after.
   */
  sleepWithin(ns: bigint): void {
    const d = this.deadline;
    if (d === null || this.virtualSleep) {
      this.sleep(ns);
      this.checkDeadline();
      return;
    }
    let left = ns;
    for (;;) {
      const ms = d.remainingMs();
      if (ms <= 0) throw interrupted();
      const sliced = d.epochWatched();
      if (ms === Infinity && !sliced) {
        this.sleep(left);
        return;
      }
      let slice = ms === Infinity ? left : BigInt(Math.ceil(ms * 1e6));
      if (sliced && slice > EPOCH_POLL_NS) slice = EPOCH_POLL_NS;
      if (left <= slice) {
        this.sleep(left);
        return;
      }
      const t0 = monotonicNs();
      this.sleep(slice);
      left -= monotonicNs() - t0;
      if (left <= 0n) return;
    }
  }

  /** True when the memory is shared (its buffer is never detached, so growth must be checked by identity). */
  private shared = false;

  /**
   * Where the memory comes from when none is bound: the instance a linker instantiated with these
   * functions (see `Wasi.linkedTo`). Consulted on the first call only.
   */
  memorySource: (() => WebAssembly.Memory | undefined) | null = null;

  /** Forgets the bound memory: the next call binds `memorySource`'s. */
  unbind(memorySource: () => WebAssembly.Memory | undefined): void {
    this.memory = null;
    this.memorySource = memorySource;
    this.buf = new ArrayBuffer(0);
    this.u8 = new Uint8Array(0);
    this.dv = new DataView(this.buf);
    this.u64 = new BigUint64Array(this.buf);
  }

  /** Binds the guest memory. */
  bind(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
    this.refresh();
  }

  /**
   * Makes the cached views current; call at the start of every WASI function. A grown (non-shared)
   * memory detaches the old buffer, which reads as length 0: one cheap test instead of fetching
   * `memory.buffer` on every call.
   */
  sync(): void {
    if (this.u8.length === 0 || this.shared) this.refresh();
  }

  private refresh(): void {
    const m = this.memory;
    if (m === null) {
      const linked = this.memorySource?.();
      if (linked !== undefined) return this.bind(linked);
      throw new WasiError(
        this.memorySource === null
          ? "a WASI function was called before start(), initialize() or setMemory() bound the instance's memory"
          : 'a WASI function was called by an instance that exports no memory named "memory"',
      );
    }
    const b = m.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
      this.u64 = new BigUint64Array(b);
    }
  }

  /** Whether `[ptr, ptr+len)` lies in memory (both already unsigned). */
  inBounds(ptr: number, len: number): boolean {
    return ptr + len <= this.u8.length;
  }

  /** Decodes a guest string, or returns an errno (`EFAULT` out of bounds, `EILSEQ` invalid UTF-8). */
  readString(ptr: number, len: number): string | number {
    ptr >>>= 0;
    len >>>= 0;
    if (ptr + len > this.u8.length) return ERRNO.FAULT;
    // Short ASCII strings (most paths) are built directly: cheaper than a TextDecoder call.
    if (len <= 64) {
      const u8 = this.u8;
      let out = "";
      let i = 0;
      for (; i < len; i++) {
        const c = u8[ptr + i]!;
        if (c >= 0x80) break;
        out += String.fromCharCode(c);
      }
      if (i === len) return out;
    }
    let view = this.u8.subarray(ptr, ptr + len);
    if (!(this.buf instanceof ArrayBuffer)) view = view.slice();
    try {
      return decoder.decode(view);
    } catch {
      return ERRNO.ILSEQ;
    }
  }

  /** Whether one more descriptor fits (check before opening anything, then `allocFd`). */
  canAllocFd(): boolean {
    return this.openFds < this.maxFds;
  }

  /** Installs `entry` under a free number (the caller checked `canAllocFd`) and returns it. */
  allocFd(entry: FdEntry): number {
    const fd = this.freeFds.length > 0 ? this.freeFds.pop()! : this.fds.length;
    this.fds[fd] = entry;
    this.openFds++;
    return fd;
  }

  /** Empties slot `fd` (which holds an entry, already closed or moved elsewhere). */
  freeFd(fd: number): void {
    this.fds[fd] = undefined;
    this.freeFds.push(fd);
    this.openFds--;
  }

  /** Writes a `filestat` in the given layout. */
  writeStat(ptr: number, st: VfsStat, L: FilestatLayout): void {
    const dv = this.dv;
    dv.setBigUint64(ptr + L.DEV, st.dev, true);
    dv.setBigUint64(ptr + L.INO, st.ino, true);
    this.u8.fill(0, ptr + L.TYPE, ptr + L.NLINK);
    dv.setUint8(ptr + L.TYPE, st.filetype);
    if (L.NLINK_U32) dv.setUint32(ptr + L.NLINK, Number(BigInt.asUintN(32, st.nlink)), true);
    else dv.setBigUint64(ptr + L.NLINK, st.nlink, true);
    dv.setBigUint64(ptr + L.FSIZE, st.size, true);
    dv.setBigUint64(ptr + L.ATIM, st.atim, true);
    dv.setBigUint64(ptr + L.MTIM, st.mtim, true);
    dv.setBigUint64(ptr + L.CTIM, st.ctim, true);
  }

  /** Encodes strings as NUL-terminated UTF-8 (args, env). */
  static encodeAll(list: readonly string[]): Uint8Array[] {
    return list.map((s) => {
      if (s.includes("\0")) throw new WasiError(`arguments and environment may not contain NUL: ${JSON.stringify(s)}`);
      const b = encoder.encode(s);
      const out = new Uint8Array(b.length + 1);
      out.set(b);
      return out;
    });
  }

  /** Current time of clock `id` in ns (pluggable clock or host), or -1n for an unknown id. */
  nowNs(id: number): bigint {
    if (id < 0 || id > 3) return -1n;
    if (this.clock !== null) return this.clock.now(id);
    return hostNow(id);
  }
}

/** The trap a WASI call throws when the store's deadline is reached: the same as the guest's code would. */
function interrupted(): Trap {
  return new Trap("interrupt", parseWasmFrames(new Error().stack), { detail: "the store's deadline was reached in a WASI call" });
}

function hostNow(id: number): bigint {
  return id === 0 ? realtimeNs() : id === 1 ? monotonicNs() : cpuTimeNs();
}
