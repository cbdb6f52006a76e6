/**
 * Resolution of defined value types and function types into the shared type model, with their
 * checks: labels (kebab case, strong uniqueness), non-empty records, variants, tuples, flags and
 * enums, handles of resources, no `borrow` in results or stream/future elements, and the size,
 * depth and Canonical ABI element-size limits.
 *
 * @module
 */
import type { ComponentFuncType, Field, ValueType } from "../types.js";
import type { DefValType, FuncTypeDef } from "./ast.js";
import { labelError, NameSet } from "./names.js";
import { factsOf, MAX_ELEM_SIZE, MAX_TYPE_DEPTH, MAX_TYPE_SIZE, primitive, withFacts } from "./type-ops.js";
import type { Scope } from "./validate.js";

/** A function type resolved: labels checked, no `borrow` in the result. */
export function resolveFuncType(v: Scope, t: FuncTypeDef): ComponentFuncType {
  const params: Field[] = [];
  const seen = new NameSet();
  for (const p of t.params) {
    const e = labelError(p.name);
    if (e) v.fail(`function parameter name ${e.slice(e.indexOf("`"))}`);
    const prev = seen.add(p.name);
    if (prev !== undefined) v.fail(`function parameter name \`${p.name}\` conflicts with previous parameter name \`${prev}\``);
    params.push({ name: p.name, type: v.valType(p.type) });
  }
  const result = t.result === undefined ? undefined : v.valType(t.result);
  if (result !== undefined && factsOf(result).borrow) v.fail("function result cannot contain a `borrow` type");
  return { params, ...(result !== undefined ? { result } : {}), ...(t.async ? { async: true } : {}) };
}

function checkLabels(v: Scope, names: readonly string[], what: string): void {
  const seen = new NameSet();
  for (const n of names) {
    const e = labelError(n);
    if (e) v.fail(`${what} name ${e.slice(e.indexOf("`"))}`);
    const prev = seen.add(n);
    if (prev !== undefined) v.fail(`${what} name \`${n}\` conflicts with previous ${what} name \`${prev}\``);
  }
}

/** A defined value type resolved into a node with its facts, checked against the limits. */
export function resolveDefValType(v: Scope, t: DefValType): ValueType {
  let out: ValueType;
  switch (t.kind) {
    case "primitive": out = primitive(t.type); break;
    case "record":
      if (t.fields.length === 0) v.fail("record type must have at least one field");
      checkLabels(v, t.fields.map((f) => f.name), "record field");
      out = { kind: "record", fields: t.fields.map((f) => ({ name: f.name, type: v.valType(f.type) })) };
      break;
    case "variant":
      if (t.cases.length === 0) v.fail("variant type must have at least one case");
      checkLabels(v, t.cases.map((c) => c.name), "variant case");
      out = {
        kind: "variant",
        cases: t.cases.map((c) => (c.type === undefined ? { name: c.name } : { name: c.name, type: v.valType(c.type) })),
      };
      break;
    case "list":
      if (t.length === 0) v.fail("fixed size list length must be greater than 0");
      out = t.length === undefined ? { kind: "list", element: v.valType(t.element) } : { kind: "list", element: v.valType(t.element), length: t.length };
      break;
    case "tuple":
      if (t.types.length === 0) v.fail("tuple type must have at least one type");
      out = { kind: "tuple", types: t.types.map((x) => v.valType(x)) };
      break;
    case "flags":
      if (t.names.length === 0) v.fail("flags must have at least one entry");
      if (t.names.length > 32) v.fail("cannot have more than 32 flags");
      checkLabels(v, t.names, "flag");
      out = { kind: "flags", names: t.names };
      break;
    case "enum":
      if (t.names.length === 0) v.fail("enum type must have at least one variant");
      checkLabels(v, t.names, "enum tag");
      out = { kind: "enum", names: t.names };
      break;
    case "option": out = { kind: "option", type: v.valType(t.type) }; break;
    case "result":
      out = {
        kind: "result",
        ...(t.ok !== undefined ? { ok: v.valType(t.ok) } : {}),
        ...(t.err !== undefined ? { err: v.valType(t.err) } : {}),
      };
      break;
    case "own":
    case "borrow": {
      const e = v.spaces.types[t.resource];
      if (e === undefined) v.fail(`type index ${t.resource} out of bounds`);
      if (e.kind !== "resource") v.fail(`type index ${t.resource} is not a resource type`);
      out = { kind: t.kind, resource: e.type };
      const naming = v.named.get(e);
      if (naming !== undefined) v.named.set(out, naming);
      break;
    }
    case "stream":
    case "future": {
      const element = t.element === undefined ? undefined : v.valType(t.element);
      if (element !== undefined && factsOf(element).borrow) v.fail(`${t.kind} element type cannot contain a borrow`);
      if (t.kind === "stream" && element?.kind === "char") v.fail("`stream<char>` is not valid at this time");
      out = element === undefined ? { kind: t.kind } : { kind: t.kind, element };
      break;
    }
    case "map": out = { kind: "map", key: v.valType(t.key), value: v.valType(t.value) }; break;
  }
  withFacts(out);
  const f = factsOf(out);
  if (f.size > MAX_TYPE_SIZE) v.fail(`effective type size exceeds the limit of ${MAX_TYPE_SIZE}`);
  if (f.depth > MAX_TYPE_DEPTH) v.fail(`type nesting exceeds the limit of ${MAX_TYPE_DEPTH}`);
  if (f.elemSize >= MAX_ELEM_SIZE) v.fail(`type exceeds maximum byte size of ${MAX_ELEM_SIZE}`);
  return out;
}

