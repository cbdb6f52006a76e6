/**
 * Number literals of the text format: integers (decimal and hex, `_` separators, signs) and floats
 * (decimal, hex, `inf`, `nan`, `nan:0x…`) with exact round-to-nearest-even conversion to f32 and f64.
 *
 * Each parser takes the source and a token's range and returns the value, or `undefined` when the
 * token is not a literal of that kind (the caller words the error). Decimal f64 literals use the
 * engine's correctly rounded `Number()`; f32 and hex literals use exact rational arithmetic when a
 * shortcut could round twice.
 *
 * @module
 */
import { hexDigit } from "./lexer.js";

/**
 * An integer literal's value: a number when |v| <= 2^53, else a bigint. `undefined` if malformed.
 * With `exact` false, any literal of magnitude 2^64 or more gives 2^64 (with its sign): what the
 * literals of the text format, 64 bits at most, need, in time linear in its length.
 */
export function parseInt(src: string, s: number, e: number, exact = true): number | bigint | undefined {
  let i = s;
  let neg = false;
  const c0 = src.charCodeAt(i);
  if (c0 === 0x2b || c0 === 0x2d) {
    neg = c0 === 0x2d;
    i++;
  }
  let hex = false;
  if (src.charCodeAt(i) === 0x30 && (src.charCodeAt(i + 1) === 0x78)) {
    hex = true;
    i += 2;
  }
  if (i >= e) return undefined;
  const base = hex ? 16 : 10;
  const digitsFrom = i;
  let v = 0;
  // Past 2^53 the digits are gathered and converted once at the end: `BigInt` converts a string in
  // (nearly) linear time, where multiplying digit by digit would be quadratic in the length.
  let bigFrom = -1;
  let prevDigit = false;
  for (; i < e; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x5f) {
      if (!prevDigit || i + 1 >= e) return undefined;
      prevDigit = false;
      continue;
    }
    const d = hex ? hexDigit(c) : c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
    if (d < 0) return undefined;
    prevDigit = true;
    if (bigFrom < 0) {
      const next = v * base + d;
      if (next > Number.MAX_SAFE_INTEGER) bigFrom = i;
      else v = next;
    }
  }
  if (!prevDigit) return undefined;
  if (bigFrom >= 0) {
    // No literal the text format reads is wider than 64 bits, and converting a huge one exactly costs
    // more than linear time (`BigInt` of n decimal digits is superlinear): more significant digits
    // than 2^64 - 1 has (20 decimal, 16 hex) stand for `TOO_WIDE`, which every caller rejects.
    if (!exact) {
      let significant = 0;
      for (let k = digitsFrom; k < e; k++) {
        const c = src.charCodeAt(k);
        if (c === 0x5f || (significant === 0 && c === 0x30)) continue;
        if (++significant > (hex ? 16 : 20)) return neg ? -TOO_WIDE : TOO_WIDE;
      }
    }
    const digits = src.slice(digitsFrom, e).replaceAll("_", "");
    const big = BigInt(hex ? `0x${digits}` : digits);
    return neg ? -big : big;
  }
  return neg ? -v : v;
}

/** What `parseInt` gives (with its sign) for a literal of 2^64 or more when not `exact`: 2^64. */
const TOO_WIDE = 1n << 64n;

/** True when the token at `src[s..e)` starts like a number (digit, or sign then digit/inf/nan). */
export function looksNumeric(src: string, s: number): boolean {
  let c = src.charCodeAt(s);
  if (c === 0x2b || c === 0x2d) c = src.charCodeAt(s + 1);
  return (c >= 0x30 && c <= 0x39) || c === 0x69 || c === 0x6e;
}

/** An i32 literal (-2^31 .. 2^32-1) as a signed 32-bit number, or `undefined` if not one / out of range. */
export function parseI32(src: string, s: number, e: number): number | undefined {
  const v = parseInt(src, s, e, false);
  if (typeof v !== "number") return undefined;
  if (v < -0x80000000 || v > 0xffffffff) return undefined;
  return v | 0;
}

/** An unsigned 32-bit literal (indices, alignments, lane numbers), or `undefined`. */
export function parseU32(src: string, s: number, e: number): number | undefined {
  const c = src.charCodeAt(s);
  if (c === 0x2b || c === 0x2d) return undefined;
  const v = parseInt(src, s, e, false);
  if (typeof v !== "number" || v > 0xffffffff) return undefined;
  return v;
}

/** An unsigned 64-bit literal (memory64 offsets and limits) as number or bigint, or `undefined`. */
export function parseU64(src: string, s: number, e: number): number | bigint | undefined {
  const c = src.charCodeAt(s);
  if (c === 0x2b || c === 0x2d) return undefined;
  const v = parseInt(src, s, e, false);
  if (v === undefined) return undefined;
  if (typeof v === "bigint" && v > 0xffffffffffffffffn) return undefined;
  return v;
}

/** An i64 literal (-2^63 .. 2^64-1) as a signed value (number when safe, else bigint), or `undefined`. */
export function parseI64(src: string, s: number, e: number): number | bigint | undefined {
  const v = parseInt(src, s, e, false);
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  if (v < -0x8000000000000000n || v > 0xffffffffffffffffn) return undefined;
  return BigInt.asIntN(64, v);
}

/** Integer literal for an N-bit lane (i8/i16), wrapped to unsigned lane bits, or `undefined`. */
export function parseLaneInt(src: string, s: number, e: number, bits: 8 | 16): number | undefined {
  const v = parseInt(src, s, e, false);
  if (typeof v !== "number") return undefined;
  const lim = 2 ** bits;
  if (v < -(lim / 2) || v >= lim) return undefined;
  return v < 0 ? v + lim : v;
}

const F32 = new Float32Array(1);
const F32U = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const F64U = new Uint32Array(F64.buffer);

/** Where `parseF64` leaves its result: [low 32 bits, high 32 bits]. */
export const f64Out = new Uint32Array(2);

/** An f32 literal's bits, or `undefined` if not a float literal; `null` when out of range. */
export function parseF32(src: string, s: number, e: number): number | undefined | null {
  const r = scanFloat(src, s, e, 24, -126, 127);
  if (r === undefined || r === null) return r;
  return Number(r);
}

/** An f64 literal: bits into `f64Out`; returns true, `undefined` if not a float literal, `null` out of range. */
export function parseF64(src: string, s: number, e: number): true | undefined | null {
  const r = scanFloat(src, s, e, 53, -1022, 1023);
  if (r === undefined || r === null) return r;
  f64Out[0] = Number(r & 0xffffffffn);
  f64Out[1] = Number(r >> 32n);
  return true;
}

// Fast path results bypass the bigint bits: scanFloat returns a bigint of the bits.
function scanFloat(src: string, s: number, e: number, p: number, emin: number, emax: number): bigint | undefined | null {
  let i = s;
  let neg = false;
  const c0 = src.charCodeAt(i);
  if (c0 === 0x2b || c0 === 0x2d) {
    neg = c0 === 0x2d;
    i++;
  }
  const expBits = p === 24 ? 8 : 11;
  const fracBits = p - 1;
  const signBit = neg ? 1n << BigInt(expBits + fracBits) : 0n;
  const expAll = ((1n << BigInt(expBits)) - 1n) << BigInt(fracBits);
  if (src.startsWith("inf", i) && i + 3 === e) return signBit | expAll;
  if (src.startsWith("nan", i)) {
    if (i + 3 === e) return signBit | expAll | (1n << BigInt(fracBits - 1));
    if (src.startsWith(":0x", i + 3)) {
      const payload = parseInt(src, i + 4, e, false);
      if (payload === undefined) return undefined;
      const pl = BigInt(payload);
      if (pl < 1n || pl >= 1n << BigInt(fracBits)) return null;
      return signBit | expAll | pl;
    }
    return undefined;
  }
  const hex = src.charCodeAt(i) === 0x30 && src.charCodeAt(i + 1) === 0x78;
  if (hex) i += 2;
  // Mantissa digits, with an optional fraction. Only the first `MAX_DIGITS` significant digits are
  // kept (a literal may have hundreds of thousands, and exact arithmetic on all of them is
  // superlinear); past them, a nonzero digit dropped becomes one more digit 1 (`sticky`). Every
  // midpoint between two floats has fewer significant digits than that, so the truncated value
  // rounds exactly as the whole literal does.
  let digits = "";
  let kept = 0;
  let fracDigits = 0; // every digit after the dot, kept or not
  let dropped = 0; // significant digits not kept
  let sticky = false;
  let seenDot = false;
  let prevDigit = false;
  let any = false;
  for (; i < e; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x5f) {
      if (!prevDigit) return undefined;
      prevDigit = false;
      const n = src.charCodeAt(i + 1);
      if (!(hex ? hexDigit(n) >= 0 : n >= 0x30 && n <= 0x39)) return undefined;
      continue;
    }
    if (c === 0x2e) {
      if (seenDot || !prevDigit) return undefined;
      seenDot = true;
      prevDigit = false;
      continue;
    }
    const d = hex ? hexDigit(c) : c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
    if (d < 0) break;
    if (kept < MAX_DIGITS) {
      if (kept > 0 || d !== 0) {
        digits += String.fromCharCode(c);
        kept++;
      }
    } else {
      dropped++;
      if (d !== 0) sticky = true;
    }
    if (seenDot) fracDigits++;
    prevDigit = true;
    any = true;
  }
  if (!any) return undefined;
  if (sticky) {
    digits += "1";
    dropped--;
  }
  if (digits === "") digits = "0";
  if (seenDot && !prevDigit && fracDigits > 0) return undefined;
  let exp = 0;
  if (i < e) {
    const c = src.charCodeAt(i);
    if (hex ? c !== 0x70 && c !== 0x50 : c !== 0x65 && c !== 0x45) return undefined;
    i++;
    let eneg = false;
    const sc = src.charCodeAt(i);
    if (sc === 0x2b || sc === 0x2d) {
      eneg = sc === 0x2d;
      i++;
    }
    if (i >= e) return undefined;
    let ev = 0;
    let prev = false;
    for (; i < e; i++) {
      const d = src.charCodeAt(i);
      if (d === 0x5f) {
        if (!prev || i + 1 >= e) return undefined;
        prev = false;
        continue;
      }
      if (d < 0x30 || d > 0x39) return undefined;
      prev = true;
      if (ev < 1e9) ev = ev * 10 + (d - 0x30);
    }
    if (!prev) return undefined;
    exp = eneg ? -ev : ev;
  }
  if (!hex) {
    // Decimal. f64: the engine's parser rounds correctly. f32: round via f64 unless that lands on a
    // midpoint between two f32 values, where double rounding could err.
    const e10 = exp - fracDigits + dropped;
    const text = `${digits}e${e10}`;
    const x = Number(text);
    if (p === 53) {
      if (!Number.isFinite(x)) return null;
      F64[0] = neg ? -x : x;
      return (BigInt(F64U[1]!) << 32n) | BigInt(F64U[0]!);
    }
    if (Number.isFinite(x)) {
      const f = Math.fround(x);
      let ok = f === x;
      if (!ok && Number.isFinite(f)) {
        const other = nextF32Toward(f, x);
        ok = (f + other) / 2 !== x;
      }
      if (ok) {
        if (!Number.isFinite(f)) return null;
        F32[0] = neg ? -f : f;
        return BigInt(F32U[0]!);
      }
    }
    // Slow path: exact rational rounding.
    const mant = BigInt(digits);
    if (mant === 0n) return signBit;
    if (e10 > 400) return null;
    if (e10 < -400 - digits.length) return signBit;
    const num = e10 >= 0 ? mant * 10n ** BigInt(e10) : mant;
    const den = e10 >= 0 ? 1n : 10n ** BigInt(-e10);
    const bits = roundRational(num, den, p, emin, emax);
    return bits === null ? null : signBit | bits;
  }
  const mant = BigInt(`0x${digits}`);
  if (mant === 0n) return signBit;
  let e2 = exp - 4 * (fracDigits - dropped);
  // Clamp absurd exponents: far out of range either way, the answer no longer depends on them.
  const bl = mant.toString(2).length;
  if (e2 + bl > emax + 2) return null;
  if (e2 + bl < emin - p - 2) e2 = emin - p - 2 - bl;
  const num = e2 >= 0 ? mant << BigInt(e2) : mant;
  const den = e2 >= 0 ? 1n : 1n << BigInt(-e2);
  const bits = roundRational(num, den, p, emin, emax);
  return bits === null ? null : signBit | bits;
}

/**
 * How many significant digits of a float literal are kept (see `scanFloat`): more than any midpoint
 * between two f64 values has (at most 767 decimal digits; 14 hex digits).
 */
const MAX_DIGITS = 800;

function nextF32Toward(f: number, x: number): number {
  F32[0] = f;
  const u = F32U[0]!;
  // For positive f: toward larger magnitude increments the bits.
  F32U[0] = (f < x) === (f >= 0) ? u + 1 : u - 1;
  return F32[0]!;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Rounds num/den (> 0) to the nearest float with `p` mantissa bits; returns the bits, or null on overflow. */
function roundRational(num: bigint, den: bigint, p: number, emin: number, emax: number): bigint | null {
  let e = bitLength(num) - bitLength(den);
  const lower = e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den;
  if (lower) e--;
  if (e < emin) e = emin;
  const q = e - (p - 1);
  let N = num;
  let D = den;
  if (q >= 0) D <<= BigInt(q);
  else N <<= BigInt(-q);
  let m = N / D;
  const r2 = (N - m * D) * 2n;
  if (r2 > D || (r2 === D && (m & 1n) === 1n)) m++;
  const top = 1n << BigInt(p);
  if (m === top) {
    m >>= 1n;
    e++;
  }
  if (e > emax) return null;
  const hidden = 1n << BigInt(p - 1);
  if (m < hidden) return m; // subnormal (biased exponent 0)
  return (BigInt(e + emax) << BigInt(p - 1)) | (m - hidden);
}

/** How a token that should be a number reads: see `classifyNumber`. */
export const NumClass = {
  /** Not a number and not a keyword: a malformed literal such as `0x`, `1_`, `_1`, `.5`. */
  malformed: 0,
  /** An unsigned integer. */
  nat: 1,
  /** A signed integer. */
  int: 2,
  /** A float that is not an integer literal (`1.5`, `1e3`, `inf`, `nan`, `nan:0x1`). */
  float: 3,
  /** A keyword or other word (`nan:canonical`, `i32`). */
  word: 4,
} as const;

/** Classifies the token `src[s..e)` to word errors as the spec's reference parser does. */
export function classifyNumber(src: string, s: number, e: number): number {
  const c = src.charCodeAt(s);
  if (parseInt(src, s, e, false) !== undefined) return c === 0x2b || c === 0x2d ? NumClass.int : NumClass.nat;
  if (scanFloat(src, s, e, 53, -1022, 1023) !== undefined) return NumClass.float;
  // `nan:1`, `infinity`, `-nan:x`: malformed float literals, not words.
  const t = c === 0x2b || c === 0x2d ? s + 1 : s;
  if (src.startsWith("nan", t) || src.startsWith("inf", t)) return src.startsWith("nan:canonical", t) || src.startsWith("nan:arithmetic", t) ? NumClass.word : NumClass.malformed;
  return c >= 0x61 && c <= 0x7a ? NumClass.word : NumClass.malformed;
}
