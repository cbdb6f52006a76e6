/**
 * The Store: owns instances and host objects, carries the user's data, and identifies function
 * references that come back from wasm.
 *
 * @module
 */
import { WasmhostBug } from "../errors.js";
import { Caller } from "./caller.js";
import type { Engine } from "./engine.js";
import { type Func, rememberFunc } from "./func.js";
import type { Instance } from "./instance.js";

/** Resource limits of a store (enforced by the limits work; recorded here). */
export interface StoreLimits {
  /** Maximum bytes of each linear memory. */
  readonly memorySize?: number;
  /** Maximum elements of each table. */
  readonly tableElements?: number;
  /** Maximum number of instances. */
  readonly instances?: number;
  /** Maximum number of tables. */
  readonly tables?: number;
  /** Maximum number of memories. */
  readonly memories?: number;
}

/** Options of `new Store`. */
export interface StoreOptions<T> {
  /** The user's data, reachable as `store.data` and `caller.data`. */
  readonly data?: T;
  readonly limits?: StoreLimits;
}

let storeIds = 0;

/**
 * A collection of instances and host objects with the user's data `T`. Every extern (Func, Global,
 * Table, Memory) belongs to one store and can only be used with it. Stores are cheap; a typical
 * program creates one per independent "world" (per request, per plugin).
 */
export class Store<T = unknown> {
  /** The engine this store belongs to. */
  readonly engine: Engine;
  /** The user's data. */
  data: T;
  /** The store's resource limits. */
  readonly limits: StoreLimits;
  /** A unique id (for messages). */
  readonly id: number;
  /** @internal Instances created in this store, oldest first. */
  readonly instances: Instance[] = [];
  /** @internal True when calls into wasm must run `enterWasm`/`exitWasm` (set by instrumentation). */
  hasCallHooks = false;
  /** @internal How many host -> wasm calls are active on the stack. */
  wasmDepth = 0;
  private callerWithoutInstance: Caller<T> | undefined;

  constructor(engine: Engine, options: StoreOptions<T> = {}) {
    if (!engine || typeof engine !== "object" || !("config" in engine)) {
      throw new TypeError("new Store(engine, options): the first argument must be an Engine");
    }
    this.engine = engine;
    this.data = options.data as T;
    this.limits = Object.freeze({ ...(options.limits ?? {}) });
    this.id = ++storeIds;
  }

  /** @internal Called when the host calls into wasm. */
  enterWasm(): void {
    this.wasmDepth++;
  }

  /** @internal Called when a call from the host into wasm returns or throws. */
  exitWasm(): void {
    this.wasmDepth--;
  }

  /** @internal The caller seen by host functions that are not called as an instance's import. */
  unboundCaller(): Caller<T> {
    return (this.callerWithoutInstance ??= new Caller<T>(this, undefined));
  }

  /**
   * @internal Identifies an engine function that wasm handed to the host. Wasm functions carry their
   * index as their `name`; the instance is found by comparing with the hidden exports of its declared
   * functions (see prepare.ts).
   */
  funcFromNative(native: (...args: never[]) => unknown): Func {
    const index = Number(native.name);
    if (Number.isInteger(index)) {
      for (let i = this.instances.length - 1; i >= 0; i--) {
        const func = this.instances[i]!.funcAtIfNative(index, native);
        if (func) {
          rememberFunc(native, func);
          return func;
        }
      }
    }
    throw new WasmhostBug(`a function reference from wasm (engine function ${JSON.stringify(native.name)}) matches no function of store ${this.id}`);
  }
}

/** @internal Throws unless `owner` is `store`; `what` names the object. */
export function checkStore(store: Store<unknown>, owner: Store<unknown>, what: string): void {
  if (owner !== store) {
    throw new TypeError(`${what} belongs to store ${owner.id}, not to store ${store.id}: externs cannot be shared between stores`);
  }
}

