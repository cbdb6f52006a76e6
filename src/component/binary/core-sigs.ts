/**
 * Core-level signatures as component validation sees them: the types of core functions, tables,
 * memories, globals and tags, of core module types and of core instances, with the matching rules
 * of core instantiation (an import is satisfied by an export of a compatible type).
 *
 * @module
 */
import type { GlobalDesc, ImportDesc, MemoryDesc, ModuleInfo, TableDesc, ValueType as CoreValueType } from "../../binary/module-info.js";
import type { ExternType as CoreApiExternType, ValType as CoreApiValType } from "../../types.js";
import type { CoreModuleType } from "../types.js";

/** A core function type. */
export interface CoreFuncSig {
  readonly params: readonly CoreValueType[];
  readonly results: readonly CoreValueType[];
}

/** The type of a core definition. */
export type CoreExtern =
  | { readonly kind: "func"; readonly type: CoreFuncSig }
  | { readonly kind: "table"; readonly type: TableDesc }
  | { readonly kind: "memory"; readonly type: MemoryDesc }
  | { readonly kind: "global"; readonly type: GlobalDesc }
  | { readonly kind: "tag"; readonly type: CoreFuncSig };

/** A core module type: imports in order, exports by name. */
export interface CoreModuleSig {
  readonly imports: readonly { readonly module: string; readonly name: string; readonly type: CoreExtern }[];
  readonly exports: ReadonlyMap<string, CoreExtern>;
}

/** A core instance: its exports by name. */
export interface CoreInstanceSig {
  readonly exports: ReadonlyMap<string, CoreExtern>;
}

/** An entry of the core type index space. */
export type CoreTypeEntry =
  | { readonly kind: "func"; readonly type: CoreFuncSig; readonly final?: boolean }
  | { readonly kind: "gc"; readonly final: boolean }
  | { readonly kind: "module"; readonly type: CoreModuleSig };

const EMPTY_SIG: CoreFuncSig = { params: [], results: [] };

/** The core type of an import or export descriptor, with function types looked up by `funcType`. */
export function coreExternOf(d: ImportDesc, funcType: (index: number) => CoreFuncSig | undefined): CoreExtern | undefined {
  switch (d.kind) {
    case "func": {
      const t = funcType(d.typeIndex);
      return t === undefined ? undefined : { kind: "func", type: t };
    }
    case "tag": {
      const t = funcType(d.typeIndex);
      return t === undefined ? undefined : { kind: "tag", type: t };
    }
    case "table": return { kind: "table", type: d.type };
    case "memory": return { kind: "memory", type: d.type };
    case "global": return { kind: "global", type: d.type };
  }
}

/** The module type of a decoded core module. */
export function moduleSig(info: ModuleInfo): CoreModuleSig {
  const funcType = (i: number): CoreFuncSig => {
    const t = info.types[i];
    return t !== undefined && t.kind === "func" ? t : EMPTY_SIG;
  };
  const imports: { module: string; name: string; type: CoreExtern }[] = [];
  const funcs: CoreFuncSig[] = [];
  const tables: TableDesc[] = [];
  const memories: MemoryDesc[] = [];
  const globals: GlobalDesc[] = [];
  const tags: CoreFuncSig[] = [];
  for (const imp of info.imports) {
    const type = coreExternOf(imp, funcType)!;
    imports.push({ module: imp.module, name: imp.name, type });
    switch (type.kind) {
      case "func": funcs.push(type.type); break;
      case "table": tables.push(type.type); break;
      case "memory": memories.push(type.type); break;
      case "global": globals.push(type.type); break;
      case "tag": tags.push(type.type); break;
    }
  }
  for (const f of info.functions) funcs.push(funcType(f));
  for (const t of info.tables) tables.push(t.type);
  for (const m of info.memories) memories.push(m);
  for (const g of info.globals) globals.push(g.type);
  for (const t of info.tags) tags.push(funcType(t.typeIndex));
  const exports = new Map<string, CoreExtern>();
  for (const e of info.exports) {
    let type: CoreExtern | undefined;
    switch (e.kind) {
      case "func": type = funcs[e.index] && { kind: "func", type: funcs[e.index]! }; break;
      case "table": type = tables[e.index] && { kind: "table", type: tables[e.index]! }; break;
      case "memory": type = memories[e.index] && { kind: "memory", type: memories[e.index]! }; break;
      case "global": type = globals[e.index] && { kind: "global", type: globals[e.index]! }; break;
      case "tag": type = tags[e.index] && { kind: "tag", type: tags[e.index]! }; break;
    }
    if (type !== undefined) exports.set(e.name, type);
  }
  return { imports, exports };
}

function sameValType(a: CoreValueType, b: CoreValueType): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.nullable === b.nullable && a.ref === b.ref && (a.shared === true) === (b.shared === true);
}

/** True when two core function types are equal. */
export function sameFuncSig(a: CoreFuncSig, b: CoreFuncSig): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((p, i) => sameValType(p, b.params[i]!)) && a.results.every((r, i) => sameValType(r, b.results[i]!));
}

/** Renders a core function type like `[i32 i32] -> [i32]`. */
export function formatFuncSig(t: CoreFuncSig): string {
  const v = (x: CoreValueType) => (typeof x === "string" ? x : `(ref ${x.nullable ? "null " : ""}${x.shared ? `(shared ${x.ref})` : x.ref})`);
  return `[${t.params.map(v).join(" ")}] -> [${t.results.map(v).join(" ")}]`;
}

function limitsMatch(aMin: number, aMax: number | undefined, bMin: number, bMax: number | undefined): boolean {
  if (aMin < bMin) return false;
  if (bMax === undefined) return true;
  return aMax !== undefined && aMax <= bMax;
}

/** Why core extern `actual` cannot satisfy an import of type `expected`, or undefined. */
export function coreExternMismatch(actual: CoreExtern, expected: CoreExtern): string | undefined {
  if (actual.kind !== expected.kind) return `expected ${expected.kind}, found ${actual.kind}`;
  switch (actual.kind) {
    case "func":
    case "tag": {
      const e = (expected as typeof actual).type;
      return sameFuncSig(actual.type, e) ? undefined : `type mismatch: expected ${formatFuncSig(e)}, found ${formatFuncSig(actual.type)}`;
    }
    case "table": {
      const e = (expected as typeof actual).type;
      if ((actual.type.shared === true) !== (e.shared === true)) return "mismatch in the shared flag for tables";
      if (!sameValType(actual.type.element, e.element)) return "mismatch in table element type";
      if (actual.type.table64 !== e.table64) return "mismatch in index type for tables";
      return limitsMatch(actual.type.min, actual.type.max, e.min, e.max) ? undefined : "mismatch in table limits";
    }
    case "memory": {
      const e = (expected as typeof actual).type;
      if (actual.type.shared !== e.shared) return "mismatch in the shared flag for memories";
      if (actual.type.memory64 !== e.memory64) return "mismatch in index type for memories";
      if ((actual.type.pageSizeLog2 ?? 16) !== (e.pageSizeLog2 ?? 16)) return "mismatch in page size for memories";
      return limitsMatch(actual.type.min, actual.type.max, e.min, e.max) ? undefined : "mismatch in memory limits";
    }
    case "global": {
      const e = (expected as typeof actual).type;
      if (actual.type.mutable !== e.mutable) return "global types differ in mutability";
      return sameValType(actual.type.content, e.content) ? undefined : "global types differ in content type";
    }
  }
}

// ---- core module types at the component level -------------------------------------------------------

function apiValType(t: CoreValueType): CoreApiValType {
  if (typeof t === "string") return t;
  return t.ref === "extern" || t.ref === "noextern" ? "externref" : "funcref";
}

function apiExtern(t: CoreExtern): CoreApiExternType {
  switch (t.kind) {
    case "func": return { kind: "func", params: t.type.params.map(apiValType), results: t.type.results.map(apiValType) };
    case "tag": return { kind: "tag", params: t.type.params.map(apiValType) };
    case "table": {
      const e = apiValType(t.type.element);
      return { kind: "table", element: e === "externref" ? "externref" : "funcref", min: t.type.min, ...(t.type.max !== undefined ? { max: t.type.max } : {}) };
    }
    case "memory":
      return { kind: "memory", min: t.type.min, ...(t.type.max !== undefined ? { max: t.type.max } : {}), shared: t.type.shared, memory64: t.type.memory64 };
    case "global": return { kind: "global", content: apiValType(t.type.content), mutable: t.type.mutable };
  }
}

/** The signature behind each module type made by `coreModuleType`. */
const moduleSigs = new WeakMap<CoreModuleType, CoreModuleSig>();

/** The public module type of a core module signature (remembering the signature for matching). */
export function coreModuleType(sig: CoreModuleSig): CoreModuleType {
  const t: CoreModuleType = {
    imports: sig.imports.map((i) => ({ module: i.module, name: i.name, type: apiExtern(i.type) })),
    exports: [...sig.exports].map(([name, type]) => ({ name, type: apiExtern(type) })),
  };
  moduleSigs.set(t, sig);
  return t;
}

/** The signature of a module type (empty for one not made by `coreModuleType`). */
export function moduleSigOf(t: CoreModuleType): CoreModuleSig {
  return moduleSigs.get(t) ?? { imports: [], exports: new Map() };
}

/** Why module signature `a` cannot be used where `b` is expected, or undefined. */
export function moduleMismatch(a: CoreModuleSig, b: CoreModuleSig): string | undefined {
  for (const imp of a.imports) {
    const other = b.imports.find((x) => x.module === imp.module && x.name === imp.name);
    if (other === undefined) return `missing expected import \`${imp.module}::${imp.name}\``;
    const why = coreExternMismatch(other.type, imp.type);
    if (why) return `type mismatch in import \`${imp.module}::${imp.name}\`: ${why}`;
  }
  for (const [name, t] of b.exports) {
    const mine = a.exports.get(name);
    if (mine === undefined) return `missing expected export \`${name}\``;
    const why = coreExternMismatch(mine, t);
    if (why) return `type mismatch in export \`${name}\`: ${why}`;
  }
  return undefined;
}
