/**
 * `Instance`: a module instantiated in a store with its imports.
 *
 * Instantiation type-checks every import (imports.ts), hands the engine an import object, and then
 * runs the module's start function itself, once the instance exists, so that host functions called
 * by the start function see the instance's exports through their `Caller` (see prepare.ts).
 *
 * @module
 */
import type { ExportInfo, ImportInfo, ModuleInfo } from "../binary/module-info.js";
import { inModule, LinkError } from "../errors.js";
import type { ExternType, FuncType, ValType } from "../types.js";
import { Caller } from "./caller.js";
import type { Extern } from "./extern.js";
import { bindHost, Func, knownFunc, rememberFunc } from "./func.js";
import { Global } from "./global.js";
import { checkImports } from "./imports.js";
import { Memory } from "./memory.js";
import { exportExternType, Module, type CompiledVariant } from "./module.js";
import { HOST_MODULE, originalFuncIndex } from "../instrument/index.js";
import { HIDDEN_FILL, HIDDEN_PREFIX, HIDDEN_REFS, HIDDEN_START, hiddenFuncExport } from "./prepare.js";
import { Store } from "./store.js";
import { Table } from "./table.js";
import { Tag } from "./tag.js";
import { toTrap } from "./trap.js";
import { asyncHostImport, runStartAsync } from "./async-call.js";
import { markSuspending, maySuspend, storeRewriteContext } from "./async-rewrite.js";
import { checkArg, checkString, describeValue, type WasmParams, type WasmResults } from "./values.js";

type ImportObject = WebAssembly.Imports;

/** @internal What `instantiateAsync` hands the constructor: an instantiation already done. */
interface Instantiated {
  readonly compiled: CompiledVariant;
  readonly native: WebAssembly.Instance;
  readonly caller: Caller;
  /** The start function is left to the caller (it runs as an async call). */
  readonly deferStart?: boolean;
}

/** @internal How wasmhost itself instantiates a module (a component's core instances). */
export interface InstanceOptions {
  /**
   * Under the async rewrite: an indirect call through a table the instance imports or exports may
   * reach another instance's function that suspends (a component's shim table), so it may suspend.
   */
  readonly asyncSharedTables?: boolean;
}

/**
 * An instance of a module: its exports are functions, globals, tables, memories and tags that live in
 * the instance's store.
 */
export class Instance {
  /** The store the instance lives in. */
  readonly store: Store;
  /** The module this is an instance of. */
  readonly module: Module;
  /** The engine's instance. */
  readonly native: WebAssembly.Instance;
  /** The compiled form instantiated (the module's own, or its variant for a store with size limits). */
  private readonly compiled: CompiledVariant;
  private readonly imported: readonly Extern[];
  private readonly funcImports: readonly Extern[];
  private readonly cache = new Map<string, Extern>();
  private exportsObject: Readonly<Record<string, Extern>> | undefined;

  /**
   * Instantiates `module` in `store` with `imports` given positionally, in the order of
   * `module.imports`. Runs the start function, if any.
   *
   * @throws LinkError when an import is missing or has the wrong type (naming `module::name`, the
   *   expected and the given type), or belongs to another store.
   * @throws Trap when initialization (a segment out of bounds) or the start function traps.
   */
  constructor(store: Store, module: Module, imports: readonly Extern[], instantiated?: Instantiated | InstanceOptions) {
    let compiled: CompiledVariant;
    let native: WebAssembly.Instance;
    let caller: Caller;
    let deferStart = false;
    if (instantiated && "native" in instantiated) {
      ({ compiled, native, caller } = instantiated);
      deferStart = instantiated.deferStart === true;
    } else {
      checkInstanceArgs(store, module, imports, "new Instance");
      try {
        compiled = compiledVariant(store, module, imports, instantiated?.asyncSharedTables);
        const prepared = prepareImports(store, module, imports, compiled);
        caller = prepared.caller;
        try {
          native = new WebAssembly.Instance(compiled.native, prepared.importObject);
        } catch (e) {
          throw instantiationError(e, module);
        }
      } catch (e) {
        throw inModule(e, module.name);
      }
    }
    this.store = store;
    this.module = module;
    this.native = native;
    this.compiled = compiled;
    this.imported = imports;
    this.funcImports = imports.filter((_, i) => module.info.imports[i]!.kind === "func");
    finishInstantiation(this, caller, deferStart);
  }

  /** @internal Instantiates asynchronously (the engine may work off the main thread). */
  static async instantiateAsync(store: Store, module: Module, imports: readonly Extern[], options?: InstanceOptions): Promise<Instance> {
    checkInstanceArgs(store, module, imports, "Linker.instantiateAsync");
    let compiled: CompiledVariant;
    let native: WebAssembly.Instance;
    let caller: Caller;
    try {
      compiled = compiledVariant(store, module, imports, options?.asyncSharedTables);
      let importObject: ImportObject;
      ({ importObject, caller } = prepareImports(store, module, imports, compiled));
      // Counted against the store's limits while the engine works, so that concurrent instantiations
      // cannot all pass the check before any of them is added.
      store.pendingInstances.push(module.info);
      try {
        native = await WebAssembly.instantiate(compiled.native, importObject);
      } catch (e) {
        throw instantiationError(e, module);
      } finally {
        store.pendingInstances.splice(store.pendingInstances.indexOf(module.info), 1);
      }
    } catch (e) {
      throw inModule(e, module.name);
    }
    if (store.engine.asyncMechanism === undefined) return new Instance(store, module, imports, { compiled, native, caller });
    const instance = new Instance(store, module, imports, { compiled, native, caller, deferStart: true });
    const start = compiled.prepared.start;
    if (start !== undefined) {
      const run = (native.exports as Record<string, () => unknown>)[HIDDEN_START]!;
      await runStartAsync(instance, run);
    }
    return instance;
  }

  /** Every export by name. */
  get exports(): Readonly<Record<string, Extern>> {
    if (!this.exportsObject) {
      const out = Object.create(null) as Record<string, Extern>;
      for (const e of this.module.info.exports) {
        Object.defineProperty(out, e.name, { value: this.getExport(e.name)!, enumerable: true });
      }
      this.exportsObject = Object.freeze(out);
    }
    return this.exportsObject;
  }

  /** The export `name`, or `undefined` when there is none. */
  getExport(name: string): Extern | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    checkString(name, "Instance.getExport", "name");
    if (name.startsWith(HIDDEN_PREFIX)) return undefined;
    const info = indexOf(this.module.info).exports.get(name);
    if (!info) return undefined;
    const native = (this.native.exports as Record<string, unknown>)[name];
    let extern: Extern;
    const imported = this.importedEntity(info.kind, info.index);
    if (imported) {
      extern = imported;
      if (info.kind === "func") rememberFunc(native as object, imported as Func);
    } else if (info.kind === "func") {
      extern = knownFunc(native as object) ?? new Func(this.store, funcExportType(this.module.info, info.index), native as () => unknown, name);
    } else {
      const type = exportExternType(this.module.info, info.kind, info.index, indexOf(this.module.info).importsByKind);
      switch (type.kind) {
        case "func":
          extern = knownFunc(native as object) ?? new Func(this.store, { params: type.params, results: type.results }, native as () => unknown, name);
          break;
        case "memory":
          extern = new Memory(this.store, type, native as WebAssembly.Memory);
          break;
        case "table":
          extern = new Table(this.store, type, null, native as WebAssembly.Table);
          break;
        case "global":
          extern = new Global(this.store, type, undefined, native as WebAssembly.Global);
          break;
        case "tag":
          extern = new Tag(this.store, type, native as object);
          break;
      }
    }
    this.cache.set(name, extern);
    return extern;
  }

  /** The exported function `name`, or `undefined` when there is none or it is not a function. */
  getFunc(name: string): Func | undefined {
    const e = this.getExport(name);
    return e instanceof Func ? e : undefined;
  }

  /**
   * The exported function `name` as a typed async JS function: it returns a Promise, and wasm may call
   * async host functions (see `Func.callAsync`).
   *
   * @throws Error when there is no such function export; TypeError when its type differs; AsyncError
   *   `"not_enabled"` unless the engine has `asyncSupport`.
   */
  getTypedFuncAsync<const P extends readonly ValType[], const R extends readonly ValType[]>(
    name: string,
    params: P,
    results: R,
  ): (...args: WasmParams<P>) => Promise<WasmResults<R>> {
    const e = this.getExport(name);
    if (e === undefined) throw new Error(`getTypedFuncAsync: the instance has no export named ${JSON.stringify(name)}`);
    if (!(e instanceof Func)) throw new TypeError(`getTypedFuncAsync: export ${JSON.stringify(name)} is not a function`);
    return e.typedAsync(params, results);
  }

  /**
   * The exported function `name` as a typed JS function. The adapter checks its arguments and turns
   * traps into `Trap`s, and allocates nothing per call.
   *
   * @throws Error when there is no such function export; TypeError when its type differs.
   */
  getTypedFunc<const P extends readonly ValType[], const R extends readonly ValType[]>(
    name: string,
    params: P,
    results: R,
  ): (...args: WasmParams<P>) => WasmResults<R> {
    const e = this.getExport(name);
    if (e === undefined) throw new Error(`getTypedFunc: the instance has no export named ${JSON.stringify(name)}`);
    if (!(e instanceof Func)) throw new TypeError(`getTypedFunc: export ${JSON.stringify(name)} is not a function`);
    return e.typed(params, results);
  }

  /** The exported memory `name`, or `undefined`. */
  getMemory(name: string): Memory | undefined {
    const e = this.getExport(name);
    return e instanceof Memory ? e : undefined;
  }

  /** The exported global `name`, or `undefined`. */
  getGlobal(name: string): Global | undefined {
    const e = this.getExport(name);
    return e instanceof Global ? e : undefined;
  }

  /** The exported table `name`, or `undefined`. */
  getTable(name: string): Table | undefined {
    const e = this.getExport(name);
    return e instanceof Table ? e : undefined;
  }

  /** The exported tag `name`, or `undefined`. */
  getTag(name: string): Tag | undefined {
    const e = this.getExport(name);
    return e instanceof Tag ? e : undefined;
  }

  /**
   * @internal The `Func` for the engine's function `engineIndex` of this instance if `native` is that
   * function, checked against its export, its hidden export or its slot in the hidden table of
   * referenceable functions (see prepare.ts); else `undefined`.
   */
  funcAtIfNative(engineIndex: number, native: object): Func | undefined {
    const exports = this.native.exports as Record<string, unknown>;
    const info = this.module.info;
    // Instrumentation may have added function imports: the engine's indices are then shifted.
    const index = this.compiled.instrumented ? originalFuncIndex(this.compiled.instrumented, engineIndex) : engineIndex;
    if (index < 0) return undefined;
    const named = indexOf(info).funcExports.get(index);
    if (named !== undefined) return exports[named] === native ? (this.getExport(named) as Func) : undefined;
    const refs = this.compiled.prepared.refs;
    if (refs.mode === "exports") {
      if (exports[hiddenFuncExport(engineIndex)] !== native) return undefined;
    } else {
      const slot = refs.slotOf(engineIndex);
      if (slot === undefined) return undefined;
      const table = exports[HIDDEN_REFS] as WebAssembly.Table;
      if (table.length === 0) (exports[HIDDEN_FILL] as () => void)();
      if (table.get(slot) !== native) return undefined;
    }
    if (index < info.importedFuncs) return this.funcImports[index] as Func;
    const type = exportExternType(info, "func", index, indexOf(info).importsByKind);
    if (type.kind !== "func") return undefined;
    return new Func(this.store, { params: type.params, results: type.results }, native as () => unknown, info.names.functions.get(index) ?? `function ${index}`);
  }

  private importedEntity(kind: ImportInfo["kind"], index: number): Extern | undefined {
    const position = indexOf(this.module.info).importPositions[kind][index];
    return position === undefined ? undefined : this.imported[position];
  }
}

/** The compiled form of `module` for `store` and `imports` (rewritten for async imports under the rewrite mechanism). */
function compiledVariant(store: Store, module: Module, imports: readonly Extern[], sharedTables = false): CompiledVariant {
  if (store.engine.asyncMechanism !== "rewrite") return module.compiledFor(store);
  const asyncImports: number[] = [];
  let funcIndex = 0;
  module.info.imports.forEach((imp, i) => {
    if (imp.kind !== "func") return;
    const ext = imports[i];
    // An async host function, or another rewritten instance's function that may suspend: calls of it
    // may unwind, and this instance's frames must unwind with them.
    if (ext instanceof Func && (ext.isAsync || (ext.host === undefined && maySuspend(ext.native)))) asyncImports.push(funcIndex);
    funcIndex++;
  });
  return module.compiledForAsync(store, asyncImports, sharedTables);
}

function checkInstanceArgs(store: unknown, module: unknown, imports: unknown, where: string): void {
  checkArg(store, Store, where, "store");
  checkArg(module, Module, where, "module");
  if (!Array.isArray(imports)) throw new TypeError(`${where}: imports must be an array of externs, got ${describeValue(imports)}`);
}

/** Lookups over a module's metadata, built once per module so that export access stays O(1). */
interface ModuleIndex {
  /** Exports by name (the first, if a malformed module repeats one). */
  readonly exports: ReadonlyMap<string, ExportInfo>;
  /** For each kind, the position in the import list of the kind's import number i. */
  readonly importPositions: Readonly<Record<ImportInfo["kind"], readonly number[]>>;
  /** For each kind, its imports in order. */
  readonly importsByKind: Record<ImportInfo["kind"], ImportInfo[]>;
  /** The first export name of each exported function. */
  readonly funcExports: ReadonlyMap<number, string>;
}

const moduleIndexes = new WeakMap<ModuleInfo, ModuleIndex>();

function indexOf(info: ModuleInfo): ModuleIndex {
  let index = moduleIndexes.get(info);
  if (!index) {
    const exports = new Map<string, ExportInfo>();
    const funcExports = new Map<number, string>();
    for (const e of info.exports) {
      if (!exports.has(e.name)) exports.set(e.name, e);
      if (e.kind === "func" && !funcExports.has(e.index)) funcExports.set(e.index, e.name);
    }
    const importPositions: Record<ImportInfo["kind"], number[]> = { func: [], table: [], memory: [], global: [], tag: [] };
    const importsByKind: Record<ImportInfo["kind"], ImportInfo[]> = { func: [], table: [], memory: [], global: [], tag: [] };
    info.imports.forEach((imp, i) => {
      importPositions[imp.kind].push(i);
      importsByKind[imp.kind].push(imp);
    });
    index = { exports, importPositions, importsByKind, funcExports };
    moduleIndexes.set(info, index);
  }
  return index;
}

/** Checks the imports and builds the engine's import object with host functions bound to a Caller. */
const funcExportTypes = new WeakMap<ModuleInfo, Map<number, FuncType>>();

/**
 * The type of a module's function `index` (an export), worked out once per module: every instance's
 * `Func` of it shares the object (frozen, arrays included), where a component's instantiation makes a
 * `Func` for each core function it aliases.
 */
function funcExportType(info: ModuleInfo, index: number): FuncType {
  let byIndex = funcExportTypes.get(info);
  if (byIndex === undefined) funcExportTypes.set(info, (byIndex = new Map()));
  let t = byIndex.get(index);
  if (t === undefined) {
    const e = exportExternType(info, "func", index, indexOf(info).importsByKind) as ExternType & { kind: "func" };
    t = Object.freeze({ params: Object.freeze(e.params), results: Object.freeze(e.results) }) as FuncType;
    byIndex.set(index, t);
  }
  return t;
}

/** A module's imports grouped by module and name, in order of first appearance (indices in `info.imports`). */
interface ImportGroup {
  readonly module: string;
  readonly name: string;
  readonly indices: readonly number[];
}
const importGroups = new WeakMap<ModuleInfo, readonly ImportGroup[]>();

/** The import groups of `info`, worked out once per module rather than per instantiation. */
function importGroupsOf(info: ModuleInfo): readonly ImportGroup[] {
  let groups = importGroups.get(info);
  if (groups === undefined) {
    const byKey = new Map<string, { module: string; name: string; indices: number[] }>();
    info.imports.forEach((imp, i) => {
      const key = `${imp.module}\u0000${imp.name}`;
      const g = byKey.get(key);
      if (g) g.indices.push(i);
      else byKey.set(key, { module: imp.module, name: imp.name, indices: [i] });
    });
    importGroups.set(info, (groups = [...byKey.values()]));
  }
  return groups;
}

function prepareImports(store: Store, module: Module, imports: readonly Extern[], compiled: CompiledVariant): { importObject: ImportObject; caller: Caller } {
  const info = module.info;
  checkImports(store, module, imports);
  const caller = new Caller(store, undefined);
  const rewrite = compiled.instrumented?.asyncify ? storeRewriteContext(store) : undefined;
  const values = new Array<unknown>(info.imports.length);
  for (let i = 0; i < info.imports.length; i++) {
    const imp = info.imports[i]!;
    const ext = imports[i]!;
    let value: unknown;
    if (ext instanceof Func && ext.isAsync) {
      value = asyncHostImport(ext, caller, `${imp.module}::${imp.name}`, rewrite);
    } else if (ext instanceof Func && ext.host !== undefined) {
      value = ext.raw ? ext.host : bindHost(ext.host, caller, ext.type, `${imp.module}::${imp.name}`, store);
    } else {
      value = ext.native;
    }
    values[i] = value;
  }
  const importObject: ImportObject = Object.create(null);
  for (const { module: m, name, indices } of importGroupsOf(info)) {
    const ns = (importObject[m] ??= Object.create(null) as Record<string, WebAssembly.ImportValue>) as Record<string, unknown>;
    const first = values[indices[0]!];
    if (indices.every((i) => values[i] === first)) {
      ns[name] = first;
    } else {
      // The same module/name imported several times with different values: the engine reads each
      // import once, in order, so a getter hands out the values in that order.
      const list = indices.map((i) => values[i]);
      let next = 0;
      Object.defineProperty(ns, name, { get: () => list[next++ % list.length], enumerable: true });
    }
  }
  // Store limits, and what instrumentation imports from the store (fuel, interruption, memories, tables).
  const hidden = store.instrumentation.importsFor(info, compiled.instrumented, () => [...store.instances.map((i) => i.module.info), ...store.pendingInstances]);
  if (hidden) importObject[HOST_MODULE] = hidden as Record<string, WebAssembly.ImportValue>;
  if (rewrite) importObject[HOST_MODULE] = { ...(hidden ?? {}), ...rewrite.imports } as Record<string, WebAssembly.ImportValue>;
  return { importObject, caller };
}

function finishInstantiation(instance: Instance, caller: Caller, deferStart: boolean): void {
  caller.instance = instance;
  // Under the async rewrite: the exports (and start function) that may unwind, which instances linked
  // to them treat as async imports.
  const compiled = (instance as unknown as { compiled: CompiledVariant }).compiled;
  const reaches = compiled.instrumented?.asyncReaches;
  if (reaches) {
    const exports = instance.native.exports as Record<string, object>;
    for (const e of instance.module.info.exports) if (e.kind === "func" && reaches[e.index] === 1) markSuspending(exports[e.name]!);
    const start = instance.module.info.start;
    if (start !== undefined && reaches[start] === 1) markSuspending(exports[HIDDEN_START]!);
  }
  // Exported tags get their Tag now, so that exceptions of them reaching the host can be identified.
  const info = instance.module.info;
  if (info.importedTags + info.tags.length > 0) for (const e of info.exports) if (e.kind === "tag") instance.getExport(e.name);
  instance.store.instances.push(instance);
  const start = (instance as unknown as { compiled: CompiledVariant }).compiled.prepared.start;
  if (start !== undefined && !deferStart) {
    const run = (instance.native.exports as Record<string, () => unknown>)[HIDDEN_START]!;
    instance.store.enterWasm();
    try {
      run();
    } catch (e) {
      throw toTrap(e, instance.store.instrumentation.fuel);
    } finally {
      instance.store.exitWasm();
    }
  }
}

/** Maps what the engine's instantiation threw: link errors, traps while initializing. */
function instantiationError(e: unknown, module: Module): unknown {
  if (e instanceof WebAssembly.LinkError) {
    const m = /Import #(\d+)/.exec(e.message);
    const imp = m ? module.info.imports[Number(m[1])] : undefined;
    return new LinkError(e.message.replace(/^WebAssembly\.(Instance|instantiate)\(\): /, ""), { module: imp?.module ?? "", name: imp?.name ?? "" }, { cause: e });
  }
  return toTrap(e);
}
