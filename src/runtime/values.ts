/**
 * How WebAssembly values look in TypeScript, and the checks and conversions at the host boundary.
 *
 * i32, f32 and f64 are `number`; i64 is `bigint`; v128 is a `V128`; funcref is `Func | null`; externref
 * is any JS value (`null` is the null reference).
 *
 * @module
 */
import { formatValType, type AbsHeapType, type FuncType, type RefValType, type ValType } from "../types.js";
import type { Func } from "./func.js";
import type { V128 } from "./v128.js";

/** The TypeScript type of a value of WebAssembly type `T`. */
export type WasmValue<T extends ValType> = T extends "i64"
  ? bigint
  : T extends "i32" | "f32" | "f64"
    ? number
    : T extends "v128"
      ? V128
      : T extends "funcref" | "nullfuncref"
        ? Func | null
        : unknown;

/** The parameter list of a function with WebAssembly parameter types `P`. */
export type WasmParams<P extends readonly ValType[]> = { -readonly [K in keyof P]: WasmValue<P[K]> };

/** What a function with WebAssembly result types `R` returns: nothing, one value, or a tuple. */
export type WasmResults<R extends readonly ValType[]> = R extends readonly []
  ? void
  : R extends readonly [infer A extends ValType]
    ? WasmValue<A>
    : { -readonly [K in keyof R]: WasmValue<R[K]> };

/** The binary code of each value type written as a string. */
const STRING_CODES: Readonly<Record<string, number>> = {
  i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b,
  funcref: 0x70, externref: 0x6f, anyref: 0x6e, eqref: 0x6d, i31ref: 0x6c, structref: 0x6b, arrayref: 0x6a,
  exnref: 0x69, nullref: 0x71, nullexternref: 0x72, nullfuncref: 0x73, nullexnref: 0x74,
};
const ABS_HEAP_TYPES: ReadonlySet<string> = new Set(["func", "extern", "any", "eq", "i31", "struct", "array", "exn", "none", "nofunc", "noextern", "noexn"]);

/** True when `t` is a value type: one of the string types, or a well-formed `RefValType`. */
export function isValType(t: unknown): t is ValType {
  if (typeof t === "string") return Object.hasOwn(STRING_CODES, t);
  if (t === null || typeof t !== "object") return false;
  const { ref, nullable } = t as RefValType;
  if (typeof nullable !== "boolean") return false;
  if (typeof ref === "string") return ABS_HEAP_TYPES.has(ref);
  return ref !== null && typeof ref === "object" && Number.isInteger(ref.index) && (ref.kind === "func" || ref.kind === "struct" || ref.kind === "array");
}

/**
 * How values of a reference type cross the host boundary: `"func"` as `Func | null`, `"extern"` as any
 * JS value, `"gc"` as the engine's opaque references, `"exn"` not at all; `undefined` for
 * non-reference types.
 */
export function refKindOf(t: ValType): "func" | "extern" | "gc" | "exn" | undefined {
  if (typeof t === "string") {
    switch (t) {
      case "i32": case "i64": case "f32": case "f64": case "v128": return undefined;
      case "funcref": case "nullfuncref": return "func";
      case "externref": case "nullexternref": return "extern";
      case "exnref": case "nullexnref": return "exn";
      default: return "gc";
    }
  }
  const heap: AbsHeapType | "struct" | "array" = typeof t.ref === "string" ? t.ref : t.ref.kind;
  return heap === "func" || heap === "nofunc" ? "func" : heap === "extern" || heap === "noextern" ? "extern" : heap === "exn" || heap === "noexn" ? "exn" : "gc";
}

/** True when the reference type `t` admits null (every string reference type does). */
export function isNullable(t: ValType): boolean {
  return typeof t === "string" || t.nullable;
}

/** Checks that `type` is a well-formed FuncType; `what` names it in the error. */
export function checkFuncType(type: unknown, what: string): FuncType {
  if (type === null || typeof type !== "object") throw new TypeError(`${what}: the type must be { params, results }, got ${describeValue(type)}`);
  const { params, results } = type as FuncType;
  if (!Array.isArray(params) || !Array.isArray(results)) {
    throw new TypeError(`${what}: the type must have arrays 'params' and 'results'`);
  }
  for (const [i, p] of params.entries()) if (!isValType(p)) throw new TypeError(`${what}: params[${i}] is not a value type: ${describeValue(p)}`);
  for (const [i, r] of results.entries()) if (!isValType(r)) throw new TypeError(`${what}: results[${i}] is not a value type: ${describeValue(r)}`);
  return { params: Object.freeze([...params]), results: Object.freeze([...results]) };
}

/**
 * Checks a public API argument: throws `TypeError("<where>: <param> must be a <Class>, got <value>")`
 * unless `value` is an instance of `cls`.
 */
export function checkArg<T>(value: unknown, cls: abstract new (...args: never[]) => T, where: string, param: string): asserts value is T {
  if (!(value instanceof cls)) {
    throw new TypeError(`${where}: ${param} must be ${/^[AEIOU]/.test(cls.name) ? "an" : "a"} ${cls.name}, got ${describeValue(value)}`);
  }
}

/** Checks that a public API argument is a string. */
export function checkString(value: unknown, where: string, param: string): asserts value is string {
  if (typeof value !== "string") throw new TypeError(`${where}: ${param} must be a string, got ${describeValue(value)}`);
}

/** Checks that a public API argument is a (non-null) object. */
export function checkObject(value: unknown, where: string, param: string): asserts value is object {
  if (value === null || typeof value !== "object") throw new TypeError(`${where}: ${param} must be an object, got ${describeValue(value)}`);
}

/** A short description of a JS value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  switch (typeof v) {
    case "number":
    case "boolean":
      return `${typeof v} ${String(v)}`;
    case "bigint":
      return `bigint ${v}n`;
    case "string":
      return `string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
    case "function":
      return "a function";
    default:
      return (v as object).constructor?.name ? `a ${(v as object).constructor.name}` : "an object";
  }
}

/** The JS `typeof` a value of each number type must have. */
export function jsTypeOf(t: ValType): "number" | "bigint" | undefined {
  return t === "i64" ? "bigint" : t === "i32" || t === "f32" || t === "f64" ? "number" : undefined;
}

/**
 * The one-byte binary encoding of a value type (for building tiny modules).
 *
 * @throws TypeError for a non-nullable or concrete reference type, which a module of our own cannot
 *   name without the defining module's types.
 */
export function valTypeCode(t: ValType): number {
  if (typeof t === "string") return STRING_CODES[t]!;
  throw new TypeError(`a host function or value of type ${formatValType(t)} cannot be made by the host (only imported into wasm as it is)`);
}

/** The JS API's name of a value type (`anyfunc` for funcref). @throws TypeError for a `RefValType`. */
export function jsApiValueType(t: ValType): string {
  if (typeof t !== "string") throw new TypeError(`the host cannot create a global, table or tag of type ${formatValType(t)}`);
  return t === "funcref" ? "anyfunc" : t;
}

/** True when two value types are equal (reference types compare as the text format writes them). */
export function sameValType(a: ValType, b: ValType): boolean {
  return a === b || (typeof a !== "string" && typeof b !== "string" && formatValType(a) === formatValType(b));
}

/** True when two type lists are equal. */
export function sameList(a: readonly ValType[], b: readonly ValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValType(a[i]!, b[i]!)) return false;
  return true;
}
