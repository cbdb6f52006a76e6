/**
 * Component -> WIT: what `wasm-tools component wit` prints.
 *
 * `decodeWit(component)` reads a decoded component (`decodeComponent`) in one of three shapes:
 * - a WIT package encoded as a component (every export a component type that exports one interface
 *   instance or one world component, named `ns:pkg/name@v`): the package and what it uses;
 * - world metadata, as found in a `component-type` custom section (one such export that is a world);
 * - any other component: its imports and exports as the world `root` of the package `root:component`.
 *
 * It walks the component's type-level index spaces (types, instances, functions, components: enough
 * to know the type of every import and export, nested components instantiated with their type
 * arguments substituted) and keeps the names the binary gives types (the `(export "x" (type (eq ..)))`
 * declarations), so the WIT comes back with its named records, `use`s and resources. Docs and gates
 * are not in the binary and do not come back. The component is expected to be valid (validation is
 * `validateComponent`'s job); what cannot be expressed in WIT is a `CompileError`.
 *
 * @module
 */
import { CompileError } from "../../errors.js";
import type {
  AliasDef, ComponentInfo, ComponentSection, Decl, ExternDesc, ExternName, TypeDef, ValTypeRef,
} from "../binary/ast.js";
import type { PrimitiveKind } from "../types.js";
import {
  type WitFunction, type WitFunctionKind, WitInterface, WitPackage, type WitPackageName, type WitResolution, type WitType,
  WitTypeDef, type WitTypeDefKind, WitWorld, type WitWorldItem,
} from "./model.js";

// ---- the type-level view of a component ------------------------------------------------------------

type Ent =
  | { readonly k: "prim"; readonly p: PrimitiveKind }
  | { readonly k: "record"; readonly fields: readonly { name: string; t: Ent }[] }
  | { readonly k: "variant"; readonly cases: readonly { name: string; t?: Ent }[] }
  | { readonly k: "enum" | "flags"; readonly names: readonly string[] }
  | { readonly k: "list"; readonly el: Ent; readonly len?: number }
  | { readonly k: "tuple"; readonly ts: readonly Ent[] }
  | { readonly k: "option"; readonly t: Ent }
  | { readonly k: "result"; readonly ok?: Ent; readonly err?: Ent }
  | { readonly k: "own" | "borrow"; readonly res: Ent }
  | { readonly k: "stream" | "future"; readonly el?: Ent }
  | { readonly k: "map"; readonly key: Ent; readonly value: Ent }
  /** A name given to a type by an import or export with an `eq` bound. */
  | { readonly k: "named"; readonly name: string; readonly target: Ent }
  /** A fresh resource type (`sub resource`, or a resource definition). */
  | { readonly k: "resource"; readonly name: string }
  | { readonly k: "func"; readonly params: readonly { name: string; t: Ent }[]; readonly result?: Ent; readonly async: boolean }
  | { readonly k: "instance"; readonly exports: readonly Extern[] }
  | { readonly k: "component"; readonly imports: readonly Extern[]; readonly exports: readonly Extern[] }
  /** A component definition (nested component), instantiated lazily. */
  | { readonly k: "componentdef"; readonly info: ComponentInfo; readonly space: Space }
  | { readonly k: "other" };

interface Extern {
  readonly name: string;
  readonly attributes: ExternName["attributes"];
  readonly sort: "type" | "func" | "instance" | "component" | "other";
  readonly ent: Ent;
}

const OTHER: Ent = { k: "other" };

/** The index spaces of one scope (a component, a component type or an instance type). */
class Space {
  readonly types: Ent[] = [];
  readonly funcs: Ent[] = [];
  readonly instances: Ent[] = [];
  readonly components: Ent[] = [];
  constructor(readonly parent: Space | undefined) {}

  at(list: readonly Ent[], index: number, what: string): Ent {
    const e = list[index];
    if (!e) throw new CompileError(`unknown ${what} ${index}`);
    return e;
  }

  outer(count: number): Space {
    let s: Space = this;
    for (let i = 0; i < count; i++) {
      if (!s.parent) throw new CompileError("outer alias out of range");
      s = s.parent;
    }
    return s;
  }
}

const MAX_DEPTH = 100;
/** The deepest nesting of anonymous types (`list<list<...>>`) that becomes WIT. */
const MAX_ANONYMOUS_DEPTH = 500;

class Walker {
  private depth = 0;

  /** The value or defined type at `ref` in `space`. */
  val(space: Space, ref: ValTypeRef): Ent {
    return typeof ref === "number" ? space.at(space.types, ref, "type") : { k: "prim", p: ref };
  }

  typeDef(space: Space, t: TypeDef): Ent {
    const v = (r: ValTypeRef): Ent => this.val(space, r);
    switch (t.kind) {
      case "primitive": return { k: "prim", p: t.type };
      case "record": return { k: "record", fields: t.fields.map((f) => ({ name: f.name, t: v(f.type) })) };
      case "variant": return { k: "variant", cases: t.cases.map((c) => (c.type !== undefined ? { name: c.name, t: v(c.type) } : { name: c.name })) };
      case "enum": case "flags": return { k: t.kind, names: t.names };
      case "list": return t.length !== undefined ? { k: "list", el: v(t.element), len: t.length } : { k: "list", el: v(t.element) };
      case "tuple": return { k: "tuple", ts: t.types.map(v) };
      case "option": return { k: "option", t: v(t.type) };
      case "result": return { k: "result", ...(t.ok !== undefined ? { ok: v(t.ok) } : {}), ...(t.err !== undefined ? { err: v(t.err) } : {}) };
      case "own": case "borrow": return { k: t.kind, res: space.at(space.types, t.resource, "type") };
      case "stream": case "future": return { k: t.kind, ...(t.element !== undefined ? { el: v(t.element) } : {}) };
      case "map": return { k: "map", key: v(t.key), value: v(t.value) };
      case "func": return { k: "func", params: t.params.map((p) => ({ name: p.name, t: v(p.type) })), async: t.async, ...(t.result !== undefined ? { result: v(t.result) } : {}) };
      case "resource": return { k: "resource", name: "" };
      case "instance": return this.decls(space, t.decls, "instance");
      case "component": return this.decls(space, t.decls, "component");
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new CompileError(`types nest deeper than ${MAX_DEPTH} levels`);
  }

  /** An instance or component type from its declarators. */
  private decls(parent: Space, decls: readonly Decl[], kind: "instance" | "component"): Ent {
    this.enter();
    const space = new Space(parent);
    const imports: Extern[] = [];
    const exports: Extern[] = [];
    for (const d of decls) {
      switch (d.kind) {
        case "core-type": break;
        case "type": space.types.push(this.typeDef(space, d.type)); break;
        case "alias": this.alias(space, d.alias); break;
        case "import": imports.push(this.declare(space, d.decl.name, d.decl.desc)); break;
        case "export": exports.push(this.declare(space, d.decl.name, d.decl.desc)); break;
      }
    }
    this.depth--;
    return kind === "instance" ? { k: "instance", exports } : { k: "component", imports, exports };
  }

  /** An import or export declarator: adds to the right index space and returns the extern. */
  private declare(space: Space, name: ExternName, desc: ExternDesc, given?: Ent): Extern {
    const base = { name: name.name, attributes: name.attributes };
    switch (desc.kind) {
      case "type": {
        const ent: Ent = given ?? (desc.bound.kind === "sub-resource"
          ? { k: "resource", name: name.name }
          : { k: "named", name: name.name, target: space.at(space.types, desc.bound.type, "type") });
        space.types.push(ent);
        return { ...base, sort: "type", ent };
      }
      case "func": {
        const ent = given ?? space.at(space.types, desc.type, "type");
        space.funcs.push(ent);
        return { ...base, sort: "func", ent };
      }
      case "instance": {
        const ent = given ?? space.at(space.types, desc.type, "type");
        space.instances.push(ent);
        return { ...base, sort: "instance", ent };
      }
      case "component": {
        const ent = given ?? space.at(space.types, desc.type, "type");
        space.components.push(ent);
        return { ...base, sort: "component", ent };
      }
      default:
        return { ...base, sort: "other", ent: OTHER };
    }
  }

  private alias(space: Space, a: AliasDef): void {
    const list = (s: Space): Ent[] | undefined =>
      a.sort === "type" ? s.types : a.sort === "func" ? s.funcs : a.sort === "instance" ? s.instances : a.sort === "component" ? s.components : undefined;
    if (a.kind === "outer") {
      const from = list(space.outer(a.count));
      const to = list(space);
      if (from && to) to.push(space.outer(a.count).at(from, a.index, a.sort));
      return;
    }
    if (a.kind === "core-export") return;
    const inst = space.at(space.instances, a.instance, "instance");
    const to = list(space);
    if (!to) return;
    const ex = inst.k === "instance" ? inst.exports.find((e) => e.name === a.name) : undefined;
    to.push(ex ? ex.ent : OTHER);
  }

  /** Walks a component's sections; `args` replaces its imports by name (instantiation). */
  component(info: ComponentInfo, parent: Space | undefined, args?: ReadonlyMap<string, Ent>): { imports: Extern[]; exports: Extern[] } {
    this.enter();
    const space = new Space(parent);
    const imports: Extern[] = [];
    const exports: Extern[] = [];
    for (const s of info.sections) this.section(space, s, imports, exports, args);
    this.depth--;
    return { imports, exports };
  }

  private section(space: Space, s: ComponentSection, imports: Extern[], exports: Extern[], args?: ReadonlyMap<string, Ent>): void {
    switch (s.id) {
      case "type":
        for (const t of s.items) space.types.push(this.typeDef(space, t));
        return;
      case "alias":
        for (const a of s.items) this.alias(space, a);
        return;
      case "import":
        for (const i of s.items) imports.push(this.declare(space, i.name, i.desc, args?.get(i.name.name)));
        return;
      case "component":
        space.components.push({ k: "componentdef", info: s.component, space });
        return;
      case "canon":
        for (const c of s.items) if (c.kind === "lift") space.funcs.push(space.at(space.types, c.type!, "type"));
        return;
      case "instance":
        for (const i of s.items) {
          if (i.kind === "exports") {
            space.instances.push({
              k: "instance",
              exports: i.exports.map((e) => {
                const ent = this.item(space, e.sort, e.index);
                // As for component exports, an exported type is a new name for the type.
                return { name: e.name.name, attributes: e.name.attributes, sort: sortOf(e.sort), ent: e.sort === "type" ? { k: "named", name: e.name.name, target: ent } : ent };
              }),
            });
          } else {
            const c = space.at(space.components, i.component, "component");
            const argMap = new Map<string, Ent>();
            for (const arg of i.args) argMap.set(arg.name, this.item(space, arg.sort, arg.index));
            space.instances.push(this.instantiate(c, argMap));
          }
        }
        return;
      case "export":
        for (const e of s.items) {
          const ent = e.desc ? this.ascribed(space, e.desc) : this.item(space, e.sort, e.index);
          const name = e.name;
          // A type export gives the type a new name (and index); other sorts export the item itself.
          const exported: Ent = e.sort === "type" ? { k: "named", name: name.name, target: ent } : ent;
          const sort = sortOf(e.sort);
          if (sort === "type") space.types.push(exported);
          else if (sort === "func") space.funcs.push(exported);
          else if (sort === "instance") space.instances.push(exported);
          else if (sort === "component") space.components.push(exported);
          exports.push({ name: name.name, attributes: name.attributes, sort, ent: exported });
        }
        return;
      default:
        return;
    }
  }

  private ascribed(space: Space, desc: ExternDesc): Ent {
    if (desc.kind === "type") return desc.bound.kind === "eq" ? space.at(space.types, desc.bound.type, "type") : { k: "resource", name: "" };
    if (desc.kind === "func" || desc.kind === "instance" || desc.kind === "component") return space.at(space.types, desc.type, "type");
    return OTHER;
  }

  private item(space: Space, sort: string, index: number): Ent {
    switch (sort) {
      case "type": return space.at(space.types, index, "type");
      case "func": return space.at(space.funcs, index, "function");
      case "instance": return space.at(space.instances, index, "instance");
      case "component": return space.at(space.components, index, "component");
      default: return OTHER;
    }
  }

  private instantiate(c: Ent, args: ReadonlyMap<string, Ent>): Ent {
    if (c.k === "componentdef") return { k: "instance", exports: this.component(c.info, c.space, args).exports };
    if (c.k === "component") return { k: "instance", exports: c.exports };
    return { k: "instance", exports: [] };
  }
}

/** Types WIT can only write by name. */
function isNominal(e: Ent): boolean {
  return e.k === "record" || e.k === "variant" || e.k === "enum" || e.k === "flags" || e.k === "resource";
}

function sortOf(sort: string): Extern["sort"] {
  return sort === "type" || sort === "func" || sort === "instance" || sort === "component" ? sort : "other";
}

// ---- building WIT ------------------------------------------------------------------------------------

/** `ns:pkg/name@version` split; undefined for a plain name. */
export function parseInterfaceName(name: string): { pkg: WitPackageName; name: string } | undefined {
  const m = /^([^:/@]+(?::[^:/@]+)*):([^:/@]+)\/([^@]+)(?:@(.+))?$/.exec(name);
  if (!m) return undefined;
  return { pkg: { namespace: m[1]!, name: m[2]!, ...(m[4] !== undefined ? { version: m[4] } : {}) }, name: m[3]! };
}

class Builder {
  private readonly packages = new Map<string, WitPackage>();
  readonly order: WitPackage[] = [];
  /** Which WIT definition each named entry (or resource) is. */
  private readonly defs = new Map<Ent, WitTypeDef>();

  package(name: WitPackageName): WitPackage {
    const key = `${name.namespace}:${name.name}@${name.version ?? ""}`;
    let p = this.packages.get(key);
    if (!p) {
      p = new WitPackage(name);
      this.packages.set(key, p);
      this.order.push(p);
    }
    return p;
  }

  /** The interface with this qualified name, created empty on first mention. */
  namedInterface(qualified: string): WitInterface {
    const parsed = parseInterfaceName(qualified)!;
    const pkg = this.package(parsed.pkg);
    let iface = pkg.interfaces.get(parsed.name);
    if (!iface) {
      iface = new WitInterface(parsed.name, pkg);
      pkg.interfaces.set(parsed.name, iface);
    }
    return iface;
  }

  /** Adds an instance type's types and functions to `iface` (those it does not have yet). */
  fillInterface(iface: WitInterface, inst: Ent): void {
    if (inst.k !== "instance") throw new CompileError(`\`${iface.qualifiedName ?? "interface"}\` is not an instance`);
    for (const ex of inst.exports) {
      if (ex.sort !== "type") continue;
      const existing = iface.types.get(ex.name);
      if (existing) {
        this.defs.set(ex.ent, existing);
        continue;
      }
      const def = new WitTypeDef(ex.name, iface);
      def.kind = this.kindOf(ex.ent, iface);
      this.register(ex.ent, def);
      iface.types.set(ex.name, def);
    }
    for (const ex of inst.exports) {
      if (ex.sort !== "func" || iface.functions.has(ex.name)) continue;
      iface.functions.set(ex.name, this.func(ex.name, ex.ent, iface));
    }
  }

  /**
   * Records which definition a named entry is. The structure it names is that definition too, when
   * nothing named it before: an instance built from a component's own record type and a function
   * using that record both refer to the record, and WIT calls it by the exported name.
   */
  private register(ent: Ent, def: WitTypeDef): void {
    this.defs.set(ent, def);
    if (ent.k === "named" && !this.defs.has(ent.target) && isNominal(ent.target)) this.defs.set(ent.target, def);
  }

  /** The definition of a named type entry (or a resource). */
  private kindOf(ent: Ent, owner: WitInterface | WitWorld): WitTypeDefKind {
    if (ent.k === "resource") return { kind: "resource" };
    if (ent.k !== "named") return { kind: "alias", type: this.type(ent) };
    const target = ent.target;
    const known = this.lookup(target);
    if (known) return { kind: "alias", type: { kind: "named", def: known } };
    const t = this.follow(target);
    switch (t.k) {
      case "resource": return { kind: "resource" };
      case "record": return { kind: "record", fields: t.fields.map((f) => ({ name: f.name, type: this.type(f.t) })) };
      case "variant": return { kind: "variant", cases: t.cases.map((c) => (c.t ? { name: c.name, type: this.type(c.t) } : { name: c.name })) };
      case "enum": return { kind: "enum", cases: t.names.map((name) => ({ name })) };
      case "flags": return { kind: "flags", flags: t.names.map((name) => ({ name })) };
      default: void owner; return { kind: "alias", type: this.type(t) };
    }
  }

  /** The registered definition an entry stands for, following unregistered names. */
  private lookup(ent: Ent): WitTypeDef | undefined {
    let e: Ent = ent;
    for (let i = 0; i < 1000; i++) {
      const d = this.defs.get(e);
      if (d) return d;
      if (e.k !== "named") return undefined;
      e = e.target;
    }
    return undefined;
  }

  /** Strips unregistered names off an entry. */
  private follow(ent: Ent): Ent {
    let e = ent;
    while (e.k === "named" && !this.defs.has(e)) e = e.target;
    return e;
  }

  /** How deep `type` is in its recursion (anonymous types nest as trees). */
  private depth = 0;

  type(ent: Ent): WitType {
    const known = this.lookup(ent);
    if (known) return { kind: "named", def: known };
    if (this.depth >= MAX_ANONYMOUS_DEPTH) throw new CompileError(`anonymous types nest deeper than ${MAX_ANONYMOUS_DEPTH} levels`);
    this.depth++;
    try {
      return this.anonymous(this.follow(ent));
    } finally {
      this.depth--;
    }
  }

  private anonymous(e: Ent): WitType {
    switch (e.k) {
      case "prim": return { kind: e.p };
      case "list": return e.len !== undefined ? { kind: "list", element: this.type(e.el), length: e.len } : { kind: "list", element: this.type(e.el) };
      case "tuple": return { kind: "tuple", types: e.ts.map((x) => this.type(x)) };
      case "option": return { kind: "option", type: this.type(e.t) };
      case "result": return { kind: "result", ...(e.ok ? { ok: this.type(e.ok) } : {}), ...(e.err ? { err: this.type(e.err) } : {}) };
      case "map": return { kind: "map", key: this.type(e.key), value: this.type(e.value) };
      case "stream": case "future": return e.el ? { kind: e.k, element: this.type(e.el) } : { kind: e.k };
      case "own": case "borrow": {
        const def = this.lookup(e.res);
        if (!def) throw new CompileError("a handle to a resource that has no name cannot be written in WIT");
        return e.k === "own" ? { kind: "named", def } : { kind: "borrow", def };
      }
      default:
        throw new CompileError(`an anonymous ${e.k} type cannot be written in WIT (it needs a name: export it as a type)`);
    }
  }

  func(name: string, ent: Ent, scope: WitInterface | undefined): WitFunction {
    if (ent.k !== "func") throw new CompileError(`\`${name}\` is not a function`);
    let kind: WitFunctionKind = "freestanding";
    let resource: WitTypeDef | undefined;
    const m = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/.exec(name);
    if (m && scope) {
      kind = m[1] as WitFunctionKind;
      resource = scope.types.get(m[2]!);
      if (!resource) throw new CompileError(`\`${name}\` names the resource \`${m[2]}\`, which the interface does not define`);
    }
    return {
      name, kind, async: ent.async,
      params: ent.params.map((p) => ({ name: p.name, type: this.type(p.t) })),
      ...(ent.result ? { result: this.type(ent.result) } : {}),
      ...(resource ? { resource } : {}),
    };
  }

  /** Fills a world from a component (type)'s imports and exports. */
  world(world: WitWorld, imports: readonly Extern[], exports: readonly Extern[]): void {
    for (const [side, list] of [["imports", imports], ["exports", exports]] as const) {
      const map = world[side];
      for (const ex of list) {
        const item = this.worldItem(world, ex);
        if (!item) continue;
        const externalId = ex.attributes.find((a) => a.kind === "external-id");
        if (externalId && item.kind !== "type") item.externalId = externalId.value;
        map.set(ex.name, item);
      }
    }
  }

  private worldItem(world: WitWorld, ex: Extern): WitWorldItem | undefined {
    switch (ex.sort) {
      case "instance": {
        if (parseInterfaceName(ex.name)) {
          const iface = this.namedInterface(ex.name);
          this.fillInterface(iface, ex.ent);
          return { kind: "interface", interface: iface };
        }
        const impl = ex.attributes.find((a) => a.kind === "implements");
        if (impl && parseInterfaceName(impl.value)) {
          const iface = this.namedInterface(impl.value);
          this.fillInterface(iface, ex.ent);
          return { kind: "interface", interface: iface, plainName: ex.name };
        }
        const iface = new WitInterface(undefined, world.package);
        this.fillInterface(iface, ex.ent);
        return { kind: "interface", interface: iface };
      }
      case "func":
        return { kind: "function", func: this.func(ex.name, ex.ent, undefined) };
      case "type": {
        const def = new WitTypeDef(ex.name, world);
        def.kind = this.kindOf(ex.ent, world);
        this.register(ex.ent, def);
        return { kind: "type", def };
      }
      default:
        return undefined;
    }
  }
}

/** Whether a component is a WIT package (or world metadata): every export a component type naming one interface or world. */
function packageShape(exports: readonly Extern[]): boolean {
  return exports.length > 0 && exports.every((e) =>
    e.sort === "type" && e.ent.k === "named" && e.ent.target.k === "component" && e.ent.target.exports.length === 1 &&
    parseInterfaceName(e.ent.target.exports[0]!.name) !== undefined &&
    (e.ent.target.exports[0]!.ent.k === "instance" || e.ent.target.exports[0]!.ent.k === "component"));
}

/**
 * The WIT of a decoded component: a package, a world's metadata, or the world `root:component/root`
 * of an ordinary component (see the module comment).
 *
 * @throws CompileError when an index is out of range or a type cannot be written in WIT.
 */
export function decodeWit(component: ComponentInfo): WitResolution {
  const walker = new Walker();
  const { imports, exports } = walker.component(component, undefined);
  const b = new Builder();
  if (packageShape(exports)) {
    let root: WitPackage | undefined;
    for (const e of exports) {
      const ty = (e.ent as { target: Ent }).target as Extern["ent"] & { k: "component" };
      // The dependencies this definition imports.
      for (const imp of ty.imports) {
        if (imp.sort === "instance" && parseInterfaceName(imp.name)) b.fillInterface(b.namedInterface(imp.name), imp.ent);
      }
      const inner = ty.exports[0]!;
      const parsed = parseInterfaceName(inner.name)!;
      const pkg = b.package(parsed.pkg);
      root ??= pkg;
      if (inner.ent.k === "instance") b.fillInterface(b.namedInterface(inner.name), inner.ent);
      else {
        const w = inner.ent as Ent & { k: "component" };
        const world = new WitWorld(parsed.name, pkg);
        b.world(world, w.imports, w.exports);
        pkg.worlds.set(world.name, world);
      }
    }
    return { packages: rootFirst(b.order, root), root };
  }
  const root = b.package({ namespace: "root", name: "component" });
  const world = new WitWorld("root", root);
  b.world(world, imports, exports);
  root.worlds.set("root", world);
  return { packages: rootFirst(b.order, root), root };
}

function rootFirst(order: readonly WitPackage[], root: WitPackage | undefined): WitPackage[] {
  return root ? [root, ...order.filter((p) => p !== root)] : [...order];
}
