/**
 * Component validation, the core side: core instances (instantiation against module types and
 * inline exports), core items, core types and module types, and the limits of core imports.
 * Functions of the validation `Scope` (`validate.ts`).
 *
 * @module
 */
import type { ImportDesc, ModuleInfo, TypeDef, ValueType } from "../../binary/module-info.js";
import { proposalUses } from "../../binary/proposals.js";
import type {
  CoreTypeDef,
} from "./ast.js";
import {
  coreExternMismatch,
  coreExternOf,
  type CoreExtern,
  type CoreFuncSig,
  type CoreInstanceSig,
  type CoreModuleSig,
  type CoreTypeEntry,
} from "./core-sigs.js";

import type { Scope } from "./validate.js";

export function coreInstance(v: Scope, i: import("./ast.js").CoreInstanceDef): void {
  if (i.kind === "instantiate") {
    const module = v.get(v.spaces.coreModules, i.module, "module");
    const args = new Map<string, CoreInstanceSig>();
    for (const a of i.args) {
      if (args.has(a.name)) v.fail(`duplicate module instantiation argument named \`${a.name}\``);
      args.set(a.name, v.get(v.spaces.coreInstances, a.instance, "instance"));
    }
    for (const imp of module.imports) {
      const arg = args.get(imp.module);
      if (arg === undefined) v.fail(`missing module instantiation argument named \`${imp.module}\``);
      const actual = arg.exports.get(imp.name);
      if (actual === undefined) v.fail(`module instantiation argument \`${imp.module}\` does not export an item named \`${imp.name}\``);
      const why = coreExternMismatch(actual, imp.type);
      if (why) v.fail(`type mismatch for export \`${imp.name}\` of module instantiation argument \`${imp.module}\`: ${why}`);
    }
    v.spaces.coreInstances.push({ exports: module.exports });
    return;
  }
  const exports = new Map<string, CoreExtern>();
  for (const e of i.exports) {
    if (exports.has(e.name)) v.fail(`export name \`${e.name}\` already defined`);
    exports.set(e.name, coreItem(v, e.sort, e.index));
  }
  v.spaces.coreInstances.push({ exports });
}

/** The type of core item `index` of `sort` (only the sorts a core instance can export). */
export function coreItem(v: Scope, sort: import("./ast.js").CoreSort, index: number): CoreExtern {
  const s = v.spaces;
  switch (sort) {
    case "func": return { kind: "func", type: v.get(s.coreFuncs, index, "core function") };
    case "table": return { kind: "table", type: v.get(s.coreTables, index, "core table") };
    case "memory": return { kind: "memory", type: v.get(s.coreMemories, index, "core memory") };
    case "global": return { kind: "global", type: v.get(s.coreGlobals, index, "core global") };
    case "tag": return { kind: "tag", type: v.get(s.coreTags, index, "core tag") };
    default: return v.fail(`core instances cannot export a core ${sort}`);
  }
}

/** Checks the type indices a core value type refers to. */
export function coreRefs(v: Scope, types: readonly import("../../binary/module-info.js").ValueType[], limit: number, space: readonly CoreTypeEntry[]): void {
  for (const t of types) {
    if (typeof t === "string" || typeof t.ref === "string") continue;
    if (t.ref >= limit) v.fail(`type index out of bounds`);
    if (space[t.ref]?.kind === "module") v.fail(`type index ${t.ref} is a module type`);
  }
}

/** The proposal the shared annotations of core types and modules belong to. */
const SHARED_EVERYTHING = "shared-everything-threads";

/**
 * Why a core type definition needs the shared-everything-threads feature (a shared composite type, a
 * shared table, a reference to a shared abstract heap type), or undefined when it does not.
 */
function sharedUse(t: CoreTypeDef): string | undefined {
  const ref = (x: ValueType | "i8" | "i16") => typeof x === "object" && x.shared === true;
  const sub = (s: TypeDef) => {
    if (s.shared) return "shared composite types";
    const types = s.kind === "func" ? [...s.params, ...s.results] : s.kind === "struct" ? s.fields.map((f) => f.storage) : [s.element.storage];
    return types.some(ref) ? "shared reference types" : undefined;
  };
  const desc = (d: ImportDesc) => {
    if (d.kind === "table") return d.type.shared ? "shared tables" : ref(d.type.element) ? "shared reference types" : undefined;
    if (d.kind === "global") return ref(d.type.content) ? "shared reference types" : undefined;
    return undefined;
  };
  if (t.kind === "rec") {
    for (const s of t.types) {
      const why = sub(s);
      if (why) return why;
    }
    return undefined;
  }
  for (const d of t.decls) {
    const why = d.kind === "type" ? sharedUse(d.type) : d.kind === "import" || d.kind === "export" ? desc(d.desc) : undefined;
    if (why) return why;
  }
  return undefined;
}

/**
 * Rejects a core module's shared annotations (shared-everything threads) when the feature is off;
 * the declarations are read, not the bodies (a body's shared heap types need a shared type or table).
 */
export function checkCoreModuleFeatures(v: Scope, info: ModuleInfo): void {
  if (v.options.features?.sharedEverythingThreads !== false) return;
  const use = proposalUses(info, { stopAt: (p) => p === SHARED_EVERYTHING }).get(SHARED_EVERYTHING);
  if (use) v.fail(`invalid core module: ${use.what} requires the \`${SHARED_EVERYTHING}\` feature to be enabled`);
}

export function coreType(v: Scope, t: CoreTypeDef): void {
  if (v.options.features?.sharedEverythingThreads === false) {
    const why = sharedUse(t);
    if (why) v.fail(`${why} require the \`${SHARED_EVERYTHING}\` feature to be enabled`);
  }
  if (t.kind === "rec") {
    const limit = v.spaces.coreTypes.length + t.types.length;
    for (const sub of t.types) {
      if (sub.kind === "func") coreRefs(v, [...sub.params, ...sub.results], limit, v.spaces.coreTypes);
      if (sub.kind === "struct") coreRefs(v, sub.fields.map((f) => f.storage).filter((x): x is import("../../binary/module-info.js").ValueType => x !== "i8" && x !== "i16"), limit, v.spaces.coreTypes);
      for (const st of sub.supertypes) {
        if (st >= limit) v.fail("type index out of bounds");
        const sup = v.spaces.coreTypes[st];
        if (sup !== undefined && sup.kind !== "module" && sup.final !== false) v.fail("sub type cannot have a final super type");
      }
    }
    for (const sub of t.types) {
      if (sub.kind === "func") v.spaces.coreTypes.push({ kind: "func", type: { params: sub.params, results: sub.results }, final: sub.final });
      else v.spaces.coreTypes.push({ kind: "gc", final: sub.final });
    }
    return;
  }
  v.spaces.coreTypes.push({ kind: "module", type: moduleType(v, t.decls) });
}

export function moduleType(v: Scope, decls: import("./ast.js").CoreModuleDecl[] | readonly import("./ast.js").CoreModuleDecl[]): CoreModuleSig {
  const types: CoreTypeEntry[] = [];
  const imports: { module: string; name: string; type: CoreExtern }[] = [];
  const exports = new Map<string, CoreExtern>();
  const seenImports = new Set<string>();
  const funcType = (i: number): CoreFuncSig => {
    const t = types[i];
    if (t === undefined) v.fail(`type index ${i} out of bounds`);
    if (t.kind !== "func") v.fail(`type index ${i} is not a function type`);
    return t.type;
  };
  for (const d of decls) {
    switch (d.kind) {
      case "type":
        if (d.type.kind === "module") v.fail("core module types cannot be nested");
        for (const sub of d.type.types) {
          for (const st of sub.supertypes) {
            const sup = types[st];
            if (sup === undefined && st >= types.length + d.type.types.length) v.fail("type index out of bounds");
            if (sup !== undefined && sup.kind !== "module" && sup.final !== false) v.fail("sub type cannot have a final super type");
          }
          types.push(sub.kind === "func" ? { kind: "func", type: { params: sub.params, results: sub.results }, final: sub.final } : { kind: "gc", final: sub.final });
        }
        break;
      case "alias": {
        let s: Scope = v;
        // Count 0 is the module type itself; 1 is the scope that contains it.
        if (d.count === 0) {
          const t = types[d.index];
          if (t === undefined) v.fail(`type index ${d.index} out of bounds`);
          types.push(t);
          break;
        }
        for (let k = 1; k < d.count; k++) {
          if (s.parent === undefined) v.fail(`invalid outer alias count of ${d.count}`);
          s = s.parent;
        }
        const t = s.spaces.coreTypes[d.index];
        if (t === undefined) v.fail(`type index ${d.index} out of bounds`);
        if (t.kind === "module") v.fail("cannot alias a module type into a module type");
        types.push(t);
        break;
      }
      case "import": {
        const key = `${d.module}\0${d.name}`;
        if (seenImports.has(key)) v.fail(`duplicate import name \`${d.module}:${d.name}\``);
        seenImports.add(key);
        checkCoreLimits(v, d.desc);
        imports.push({ module: d.module, name: d.name, type: coreExternOf(d.desc, funcType)! });
        break;
      }
      case "export":
        if (exports.has(d.name)) v.fail(`export name \`${d.name}\` already defined`);
        checkCoreLimits(v, d.desc);
        exports.set(d.name, coreExternOf(d.desc, funcType)!);
        break;
    }
  }
  return { imports, exports };
}

/** The core limits of a memory or table type in a module type. */
export function checkCoreLimits(v: Scope, d: import("../../binary/module-info.js").ImportDesc): void {
  if (d.kind === "memory") {
    const m = d.type;
    const pages = m.memory64 ? 2 ** 48 : 65536;
    if (m.pageSizeLog2 !== undefined && m.pageSizeLog2 !== 0 && m.pageSizeLog2 !== 16) v.fail("invalid custom page size");
    const limit = m.pageSizeLog2 === 0 ? (m.memory64 ? 2 ** 64 - 1 : 2 ** 32 - 1) : pages;
    if (m.min > limit || (m.max !== undefined && m.max > limit)) v.fail(`memory size must be at most ${limit} pages`);
    if (m.max !== undefined && m.max < m.min) v.fail("size minimum must not be greater than maximum");
    if (m.shared && m.max === undefined) v.fail("shared memory must have maximum size");
  }
  if (d.kind === "table") {
    const t = d.type;
    if (t.max !== undefined && t.max < t.min) v.fail("size minimum must not be greater than maximum");
  }
}
