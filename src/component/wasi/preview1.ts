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
 * Layout of the scratch memory: bytes [0, 64) hold result slots and iovecs, [64, ...) the data of one
 * call (a path, a buffer). It grows on demand and never shrinks.
 *
 * @module
 */
import { ERRNO } from "../../wasi/defs.js";
import type { WasiImport } from "../../wasi/imports.js";
import type { WasiState } from "../../wasi/state.js";

/** A preview1 function as the bridge calls it. */
type Fn = (...args: (number | bigint)[]) => number;

/** Where the data of one call starts. */
export const DATA = 64;
const enc = new TextEncoder();

/** The preview1 functions of one `Wasi`, with the scratch memory they run on. */
export class Preview1 {
  readonly state: WasiState;
  private readonly fns: Record<string, WasiImport>;
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  u8 = new Uint8Array(this.memory.buffer);
  dv = new DataView(this.memory.buffer);

  constructor(state: WasiState, fns: Record<string, WasiImport>) {
    this.state = state;
    this.fns = fns;
    state.bind(this.memory);
  }

  /** The preview1 function `name` (e.g. `"fd_write"`). */
  fn(name: string): Fn {
    const f = this.fns[name];
    if (f === undefined) throw new Error(`internal: no preview1 function ${name}`);
    return f.fn as Fn;
  }

  /** Makes room for `bytes` of data at `DATA`. */
  reserve(bytes: number): void {
    const need = DATA + bytes;
    if (need > this.u8.length) {
      this.memory.grow(Math.ceil((need - this.u8.length) / 65536));
      this.u8 = new Uint8Array(this.memory.buffer);
      this.dv = new DataView(this.memory.buffer);
    }
  }

  /** Writes `s` as UTF-8 at `at` (a data offset, from `DATA`); returns its byte length. */
  putString(s: string, at = DATA): number {
    this.reserve(at - DATA + s.length * 3);
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
