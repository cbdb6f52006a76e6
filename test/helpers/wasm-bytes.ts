/**
 * Test helper: a tiny hand-rolled byte builder for WebAssembly binaries (LEB128 numbers, names, vectors,
 * sections). Decoder tests build their inputs with it so that every byte is visible in the test; it
 * deliberately shares no code with src/binary.
 */

/** Something that flattens to bytes: a byte value, a byte array, or a nested list of those. */
export type Part = number | Uint8Array | readonly Part[];

/** Flattens `parts` to a byte array; numbers must be bytes (0..255). */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  const walk = (p: Part): void => {
    if (typeof p === "number") {
      if (!Number.isInteger(p) || p < 0 || p > 255) throw new RangeError(`not a byte: ${p}`);
      out.push(p);
    } else if (p instanceof Uint8Array) {
      for (const b of p) out.push(b);
    } else {
      for (const q of p) walk(q);
    }
  };
  for (const p of parts) walk(p);
  return Uint8Array.from(out);
}

/** Unsigned LEB128, minimal length (accepts up to 2^64 - 1 as a bigint). */
export function u32(value: number | bigint): number[] {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError("u32: negative");
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

/** Same as `u32`, for 64-bit values (memory64 and table64 limits). */
export const u64 = u32;

/** Signed LEB128, minimal length. */
export function sleb(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** An unsigned LEB128 padded to exactly `length` bytes (non-minimal but valid when it fits). */
export function paddedU32(value: number, length: number): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < length; i++) {
    const last = i === length - 1;
    out.push((v & 0x7f) | (last ? 0 : 0x80));
    v = Math.floor(v / 128);
  }
  return out;
}

/** The UTF-8 bytes of `s`, without a length. */
export function utf8(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

/** A name: u32 length, then the UTF-8 bytes. */
export function name(s: string): number[] {
  const b = utf8(s);
  return [...u32(b.length), ...b];
}

/** A name given as raw bytes (possibly malformed UTF-8). */
export function rawName(b: readonly number[]): number[] {
  return [...u32(b.length), ...b];
}

/** A vector: u32 count, then the items. */
export function vec(items: readonly Part[]): Part[] {
  return [u32(items.length), ...items];
}

/** A section: id, u32 size, payload. */
export function section(id: number, ...payload: Part[]): Uint8Array {
  const body = bytes(...payload);
  return bytes(id, u32(body.length), body);
}

/** A custom section with `sectionName` and the given payload. */
export function custom(sectionName: string, ...payload: Part[]): Uint8Array {
  return section(0, name(sectionName), ...payload);
}

/** `\0asm` and version 1. */
export const HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A module: the header followed by `parts` (usually sections). */
export function wasm(...parts: Part[]): Uint8Array {
  return bytes(HEADER, ...parts);
}

/** A function body: u32 size, local runs `[count, type]`, then the instruction bytes. */
export function body(locals: ReadonlyArray<readonly [number, Part]>, ...code: Part[]): Uint8Array {
  const inner = bytes(vec(locals.map(([n, t]) => [u32(n), t])), ...code);
  return bytes(u32(inner.length), inner);
}

/** Value type bytes. */
export const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b, FUNCREF = 0x70, EXTERNREF = 0x6f;
/** Opcodes used in constant expressions. */
export const END = 0x0b;

/** `i32.const n end`. */
export function i32Const(n: number): number[] {
  return [0x41, ...sleb(n), END];
}

/** Section ids. */
export const S = {
  custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8,
  element: 9, code: 10, data: 11, dataCount: 12, tag: 13,
} as const;

/** A deterministic pseudo-random generator (mulberry32): the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
