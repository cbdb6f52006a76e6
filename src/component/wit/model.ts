/**
 * Resolved WIT: packages of interfaces and worlds whose names all point at their definitions.
 *
 * This is the form that printing, encoding to a component and bindings generation read. Types keep
 * their names (a `use`d type is an alias typedef that points at the original definition, so printers
 * can write `use a.{t}` again); `witToValueType` turns them into the anonymous `ValueType` trees of
 * `../types.ts` that the canonical ABI works on. Objects are identities: two references to the same
 * type definition are the same `WitTypeDef`, and a resource is the same resource wherever it is used.
 *
 * @module
 */
import type { PrimitiveKind } from "../types.js";

/** `ns:name@version`. */
export interface WitPackageName {
  readonly namespace: string;
  readonly name: string;
  readonly version?: string;
}

/** The `@since`/`@unstable`/`@deprecated` gate of an item (absent when ungated). */
export type WitStability =
  | { readonly kind: "stable"; readonly since: string; readonly deprecated?: string }
  | { readonly kind: "unstable"; readonly feature: string; readonly deprecated?: string };

/** What every named WIT item carries besides its definition. */
export interface WitItemInfo {
  /** Its doc comment (`///` lines or `/** *\/`), markers stripped, lines joined by `\n`. */
  docs?: string;
  stability?: WitStability;
}

/** A package: interfaces and worlds in definition (dependency) order. */
export class WitPackage implements WitItemInfo {
  readonly name: WitPackageName;
  readonly interfaces = new Map<string, WitInterface>();
  readonly worlds = new Map<string, WitWorld>();
  docs?: string;

  constructor(name: WitPackageName) {
    this.name = name;
  }

  /** `ns:name@version`. */
  toString(): string {
    return witPackageNameText(this.name);
  }
}

/** An interface: named (`interface x { }` in a package) or inline in a world (`import x: interface { }`). */
export class WitInterface implements WitItemInfo {
  /** Its name, `undefined` for an inline interface of a world. */
  readonly name: string | undefined;
  /** The package that defines it (for inline interfaces, the world's package). */
  readonly package: WitPackage | undefined;
  /** Type definitions by name, in dependency order (`use`d types come first, as aliases). */
  readonly types = new Map<string, WitTypeDef>();
  /** Functions by their component-level name (`f`, `[constructor]r`, `[method]r.m`, `[static]r.s`). */
  readonly functions = new Map<string, WitFunction>();
  docs?: string;
  stability?: WitStability;

  constructor(name: string | undefined, pkg: WitPackage | undefined) {
    this.name = name;
    this.package = pkg;
  }

  /** The interface name components use for it: `ns:pkg/name@version` (undefined for inline ones). */
  get qualifiedName(): string | undefined {
    if (this.name === undefined || this.package === undefined) return undefined;
    const p = this.package.name;
    return `${p.namespace}:${p.name}/${this.name}${p.version !== undefined ? `@${p.version}` : ""}`;
  }
}

/** A field of a record or a parameter of a function. */
export interface WitField extends WitItemInfo {
  readonly name: string;
  readonly type: WitType;
}

/** A case of a variant. */
export interface WitCase extends WitItemInfo {
  readonly name: string;
  readonly type?: WitType;
}

/** A case of an enum or a flag of a flags type. */
export interface WitName extends WitItemInfo {
  readonly name: string;
}

/** What a type definition defines. `alias` covers both `type x = ...` and a `use`d type. */
export type WitTypeDefKind =
  | { readonly kind: "record"; readonly fields: readonly WitField[] }
  | { readonly kind: "variant"; readonly cases: readonly WitCase[] }
  | { readonly kind: "enum"; readonly cases: readonly WitName[] }
  | { readonly kind: "flags"; readonly flags: readonly WitName[] }
  | { readonly kind: "resource" }
  | { readonly kind: "alias"; readonly type: WitType };

/** A named type definition in an interface or a world. */
export class WitTypeDef implements WitItemInfo {
  readonly name: string;
  /** Where it is defined. */
  readonly owner: WitInterface | WitWorld;
  /** Filled in by the resolver once every name of the scope is known. */
  kind: WitTypeDefKind = { kind: "resource" };
  docs?: string;
  stability?: WitStability;
  /** `@external-id("...")` (🏷️), if given. */
  externalId?: string;

  constructor(name: string, owner: WitInterface | WitWorld) {
    this.name = name;
    this.owner = owner;
  }

  /** Follows aliases to the definition that is not an alias (a record, a resource, ...) or to an anonymous type. */
  resolved(): WitTypeDef | WitType {
    let def: WitTypeDef = this;
    for (let guard = 0; guard < 10_000; guard++) {
      if (def.kind.kind !== "alias") return def;
      const t = def.kind.type;
      if (t.kind !== "named") return t;
      def = t.def;
    }
    throw new Error("alias chain too long");
  }
}

/** A WIT type as written: a primitive, a reference to a named definition, or an anonymous constructor. */
export type WitType =
  | { readonly kind: PrimitiveKind }
  /** A named type; when it resolves to a resource this is an owned handle (`own<r>`). */
  | { readonly kind: "named"; readonly def: WitTypeDef }
  | { readonly kind: "borrow"; readonly def: WitTypeDef }
  | { readonly kind: "list"; readonly element: WitType; readonly length?: number }
  | { readonly kind: "option"; readonly type: WitType }
  | { readonly kind: "result"; readonly ok?: WitType; readonly err?: WitType }
  | { readonly kind: "tuple"; readonly types: readonly WitType[] }
  | { readonly kind: "map"; readonly key: WitType; readonly value: WitType }
  | { readonly kind: "future" | "stream"; readonly element?: WitType };

/** How a function relates to a resource. */
export type WitFunctionKind = "freestanding" | "method" | "static" | "constructor";

/** A function of an interface, a world or a resource. */
export interface WitFunction extends WitItemInfo {
  /** The component-level name: `f`, `[constructor]r`, `[method]r.m` or `[static]r.s`. */
  readonly name: string;
  readonly kind: WitFunctionKind;
  /** The resource of a constructor, method or static function. */
  readonly resource?: WitTypeDef;
  /** Parameters; a method's first is `self: borrow<r>`. */
  readonly params: readonly WitField[];
  readonly result?: WitType;
  readonly async: boolean;
  externalId?: string;
}

/** The name a function has in its source (`m` for `[method]r.m`, `constructor` for a constructor). */
export function witFunctionShortName(f: WitFunction): string {
  if (f.kind === "freestanding") return f.name;
  if (f.kind === "constructor") return "constructor";
  return f.name.slice(f.name.indexOf(".") + 1);
}

/** An import or export of a world. */
export type WitWorldItem =
  | {
    readonly kind: "interface";
    readonly interface: WitInterface;
    /** Set when a named interface is imported under a plain name (`import one: store;`, 🏷️). */
    readonly plainName?: string;
    stability?: WitStability;
    docs?: string;
    externalId?: string;
  }
  | { readonly kind: "function"; readonly func: WitFunction; stability?: WitStability; docs?: string; externalId?: string }
  | { readonly kind: "type"; readonly def: WitTypeDef; stability?: WitStability; docs?: string };

/**
 * A world: its imports and exports keyed by the names the component uses for them (an interface's
 * qualified name `ns:pkg/i@v`, or a plain name). After resolution the imports also hold every
 * interface the world needs transitively (through `use`), dependencies first.
 */
export class WitWorld implements WitItemInfo {
  readonly name: string;
  readonly package: WitPackage | undefined;
  readonly imports = new Map<string, WitWorldItem>();
  readonly exports = new Map<string, WitWorldItem>();
  docs?: string;
  stability?: WitStability;

  constructor(name: string, pkg: WitPackage | undefined) {
    this.name = name;
    this.package = pkg;
  }

  /** `ns:pkg/world@version`. */
  get qualifiedName(): string {
    if (!this.package) return this.name;
    const p = this.package.name;
    return `${p.namespace}:${p.name}/${this.name}${p.version !== undefined ? `@${p.version}` : ""}`;
  }
}

/** `ns:name@version` as text. */
export function witPackageNameText(p: WitPackageName): string {
  return `${p.namespace}:${p.name}${p.version !== undefined ? `@${p.version}` : ""}`;
}

/** The result of resolving a set of WIT sources. */
export interface WitResolution {
  /** Every package, dependencies before the packages that use them. */
  readonly packages: readonly WitPackage[];
  /** The root package (the one the caller asked for), when there is one. */
  readonly root: WitPackage | undefined;
}
