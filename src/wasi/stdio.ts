/**
 * Standard streams for WASI: stdin from a string, bytes or a callback; stdout/stderr to the host's
 * streams (`"inherit"`), a capture buffer (`"pipe"`), a callback, or nowhere (`"ignore"`).
 *
 * Output keeps order and loses nothing: each `fd_write` reaches the sink before the call returns.
 * The capture buffer grows by doubling, so piping output allocates nothing per write once warm.
 *
 * @module
 */
import { WasiError } from "../errors.js";
import { FILETYPE } from "./defs.js";

/** Where stdin comes from: text (UTF-8), bytes, or a callback asked for up to `max` bytes (`null` = end). */
export type StdinOption = string | Uint8Array | ((max: number) => Uint8Array | string | null);
/**
 * Where stdout or stderr goes. `"inherit"`: the host process's stream (Node) or the console (browser);
 * `"pipe"`: captured, read with `stdoutText()`/`stdoutBytes()`; `"ignore"`: dropped; a callback receives
 * a copy of each written chunk.
 */
export type OutputOption = "inherit" | "pipe" | "ignore" | ((bytes: Uint8Array) => void);

const enc = new TextEncoder();

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
  private readonly pull: ((max: number) => Uint8Array | string | null) | undefined;

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

  /** Bytes available without blocking (for poll_oneoff); a callback source counts as 1 until it ends. */
  available(): number {
    const left = this.data.length - this.pos;
    return left > 0 ? left : this.pull !== undefined && !this.done ? 1 : 0;
  }

  /** Reads into `buf[off..off+len]`; returns the count, 0 at end of input. */
  read(buf: Uint8Array, off: number, len: number): number {
    if (this.pos >= this.data.length) {
      if (this.pull === undefined || this.done) return 0;
      const got = this.pull(len);
      if (got === null || got === undefined) {
        this.done = true;
        return 0;
      }
      this.data = typeof got === "string" ? enc.encode(got) : got;
      this.pos = 0;
      if (this.data.length === 0) {
        this.done = true;
        return 0;
      }
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

  constructor(option: OutputOption | undefined, fd: 1 | 2) {
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

  /** Whether the guest should see a terminal (libc then line-buffers). */
  get isTerminal(): boolean {
    return this.filetype === FILETYPE.CHARACTER_DEVICE;
  }

  /** Writes `buf[off..off+len]`. */
  write(buf: Uint8Array, off: number, len: number): void {
    switch (this.mode) {
      case 0:
        return;
      case 1: {
        const end = this.len + len;
        if (end > this.cap.length) {
          const next = new Uint8Array(Math.max(end, this.cap.length * 2, 4096));
          next.set(this.cap.subarray(0, this.len));
          this.cap = next;
        }
        if (len < 64) for (let i = 0; i < len; i++) this.cap[this.len + i] = buf[off + i]!;
        else this.cap.set(buf.subarray(off, off + len), this.len);
        this.len = end;
        return;
      }
      case 2: {
        const copy = buf.slice(off, off + len);
        if (this.host !== undefined) this.host.write(copy);
        else this.console(copy);
        return;
      }
      case 3:
        this.cb!(buf.slice(off, off + len));
        return;
    }
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
