/**
 * Resolving the decoded component's type definitions (indices) into the shared type trees of
 * `types.ts`, in a scope's type index space, as instantiation reaches them.
 *
 * @module
 */
import type { Decl, TypeDef, ValTypeRef } from "../binary/ast.js";
import { ResourceType, type ComponentFuncType, type ValueType } from "../types.js";
import { CompileError } from "../../errors.js";
import type { TypeEntry, TypeScope } from "./items.js";

const primitives = new Map<string, ValueType>();

/** The value type `ref` names in `scope`. */
export function valueType(scope: TypeScope, ref: ValTypeRef): ValueType {
  if (typeof ref === "string") {
    let p = primitives.get(ref);
    if (p === undefined) primitives.set(ref, (p = { kind: ref }));
    return p;
  }
  const e = scope.types[ref];
  if (e === undefined || e.t !== "value") throw new CompileError(`type index ${ref} is not a value type`);
  return e.type;
}

/** The resource type at index `i` of `scope`. */
export function resourceType(scope: TypeScope, i: number): ResourceType {
  const e = scope.types[i];
  if (e === undefined || e.t !== "resource") throw new CompileError(`type index ${i} is not a resource type`);
  return e.type;
}

/** The function type at index `i` of `scope`. */
export function funcType(scope: TypeScope, i: number): ComponentFuncType {
  const e = scope.types[i];
  if (e === undefined || e.t !== "func") throw new CompileError(`type index ${i} is not a function type`);
  return e.type;
}

/** Resolves a type definition; a resource definition makes a new resource type named `name`. */
export function resolveTypeDef(scope: TypeScope, def: TypeDef, name = "resource"): TypeEntry {
  const v = (r: ValTypeRef) => valueType(scope, r);
  switch (def.kind) {
    case "primitive":
      return { t: "value", type: v(def.type) };
    case "record":
      return { t: "value", type: { kind: "record", fields: def.fields.map((f) => ({ name: f.name, type: v(f.type) })) } };
    case "variant":
      return {
        t: "value",
        type: { kind: "variant", cases: def.cases.map((c) => ({ name: c.name, ...(c.type !== undefined ? { type: v(c.type) } : {}) })) },
      };
    case "list":
      return { t: "value", type: { kind: "list", element: v(def.element), ...(def.length !== undefined ? { length: def.length } : {}) } };
    case "tuple":
      return { t: "value", type: { kind: "tuple", types: def.types.map(v) } };
    case "flags":
      return { t: "value", type: { kind: "flags", names: def.names } };
    case "enum":
      return { t: "value", type: { kind: "enum", names: def.names } };
    case "option":
      return { t: "value", type: { kind: "option", type: v(def.type) } };
    case "result":
      return {
        t: "value",
        type: { kind: "result", ...(def.ok !== undefined ? { ok: v(def.ok) } : {}), ...(def.err !== undefined ? { err: v(def.err) } : {}) },
      };
    case "own":
    case "borrow":
      return { t: "value", type: { kind: def.kind, resource: resourceType(scope, def.resource) } };
    case "stream":
    case "future":
      return { t: "value", type: { kind: def.kind, ...(def.element !== undefined ? { element: v(def.element) } : {}) } };
    case "map":
      return { t: "value", type: { kind: "map", key: v(def.key), value: v(def.value) } };
    case "func":
      return {
        t: "func",
        type: {
          params: def.params.map((p) => ({ name: p.name, type: v(p.type) })),
          ...(def.result !== undefined ? { result: v(def.result) } : {}),
          ...(def.async ? { async: true } : {}),
        },
      };
    case "resource":
      return { t: "resource", type: new ResourceType(name, true) };
    case "instance":
    case "component":
      return { t: def.kind, decls: def.decls, scope };
  }
}

/** The outer scope `count` levels up. */
export function outerScope(scope: TypeScope, count: number): TypeScope {
  let s: TypeScope | undefined = scope;
  for (let i = 0; i < count && s !== undefined; i++) s = s.parent;
  if (s === undefined) throw new CompileError(`outer alias count ${count} leaves the outermost component`);
  return s;
}

/** One export of an instance type, resolved. */
export type InstanceTypeExport =
  | { readonly kind: "func"; readonly type: ComponentFuncType }
  | { readonly kind: "type"; readonly entry: TypeEntry; readonly abstract: boolean }
  | { readonly kind: "instance"; readonly exports: ReadonlyMap<string, InstanceTypeExport> }
  | { readonly kind: "other" };

/**
 * The exports of an instance type (or the imports/exports of a component type), resolved in a fresh
 * type scope. `subResource(name)` gives the resource type an abstract `(sub resource)` export stands
 * for (a new one, or the one the host defined).
 */
export function instanceTypeExports(
  decls: readonly Decl[],
  parent: TypeScope,
  subResource: (name: string) => ResourceType,
  which: "export" | "import" = "export",
): Map<string, InstanceTypeExport> {
  const scope: TypeScope = { types: [], parent, components: [], modules: [] };
  const out = new Map<string, InstanceTypeExport>();
  for (const d of decls) {
    switch (d.kind) {
      case "type":
        scope.types.push(resolveTypeDef(scope, d.type));
        break;
      case "alias": {
        const a = d.alias;
        if (a.kind === "outer" && a.sort === "type") {
          const e = outerScope(scope, a.count).types[a.index];
          if (e === undefined) throw new CompileError(`outer alias of unknown type ${a.index}`);
          scope.types.push(e);
        } else if (a.kind === "export" && a.sort === "type") {
          // An alias of an imported instance's type inside a component type: resolve by name later.
          scope.types.push({ t: "resource", type: new ResourceType(a.name, false) });
        }
        break;
      }
      case "core-type":
        break;
      case "import":
      case "export": {
        const e = d.decl;
        const desc = e.desc;
        let item: InstanceTypeExport;
        if (desc.kind === "func") item = { kind: "func", type: funcType(scope, desc.type) };
        else if (desc.kind === "type") {
          if (desc.bound.kind === "sub-resource") {
            const entry: TypeEntry = { t: "resource", type: subResource(e.name.name) };
            scope.types.push(entry);
            item = { kind: "type", entry, abstract: true };
          } else {
            const entry = scope.types[desc.bound.type];
            if (entry === undefined) throw new CompileError(`unknown type ${desc.bound.type}`);
            scope.types.push(entry);
            item = { kind: "type", entry, abstract: false };
          }
        } else if (desc.kind === "instance") {
          const entry = scope.types[desc.type];
          if (entry === undefined || entry.t !== "instance") throw new CompileError(`type ${desc.type} is not an instance type`);
          item = { kind: "instance", exports: instanceTypeExports(entry.decls, entry.scope, subResource) };
        } else item = { kind: "other" };
        if (d.kind === which) out.set(e.name.name, item);
        break;
      }
    }
  }
  return out;
}
