/**
 * The WIT printer: resolved packages -> WIT text in the layout `wasm-tools component wit` uses (two
 * spaces per level, `use`s grouped by interface, resource functions inside their resource block, doc
 * comments as `///` lines, gates as `@since(...)`/`@unstable(...)`/`@deprecated(...)`).
 *
 * Printing then parsing and resolving again gives the same resolved form (the round trip the tests
 * check on every WASI package). Worlds print as resolved: `include`s are flattened and the imports that
 * `use` implies are written out.
 *
 * @module
 */
import { KEYWORDS } from "./lexer.js";
import {
  type WitFunction, WitInterface, type WitItemInfo, type WitPackage, type WitResolution, type WitType, type WitTypeDef,
  WitWorld, type WitWorldItem, witFunctionShortName, witPackageNameText,
} from "./model.js";

/** Prints one package as a file: `package ns:name@v;` then its interfaces and worlds. */
export function printWitPackage(pkg: WitPackage): string {
  const p = new Printer(pkg);
  p.docs(pkg, "");
  p.line(`package ${witPackageNameText(pkg.name)};`, "");
  p.body(pkg, "");
  return p.text();
}

/**
 * Prints a resolution as one file: the root package (or the first) as the file's package, every other
 * package after it as a nested `package ns:name { ... }` block, as `wasm-tools component wit` does.
 */
export function printWitResolution(res: WitResolution): string {
  const root = res.root ?? res.packages[res.packages.length - 1];
  if (!root) return "";
  let out = printWitPackage(root);
  for (const pkg of res.packages) {
    if (pkg === root) continue;
    const p = new Printer(pkg);
    p.docs(pkg, "");
    p.line(`package ${witPackageNameText(pkg.name)} {`, "");
    p.body(pkg, "  ");
    p.line("}", "");
    out += `\n${p.text()}`;
  }
  return out;
}

/** A name as WIT writes it: `%`-escaped when it is a keyword. */
export function witIdent(name: string): string {
  return KEYWORDS.has(name) ? `%${name}` : name;
}

/** A type as WIT writes it, names of definitions as they are known in the type's own scope. */
export function printWitType(t: WitType): string {
  switch (t.kind) {
    case "named": return witIdent(t.def.name);
    case "borrow": return `borrow<${witIdent(t.def.name)}>`;
    case "list": return t.length !== undefined ? `list<${printWitType(t.element)}, ${t.length}>` : `list<${printWitType(t.element)}>`;
    case "option": return `option<${printWitType(t.type)}>`;
    case "result":
      if (!t.ok && !t.err) return "result";
      if (!t.err) return `result<${printWitType(t.ok!)}>`;
      return `result<${t.ok ? printWitType(t.ok) : "_"}, ${printWitType(t.err)}>`;
    case "tuple": return `tuple<${t.types.map(printWitType).join(", ")}>`;
    case "map": return `map<${printWitType(t.key)}, ${printWitType(t.value)}>`;
    case "future": case "stream": return t.element ? `${t.kind}<${printWitType(t.element)}>` : t.kind;
    default: return t.kind;
  }
}

class Printer {
  private readonly out: string[] = [];

  constructor(private readonly pkg: WitPackage) {}

  text(): string {
    return this.out.join("\n") + "\n";
  }

  line(s: string, indent: string): void {
    this.out.push(s === "" ? "" : indent + s);
  }

  blank(): void {
    if (this.out.length && this.out[this.out.length - 1] !== "" && !this.out[this.out.length - 1]!.endsWith("{")) this.out.push("");
  }

  docs(item: { docs?: string }, indent: string): void {
    if (item.docs === undefined) return;
    for (const l of item.docs.split("\n")) this.line(l === "" ? "///" : `/// ${l}`, indent);
  }

  /** Docs, then gates. */
  head(item: WitItemInfo & { externalId?: string }, indent: string): void {
    this.docs(item, indent);
    const s = item.stability;
    if (s?.kind === "stable") this.line(`@since(version = ${s.since})`, indent);
    if (s?.kind === "unstable") this.line(`@unstable(feature = ${s.feature})`, indent);
    if (s?.deprecated !== undefined) this.line(`@deprecated(version = ${s.deprecated})`, indent);
    if (item.externalId !== undefined) this.line(`@external-id(${JSON.stringify(item.externalId)})`, indent);
  }

  body(pkg: WitPackage, indent: string): void {
    for (const iface of pkg.interfaces.values()) {
      this.blank();
      this.head(iface, indent);
      this.line(`interface ${witIdent(iface.name!)} {`, indent);
      this.interfaceItems(iface, indent + "  ");
      this.line("}", indent);
    }
    for (const world of pkg.worlds.values()) {
      this.blank();
      this.head(world, indent);
      this.line(`world ${witIdent(world.name)} {`, indent);
      this.worldItems(world, indent + "  ");
      this.line("}", indent);
    }
  }

  /** How `iface` is named from this package: its bare name inside the package, else qualified. */
  private interfacePath(iface: WitInterface): string {
    if (iface.package === this.pkg) return witIdent(iface.name!);
    const p = iface.package!.name;
    return `${witIdent(p.namespace)}:${witIdent(p.name)}/${witIdent(iface.name!)}${p.version !== undefined ? `@${p.version}` : ""}`;
  }

  private interfaceItems(iface: WitInterface, indent: string): void {
    this.typeDefs(iface.types.values(), iface, indent);
    const grouped = new Set<WitFunction>();
    for (const def of iface.types.values()) {
      if (def.kind.kind !== "resource" || def.owner !== iface) continue;
      for (const f of iface.functions.values()) if (f.resource === def) grouped.add(f);
    }
    for (const f of iface.functions.values()) {
      if (grouped.has(f)) continue;
      this.blank();
      this.head(f, indent);
      this.line(`${witIdent(f.name)}: ${this.funcType(f)};`, indent);
    }
    if (iface.types.size === 0 && iface.functions.size === 0) return;
    void grouped;
  }

  /** Type definitions in order, consecutive `use`s of one interface (same gate) grouped. */
  private typeDefs(defs: Iterable<WitTypeDef>, owner: WitInterface | WitWorld, indent: string): void {
    let group: { from: WitInterface; defs: WitTypeDef[] } | undefined;
    const flush = (): void => {
      if (!group) return;
      const first = group.defs[0]!;
      this.head({ ...(first.stability ? { stability: first.stability } : {}) }, indent);
      const names = group.defs.map((d) => {
        const target = (d.kind as { type: { def: WitTypeDef } }).type.def;
        return target.name === d.name ? witIdent(d.name) : `${witIdent(target.name)} as ${witIdent(d.name)}`;
      });
      this.line(`use ${this.interfacePath(group.from)}.{${names.join(", ")}};`, indent);
      group = undefined;
    };
    for (const def of defs) {
      const from = useSource(def, owner);
      if (from) {
        if (group && group.from === from && sameStability(group.defs[0]!, def) && def.docs === undefined) {
          group.defs.push(def);
          continue;
        }
        flush();
        if (def.docs !== undefined) this.docs(def, indent);
        group = { from, defs: [def] };
        continue;
      }
      flush();
      this.blank();
      this.typeDef(def, owner, indent);
    }
    flush();
  }

  private typeDef(def: WitTypeDef, owner: WitInterface | WitWorld, indent: string): void {
    this.head(def, indent);
    const name = witIdent(def.name);
    const k = def.kind;
    const inner = indent + "  ";
    switch (k.kind) {
      case "alias":
        this.line(`type ${name} = ${printWitType(k.type)};`, indent);
        return;
      case "record":
        this.line(`record ${name} {`, indent);
        for (const f of k.fields) {
          this.docs(f, inner);
          this.line(`${witIdent(f.name)}: ${printWitType(f.type)},`, inner);
        }
        this.line("}", indent);
        return;
      case "variant":
        this.line(`variant ${name} {`, indent);
        for (const c of k.cases) {
          this.docs(c, inner);
          this.line(`${witIdent(c.name)}${c.type ? `(${printWitType(c.type)})` : ""},`, inner);
        }
        this.line("}", indent);
        return;
      case "enum":
      case "flags":
        this.line(`${k.kind} ${name} {`, indent);
        for (const c of k.kind === "enum" ? k.cases : k.flags) {
          this.docs(c, inner);
          this.line(`${witIdent(c.name)},`, inner);
        }
        this.line("}", indent);
        return;
      case "resource": {
        const funcs = owner instanceof WitInterface ? [...owner.functions.values()].filter((f) => f.resource === def) : [];
        if (funcs.length === 0) {
          this.line(`resource ${name};`, indent);
          return;
        }
        this.line(`resource ${name} {`, indent);
        for (const f of funcs) {
          this.head(f, inner);
          if (f.kind === "constructor") {
            const fallible = f.result?.kind === "result";
            this.line(`constructor(${this.params(f)})${fallible ? ` -> ${printWitType(f.result!)}` : ""};`, inner);
          } else {
            const stat = f.kind === "static" ? "static " : "";
            this.line(`${witIdent(witFunctionShortName(f))}: ${stat}${this.funcType(f)};`, inner);
          }
        }
        this.line("}", indent);
        return;
      }
    }
  }

  private params(f: WitFunction): string {
    const ps = f.kind === "method" ? f.params.slice(1) : f.params;
    return ps.map((p) => `${witIdent(p.name)}: ${printWitType(p.type)}`).join(", ");
  }

  private funcType(f: WitFunction): string {
    return `${f.async ? "async " : ""}func(${this.params(f)})${f.result ? ` -> ${printWitType(f.result)}` : ""}`;
  }

  /** A world's items as `wasm-tools` lays them out: imports (types in place), a blank line, exports. */
  private worldItems(world: WitWorld, indent: string): void {
    let types: WitTypeDef[] = [];
    const flushTypes = (): void => {
      if (types.length) this.typeDefs(types, world, indent);
      types = [];
    };
    for (const [key, item] of world.imports) {
      if (item.kind === "type") {
        types.push(item.def);
        continue;
      }
      flushTypes();
      this.worldItem("import", key, item, indent);
    }
    flushTypes();
    if (world.imports.size && world.exports.size) this.out.push("");
    for (const [key, item] of world.exports) this.worldItem("export", key, item, indent);
  }

  private worldItem(side: "import" | "export", key: string, item: WitWorldItem, indent: string): void {
    if (item.kind === "type") return;
    this.head(item, indent);
    if (item.kind === "function") {
      this.line(`${side} ${witIdent(key)}: ${this.funcType(item.func)};`, indent);
    } else if (item.interface.name === undefined) {
      this.line(`${side} ${witIdent(key)}: interface {`, indent);
      this.interfaceItems(item.interface, indent + "  ");
      this.line("}", indent);
    } else if (item.plainName !== undefined) {
      this.line(`${side} ${witIdent(item.plainName)}: ${this.interfacePath(item.interface)};`, indent);
    } else {
      this.line(`${side} ${this.interfacePath(item.interface)};`, indent);
    }
  }
}

/** The interface a `use`d type comes from, when `def` is such an alias (and not a `type x = y`). */
function useSource(def: WitTypeDef, owner: WitInterface | WitWorld): WitInterface | undefined {
  if (def.kind.kind !== "alias" || def.kind.type.kind !== "named") return undefined;
  const target = def.kind.type.def;
  return target.owner !== owner && target.owner instanceof WitInterface && target.owner.name !== undefined ? target.owner : undefined;
}

function sameStability(a: WitItemInfo, b: WitItemInfo): boolean {
  return JSON.stringify(a.stability ?? null) === JSON.stringify(b.stability ?? null);
}
