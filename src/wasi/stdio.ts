/**
 * Standard streams for WASI: stdin from a string, bytes or a callback; stdout/stderr to the host's
 * streams (`"inherit"`), a capture buffer (`"pipe"`), a callback, or nowhere (`"ignore"`).
 *
 * Output keeps order and loses nothing: each `fd_write` reaches the sink before the call returns. A
 * host stream or callback gets the iovecs of one `fd_write` as one chunk when they total at most 64 KiB
 * (libc writes its buffer and the rest as two), so one guest write is one host write.
 * The capture buffer grows by doubling, so piping output allocates nothing per write once warm. It
 * holds at most `pipeCapacity` bytes (default `DEFAULT_PIPE_CAPACITY`, 64 MiB): a write that finds it
 * full fails with `ENOSPC` (one that only partly fits is a short write), like a full disk, so a guest
 * can never make the host hold more. `clear()` makes room again.
 *
 * @module
 */
import { WasiError } from "../errors.js";
import { ERRNO, FILETYPE } from "./defs.js";

/**
 * Where stdin comes from: text (UTF-8), bytes, or a callback asked for up to `max` bytes (`null` or
 * nothing = end). `waitMs` is how long the callback may block: `Infinity` unless the store running the
 * guest has a deadline; a callback that waits for input should return `null` once `waitMs` has passed
 * (the guest then gets the `"interrupt"` trap if the deadline was reached, end of input otherwise).
 */
export type StdinOption = string | Uint8Array | ((max: number, waitMs: number) => Uint8Array | string | null);
/**
 * Where stdout or stderr goes. `"inherit"`: the host process's stream (Node) or the console (browser);
 * `"pipe"`: captured, read with `stdoutText()`/`stdoutBytes()`; `"ignore"`: dropped; a callback receives
 * a copy of each written chunk.
 */
export type OutputOption = "inherit" | "pipe" | "ignore" | ((bytes: Uint8Array) => void);

const enc = new TextEncoder();

/** The default most bytes a `"pipe"` capture holds: 64 MiB. */
export const DEFAULT_PIPE_CAPACITY = 64 << 20;

type HostStream = { write(b: Uint8Array): unknown; isTTY?: boolean };
function hostStream(fd: 1 | 2): HostStream | undefined {
  const p = (globalThis as { process?: { stdout?: HostStream; stderr?: HostStream } }).process;
  return fd === 1 ? p?.stdout : p?.stderr;
}

/** An input stream (stdin). */
export class InputStream {
  private data: Uint8Array;
  private pos = 0;
  private done = false;
  private readonly pull: ((max: number, waitMs: number) => Uint8Array | string | null) | undefined;

  constructor(option: StdinOption | undefined) {
    if (option === undefined) {
      this.data = new Uint8Array(0);
      this.pull = undefined;
    } else if (typeof option === "string") {
      this.data = enc.encode(option);
      this.pull = undefined;
    } else if (option instanceof Uint8Array) {
      this.data = option;
      this.pull = undefined;
    } else if (typeof option === "function") {
      this.data = new Uint8Array(0);
      this.pull = option;
    } else throw new WasiError("stdin must be a string, a Uint8Array or a function");
  }

  /** The file type reported to the guest: not a terminal. */
  readonly filetype: number = FILETYPE.UNKNOWN;

  /** Marks the end of input. */
  end(): void {
    this.done = true;
  }

  /** Bytes available without blocking (for poll_oneoff); a callback source counts as 1 until it ends. */
  available(): number {
    const left = this.data.length - this.pos;
    return left > 0 ? left : this.pull !== undefined && !this.done ? 1 : 0;
  }

  /**
   * Whether a read would return at once: bytes are buffered, or the input ended (a string or bytes
   * source always is ready). A callback source is asked for input, waiting at most `waitMs`, and what
   * it gives is kept for the next read; nothing within a wait that was not used up is the end of input
   * (a callback returns at once at its end), nothing after a zero or used-up wait decides nothing.
   */
  readable(waitMs: number): boolean {
    if (this.pos < this.data.length || this.pull === undefined || this.done) return true;
    const start = performance.now();
    const got = this.pull(1 << 16, waitMs);
    const data = got === null || got === undefined ? undefined : typeof got === "string" ? enc.encode(got) : got;
    if (data === undefined || data.length === 0) {
      if (waitMs === Infinity || performance.now() - start < waitMs) this.done = true;
      return this.done;
    }
    this.data = data;
    this.pos = 0;
    return true;
  }

  /**
   * Reads into `buf[off..off+len]`; returns the count, 0 at end of input. With a finite `waitMs`, a
   * callback that gives nothing may have timed out rather than ended: then -1 (and the stream stays
   * open); `end()` closes it when the caller decides it was the end.
   */
  read(buf: Uint8Array, off: number, len: number, waitMs = Infinity): number {
    if (this.pos >= this.data.length) {
      if (this.pull === undefined || this.done) return 0;
      const got = this.pull(len, waitMs);
      const data = got === null || got === undefined ? undefined : typeof got === "string" ? enc.encode(got) : got;
      if (data === undefined || data.length === 0) {
        if (waitMs !== Infinity) return -1;
        this.done = true;
        return 0;
      }
      this.data = data;
      this.pos = 0;
    }
    const n = Math.min(len, this.data.length - this.pos);
    buf.set(this.data.subarray(this.pos, this.pos + n), off);
    this.pos += n;
    return n;
  }
}

/** An output stream (stdout, stderr). */
export class OutputStream {
  private cap = new Uint8Array(0);
  private len = 0;
  private readonly mode: 0 | 1 | 2 | 3; // 0 ignore, 1 pipe, 2 host, 3 callback
  private readonly host: HostStream | undefined;
  private readonly cb: ((bytes: Uint8Array) => void) | undefined;
  private pendingText = "";
  /** The file type reported to the guest: a character device only for a host terminal. */
  readonly filetype: number;

  /** The most bytes a `"pipe"` capture holds. */
  private readonly capacity: number;

  constructor(option: OutputOption | undefined, fd: 1 | 2, capacity = DEFAULT_PIPE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new WasiError(`pipeCapacity must be a non-negative integer, got ${String(capacity)}`);
    this.capacity = capacity;
    this.cb = undefined;
    this.host = undefined;
    if (option === undefined || option === "ignore") this.mode = 0;
    else if (option === "pipe") this.mode = 1;
    else if (option === "inherit") {
      this.mode = 2;
      this.host = hostStream(fd);
    } else if (typeof option === "function") {
      this.mode = 3;
      this.cb = option;
    } else throw new WasiError(`stdout/stderr must be "inherit", "pipe", "ignore" or a function`);
    this.filetype = this.mode === 2 && this.host?.isTTY === true ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN;
  }

  /** How many more bytes a write takes now: the room left in a `"pipe"` capture, else unbounded. */
  room(): number {
    return this.mode === 1 ? this.capacity - this.len : Infinity;
  }

  /** Whether the guest should see a terminal (libc then line-buffers). */
  get isTerminal(): boolean {
    return this.filetype === FILETYPE.CHARACTER_DEVICE;
  }

  /**
   * Writes `buf[off..off+len]`; returns the bytes taken (fewer when a pipe capture fills up), or
   * `-ERRNO.NOSPC` when it is full.
   */
  write(buf: Uint8Array, off: number, len: number): number {
    switch (this.mode) {
      case 0:
        return len;
      case 1: {
        const room = this.capacity - this.len;
        if (len > room) {
          if (room === 0) return -ERRNO.NOSPC;
          len = room;
        }
        const end = this.len + len;
        if (end > this.cap.length) {
          const next = new Uint8Array(Math.min(Math.max(end, this.cap.length * 2, 4096), this.capacity));
          next.set(this.cap.subarray(0, this.len));
          this.cap = next;
        }
        if (len < 64) for (let i = 0; i < len; i++) this.cap[this.len + i] = buf[off + i]!;
        else this.cap.set(buf.subarray(off, off + len), this.len);
        this.len = end;
        return len;
      }
      case 2: {
        const copy = buf.slice(off, off + len);
        if (this.host !== undefined) this.host.write(copy);
        else this.console(copy);
        return len;
      }
      default:
        this.cb!(buf.slice(off, off + len));
        return len;
    }
  }

  /**
   * Whether the sink takes whole chunks (a host stream or a callback): `fd_write` then hands it the
   * iovecs of one call as one chunk (`writeChunk`), so that one guest write is one host write.
   */
  get takesChunks(): boolean {
    return this.mode >= 2;
  }

  /** Hands `chunk` (a fresh copy the sink may keep) to a host stream or callback; returns its length. */
  writeChunk(chunk: Uint8Array): number {
    if (this.mode === 3) this.cb!(chunk);
    else if (this.mode === 2) {
      if (this.host !== undefined) this.host.write(chunk);
      else this.console(chunk);
    } else return this.write(chunk, 0, chunk.length);
    return chunk.length;
  }

  private console(bytes: Uint8Array): void {
    const text = this.pendingText + new TextDecoder().decode(bytes);
    const nl = text.lastIndexOf("\n");
    if (nl < 0) {
      this.pendingText = text;
      return;
    }
    console.log(text.slice(0, nl));
    this.pendingText = text.slice(nl + 1);
  }

  /** The captured bytes (a copy); empty unless the mode is `"pipe"`. */
  bytes(): Uint8Array {
    return this.cap.slice(0, this.len);
  }

  /** The captured output decoded as UTF-8. */
  text(): string {
    return new TextDecoder().decode(this.cap.subarray(0, this.len));
  }

  /** Forgets captured output. */
  clear(): void {
    this.len = 0;
  }

  /** Emits a partial last line held for the browser console. */
  flush(): void {
    if (this.pendingText) {
      console.log(this.pendingText);
      this.pendingText = "";
    }
  }
}
