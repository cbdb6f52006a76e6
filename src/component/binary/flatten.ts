/**
 * The Canonical ABI's flattening of component types into core value types (`CanonicalABI.md`,
 * "Flattening"), which fixes the core signature a lifted or lowered function must have.
 *
 * @module
 */
import type { ValueType as CoreValueType } from "../../binary/module-info.js";
import type { ComponentFuncType, ValueType } from "../types.js";
import type { CoreFuncSig } from "./core-sigs.js";

/** Most flat parameters passed as core arguments; more spill to memory. */
export const MAX_FLAT_PARAMS = 16;
/** Most flat results returned as core results; more go through memory. */
export const MAX_FLAT_RESULTS = 1;

type Flat = "i32" | "i64" | "f32" | "f64";

function join(a: Flat, b: Flat): Flat {
  if (a === b) return a;
  if ((a === "i32" && b === "f32") || (a === "f32" && b === "i32")) return "i32";
  return "i64";
}

/** The flat core types of a value type (stops early once more than `limit` are found). */
export function flattenType(t: ValueType, out: Flat[], limit = Infinity, ptr: "i32" | "i64" = "i32"): void {
  if (out.length > limit) return;
  switch (t.kind) {
    case "bool": case "s8": case "u8": case "s16": case "u16": case "s32": case "u32": case "char":
    case "own": case "borrow": case "stream": case "future": case "error-context": case "enum":
      out.push("i32");
      return;
    case "s64": case "u64": out.push("i64"); return;
    case "f32": out.push("f32"); return;
    case "f64": out.push("f64"); return;
    case "string": case "map": out.push(ptr, ptr); return;
    case "list":
      if (t.length === undefined) {
        out.push(ptr, ptr);
      } else {
        for (let i = 0; i < t.length && out.length <= limit; i++) flattenType(t.element, out, limit, ptr);
      }
      return;
    case "record": for (const f of t.fields) flattenType(f.type, out, limit, ptr); return;
    case "tuple": for (const x of t.types) flattenType(x, out, limit, ptr); return;
    case "flags": for (let i = 0; i < Math.ceil(t.names.length / 32); i++) out.push("i32"); return;
    case "variant": return flattenVariant(t.cases.map((c) => c.type), out, limit, ptr);
    case "option": return flattenVariant([undefined, t.type], out, limit, ptr);
    case "result": return flattenVariant([t.ok, t.err], out, limit, ptr);
  }
}

function flattenVariant(cases: readonly (ValueType | undefined)[], out: Flat[], limit: number, ptr: "i32" | "i64"): void {
  out.push("i32");
  const joined: Flat[] = [];
  for (const c of cases) {
    if (c === undefined) continue;
    const flat: Flat[] = [];
    flattenType(c, flat, limit, ptr);
    for (let i = 0; i < flat.length; i++) joined[i] = i < joined.length ? join(joined[i]!, flat[i]!) : flat[i]!;
  }
  out.push(...joined);
}

/** The core signature of a function type lifted (`lift`) or lowered (`lower`), synchronous ABI. */
export function flattenFuncType(ft: ComponentFuncType, context: "lift" | "lower", pointer: "i32" | "i64" = "i32"): CoreFuncSig {
  const params: Flat[] = [];
  for (const p of ft.params) flattenType(p.type, params, MAX_FLAT_PARAMS, pointer);
  const flatParams: CoreValueType[] = params.length > MAX_FLAT_PARAMS ? [pointer] : params;
  const results: Flat[] = [];
  if (ft.result) flattenType(ft.result, results, MAX_FLAT_RESULTS, pointer);
  if (results.length <= MAX_FLAT_RESULTS) return { params: flatParams, results };
  if (context === "lift") return { params: flatParams, results: [pointer] };
  return { params: [...flatParams, pointer], results: [] };
}

const memoryNeeds = new WeakMap<ValueType, boolean>();

/** True when a value of this type needs linear memory to cross (strings and lists). Memoized. */
export function needsMemory(t: ValueType): boolean {
  let r = memoryNeeds.get(t);
  if (r === undefined) {
    r = computeNeedsMemory(t);
    memoryNeeds.set(t, r);
  }
  return r;
}

function computeNeedsMemory(t: ValueType): boolean {
  switch (t.kind) {
    case "string": case "map": return true;
    case "list": return t.length === undefined || needsMemory(t.element);
    case "record": return t.fields.some((f) => needsMemory(f.type));
    case "tuple": return t.types.some(needsMemory);
    case "variant": return t.cases.some((c) => c.type !== undefined && needsMemory(c.type));
    case "option": return needsMemory(t.type);
    case "result": return (t.ok !== undefined && needsMemory(t.ok)) || (t.err !== undefined && needsMemory(t.err));
    default: return false;
  }
}

/** The number of flat core values of `types`, counting no further than `limit + 1`. */
export function flatLength(types: readonly ValueType[], limit: number): number {
  const out: Flat[] = [];
  for (const t of types) {
    flattenType(t, out, limit);
    if (out.length > limit) break;
  }
  return out.length;
}
