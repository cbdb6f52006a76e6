/**
 * `Memory`: a linear memory and bounds-checked helpers to read and write it.
 *
 * @module
 */
import type { MemoryType } from "../types.js";
import { Store } from "./store.js";
import { checkArg, checkObject, describeValue } from "./values.js";

const PAGE = 65536;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/**
 * A linear memory: created by the host (`new Memory(store, type)`) or exported by an instance.
 *
 * Every helper is bounds-checked and throws a `RangeError` naming the address and the memory's size.
 * Numbers are little-endian. The helpers always see the current buffer, so they stay correct after the
 * memory grows, whether wasm or the host grew it; `view()` results and `buffer` do not survive a grow.
 */
export class Memory {
  /** The store the memory belongs to. */
  readonly store: Store;
  /** The engine's memory object. */
  readonly native: WebAssembly.Memory;
  private readonly declared: MemoryType;
  private buf: ArrayBuffer | SharedArrayBuffer;
  private u8: Uint8Array;
  private dv: DataView;

  /**
   * Creates a memory of `type` (sizes in 64 KiB pages) in `store`. When the store limits memory size
   * (`limits.memorySize`), the memory's maximum is at most that many bytes.
   *
   * @throws RangeError when the limits are invalid (min > max, more than 65536 pages), the initial size
   *   is over the store's limit, or the memory cannot be allocated.
   */
  constructor(store: Store, type: Partial<MemoryType> & { min: number }, native?: WebAssembly.Memory) {
    checkArg(store, Store, "new Memory", "store");
    checkObject(type, "new Memory", "type");
    const shared = type.shared ?? false;
    const memory64 = type.memory64 ?? false;
    if (native === undefined) {
      if (!Number.isInteger(type.min) || type.min < 0) throw new RangeError(`new Memory: min must be a non-negative integer, got ${describeValue(type.min)}`);
      if (type.max !== undefined && (!Number.isInteger(type.max) || type.max < type.min)) {
        throw new RangeError(`new Memory: max (${String(type.max)}) must be an integer >= min (${type.min})`);
      }
      if (shared && type.max === undefined) throw new RangeError("new Memory: a shared memory needs a max");
      if (memory64) throw new RangeError("new Memory: 64-bit memories are not supported by this engine");
      const limit = store.limits.memorySize;
      if (limit !== undefined && limit !== Infinity) {
        const pages = Math.floor(limit / PAGE);
        if (type.min > pages) {
          throw new RangeError(`new Memory: ${type.min} pages (${type.min * PAGE} bytes) is over the store's memory limit of ${limit} bytes (${pages} pages)`);
        }
        if (type.max === undefined || type.max > pages) type = { ...type, max: pages };
      }
      native = new WebAssembly.Memory({
        initial: type.min,
        ...(type.max !== undefined ? { maximum: type.max } : {}),
        ...(shared ? { shared: true } : {}),
      });
    }
    this.store = store;
    this.native = native;
    this.declared = { min: type.min, ...(type.max !== undefined ? { max: type.max } : {}), shared, memory64 };
    this.buf = native.buffer;
    this.u8 = new Uint8Array(this.buf);
    this.dv = new DataView(this.buf);
  }

  /** The memory's type, with `min` its current size in pages. */
  get type(): MemoryType {
    const d = this.declared;
    return { min: this.size, ...(d.max !== undefined ? { max: d.max } : {}), shared: d.shared, memory64: d.memory64 };
  }

  /** The current size in pages. */
  get size(): number {
    return this.native.buffer.byteLength / PAGE;
  }

  /** The current size in bytes. */
  get byteLength(): number {
    return this.native.buffer.byteLength;
  }

  /** The current buffer. A grow replaces it: don't keep it across calls that may grow the memory. */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.native.buffer;
  }

  /**
   * Grows the memory by `deltaPages` pages and returns the previous size in pages.
   *
   * @throws RangeError when the memory cannot grow that much (its max, or the engine's limit).
   */
  grow(deltaPages: number): number {
    if (typeof deltaPages !== "number") throw new TypeError(`Memory.grow: deltaPages must be a number, got ${describeValue(deltaPages)}`);
    if (!Number.isInteger(deltaPages) || deltaPages < 0) throw new RangeError(`Memory.grow: delta must be a non-negative integer, got ${describeValue(deltaPages)}`);
    const before = this.size;
    const max = this.declared.max ?? 65536;
    if (before + deltaPages > max) {
      throw new RangeError(`Memory.grow: cannot grow from ${before} by ${deltaPages} pages past the maximum of ${max} pages`);
    }
    try {
      return this.native.grow(deltaPages);
    } catch (e) {
      throw new RangeError(`Memory.grow: cannot grow from ${before} by ${deltaPages} pages: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Refreshes the cached views when the buffer changed (after a grow). */
  private sync(): void {
    const b = this.native.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
    }
  }

  private check(addr: number, len: number, what: string): void {
    if (typeof addr !== "number") throw new TypeError(`Memory.${what}: addr must be a number, got ${describeValue(addr)}`);
    if (typeof len !== "number") throw new TypeError(`Memory.${what}: len must be a number, got ${describeValue(len)}`);
    this.sync();
    if (!(addr >= 0 && len >= 0 && addr + len <= this.u8.length) || !Number.isInteger(addr) || !Number.isInteger(len)) {
      throw outOfBounds(addr, len, this.u8.length, what);
    }
  }

  /** A copy of `len` bytes at `addr`. */
  read(addr: number, len: number): Uint8Array {
    this.check(addr, len, "read");
    return this.u8.slice(addr, addr + len);
  }

  /** A view (no copy) of `len` bytes at `addr`, valid until the memory grows. */
  view(addr: number, len: number): Uint8Array {
    this.check(addr, len, "view");
    return this.u8.subarray(addr, addr + len);
  }

  /** Copies `bytes` into memory at `addr`. */
  write(addr: number, bytes: Uint8Array | ArrayLike<number>): void {
    if (bytes === null || typeof bytes !== "object" || typeof bytes.length !== "number") {
      throw new TypeError(`Memory.write: bytes must be a Uint8Array or an array of numbers, got ${describeValue(bytes)}`);
    }
    this.check(addr, bytes.length, "write");
    this.u8.set(bytes, addr);
  }

  /** Decodes `len` bytes at `addr` as UTF-8 (invalid sequences become U+FFFD). */
  readString(addr: number, len: number): string {
    this.check(addr, len, "readString");
    // TextDecoder cannot read a view of a SharedArrayBuffer: copy in that case.
    const bytes = this.u8.subarray(addr, addr + len);
    return utf8Decoder.decode(this.declared.shared ? bytes.slice() : bytes);
  }

  /** Encodes `text` as UTF-8 at `addr` and returns the number of bytes written. */
  writeString(addr: number, text: string): number {
    this.sync();
    if (typeof addr !== "number") throw new TypeError(`Memory.writeString: addr must be a number, got ${describeValue(addr)}`);
    if (typeof text !== "string") throw new TypeError(`Memory.writeString: text must be a string, got ${describeValue(text)}`);
    if (!(addr >= 0 && addr <= this.u8.length) || !Number.isInteger(addr)) throw outOfBounds(addr, 0, this.u8.length, "writeString");
    if (text.length * 3 <= this.u8.length - addr && !this.declared.shared) {
      return utf8Encoder.encodeInto(text, this.u8.subarray(addr)).written;
    }
    const bytes = utf8Encoder.encode(text);
    this.write(addr, bytes);
    return bytes.length;
  }

  /** Reads a little-endian i32. */
  getI32(addr: number): number {
    this.check(addr, 4, "getI32");
    return this.dv.getInt32(addr, true);
  }
  /** Writes a little-endian i32 (any number; it is wrapped to 32 bits). */
  setI32(addr: number, value: number): void {
    this.check(addr, 4, "setI32");
    this.dv.setInt32(addr, value, true);
  }
  /** Reads a little-endian i64. */
  getI64(addr: number): bigint {
    this.check(addr, 8, "getI64");
    return this.dv.getBigInt64(addr, true);
  }
  /** Writes a little-endian i64. */
  setI64(addr: number, value: bigint): void {
    this.check(addr, 8, "setI64");
    if (typeof value !== "bigint") throw new TypeError(`Memory.setI64: expected a bigint, got ${describeValue(value)}`);
    this.dv.setBigInt64(addr, value, true);
  }
  /** Reads a little-endian f32. */
  getF32(addr: number): number {
    this.check(addr, 4, "getF32");
    return this.dv.getFloat32(addr, true);
  }
  /** Writes a little-endian f32. */
  setF32(addr: number, value: number): void {
    this.check(addr, 4, "setF32");
    this.dv.setFloat32(addr, value, true);
  }
  /** Reads a little-endian f64. */
  getF64(addr: number): number {
    this.check(addr, 8, "getF64");
    return this.dv.getFloat64(addr, true);
  }
  /** Writes a little-endian f64. */
  setF64(addr: number, value: number): void {
    this.check(addr, 8, "setF64");
    this.dv.setFloat64(addr, value, true);
  }
}

function outOfBounds(addr: number, len: number, size: number, what: string): RangeError {
  const a = typeof addr === "number" && Number.isInteger(addr) && addr >= 0 ? `0x${addr.toString(16)}` : describeValue(addr);
  return new RangeError(`Memory.${what}: address ${a} + ${String(len)} bytes is out of bounds of memory of ${size} bytes`);
}
