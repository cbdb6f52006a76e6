/**
 * The pieces `component new` assembles a component from: the canonical ABI's needs of a lift or
 * lower, core signatures as text, the sections under construction with their index spaces, and the
 * small core modules it generates (trampolines, the fixup that fills them, stubs, an allocator).
 *
 * @module
 */
import { CompileError } from "../../errors.js";
import type { ImportInfo, ValueType as CoreValueType } from "../../binary/module-info.js";
import type { ComponentInfo, ComponentSection, CoreInstanceDef } from "../binary/ast.js";
import type { CoreFuncSig } from "../binary/core-sigs.js";
import { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, flatLength, flattenFuncType, needsMemory } from "../binary/flatten.js";
import type { ComponentFuncType } from "../types.js";

/** What a lift or lower of a function needs from the module, and the core signature it has. */
export interface AbiNeeds {
  readonly memory: boolean;
  readonly realloc: boolean;
  readonly signature: CoreFuncSig;
}

export function abiNeeds(ft: ComponentFuncType, side: "lift" | "lower"): AbiNeeds {
  const params = ft.params.map((p) => p.type);
  const paramMem = params.some(needsMemory) || flatLength(params, MAX_FLAT_PARAMS) > MAX_FLAT_PARAMS;
  const resultMem = ft.result !== undefined && (needsMemory(ft.result) || flatLength([ft.result], MAX_FLAT_RESULTS) > MAX_FLAT_RESULTS);
  // Lifting: the caller writes the arguments into guest memory. Lowering: the callee writes the results.
  const realloc = side === "lift" ? paramMem : ft.result !== undefined && needsMemory(ft.result);
  return { memory: paramMem || resultMem, realloc, signature: flattenFuncType(ft, side) };
}

/** A core signature with its types as text (reference types, which no canonical signature has, as `ref`). */
export type SigText = { readonly params: readonly string[]; readonly results: readonly string[] };

export function sigOf(s: { readonly params: readonly CoreValueType[]; readonly results: readonly CoreValueType[] }): SigText {
  const name = (v: CoreValueType): string => (typeof v === "string" ? v : "ref");
  return { params: s.params.map(name), results: s.results.map(name) };
}

export function sigText(s: SigText): string {
  return `(${s.params.join(", ")}) -> (${s.results.join(", ")})`;
}

/** Checks a core function type against the canonical ABI's signature for it. */
export function checkSignature(what: string, actual: SigText, needs: AbiNeeds, wit: string, offset?: number): void {
  const expected = sigOf(needs.signature);
  const same = actual.params.length === expected.params.length && actual.results.length === expected.results.length &&
    actual.params.every((p, i) => p === expected.params[i]) && actual.results.every((r, i) => r === expected.results[i]);
  if (!same) {
    throw new CompileError(`${what} has the core type ${sigText(actual)}, but the canonical ABI gives \`${wit}\` the core type ${sigText(expected)}`, offset);
  }
}

/** Sections under construction, with the component's index spaces. */
export class Sections {
  readonly list: ComponentSection[] = [];
  funcs = 0;
  coreFuncs = 0;
  coreInstances = 0;
  coreModules = 0;
  coreMemories = 0;
  coreTables = 0;

  /** Appends an item to a vector section, opening a new section when the last one is of another kind. */
  item<K extends "type" | "alias" | "import" | "canon" | "core-instance" | "instance" | "export">(
    id: K, item: Extract<ComponentSection, { id: K }>["items"][number],
  ): void {
    const last = this.list[this.list.length - 1];
    if (last && last.id === id) (last as unknown as { items: unknown[] }).items.push(item);
    else this.list.push({ id, offset: 0, items: [item] } as unknown as ComponentSection);
  }

  components = 0;

  /** A nested component definition; returns its index. */
  component(info: ComponentInfo): number {
    this.list.push({ id: "component", offset: 0, component: info });
    return this.components++;
  }

  coreModule(bytes: Uint8Array): number {
    this.list.push({ id: "core-module", offset: 0, module: { offset: 0, bytes, info: undefined as never } });
    return this.coreModules++;
  }

  coreInstance(def: CoreInstanceDef): number {
    this.item("core-instance", def);
    return this.coreInstances++;
  }

  /** `alias core export instance name` of a core sort; returns its index in that sort's space. */
  coreAlias(sort: "func" | "memory" | "table", instance: number, name: string): number {
    this.item("alias", { kind: "core-export", sort: `core ${sort}`, instance, name, offset: 0 });
    return sort === "func" ? this.coreFuncs++ : sort === "memory" ? this.coreMemories++ : this.coreTables++;
  }
}


export function watFuncType(t: { params: readonly string[]; results: readonly string[] }): string {
  return `${t.params.length ? ` (param ${t.params.join(" ")})` : ""}${t.results.length ? ` (result ${t.results.join(" ")})` : ""}`;
}

/** The trampolines: function `i` calls table slot `i`, which the fixup module fills. */
export function shimWat(types: readonly { params: readonly string[]; results: readonly string[] }[]): string {
  const lines = [`(module`, `  (table (export "$imports") ${types.length} ${types.length} funcref)`];
  types.forEach((t, i) => {
    const gets = t.params.map((_, j) => `(local.get ${j})`).join(" ");
    lines.push(`  (func (export "${i}")${watFuncType(t)} ${gets} (call_indirect${watFuncType(t)} (i32.const ${i})))`);
  });
  lines.push(")");
  return lines.join("\n");
}

/** Fills the shim's table with the lowered functions, then runs the initializer (`init`) when there is one. */
export function fixupWat(types: readonly { params: readonly string[]; results: readonly string[] }[], init: string | undefined): string {
  const lines = ["(module"];
  types.forEach((t, i) => lines.push(`  (import "" "${i}" (func $f${i}${watFuncType(t)}))`));
  if (init !== undefined) lines.push(`  (import "main" ${JSON.stringify(init)} (func $init))`);
  if (types.length) {
    lines.push(`  (import "" "$imports" (table ${types.length} ${types.length} funcref))`);
    lines.push(`  (elem (i32.const 0) func ${types.map((_, i) => `$f${i}`).join(" ")})`);
  }
  if (init !== undefined) lines.push("  (start $init)");
  lines.push(")");
  return lines.join("\n");
}


/** Functions that trap, one per signature (`"0"`, `"1"`, ...): what an adapter import that cannot be called gets. */
export function stubsWat(types: readonly SigText[]): string {
  const lines = ["(module"];
  types.forEach((t, i) => lines.push(`  (func (export "${i}")${watFuncType(t)} unreachable)`));
  lines.push(")");
  return lines.join("\n");
}

/**
 * A `cabi_realloc` for an adapter whose main module exports none: fresh whole pages of the shared
 * memory by `memory.grow` (an adapter allocates its state and stack once, never reallocates).
 */
export const GROW_REALLOC_WAT = `(module
  (import "" "memory" (memory 0))
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $page i32)
    (if (i32.or (local.get $old) (local.get $old_size)) (then unreachable))
    (if (i32.gt_u (local.get $align) (i32.const 65536)) (then unreachable))
    (local.set $page (memory.grow (i32.shr_u (i32.add (local.get $size) (i32.const 65535)) (i32.const 16))))
    (if (i32.eq (local.get $page) (i32.const -1)) (then unreachable))
    (i32.shl (local.get $page) (i32.const 16))))`;

/** A module's imports grouped by import module, in order of first appearance. */
export function groupImports(imports: readonly ImportInfo[]): Map<string, ImportInfo[]> {
  const byModule = new Map<string, ImportInfo[]>();
  for (const imp of imports) {
    let list = byModule.get(imp.module);
    if (!list) byModule.set(imp.module, (list = []));
    list.push(imp);
  }
  return byModule;
}
