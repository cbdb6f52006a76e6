/**
 * `wasi:io` (error, poll, streams) over preview1 descriptors.
 *
 * A stream reads or writes one preview1 descriptor: stdin/stdout/stderr sequentially, a file at its
 * own offset, so several streams of one file do not disturb each other, as WASI 0.2 specifies. The
 * bytes move straight between the guest's memory and the file or pipe (`Preview1.transfer`, the checks
 * of `fd_read`/`fd_write`).
 *
 * Readiness is honest:
 * - stdin is ready when a read would return at once: bytes are buffered or its end was reached (a
 *   string or bytes source always is). A callback source (the host's real stdin) is asked without
 *   waiting; `poll` waits for it as long as the earliest timer and the store's deadline allow, and
 *   what it gives is kept for the next read. A non-blocking `read` takes what is there, possibly
 *   nothing; `blocking-read` waits, bounded by the deadline, as preview1's `fd_read` does.
 * - an output stream to a `"pipe"` capture permits (`check-write`) at most the room left under
 *   `pipeCapacity`; a full capture does not drain while the guest runs, so it is an error
 *   (`insufficient-space`), and its pollable is ready so that a waiting guest sees it.
 * - files and other outputs are always ready; timers are ready at their instant.
 * `poll` never sleeps past the store's deadline.
 *
 * @module
 */
import { ComponentError } from "../runtime/errors.js";
import { KIND_FILE, KIND_INPUT, KIND_OUTPUT } from "../../wasi/state.js";
import { RIGHTS } from "../../wasi/defs.js";
import { transferBytes } from "../../wasi/calls/fd.js";
import { FillBytes } from "../abi/lower.js";
import { DATA, errorCode, type Gatherer, type Preview1 } from "./preview1.js";

/** `wasi:io/error.error`: carries the filesystem error code of a failed stream operation. */
export class IoError {
  constructor(readonly code: string) {}
  toDebugString(): string {
    return this.code;
  }
}

/** What a pollable waits for. */
const READY = 0;
const TIMER = 1;
const STDIN = 2;

/** `wasi:io/poll.pollable`: ready now, at a monotonic-clock instant, or when stdin has input (or ended). */
export class Pollable {
  constructor(
    private readonly p1: Preview1,
    /** Monotonic nanoseconds at which a timer is ready (0n for the other kinds). */
    readonly readyAt: bigint,
    /** `READY`, `TIMER` or `STDIN` (the input of descriptor `fd`). */
    readonly kind = readyAt === 0n ? READY : TIMER,
    readonly fd = -1,
  ) {}
  ready(): boolean {
    switch (this.kind) {
      case READY:
        return true;
      case TIMER:
        return this.p1.state.nowNs(1) >= this.readyAt;
      default: {
        const e = this.p1.state.fds[this.fd];
        return e === undefined || e.kind !== KIND_INPUT || e.input!.readable(0);
      }
    }
  }
  block(): void {
    poll(this.p1, [this]);
  }
}

/** `wasi:io/poll.poll`: the indices of the ready pollables, waiting for at least one. */
export function poll(p1: Preview1, list: readonly Pollable[]): Uint32Array {
  if (list.length === 0) throw new ComponentError(undefined, "poll: the list of pollables is empty");
  const state = p1.state;
  for (;;) {
    const ready: number[] = [];
    let earliest = -1n;
    let stdin: Pollable | undefined;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.ready()) ready.push(i);
      else if (p.kind === TIMER) {
        if (earliest < 0n || p.readyAt < earliest) earliest = p.readyAt;
      } else if (p.kind === STDIN) stdin = p;
    }
    if (ready.length > 0) return Uint32Array.from(ready);
    const now = state.nowNs(1);
    const wait = earliest < 0n ? -1n : earliest > now ? earliest - now : 0n;
    if (stdin !== undefined) {
      // Wait for input no longer than the earliest timer or the deadline; then look again.
      const e = state.fds[stdin.fd]!;
      const left = state.remainingMs();
      const timerMs = wait < 0n ? Infinity : Number(wait) / 1e6;
      e.input!.readable(Math.min(left, timerMs));
      state.checkDeadline();
    } else state.sleepWithin(wait < 0n ? 0n : wait);
  }
}

/** The rights a read at an offset needs. */
const READ_RIGHTS = RIGHTS.FD_READ | RIGHTS.FD_SEEK;
/** Reads straight into guest memory take at most this much at once (a longer read is short). */
const FILL_MAX = 1 << 24;
/**
 * Reads through scratch memory take at most this much at once (a longer read is short, as a stream
 * read may be), so that a guest asking for gigabytes does not grow the scratch memory to match.
 */
const READ_BUDGET = 1 << 20;
/** The largest offset such a read starts at (preview1's limit for a file position). */
const MAX_READ_AT = BigInt(Number.MAX_SAFE_INTEGER);

/** A `stream-error` for errno `errno` (end of stream for `EPIPE`). */
function streamError(errno: number): ComponentError {
  if (errno === 64 /* EPIPE */) return new ComponentError({ tag: "closed" });
  return new ComponentError({ tag: "last-operation-failed", val: new IoError(errorCode(errno)) });
}

const CLOSED = (): ComponentError => new ComponentError({ tag: "closed" });
const EMPTY = new Uint8Array(0);

/** `wasi:io/streams.input-stream` over preview1 descriptor `fd`. */
export class InputStream {
  private done = false;
  constructor(
    private readonly p1: Preview1,
    private readonly fd: number,
    /** The file offset of the next read, or null to read sequentially (`fd_read`). */
    private offset: bigint | null,
  ) {}

  /**
   * Reads up to `len` bytes; `wait` false takes only what stdin has now. The bytes are a view of the
   * scratch memory, valid until the next call (the canonical ABI copies them into the guest at once).
   */
  private take(len: bigint, wait: boolean): Uint8Array {
    if (this.lateErrno !== 0) {
      const errno = this.lateErrno;
      this.lateErrno = 0;
      throw streamError(errno);
    }
    if (this.done) throw CLOSED();
    const n = Number(len > BigInt(READ_BUDGET) ? BigInt(READ_BUDGET) : len);
    if (n === 0) return EMPTY;
    const p1 = this.p1;
    p1.reserve(n);
    let got: number;
    const e = this.offset === null ? p1.state.fds[this.fd] : undefined;
    if (!wait && e !== undefined && e.kind === KIND_INPUT) {
      if (!e.input!.readable(0)) return EMPTY;
      got = e.input!.read(p1.u8, DATA, n, 0);
    } else got = p1.transfer(this.fd, p1.u8, DATA, n, this.offset, false);
    if (got < 0) throw streamError(-got);
    if (got === 0) {
      this.done = true;
      throw CLOSED();
    }
    if (this.offset !== null) this.offset += BigInt(got);
    return p1.u8.subarray(DATA, DATA + got);
  }

  read(len: bigint): Uint8Array | FillBytes {
    return this.fromFile(len) ?? this.take(len, false);
  }
  blockingRead(len: bigint): Uint8Array | FillBytes {
    return this.fromFile(len) ?? this.take(len, true);
  }

  /**
   * A read of a regular file at the stream's offset, as bytes the lowering reads straight into the
   * guest's memory once it allocated them (`FillBytes`: no copy through scratch memory). Undefined
   * where `take` must answer: not a readable file, at its end, or a length of 0, and a file outside
   * the process (`writeBehind`: its size is a system call too, which costs more than copying a read
   * of 64 KiB out of scratch memory; measured on the 16 MiB host-directory bench row). The byte count
   * comes from the file's size; should the file shrink before the read (another process), the list is
   * shorter, and should the read itself fail then, it is empty and the next read gives the error.
   */
  private fromFile(len: bigint): FillBytes | undefined {
    const offset = this.offset;
    if (offset === null || this.done || this.lateErrno !== 0) return undefined;
    const p1 = this.p1;
    p1.flushGathered();
    const state = p1.state;
    const e = state.fds[this.fd];
    if (e === undefined || e.kind !== KIND_FILE || e.file!.writeBehind === true || (e.rightsBase & READ_RIGHTS) !== READ_RIGHTS || offset > MAX_READ_AT) return undefined;
    const size = e.file!.size();
    const at = Number(offset);
    const want = len > BigInt(FILL_MAX) ? FILL_MAX : Number(len);
    const n = size - at < want ? size - at : want;
    if (n <= 0) return undefined;
    return new FillBytes(n, (dst, to) => {
      const got = transferBytes(state, this.fd, dst, to, n, offset, false);
      if (got < 0) {
        this.lateErrno = -got;
        return 0;
      }
      this.offset = offset + BigInt(got);
      return got;
    });
  }
  /** The errno of a read that failed after its bytes were allocated, for the next read; 0 if none. */
  private lateErrno = 0;
  /** Reads up to `len` bytes as a view of scratch memory (valid until the next call; see `take`). */
  bytes(len: bigint, wait: boolean): Uint8Array {
    return this.take(len, wait);
  }
  skip(len: bigint): bigint {
    return BigInt(this.take(len, false).length);
  }
  blockingSkip(len: bigint): bigint {
    return BigInt(this.take(len, true).length);
  }
  subscribe(): Pollable {
    const e = this.offset === null ? this.p1.state.fds[this.fd] : undefined;
    return e !== undefined && e.kind === KIND_INPUT ? new Pollable(this.p1, 0n, STDIN, this.fd) : new Pollable(this.p1, 0n);
  }
}

/** How much `check-write` permits at once. */
const WRITE_BUDGET = 1 << 20;
/** `OutputStream` positions that are not file offsets. */
const SEQUENTIAL = -1;
const APPEND = -2;
/** The largest file position a write can use (larger ones fail with EINVAL). */
const MAX_POS = BigInt(Number.MAX_SAFE_INTEGER) + 1n;

/** `wasi:io/streams.output-stream` over preview1 descriptor `fd`. */
export class OutputStream implements Gatherer {
  /** The file position of the next write, or `SEQUENTIAL` (`fd_write`) or `APPEND` (at the end). */
  private pos: number;
  /** The errno of a gathered write that failed late (see preview1.ts), for the next operation; 0 if none. */
  private lateErrno = 0;
  /** Dropped: a late failure has no next operation to go to, so the run reports it (`Preview1.lost`). */
  private dropped = false;
  constructor(
    private readonly p1: Preview1,
    private readonly fd: number,
    /** The file offset of the next write; null to write sequentially (`fd_write`); -1n to append. */
    offset: bigint | null,
  ) {
    // An offset past 2^53 stays past it (each write then fails with EINVAL, as fd_pwrite would).
    this.pos = offset === null ? SEQUENTIAL : offset === -1n ? APPEND : offset > MAX_POS ? Number(MAX_POS) : Number(offset);
  }

  failed(errno: number): void {
    if (this.dropped) this.p1.lose(errno);
    else this.lateErrno = errno;
  }

  /** Throws the error of a late write, once. */
  private late(): void {
    const errno = this.lateErrno;
    this.lateErrno = 0;
    throw streamError(errno);
  }

  /** The bytes a write may take now: the room left in a pipe capture, else the budget. */
  private permit(): number {
    const e = this.pos === SEQUENTIAL ? this.p1.state.fds[this.fd] : undefined;
    if (e === undefined || e.kind !== KIND_OUTPUT) return WRITE_BUDGET;
    const room = e.output!.room();
    if (room === 0) throw streamError(51 /* ENOSPC */);
    return room < WRITE_BUDGET ? room : WRITE_BUDGET;
  }

  checkWrite(): bigint {
    if (this.lateErrno !== 0) this.late();
    return BigInt(this.permit());
  }
  write(contents: Uint8Array): void {
    if (this.lateErrno !== 0) this.late();
    const p1 = this.p1;
    let pos = this.pos;
    if (pos >= 0 && p1.gather(this, this.fd, pos, contents)) {
      this.pos = pos + contents.length;
      return;
    }
    // Writing gathered bytes may just have failed: this write fails with their error.
    if (this.lateErrno !== 0) this.late();
    const len = contents.length;
    let done = 0;
    while (done < len) {
      let at: bigint | null = null;
      if (pos === APPEND) {
        const errno = p1.c.fd_filestat_get(this.fd, 0);
        if (errno !== 0) throw streamError(errno);
        at = p1.u64(32);
      } else if (pos >= 0) at = BigInt(pos);
      const n = p1.transfer(this.fd, contents, done, len - done, at, true);
      if (n < 0) throw streamError(-n);
      if (n === 0) throw streamError(29 /* EIO */);
      done += n;
      if (pos >= 0) this.pos = pos += n;
    }
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {
    this.p1.flushOf(this);
    if (this.lateErrno !== 0) this.late();
  }
  blockingFlush(): void {
    this.flush();
  }
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len > BigInt(WRITE_BUDGET) ? BigInt(WRITE_BUDGET) : len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: InputStream, len: bigint): bigint {
    const bytes = src.bytes(len > BigInt(WRITE_BUDGET) ? BigInt(WRITE_BUDGET) : len, false);
    this.write(bytes);
    return BigInt(bytes.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    const bytes = src.bytes(len > BigInt(WRITE_BUDGET) ? BigInt(WRITE_BUDGET) : len, true);
    this.write(bytes);
    return BigInt(bytes.length);
  }
  [Symbol.dispose](): void {
    this.dropped = true;
    this.p1.flushOf(this);
  }
  subscribe(): Pollable {
    // A pipe capture's room only grows when the host clears it: ready either way (check-write then
    // permits bytes or reports the full pipe), so a waiting guest never hangs.
    return new Pollable(this.p1, 0n);
  }
}

/** The `wasi:io/*` interfaces, keyed by interface name without package and version. */
export function ioInterfaces(p1: Preview1): Record<string, Record<string, unknown>> {
  return {
    error: { Error: IoError },
    poll: { Pollable, poll: (list: Pollable[]) => poll(p1, list) },
    streams: { InputStream, OutputStream },
  };
}
