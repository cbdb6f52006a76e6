/**
 * Bindings for a WIT world (given as WIT or read out of a component): each interface becomes a
 * namespace of its types and a `Functions` interface; records are interfaces with camelCase fields,
 * variants discriminated unions on `tag`, enums string unions, flags objects of booleans, resources
 * classes. The shapes are the runtime's (API.md, "Components"), and WIT doc comments are kept.
 *
 * @module
 */
import type { WitFunction, WitInterface, WitType, WitTypeDef, WitWorld, WitWorldItem } from "../component/wit/index.js";
import { witFunctionShortName } from "../component/wit/index.js";
import type { BindingsModel } from "./model.js";
import { camelCase, docComment, isBindingName, parameterName, pascalCase, propertyKey } from "./names.js";

/** The typed array the runtime uses for a list of each numeric element type. */
const TYPED_ARRAYS: Readonly<Record<string, string>> = {
  u8: "Uint8Array", s8: "Int8Array", u16: "Uint16Array", s16: "Int16Array", u32: "Uint32Array", s32: "Int32Array",
  u64: "BigUint64Array", s64: "BigInt64Array", f32: "Float32Array", f64: "Float64Array",
};

/** Generates the declarations of one world. */
class WorldWriter {
  /** The namespace each interface's types live in. */
  private readonly namespaces = new Map<WitInterface, string>();
  /** Interfaces the world exports: their resources are classes the guest implements. */
  private readonly exported = new Set<WitInterface>();

  constructor(private readonly world: WitWorld) {
    // The names the file declares or uses at the top, which a namespace must not shadow.
    const taken = new Set([
      "Imports", "Exports", "InstantiateOptions", "Engine", "Store", "Component", "ComponentLinker", "Error", "Object",
      "Record", "Readonly", "Symbol", "Map", "Array", "Promise", ...Object.values(TYPED_ARRAYS),
    ]);
    const name = (key: string, i: WitInterface) => {
      let n = pascalCase(i.name ?? key);
      if (taken.has(n) && i.package) n = pascalCase(`${i.package.name.namespace}-${i.package.name.name}-${i.name ?? key}`);
      for (let k = 2; taken.has(n); k++) n = `${n}${k}`;
      taken.add(n);
      this.namespaces.set(i, n);
    };
    for (const [key, item] of world.imports) if (item.kind === "interface") name(key, item.interface);
    for (const [key, item] of world.exports) if (item.kind === "interface") { name(key, item.interface); this.exported.add(item.interface); }
  }

  /** A reference to a named type from anywhere in the file. */
  private ref(def: WitTypeDef): string {
    const owner = def.owner;
    const ns = "types" in owner && !("imports" in owner) ? this.namespaces.get(owner as WitInterface) : undefined;
    return ns === undefined ? pascalCase(def.name) : `${ns}.${pascalCase(def.name)}`;
  }

  /** The TypeScript type of a WIT type; `inOption` marks a type directly inside an `option`. */
  type(t: WitType, inOption = false): string {
    switch (t.kind) {
      case "bool": return "boolean";
      case "s8": case "u8": case "s16": case "u16": case "s32": case "u32": case "f32": case "f64": return "number";
      case "s64": case "u64": return "bigint";
      case "char": case "string": return "string";
      case "named": case "borrow": return this.ref(t.def);
      case "list": {
        const typed = TYPED_ARRAYS[t.element.kind];
        if (typed !== undefined) return typed;
        return `${this.wrap(this.type(t.element))}[]`;
      }
      case "option": {
        const inner = this.type(t.type, true);
        return inOption ? `{ tag: "some"; val: ${inner} } | { tag: "none" }` : `${inner} | undefined`;
      }
      case "result":
        return `{ tag: "ok"${t.ok ? `; val: ${this.type(t.ok)}` : ""} } | { tag: "err"${t.err ? `; val: ${this.type(t.err)}` : ""} }`;
      case "tuple": return `[${t.types.map((x) => this.type(x)).join(", ")}]`;
      case "map": return `[${this.type(t.key)}, ${this.type(t.value)}][]`;
      default: return "unknown"; // stream, future, error-context: no JS shape yet
    }
  }

  /** `T` wrapped in parentheses when it is a union (for `T[]`). */
  private wrap(t: string): string {
    return t.includes("|") ? `(${t})` : t;
  }

  /** What a function returns: a top-level `result` returns its `ok` value (the error is thrown). */
  private resultType(t: WitType | undefined): string {
    if (t === undefined) return "void";
    if (t.kind === "result") return t.ok ? this.type(t.ok) : "void";
    return this.type(t);
  }

  /** `name(a: A, b: B): R` for a function or method (without `self`). */
  private signature(f: WitFunction, name: string): string {
    const params = (f.kind === "method" ? f.params.slice(1) : f.params).map((p) => `${parameterName(camelCase(p.name))}: ${this.type(p.type)}`);
    const doc = [f.docs, f.result?.kind === "result" && f.result.err ? `@throws ComponentError with \`payload\` of type \`${this.type(f.result.err)}\`` : undefined]
      .filter((x) => x !== undefined).join("\n\n");
    return `${docComment(doc, "    ")}    ${name}(${params.join(", ")})${name === "constructor" ? "" : `: ${this.resultType(f.result)}`};\n`;
  }

  /** One type definition inside a namespace. */
  private typeDef(def: WitTypeDef, functions: readonly WitFunction[], exported: boolean): string {
    const name = pascalCase(def.name);
    const doc = docComment(def.docs, "  ");
    const k = def.kind;
    switch (k.kind) {
      case "record":
        return `${doc}  export interface ${name} {\n${k.fields.map((f) => `${docComment(f.docs, "    ")}    ${propertyKey(camelCase(f.name))}: ${this.type(f.type)};\n`).join("")}  }\n`;
      case "variant":
        return `${doc}  export type ${name} =\n${k.cases.map((c) => `${docComment(c.docs, "    ")}    | { tag: ${JSON.stringify(c.name)}${c.type ? `; val: ${this.type(c.type)}` : ""} }`).join("\n")};\n`;
      case "enum":
        return `${doc}  export type ${name} = ${k.cases.map((c) => JSON.stringify(c.name)).join(" | ")};\n`;
      case "flags":
        return `${doc}  export interface ${name} {\n${k.flags.map((f) => `${docComment(f.docs, "    ")}    ${propertyKey(camelCase(f.name))}?: boolean;\n`).join("")}  }\n`;
      case "alias":
        return `${doc}  export type ${name} = ${this.type(k.type)};\n`;
      case "resource": {
        const members = functions.filter((f) => f.resource === def);
        const body = members.map((f) => {
          const short = witFunctionShortName(f);
          if (f.kind === "constructor") return this.signature(f, "constructor");
          return this.signature(f, `${f.kind === "static" ? "static " : ""}${camelCase(short)}`);
        }).join("");
        if (exported) {
          return `${doc}  export class ${name} {\n${members.some((f) => f.kind === "constructor") ? "" : "    private constructor();\n"}${body}    /** Drops the resource (its handle) now rather than when it is collected. */\n    [Symbol.dispose](): void;\n  }\n`;
        }
        const instance = members.filter((f) => f.kind === "method").map((f) => this.signature(f, camelCase(witFunctionShortName(f)))).join("");
        const statics = members.filter((f) => f.kind === "static" || f.kind === "constructor");
        return `${doc}  export interface ${name} {\n${instance}  }\n` +
          `  /** The class the host gives for \`${def.name}\`: its instances are the resources. */\n` +
          `  export interface ${name}Class {\n${statics.map((f) => f.kind === "constructor"
            ? this.signature(f, "new").replace(/new\((.*)\);/, `new ($1): ${name};`)
            : this.signature(f, camelCase(witFunctionShortName(f)))).join("")}${statics.some((f) => f.kind === "constructor") ? "" : `    prototype: ${name};\n`}  }\n`;
      }
    }
  }

  /** The namespace of an interface: its types and the interface of its functions. */
  private namespace(i: WitInterface, exported: boolean): string {
    const ns = this.namespaces.get(i)!;
    const functions = [...i.functions.values()];
    let out = `${docComment(i.docs ?? (i.qualifiedName ? `\`${i.qualifiedName}\`` : undefined), "")}export declare namespace ${ns} {\n`;
    for (const def of i.types.values()) out += this.typeDef(def, functions, exported);
    out += `  /** The functions${[...i.types.values()].some((d) => d.kind.kind === "resource") ? " and resources" : ""} of ${i.qualifiedName ? `\`${i.qualifiedName}\`` : "the interface"}. */\n  export interface Functions {\n`;
    for (const f of functions) if (f.kind === "freestanding") out += this.signature(f, propertyKey(camelCase(f.name))).replace(/^ {4}/gm, "    ");
    for (const def of i.types.values()) {
      if (def.kind.kind !== "resource") continue;
      const n = pascalCase(def.name);
      out += `    ${n}: ${exported ? `typeof ${n}` : `${n}Class`};\n`;
    }
    return `${out}  }\n}\n`;
  }

  /** The members of `Imports` or `Exports` for the world's items. */
  private members(items: ReadonlyMap<string, WitWorldItem>, exported: boolean): { lines: string; root: string } {
    let lines = "";
    let root = "";
    const shortNames = new Set<string>();
    for (const [key, item] of items) {
      if (item.kind === "function") {
        root += this.signature(item.func, propertyKey(camelCase(item.func.name))).replace(/^ {4}/gm, "  ");
        shortNames.add(camelCase(item.func.name));
      }
    }
    for (const [key, item] of items) {
      if (item.kind !== "interface") continue;
      const ns = this.namespaces.get(item.interface)!;
      const doc = docComment(item.docs ?? item.interface.docs, "  ");
      // An interface of types alone needs nothing from the host.
      const optional = !exported && !needsImpl(item.interface) ? "?" : "";
      lines += `${doc}  readonly ${propertyKey(key)}${optional}: ${ns}.Functions;\n`;
      if (exported) {
        const short = camelCase(key.includes("/") ? key.slice(key.lastIndexOf("/") + 1).replace(/@.*$/, "") : key);
        if (!shortNames.has(short)) {
          shortNames.add(short);
          if (short !== key) lines += `${doc}  readonly ${propertyKey(short)}: ${ns}.Functions;\n`;
        }
      }
    }
    return { lines, root };
  }

  /** Every declaration of the world. */
  write(): string {
    let out = "";
    for (const item of this.world.imports.values()) if (item.kind === "interface") out += `${this.namespace(item.interface, false)}\n`;
    for (const item of this.world.exports.values()) if (item.kind === "interface") out += `${this.namespace(item.interface, true)}\n`;
    const worldTypes = [...this.world.imports.values(), ...this.world.exports.values()].flatMap((i) => (i.kind === "type" ? [i.def] : []));
    const worldFunctions = [...this.world.imports.values(), ...this.world.exports.values()].flatMap((i) => (i.kind === "function" ? [i.func] : []));
    for (const def of worldTypes) out += `${this.typeDef(def, worldFunctions, false).replace(/^ {2}/gm, "")}\n`;
    const imports = this.members(this.world.imports, false);
    const exports = this.members(this.world.exports, true);
    const importLines = imports.lines + (imports.root ? `  /** The world's own functions. */\n  readonly "": {\n${imports.root.replace(/^/gm, "  ")}  };\n` : "");
    out += `/** What the host provides${this.world.imports.size ? "" : " (nothing: the world imports nothing)"}: interfaces by their full names. */\n`;
    out += importLines ? `export interface Imports {\n${importLines}}\n\n` : "export type Imports = Record<string, never>;\n\n";
    out += `${docComment(this.world.docs ?? `The exports of world \`${this.world.qualifiedName}\`.`, "")}export interface Exports {\n${exports.root}${exports.lines}}\n`;
    return out;
  }

  /** World-level exported functions that can be `export const`. */
  exportNames(): string[] {
    const names: string[] = [];
    for (const [key, item] of this.world.exports) {
      if (item.kind === "function") names.push(camelCase(item.func.name));
      else if (item.kind === "interface") names.push(camelCase(key.includes("/") ? key.slice(key.lastIndexOf("/") + 1).replace(/@.*$/, "") : key));
    }
    return [...new Set(names)].filter(isBindingName);
  }
}

/** Whether the host must implement something of an imported interface (functions or resources). */
function needsImpl(i: WitInterface): boolean {
  return i.functions.size > 0 || [...i.types.values()].some((d) => d.kind.kind === "resource");
}

/** The bindings model of a WIT world. */
export function witBindings(world: WitWorld): BindingsModel {
  const w = new WorldWriter(world);
  const declarations = w.write();
  const hasImports = [...world.imports.values()].some((i) => i.kind === "function" || (i.kind === "interface" && needsImpl(i.interface)));
  return { kind: "component", declarations, typeImports: [], exportNames: w.exportNames(), hasImports };
}
