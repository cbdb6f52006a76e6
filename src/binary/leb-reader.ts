/**
 * The byte and LEB128 reads that the binary reader (sections, names, vectors) and the instruction
 * cursor (function bodies) share: a position in `bytes[pos..end)`, and integers of the spec's sizes,
 * each failing with a `CompileError` at the absolute offset of the offending byte in the spec's
 * wording ("unexpected end", "integer representation too long", "integer too large").
 *
 * @module
 */
import { CompileError } from "../errors.js";

/** A position in `bytes[pos..end)` and the integer reads of the binary format. */
export abstract class LebReader {
  /** The bytes being read. */
  bytes: Uint8Array;
  /** Index of the next byte to read in `bytes`. */
  pos: number;
  /** Reading stops here. */
  end: number;
  /** Absolute offset of `bytes[0]` (0 when `bytes` is the whole binary). */
  base = 0;
  /** What running out of bytes is called at this level (the spec distinguishes two wordings). */
  eofMessage = "unexpected end";

  constructor(bytes: Uint8Array, pos: number, end: number) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  /** Throws a `CompileError` at index `at` of `bytes` (default: the current position). */
  fail(reason: string, at: number = this.pos): never {
    throw new CompileError(reason, this.base + at);
  }

  /** True when every byte before `end` has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** One byte. */
  u8(): number {
    if (this.pos >= this.end) this.fail(this.eofMessage);
    return this.bytes[this.pos++]!;
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    if (n > this.end - this.pos) {
      this.pos = this.end;
      this.fail(this.eofMessage);
    }
    this.pos += n;
  }

  /** An unsigned LEB128 integer of at most 32 bits. */
  u32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    const end = this.end;
    // Fast path: one byte.
    if (pos < end) {
      const b = bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (pos >= end) {
        this.pos = pos;
        this.fail(this.eofMessage);
      }
      const b = bytes[pos++]!;
      if (i === 4) {
        if (b & 0x80) this.fail("integer representation too long", pos - 1);
        if (b & 0x70) this.fail("integer too large", pos - 1);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    /* c8 ignore next */
    return this.fail("integer representation too long");
  }

  /** A signed LEB128 integer of at most 32 bits. */
  s32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    const end = this.end;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (pos >= end) {
        this.pos = pos;
        this.fail(this.eofMessage);
      }
      const b = bytes[pos++]!;
      if (i === 4) {
        if (b & 0x80) this.fail("integer representation too long", pos - 1);
        // The unused bits of the last byte must all equal the sign bit (bit 3).
        const rest = b & 0x70;
        if (rest !== 0 && rest !== 0x70) this.fail("integer too large", pos - 1);
        if ((rest === 0x70) !== ((b & 0x08) !== 0)) this.fail("integer too large", pos - 1);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        if (shift < 32 && b & 0x40) result |= -1 << shift;
        return result | 0;
      }
    }
    /* c8 ignore next */
    return this.fail("integer representation too long");
  }

  /** A signed LEB128 integer of at most 33 bits (a block type's type index), as a number. */
  s33(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 4) {
        if (b & 0x80) this.fail("integer representation too long", this.pos - 1);
        // 33 bits: the fifth byte holds bits 28-32; its two unused bits must equal the sign bit 0x10.
        const rest = b & 0x60;
        if (rest !== (b & 0x10 ? 0x60 : 0)) this.fail("integer too large", this.pos - 1);
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= mul;
        return result;
      }
    }
    /* c8 ignore next */
    return this.fail("integer representation too long");
  }
}
