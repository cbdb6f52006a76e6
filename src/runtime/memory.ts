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
      const limit = store.limits.memorySize;
      if (limit !== undefined && limit !== Infinity) {
        const pages = Math.floor(limit / PAGE);
        if (type.min > pages) {
          throw new RangeError(`new Memory: ${type.min} pages (${type.min * PAGE} bytes) is over the store's memory limit of ${limit} bytes (${pages} pages)`);
        }
        if (type.max === undefined || type.max > pages) type = { ...type, max: pages };
      }
      native = memory64 ? newMemory64(type.min, type.max, shared) : new WebAssembly.Memory({
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
   * Grows the memory by `deltaPages` pages (a number, or a bigint for a 64-bit memory) and returns
   * the previous size in pages.
   *
   * @throws RangeError when the memory cannot grow that much (its max, or the engine's limit).
   */
  grow(deltaPages: number | bigint): number {
    if (typeof deltaPages === "bigint") deltaPages = Number(deltaPages);
    if (typeof deltaPages !== "number") throw new TypeError(`Memory.grow: deltaPages must be a number or bigint, got ${describeValue(deltaPages)}`);
    if (!Number.isInteger(deltaPages) || deltaPages < 0) throw new RangeError(`Memory.grow: delta must be a non-negative integer, got ${describeValue(deltaPages)}`);
    const before = this.size;
    const max = this.declared.max ?? (this.declared.memory64 ? 2 ** 48 : 65536);
    if (before + deltaPages > max) {
      throw new RangeError(`Memory.grow: cannot grow from ${before} by ${deltaPages} pages past the maximum of ${max} pages`);
    }
    try {
      return this.declared.memory64 ? growMemory64(this.native, deltaPages) : this.native.grow(deltaPages);
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

  /** Checks `[addr, addr + len)` against the memory and returns `addr` as a number. */
  private check(addr: Address, len: Address, what: string): number {
    if (typeof addr !== "number") addr = toNumber(addr, what, "addr");
    if (typeof len !== "number") len = toNumber(len, what, "len");
    this.sync();
    if (!(addr >= 0 && len >= 0 && addr + len <= this.u8.length) || !Number.isInteger(addr) || !Number.isInteger(len)) {
      throw outOfBounds(addr, len, this.u8.length, what);
    }
    return addr;
  }

  /** A copy of `len` bytes at `addr`. */
  read(addr: Address, len: Address): Uint8Array {
    const at = this.check(addr, len, "read");
    return this.u8.slice(at, at + Number(len));
  }

  /** A view (no copy) of `len` bytes at `addr`, valid until the memory grows. */
  view(addr: Address, len: Address): Uint8Array {
    const at = this.check(addr, len, "view");
    return this.u8.subarray(at, at + Number(len));
  }

  /** Copies `bytes` into memory at `addr`. */
  write(addr: Address, bytes: Uint8Array | ArrayLike<number>): void {
    if (bytes === null || typeof bytes !== "object" || typeof bytes.length !== "number") {
      throw new TypeError(`Memory.write: bytes must be a Uint8Array or an array of numbers, got ${describeValue(bytes)}`);
    }
    const at = this.check(addr, bytes.length, "write");
    this.u8.set(bytes, at);
  }

  /** Decodes `len` bytes at `addr` as UTF-8 (invalid sequences become U+FFFD). */
  readString(addr: Address, len: Address): string {
    const at = this.check(addr, len, "readString");
    // TextDecoder cannot read a view of a SharedArrayBuffer: copy in that case.
    const bytes = this.u8.subarray(at, at + Number(len));
    return utf8Decoder.decode(this.declared.shared ? bytes.slice() : bytes);
  }

  /** Encodes `text` as UTF-8 at `addr` and returns the number of bytes written. */
  writeString(addr: Address, text: string): number {
    this.sync();
    if (typeof addr !== "number") addr = toNumber(addr, "writeString", "addr");
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
  getI32(addr: Address): number {
    const at = this.check(addr, 4, "getI32");
    return this.dv.getInt32(at, true);
  }
  /** Writes a little-endian i32 (any number; it is wrapped to 32 bits). */
  setI32(addr: Address, value: number): void {
    const at = this.check(addr, 4, "setI32");
    this.dv.setInt32(at, value, true);
  }
  /** Reads a little-endian i64. */
  getI64(addr: Address): bigint {
    const at = this.check(addr, 8, "getI64");
    return this.dv.getBigInt64(at, true);
  }
  /** Writes a little-endian i64. */
  setI64(addr: Address, value: bigint): void {
    const at = this.check(addr, 8, "setI64");
    if (typeof value !== "bigint") throw new TypeError(`Memory.setI64: expected a bigint, got ${describeValue(value)}`);
    this.dv.setBigInt64(at, value, true);
  }
  /** Reads a little-endian f32. */
  getF32(addr: Address): number {
    const at = this.check(addr, 4, "getF32");
    return this.dv.getFloat32(at, true);
  }
  /** Writes a little-endian f32. */
  setF32(addr: Address, value: number): void {
    const at = this.check(addr, 4, "setF32");
    this.dv.setFloat32(at, value, true);
  }
  /** Reads a little-endian f64. */
  getF64(addr: Address): number {
    const at = this.check(addr, 8, "getF64");
    return this.dv.getFloat64(at, true);
  }
  /** Writes a little-endian f64. */
  setF64(addr: Address, value: number): void {
    const at = this.check(addr, 8, "setF64");
    this.dv.setFloat64(at, value, true);
  }
}

/** An address or length: a number, or a bigint (64-bit memories). */
export type Address = number | bigint;

/** A bigint address or length as a number (every valid one is below 2^53); anything else a TypeError. */
function toNumber(v: unknown, what: string, param: string): number {
  if (typeof v === "bigint") return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
  throw new TypeError(`Memory.${what}: ${param} must be a number or bigint, got ${describeValue(v)}`);
}

/** A new 64-bit memory (the JS API takes its limits as bigints). */
function newMemory64(min: number, max: number | undefined, shared: boolean): WebAssembly.Memory {
  try {
    const descriptor = { address: "i64", initial: BigInt(min), ...(max !== undefined ? { maximum: BigInt(max) } : {}), ...(shared ? { shared: true } : {}) };
    const memory = new WebAssembly.Memory(descriptor as unknown as WebAssembly.MemoryDescriptor);
    return memory;
  } catch (e) {
    throw new RangeError("new Memory: 64-bit memories are not supported by this engine", { cause: e });
  }
}

function outOfBounds(addr: Address, len: number, size: number, what: string): RangeError {
  const a = typeof addr === "number" && Number.isInteger(addr) && addr >= 0 ? `0x${addr.toString(16)}` : describeValue(addr);
  return new RangeError(`Memory.${what}: address ${a} + ${String(len)} bytes is out of bounds of memory of ${size} bytes`);
}

/** Whether 64-bit memories take a bigint in `grow` (the final JS API); Node 22's V8 takes a number. */
let memory64GrowTakesBigint: boolean | undefined;

/** Grows a 64-bit memory by `delta` pages in the engine's convention; returns the previous size. */
function growMemory64(native: WebAssembly.Memory, delta: number): number {
  const grow = native.grow as unknown as (d: number | bigint) => number | bigint;
  if (memory64GrowTakesBigint !== false) {
    try {
      const previous = Number(grow.call(native, BigInt(delta)));
      memory64GrowTakesBigint = true;
      return previous;
    } catch (e) {
      if (memory64GrowTakesBigint === true || !(e instanceof TypeError)) throw e;
      memory64GrowTakesBigint = false;
    }
  }
  return Number(grow.call(native, delta));
}
