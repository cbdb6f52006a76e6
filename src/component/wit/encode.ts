/**
 * Resolved WIT -> component types, as the component binary format spells them (`WIT.md`, "Package
 * Format"; the layout `wit-component` writes):
 *
 * - `encodeWorldType(world)`: the world as a component type: its imports and exports, each
 *   interface an instance type whose `use`d types are outer aliases of the instances imported before it.
 * - `encodeWorldMetadata(world)`: the payload of the `component-type` custom section that
 *   `wasm-tools component embed` puts into a core module (a component exporting the world's type).
 * - `encodePackage(pkg)`: a WIT package as a component (each interface and world an exported
 *   component type), which `decodeWit` reads back.
 *
 * Types are written once per scope and shared (a structural key per anonymous type, an index per
 * named definition). Feature gates are not represented (`WIT.md`: they are source-level only).
 *
 * @module
 */
import { WitError } from "../../errors.js";
import type {
  ComponentInfo, ComponentSection, ComponentTypeDef, Decl, DefValType, ExternName, FuncTypeDef, InstanceTypeDef, NameAttribute, ResourceTypeDef, TypeDef,
  ValTypeRef,
} from "../binary/ast.js";
import { encodeComponent } from "../binary/encoder.js";
import type { PrimitiveKind } from "../types.js";
import { type WitFunction, WitInterface, type WitPackage, type WitType, WitTypeDef, WitWorld, type WitWorldItem } from "./model.js";
import { interfaceDependencies } from "./deps.js";

/** The version byte `wit-component` writes in its `wit-component-encoding` custom section. */
export const WIT_ENCODING_VERSION = 4;

/** A type definition without its offset. */
type TypeBody = DefValType | FuncTypeDef | ComponentTypeDef | InstanceTypeDef | ResourceTypeDef;

/** A plain extern name. */
export function externName(name: string): ExternName {
  return { name, form: 0, attributes: [] };
}

/**
 * The extern name of a world's import or export: its key, with the `implements` attribute when a
 * named interface is imported under a plain name and `external-id` when it has one (🏷️).
 */
export function worldItemName(key: string, item: WitWorldItem): ExternName {
  const attributes: NameAttribute[] = [];
  if (item.kind === "interface" && item.plainName !== undefined && item.interface.qualifiedName !== undefined) {
    attributes.push({ kind: "implements", value: item.interface.qualifiedName });
  }
  if (item.kind !== "type" && item.externalId !== undefined) attributes.push({ kind: "external-id", value: item.externalId });
  return attributes.length ? { name: key, form: 2, attributes } : externName(key);
}

/** The part of an interface a component imports: some of its type definitions and functions. */
export interface InterfaceSubset {
  readonly types: ReadonlySet<WitTypeDef>;
  readonly functions: ReadonlySet<WitFunction>;
}

/** One declaration scope (a component type or an instance type) and its type index space. */
export class Scope {
  readonly decls: Decl[] = [];
  typeCount = 0;
  instanceCount = 0;
  /** Named definitions -> type index in this scope. */
  readonly defs = new Map<WitTypeDef, number>();
  /** Anonymous types by structural key -> type index. */
  readonly anon = new Map<string, number>();

  /**
   * @param iface the interface whose instance type this scope is (its own definitions are exported).
   * @param importName when set, every definition the scope needs is imported into it under this name
   *   (the shim component that gives an exported interface its type names).
   * @param outerResources the interface's resources are the outer scope's (`eq` to them, not fresh
   *   `sub resource`s): the type ascribed to an exported instance whose resources the component defines.
   */
  constructor(
    readonly parent: Scope | undefined,
    readonly iface: WitInterface | undefined,
    readonly importName?: (def: WitTypeDef) => string,
    readonly outerResources = false,
  ) {}

  type(t: TypeBody): number {
    this.decls.push({ kind: "type", type: { ...t, offset: 0 } as TypeDef });
    return this.typeCount++;
  }

  exportType(name: string, bound: { kind: "eq"; type: number } | { kind: "sub-resource" }, side: "export" | "import" = "export"): number {
    this.decls.push({ kind: side, decl: { name: externName(name), desc: { kind: "type", bound }, offset: 0 } });
    return this.typeCount++;
  }

  aliasOuter(count: number, index: number): number {
    this.decls.push({ kind: "alias", alias: { kind: "outer", sort: "type", count, index, offset: 0 } });
    return this.typeCount++;
  }

  aliasExport(instance: number, name: string): number {
    this.decls.push({ kind: "alias", alias: { kind: "export", sort: "type", instance, name, offset: 0 } });
    return this.typeCount++;
  }
}

/**
 * Builds the declarations of a component type whose imports and exports are interfaces, functions
 * and types, tracking which instance provides each interface so `use`d types become aliases.
 */
export class TypeEncoder {
  /** The instance (in `outer`) that provides each interface's types right now. */
  private readonly instances = new Map<WitInterface, number>();

  constructor(private readonly outer: Scope) {}

  /** The type index of `def` in `scope`, declaring or aliasing it on first use. */
  defIndex(scope: Scope, def: WitTypeDef): number {
    const known = scope.defs.get(def);
    if (known !== undefined) return known;
    let index: number;
    if (scope.importName !== undefined || (scope.iface !== undefined ? def.owner === scope.iface : def.owner instanceof WitWorld)) {
      index = this.defineHere(scope, def, scope.iface === undefined ? "import" : "export");
    } else if (scope === this.outer) {
      const owner = def.owner;
      const instance = owner instanceof WitInterface ? this.instances.get(owner) : undefined;
      if (instance === undefined) {
        throw new WitError(`type \`${def.name}\` comes from an interface that is not imported before it is used`);
      }
      index = scope.aliasExport(instance, def.name);
    } else {
      index = scope.aliasOuter(1, this.defIndex(this.outer, def));
    }
    scope.defs.set(def, index);
    return index;
  }

  /** Declares a definition owned by `scope` (exported from an instance type, imported into a world). */
  private defineHere(scope: Scope, def: WitTypeDef, side: "export" | "import"): number {
    const k = def.kind;
    const name = scope.importName ? scope.importName(def) : def.name;
    if (k.kind === "resource") {
      const outerIndex = scope.outerResources ? this.outer.defs.get(def) : undefined;
      if (outerIndex === undefined) return scope.exportType(name, { kind: "sub-resource" }, side);
      return scope.exportType(name, { kind: "eq", type: scope.aliasOuter(1, outerIndex) }, side);
    }
    let inner: number;
    if (k.kind === "alias") {
      const foreign = k.type.kind === "named" && k.type.def.owner !== scope.iface && !(scope.iface === undefined && k.type.def.owner instanceof WitWorld);
      if (foreign && scope.importName === undefined) {
        inner = scope === this.outer ? this.defIndex(scope, k.type.def) : scope.aliasOuter(1, this.defIndex(this.outer, k.type.def));
      } else if (k.type.kind === "named") {
        inner = this.defIndex(scope, (k.type as { def: WitTypeDef }).def);
      } else {
        const v = this.valType(scope, k.type);
        // `type x = u64` gets its own definition (as `wit-component` writes it), never a shared one.
        inner = typeof v === "number" ? v : scope.type({ kind: "primitive", type: v });
      }
    } else {
      inner = scope.type(this.structure(scope, def));
    }
    return scope.exportType(name, { kind: "eq", type: inner }, side);
  }

  /** The type definition of a record, variant, enum or flags definition. */
  private structure(scope: Scope, def: WitTypeDef): TypeBody {
    const k = def.kind;
    switch (k.kind) {
      case "record": return { kind: "record", fields: k.fields.map((f) => ({ name: f.name, type: this.valType(scope, f.type) })) };
      case "variant": return { kind: "variant", cases: k.cases.map((c) => (c.type ? { name: c.name, type: this.valType(scope, c.type) } : { name: c.name })) };
      case "enum": return { kind: "enum", names: k.cases.map((c) => c.name) };
      case "flags": return { kind: "flags", names: k.flags.map((c) => c.name) };
      default: throw new Error(`no structure for a ${k.kind} definition`);
    }
  }

  /**
   * Defines the types of an interface the component itself implements in the outer scope, with no
   * import (its `use`d types still alias the imported interfaces); `resource` gives the index of each
   * resource it defines (the caller defines those, with their destructors).
   */
  defineLocally(iface: WitInterface, resource: (def: WitTypeDef) => number): void {
    for (const def of iface.types.values()) this.outer.defs.delete(def);
    for (const def of iface.types.values()) {
      const k = def.kind;
      let index: number;
      if (k.kind === "resource") {
        index = resource(def);
      } else if (k.kind === "alias" && k.type.kind === "named" && k.type.def.owner !== iface) {
        index = this.defIndex(this.outer, k.type.def);
      } else if (k.kind === "alias") {
        const v = this.valType(this.outer, k.type);
        index = typeof v === "number" ? v : this.outer.type({ kind: "primitive", type: v });
      } else {
        index = this.outer.type(this.structure(this.outer, def));
      }
      this.outer.defs.set(def, index);
    }
  }

  private anonType(scope: Scope, key: string, make: () => TypeBody): number {
    const known = scope.anon.get(key);
    if (known !== undefined) return known;
    const index = scope.type(make());
    scope.anon.set(key, index);
    return index;
  }

  /** The `valtype` of a WIT type in `scope`: a primitive, or the index of a (shared) type definition. */
  valType(scope: Scope, t: WitType): ValTypeRef {
    const ref = (x: ValTypeRef): string => (typeof x === "number" ? `#${x}` : x);
    switch (t.kind) {
      case "named": {
        const index = this.defIndex(scope, t.def);
        const target = t.def.resolved();
        if (target instanceof WitTypeDef && target.kind.kind === "resource") {
          return this.anonType(scope, `own:${index}`, () => ({ kind: "own", resource: index }));
        }
        return index;
      }
      case "borrow": {
        const index = this.defIndex(scope, t.def);
        return this.anonType(scope, `borrow:${index}`, () => ({ kind: "borrow", resource: index }));
      }
      case "list": {
        const e = this.valType(scope, t.element);
        return this.anonType(scope, `list:${ref(e)}:${t.length ?? ""}`, () => (t.length !== undefined ? { kind: "list", element: e, length: t.length } : { kind: "list", element: e }));
      }
      case "option": {
        const e = this.valType(scope, t.type);
        return this.anonType(scope, `option:${ref(e)}`, () => ({ kind: "option", type: e }));
      }
      case "result": {
        const ok = t.ok ? this.valType(scope, t.ok) : undefined;
        const err = t.err ? this.valType(scope, t.err) : undefined;
        return this.anonType(scope, `result:${ok === undefined ? "" : ref(ok)}:${err === undefined ? "" : ref(err)}`, () => ({
          kind: "result", ...(ok !== undefined ? { ok } : {}), ...(err !== undefined ? { err } : {}),
        }));
      }
      case "tuple": {
        const types = t.types.map((x) => this.valType(scope, x));
        return this.anonType(scope, `tuple:${types.map(ref).join(",")}`, () => ({ kind: "tuple", types }));
      }
      case "map": {
        const key = this.valType(scope, t.key);
        const value = this.valType(scope, t.value);
        return this.anonType(scope, `map:${ref(key)}:${ref(value)}`, () => ({ kind: "map", key, value }));
      }
      case "future":
      case "stream": {
        const e = t.element ? this.valType(scope, t.element) : undefined;
        return this.anonType(scope, `${t.kind}:${e === undefined ? "" : ref(e)}`, () => ({ kind: t.kind, ...(e !== undefined ? { element: e } : {}) }));
      }
      default:
        return t.kind as PrimitiveKind;
    }
  }

  /** The index of a function type in `scope` (declared once per distinct signature). */
  funcType(scope: Scope, f: WitFunction): number {
    const params = f.params.map((p) => ({ name: p.name, type: this.valType(scope, p.type) }));
    const result = f.result ? this.valType(scope, f.result) : undefined;
    const ref = (x: ValTypeRef): string => (typeof x === "number" ? `#${x}` : x);
    const key = `func:${f.async}:${params.map((p) => `${p.name}=${ref(p.type)}`).join(",")}:${result === undefined ? "" : ref(result)}`;
    return this.anonType(scope, key, () => ({ kind: "func", params, async: f.async, ...(result !== undefined ? { result } : {}) }));
  }

  /**
   * The instance type of an interface: its types (in order), then its functions. With
   * `outerResources`, its resources are those the outer scope defines (see `Scope`).
   */
  instanceType(iface: WitInterface, outerResources = false, subset?: InterfaceSubset): Decl[] {
    const scope = new Scope(this.outer, iface, undefined, outerResources);
    for (const def of iface.types.values()) if (!subset || subset.types.has(def)) this.defIndex(scope, def);
    for (const f of iface.functions.values()) {
      if (subset && !subset.functions.has(f)) continue;
      const t = this.funcType(scope, f);
      scope.decls.push({ kind: "export", decl: { name: externName(f.name), desc: { kind: "func", type: t }, offset: 0 } });
    }
    return scope.decls;
  }

  /**
   * Imports or exports an interface under `name` and records it as the provider of its types; with
   * `subset`, only those of its types and functions (what a core module uses of an import).
   */
  interfaceItem(side: "import" | "export", name: string | ExternName, iface: WitInterface, subset?: InterfaceSubset): void {
    const decls = this.instanceType(iface, false, subset);
    const t = this.outer.type({ kind: "instance", decls });
    this.outer.decls.push({ kind: side, decl: { name: typeof name === "string" ? externName(name) : name, desc: { kind: "instance", type: t }, offset: 0 } });
    const instance = this.outer.instanceCount++;
    if (iface.name !== undefined) {
      this.instances.set(iface, instance);
      // Aliases of the previous provider's types are stale now.
      for (const def of iface.types.values()) this.outer.defs.delete(def);
    }
  }

  funcItem(side: "import" | "export", name: string | ExternName, f: WitFunction): void {
    const t = this.funcType(this.outer, f);
    this.outer.decls.push({ kind: side, decl: { name: typeof name === "string" ? externName(name) : name, desc: { kind: "func", type: t }, offset: 0 } });
  }
}

/** The component type of a world (its imports, then its exports). */
export function encodeWorldType(world: WitWorld): ComponentTypeDef {
  const outer = new Scope(undefined, undefined);
  const enc = new TypeEncoder(outer);
  for (const [key, item] of world.imports) {
    if (item.kind === "interface") enc.interfaceItem("import", worldItemName(key, item), item.interface);
    else if (item.kind === "function") enc.funcItem("import", worldItemName(key, item), item.func);
    else enc.defIndex(outer, item.def);
  }
  for (const [key, item] of world.exports) {
    if (item.kind === "interface") enc.interfaceItem("export", worldItemName(key, item), item.interface);
    else if (item.kind === "function") enc.funcItem("export", worldItemName(key, item), item.func);
  }
  return { kind: "component", decls: outer.decls };
}

/** The component type of one interface in a package: its dependencies imported, itself exported. */
function encodeInterfaceType(iface: WitInterface): ComponentTypeDef {
  const outer = new Scope(undefined, undefined);
  const enc = new TypeEncoder(outer);
  const order: WitInterface[] = [];
  const visit = (i: WitInterface): void => {
    if (order.includes(i)) return;
    for (const d of interfaceDependencies(i.types.values(), i)) visit(d);
    order.push(i);
  };
  for (const d of interfaceDependencies(iface.types.values(), iface)) visit(d);
  for (const d of order) enc.interfaceItem("import", d.qualifiedName!, d);
  enc.interfaceItem("export", iface.qualifiedName!, iface);
  return { kind: "component", decls: outer.decls };
}

/** `(component (type (component ...)) ...)` wrapping a world: `(export "ns:pkg/w" (component ...))`. */
function wrapWorld(world: WitWorld): ComponentTypeDef {
  const inner = encodeWorldType(world);
  return {
    kind: "component",
    decls: [
      { kind: "type", type: { ...inner, offset: 0 } },
      { kind: "export", decl: { name: externName(world.qualifiedName), desc: { kind: "component", type: 0 }, offset: 0 } },
    ],
  };
}

function encodingSection(): ComponentSection {
  return { id: "custom", offset: 0, custom: { name: "wit-component-encoding", data: new Uint8Array([WIT_ENCODING_VERSION, 0]), offset: 0 } };
}

/**
 * The payload of a `component-type` custom section describing `world`: a component that exports the
 * world's type under the world's name (what `wasm-tools component embed` writes).
 */
export function encodeWorldMetadata(world: WitWorld): Uint8Array {
  if (!world.package) throw new WitError(`world \`${world.name}\` has no package`);
  const info: Pick<ComponentInfo, "sections"> = {
    sections: [
      encodingSection(),
      { id: "type", offset: 0, items: [{ ...wrapWorld(world), offset: 0 }] },
      { id: "export", offset: 0, items: [{ name: externName(world.name), sort: "type", index: 0, offset: 0 }] },
    ],
  };
  return encodeComponent(info);
}

/** A WIT package as a component binary: each interface and world an exported component type. */
export function encodePackage(pkg: WitPackage): Uint8Array {
  const types: TypeDef[] = [];
  const exports: { name: ExternName; sort: "type"; index: number; offset: number }[] = [];
  // Each type definition and each type export takes a type index: the i-th definition is 2i.
  for (const iface of pkg.interfaces.values()) {
    exports.push({ name: externName(iface.name!), sort: "type", index: 2 * types.length, offset: 0 });
    types.push({ ...encodeInterfaceType(iface), offset: 0 });
  }
  for (const world of pkg.worlds.values()) {
    exports.push({ name: externName(world.name), sort: "type", index: 2 * types.length, offset: 0 });
    types.push({ ...wrapWorld(world), offset: 0 });
  }
  // Types and exports interleave so that each export follows its type, as `wit-component` writes them.
  const sections: ComponentSection[] = [encodingSection()];
  types.forEach((t, i) => {
    sections.push({ id: "type", offset: 0, items: [t] });
    sections.push({ id: "export", offset: 0, items: [exports[i]!] });
  });
  return encodeComponent({ sections });
}
