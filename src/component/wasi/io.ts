/**
 * `wasi:io` (error, poll, streams) over preview1 descriptors.
 *
 * A stream reads or writes one preview1 descriptor: stdin/stdout/stderr sequentially (`fd_read`,
 * `fd_write`), a file at its own offset (`fd_pread`, `fd_pwrite`), so several streams of one file do
 * not disturb each other, as WASI 0.2 specifies. Streams are always ready: reads and writes complete
 * (or fail) at once, stdin waits as preview1's `fd_read` does (bounded by the store's deadline).
 * Timers are the only pollables that wait; `poll` sleeps until the earliest of them, never past the
 * deadline.
 *
 * @module
 */
import { ComponentError } from "../runtime/errors.js";
import { DATA, errorCode, type Preview1 } from "./preview1.js";

/** `wasi:io/error.error`: carries the filesystem error code of a failed stream operation. */
export class IoError {
  constructor(readonly code: string) {}
  toDebugString(): string {
    return this.code;
  }
}

/** `wasi:io/poll.pollable`: ready at once, or at a monotonic-clock instant. */
export class Pollable {
  constructor(
    private readonly p1: Preview1,
    /** Monotonic nanoseconds at which it is ready; 0n: ready now. */
    readonly readyAt: bigint,
  ) {}
  ready(): boolean {
    return this.readyAt === 0n || this.p1.state.nowNs(1) >= this.readyAt;
  }
  block(): void {
    poll(this.p1, [this]);
  }
}

/** `wasi:io/poll.poll`: the indices of the ready pollables, waiting for at least one. */
export function poll(p1: Preview1, list: readonly Pollable[]): Uint32Array {
  if (list.length === 0) throw new ComponentError(undefined, "poll: the list of pollables is empty");
  for (;;) {
    const ready: number[] = [];
    let earliest = -1n;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.ready()) ready.push(i);
      else if (earliest < 0n || p.readyAt < earliest) earliest = p.readyAt;
    }
    if (ready.length > 0) return Uint32Array.from(ready);
    const now = p1.state.nowNs(1);
    p1.state.sleepWithin(earliest > now ? earliest - now : 0n);
  }
}

/** A `stream-error` for errno `errno` (end of stream for `EPIPE`). */
function streamError(errno: number): ComponentError {
  if (errno === 64 /* EPIPE */) return new ComponentError({ tag: "closed" });
  return new ComponentError({ tag: "last-operation-failed", val: new IoError(errorCode(errno)) });
}

const CLOSED = (): ComponentError => new ComponentError({ tag: "closed" });

/** `wasi:io/streams.input-stream` over preview1 descriptor `fd`. */
export class InputStream {
  private done = false;
  constructor(
    private readonly p1: Preview1,
    private readonly fd: number,
    /** The file offset of the next read, or null to read sequentially (`fd_read`). */
    private offset: bigint | null,
  ) {}

  read(len: bigint): Uint8Array {
    if (this.done) throw CLOSED();
    const n = Number(len > 0x7ffff000n ? 0x7ffff000n : len);
    if (n === 0) return new Uint8Array(0);
    const p1 = this.p1;
    p1.reserve(n);
    const iov = p1.iovec(n);
    const errno = this.offset === null ? p1.fn("fd_read")(this.fd, iov, 1, 8) : p1.fn("fd_pread")(this.fd, iov, 1, this.offset, 8);
    if (errno !== 0) throw streamError(errno);
    const got = p1.u32(8);
    if (got === 0) {
      this.done = true;
      throw CLOSED();
    }
    if (this.offset !== null) this.offset += BigInt(got);
    return p1.u8.slice(DATA, DATA + got);
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return new Pollable(this.p1, 0n);
  }
}

/** How much `check-write` permits at once. */
const WRITE_BUDGET = 1n << 20n;

/** `wasi:io/streams.output-stream` over preview1 descriptor `fd`. */
export class OutputStream {
  constructor(
    private readonly p1: Preview1,
    private readonly fd: number,
    /** The file offset of the next write; null to write sequentially (`fd_write`); -1n to append. */
    private offset: bigint | null,
  ) {}

  checkWrite(): bigint {
    return WRITE_BUDGET;
  }
  write(contents: Uint8Array): void {
    const p1 = this.p1;
    p1.putBytes(contents);
    let done = 0;
    while (done < contents.length) {
      let at = this.offset;
      if (at === -1n) {
        const errno = p1.fn("fd_filestat_get")(this.fd, 0);
        if (errno !== 0) throw streamError(errno);
        at = p1.u64(32);
      }
      p1.dv.setUint32(0, DATA + done, true);
      p1.dv.setUint32(4, contents.length - done, true);
      const errno = at === null ? p1.fn("fd_write")(this.fd, 0, 1, 8) : p1.fn("fd_pwrite")(this.fd, 0, 1, at, 8);
      if (errno !== 0) throw streamError(errno);
      const n = p1.u32(8);
      if (n === 0) throw streamError(29 /* EIO */);
      done += n;
      if (this.offset !== null && this.offset !== -1n) this.offset += BigInt(n);
    }
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len > WRITE_BUDGET ? WRITE_BUDGET : len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: InputStream, len: bigint): bigint {
    const bytes = src.read(len > WRITE_BUDGET ? WRITE_BUDGET : len);
    this.write(bytes);
    return BigInt(bytes.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }
  subscribe(): Pollable {
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
