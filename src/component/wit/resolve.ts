/**
 * The WIT resolver: parsed files grouped into packages -> `WitPackage`s whose names all point at their
 * definitions (`WIT.md`, "Name resolution", "WIT Packages and `use`", "Union of Worlds with
 * `include`", "Transitive imports and worlds", "Feature Gates").
 *
 * - Packages are resolved dependencies first; a package cycle or a missing package is an error at the
 *   reference. A package defined twice (say, inline and in `deps/`) is taken from its first definition.
 * - Within a package, interfaces and worlds are resolved on demand, so files and items may come in any
 *   order; a `use` or `include` cycle is an error.
 * - Items gated `@unstable(feature = f)` are left out unless `f` is enabled; `@since` items are kept.
 * - A world's imports are completed with every interface its items need through `use`, dependencies
 *   first; an exported interface's dependencies are imported unless they are exported too.
 *
 * Every error is a `WitError` at the offending name.
 *
 * @module
 */
import { WitError } from "../../errors.js";
import type {
  ExternAst, FileAst, GateAst, Ident, InterfaceAst, InterfaceItemAst, PackageBodyAst, PackageNameAst, TypeDefAst,
  UseAst, UsePathAst, WorldAst,
} from "./ast.js";
import {
  WitInterface, WitPackage, type WitPackageName, type WitResolution, WitTypeDef, WitWorld, type WitWorldItem,
  witPackageNameText,
} from "./model.js";
import { checkTypeCycles, defMentions, dependencyOrder, elaborate, interfaceDependencies } from "./deps.js";
import { parseWitFile } from "./parser.js";
import { resolveFunc, resourceFuncs, stabilityOf, typeDefBody, withHeadInfo, witErrorAt } from "./resolve-types.js";

/** One WIT source file. */
export interface WitSource {
  /** Its path, used in error messages. */
  readonly path: string;
  readonly source: string;
}

/** Options of resolution. */
export interface WitResolveOptions {
  /** `@unstable` features to include. */
  readonly features?: readonly string[];
  /** 🪺 nested namespaces and packages in package names and `use` paths (off by default). */
  readonly nestedNames?: boolean;
  /** Include every `@unstable` item. */
  readonly allFeatures?: boolean;
}

/** A file's body for one package, with where it came from. */
interface Body {
  readonly file: FileAst;
  readonly body: PackageBodyAst;
}

interface Unit {
  readonly name: PackageNameAst;
  readonly key: string;
  readonly bodies: Body[];
}

/**
 * Resolves groups of files. Each group is the files of one package (a directory's `*.wit`, or one
 * file); nested `package a:b { }` blocks become packages of their own. The root is the package of the
 * first group.
 */
export function resolveWitGroups(groups: readonly (readonly WitSource[])[], options: WitResolveOptions = {}): WitResolution {
  const units: Unit[] = [];
  const byKey = new Map<string, Unit>();
  let rootKey: string | undefined;
  groups.forEach((group, gi) => {
    const files = group.map((s) => parseWitFile(s.source, s.path, { nestedNames: options.nestedNames === true }));
    let name: PackageNameAst | undefined;
    let nameFile: FileAst | undefined;
    const rootBodies: Body[] = [];
    for (const file of files) {
      const p = file.root.package;
      if (p) {
        if (name && witPackageNameText(name) !== witPackageNameText(p)) {
          throw new WitError(
            `package \`${witPackageNameText(p)}\` does not match \`${witPackageNameText(name)}\` declared in ${nameFile?.file ?? "another file"}`,
            file.source, p.at, file.file,
          );
        }
        name ??= p;
        nameFile ??= file;
      }
      if (p || file.root.items.length) rootBodies.push({ file, body: file.root });
    }
    if (rootBodies.some((b) => b.body.items.length) || name) {
      if (!name) {
        const f = rootBodies[0]!.file;
        throw new WitError("no `package` declaration: one file of the package must start with `package ns:name;`", f.source, 0, f.file);
      }
      addUnit({ name, key: witPackageNameText(name), bodies: rootBodies });
      if (gi === 0) rootKey = witPackageNameText(name);
    }
    for (const file of files) {
      for (const body of file.nested) addUnit({ name: body.package!, key: witPackageNameText(body.package!), bodies: [{ file, body }] });
    }
  });

  function addUnit(u: Unit): void {
    if (byKey.has(u.key)) return;
    byKey.set(u.key, u);
    units.push(u);
  }

  const features = new Set(options.features ?? []);
  const resolver = new Resolver(byKey, features, options.allFeatures ?? false);
  for (const u of units) resolver.package(u);
  const root = rootKey === undefined ? undefined : resolver.resolved.get(rootKey);
  return { packages: resolver.order, root };
}

/** Resolves one WIT file: its package is the root, nested packages its dependencies. */
export function resolveWitSource(source: string, path = "<input>", options?: WitResolveOptions): WitResolution {
  return resolveWitGroups([[{ path, source }]], options);
}

/**
 * Resolves a WIT directory given as files: `dir/*.wit` are the root package; each `dir/deps/X.wit`
 * and each `dir/deps/X/` (its `*.wit`) is a dependency. `files` holds paths relative to anything, as
 * long as they start with `dir` (use `/` as the separator).
 */
export function resolveWitDirectory(dir: string, files: readonly WitSource[], options?: WitResolveOptions): WitResolution {
  const base = dir.replace(/\/+$/, "");
  const root: WitSource[] = [];
  const deps = new Map<string, WitSource[]>();
  for (const f of files) {
    const rel = f.path.startsWith(`${base}/`) ? f.path.slice(base.length + 1) : f.path;
    const parts = rel.split("/");
    if (!rel.endsWith(".wit")) continue;
    if (parts.length === 1) root.push(f);
    else if (parts[0] === "deps" && (parts.length === 2 || parts.length === 3)) {
      const key = parts.length === 2 ? rel : parts.slice(0, 2).join("/");
      let g = deps.get(key);
      if (!g) deps.set(key, (g = []));
      g.push(f);
    }
  }
  const byPath = (a: WitSource, b: WitSource): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const groups = [root.sort(byPath), ...[...deps.keys()].sort().map((k) => deps.get(k)!.sort(byPath))];
  return resolveWitGroups(groups, options);
}

// ---------------------------------------------------------------------------------------------------

/** A name in a file's scope: an interface or world of the package, or a top-level `use`. */
type Scoped = { kind: "interface"; decl: Decl<InterfaceAst> } | { kind: "world"; decl: Decl<WorldAst> } | { kind: "foreign"; iface: WitInterface };

interface Decl<T> {
  readonly ast: T;
  readonly file: FileAst;
  readonly scope: Map<string, Scoped>;
  /** The package being resolved that declares it. */
  readonly state: PackageState;
}

interface PackageState {
  readonly pkg: WitPackage;
  readonly interfaces: Map<string, Decl<InterfaceAst>>;
  readonly worlds: Map<string, Decl<WorldAst>>;
}

class Resolver {
  readonly resolved = new Map<string, WitPackage>();
  readonly order: WitPackage[] = [];
  private readonly inProgress = new Set<string>();
  private readonly ifaceDone = new Map<Decl<InterfaceAst>, WitInterface>();
  private readonly ifaceBusy = new Set<Decl<InterfaceAst>>();
  private readonly worldDone = new Map<Decl<WorldAst>, WitWorld>();
  private readonly worldBusy = new Set<Decl<WorldAst>>();
  private readonly states = new Map<WitPackage, PackageState>();

  constructor(
    private readonly units: ReadonlyMap<string, Unit>,
    private readonly features: ReadonlySet<string>,
    private readonly allFeatures: boolean,
  ) {}

  /** Whether an item's gate lets it in. */
  private enabled(gate: GateAst | undefined): boolean {
    return gate?.unstable === undefined || this.allFeatures || this.features.has(gate.unstable);
  }

  /** Resolves a package unit (its dependencies first). */
  package(unit: Unit, from?: { file: FileAst; at: number }): WitPackage {
    const done = this.resolved.get(unit.key);
    if (done) return done;
    if (this.inProgress.has(unit.key)) {
      throw from ? witErrorAt(`package \`${unit.key}\` depends on itself`, from.file, from.at) : new WitError(`package \`${unit.key}\` depends on itself`);
    }
    this.inProgress.add(unit.key);
    const name: WitPackageName = { namespace: unit.name.namespace, name: unit.name.name, ...(unit.name.version !== undefined ? { version: unit.name.version } : {}) };
    const pkg = new WitPackage(name);
    const state: PackageState = { pkg, interfaces: new Map(), worlds: new Map() };
    this.states.set(pkg, state);
    // Dependencies first, so that the package order is a topological one.
    for (const { file, body } of unit.bodies) {
      for (const path of foreignPaths(body)) this.foreignPackage(path, file);
    }
    // Collect declarations: each body (a file's part of the package) has its own scope, which sees
    // every interface and world of the package plus the file's top-level `use`s.
    const allNames = new Map<string, true>();
    const scopes = unit.bodies.map(() => new Map<string, Scoped>());
    unit.bodies.forEach(({ file, body }, bi) => {
      if (body.docs !== undefined && pkg.docs === undefined) pkg.docs = body.docs;
      for (const item of body.items) {
        if (item.kind === "top-use" || !this.enabled(item.gate)) continue;
        if (allNames.has(item.name.name)) throw witErrorAt(`\`${item.name.name}\` is defined more than once in package \`${unit.key}\``, file, item.name.at);
        allNames.set(item.name.name, true);
        const decl = { ast: item, file, scope: scopes[bi]!, state };
        if (item.kind === "interface") state.interfaces.set(item.name.name, decl as Decl<InterfaceAst>);
        else state.worlds.set(item.name.name, decl as Decl<WorldAst>);
      }
    });
    unit.bodies.forEach(({ file, body }, bi) => {
      const scope = scopes[bi]!;
      for (const [n, d] of state.interfaces) scope.set(n, { kind: "interface", decl: d });
      for (const [n, d] of state.worlds) scope.set(n, { kind: "world", decl: d });
      for (const item of body.items) {
        if (item.kind !== "top-use") continue;
        const as = item.as ?? item.path.name;
        let target: Scoped;
        if (item.path.kind === "local") {
          const s = scope.get(item.path.name.name);
          if (!s || s.kind !== "interface") throw witErrorAt(`interface \`${item.path.name.name}\` is not defined`, file, item.path.name.at);
          target = s;
        } else {
          target = { kind: "foreign", iface: this.interfaceByPath(item.path, file, scope) };
        }
        const existing = scope.get(as.name);
        if (existing && existing !== target) throw witErrorAt(`\`${as.name}\` is already defined (use \`as\` to pick another name)`, file, as.at);
        scope.set(as.name, target);
      }
    });
    if (name.version === undefined) {
      for (const { file, body } of unit.bodies) {
        const gated = findGate(body);
        if (gated) throw witErrorAt(`package \`${unit.key}\` uses feature gates, so it needs a version (\`package ${unit.key}@x.y.z;\`)`, file, gated.at);
      }
    }
    for (const d of state.interfaces.values()) this.interface(d);
    for (const d of state.worlds.values()) this.world(d);
    // Interfaces in dependency order (as `wit-parser` sorts them), source order among equals.
    const ifaces = [...state.interfaces.keys()].map((n) => pkg.interfaces.get(n)!);
    pkg.interfaces.clear();
    for (const i of dependencyOrder(ifaces, (i) => interfaceDependencies(i.types.values(), i))) pkg.interfaces.set(i.name!, i);
    this.inProgress.delete(unit.key);
    this.resolved.set(unit.key, pkg);
    this.order.push(pkg);
    return pkg;
  }

  private foreignPackage(p: PackageNameAst, file: FileAst): WitPackage {
    const key = witPackageNameText(p);
    const unit = this.units.get(key);
    if (!unit) {
      const others = [...this.units.keys()].filter((k) => k.split("@")[0] === `${p.namespace}:${p.name}`);
      const hint = others.length ? ` (found ${others.map((o) => `\`${o}\``).join(", ")})` : "";
      throw witErrorAt(`package \`${key}\` not found${hint}`, file, p.at);
    }
    return this.package(unit, { file, at: p.at });
  }

  /** The interface a `use`/`import`/`include` path names. */
  private interfaceByPath(path: UsePathAst, file: FileAst, scope: ReadonlyMap<string, Scoped>): WitInterface {
    if (path.kind === "package") {
      const pkg = this.foreignPackage(path.package, file);
      const iface = pkg.interfaces.get(path.name.name);
      if (!iface) throw witErrorAt(`interface \`${path.name.name}\` not found in package \`${pkg}\``, file, path.name.at);
      return iface;
    }
    const s = scope.get(path.name.name);
    if (!s) throw witErrorAt(`interface \`${path.name.name}\` is not defined`, file, path.name.at);
    if (s.kind === "world") throw witErrorAt(`\`${path.name.name}\` is a world, not an interface`, file, path.name.at);
    if (s.kind === "foreign") return s.iface;
    return this.interface(s.decl, { file, at: path.name.at });
  }

  private worldByPath(path: UsePathAst, file: FileAst, scope: ReadonlyMap<string, Scoped>): WitWorld {
    if (path.kind === "package") {
      const pkg = this.foreignPackage(path.package, file);
      const w = pkg.worlds.get(path.name.name);
      if (!w) throw witErrorAt(`world \`${path.name.name}\` not found in package \`${pkg}\``, file, path.name.at);
      return w;
    }
    const s = scope.get(path.name.name);
    if (!s || s.kind !== "world") {
      throw witErrorAt(s ? `\`${path.name.name}\` is an interface, not a world` : `world \`${path.name.name}\` is not defined`, file, path.name.at);
    }
    return this.world(s.decl, { file, at: path.name.at });
  }

  // ---- interfaces ----

  interface(d: Decl<InterfaceAst>, from?: { file: FileAst; at: number }): WitInterface {
    const done = this.ifaceDone.get(d);
    if (done && !this.ifaceBusy.has(d)) return done;
    if (this.ifaceBusy.has(d)) {
      const f = from ?? { file: d.file, at: d.ast.name.at };
      throw witErrorAt(`interface \`${d.ast.name.name}\` depends on itself through \`use\``, f.file, f.at);
    }
    const st = d.state;
    const iface = new WitInterface(d.ast.name.name, st.pkg);
    withHeadInfo(iface, d.ast);
    this.ifaceDone.set(d, iface);
    this.ifaceBusy.add(d);
    this.interfaceItems(iface, d.ast.items, d.file, d.scope);
    this.ifaceBusy.delete(d);
    st.pkg.interfaces.set(d.ast.name.name, iface);
    return iface;
  }

  /** Fills an interface (named or inline) from its items. */
  private interfaceItems(iface: WitInterface, items: readonly InterfaceItemAst[], file: FileAst, scope: ReadonlyMap<string, Scoped>): void {
    const names = new Map<string, number>();
    const claim = (n: Ident): void => {
      const key = n.name.toLowerCase();
      if (names.has(key)) throw witErrorAt(`\`${n.name}\` is defined more than once`, file, n.at);
      names.set(key, n.at);
    };
    const local = new Map<string, WitTypeDef>();
    const pending: { def: WitTypeDef; ast: TypeDefAst }[] = [];
    // Pass 1: `use`s and the names of local type definitions.
    for (const item of items) {
      if (!this.enabled(item.gate)) continue;
      if (item.kind === "use") {
        for (const def of this.useItem(item, iface, file, scope)) {
          claim({ name: def.name, at: item.at });
          local.set(def.name, def);
        }
      } else if (item.kind !== "func") {
        claim(item.name);
        const def = withHeadInfo(new WitTypeDef(item.name.name, iface), item);
        if (item.externalId !== undefined) def.externalId = item.externalId;
        local.set(item.name.name, def);
        pending.push({ def, ast: item });
      }
    }
    // Pass 2: type bodies (forward references allowed), then functions in order.
    const lookup = (n: Ident): WitTypeDef => {
      const def = local.get(n.name);
      if (!def) throw witErrorAt(`type \`${n.name}\` is not defined`, file, n.at);
      return def;
    };
    for (const { def, ast } of pending) typeDefBody(def, ast, lookup, file);
    checkTypeCycles(pending.map((p) => p.def), (def, at) => witErrorAt(`type \`${def.name}\` refers to itself`, file, at), new Map(pending.map((p) => [p.def, p.ast.name.at])));
    for (const item of items) {
      if (!this.enabled(item.gate)) continue;
      if (item.kind === "func") {
        claim(item.name);
        const f = resolveFunc(item.name.name, "freestanding", undefined, item.type, lookup, file, item);
        iface.functions.set(f.name, f);
      } else if (item.kind === "resource") {
        for (const f of resourceFuncs(local.get(item.name.name)!, item, lookup, file, (gate) => this.enabled(gate))) {
          if (iface.functions.has(f.name)) throw witErrorAt(`\`${f.name}\` is defined more than once`, file, item.name.at);
          iface.functions.set(f.name, f);
        }
      }
    }
    for (const def of dependencyOrder([...local.values()], (d) => defMentions(d, true))) iface.types.set(def.name, def);
  }

  /** The alias definitions a `use` brings into `owner`. */
  private useItem(item: UseAst, owner: WitInterface | WitWorld, file: FileAst, scope: ReadonlyMap<string, Scoped>): WitTypeDef[] {
    const from = this.interfaceByPath(item.path, file, scope);
    if (from === owner) throw witErrorAt("an interface cannot `use` itself", file, item.path.name.at);
    return item.names.map(({ name, as }) => {
      const target = from.types.get(name.name);
      if (!target) {
        const where = from.qualifiedName ?? from.name ?? "the interface";
        throw witErrorAt(`type \`${name.name}\` is not defined in \`${where}\``, file, name.at);
      }
      const def = new WitTypeDef((as ?? name).name, owner);
      def.kind = { kind: "alias", type: { kind: "named", def: target } };
      const s = stabilityOf(item.gate);
      if (s) def.stability = s;
      if (item.docs !== undefined) def.docs = item.docs;
      return def;
    });
  }

  // ---- worlds ----

  world(d: Decl<WorldAst>, from?: { file: FileAst; at: number }): WitWorld {
    const done = this.worldDone.get(d);
    if (done) return done;
    if (this.worldBusy.has(d)) {
      const f = from ?? { file: d.file, at: d.ast.name.at };
      throw witErrorAt(`world \`${d.ast.name.name}\` includes itself`, f.file, f.at);
    }
    this.worldBusy.add(d);
    const st = d.state;
    const world = withHeadInfo(new WitWorld(d.ast.name.name, st.pkg), d.ast);
    const { file, scope } = d;
    const imports = new Map<string, WitWorldItem>();
    const exports = new Map<string, WitWorldItem>();
    const lowerNames = { imports: new Map<string, string>(), exports: new Map<string, string>() };
    const add = (side: "imports" | "exports", key: string, item: WitWorldItem, at: number, fromInclude = false): void => {
      const map = side === "imports" ? imports : exports;
      const existing = map.get(key);
      if (existing) {
        // An interface imported (or exported) twice is the same item; a plain name twice is a conflict.
        if (key.includes(":") && existing.kind === "interface" && item.kind === "interface" && existing.interface === item.interface) return;
        throw witErrorAt(`${fromInclude ? "included " : ""}${side === "imports" ? "import" : "export"} \`${key}\` conflicts with an earlier one${fromInclude ? " (rename it with `include ... with { a as b }`)" : ""}`, file, at);
      }
      const lower = key.toLowerCase();
      if (lowerNames[side].has(lower)) throw witErrorAt(`\`${key}\` conflicts with \`${lowerNames[side].get(lower)}\` (names are case-insensitive)`, file, at);
      lowerNames[side].set(lower, key);
      map.set(key, item);
    };
    // Types of the world (`use` and type definitions) come first: functions may refer to them.
    const localTypes = new Map<string, WitTypeDef>();
    const pendingTypes: { def: WitTypeDef; ast: TypeDefAst }[] = [];
    for (const item of d.ast.items) {
      if (!this.enabled(item.gate)) continue;
      if (item.kind === "use") {
        for (const def of this.useItem(item, world, file, scope)) {
          if (localTypes.has(def.name)) throw witErrorAt(`\`${def.name}\` is defined more than once`, file, item.at);
          localTypes.set(def.name, def);
          add("imports", def.name, withInfo({ kind: "type", def }, def), item.at);
        }
      } else if (isTypeDefAst(item)) {
        if (localTypes.has(item.name.name)) throw witErrorAt(`\`${item.name.name}\` is defined more than once`, file, item.name.at);
        const def = withHeadInfo(new WitTypeDef(item.name.name, world), item);
        localTypes.set(item.name.name, def);
        pendingTypes.push({ def, ast: item });
        add("imports", def.name, withInfo({ kind: "type", def }, def), item.name.at);
      }
    }
    const lookup = (n: Ident): WitTypeDef => {
      const def = localTypes.get(n.name);
      if (!def) throw witErrorAt(`type \`${n.name}\` is not defined`, file, n.at);
      return def;
    };
    for (const { def, ast } of pendingTypes) typeDefBody(def, ast, lookup, file);
    checkTypeCycles(pendingTypes.map((p) => p.def), (def, at) => witErrorAt(`type \`${def.name}\` refers to itself`, file, at), new Map(pendingTypes.map((p) => [p.def, p.ast.name.at])));
    for (const { def, ast } of pendingTypes) {
      if (ast.kind === "resource" && ast.funcs.length) throw witErrorAt("resources with functions cannot be defined in a world: define them in an interface", file, ast.name.at);
      void def;
    }
    const includes: { world: WitWorld; renames: Map<string, string>; at: number; gate?: GateAst }[] = [];
    for (const item of d.ast.items) {
      if (!this.enabled(item.gate)) continue;
      if (item.kind === "include") {
        const inc = this.worldByPath(item.path, file, scope);
        const renames = new Map<string, string>();
        for (const r of item.with) renames.set(r.from.name, r.to.name);
        includes.push({ world: inc, renames, at: item.at, ...(item.gate ? { gate: item.gate } : {}) });
        continue;
      }
      if (item.kind !== "import" && item.kind !== "export") continue;
      const side = item.kind === "import" ? "imports" : "exports";
      const [key, wi] = this.externItem(item.extern, world, file, scope, lookup);
      const s = stabilityOf(item.gate);
      if (s) wi.stability = s;
      if (item.docs !== undefined) wi.docs = item.docs;
      if (item.externalId !== undefined && wi.kind !== "type") wi.externalId = item.externalId;
      add(side, key, wi, item.at);
    }
    for (const inc of includes) {
      for (const [side, map] of [["imports", inc.world.imports], ["exports", inc.world.exports]] as const) {
        for (const [key, item] of map) {
          if (key.includes(":") && inc.renames.has(key)) throw witErrorAt(`\`with\` cannot rename the interface name \`${key}\``, file, inc.at);
          const newKey = inc.renames.get(key) ?? key;
          if (item.kind === "type") {
            if (!(side === "imports" && imports.get(newKey)?.kind === "type" && (imports.get(newKey) as { def: WitTypeDef }).def === item.def)) add(side, newKey, item, inc.at, true);
          } else if (item.kind === "function" && newKey !== key) {
            add(side, newKey, { ...item, func: { ...item.func, name: newKey } }, inc.at, true);
          } else if (item.kind === "interface" && newKey !== key) {
            add(side, newKey, { ...item, plainName: newKey }, inc.at, true);
          } else add(side, newKey, item, inc.at, true);
        }
      }
      for (const from of inc.renames.keys()) {
        if (!inc.world.imports.has(from) && !inc.world.exports.has(from)) {
          throw witErrorAt(`\`with\` renames \`${from}\`, which world \`${inc.world.name}\` does not import or export`, file, inc.at);
        }
      }
    }
    elaborate(world, imports, exports, (key) => witErrorAt(`\`${key}\` is both imported and exported, but an import needs it as an import`, file, d.ast.name.at));
    this.worldBusy.delete(d);
    this.worldDone.set(d, world);
    st.pkg.worlds.set(world.name, world);
    return world;
  }

  private externItem(
    ext: ExternAst, world: WitWorld, file: FileAst, scope: ReadonlyMap<string, Scoped>, lookup: (n: Ident) => WitTypeDef,
  ): [string, WitWorldItem] {
    switch (ext.kind) {
      case "path": {
        const iface = this.interfaceByPath(ext.path, file, scope);
        return [iface.qualifiedName!, { kind: "interface", interface: iface }];
      }
      case "named-path": {
        const iface = this.interfaceByPath(ext.path, file, scope);
        return [ext.name.name, { kind: "interface", interface: iface, plainName: ext.name.name }];
      }
      case "func":
        return [ext.name.name, { kind: "function", func: resolveFunc(ext.name.name, "freestanding", undefined, ext.type, lookup, file, {}) }];
      case "interface": {
        const iface = new WitInterface(undefined, world.package);
        // An inline interface sees the world's scope for `use` paths; its own types shadow nothing.
        this.interfaceItems(iface, ext.items, file, scope);
        return [ext.name.name, { kind: "interface", interface: iface }];
      }
    }
  }
}

function isTypeDefAst(item: { kind: string }): item is TypeDefAst {
  return item.kind !== "import" && item.kind !== "export" && item.kind !== "include" && item.kind !== "use";
}

function withInfo<T extends WitWorldItem>(item: T, def: WitTypeDef): T {
  if (def.stability) item.stability = def.stability;
  return item;
}

/** Every foreign package a package body refers to. */
function foreignPaths(body: PackageBodyAst): PackageNameAst[] {
  const out: PackageNameAst[] = [];
  const path = (p: UsePathAst): void => {
    if (p.kind === "package") out.push(p.package);
  };
  const ifaceItems = (items: readonly InterfaceItemAst[]): void => {
    for (const i of items) if (i.kind === "use") path(i.path);
  };
  for (const item of body.items) {
    if (item.kind === "top-use") path(item.path);
    else if (item.kind === "interface") ifaceItems(item.items);
    else {
      for (const wi of item.items) {
        if (wi.kind === "use" || wi.kind === "include") path(wi.path);
        else if (wi.kind === "import" || wi.kind === "export") {
          if (wi.extern.kind === "path" || wi.extern.kind === "named-path") path(wi.extern.path);
          else if (wi.extern.kind === "interface") ifaceItems(wi.extern.items);
        }
      }
    }
  }
  return out;
}

/** The first gate in a package body, if any. */
function findGate(body: PackageBodyAst): GateAst | undefined {
  for (const item of body.items) {
    if (item.kind === "top-use") continue;
    if (item.gate) return item.gate;
    for (const i of item.items) {
      if (i.gate) return i.gate;
      if (i.kind === "resource") for (const f of i.funcs) if (f.gate) return f.gate;
    }
  }
  return undefined;
}
