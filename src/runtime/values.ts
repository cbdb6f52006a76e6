/**
 * How WebAssembly values look in TypeScript, and the checks and conversions at the host boundary.
 *
 * i32, f32 and f64 are `number`; i64 is `bigint`; v128 is a `V128`; funcref is `Func | null`; externref
 * is any JS value (`null` is the null reference).
 *
 * @module
 */
import type { FuncType, ValType } from "../types.js";
import type { Func } from "./func.js";
import type { V128 } from "./v128.js";

/** The TypeScript type of a value of WebAssembly type `T`. */
export type WasmValue<T extends ValType> = T extends "i64"
  ? bigint
  : T extends "i32" | "f32" | "f64"
    ? number
    : T extends "v128"
      ? V128
      : T extends "funcref"
      ? Func | null
      : T extends "externref"
        ? unknown
        : never;

/** The parameter list of a function with WebAssembly parameter types `P`. */
export type WasmParams<P extends readonly ValType[]> = { -readonly [K in keyof P]: WasmValue<P[K]> };

/** What a function with WebAssembly result types `R` returns: nothing, one value, or a tuple. */
export type WasmResults<R extends readonly ValType[]> = R extends readonly []
  ? void
  : R extends readonly [infer A extends ValType]
    ? WasmValue<A>
    : { -readonly [K in keyof R]: WasmValue<R[K]> };

const VAL_TYPES: ReadonlySet<string> = new Set(["i32", "i64", "f32", "f64", "v128", "funcref", "externref"]);

/** True when `t` is one of the seven value types. */
export function isValType(t: unknown): t is ValType {
  return typeof t === "string" && VAL_TYPES.has(t);
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

/** The binary encoding of a value type (for building tiny modules). */
export function valTypeCode(t: ValType): number {
  switch (t) {
    case "i32": return 0x7f;
    case "i64": return 0x7e;
    case "f32": return 0x7d;
    case "f64": return 0x7c;
    case "v128": return 0x7b;
    case "funcref": return 0x70;
    case "externref": return 0x6f;
  }
}

/** The JS API's name of a value type (`anyfunc` for funcref). */
export function jsApiValueType(t: ValType): string {
  return t === "funcref" ? "anyfunc" : t;
}

/** True when two type lists are equal. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
