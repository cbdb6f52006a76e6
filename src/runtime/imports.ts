/**
 * Import matching: the spec's rules for whether a provided extern satisfies an import
 * (https://webassembly.github.io/spec/core/valid/types.html#import-subtyping).
 *
 * @module
 */
import { LinkError } from "../errors.js";
import type { ExternType, ValType } from "../types.js";
import { formatExternType } from "../types.js";
import { externTypeOf, isExtern, type Extern } from "./extern.js";
import { Func } from "./func.js";
import { importExternType, type Module } from "./module.js";
import type { ImportInfo, ModuleInfo } from "../binary/module-info.js";
import type { Store } from "./store.js";
import { describeValue, refKindOf, sameValType } from "./values.js";

/** Throws a `LinkError` unless `imports` satisfy `module`'s imports, in order. */
export function checkImports(store: Store, module: Module, imports: readonly Extern[]): void {
  const info = module.info;
  if (!Array.isArray(imports)) throw new TypeError(`new Instance: imports must be an array of externs, got ${describeValue(imports)}`);
  if (imports.length !== info.imports.length) {
    const missing = info.imports[imports.length];
    throw new LinkError(
      `the module has ${info.imports.length} imports but ${imports.length} were given` +
        (missing ? ` (the first missing one is ${missing.module}::${missing.name})` : ""),
      { module: missing?.module ?? "", name: missing?.name ?? "" },
    );
  }
  const types = importTypesOf(info);
  for (let i = 0; i < imports.length; i++) {
    const imp = info.imports[i]!;
    const given = imports[i];
    // A function of this store with exactly the imported signature (a component's lowered imports,
    // linked host functions): nothing to allocate. Anything else takes the full check and its messages.
    if (given instanceof Func && given.store === store && imp.kind === "func") {
      const want = types[i] as ExternType & { kind: "func" };
      const t = given.type;
      if (matchingList(want.params, t.params) && matchingList(want.results, t.results)) continue;
    }
    checkImport(store, imp.module, imp.name, types[i]!, given);
  }
}

/** The types of a module's imports, worked out once per module (they only depend on the module). */
const importTypes = new WeakMap<ModuleInfo, readonly ExternType[]>();
function importTypesOf(info: ModuleInfo): readonly ExternType[] {
  let t = importTypes.get(info);
  if (t === undefined) importTypes.set(info, (t = info.imports.map((imp: ImportInfo) => importExternType(info, imp))));
  return t;
}

/** Throws a `LinkError` unless `given` satisfies an import of type `expected`. */
export function checkImport(store: Store, module: string, name: string, expected: ExternType, given: unknown): void {
  const where = `${module}::${name}`;
  if (!isExtern(given)) {
    throw new LinkError(`import ${where}: expected a ${expected.kind} (${formatExternType(expected)}), got ${describeValue(given)}`, {
      module, name, expected: formatExternType(expected), given: describeValue(given),
    });
  }
  if (given.store !== store) {
    throw new LinkError(`import ${where}: the ${externTypeOf(given).kind} given belongs to store ${given.store.id}, not to store ${store.id}`, { module, name });
  }
  const actual = externTypeOf(given);
  const problem = mismatch(expected, actual);
  if (problem !== undefined) {
    throw new LinkError(
      `incompatible import type for ${where}: expected ${formatExternType(expected)}, got ${formatExternType(actual)}${problem ? ` (${problem})` : ""}`,
      { module, name, expected: formatExternType(expected), given: formatExternType(actual) },
    );
  }
}

/** Why `actual` does not match `expected` ("" for a plain kind or type difference), or undefined if it does. */
function mismatch(expected: ExternType, actual: ExternType): string | undefined {
  if (expected.kind !== actual.kind) return "";
  switch (expected.kind) {
    case "func": {
      const a = actual as typeof expected;
      return matchingList(expected.params, a.params) && matchingList(expected.results, a.results) ? undefined : "";
    }
    case "tag": {
      const a = actual as typeof expected;
      return matchingList(expected.params, a.params) ? undefined : "";
    }
    case "global": {
      const a = actual as typeof expected;
      if (!matching(expected.content, a.content)) return "";
      return expected.mutable === a.mutable ? undefined : "mutability differs";
    }
    case "table": {
      const a = actual as typeof expected;
      if (!matching(expected.element, a.element)) return "";
      return limitsMismatch(expected, a);
    }
    case "memory": {
      const a = actual as typeof expected;
      if (expected.shared !== a.shared) return "sharing differs";
      if (expected.memory64 !== a.memory64) return "index type differs";
      return limitsMismatch(expected, a);
    }
  }
}

/**
 * True when a value of type `actual` may be given where `expected` is imported, as far as we check:
 * equal types, or two reference types of which one is beyond WebAssembly 2.0 (subtyping and concrete
 * types of other modules: the engine checks those exactly when it instantiates).
 */
function matching(expected: ValType, actual: ValType): boolean {
  if (sameValType(expected, actual)) return true;
  const beyond2 = (t: ValType): boolean => t !== "funcref" && t !== "externref";
  return refKindOf(expected) !== undefined && refKindOf(actual) !== undefined && (beyond2(expected) || beyond2(actual));
}

function matchingList(expected: readonly ValType[], actual: readonly ValType[]): boolean {
  if (expected.length !== actual.length) return false;
  for (let i = 0; i < expected.length; i++) if (!matching(expected[i]!, actual[i]!)) return false;
  return true;
}

function limitsMismatch(expected: { min: number; max?: number }, actual: { min: number; max?: number }): string | undefined {
  if (actual.min < expected.min) return `minimum ${actual.min} is below the required ${expected.min}`;
  if (expected.max !== undefined) {
    if (actual.max === undefined) return `no maximum, but at most ${expected.max} is required`;
    if (actual.max > expected.max) return `maximum ${actual.max} is above the allowed ${expected.max}`;
  }
  return undefined;
}
