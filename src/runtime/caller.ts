/**
 * `Caller`: what a host function sees of the instance that called it.
 *
 * @module
 */
import type { Extern } from "./extern.js";
import type { Instance } from "./instance.js";
import type { Memory } from "./memory.js";
import { Store } from "./store.js";
import { checkArg, checkString } from "./values.js";

/**
 * The context of a host function call: the store's data and the calling instance's exports. A host
 * function defined with `Linker.defineFunc` receives the caller of the instance that imported it,
 * including while that instance's start function runs.
 */
export class Caller<T = unknown> {
  /** The store of the call. */
  readonly store: Store<T>;
  /** @internal The calling instance; set once it exists. */
  instance: Instance | undefined;

  /** @internal */
  constructor(store: Store<T>, instance: Instance | undefined) {
    checkArg(store, Store, "new Caller", "store");
    this.store = store;
    this.instance = instance;
  }

  /** The store's data. */
  get data(): T {
    return this.store.data;
  }

  set data(value: T) {
    this.store.data = value;
  }

  /** The calling instance's export `name`, or `undefined` when there is none (or no calling instance). */
  getExport(name: string): Extern | undefined {
    checkString(name, "Caller.getExport", "name");
    return this.instance?.getExport(name);
  }

  /** The store's fuel left (see `Store.getFuel`). @throws Error unless the engine consumes fuel. */
  getFuel(): number {
    return this.store.getFuel();
  }

  /**
   * Sets the store's fuel left (see `Store.setFuel`): wasm continues with it when this host function
   * returns. @throws Error unless the engine consumes fuel.
   */
  setFuel(fuel: number | bigint): void {
    this.store.setFuel(fuel);
  }

  /** The calling instance's exported memory `name` (default `"memory"`), or `undefined`. */
  getMemory(name = "memory"): Memory | undefined {
    checkString(name, "Caller.getMemory", "name");
    return this.instance?.getMemory(name);
  }
}
