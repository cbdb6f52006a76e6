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
 * (`[resource-new]r`, `[resource-rep]r`, `[resource-drop]r`).
 *
 * Adapters (`adapters`, `--adapt NAME=FILE`, see `adapter.ts`): the main module's imports from `NAME`
 * are trampolines too, filled with the adapter's exports; the adapter is instantiated after the main
 * module (it shares its memory), its imports lowered from the merged world (the adapter's interfaces
 * match the world's on the same semver track), and its world's exports (`wasi:cli/run`) lifted.
 *
 * @module
 */
import { CompileError } from "../../errors.js";
import { decodeModule } from "../../binary/decoder.js";
import { type ImportInfo, type ModuleInfo, funcTypeAt, funcTypeIndex } from "../../binary/module-info.js";
import { watToBinary } from "../../text/index.js";
import type { CanonOption, Decl, ExternDesc, ExternName, InstanceDef } from "../binary/ast.js";
import { encodeComponent } from "../binary/encoder.js";
import { WitTypeConverter } from "../wit/component-type.js";
import { type InterfaceSubset, Scope, TypeEncoder, worldItemName } from "../wit/encode.js";
import { type WitFunction, WitInterface, type WitType, WitTypeDef, type WitWorld, type WitWorldItem } from "../wit/model.js";
import { printWitType } from "../wit/print.js";
import { interfaceDependencies } from "../wit/deps.js";
import { type AdapterInput, MAIN_MODULE, type PreparedAdapter, prepareAdapter, semverTrack } from "./adapter.js";
import {
  GROW_REALLOC_WAT, Sections, type SigText, abiNeeds, checkSignature, fixupWat, groupImports, shimWat, sigOf, sigText, stubsWat,
} from "./assembly.js";
import { singleWorld, stripComponentTypes, worldOrEmpty } from "./embed.js";
import { LEGACY, type CoreNaming, namingOf } from "./names.js";
import { interfaceShim } from "./shim-component.js";

export type { AdapterInput } from "./adapter.js";

/** Options of `componentNew`. */
export interface ComponentNewOptions {
  /** The world to target; by default the one in the module's `component-type` section. */
  readonly world?: WitWorld;
  /**
   * Adapters: core modules that implement an import module of the main module on top of component
   * imports (`wasi_snapshot_preview1` by the preview1 adapter). With adapters, a module with no
   * `component-type` section and no `world` targets an empty world.
   */
  readonly adapters?: readonly AdapterInput[];
}

/** A core module the component instantiates: the main one or an adapter. */
interface CoreUnit {
  readonly info: ModuleInfo;
  readonly naming: CoreNaming;
  /** Its core instance, once it exists. */
  instance: number;
  /** The allocator that lowered imports returning lists use (its `cabi_realloc`, an adapter's `cabi_import_realloc`). */
  readonly importRealloc: () => number;
  /** The allocator lifted exports that take lists use. */
  readonly exportRealloc: () => number;
  readonly exports: ReadonlyMap<string, { kind: string; index: number; offset: number }>;
}

/**
 * Wraps a core module into a component (see the module comment).
 *
 * @throws CompileError when the module does not match the world (a missing export, an import the world
 *   does not have, a missing `memory` or `cabi_realloc`), an adapter does not fit, or the module uses
 *   what is not supported yet.
 */
export function componentNew(module: Uint8Array, options: ComponentNewOptions = {}): Uint8Array {
  const adapterInputs = options.adapters ?? [];
  const world = options.world ?? (adapterInputs.length ? worldOrEmpty(module) : singleWorld(module));
  const core = stripComponentTypes(module);
  const info = decodeModule(core);
  const coreExports = new Map(info.exports.map((e) => [e.name, e]));
  const naming = namingOf(info.imports, info.exports);
  const adapters = new Map<string, PreparedAdapter>();
  for (const a of adapterInputs) {
    if (adapters.has(a.name)) throw new CompileError(`two adapters are given for \`${a.name}\``);
    if (!info.imports.some((i) => i.module === a.name)) {
      const modules = [...new Set(info.imports.map((i) => `\`${i.module}\``))];
      throw new CompileError(`an adapter is given for \`${a.name}\`, but the module imports nothing from it (it imports from ${modules.length ? modules.join(", ") : "nothing"})`);
    }
    adapters.set(a.name, prepareAdapter(a, info));
  }

  // ---- the world's imports, completed with the adapters' ----
  const importItems = new Map<string, WitWorldItem>(world.imports);
  const fromAdapter = new Set<string>();
  const trackKeys = new Map<string, string>();
  for (const [key, item] of world.imports) if (item.kind === "interface") trackKeys.set(semverTrack(key), key);
  for (const a of adapters.values()) {
    for (const [key, item] of a.world.imports) {
      if (item.kind !== "interface" || trackKeys.has(semverTrack(key))) continue;
      trackKeys.set(semverTrack(key), key);
      importItems.set(key, item);
      fromAdapter.add(key);
    }
  }
  // Import module name -> world import key (the main module's names, then the adapters' by semver track).
  const moduleKeys = new Map<string, string>();
  for (const [key, item] of world.imports) if (item.kind === "interface") moduleKeys.set(naming.importModule(key), key);
  const adapterKey = (mod: string): string | undefined => trackKeys.get(semverTrack(mod));
  // Import module of an exported interface's resource built-ins -> world export key.
  const exportModuleKeys = new Map<string, string>();
  for (const [key, item] of world.exports) if (item.kind === "interface") exportModuleKeys.set(naming.exportModule(item.plainName ?? item.interface.qualifiedName ?? key), key);
  for (const a of adapters.values()) {
    for (const key of a.world.exports.keys()) {
      if (world.exports.has(key)) throw new CompileError(`world \`${world.name}\` and the adapter for \`${a.name}\` both export \`${key}\``);
    }
  }
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

  // The types the component needs of its imports (see below).
  const keptDefs = new Set<WitTypeDef>();
  const keepType = (t: WitType): void => {
    switch (t.kind) {
      case "named": case "borrow": keepDef(t.def); break;
      case "list": keepType(t.element); break;
      case "option": keepType(t.type); break;
      case "result": if (t.ok) keepType(t.ok); if (t.err) keepType(t.err); break;
      case "tuple": t.types.forEach(keepType); break;
      case "map": keepType(t.key); keepType(t.value); break;
      case "future": case "stream": if (t.element) keepType(t.element); break;
      default: break;
    }
  };
  const keepDef = (d: WitTypeDef): void => {
    if (keptDefs.has(d)) return;
    keptDefs.add(d);
    const k = d.kind;
    if (k.kind === "alias") keepType(k.type);
    else if (k.kind === "record") k.fields.forEach((f) => keepType(f.type));
    else if (k.kind === "variant") k.cases.forEach((c) => c.type && keepType(c.type));
  };
  const keepFunc = (f: WitFunction): void => {
    f.params.forEach((p) => keepType(p.type));
    if (f.result) keepType(f.result);
  };
  // ---- which imports the modules use ----
  const byModule = groupImports(info.imports);
  for (const imp of info.imports) {
    if (imp.kind !== "func") {
      throw new CompileError(`the module imports a ${imp.kind} (\`${imp.module}::${imp.name}\`); a component's core module may import only functions`, imp.offset);
    }
  }
  const usedFunctions = new Map<WitInterface, Set<WitFunction>>();
  const usedFuncs = new Set<string>();
  /** Checks that the interface of world import `key` defines `imp.name`, and records it as used. */
  const useInterfaceImport = (key: string, imp: ImportInfo, n: CoreNaming, who: string): WitInterface => {
    const item = importItems.get(key) as { interface: WitInterface };
    const drop = n.droppedResource(imp.name);
    const known = drop !== undefined ? item.interface.types.get(drop)?.resolved() : item.interface.functions.get(imp.name);
    if (!known || (drop !== undefined && !(known instanceof WitTypeDef && known.kind.kind === "resource"))) {
      throw new CompileError(`${who} imports \`${imp.module}::${imp.name}\`, which \`${imp.module === key ? key : `${key}\` (for \`${imp.module}`}\` does not define`, imp.offset);
    }
    let set = usedFunctions.get(item.interface);
    if (!set) usedFunctions.set(item.interface, (set = new Set()));
    if (known instanceof WitTypeDef) keepDef(known);
    else set.add(known as WitFunction);
    return item.interface;
  };
  for (const [mod, imps] of byModule) {
    if (adapters.has(mod)) continue;
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
    if (key === undefined || importItems.get(key)?.kind !== "interface") {
      const hint = mod === "wasi_snapshot_preview1" ? " (a WASI preview1 module needs the adapter: `--adapt wasi_snapshot_preview1=ADAPTER.wasm`)" : "";
      throw new CompileError(`the module imports from \`${mod}\`, which world \`${world.name}\` does not import${hint}`, imps[0]!.offset);
    }
    for (const imp of imps) useInterfaceImport(key, imp, naming, "the module");
  }
  for (const a of adapters.values()) {
    for (const imp of a.info.imports) {
      if (imp.kind === "memory" || !a.isLive(imp) || imp.module === MAIN_MODULE) continue;
      if (imp.kind !== "func") throw new CompileError(`the adapter for \`${a.name}\` imports a ${imp.kind} (\`${imp.module}::${imp.name}\`); an adapter may import only functions and the memory`, imp.offset);
      const key = adapterKey(imp.module);
      if (key === undefined || importItems.get(key)?.kind !== "interface") {
        throw new CompileError(`the adapter for \`${a.name}\` imports from \`${imp.module}\`, which neither world \`${world.name}\` nor the adapter's world \`${a.world.name}\` imports`, imp.offset);
      }
      useInterfaceImport(key, imp, LEGACY, `the adapter for \`${a.name}\``);
    }
  }
  // What of the imported interfaces the component needs: the functions used, the types those and the
  // exports mention (through `use` too), and the interfaces that define them.
  for (const funcs of usedFunctions.values()) funcs.forEach(keepFunc);
  for (const name of usedFuncs) keepFunc((world.imports.get(name) as { func: WitFunction }).func);
  const allExports = [...world.exports.values(), ...[...adapters.values()].flatMap((a) => [...a.world.exports.values()])];
  for (const item of allExports) {
    if (item.kind === "interface") {
      item.interface.types.forEach(keepDef);
      item.interface.functions.forEach(keepFunc);
    } else if (item.kind === "function") keepFunc(item.func);
  }
  const worldTypesNeeded = usedFuncs.size > 0 || [...world.exports.values()].some((i) => i.kind === "function");
  for (const item of world.imports.values()) if (item.kind === "type" && worldTypesNeeded) keepDef(item.def);
  const needed = new Set<WitInterface>(usedFunctions.keys());
  for (const d of keptDefs) if (d.owner instanceof WitInterface) needed.add(d.owner);
  const subsetOf = (iface: WitInterface): InterfaceSubset => ({
    types: new Set([...iface.types.values()].filter((d) => keptDefs.has(d))),
    functions: usedFunctions.get(iface) ?? new Set(),
  });

  // ---- imports ----
  const instanceOf = new Map<string, number>();
  const funcOf = new Map<string, number>();
  for (const [key, item] of importItems) {
    if (item.kind === "interface" && needed.has(item.interface)) {
      if (fromAdapter.has(key)) {
        for (const dep of interfaceDependencies(subsetOf(item.interface).types, item.interface)) {
          const depKey = dep.qualifiedName === undefined ? undefined : trackKeys.get(semverTrack(dep.qualifiedName));
          const chosen = depKey === undefined ? undefined : importItems.get(depKey);
          if (chosen?.kind !== "interface" || chosen.interface !== dep) {
            throw new CompileError(`the adapter needs \`${key}\`, which uses types of \`${dep.qualifiedName}\`, but world \`${world.name}\` imports its own \`${depKey}\`: give a world that imports \`${key}\` too, or none of the interfaces the adapter uses`);
          }
        }
      }
      enc.interfaceItem("import", worldItemName(key, item), item.interface, subsetOf(item.interface));
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

  // ---- the core modules, and the trampolines for lowerings that need a memory ----
  /** A trampoline slot: its core type, and what fills it once the instances exist. */
  interface Slot { readonly coreType: SigText; readonly fill: () => number }
  const deferred: Slot[] = [];
  const slot = (coreType: SigText, fill: () => number): (() => number) => {
    const i = deferred.length;
    deferred.push({ coreType, fill });
    return () => out.coreAlias("func", shimInstance(), String(i));
  };
  const coreTypeOf = (m: ModuleInfo, imp: ImportInfo): SigText => {
    const t = imp.kind === "func" ? funcTypeAt(m, imp.typeIndex) : undefined;
    if (!t) throw new CompileError(`the import \`${imp.module}::${imp.name}\` has no function type`, imp.offset);
    return sigOf(t);
  };
  const mainModule = out.coreModule(core);
  const adapterModules = new Map<string, number>();
  for (const a of adapters.values()) adapterModules.set(a.name, out.coreModule(a.bytes));

  let memory: number | undefined;
  const memoryIndex = (why: string): number => {
    if (memory !== undefined) return memory;
    if (coreExports.get(naming.memory)?.kind !== "memory") throw new CompileError(`the module must export its memory as \`${naming.memory}\` (${why})`);
    memory = out.coreAlias("memory", main.instance, naming.memory);
    return memory;
  };
  let realloc: number | undefined;
  const mainRealloc = (why: string): number => {
    if (realloc !== undefined) return realloc;
    if (coreExports.get(naming.realloc)?.kind !== "func") throw new CompileError(`the module must export \`${naming.realloc}\` (${why})`);
    realloc = out.coreAlias("func", main.instance, naming.realloc);
    return realloc;
  };
  const main: CoreUnit = {
    info, naming, instance: -1, exports: coreExports,
    importRealloc: () => mainRealloc("imports return strings or lists"),
    exportRealloc: () => mainRealloc("exports take strings or lists"),
  };
  const units = new Map<PreparedAdapter, CoreUnit>();
  for (const a of adapters.values()) {
    const unit: CoreUnit = {
      info: a.info, naming: LEGACY, instance: -1, exports: a.exports,
      importRealloc: () => adapterExport(a, unit, "cabi_import_realloc", "its imports return strings or lists"),
      exportRealloc: () => adapterExport(a, unit, "cabi_realloc", "its exports take strings or lists"),
    };
    units.set(a, unit);
  }
  const adapterFuncs = new Map<string, number>();
  const adapterExport = (a: PreparedAdapter, unit: CoreUnit, name: string, why: string): number => {
    const k = `${a.name}\u0000${name}`;
    const known = adapterFuncs.get(k);
    if (known !== undefined) return known;
    if (a.exports.get(name)?.kind !== "func") throw new CompileError(`the adapter for \`${a.name}\` must export \`${name}\` (${why})`);
    const index = out.coreAlias("func", unit.instance, name);
    adapterFuncs.set(k, index);
    return index;
  };

  /** How a core import of `unit` from world import `key` (or a `$root` function) becomes a core function. */
  const lowering = (unit: CoreUnit, key: string | undefined, imp: ImportInfo): (() => number) => {
    let f: WitFunction;
    let funcIndex: () => number;
    if (key === undefined) {
      f = (world.imports.get(imp.name) as { func: WitFunction }).func;
      funcIndex = () => funcOf.get(imp.name)!;
    } else {
      const iface = (importItems.get(key) as { interface: WitInterface }).interface;
      const drop = unit.naming.droppedResource(imp.name);
      if (drop !== undefined) {
        const def = iface.types.get(drop)!;
        return () => {
          const type = enc.defIndex(outer, def);
          flush();
          out.item("canon", { kind: "resource.drop", type, offset: 0 });
          return out.coreFuncs++;
        };
      }
      f = iface.functions.get(imp.name)!;
      funcIndex = () => {
        out.item("alias", { kind: "export", sort: "func", instance: instanceOf.get(key)!, name: imp.name, offset: 0 });
        return out.funcs++;
      };
    }
    const needs = abiNeeds(types.funcType(f), "lower");
    const coreType = coreTypeOf(unit.info, imp);
    checkSignature(`the import \`${imp.module}::${imp.name}\``, coreType, needs, witText(f), imp.offset);
    if (needs.memory || needs.realloc) {
      return slot(coreType, () => {
        const func = funcIndex();
        const opts: CanonOption[] = [{ kind: "memory", index: memoryIndex("imports pass strings or lists") }];
        if (needs.realloc) opts.push({ kind: "realloc", index: unit.importRealloc() });
        out.item("canon", { kind: "lower", func, options: opts, offset: 0 });
        return out.coreFuncs++;
      });
    }
    return () => {
      const func = funcIndex();
      out.item("canon", { kind: "lower", func, options: [], offset: 0 });
      return out.coreFuncs++;
    };
  };

  type Plan = { module: string; exports: { name: string; sort: "func" | "memory"; make: () => number }[] }[];
  const plan: Plan = [];
  for (const [mod, imps] of byModule) {
    const exports: Plan[number]["exports"] = [];
    const adapter = adapters.get(mod);
    for (const imp of imps) {
      if (adapter) {
        const unit = units.get(adapter)!;
        exports.push({ name: imp.name, sort: "func", make: slot(coreTypeOf(info, imp), () => adapterExport(adapter, unit, imp.name, "the module imports it")) });
        continue;
      }
      const exportKey = exportModuleKeys.get(mod);
      if (exportKey !== undefined) {
        const iface = (world.exports.get(exportKey) as { interface: WitInterface }).interface;
        const b = naming.resourceBuiltin(imp.name)!;
        const def = iface.types.get(b.resource)!;
        const expected: SigText = b.op === "new" || b.op === "rep" ? { params: ["i32"], results: ["i32"] } : { params: ["i32"], results: [] };
        const actual = coreTypeOf(info, imp);
        if (sigText(actual) !== sigText(expected)) {
          throw new CompileError(`the import \`${mod}::${imp.name}\` has the core type ${sigText(actual)}, but \`resource.${b.op}\` has ${sigText(expected)}`, imp.offset);
        }
        exports.push({
          name: imp.name,
          sort: "func",
          make: () => {
            out.item("canon", { kind: `resource.${b.op}`, type: resourceIndex(def), offset: 0 });
            return out.coreFuncs++;
          },
        });
        continue;
      }
      exports.push({ name: imp.name, sort: "func", make: lowering(main, mod === naming.rootModule ? undefined : moduleKeys.get(mod)!, imp) });
    }
    plan.push({ module: mod, exports });
  }
  // The adapters' imports: the memory, the main module's exports, lowered functions, stubs.
  const stubTypes: SigText[] = [];
  const adapterPlans = new Map<PreparedAdapter, Plan>();
  let growInstance = -1;
  for (const a of adapters.values()) {
    const unit = units.get(a)!;
    const p: Plan = [];
    for (const [mod, imps] of groupImports(a.info.imports)) {
      const exports: Plan[number]["exports"] = [];
      for (const imp of imps) {
        if (imp.kind === "memory") {
          exports.push({ name: imp.name, sort: "memory", make: () => memoryIndex(`the adapter for \`${a.name}\` imports it`) });
        } else if (!a.isLive(imp)) {
          const t = coreTypeOf(a.info, imp);
          let i = stubTypes.findIndex((s) => sigText(s) === sigText(t));
          if (i < 0) i = stubTypes.push(t) - 1;
          exports.push({ name: imp.name, sort: "func", make: () => out.coreAlias("func", stubInstance(), String(i)) });
        } else if (mod === MAIN_MODULE) {
          exports.push({ name: imp.name, sort: "func", make: () => mainExportFor(a, imp) });
        } else {
          exports.push({ name: imp.name, sort: "func", make: lowering(unit, adapterKey(mod)!, imp) });
        }
      }
      p.push({ module: mod, exports });
    }
    adapterPlans.set(a, p);
  }
  /** What an adapter's `__main_module__::NAME` import is: the main module's export, or an allocator. */
  const mainExportFor = (a: PreparedAdapter, imp: ImportInfo): number => {
    if (imp.name === "cabi_realloc") {
      for (const name of ["cabi_realloc_adapter", naming.realloc]) {
        if (coreExports.get(name)?.kind === "func") return out.coreAlias("func", main.instance, name);
      }
      if (growInstance < 0) {
        const grow = out.coreModule(watToBinary(GROW_REALLOC_WAT, { file: "<realloc-via-memory-grow>" }));
        const mem = memoryIndex(`the adapter for \`${a.name}\` allocates in it`);
        const args = out.coreInstance({ kind: "exports", exports: [{ name: "memory", sort: "memory", index: mem }], offset: 0 });
        growInstance = out.coreInstance({ kind: "instantiate", module: grow, args: [{ name: "", instance: args }], offset: 0 });
      }
      return out.coreAlias("func", growInstance, "cabi_realloc");
    }
    if (coreExports.get(imp.name)?.kind !== "func") {
      throw new CompileError(`the adapter for \`${a.name}\` imports \`${MAIN_MODULE}::${imp.name}\`, which the module does not export${imp.name === "_start" ? " (a command adapter runs the module's `_start`: use the reactor adapter for a module without one)" : ""}`, imp.offset);
    }
    return out.coreAlias("func", main.instance, imp.name);
  };

  // Resources of exported interfaces: defined here, their destructors through a trampoline slot
  // (a resource type needs its destructor before the module that exports it is instantiated).
  const dtorSlots = new Map<WitTypeDef, () => number>();
  for (const [key, item] of world.exports) {
    if (item.kind !== "interface") continue;
    for (const def of item.interface.types.values()) {
      if (def.kind.kind !== "resource") continue;
      const name = naming.destructor(item.plainName ?? item.interface.qualifiedName ?? key, def.name);
      const e = coreExports.get(name);
      if (e === undefined) continue;
      const t = e.kind === "func" ? funcTypeAt(info, funcTypeIndexOf(e.index)) : undefined;
      if (!t || sigText(sigOf(t)) !== "(i32) -> ()") throw new CompileError(`the destructor \`${name}\` must be a function (i32) -> ()`, e.offset);
      dtorSlots.set(def, slot({ params: ["i32"], results: [] }, () => out.coreAlias("func", main.instance, name)));
    }
  }
  const definedResources = new Map<WitTypeDef, number>();
  const resourceIndex = (def: WitTypeDef): number => {
    const known = definedResources.get(def);
    if (known !== undefined) return known;
    const dtorSlot = dtorSlots.get(def);
    const dtor = dtorSlot === undefined ? undefined : dtorSlot();
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
  const stubModule = stubTypes.length ? out.coreModule(watToBinary(stubsWat(stubTypes), { file: "<stubs>" })) : -1;
  let stubInst = -1;
  const stubInstance = (): number => {
    if (stubInst < 0) stubInst = out.coreInstance({ kind: "instantiate", module: stubModule, args: [], offset: 0 });
    return stubInst;
  };

  const instantiate = (module: number, p: Plan): number => {
    const args: { name: string; instance: number }[] = [];
    for (const m of p) {
      const exports = m.exports.map((e) => ({ name: e.name, sort: e.sort, index: e.make() }));
      args.push({ name: m.module, instance: out.coreInstance({ kind: "exports", exports, offset: 0 }) });
    }
    return out.coreInstance({ kind: "instantiate", module, args, offset: 0 });
  };
  main.instance = instantiate(mainModule, plan);
  for (const [a, p] of adapterPlans) units.get(a)!.instance = instantiate(adapterModules.get(a.name)!, p);

  if (needFixup) {
    const fixupArgs: { name: string; instance: number }[] = [];
    if (deferred.length) {
      const lowered = deferred.map((d, i) => ({ name: String(i), sort: "func" as const, index: d.fill() }));
      const table = out.coreAlias("table", shimInstance(), "$imports");
      fixupArgs.push({ name: "", instance: out.coreInstance({ kind: "exports", exports: [...lowered, { name: "$imports", sort: "table", index: table }], offset: 0 }) });
    }
    if (hasInit) fixupArgs.push({ name: "main", instance: main.instance });
    out.coreInstance({ kind: "instantiate", module: fixupModule, args: fixupArgs, offset: 0 });
  }

  // ---- exports ----
  const lift = (unit: CoreUnit, f: WitFunction, coreName: string, typeIndex: number): number => {
    const e = unit.exports.get(coreName);
    if (e?.kind !== "func") throw new CompileError(`the module does not export the function \`${coreName}\` (world \`${world.name}\` exports it)`);
    const needs = abiNeeds(types.funcType(f), "lift");
    const t = funcTypeAt(unit.info, funcTypeIndex(unit.info, e.index) ?? -1);
    if (t) checkSignature(`the export \`${coreName}\``, sigOf(t), needs, witText(f), e.offset);
    const coreFunc = out.coreAlias("func", unit.instance, coreName);
    const opts: CanonOption[] = [];
    if (needs.memory) opts.push({ kind: "memory", index: memoryIndex(`\`${coreName}\` passes strings or lists`) });
    if (needs.realloc) opts.push({ kind: "realloc", index: unit.exportRealloc() });
    const post = unit.naming.postReturn(coreName);
    if (unit.exports.get(post)?.kind === "func") opts.push({ kind: "post-return", index: out.coreAlias("func", unit.instance, post) });
    out.item("canon", { kind: "lift", func: coreFunc, options: opts, type: typeIndex, offset: 0 });
    return out.funcs++;
  };
  const exportItem = (name: ExternName, sort: "func" | "instance", index: number, desc?: ExternDesc): void => {
    out.item("export", { name, sort, index, offset: 0, ...(desc ? { desc } : {}) });
    if (sort === "func") out.funcs++;
    else outer.instanceCount++;
  };
  const exportWorld = (unit: CoreUnit, exports: ReadonlyMap<string, WitWorldItem>): void => {
    for (const [key, item] of exports) {
      if (item.kind === "function") {
        const t = enc.funcType(outer, item.func);
        flush();
        exportItem(worldItemName(key, item), "func", lift(unit, item.func, unit.naming.exportName(undefined, key), t));
      } else if (item.kind === "interface") {
        const iface = item.interface;
        enc.defineLocally(iface, resourceIndex);
        flush();
        const prefix = item.plainName ?? iface.qualifiedName ?? key;
        const lifted = new Map<WitFunction, number>();
        for (const f of iface.functions.values()) {
          const t = enc.funcType(outer, f);
          flush();
          lifted.set(f, lift(unit, f, unit.naming.exportName(prefix, f.name), t));
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
  };
  exportWorld(main, world.exports);
  for (const a of adapters.values()) exportWorld(units.get(a)!, a.world.exports);
  return encodeComponent({ sections: out.list });
}
