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

/** Guest resources as JS objects: the representation, the type, and a way to drop them. */
class GuestResource {
  #type: ResourceType;
  #rep: number;
  #dropped = false;
  constructor(type: ResourceType, rep: number) {
    this.#type = type;
    this.#rep = rep;
  }
  static repOf(v: unknown, type: ResourceType): number | undefined {
    return v instanceof GuestResource && v.#type === type && !v.#dropped ? v.#rep : undefined;
  }
  /** Drops the resource: runs its destructor in the instance that defined it. */
  [Symbol.dispose](): void {
    if (this.#dropped) return;
    this.#dropped = true;
    resourceImpl(this.#type)?.dtor?.(this.#rep);
  }
}

/** Host resources: the host's own objects, numbered per store. */
class HostResources implements ResourceBridge {
  private readonly reps = new Map<unknown, number>();
  private readonly objects: unknown[] = [];
  toJs(type: ResourceType, rep: number, own: boolean): unknown {
    if (resourceImpl(type)?.instance === undefined && rep < this.objects.length) return this.objects[rep];
    return own ? new GuestResource(type, rep) : new GuestResource(type, rep);
  }
  fromJs(type: ResourceType, value: unknown): number {
    const guest = GuestResource.repOf(value, type);
    if (guest !== undefined) return guest;
    if (resourceImpl(type)?.instance === undefined && typeof value === "object" && value !== null) {
      let rep = this.reps.get(value);
      if (rep === undefined) {
        rep = this.objects.length;
        this.objects.push(value);
        this.reps.set(value, rep);
      }
      return rep;
    }
    throw new TypeError(`expected a ${type.name} resource`);
  }
  objectAt(rep: number): unknown {
    return this.objects[rep];
  }
}

const bridges = new WeakMap<Store, HostResources>();
function bridgeOf(store: Store): HostResources {
  let b = bridges.get(store);
  if (b === undefined) bridges.set(store, (b = new HostResources()));
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

  private resolve(name: string, desc: ExternDesc, scope: TypeScope, bridge: HostResources): Item {
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
      const exports = instanceTypeExports(entry.decls, entry.scope, (r) => hostResourceType(r, impl[r] ?? impl[camelCase(r)], bridge));
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

/** The host function for WIT name `name` (`f`, `[method]r.m`, `[static]r.s`, `[constructor]r`). */
function hostFunctionOf(impl: Record<string, unknown>, name: string): ((...a: unknown[]) => unknown) | undefined {
  const direct = impl[name] ?? impl[camelCase(name)];
  if (typeof direct === "function" && !name.startsWith("[")) return direct as (...a: unknown[]) => unknown;
  const m = /^\[(method|static|constructor)\]([^.]+)(?:\.(.+))?$/.exec(name);
  if (!m) return undefined;
  const cls = (impl[m[2]!] ?? impl[camelCase(m[2]!)]) as (new (...a: unknown[]) => object) & Record<string, unknown>;
  if (typeof cls !== "function") return undefined;
  if (m[1] === "constructor") return (...a) => new cls(...a);
  const member = camelCase(m[3]!);
  if (m[1] === "static") return (...a) => (cls[member] as (...x: unknown[]) => unknown)(...a);
  return (self, ...a) => ((self as Record<string, (...x: unknown[]) => unknown>)[member]!)(...a);
}

/** The resource type of a host-defined resource `name`. */
function hostResourceType(name: string, impl: unknown, bridge: HostResources): ResourceType {
  const rt = new ResourceType(name, false);
  const drop = typeof impl === "object" && impl !== null && typeof (impl as { drop?: unknown }).drop === "function"
    ? (impl as { drop(r: unknown): void }).drop.bind(impl)
    : (r: unknown) => (r as { [Symbol.dispose]?: () => void })?.[Symbol.dispose]?.();
  defineResourceImpl(rt, { instance: undefined, dtor: (rep) => drop(bridge.objectAt(rep)) });
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

  constructor(impl: ComponentFuncImpl) {
    this.impl = impl;
    this.type = impl.type;
    this.call = impl.hostEntry(makeComponentError);
  }
}

/** A running component: its exports as JS functions and objects. */
export class ComponentInstance {
  /** World-level functions by camelCase name; interfaces by full name and camelCase short name. */
  readonly exports: Record<string, unknown> = {};
  /** @internal The exports as items, for linking to other components. */
  readonly items: ReadonlyMap<string, Item>;

  constructor(items: ReadonlyMap<string, Item>) {
    this.items = items;
    for (const [name, item] of items) {
      const value = jsOf(item);
      if (value === undefined) continue;
      this.exports[name] = value;
      const short = name.includes("/") ? name.slice(name.lastIndexOf("/") + 1).replace(/@.*$/, "") : name;
      this.exports[camelCase(short)] ??= value;
    }
  }

  /** The function `name` (`"render"` or `"ns:pkg/iface#render"`), or undefined. */
  getFunc(name: string): ComponentFunc | undefined {
    const hash = name.indexOf("#");
    let item = this.items.get(hash < 0 ? name : name.slice(0, hash));
    if (hash >= 0 && item?.sort === "instance") item = item.exports.get(name.slice(hash + 1));
    return item?.sort === "func" ? new ComponentFunc(item.func) : undefined;
  }
}

function jsOf(item: Item): unknown {
  if (item.sort === "func") return new ComponentFunc(item.func).call;
  if (item.sort === "instance") {
    const o: Record<string, unknown> = {};
    for (const [n, i] of item.exports) {
      const v = jsOf(i);
      if (v !== undefined) o[camelCase(n)] = v;
    }
    return o;
  }
  return undefined;
}
