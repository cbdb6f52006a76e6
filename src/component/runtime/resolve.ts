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

/** The last resolution of each structural type definition, with the types it referred to. */
const resolved = new WeakMap<TypeDef, { readonly deps: readonly object[]; readonly entry: TypeEntry }>();

function sameDeps(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Resolves a type definition; a resource definition makes a new resource type named `name`.
 *
 * A structural definition (anything but a resource, instance or component type) resolved again with
 * the very types it referred to last time gives the same type object as then: every instantiation of
 * a component, whose imported resource types are the same (host resources are one type per
 * implementation, see linker.ts), then shares its type objects, and with them everything cached per
 * type object (layouts, lifters, lowerers, generated host calls). Types are immutable, so sharing one
 * is the same as making an equal one; resource types, which are generative, are never shared this way.
 * The types referred to are recorded by the one resolution below as it looks them up, so an unknown
 * index is reported as it always is.
 */
export function resolveTypeDef(scope: TypeScope, def: TypeDef, name = "resource"): TypeEntry {
  if (def.kind === "resource" || def.kind === "instance" || def.kind === "component") return resolveFresh(scope, def, name);
  const deps: object[] = [];
  const entry = resolveFresh(scope, def, name, deps);
  const last = resolved.get(def);
  if (last !== undefined && sameDeps(last.deps, deps)) return last.entry;
  resolved.set(def, { deps, entry });
  return entry;
}

/** Resolves `def` afresh; `deps`, when given, receives every type it refers to, in lookup order. */
function resolveFresh(scope: TypeScope, def: TypeDef, name: string, deps?: object[]): TypeEntry {
  const v = (r: ValTypeRef): ValueType => {
    const t = valueType(scope, r);
    deps?.push(t);
    return t;
  };
  const resource = (i: number): ResourceType => {
    const t = resourceType(scope, i);
    deps?.push(t);
    return t;
  };
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
      return { t: "value", type: { kind: def.kind, resource: resource(def.resource) } };
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
