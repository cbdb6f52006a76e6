/**
 * A cursor over a WebAssembly binary: LEB128 integers, floats, names and vectors, each failing with a
 * `CompileError` that carries the absolute byte offset and the spec's wording.
 *
 * One `BinaryReader` walks the whole binary; a section or function body is read by narrowing `end`
 * (see `withLimit`), so every offset it reports is already absolute — there is no sub-reader whose
 * relative offsets need rebasing.
 *
 * @module
 */
import { LebReader } from "./leb-reader.js";

// ignoreBOM: a name may start with U+FEFF, and that character is part of the name.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder("latin1");

/** The spec's wording for a section or function body that ends before what it holds. */
export const SECTION_EOF = "unexpected end of section or function";

/** A position-tracking reader over `bytes[pos..end)`. */
export class BinaryReader extends LebReader {

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    super(bytes, pos, end);
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Runs `fn` with `end` narrowed to `pos + size` (and a given end-of-data wording), then restores it. */
  withLimit<T>(size: number, eofMessage: string, fn: () => T): T {
    const outerEnd = this.end;
    const outerEof = this.eofMessage;
    if (size > outerEnd - this.pos) this.fail(outerEof === "unexpected end" ? "length out of bounds" : outerEof);
    this.end = this.pos + size;
    this.eofMessage = eofMessage;
    try {
      return fn();
    } finally {
      this.end = outerEnd;
      this.eofMessage = outerEof;
    }
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.bytes[this.pos]! : -1;
  }

  /** A signed LEB128 integer of at most 64 bits. */
  s64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail("integer representation too long", this.pos - 1);
        if (b !== 0 && b !== 0x7f) this.fail("integer too large", this.pos - 1);
      }
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift;
        return BigInt.asIntN(64, result);
      }
    }
    /* c8 ignore next */
    return this.fail("integer representation too long");
  }

  /** An unsigned LEB128 integer of at most 64 bits, as a number (exact up to 2^53; larger fails). */
  u64(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail("integer representation too long", this.pos - 1);
        if (b & 0x7e) this.fail("integer too large", this.pos - 1);
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail("integer too large", this.pos - 1);
        return result;
      }
    }
    /* c8 ignore next */
    return this.fail("integer representation too long");
  }

  /**
   * Reads `n` unsigned 32-bit LEB128 numbers into `out` (from index 0): the tight loop behind the
   * function section and element segments, which hold most of a large module's numbers.
   */
  u32s(out: number[], n: number): void {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      if (pos < end) {
        const b = bytes[pos]!;
        if (b < 0x80) {
          out[i] = b;
          pos++;
          continue;
        }
      }
      this.pos = pos;
      out[i] = this.u32();
      pos = this.pos;
    }
    this.pos = pos;
  }

  /** Skips `n` unsigned 32-bit LEB128 numbers, checking each as `u32` does. */
  skipU32s(n: number): void {
    const bytes = this.bytes;
    const end = this.end;
    for (let i = 0; i < n; i++) {
      const pos = this.pos;
      if (pos < end && bytes[pos]! < 0x80) this.pos = pos + 1;
      else this.u32();
    }
  }

  /** A view (no copy) of the next `n` bytes. */
  view(n: number): Uint8Array {
    const start = this.pos;
    this.skip(n);
    return this.bytes.subarray(start, start + n);
  }

  /**
   * A vector length, checked against `max` (named `what` in the error).
   *
   * A count larger than the bytes left is not rejected here: the elements are read in order, so the
   * first malformed one reports its own error (as the spec's reader does), and every element takes at
   * least one byte, so the loop ends at the end of the data. Callers that size an array from a count
   * cap it with `remaining` so that a hostile count never sizes an allocation.
   */
  count(max: number, what: string): number {
    const at = this.pos;
    const n = this.u32();
    if (n > max) this.fail(`too many ${what} (${n}, the limit is ${max})`, at);
    return n;
  }

  /** Moves past a name's length and bytes; returns where its bytes start. */
  private nameBytes(): number {
    const len = this.u32();
    if (len > this.end - this.pos) {
      this.pos = this.end;
      this.fail(this.eofMessage);
    }
    const start = this.pos;
    this.pos += len;
    return start;
  }

  /** Skips a name, checking it as `name` does, without making its string. */
  skipName(): void {
    const start = this.nameBytes();
    const len = this.pos - start;
    const bytes = this.bytes;
    for (let i = start; i < start + len; i++) {
      if (bytes[i]! >= 0x80) {
        try {
          utf8.decode(bytes.subarray(start, start + len));
        } catch {
          this.fail("malformed UTF-8 encoding", start);
        }
        return;
      }
    }
  }

  /** A name: a length-prefixed UTF-8 string. */
  name(): string {
    const start = this.nameBytes();
    const len = this.pos - start;
    const bytes = this.bytes;
    // ASCII fast path: most names are.
    let ascii = true;
    for (let i = start; i < start + len; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      if (len <= 8) return shortAscii(bytes, start, len);
      if (len <= 16) return shortAscii(bytes, start, 8) + shortAscii(bytes, start + 8, len - 8);
      return latin1.decode(bytes.subarray(start, start + len));
    }
    try {
      return utf8.decode(bytes.subarray(start, start + len));
    } catch {
      return this.fail("malformed UTF-8 encoding", start);
    }
  }
}

/**
 * A short ASCII name as one string allocation (building it a character at a time allocates one string
 * per character, which dominated decoding modules with thousands of exports).
 */
function shortAscii(b: Uint8Array, p: number, len: number): string {
  const c = String.fromCharCode;
  switch (len) {
    case 0: return "";
    case 1: return c(b[p]!);
    case 2: return c(b[p]!, b[p + 1]!);
    case 3: return c(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4: return c(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5: return c(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6: return c(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    case 7: return c(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
    default: return c(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
  }
}
