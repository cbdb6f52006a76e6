/**
 * `ComponentInstance` and `ComponentFunc`: a running component's exports as JS values — functions,
 * interfaces as objects, exported resources as classes (API.md, "Components").
 *
 * @module
 */
import type { Store } from "../../runtime/store.js";
import type { ComponentFuncType, ResourceType } from "../types.js";
import type { ComponentFuncImpl } from "../abi/function.js";
import { camelCase } from "../abi/values.js";
import { makeComponentError } from "./errors.js";
import { callComponentAsync } from "./async.js";
import type { Item } from "./items.js";
import { nameResource, prototypeOf } from "./resources.js";

/** `foo-bar` → `FooBar`. */
export function pascalCase(name: string): string {
  const c = camelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** A component function of an instance, with its type. */
export class ComponentFunc {
  /** The function's type. */
  readonly type: ComponentFuncType;
  /** @internal */
  readonly impl: ComponentFuncImpl;
  /** Calls the function with JS values; a `result` returns `ok` or throws `ComponentError`. */
  readonly call: (...args: unknown[]) => unknown;

  /** The store the function's instance lives in (undefined for a function not bound to one). */
  readonly store: Store | undefined;
  private readonly callName: string | undefined;

  constructor(impl: ComponentFuncImpl, name?: string, store?: Store) {
    this.impl = impl;
    this.type = impl.type;
    this.call = impl.hostEntry(makeComponentError, name);
    this.store = store;
    this.callName = name;
  }

  /**
   * Calls the function asynchronously (an engine with `asyncSupport`): the component's guest code may
   * call async host functions (`funcAsync`) and waits for them while the event loop runs. Arguments
   * and results are as in `call`. Async calls on one store run one after the other.
   *
   * @throws (rejects with) AsyncError `"not_enabled"` unless the engine has `asyncSupport`; otherwise
   *   as `call` does.
   */
  callAsync(...args: unknown[]): Promise<unknown> {
    return callComponentAsync(this.impl, this.store, args, this.callName);
  }
}

/** A running component: its exports as JS functions and objects. */
export class ComponentInstance {
  /** World-level functions by camelCase name; interfaces by full name and camelCase short name. */
  readonly exports: Record<string, unknown>;
  /** @internal The exports as items, for linking to other components. */
  readonly items: ReadonlyMap<string, Item>;
  /** The store the instance lives in (its time limit also bounds blocking WASI calls). */
  readonly store: Store | undefined;

  constructor(items: ReadonlyMap<string, Item>, store?: Store) {
    this.items = items;
    this.store = store;
    this.exports = objectOf(items, true);
  }

  /** The function `name` (`"render"` or `"ns:pkg/iface#render"`), or undefined. */
  getFunc(name: string): ComponentFunc | undefined {
    const hash = name.indexOf("#");
    let item = this.items.get(hash < 0 ? name : name.slice(0, hash));
    if (hash >= 0 && item?.sort === "instance") item = item.exports.get(name.slice(hash + 1));
    return item?.sort === "func" ? new ComponentFunc(item.func, name, this.store) : undefined;
  }
}

/** The items behind each interface object of `ComponentInstance.exports`, for component-to-component linking. */
const interfaceItems = new WeakMap<object, ReadonlyMap<string, Item>>();

/** The export items behind an interface object of another instance's `exports`, if it is one. */
export function itemsOfInterface(value: unknown): ReadonlyMap<string, Item> | undefined {
  return typeof value === "object" && value !== null ? interfaceItems.get(value) : undefined;
}

const RESOURCE_FUNC = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/;

/** `ns:pkg/iface@1.0.0` → `iface`; a plain name stays. */
function shortName(name: string): string {
  return name.includes("/") ? name.slice(name.lastIndexOf("/") + 1).replace(/@.*$/, "") : name;
}

/**
 * The JS object of an instance's exports: functions by camelCase name, nested instances as objects,
 * and each exported resource as a class (PascalCase) whose objects carry the resource's methods.
 * At the top (`root`), an interface is there by its full name and by its camelCase short name.
 */
function objectOf(items: ReadonlyMap<string, Item>, root = false): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const classes = new Map<string, { ctor?: ComponentFunc; methods: Map<string, ComponentFunc>; statics: Map<string, ComponentFunc>; type?: ResourceType }>();
  const classOf = (r: string) => {
    let c = classes.get(r);
    if (c === undefined) classes.set(r, (c = { methods: new Map(), statics: new Map() }));
    return c;
  };
  for (const [name, item] of items) {
    if (item.sort === "instance") {
      const value = objectOf(item.exports);
      interfaceItems.set(value, item.exports);
      if (root) {
        o[name] = value;
        o[camelCase(shortName(name))] ??= value;
      } else o[camelCase(name)] = value;
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
