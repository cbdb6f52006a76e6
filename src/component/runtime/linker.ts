/**
 * `ComponentLinker`: host functions, host resources and other components' instances for a
 * component's imports (API.md, "Components"): `define(name, impl)` in jco's import shape, `root()` /
 * `instance(name)` with `func` and `resource` in Wasmtime's, `defineUnknownImportsAsTraps`.
 *
 * @module
 */
import type { ExternDesc } from "../binary/ast.js";
import { ResourceType, type ComponentFuncType } from "../types.js";
import type { Engine } from "../../runtime/engine.js";
import type { Store } from "../../runtime/store.js";
import { AsyncError, LinkError, Trap, WasmhostBug } from "../../errors.js";
import { hostFunction, type ComponentFuncImpl } from "../abi/function.js";
import { hostFunctionAsync } from "../abi/async.js";
import { defineResourceImpl } from "../abi/handles.js";
import { camelCase } from "../abi/values.js";
import type { Component } from "./component.js";
import { funcText, sameFuncType } from "./describe.js";
import { isComponentError } from "./errors.js";
import { ComponentInstance, itemsOfInterface, pascalCase } from "./instance.js";
import type { Item, TypeScope } from "./items.js";
import { instantiateComponent, instantiateComponentAsync } from "./instantiate.js";
import { funcType, instanceTypeExports, type InstanceTypeExport } from "./resolve.js";
import { StoreResources } from "./resources.js";
import type { Wasi } from "../../wasi/wasi.js";

/** The WASI 0.2 interfaces of a `Wasi`, by full interface name (registered by src/component/wasi). */
type WasiProvider = (wasi: Wasi) => ReadonlyMap<string, Record<string, unknown>>;
let wasiProvider: WasiProvider | undefined;

/**
 * Registers the WASI 0.2 host that `defineWasi` installs (src/component/wasi does, when loaded: the
 * runtime does not import it, so that it can build on the runtime's types). @internal
 */
export function registerWasiProvider(provider: WasiProvider): void {
  wasiProvider = provider;
}

/**
 * The semver-compatible key of an interface name, as Wasmtime matches imports: `ns:pkg/i@1.2.3` ->
 * `ns:pkg/i@1`, `ns:pkg/i@0.2.3` -> `ns:pkg/i@0.2`, `ns:pkg/i@0.0.3` stays exact. Null for a name
 * without a (release) version.
 */
function semverKey(name: string): string | null {
  const m = /^([^@]+)@(\d+)\.(\d+)\.(\d+)$/.exec(name);
  if (m === null) return null;
  const [, base, major, minor] = m;
  if (major !== "0") return `${base}@${major}`;
  if (minor !== "0") return `${base}@0.${minor}`;
  return null;
}

/** A host resource implementation: a class (its instances are the resources) or `{ drop }`. */
export type HostResource = (abstract new (...args: never[]) => unknown) | { drop(resource: unknown): void };

/** One definition of a `ComponentLinker`. */
type Definition =
  | { readonly kind: "js"; readonly impl: Record<string, unknown>; readonly lendBytes?: boolean }
  | { readonly kind: "item"; readonly item: Item };

/** The functions and resources of one linker namespace, Wasmtime-style. */
export interface LinkerInstance {
  /** Defines function `name` (WIT name or camelCase). */
  func(name: string, fn: (...args: never[]) => unknown): LinkerInstance;
  /**
   * Defines async host function `name` (Wasmtime's `func_wrap_async`): `fn` returns a Promise of what
   * `func`'s function returns (a `result<T, E>` resolves to `T` or rejects with a `ComponentError`).
   * The guest waits for it while the event loop runs, when the component's export is called with
   * `ComponentFunc.callAsync`; a synchronous call that reaches it throws `AsyncError` `"sync_call"`.
   *
   * @throws AsyncError `"not_enabled"` unless the engine has `asyncSupport`.
   */
  funcAsync(name: string, fn: (...args: never[]) => Promise<unknown>): LinkerInstance;
  /** Defines resource `name` by a host class or `{ drop }`. */
  resource(name: string, impl: HostResource): LinkerInstance;
}

const bridges = new WeakMap<Store, StoreResources>();
function bridgeOf(store: Store): StoreResources {
  let b = bridges.get(store);
  if (b === undefined) bridges.set(store, (b = new StoreResources()));
  return b;
}

/** Links components to host functions, host resources and other components' instances. */
export class ComponentLinker {
  readonly engine: Engine;
  private readonly defs = new Map<string, Definition>();
  /** The `Wasi` of `defineWasi`, told the store of each instantiation (for its deadlines). */
  private wasi: Wasi | undefined;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** Defines `name` (`""` for the root, or an interface name) as an object of functions and resources. */
  define(name: string, impl: Record<string, unknown>): this {
    const items = itemsOfInterface(impl);
    if (items !== undefined) return this.defineInstance(name, items);
    if (name === "") {
      for (const [k, v] of Object.entries(impl)) this.defs.set(k, { kind: "js", impl: { [k]: v } });
      return this;
    }
    const prev = this.defs.get(name);
    this.defs.set(name, { kind: "js", impl: prev?.kind === "js" ? { ...prev.impl, ...impl } : impl });
    return this;
  }

  /**
   * Defines the WASI 0.2 interfaces (`wasi:cli`, `wasi:io`, `wasi:clocks`, `wasi:random`,
   * `wasi:filesystem`, `wasi:sockets` without network) on `wasi`'s filesystem, stdio, clocks and random;
   * an import of any `@0.2.x` is served. Then `wasi.start(instance)` runs the component's `wasi:cli/run`.
   */
  defineWasi(wasi: Wasi): this {
    if (wasiProvider === undefined) throw new LinkError("defineWasi: the WASI 0.2 host is not loaded (import wasmhost/component)", { module: "wasi", name: "" });
    // The WASI host copies a write's bytes at once: they may stay in guest memory (no copy per call).
    for (const [name, impl] of wasiProvider(wasi)) this.defs.set(name, { kind: "js", impl, lendBytes: true });
    this.wasi = wasi;
    return this;
  }

  /** Defines `name` as an instance's export (component-to-component linking). */
  defineInstance(name: string, exports: ReadonlyMap<string, Item>): this {
    this.defs.set(name, { kind: "item", item: { sort: "instance", exports } });
    return this;
  }

  /** The root namespace (world-level functions). */
  root(): LinkerInstance {
    return this.instance("");
  }

  /** The namespace of interface `name`. */
  instance(name: string): LinkerInstance {
    const api: LinkerInstance = {
      func: (f, fn) => {
        this.define(name, { [f]: fn });
        return api;
      },
      funcAsync: (f, fn) => {
        if (this.engine.asyncMechanism === undefined) {
          throw new AsyncError("not_enabled", `funcAsync(${name === "" ? f : `${name}#${f}`}): the engine has no async support; create it with new Engine({ asyncSupport: true })`, f);
        }
        if (typeof fn !== "function") throw new TypeError(`funcAsync(${f}): expected a function, got ${typeof fn}`);
        // A wrapper of its own marks the definition async (the same function may also be defined sync).
        const wrapper = (...args: never[]): Promise<unknown> => fn(...args);
        asyncHostFunctions.add(wrapper);
        this.hasAsync = true;
        this.define(name, { [f]: wrapper });
        return api;
      },
      resource: (r, impl) => {
        this.define(name, { [r]: impl });
        return api;
      },
    };
    return api;
  }

  /** Instantiates `component` in `store`. @throws LinkError on a missing or mistyped import. */
  instantiate(store: Store, component: Component): ComponentInstance {
    const bridge = bridgeOf(store);
    this.wasi?.useStore(store);
    const result = instantiateComponent(store, component.definition, (name, desc, scope) => this.resolve(name, desc, scope), bridge, { asyncImports: this.hasAsync });
    return new ComponentInstance(result.exports, store);
  }

  /** Whether `funcAsync` defined something (core instances then prepare for waits through tables). */
  private hasAsync = false;

  /** A copy of this linker: later definitions on either do not affect the other. */
  clone(): ComponentLinker {
    const c = new ComponentLinker(this.engine);
    for (const [k, v] of this.defs) c.defs.set(k, v);
    for (const t of this.trapping) c.trapping.add(t);
    c.wasi = this.wasi;
    c.hasAsync = this.hasAsync;
    return c;
  }

  /**
   * Makes every import of `component` that the linker does not define a stub: its functions trap
   * when called (Wasmtime's `define_unknown_imports_as_traps`).
   */
  defineUnknownImportsAsTraps(component: Component): this {
    for (const { name } of component.imports) if (!this.defs.has(name)) this.trapping.add(name);
    return this;
  }

  private readonly trapping = new Set<string>();

  /**
   * Instantiates `component` asynchronously: its core modules are instantiated with the engine's
   * async instantiation, and on an engine with `asyncSupport` their start functions run as async
   * calls, so that they may call async host functions (`funcAsync`), as core `instantiateAsync` does.
   *
   * @throws LinkError on a missing or mistyped import.
   */
  async instantiateAsync(store: Store, component: Component): Promise<ComponentInstance> {
    const bridge = bridgeOf(store);
    this.wasi?.useStore(store);
    const result = await instantiateComponentAsync(store, component.definition, (name, desc, scope) => this.resolve(name, desc, scope), bridge, { asyncImports: this.hasAsync });
    return new ComponentInstance(result.exports, store);
  }

  private resolve(name: string, desc: ExternDesc, scope: TypeScope): Item {
    const def = this.defs.get(name) ?? this.compatible(name);
    if (def === undefined) {
      if (this.trapping.has(name)) return trappingItem(name, desc, scope);
      throw new LinkError(`component import \`${name}\` is not defined in the linker`, { module: name, name });
    }
    if (def.kind === "item") return checkProvided(name, desc, scope, def.item);
    const impl = def.impl;
    if (desc.kind === "func") {
      const fn = impl[name] ?? impl[camelCase(name)];
      if (typeof fn !== "function") {
        throw new LinkError(`component import \`${name}\` (${funcText(funcType(scope, desc.type))}) is defined as ${typeof fn}, not a function`, { module: "", name });
      }
      return { sort: "func", func: hostFunctionOfKind(funcType(scope, desc.type), fn as (...a: unknown[]) => unknown, name) };
    }
    if (desc.kind === "instance") {
      const entry = scope.types[desc.type];
      if (entry === undefined || entry.t !== "instance") throw new LinkError(`import "${name}": not an instance type`, { module: name, name });
      const exports = instanceTypeExports(entry.decls, entry.scope, (r) => hostResourceType(r, `${name}#${r}`, memberOf(impl, r)));
      return { sort: "instance", exports: this.hostInstance(name, exports, impl, def.lendBytes === true) };
    }
    if (desc.kind === "type") return typeImport(name, desc, scope, () => hostResourceType(name, name, memberOf(impl, name)));
    throw new LinkError(`component import \`${name}\` of kind ${desc.kind} is not supported by the linker yet`, { module: name, name });
  }

  /** The definition of a semver-compatible version of interface `name` (the newest), if any. */
  private compatible(name: string): Definition | undefined {
    const key = semverKey(name);
    if (key === null) return undefined;
    let best: Definition | undefined;
    let bestName = "";
    for (const [n, d] of this.defs) {
      if (semverKey(n) === key && (best === undefined || n.localeCompare(bestName, "en", { numeric: true }) > 0)) {
        best = d;
        bestName = n;
      }
    }
    return best;
  }

  private hostInstance(iface: string, types: ReadonlyMap<string, InstanceTypeExport>, impl: Record<string, unknown>, lendBytes: boolean): Map<string, Item> {
    const out = new Map<string, Item>();
    for (const [name, t] of types) {
      if (t.kind === "func") {
        const fn = hostFunctionOf(impl, name);
        if (fn === undefined) {
          throw new LinkError(`component import \`${iface}#${name}\` (${funcText(t.type)}) is not defined in the linker`, { module: iface, name, expected: funcText(t.type) });
        }
        const method = /^\[method\][^.]+\.(.+)$/.exec(name);
        const how = { method: method === null ? undefined : camelCase(method[1]!), lendBytes };
        out.set(name, { sort: "func", func: hostFunctionOfKind(t.type, fn, `${iface}#${name}`, how) });
      } else if (t.kind === "type") out.set(name, { sort: "type", type: t.entry });
    }
    return out;
  }
}

/** The functions defined by `funcAsync` (their wrappers). */
const asyncHostFunctions = new WeakSet<object>();

/** The component function of host function `fn`: async when `funcAsync` defined it. */
function hostFunctionOfKind(type: ComponentFuncType, fn: (...a: unknown[]) => unknown, name: string, how?: Parameters<typeof hostFunction>[4]): ComponentFuncImpl {
  return asyncHostFunctions.has(fn) ? hostFunctionAsync(type, fn, isComponentError, name) : hostFunction(type, fn, isComponentError, name, how);
}

/** The stub of an undefined import: functions that trap when called. */
function trappingItem(name: string, desc: ExternDesc, scope: TypeScope): Item {
  const stub = (type: ComponentFuncType, path: string): Item => ({
    sort: "func",
    func: hostFunction(type, () => {
      throw new Trap("unknown", [], { message: `unknown import: \`${path}\` has not been defined` });
    }, isComponentError),
  });
  if (desc.kind === "func") return stub(funcType(scope, desc.type), name);
  if (desc.kind === "instance") {
    const entry = scope.types[desc.type];
    const out = new Map<string, Item>();
    if (entry?.t === "instance") {
      for (const [n, t] of instanceTypeExports(entry.decls, entry.scope, (r) => new ResourceType(r, false))) {
        if (t.kind === "func") out.set(n, stub(t.type, `${name}#${n}`));
        else if (t.kind === "type") out.set(n, { sort: "type", type: t.entry });
      }
    }
    return { sort: "instance", exports: out };
  }
  if (desc.kind === "type") return typeImport(name, desc, scope, () => new ResourceType(name, false));
  throw new LinkError(`component import \`${name}\` of kind ${desc.kind} cannot be stubbed`, { module: name, name });
}

/**
 * A type import: `(eq T)` is `T` itself; `(sub resource)` is the resource type `resource()` gives (a
 * host resource defined on the linker, or an abstract one for a stub).
 */
function typeImport(name: string, desc: ExternDesc & { kind: "type" }, scope: TypeScope, resource: () => ResourceType): Item {
  if (desc.bound.kind === "sub-resource") return { sort: "type", type: { t: "resource", type: resource() } };
  const entry = scope.types[desc.bound.type];
  if (entry === undefined) throw new LinkError(`component import \`${name}\`: unknown type ${desc.bound.type}`, { module: name, name });
  return { sort: "type", type: entry };
}

/** Checks another component's export against the import it satisfies: a `LinkError` with both types otherwise. */
function checkProvided(name: string, desc: ExternDesc, scope: TypeScope, item: Item): Item {
  const mismatch = (path: string, expected: string, given: string): never => {
    throw new LinkError(`component import \`${path}\` has the wrong type: expected ${expected}, given ${given}`, {
      module: name,
      name: path,
      expected,
      given,
    });
  };
  if (desc.kind === "func") {
    if (item.sort !== "func") return mismatch(name, "a function", `a ${item.sort}`);
    const want = funcType(scope, desc.type);
    if (!sameFuncType(want, item.func.type)) mismatch(name, funcText(want), funcText(item.func.type));
    return item;
  }
  if (desc.kind === "instance") {
    if (item.sort !== "instance") return mismatch(name, "an instance", `a ${item.sort}`);
    const entry = scope.types[desc.type];
    if (entry?.t !== "instance") return item;
    for (const [n, t] of instanceTypeExports(entry.decls, entry.scope, (r) => new ResourceType(r, false))) {
      const got = item.exports.get(n);
      if (got === undefined) {
        throw new LinkError(`component import \`${name}#${n}\` is not provided by the instance defined as \`${name}\``, { module: name, name: n });
      }
      if (t.kind === "func") {
        if (got.sort !== "func") mismatch(`${name}#${n}`, "a function", `a ${got.sort}`);
        else if (!sameFuncType(t.type, got.func.type)) mismatch(`${name}#${n}`, funcText(t.type), funcText(got.func.type));
      }
    }
  }
  return item;
}

/** `impl`'s member for WIT name `name`: as is, camelCase, or PascalCase (resource classes). */
function memberOf(impl: Record<string, unknown>, name: string): unknown {
  return impl[name] ?? impl[camelCase(name)] ?? impl[pascalCase(name)];
}

/** The host function for WIT name `name` (`f`, `[method]r.m`, `[static]r.s`, `[constructor]r`). */
function hostFunctionOf(impl: Record<string, unknown>, name: string): ((...a: unknown[]) => unknown) | undefined {
  const direct = impl[name] ?? impl[camelCase(name)];
  if (typeof direct === "function" && !name.startsWith("[")) return direct as (...a: unknown[]) => unknown;
  // `funcAsync("[method]r.m", fn)`: an async definition by its full WIT name comes before the class's.
  if (typeof direct === "function" && asyncHostFunctions.has(direct)) return direct as (...a: unknown[]) => unknown;
  const m = /^\[(method|static|constructor)\]([^.]+)(?:\.(.+))?$/.exec(name);
  if (!m) return undefined;
  const cls = memberOf(impl, m[2]!) as (new (...a: unknown[]) => object) & Record<string, unknown>;
  if (typeof cls !== "function") return undefined;
  if (m[1] === "constructor") return (...a) => new cls(...a);
  const member = camelCase(m[3]!);
  if (m[1] === "static") return (...a) => (cls[member] as (...x: unknown[]) => unknown)(...a);
  return (self, ...a) => ((self as Record<string, (...x: unknown[]) => unknown>)[member]!)(...a);
}

/** Host resource types by implementation (a class or `{ drop }`), then by the import path they serve. */
const hostResourceTypes = new WeakMap<object, Map<string, ResourceType>>();

/**
 * The resource type of a host-defined resource `name`, imported at `path` (`iface#name`). One type per
 * implementation and path, whatever the linker or store (as a host type is one Rust type in Wasmtime),
 * so that the types resolved from it, and everything compiled for them (layouts, lifters, generated
 * host calls), are made once rather than per instantiation. Its destructor releases the object in the
 * bridge of the store of the instance dropping it. A resource the host does not implement gets a type
 * of its own each time.
 */
function hostResourceType(name: string, path: string, impl: unknown): ResourceType {
  const keyed = (typeof impl === "object" && impl !== null) || typeof impl === "function";
  let byPath = keyed ? hostResourceTypes.get(impl) : undefined;
  const known = byPath?.get(path);
  if (known !== undefined) return known;
  const rt = new ResourceType(name, false);
  const drop = typeof impl === "object" && impl !== null && typeof (impl as { drop?: unknown }).drop === "function"
    ? (impl as { drop(r: unknown): void }).drop.bind(impl)
    : (r: unknown) => (r as { [Symbol.dispose]?: () => void })?.[Symbol.dispose]?.();
  defineResourceImpl(rt, {
    instance: undefined,
    dtor: (rep, caller) => {
      const bridge = caller?.resources;
      if (!(bridge instanceof StoreResources)) throw new WasmhostBug(`the destructor of host resource ${name} was called without its store's resources`);
      drop(bridge.release(rep));
    },
  });
  if (keyed) {
    if (byPath === undefined) hostResourceTypes.set(impl, (byPath = new Map()));
    byPath.set(path, rt);
  }
  return rt;
}
