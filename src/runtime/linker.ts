/**
 * `Linker`: resolves a module's imports by name and instantiates it.
 *
 * Definitions are either externs of a particular store (`define`, `defineInstance`) or host functions
 * that belong to no store yet (`defineFunc`, `defineWasi`): those become a `Func` in each store the
 * linker instantiates into, created once per store.
 *
 * @module
 */
import { AsyncError, inModule, LinkError } from "../errors.js";
import type { FuncType, ValType } from "../types.js";
import { formatExternType } from "../types.js";
import type { Caller } from "./caller.js";
import { Engine } from "./engine.js";
import { externKindOf, isExtern, type Extern } from "./extern.js";
import { makeHostFunc, type Func, type HostFunc, type RawHostFunc } from "./func.js";
import { checkImport } from "./imports.js";
import { Instance } from "./instance.js";
import { importExternType, Module } from "./module.js";
import { Store } from "./store.js";
import { checkArg, checkFuncType, checkString, describeValue, type WasmParams, type WasmResults } from "./values.js";

/**
 * A source of raw host functions by import module and name, such as `Wasi`. Raw functions take the
 * wasm arguments only (no `Caller`) and are handed to the engine unwrapped.
 */
export interface HostFuncProvider {
  getImports(): Record<string, Record<string, { readonly type: FuncType; readonly fn: RawHostFunc }>>;
  /**
   * Called when the linker instantiates a module that imports some of these functions: `memory`
   * returns the `memory` export of that instance once it exists (also while its start function runs).
   * `Wasi` uses it so that a reactor needs no `initialize` before its exports are called.
   */
  linkedTo?(memory: () => WebAssembly.Memory | undefined): void;
}

type Definition =
  | { readonly kind: "extern"; readonly extern: Extern }
  | {
      readonly kind: "host";
      readonly type: FuncType;
      readonly fn: HostFunc | RawHostFunc;
      readonly raw: boolean;
      readonly async?: boolean;
      readonly perStore: WeakMap<Store, Func>;
      readonly provider?: HostFuncProvider;
    };

/**
 * Resolves imports by `module::name` and instantiates modules. One linker can serve many stores and
 * modules. Redefining a name throws unless `allowShadowing` is set.
 */
export class Linker<T = unknown> {
  /** The engine the linker works with. */
  readonly engine: Engine;
  /** When true, a definition may replace an earlier one of the same name; default false. */
  allowShadowing = false;
  private readonly defs = new Map<string, Definition>();

  constructor(engine: Engine) {
    checkArg(engine, Engine, "new Linker", "engine");
    this.engine = engine;
  }

  /**
   * Defines host function `module::name` of `type`. `fn` receives the `Caller` first, then the
   * arguments; it returns nothing, one value, or an array when the type has several results.
   *
   * @throws TypeError for a malformed type; Error when the name is taken and shadowing is not allowed.
   */
  defineFunc<const P extends readonly ValType[], const R extends readonly ValType[]>(
    module: string,
    name: string,
    type: { readonly params: P; readonly results: R },
    fn: (caller: Caller<T>, ...args: WasmParams<P>) => WasmResults<R> | unknown,
  ): this {
    checkString(module, "Linker.defineFunc", "module");
    checkString(name, "Linker.defineFunc", "name");
    const checked = checkFuncType(type, `defineFunc(${module}::${name})`);
    if (typeof fn !== "function") throw new TypeError(`defineFunc(${module}::${name}): expected a function, got ${describeValue(fn)}`);
    this.insert(module, name, { kind: "host", type: checked, fn: fn as HostFunc, raw: false, perStore: new WeakMap() });
    return this;
  }

  /**
   * Defines async host function `module::name` of `type` (Wasmtime's `func_wrap_async`): `fn` receives
   * the `Caller` and the arguments and returns a Promise of what `defineFunc`'s function returns. Wasm
   * waits for it, while the event loop runs, when called through `callAsync`, `getTypedFuncAsync` or
   * `instantiateAsync`; a synchronous call that reaches it throws `AsyncError` (code `"sync_call"`).
   *
   * @throws AsyncError `"not_enabled"` unless the engine has `asyncSupport`; as `defineFunc` otherwise.
   */
  defineFuncAsync<const P extends readonly ValType[], const R extends readonly ValType[]>(
    module: string,
    name: string,
    type: { readonly params: P; readonly results: R },
    fn: (caller: Caller<T>, ...args: WasmParams<P>) => Promise<WasmResults<R> | unknown>,
  ): this {
    checkString(module, "Linker.defineFuncAsync", "module");
    checkString(name, "Linker.defineFuncAsync", "name");
    if (this.engine.asyncMechanism === undefined) {
      throw new AsyncError("not_enabled", `defineFuncAsync(${module}::${name}): the engine has no async support; create it with new Engine({ asyncSupport: true })`, `${module}::${name}`);
    }
    const checked = checkFuncType(type, `defineFuncAsync(${module}::${name})`);
    if (typeof fn !== "function") throw new TypeError(`defineFuncAsync(${module}::${name}): expected a function, got ${describeValue(fn)}`);
    this.insert(module, name, { kind: "host", type: checked, fn: fn as HostFunc, raw: false, async: true, perStore: new WeakMap() });
    return this;
  }

  /** Defines `module::name` as an extern of some store (a Func, Global, Table, Memory or Tag). */
  define(module: string, name: string, extern: Extern): this {
    checkString(module, "Linker.define", "module");
    checkString(name, "Linker.define", "name");
    if (!isExtern(extern)) throw new TypeError(`define(${module}::${name}): expected a Func, Global, Table, Memory or Tag, got ${describeValue(extern)}`);
    this.insert(module, name, { kind: "extern", extern });
    return this;
  }

  /** Defines every export of `instance` under `moduleName`. */
  defineInstance(store: Store<T>, moduleName: string, instance: Instance): this {
    checkArg(store, Store, "Linker.defineInstance", "store");
    checkString(moduleName, "Linker.defineInstance", "moduleName");
    if (!(instance instanceof Instance)) throw new TypeError(`defineInstance(${moduleName}): expected an Instance, got ${describeValue(instance)}`);
    if (instance.store !== (store as Store)) throw new TypeError(`defineInstance(${moduleName}): the instance belongs to another store`);
    for (const [name, extern] of Object.entries(instance.exports)) this.define(moduleName, name, extern);
    return this;
  }

  /** Instantiates `module` with this linker in `store` and defines its exports under `moduleName`. */
  defineModule(store: Store<T>, moduleName: string, module: Module): this {
    checkArg(store, Store, "Linker.defineModule", "store");
    checkString(moduleName, "Linker.defineModule", "moduleName");
    return this.defineInstance(store, moduleName, this.instantiate(store, module));
  }

  /** Defines the host functions of `wasi` (both `wasi_snapshot_preview1` and `wasi_unstable`). */
  defineWasi(wasi: HostFuncProvider): this {
    if (!wasi || typeof wasi.getImports !== "function") throw new TypeError(`Linker.defineWasi: wasi must be a Wasi, got ${describeValue(wasi)}`);
    for (const [module, funcs] of Object.entries(wasi.getImports())) {
      for (const [name, { type, fn }] of Object.entries(funcs)) {
        this.insert(module, name, { kind: "host", type, fn, raw: true, perStore: new WeakMap(), provider: wasi });
      }
    }
    return this;
  }

  /**
   * Defines every function import of `module` that this linker cannot resolve as a function that
   * traps when called (with an error naming the import).
   */
  defineUnknownImportsAsTraps(module: Module): this {
    checkArg(module, Module, "Linker.defineUnknownImportsAsTraps", "module");
    for (const imp of module.info.imports) {
      if (imp.kind !== "func" || this.defs.has(key(imp.module, imp.name))) continue;
      const type = importExternType(module.info, imp);
      if (type.kind !== "func") continue;
      const where = `${imp.module}::${imp.name}`;
      this.insert(imp.module, imp.name, {
        kind: "host",
        type: { params: type.params, results: type.results },
        fn: () => {
          throw new LinkError(`called ${where}, an import that nothing defines (defineUnknownImportsAsTraps made it trap)`, {
            module: imp.module,
            name: imp.name,
          });
        },
        raw: true,
        perStore: new WeakMap(),
      });
    }
    return this;
  }

  /** The extern defined as `module::name`, made for `store`; `undefined` when there is none. */
  get(store: Store<T>, module: string, name: string): Extern | undefined {
    checkArg(store, Store, "Linker.get", "store");
    checkString(module, "Linker.get", "module");
    checkString(name, "Linker.get", "name");
    const def = this.defs.get(key(module, name));
    return def ? this.materialize(store as Store, def, module, name) : undefined;
  }

  /**
   * Resolves `module`'s imports and instantiates it in `store`, running its start function.
   *
   * @throws LinkError naming `module::name` when an import is missing or mistyped, or belongs to
   *   another store; Trap when initialization or the start function traps.
   */
  instantiate(store: Store<T>, module: Module): Instance {
    return new Instance(store as Store, module, this.resolveNamed(store as Store, module));
  }

  /**
   * Like `instantiate`, but lets the engine instantiate asynchronously. With an async engine
   * (`asyncSupport`), the start function runs as an async call: it may call async host functions.
   */
  instantiateAsync(store: Store<T>, module: Module): Promise<Instance> {
    try {
      return Instance.instantiateAsync(store as Store, module, this.resolveNamed(store as Store, module));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `resolve`, with errors naming the module. */
  private resolveNamed(store: Store, module: Module): Extern[] {
    try {
      return this.resolve(store, module);
    } catch (e) {
      throw inModule(e, module instanceof Module ? module.name : undefined);
    }
  }

  private resolve(store: Store, module: Module): Extern[] {
    checkArg(store, Store, "Linker.instantiate", "store");
    checkArg(module, Module, "Linker.instantiate", "module");
    if (module.engine !== this.engine) throw new TypeError("Linker: the module was compiled for another engine");
    if (store.engine !== this.engine) throw new TypeError("Linker: the store belongs to another engine");
    const providers = new Set<HostFuncProvider>();
    const externs = module.info.imports.map((imp) => {
      const def = this.defs.get(key(imp.module, imp.name));
      if (def?.kind === "host" && def.provider) providers.add(def.provider);
      const expected = importExternType(module.info, imp);
      if (!def) {
        throw new LinkError(`unknown import: ${imp.module}::${imp.name} has not been defined (expected ${formatExternType(expected)})`, {
          module: imp.module, name: imp.name, expected: formatExternType(expected),
        });
      }
      const extern = this.materialize(store, def, imp.module, imp.name);
      checkImport(store, imp.module, imp.name, expected, extern);
      return extern;
    });
    for (const provider of providers) provider.linkedTo?.(() => latestInstanceOf(store, module)?.getMemory("memory")?.native);
    return externs;
  }

  private materialize(store: Store, def: Definition, module: string, name: string): Extern {
    if (def.kind === "extern") return def.extern;
    let func = def.perStore.get(store);
    if (!func) {
      func = makeHostFunc(store, def.type, def.fn, def.raw, `${module}::${name}`, def.async === true);
      def.perStore.set(store, func);
    }
    return func;
  }

  private insert(module: string, name: string, def: Definition): void {
    if (typeof module !== "string" || typeof name !== "string") throw new TypeError(`Linker: module and name must be strings, got ${describeValue(module)} and ${describeValue(name)}`);
    const k = key(module, name);
    const existing = this.defs.get(k);
    if (existing && !this.allowShadowing) {
      const what = existing.kind === "extern" ? externKindOf(existing.extern) : "func";
      throw new Error(`Linker: ${module}::${name} is already defined (as a ${what}); set allowShadowing to redefine it`);
    }
    this.defs.set(k, def);
  }
}

function key(module: string, name: string): string {
  return `${module}\u0000${name}`;
}

/** The newest instance of `module` in `store` (the one being linked, once the engine made it). */
function latestInstanceOf(store: Store, module: Module): Instance | undefined {
  for (let i = store.instances.length - 1; i >= 0; i--) if (store.instances[i]!.module === module) return store.instances[i];
  return undefined;
}
