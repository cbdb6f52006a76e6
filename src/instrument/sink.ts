/**
 * A growable byte buffer with the LEB128 writers the instrumentation passes need.
 *
 * It predates `src/binary/encoder.ts`'s `ByteWriter` and adds what the rewriter needs beyond it:
 * padded LEB128s patched in place (each body is written once, its size afterwards) and small copies
 * that allocate nothing. It is internal to `src/instrument`.
 *
 * @module
 */

const utf8 = new TextEncoder();

/** A byte buffer that grows by doubling; `view()` returns the bytes written so far (no copy). */
export class ByteSink {
  /** The backing buffer (its first `length` bytes are valid). */
  buf: Uint8Array;
  /** Bytes written. */
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** One byte. */
  u8(b: number): void {
    if (this.length >= this.buf.length) this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** An unsigned LEB128 u32 (minimal encoding). */
  u32(v: number): void {
    this.reserve(5);
    const buf = this.buf;
    let len = this.length;
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      buf[len++] = b;
    } while (v !== 0);
    this.length = len;
  }

  /** An unsigned LEB128 of a non-negative safe integer (u64 limits). */
  u64(v: number): void {
    this.reserve(10);
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.buf[this.length++] = b;
    } while (v !== 0);
  }

  /** An unsigned LEB128 of `v` in exactly `len` bytes (padded; `v` must fit in `7 * len` bits, `len` <= 5). */
  u32Fixed(v: number, len: number): void {
    this.reserve(len);
    const buf = this.buf;
    let at = this.length;
    for (let k = 1; k < len; k++) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at++] = v;
    this.length = at;
  }

  /** A u32 as a 5-byte (padded) LEB128, so that it can be patched later with `patchU32`. */
  u32Padded(v: number): number {
    const at = this.length;
    this.reserve(5);
    this.patchU32(at, v);
    this.length += 5;
    return at;
  }

  /** Overwrites the 5-byte LEB128 written by `u32Padded` at `at`. */
  patchU32(at: number, v: number): void {
    const buf = this.buf;
    buf[at] = (v & 0x7f) | 0x80;
    buf[at + 1] = ((v >>> 7) & 0x7f) | 0x80;
    buf[at + 2] = ((v >>> 14) & 0x7f) | 0x80;
    buf[at + 3] = ((v >>> 21) & 0x7f) | 0x80;
    buf[at + 4] = (v >>> 28) & 0x0f;
  }

  /** A signed LEB128 of a safe integer (used for `i32.const` / `i64.const` immediates). */
  sleb(v: number): void {
    this.reserve(10);
    const buf = this.buf;
    let len = this.length;
    for (;;) {
      const b = v - Math.floor(v / 128) * 128; // v mod 128, also for negatives
      v = Math.floor(v / 128);
      const signBitClear = (b & 0x40) === 0;
      if ((v === 0 && signBitClear) || (v === -1 && !signBitClear)) {
        buf[len++] = b;
        break;
      }
      buf[len++] = b | 0x80;
    }
    this.length = len;
  }

  /** Raw bytes. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.reserve(n);
    if (n < 48) {
      const buf = this.buf;
      let len = this.length;
      for (let i = 0; i < n; i++) buf[len++] = b[i]!;
      this.length = len;
      return;
    }
    this.buf.set(b, this.length);
    this.length += n;
  }

  /** `src[start..end)`. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(n);
    if (n < 48) {
      // Small copies are most of a rewrite's copies: a loop allocates nothing (a subarray would).
      const buf = this.buf;
      let len = this.length;
      for (let i = start; i < end; i++) buf[len++] = src[i]!;
      this.length = len;
      return;
    }
    this.buf.set(src.subarray(start, end), this.length);
    this.length += n;
  }

  /** A name: length-prefixed UTF-8. */
  name(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  /** Inserts `b` at `at`, moving the bytes written after it up (one copy of them). */
  insert(at: number, b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.copyWithin(at + b.length, at, this.length);
    this.buf.set(b, at);
    this.length += b.length;
  }

  /** Writes a section: id, size, then the payload of `body`. */
  section(id: number, body: ByteSink): void {
    this.u8(id);
    this.u32(body.length);
    this.copy(body.buf, 0, body.length);
  }

  /** The bytes written (a view; valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** The number of bytes of the minimal LEB128 encoding of u32 `v`. */
export function u32Size(v: number): number {
  v >>>= 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Reads an unsigned LEB128 u32 at `bytes[at]`; returns the value and sets `lebEnd.pos` past it. */
export function readU32(bytes: Uint8Array, at: number, out: { pos: number }): number {
  let result = 0;
  let shift = 0;
  let p = at;
  for (;;) {
    const b = bytes[p++];
    if (b === undefined) throw new RangeError("unexpected end");
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0 || shift > 35) break;
  }
  out.pos = p;
  return result;
}
