/**
 * Bindings for a core module: the TypeScript type of each export (functions with their exact
 * signatures, memories, tables, globals and tags as their classes) and of each import to provide.
 *
 * @module
 */
import { formatValType, type ExternType, type FuncType, type ValType } from "../types.js";
import type { BindingsModel } from "./model.js";
import { docComment, isBindingName, propertyKey } from "./names.js";

/** The imports and exports of a core module, as `Module.imports` and `Module.exports` give them. */
export interface CoreModuleShape {
  readonly imports: readonly { readonly module: string; readonly name: string; readonly type: ExternType }[];
  readonly exports: readonly { readonly name: string; readonly type: ExternType }[];
}

/** The TypeScript type of a value of `t`, as the runtime passes it (`WasmValue`). */
export function valueTsType(t: ValType): string {
  if (typeof t === "string") {
    switch (t) {
      case "i32": case "f32": case "f64": return "number";
      case "i64": return "bigint";
      case "v128": return "V128";
      case "funcref": case "nullfuncref": return "Func | null";
      default: return "unknown";
    }
  }
  const isFunc = t.ref === "func" || t.ref === "nofunc" || (typeof t.ref === "object" && t.ref.kind === "func");
  return isFunc ? (t.nullable ? "Func | null" : "Func") : "unknown";
}

/** `(a0: number, a1: bigint) => [number, number]`, with `caller` first for a host function. */
function funcTsType(t: FuncType, host: boolean): string {
  const params = t.params.map((p, i) => `a${i}: ${valueTsType(p)}`);
  if (host) params.unshift("caller: Caller");
  const results = t.results.length === 0 ? "void"
    : t.results.length === 1 ? valueTsType(t.results[0]!)
    : `[${t.results.map(valueTsType).join(", ")}]`;
  return `(${params.join(", ")}) => ${results}`;
}

/** The TypeScript type of an extern. */
function externTsType(t: ExternType, host: boolean): string {
  switch (t.kind) {
    case "func": return funcTsType(t, host);
    case "memory": return "Memory";
    case "table": return "Table";
    case "global": return "Global";
    case "tag": return "Tag";
  }
}

/** The WebAssembly type of an extern in text-format words, for the doc comment. */
function externText(t: ExternType): string {
  const list = (kw: string, ts: readonly ValType[]) => (ts.length ? ` (${kw} ${ts.map(formatValType).join(" ")})` : "");
  switch (t.kind) {
    case "func": return `(func${list("param", t.params)}${list("result", t.results)})`;
    case "memory": return `(memory${t.memory64 ? " i64" : ""} ${t.min}${t.max !== undefined ? ` ${t.max}` : ""}${t.shared ? " shared" : ""})`;
    case "table": return `(table ${t.min}${t.max !== undefined ? ` ${t.max}` : ""} ${formatValType(t.element)})`;
    case "global": return `(global ${t.mutable ? `(mut ${formatValType(t.content)})` : formatValType(t.content)})`;
    case "tag": return `(tag${list("param", t.params)})`;
  }
}

/** The bindings model of a core module. */
export function coreBindings(shape: CoreModuleShape): BindingsModel {
  const byModule = new Map<string, { name: string; type: ExternType }[]>();
  for (const i of shape.imports) {
    let list = byModule.get(i.module);
    if (list === undefined) byModule.set(i.module, (list = []));
    list.push(i);
  }
  let imports = "/** What the module imports, by module and name: host functions (they get the `Caller` first) and externs. */\n";
  if (byModule.size === 0) imports += "export type Imports = Record<string, never>;\n";
  else {
    imports += "export interface Imports {\n";
    for (const [module, list] of byModule) {
      imports += `  ${propertyKey(module)}: {\n`;
      for (const i of list) imports += `${docComment(`\`${externText(i.type)}\``, "    ")}    ${propertyKey(i.name)}: ${externTsType(i.type, true)};\n`;
      imports += "  };\n";
    }
    imports += "}\n";
  }
  let exports = "/** What the module exports, by name. */\nexport interface Exports {\n";
  for (const e of shape.exports) exports += `${docComment(`\`${externText(e.type)}\``, "  ")}  readonly ${propertyKey(e.name)}: ${externTsType(e.type, false)};\n`;
  exports += "}\n";
  const declarations = `${imports}\n${exports}`;
  const used = ["Caller", "Func", "Global", "Memory", "Table", "Tag", "V128"].filter((n) => new RegExp(`\\b${n}\\b`).test(declarations));
  return {
    kind: "module",
    declarations,
    typeImports: used.length ? [{ from: "wasmhost", names: used }] : [],
    exportNames: shape.exports.map((e) => e.name).filter(isBindingName),
    hasImports: shape.imports.length > 0,
  };
}
