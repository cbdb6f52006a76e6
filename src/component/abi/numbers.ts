/**
 * Bit-level number helpers of the canonical ABI (float ⇄ integer reinterpretation, used where a
 * variant's payload slot holds a float in an integer) and the typed array of each numeric list type.
 *
 * Typed arrays are little-endian on every engine wasmhost runs on, like WebAssembly memory.
 *
 * @module
 */
import type { PrimitiveKind } from "../types.js";

const scratch = new ArrayBuffer(8);
const f32 = new Float32Array(scratch);
const f64 = new Float64Array(scratch);
const i32 = new Int32Array(scratch);
const i64 = new BigInt64Array(scratch);

/** `f32.reinterpret_i32`. NaNs come out as JS's one NaN (the canonical NaN when stored). */
export function bitsToF32(bits: number): number {
  i32[0] = bits;
  return f32[0]!;
}

/** `f64.reinterpret_i64`. */
export function bitsToF64(bits: bigint): number {
  i64[0] = bits;
  return f64[0]!;
}

/** `i32.reinterpret_f32` (a NaN gives the canonical NaN's bits). */
export function f32ToBits(v: number): number {
  f32[0] = v;
  return i32[0]!;
}

/** `i64.reinterpret_f64` (a NaN gives the canonical NaN's bits). */
export function f64ToBits(v: number): bigint {
  f64[0] = v;
  return i64[0]!;
}

/** A typed array constructor. */
export type TypedArrayConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const TYPED: Partial<Record<PrimitiveKind | string, TypedArrayConstructor>> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

/** The typed array that a `list` of `kind` lifts to, or undefined for non-numeric element types. */
export function typedArrayOf(kind: string): TypedArrayConstructor | undefined {
  return TYPED[kind];
}
