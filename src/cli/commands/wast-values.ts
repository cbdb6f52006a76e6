/**
 * Values in \`.wast\` scripts (used by the runner in wast-runner.ts): constants as JS values, expected
 * results (NaN patterns, lanes, references) matched against what a call returned, and both described
 * for failure messages. A value JS cannot carry exactly (v128, a NaN's payload) is matched from its
 * bytes (\`exact\`), which the runner's wrapper module stored.
 *
 * @module
 */
import { Func } from "../../index.js";
import type { WastConst, WastExpected, WastLane } from "../../text/wast.js";
import { CheckFailure, matchesGcRef } from "./wast-checks.js";

const externs = new Map<number, object>();
/** The host values of `externRef`, to tell them from the engine's own objects. */
const hostValues = new WeakSet<object>();
/** The host value standing for `(ref.extern n)`: one object per n, so identity can be compared. */
export function externRef(n: number): object {
  let v = externs.get(n);
  if (!v) {
    externs.set(n, (v = { externref: n }));
    hostValues.add(v);
  }
  return v;
}

export function needsExact(e: WastExpected): boolean {
  if (e.type === "either") return e.options.some(needsExact);
  if ("nan" in e) return true;
  if (e.type === "v128") return true;
  if (e.type === "f32" && "bits" in e) return isNaN32(e.bits);
  if (e.type === "f64" && "bits" in e) return isNaN64(e.bits);
  return false;
}

export function isNaN32(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;
}

export function isNaN64(bits: bigint): boolean {
  return (bits & 0x7ff0000000000000n) === 0x7ff0000000000000n && (bits & 0xfffffffffffffn) !== 0n;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

export function toJs(c: WastConst): unknown {
  switch (c.type) {
    case "i32": return c.value;
    case "i64": return c.value;
    case "f32": u32[0] = c.bits; return f32[0];
    case "f64": u64[0] = c.bits; return f64[0];
    case "ref.null": return null;
    case "ref.extern": return externRef(c.value);
    // A host reference and the external reference of the same number are one JS value: the JS API
    // converts between anyref and externref without changing the value (extern.wast relies on it).
    case "ref.host": return externRef(c.value);
    case "v128": throw new CheckFailure("v128 argument without wrapper");
  }
}

function bits32(v: unknown, exact: Uint8Array | undefined): number {
  if (exact) return new DataView(exact.buffer, exact.byteOffset).getUint32(0, true);
  f32[0] = v as number;
  return u32[0]!;
}

function bits64(v: unknown, exact: Uint8Array | undefined): bigint {
  if (exact) return new DataView(exact.buffer, exact.byteOffset).getBigUint64(0, true);
  f64[0] = v as number;
  return u64[0]!;
}

export function matches(e: WastExpected, v: unknown, exact: Uint8Array | undefined): boolean {
  switch (e.type) {
    case "i32": return typeof v === "number" && (v | 0) === (e.value | 0);
    case "i64": return typeof v === "bigint" && BigInt.asIntN(64, v) === BigInt.asIntN(64, e.value);
    case "f32": {
      if (typeof v !== "number") return false;
      const b = bits32(v, exact);
      if ("nan" in e) return e.nan === "canonical" ? (b & 0x7fffffff) === 0x7fc00000 : (b & 0x7fc00000) === 0x7fc00000;
      return b === ("bits" in e ? e.bits : -1);
    }
    case "f64": {
      if (typeof v !== "number") return false;
      const b = bits64(v, exact);
      if ("nan" in e) {
        return e.nan === "canonical" ? (b & 0x7fffffffffffffffn) === 0x7ff8000000000000n : (b & 0x7ff8000000000000n) === 0x7ff8000000000000n;
      }
      return b === ("bits" in e ? e.bits : -1n);
    }
    case "v128": {
      if (!exact) return false;
      if ("bytes" in e) return exact.every((b, i) => b === e.bytes[i]);
      return lanesMatch(e.shape, e.lanes, exact);
    }
    case "ref.null": return v === null;
    case "ref.extern":
      if ("value" in e) return v === externRef(e.value);
      return v !== null && v !== undefined;
    case "ref.host": return v === externRef(e.value);
    case "ref.func": return v instanceof Func;
    case "either": return e.options.some((o) => matches(o, v, exact));
    default: return matchesGcRef(e.type, v, (o) => hostValues.has(o));
  }
}

function lanesMatch(shape: string, lanes: readonly WastLane[], bytes: Uint8Array): boolean {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return lanes.every((lane, i) => {
    switch (shape) {
      case "i8x16": return dv.getUint8(i) === lane;
      case "i16x8": return dv.getUint16(i * 2, true) === lane;
      case "i32x4": return dv.getUint32(i * 4, true) === lane;
      case "i64x2": return dv.getBigUint64(i * 8, true) === lane;
      case "f32x4": {
        const b = dv.getUint32(i * 4, true);
        if (lane === "nan:canonical") return (b & 0x7fffffff) === 0x7fc00000;
        if (lane === "nan:arithmetic") return (b & 0x7fc00000) === 0x7fc00000;
        return b === lane;
      }
      case "f64x2": {
        const b = dv.getBigUint64(i * 8, true);
        if (lane === "nan:canonical") return (b & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
        if (lane === "nan:arithmetic") return (b & 0x7ff8000000000000n) === 0x7ff8000000000000n;
        return b === lane;
      }
    }
    return false;
  });
}

export function describeExpected(e: WastExpected): string {
  return JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? [...v] : v));
}

export function describeValue(v: unknown, exact: Uint8Array | undefined): string {
  if (exact) return `bytes [${[...exact].join(",")}]`;
  return typeof v === "bigint" ? `${v}n` : typeof v === "object" && v !== null ? JSON.stringify(v) ?? String(v) : String(v);
}
