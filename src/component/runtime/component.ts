/**
 * `Component`, `ComponentLinker`, `ComponentInstance` and `ComponentFunc`: the embedding API of
 * components (API.md, "Components").
 *
 * @module
 */
import type { ComponentInfo, ExternDesc } from "../binary/ast.js";
import { decodeComponent } from "../binary/decoder.js";
import { validateComponent } from "../binary/validate.js";
import { parseComponentText } from "../text/parser.js";
import { ResourceType, type ComponentFuncType } from "../types.js";
import type { Engine } from "../../runtime/engine.js";
import { Module } from "../../runtime/module.js";
import type { Store } from "../../runtime/store.js";
import { LinkError } from "../../errors.js";
import type { ResourceBridge } from "../abi/context.js";
import { type ComponentFuncImpl, hostFunction } from "../abi/function.js";
import { defineResourceImpl, resourceImpl } from "../abi/handles.js";
import { camelCase } from "../abi/values.js";
import { nameResource, prototypeOf, StoreResources } from "./resources.js";
import type { ComponentDefinition, Item, TypeScope } from "./items.js";
import { instantiateComponent } from "./instantiate.js";
import { funcType, instanceTypeExports, type InstanceTypeExport } from "./resolve.js";

/**
 * The error case of a `result` crossing the boundary as a function's result: a component function
 * that returns `err(e)` throws it (with `payload` = `e`), and a host function throws it to return
 * `err(e)`.
 */
export class ComponentError extends Error {
  /** The `err` payload. */
  readonly payload: unknown;

  constructor(payload: unknown, message?: string) {
    super(message ?? `component function returned an error: ${describePayload(payload)}`);
    this.name = "ComponentError";
    this.payload = payload;
  }
}

function describePayload(p: unknown): string {
  try {
    return typeof p === "string" ? p : JSON.stringify(p, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(p);
  } catch {
    return String(p);
  }
}

const makeComponentError = (payload: unknown): Error => new ComponentError(payload);
const isComponentError = (e: unknown): e is ComponentError => e instanceof ComponentError;

function compileDefinition(engine: Engine, info: ComponentInfo): ComponentDefinition {
  const modules: Module[] = [];
  const nested: ComponentDefinition[] = [];
  for (const s of info.sections) {
    if (s.id === "core-module") modules.push(new Module(engine, s.module.bytes));
    else if (s.id === "component") nested.push(compileDefinition(engine, s.component));
  }
  return { info, scope: undefined, modules, nested };
}

/** A compiled component: decoded, validated, its core modules compiled. */
export class Component {
  readonly engine: Engine;
  /** @internal The decoded component and its compiled core modules. */
  readonly definition: ComponentDefinition;

  /**
   * Compiles a component binary.
   * @throws CompileError on a malformed or invalid component.
   */
  constructor(engine: Engine, bytes: Uint8Array) {
    const info = decodeComponent(bytes);
    validateComponent(info);
    this.engine = engine;
    this.definition = compileDefinition(engine, info);
  }

  /** Compiles a component from its text format (`(component ...)`). */
  static fromText(engine: Engine, text: string): Component {
    return new Component(engine, parseComponentText(text));
  }
}

/** A host resource implementation: a class (its instances are the resources) or `{ drop }`. */
export type HostResource = (abstract new (...args: never[]) => unknown) | { drop(resource: unknown): void };

/** One definition of a `ComponentLinker`. */
type Definition =
  | { readonly kind: "js"; readonly impl: Record<string, unknown> }
  | { readonly kind: "item"; readonly item: Item };

/** The functions and resources of one linker namespace, Wasmtime-style. */
export interface LinkerInstance {
  /** Defines function `name` (WIT name or camelCase). */
  func(name: string, fn: (...args: never[]) => unknown): LinkerInstance;
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
    const result = instantiateComponent(store, component.definition, (name, desc, scope) => this.resolve(name, desc, scope, bridge), bridge);
    return new ComponentInstance(result.exports);
  }

  private resolve(name: string, desc: ExternDesc, scope: TypeScope, bridge: StoreResources): Item {
    const def = this.defs.get(name);
    if (def === undefined) throw new LinkError(`component import "${name}" is not defined in the linker`, { module: name, name });
    if (def.kind === "item") return def.item;
    const impl = def.impl;
    if (desc.kind === "func") {
      const fn = impl[name] ?? impl[camelCase(name)];
      if (typeof fn !== "function") throw new LinkError(`component import "${name}" is not a function`, { module: "", name });
      return { sort: "func", func: hostFunction(funcType(scope, desc.type), fn as (...a: unknown[]) => unknown, isComponentError) };
    }
    if (desc.kind === "instance") {
      const entry = scope.types[desc.type];
      if (entry === undefined || entry.t !== "instance") throw new LinkError(`import "${name}": not an instance type`, { module: name, name });
      const exports = instanceTypeExports(entry.decls, entry.scope, (r) => hostResourceType(r, memberOf(impl, r), bridge));
      return { sort: "instance", exports: this.hostInstance(name, exports, impl) };
    }
    throw new LinkError(`component import "${name}" of kind ${desc.kind} is not supported by the linker yet`, { module: name, name });
  }

  private hostInstance(iface: string, types: ReadonlyMap<string, InstanceTypeExport>, impl: Record<string, unknown>): Map<string, Item> {
    const out = new Map<string, Item>();
    for (const [name, t] of types) {
      if (t.kind === "func") {
        const fn = hostFunctionOf(impl, name);
        if (fn === undefined) throw new LinkError(`${iface}#${name}: not defined in the linker`, { module: iface, name });
        out.set(name, { sort: "func", func: hostFunction(t.type, fn, isComponentError) });
      } else if (t.kind === "type") out.set(name, { sort: "type", type: t.entry });
    }
    return out;
  }
}

/** `impl`'s member for WIT name `name`: as is, camelCase, or PascalCase (resource classes). */
function memberOf(impl: Record<string, unknown>, name: string): unknown {
  return impl[name] ?? impl[camelCase(name)] ?? impl[pascalCase(name)];
}

/** `foo-bar` → `FooBar`. */
function pascalCase(name: string): string {
  const c = camelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** The host function for WIT name `name` (`f`, `[method]r.m`, `[static]r.s`, `[constructor]r`). */
function hostFunctionOf(impl: Record<string, unknown>, name: string): ((...a: unknown[]) => unknown) | undefined {
  const direct = impl[name] ?? impl[camelCase(name)];
  if (typeof direct === "function" && !name.startsWith("[")) return direct as (...a: unknown[]) => unknown;
  const m = /^\[(method|static|constructor)\]([^.]+)(?:\.(.+))?$/.exec(name);
  if (!m) return undefined;
  const cls = memberOf(impl, m[2]!) as (new (...a: unknown[]) => object) & Record<string, unknown>;
  if (typeof cls !== "function") return undefined;
  if (m[1] === "constructor") return (...a) => new cls(...a);
  const member = camelCase(m[3]!);
  if (m[1] === "static") return (...a) => (cls[member] as (...x: unknown[]) => unknown)(...a);
  return (self, ...a) => ((self as Record<string, (...x: unknown[]) => unknown>)[member]!)(...a);
}

/** The resource type of a host-defined resource `name`. */
function hostResourceType(name: string, impl: unknown, bridge: StoreResources): ResourceType {
  const rt = new ResourceType(name, false);
  const drop = typeof impl === "object" && impl !== null && typeof (impl as { drop?: unknown }).drop === "function"
    ? (impl as { drop(r: unknown): void }).drop.bind(impl)
    : (r: unknown) => (r as { [Symbol.dispose]?: () => void })?.[Symbol.dispose]?.();
  defineResourceImpl(rt, { instance: undefined, dtor: (rep) => drop(bridge.release(rep)) });
  return rt;
}

/** A component function of an instance, with its type. */
export class ComponentFunc {
  /** The function's type. */
  readonly type: ComponentFuncType;
  /** @internal */
  readonly impl: ComponentFuncImpl;
  /** Calls the function with JS values; a `result` returns `ok` or throws `ComponentError`. */
  readonly call: (...args: unknown[]) => unknown;

  constructor(impl: ComponentFuncImpl, name?: string) {
    this.impl = impl;
    this.type = impl.type;
    this.call = impl.hostEntry(makeComponentError, name);
  }
}

/** A running component: its exports as JS functions and objects. */
export class ComponentInstance {
  /** World-level functions by camelCase name; interfaces by full name and camelCase short name. */
  readonly exports: Record<string, unknown>;
  /** @internal The exports as items, for linking to other components. */
  readonly items: ReadonlyMap<string, Item>;

  constructor(items: ReadonlyMap<string, Item>) {
    this.items = items;
    this.exports = objectOf(items);
    for (const [name, item] of items) {
      if (item.sort !== "instance") continue;
      const value = this.exports[camelCase(name)];
      delete this.exports[camelCase(name)];
      this.exports[name] = value;
      const short = name.includes("/") ? name.slice(name.lastIndexOf("/") + 1).replace(/@.*$/, "") : name;
      this.exports[camelCase(short)] ??= value;
      interfaceItems.set(value as object, item.exports);
    }
  }

  /** The function `name` (`"render"` or `"ns:pkg/iface#render"`), or undefined. */
  getFunc(name: string): ComponentFunc | undefined {
    const hash = name.indexOf("#");
    let item = this.items.get(hash < 0 ? name : name.slice(0, hash));
    if (hash >= 0 && item?.sort === "instance") item = item.exports.get(name.slice(hash + 1));
    return item?.sort === "func" ? new ComponentFunc(item.func, name) : undefined;
  }
}

/** The items behind each interface object of `ComponentInstance.exports`, for component-to-component linking. */
const interfaceItems = new WeakMap<object, ReadonlyMap<string, Item>>();

/** The export items behind an interface object of another instance's `exports`, if it is one. */
export function itemsOfInterface(value: unknown): ReadonlyMap<string, Item> | undefined {
  return typeof value === "object" && value !== null ? interfaceItems.get(value) : undefined;
}

const RESOURCE_FUNC = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/;

/**
 * The JS object of an instance's exports: functions by camelCase name, nested instances as objects,
 * and each exported resource as a class (PascalCase) whose objects carry the resource's methods.
 */
function objectOf(items: ReadonlyMap<string, Item>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const classes = new Map<string, { ctor?: ComponentFunc; methods: Map<string, ComponentFunc>; statics: Map<string, ComponentFunc>; type?: ResourceType }>();
  const classOf = (r: string) => {
    let c = classes.get(r);
    if (c === undefined) classes.set(r, (c = { methods: new Map(), statics: new Map() }));
    return c;
  };
  for (const [name, item] of items) {
    if (item.sort === "instance") {
      o[camelCase(name)] = objectOf(item.exports);
      continue;
    }
    if (item.sort === "type" && item.type.t === "resource") {
      classOf(name).type = item.type.type;
      continue;
    }
    if (item.sort !== "func") continue;
    const f = new ComponentFunc(item.func, name);
    const m = RESOURCE_FUNC.exec(name);
    if (m === null) {
      o[camelCase(name)] = f.call;
      continue;
    }
    const c = classOf(m[2]!);
    if (m[1] === "constructor") {
      c.ctor = f;
      const r = f.type.result;
      if (r?.kind === "own") c.type ??= r.resource;
    } else if (m[1] === "method") {
      c.methods.set(m[3]!, f);
      const self = f.type.params[0]?.type;
      if (self?.kind === "borrow") c.type ??= self.resource;
    } else c.statics.set(m[3]!, f);
  }
  for (const [r, c] of classes) {
    if (c.type === undefined) continue;
    nameResource(c.type, r);
    const proto = prototypeOf(c.type) as Record<string, unknown>;
    for (const [m, f] of c.methods) {
      const call = f.call;
      proto[camelCase(m)] = function (this: unknown, ...args: unknown[]) {
        return call(this, ...args);
      };
    }
    const ctor = c.ctor?.call;
    const cls = function (this: unknown, ...args: unknown[]) {
      if (ctor === undefined) throw new TypeError(`resource ${r} has no constructor`);
      return ctor(...args);
    } as unknown as Record<string, unknown> & { prototype: object };
    cls.prototype = proto;
    Object.defineProperty(proto, "constructor", { value: cls, configurable: true, writable: true });
    Object.defineProperty(cls, "name", { value: pascalCase(r) });
    for (const [s2, f] of c.statics) cls[camelCase(s2)] = f.call;
    o[pascalCase(r)] = cls;
  }
  return o;
}
