/**
 * The preview1 calls of a `Wasi`, called by the WASI 0.2 host over a private scratch memory.
 *
 * WASI 0.2 is served by the very functions that serve preview1 (src/wasi/calls): the same descriptor
 * table, path resolution (no escape by `..`, absolute paths or symlinks), read-only mounts, descriptor
 * budget, pipe capacities and deadline-aware blocking. A component's guest memory never reaches the
 * host (values cross by the canonical ABI), so the `WasiState` of a component is bound to a memory of
 * our own: arguments are written there, the preview1 function called, results read back. One copy
 * per call, and one sandbox to audit.
 *
 * Stream data does not take that detour: `transfer` moves it straight between the guest's bytes and the
 * file or pipe, through the same checks as `fd_read`/`fd_write` (`transferBytes`).
 *
 * Gathered writes: the preview1 adapter splits every `fd_write` into `blocking-write-and-flush` calls
 * of 4 KiB, so a 64 KiB write to a host file would cost 16 system calls where preview1 makes one.
 * While `Wasi.start` runs a component (`gathering`), consecutive positioned writes of one output
 * stream to a file whose `VfsFile.writeBehind` is set are gathered (up to `GATHER` bytes) after the
 * same checks `fd_write` makes (rights, read-only mount), and written as one: before any other use of
 * the preview1 calls or of `transfer`, when the stream is flushed or dropped, and when the run ends. So
 * the guest, which can only look at files through those calls, never sees the difference; an error of
 * the late write (a full disk) is given to the stream's next operation, as a write-back cache does.
 * When there is none (the stream was dropped, or the run ended), the error is kept in `lost` and
 * `Wasi.start` throws a `WasiError` for it when the run ends: written data is never dropped silently.
 *
 * Layout of the scratch memory: bytes [0, 64) hold result slots and iovecs, [64, ...) the data of one
 * call (a path, a buffer). It grows on demand and never shrinks.
 *
 * @module
 */
import { ERRNO, FDFLAGS, RIGHTS } from "../../wasi/defs.js";
import type { WasiImport } from "../../wasi/imports.js";
import { KIND_FILE, type WasiState } from "../../wasi/state.js";
import { transferBytes } from "../../wasi/calls/fd.js";

/** A preview1 function as the bridge calls it. */
type Fn = (...args: (number | bigint)[]) => number;

/** Where the data of one call starts. */
export const DATA = 64;
const enc = new TextEncoder();
/** Strings up to this long are written by a loop when they are ASCII (cheaper than `encodeInto`). */
const SHORT = 64;

/** The most bytes gathered before they are written (see the module comment). */
const GATHER = 1 << 18;
/** The rights a gathered write needs, and the descriptor flags that rule it out. */
const GATHER_RIGHTS = RIGHTS.FD_WRITE | RIGHTS.FD_SEEK;
const NO_GATHER_FLAGS = FDFLAGS.APPEND | FDFLAGS.SYNC | FDFLAGS.DSYNC | FDFLAGS.RSYNC;

/** The owner of gathered bytes (an output stream): told the errno when their late write fails. */
export interface Gatherer {
  failed(errno: number): void;
}

/** The preview1 functions the WASI 0.2 host calls, as properties of one fixed shape (fast to reach). */
export interface Calls {
  readonly fd_advise: Fn; readonly fd_close: Fn; readonly fd_datasync: Fn; readonly fd_filestat_get: Fn;
  readonly fd_filestat_set_size: Fn; readonly fd_filestat_set_times: Fn; readonly fd_readdir: Fn;
  readonly fd_sync: Fn; readonly path_create_directory: Fn; readonly path_filestat_get: Fn;
  readonly path_filestat_set_times: Fn; readonly path_link: Fn; readonly path_open: Fn; readonly path_readlink: Fn;
  readonly path_remove_directory: Fn; readonly path_rename: Fn; readonly path_symlink: Fn; readonly path_unlink_file: Fn;
}

/** The preview1 functions of one `Wasi`, with the scratch memory they run on. */
export class Preview1 {
  readonly state: WasiState;
  private readonly fns: Record<string, WasiImport>;
  /** The scratch memory, made on first use (a run that only reads clocks never needs one). */
  private memory: WebAssembly.Memory | undefined;
  u8: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(this.u8.buffer);
  private readonly calls: Calls;
  /** The errno of a gathered write that failed when no stream could be told (see the module comment); 0 if none. */
  lost = 0;
  /** Records the errno of a gathered write whose stream is gone (the first one wins). */
  lose(errno: number): void {
    if (this.lost === 0) this.lost = errno;
  }
  /** The errno of the last gathered write that failed (what `flushGathered` returning false refers to). */
  lastGatherErrno = 0;
  /** Whether stream writes may be gathered now (while `Wasi.start` runs a component). */
  gathering = false;
  /** Gathered bytes: `gLen` of them in `gBuf`, for descriptor `gFd` at file position `gAt`, of `gOwner`. */
  private gBuf: Uint8Array | undefined;
  private gLen = 0;
  private gFd = -1;
  private gAt = 0;
  private gOwner: Gatherer | undefined;

  constructor(state: WasiState, fns: Record<string, WasiImport>) {
    this.state = state;
    this.fns = fns;
    // The state binds the scratch memory when a preview1 call first looks at memory.
    state.unbind(() => this.scratch());
    const f = (name: string): Fn => this.fn(name);
    this.calls = {
      fd_advise: f("fd_advise"), fd_close: f("fd_close"), fd_datasync: f("fd_datasync"), fd_filestat_get: f("fd_filestat_get"),
      fd_filestat_set_size: f("fd_filestat_set_size"), fd_filestat_set_times: f("fd_filestat_set_times"), fd_readdir: f("fd_readdir"),
      fd_sync: f("fd_sync"), path_create_directory: f("path_create_directory"), path_filestat_get: f("path_filestat_get"),
      path_filestat_set_times: f("path_filestat_set_times"), path_link: f("path_link"), path_open: f("path_open"),
      path_readlink: f("path_readlink"), path_remove_directory: f("path_remove_directory"), path_rename: f("path_rename"),
      path_symlink: f("path_symlink"), path_unlink_file: f("path_unlink_file"),
    };
  }

  /** The preview1 functions, by name (gathered writes are written first). */
  get c(): Calls {
    if (this.gLen !== 0) this.flushGathered();
    this.epoch++;
    return this.calls;
  }

  /**
   * Counts the uses of the preview1 calls and of `transfer`: a value read before and after shows
   * that nothing was done to a file or directory in between (by this component).
   */
  epoch = 0;

  /**
   * Gathers `bytes`, a write of `owner` to descriptor `fd` at file position `at`, if it may be (see the
   * module comment): false when the caller must write them now. Gathered bytes of another write are
   * written first unless these continue them.
   */
  gather(owner: Gatherer, fd: number, at: number, bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (this.gLen !== 0) {
      if (owner === this.gOwner && fd === this.gFd && at === this.gAt + this.gLen && this.gLen + n <= GATHER) {
        this.gBuf!.set(bytes, this.gLen);
        this.gLen += n;
        return true;
      }
      if (!this.flushGathered()) return false;
    }
    if (!this.gathering || n === 0 || n > GATHER >> 2 || at + n > Number.MAX_SAFE_INTEGER) return false;
    const e = this.state.fds[fd];
    if (e === undefined || e.kind !== KIND_FILE || e.file === null || e.file.writeBehind !== true) return false;
    if ((e.rightsBase & GATHER_RIGHTS) !== GATHER_RIGHTS || (e.flags & NO_GATHER_FLAGS) !== 0 || (e.mount !== null && e.mount.readOnly)) return false;
    const buf = (this.gBuf ??= new Uint8Array(GATHER));
    buf.set(bytes, 0);
    this.gLen = n;
    this.gFd = fd;
    this.gAt = at;
    this.gOwner = owner;
    return true;
  }

  /** Writes the gathered bytes of `owner`, if there are any. */
  flushOf(owner: Gatherer): void {
    if (this.gLen !== 0 && this.gOwner === owner) this.flushGathered();
  }

  /** Writes the gathered bytes: false if that failed (the failure went to their owner). */
  flushGathered(): boolean {
    if (this.gLen === 0) return true;
    const len = this.gLen;
    const owner = this.gOwner;
    this.gLen = 0;
    this.gOwner = undefined;
    if (len === 0 || owner === undefined) return true;
    for (let done = 0; done < len; ) {
      const n = transferBytes(this.state, this.gFd, this.gBuf!, done, len - done, BigInt(this.gAt + done), true);
      if (n <= 0) {
        this.lastGatherErrno = n < 0 ? -n : ERRNO.IO;
        owner.failed(this.lastGatherErrno);
        return false;
      }
      done += n;
    }
    return true;
  }

  /**
   * Reads (`write` false) or writes `[at, at + len)` of `buf` from or to descriptor `fd`, at `offset`
   * or sequentially (null): the byte count, or -errno. `buf` may be any bytes (a view of guest memory).
   */
  transfer(fd: number, buf: Uint8Array, at: number, len: number, offset: bigint | null, write: boolean): number {
    if (this.gLen !== 0) this.flushGathered();
    this.epoch++;
    return transferBytes(this.state, fd, buf, at, len, offset, write);
  }

  /** The preview1 function `name` (e.g. `"fd_write"`). */
  fn(name: string): Fn {
    const f = this.fns[name];
    if (f === undefined) throw new Error(`internal: no preview1 function ${name}`);
    return f.fn as Fn;
  }

  /** The scratch memory (made now if need be). */
  private scratch(): WebAssembly.Memory {
    let m = this.memory;
    if (m === undefined) {
      this.memory = m = new WebAssembly.Memory({ initial: 1 });
      this.u8 = new Uint8Array(m.buffer);
      this.dv = new DataView(m.buffer);
    }
    return m;
  }

  /** Makes room for `bytes` of data at `DATA`. */
  reserve(bytes: number): void {
    const need = DATA + bytes;
    if (need > this.u8.length) {
      const m = this.scratch();
      if (need > this.u8.length) m.grow(Math.ceil((need - this.u8.length) / 65536));
      this.u8 = new Uint8Array(m.buffer);
      this.dv = new DataView(m.buffer);
    }
  }

  /** Writes `s` as UTF-8 at `at` (a data offset, from `DATA`); returns its byte length. */
  putString(s: string, at = DATA): number {
    const n = s.length;
    this.reserve(at - DATA + n * 3);
    if (n <= SHORT) {
      const u8 = this.u8;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        u8[at + i] = c;
      }
      if (i === n) return n;
    }
    return enc.encodeInto(s, this.u8.subarray(at)).written;
  }

  /** Writes `bytes` at `DATA`. */
  putBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.u8.set(bytes, DATA);
  }

  /** Writes one iovec `{ DATA, len }` at offset 0 (for fd_read/fd_write and friends). */
  iovec(len: number): number {
    this.dv.setUint32(0, DATA, true);
    this.dv.setUint32(4, len, true);
    return 0;
  }

  u32(at: number): number {
    return this.dv.getUint32(at, true);
  }

  u64(at: number): bigint {
    return this.dv.getBigUint64(at, true);
  }
}

/** A preview1 errno as a WASI 0.2 `error-code` case. */
export function errorCode(errno: number): string {
  return ERROR_CODES.get(errno) ?? "io";
}

const E = ERRNO;
const ERROR_CODES = new Map<number, string>([
  [E.ACCES, "access"], [E.NOTCAPABLE, "not-permitted"], [E.AGAIN, "would-block"], [E.ALREADY, "already"],
  [E.BADF, "bad-descriptor"], [E.BUSY, "busy"], [E.DEADLK, "deadlock"], [E.DQUOT, "quota"], [E.EXIST, "exist"],
  [E.FBIG, "file-too-large"], [E.ILSEQ, "illegal-byte-sequence"], [E.INPROGRESS, "in-progress"],
  [E.INTR, "interrupted"], [E.INVAL, "invalid"], [E.IO, "io"], [E.ISDIR, "is-directory"], [E.LOOP, "loop"],
  [E.MLINK, "too-many-links"], [E.MSGSIZE, "message-size"], [E.NAMETOOLONG, "name-too-long"],
  [E.NODEV, "no-device"], [E.NOENT, "no-entry"], [E.NOLCK, "no-lock"], [E.NOMEM, "insufficient-memory"],
  [E.MFILE, "insufficient-memory"], [E.NFILE, "insufficient-memory"], [E.NOSPC, "insufficient-space"],
  [E.NOTDIR, "not-directory"], [E.NOTEMPTY, "not-empty"], [E.NOTRECOVERABLE, "not-recoverable"],
  [E.NOTSUP, "unsupported"], [E.NOSYS, "unsupported"], [E.NOTTY, "no-tty"], [E.NXIO, "no-such-device"],
  [E.OVERFLOW, "overflow"], [E.PERM, "not-permitted"], [E.PIPE, "pipe"], [E.ROFS, "read-only"],
  [E.SPIPE, "invalid-seek"], [E.TXTBSY, "text-file-busy"], [E.XDEV, "cross-device"],
]);
