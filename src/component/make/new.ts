/**
 * `component new`: wraps a core module into a component for a WIT world, by the canonical ABI's
 * naming conventions (what `wasm-tools component new` does). Both conventions `wit-component` reads
 * are accepted (`names.ts`): the legacy one of `wit-bindgen`-style toolchains (`memory`,
 * `cabi_realloc`, `f`, `ns:pkg/iface@v#f`, `cabi_post_*`, `_initialize`, imports from `$root` and from
 * interface names, `[resource-drop]r`) and the standard `cm32p2` one.
 *
 * The component: the world's imports that the module uses (and what they depend on), the core module,
 * an instance of it whose imports are the lowered component functions, then the lifted exports. Lowered
 * functions that need the module's memory or allocator (strings, lists, spilled arguments) go through a
 * table of `call_indirect` trampolines filled after the main instance exists (a "shim" module and a
 * "fixup" module, as `wit-component` builds them), because the memory only exists once the module is
 * instantiated. Resources of exported interfaces are defined by the component (rep i32), with the
 * module's destructor (`ns:pkg/iface#[dtor]r`) and the `[export]ns:pkg/iface` built-ins
 * (`[resource-new]r`, `[resource-rep]r`, `[resource-drop]r`). The preview1 adapter (`--adapt`) is not
 * supported yet.
 *
 * @module
 */
import { CompileError } from "../../errors.js";
import { decodeModule } from "../../binary/decoder.js";
import { type ValueType as CoreValueType, funcTypeAt, funcTypeIndex } from "../../binary/module-info.js";
import { watToBinary } from "../../text/index.js";
import type {
  CanonOption, ComponentInfo, ComponentSection, CoreInstanceDef, Decl, ExternDesc, ExternName, InstanceDef,
} from "../binary/ast.js";
import { encodeComponent } from "../binary/encoder.js";
import type { CoreFuncSig } from "../binary/core-sigs.js";
import { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, flatLength, flattenFuncType, needsMemory } from "../binary/flatten.js";
import type { ComponentFuncType } from "../types.js";
import { WitTypeConverter } from "../wit/component-type.js";
import { Scope, TypeEncoder, externName, worldItemName } from "../wit/encode.js";
import { type WitFunction, type WitInterface, WitTypeDef, type WitWorld } from "../wit/model.js";
import { printWitType } from "../wit/print.js";
import { interfaceDependencies } from "../wit/resolve.js";
import { embeddedWorlds, stripComponentTypes } from "./embed.js";
import { namingOf } from "./names.js";
import { interfaceShim } from "./shim-component.js";

/** Options of `componentNew`. */
export interface ComponentNewOptions {
  /** The world to target; by default the one in the module's `component-type` section. */
  readonly world?: WitWorld;
}

/** What a lift or lower of a function needs from the module, and the core signature it has. */
interface AbiNeeds {
  readonly memory: boolean;
  readonly realloc: boolean;
  readonly signature: CoreFuncSig;
}

function abiNeeds(ft: ComponentFuncType, side: "lift" | "lower"): AbiNeeds {
  const params = ft.params.map((p) => p.type);
  const paramMem = params.some(needsMemory) || flatLength(params, MAX_FLAT_PARAMS) > MAX_FLAT_PARAMS;
  const resultMem = ft.result !== undefined && (needsMemory(ft.result) || flatLength([ft.result], MAX_FLAT_RESULTS) > MAX_FLAT_RESULTS);
  // Lifting: the caller writes the arguments into guest memory. Lowering: the callee writes the results.
  const realloc = side === "lift" ? paramMem : ft.result !== undefined && needsMemory(ft.result);
  return { memory: paramMem || resultMem, realloc, signature: flattenFuncType(ft, side) };
}

/** A core signature with its types as text (reference types, which no canonical signature has, as `ref`). */
type SigText = { readonly params: readonly string[]; readonly results: readonly string[] };

function sigOf(s: { readonly params: readonly CoreValueType[]; readonly results: readonly CoreValueType[] }): SigText {
  const name = (v: CoreValueType): string => (typeof v === "string" ? v : "ref");
  return { params: s.params.map(name), results: s.results.map(name) };
}

function sigText(s: SigText): string {
  return `(${s.params.join(", ")}) -> (${s.results.join(", ")})`;
}

/** Checks a core function type against the canonical ABI's signature for it. */
function checkSignature(what: string, actual: SigText, needs: AbiNeeds, wit: string, offset?: number): void {
  const expected = sigOf(needs.signature);
  const same = actual.params.length === expected.params.length && actual.results.length === expected.results.length &&
    actual.params.every((p, i) => p === expected.params[i]) && actual.results.every((r, i) => r === expected.results[i]);
  if (!same) {
    throw new CompileError(`${what} has the core type ${sigText(actual)}, but the canonical ABI gives \`${wit}\` the core type ${sigText(expected)}`, offset);
  }
}

/** Sections under construction, with the component's index spaces. */
class Sections {
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

/**
 * Wraps a core module into a component (see the module comment).
 *
 * @throws CompileError when the module does not match the world (a missing export, an import the world
 *   does not have, a missing `memory` or `cabi_realloc`) or uses what is not supported yet.
 */
export function componentNew(module: Uint8Array, options: ComponentNewOptions = {}): Uint8Array {
  const world = options.world ?? singleWorld(module);
  const core = stripComponentTypes(module);
  const info = decodeModule(core);
  const coreExports = new Map(info.exports.map((e) => [e.name, e]));
  const naming = namingOf(info.imports, info.exports);
  // Import module name -> world import key.
  const moduleKeys = new Map<string, string>();
  for (const [key, item] of world.imports) if (item.kind === "interface") moduleKeys.set(naming.importModule(key), key);
  // Import module of an exported interface's resource built-ins -> world export key.
  const exportModuleKeys = new Map<string, string>();
  for (const [key, item] of world.exports) if (item.kind === "interface") exportModuleKeys.set(naming.exportModule(item.plainName ?? item.interface.qualifiedName ?? key), key);
  const funcTypeIndexOf = (funcIndex: number): number => funcTypeIndex(info, funcIndex) ?? -1;

  const types = new WitTypeConverter();
  const witText = (f: WitFunction): string =>
    `${f.async ? "async " : ""}func(${f.params.map((p) => `${p.name}: ${printWitType(p.type)}`).join(", ")})${f.result ? ` -> ${printWitType(f.result)}` : ""}`;
  const out = new Sections();
  const outer = new Scope(undefined, undefined);
  const enc = new TypeEncoder(outer);
  let flushed = 0;
  const flush = (): void => {
    for (; flushed < outer.decls.length; flushed++) {
      const d: Decl = outer.decls[flushed]!;
      if (d.kind === "type") out.item("type", d.type);
      else if (d.kind === "alias") out.item("alias", d.alias);
      else if (d.kind === "import") {
        out.item("import", { name: d.decl.name, desc: d.decl.desc, offset: 0 });
        if (d.decl.desc.kind === "func") out.funcs++;
      } else throw new Error(`unexpected ${d.kind} declarator at the component level`);
    }
  };

  // ---- which imports the module uses ----
  interface UsedImport { readonly module: string; readonly name: string; readonly typeIndex: number; readonly offset: number }
  const byModule = new Map<string, UsedImport[]>();
  for (const imp of info.imports) {
    if (imp.kind !== "func") {
      throw new CompileError(`the module imports a ${imp.kind} (\`${imp.module}::${imp.name}\`); a component's core module may import only functions`, imp.offset);
    }
    let list = byModule.get(imp.module);
    if (!list) byModule.set(imp.module, (list = []));
    list.push({ module: imp.module, name: imp.name, typeIndex: imp.typeIndex, offset: imp.offset });
  }
  const usedIfaces = new Set<WitInterface>();
  const usedFuncs = new Set<string>();
  for (const [mod, imps] of byModule) {
    if (mod === naming.rootModule) {
      for (const imp of imps) {
        const item = world.imports.get(imp.name);
        if (item?.kind !== "function") throw new CompileError(`the module imports \`${mod}::${imp.name}\`, but world \`${world.name}\` has no function import \`${imp.name}\``, imp.offset);
        usedFuncs.add(imp.name);
      }
      continue;
    }
    const exportKey = exportModuleKeys.get(mod);
    if (exportKey !== undefined) {
      const iface = (world.exports.get(exportKey) as { interface: WitInterface }).interface;
      for (const imp of imps) {
        const b = naming.resourceBuiltin(imp.name);
        const def = b && iface.types.get(b.resource);
        if (!def || def.kind.kind !== "resource") throw new CompileError(`the module imports \`${mod}::${imp.name}\`, which is no resource built-in of \`${exportKey}\``, imp.offset);
      }
      continue;
    }
    const key = moduleKeys.get(mod);
    const item = key === undefined ? undefined : world.imports.get(key);
    if (item?.kind !== "interface") {
      const hint = mod === "wasi_snapshot_preview1" ? " (a WASI preview1 module needs the adapter, `--adapt`, which is not supported yet)" : "";
      throw new CompileError(`the module imports from \`${mod}\`, which world \`${world.name}\` does not import${hint}`, imps[0]!.offset);
    }
    for (const imp of imps) {
      const drop = naming.droppedResource(imp.name);
      const known = drop !== undefined ? item.interface.types.get(drop)?.resolved() : item.interface.functions.get(imp.name);
      if (!known || (drop !== undefined && !(known instanceof WitTypeDef && known.kind.kind === "resource"))) {
        throw new CompileError(`the module imports \`${mod}::${imp.name}\`, which \`${mod}\` does not define`, imp.offset);
      }
    }
    usedIfaces.add(item.interface);
  }
  // Interfaces the used ones need for their types.
  const needed = new Set<WitInterface>();
  const need = (i: WitInterface): void => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of interfaceDependencies(i.types.values(), i)) need(d);
  };
  for (const i of usedIfaces) need(i);
  for (const item of world.exports.values()) {
    if (item.kind === "interface") for (const d of interfaceDependencies(item.interface.types.values(), item.interface)) need(d);
  }
  const worldTypesNeeded = usedFuncs.size > 0 || [...world.exports.values()].some((i) => i.kind === "function");
  for (const item of world.imports.values()) {
    if (item.kind === "type" && worldTypesNeeded) for (const d of interfaceDependencies([item.def])) need(d);
  }

  // ---- imports ----
  const instanceOf = new Map<string, number>();
  const funcOf = new Map<string, number>();
  for (const [key, item] of world.imports) {
    if (item.kind === "interface" && (needed.has(item.interface) || usedIfaces.has(item.interface))) {
      enc.interfaceItem("import", worldItemName(key, item), item.interface);
      flush();
      instanceOf.set(key, outer.instanceCount - 1);
    } else if (item.kind === "type" && worldTypesNeeded) {
      enc.defIndex(outer, item.def);
      flush();
    } else if (item.kind === "function" && usedFuncs.has(key)) {
      enc.funcItem("import", worldItemName(key, item), item.func);
      flush();
      funcOf.set(key, out.funcs - 1);
    }
  }

  // ---- the core module, and the trampolines for lowerings that need its memory ----
  /** A trampoline slot: its core type, and what fills it once the main instance exists. */
  interface Slot { readonly coreType: SigText; readonly fill: () => number }
  const deferred: Slot[] = [];
  const plan: { module: string; exports: { name: string; make: () => number }[] }[] = [];
  const coreTypeOf = (imp: UsedImport): { params: readonly string[]; results: readonly string[] } => {
    const t = funcTypeAt(info, imp.typeIndex);
    if (!t) throw new CompileError(`the import \`${imp.module}::${imp.name}\` has no function type`, imp.offset);
    return sigOf(t);
  };
  const mainModule = out.coreModule(core);
  for (const [mod, imps] of byModule) {
    const exports: { name: string; make: () => number }[] = [];
    for (const imp of imps) {
      let f: WitFunction;
      let funcIndex: () => number;
      const exportKey = exportModuleKeys.get(mod);
      if (exportKey !== undefined) {
        const iface = (world.exports.get(exportKey) as { interface: WitInterface }).interface;
        const b = naming.resourceBuiltin(imp.name)!;
        const def = iface.types.get(b.resource)!;
        const expected: SigText = b.op === "new" || b.op === "rep" ? { params: ["i32"], results: ["i32"] } : { params: ["i32"], results: [] };
        const actual = coreTypeOf(imp);
        if (sigText(actual) !== sigText(expected)) {
          throw new CompileError(`the import \`${mod}::${imp.name}\` has the core type ${sigText(actual)}, but \`resource.${b.op}\` has ${sigText(expected)}`, imp.offset);
        }
        exports.push({
          name: imp.name,
          make: () => {
            out.item("canon", { kind: `resource.${b.op}`, type: resourceIndex(def), offset: 0 });
            return out.coreFuncs++;
          },
        });
        continue;
      }
      if (mod === naming.rootModule) {
        f = (world.imports.get(imp.name) as { func: WitFunction }).func;
        funcIndex = () => funcOf.get(imp.name)!;
      } else {
        const key = moduleKeys.get(mod)!;
        const iface = (world.imports.get(key) as { interface: WitInterface }).interface;
        const drop = naming.droppedResource(imp.name);
        if (drop !== undefined) {
          const def = iface.types.get(drop)!;
          exports.push({
            name: imp.name,
            make: () => {
              const type = enc.defIndex(outer, def);
              flush();
              out.item("canon", { kind: "resource.drop", type, offset: 0 });
              return out.coreFuncs++;
            },
          });
          continue;
        }
        f = iface.functions.get(imp.name)!;
        funcIndex = () => {
          out.item("alias", { kind: "export", sort: "func", instance: instanceOf.get(key)!, name: imp.name, offset: 0 });
          return out.funcs++;
        };
      }
      const needs = abiNeeds(types.funcType(f), "lower");
      const coreType = coreTypeOf(imp);
      checkSignature(`the import \`${imp.module}::${imp.name}\``, coreType, needs, witText(f), imp.offset);
      if (needs.memory || needs.realloc) {
        const slot = deferred.length;
        deferred.push({
          coreType,
          fill: () => {
            const func = funcIndex();
            const opts: CanonOption[] = [{ kind: "memory", index: memoryIndex("imports pass strings or lists") }];
            if (needs.realloc) opts.push({ kind: "realloc", index: reallocIndex("imports return strings or lists") });
            out.item("canon", { kind: "lower", func, options: opts, offset: 0 });
            return out.coreFuncs++;
          },
        });
        exports.push({ name: imp.name, make: () => out.coreAlias("func", shimInstance(), String(slot)) });
      } else {
        exports.push({
          name: imp.name,
          make: () => {
            const func = funcIndex();
            out.item("canon", { kind: "lower", func, options: [], offset: 0 });
            return out.coreFuncs++;
          },
        });
      }
    }
    plan.push({ module: mod, exports });
  }

  // Resources of exported interfaces: defined here, their destructors through a trampoline slot
  // (a resource type needs its destructor before the module that exports it is instantiated).
  const dtorSlots = new Map<WitTypeDef, number>();
  for (const [key, item] of world.exports) {
    if (item.kind !== "interface") continue;
    for (const def of item.interface.types.values()) {
      if (def.kind.kind !== "resource") continue;
      const name = naming.destructor(item.plainName ?? item.interface.qualifiedName ?? key, def.name);
      const e = coreExports.get(name);
      if (e === undefined) continue;
      const t = e.kind === "func" ? funcTypeAt(info, funcTypeIndexOf(e.index)) : undefined;
      if (!t || sigText(sigOf(t)) !== "(i32) -> ()") throw new CompileError(`the destructor \`${name}\` must be a function (i32) -> ()`, e.offset);
      dtorSlots.set(def, deferred.length);
      deferred.push({ coreType: { params: ["i32"], results: [] }, fill: () => out.coreAlias("func", main, name) });
    }
  }
  const definedResources = new Map<WitTypeDef, number>();
  const resourceIndex = (def: WitTypeDef): number => {
    const known = definedResources.get(def);
    if (known !== undefined) return known;
    const slot = dtorSlots.get(def);
    const dtor = slot === undefined ? undefined : out.coreAlias("func", shimInstance(), String(slot));
    const index = outer.type({ kind: "resource", rep: "i32", ...(dtor !== undefined ? { dtor } : {}) });
    flush();
    outer.defs.set(def, index);
    definedResources.set(def, index);
    return index;
  };

  const hasInit = coreExports.get(naming.initialize)?.kind === "func";
  let shimModule = -1;
  let shimInst = -1;
  const shimInstance = (): number => {
    if (shimInst < 0) shimInst = out.coreInstance({ kind: "instantiate", module: shimModule, args: [], offset: 0 });
    return shimInst;
  };
  if (deferred.length) shimModule = out.coreModule(watToBinary(shimWat(deferred.map((d) => d.coreType)), { file: "<shim>" }));
  const needFixup = deferred.length > 0 || hasInit;
  const fixupModule = needFixup ? out.coreModule(watToBinary(fixupWat(deferred.map((d) => d.coreType), hasInit ? naming.initialize : undefined), { file: "<fixup>" })) : -1;

  let main = -1;
  const args: { name: string; instance: number }[] = [];
  for (const p of plan) {
    const exports = p.exports.map((e) => ({ name: e.name, sort: "func" as const, index: e.make() }));
    args.push({ name: p.module, instance: out.coreInstance({ kind: "exports", exports, offset: 0 }) });
  }
  // (`main` is read by the trampoline fills, which run after this line.)
  main = out.coreInstance({ kind: "instantiate", module: mainModule, args, offset: 0 });

  let memory: number | undefined;
  const memoryIndex = (why: string): number => {
    if (memory !== undefined) return memory;
    if (coreExports.get(naming.memory)?.kind !== "memory") throw new CompileError(`the module must export its memory as \`${naming.memory}\` (${why})`);
    memory = out.coreAlias("memory", main, naming.memory);
    return memory;
  };
  let realloc: number | undefined;
  const reallocIndex = (why: string): number => {
    if (realloc !== undefined) return realloc;
    if (coreExports.get(naming.realloc)?.kind !== "func") throw new CompileError(`the module must export \`${naming.realloc}\` (${why})`);
    realloc = out.coreAlias("func", main, naming.realloc);
    return realloc;
  };

  if (needFixup) {
    const fixupArgs: { name: string; instance: number }[] = [];
    if (deferred.length) {
      const lowered = deferred.map((d, i) => ({ name: String(i), sort: "func" as const, index: d.fill() }));
      const table = out.coreAlias("table", shimInstance(), "$imports");
      fixupArgs.push({ name: "", instance: out.coreInstance({ kind: "exports", exports: [...lowered, { name: "$imports", sort: "table", index: table }], offset: 0 }) });
    }
    if (hasInit) fixupArgs.push({ name: "main", instance: main });
    out.coreInstance({ kind: "instantiate", module: fixupModule, args: fixupArgs, offset: 0 });
  }

  // ---- exports ----
  const lift = (f: WitFunction, coreName: string, typeIndex: number): number => {
    const e = coreExports.get(coreName);
    if (e?.kind !== "func") throw new CompileError(`the module does not export the function \`${coreName}\` (world \`${world.name}\` exports it)`);
    const needs = abiNeeds(types.funcType(f), "lift");
    const t = funcTypeAt(info, funcTypeIndexOf(e.index));
    if (t) checkSignature(`the export \`${coreName}\``, sigOf(t), needs, witText(f), e.offset);
    const core = out.coreAlias("func", main, coreName);
    const opts: CanonOption[] = [];
    if (needs.memory) opts.push({ kind: "memory", index: memoryIndex(`\`${coreName}\` passes strings or lists`) });
    if (needs.realloc) opts.push({ kind: "realloc", index: reallocIndex(`\`${coreName}\` takes strings or lists`) });
    const post = naming.postReturn(coreName);
    if (coreExports.get(post)?.kind === "func") opts.push({ kind: "post-return", index: out.coreAlias("func", main, post) });
    out.item("canon", { kind: "lift", func: core, options: opts, type: typeIndex, offset: 0 });
    return out.funcs++;
  };
  const exportItem = (name: ExternName, sort: "func" | "instance", index: number, desc?: ExternDesc): void => {
    out.item("export", { name, sort, index, offset: 0, ...(desc ? { desc } : {}) });
    if (sort === "func") out.funcs++;
    else outer.instanceCount++;
  };
  for (const [key, item] of world.exports) {
    if (item.kind === "function") {
      const t = enc.funcType(outer, item.func);
      flush();
      exportItem(worldItemName(key, item), "func", lift(item.func, naming.exportName(undefined, key), t));
    } else if (item.kind === "interface") {
      const iface = item.interface;
      enc.defineLocally(iface, resourceIndex);
      flush();
      const prefix = item.plainName ?? iface.qualifiedName ?? key;
      const lifted = new Map<WitFunction, number>();
      for (const f of iface.functions.values()) {
        const t = enc.funcType(outer, f);
        flush();
        lifted.set(f, lift(f, naming.exportName(prefix, f.name), t));
      }
      // The instance comes from a nested component that gives every type a name of its own.
      const shim = interfaceShim(iface);
      const component = out.component(shim.component);
      const args: InstanceDef & { kind: "instantiate" } = {
        kind: "instantiate",
        component,
        args: [
          ...shim.types.map(({ name, def }) => ({ name, sort: "type" as const, index: enc.defIndex(outer, def) })),
          ...shim.funcs.map(({ name, func }) => ({ name, sort: "func" as const, index: lifted.get(func)! })),
        ],
        offset: 0,
      };
      flush();
      out.item("instance", args);
      const instance = outer.instanceCount++;
      // Exported with the interface's instance type ascribed too, so that validators that look for the
      // names in the exporting component's own scope find them there.
      const ascribed = outer.type({ kind: "instance", decls: enc.instanceType(iface, true) });
      flush();
      exportItem(worldItemName(key, item), "instance", instance, { kind: "instance", type: ascribed });
    }
  }
  return encodeComponent({ sections: out.list });
}

function singleWorld(module: Uint8Array): WitWorld {
  const worlds = embeddedWorlds(module);
  if (worlds.length === 0) throw new CompileError("the module has no `component-type` section: give the world (`--wit`)");
  if (worlds.length > 1) throw new CompileError(`the module has ${worlds.length} \`component-type\` sections; merging worlds is not supported yet`);
  return worlds[0]!;
}

function watFuncType(t: { params: readonly string[]; results: readonly string[] }): string {
  return `${t.params.length ? ` (param ${t.params.join(" ")})` : ""}${t.results.length ? ` (result ${t.results.join(" ")})` : ""}`;
}

/** The trampolines: function `i` calls table slot `i`, which the fixup module fills. */
function shimWat(types: readonly { params: readonly string[]; results: readonly string[] }[]): string {
  const lines = [`(module`, `  (table (export "$imports") ${types.length} ${types.length} funcref)`];
  types.forEach((t, i) => {
    const gets = t.params.map((_, j) => `(local.get ${j})`).join(" ");
    lines.push(`  (func (export "${i}")${watFuncType(t)} ${gets} (call_indirect${watFuncType(t)} (i32.const ${i})))`);
  });
  lines.push(")");
  return lines.join("\n");
}

/** Fills the shim's table with the lowered functions, then runs the initializer (`init`) when there is one. */
function fixupWat(types: readonly { params: readonly string[]; results: readonly string[] }[], init: string | undefined): string {
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
