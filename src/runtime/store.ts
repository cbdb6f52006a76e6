/**
 * The Store: owns instances and host objects, carries the user's data, and identifies function
 * references that come back from wasm.
 *
 * @module
 */
import { WasmhostBug } from "../errors.js";
import { Caller } from "./caller.js";
import { Engine } from "./engine.js";
import { type Func, rememberFunc } from "./func.js";
import type { Instance } from "./instance.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { StoreInstrumentation } from "../instrument/host.js";
import { checkLimits } from "../instrument/limits.js";
import { checkArg, checkObject } from "./values.js";

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
  /** @internal Modules being instantiated asynchronously: they count against the limits already. */
  readonly pendingInstances: ModuleInfo[] = [];
  /** @internal True when calls into wasm must run `enterWasm`/`exitWasm` (set by instrumentation). */
  hasCallHooks = false;
  /** @internal How many host -> wasm calls are active on the stack. */
  wasmDepth = 0;
  /** @internal Fuel, interruption and limits state handed to instrumented modules. */
  readonly instrumentation: StoreInstrumentation;
  private callerWithoutInstance: Caller<T> | undefined;

  constructor(engine: Engine, options: StoreOptions<T> = {}) {
    checkArg(engine, Engine, "new Store", "engine");
    checkObject(options, "new Store", "options");
    this.engine = engine;
    this.data = options.data as T;
    this.limits = Object.freeze({ ...(options.limits ?? {}) });
    checkLimits(this.limits);
    this.id = ++storeIds;
    const features = engine.instrumentation;
    this.instrumentation = new StoreInstrumentation({ fuel: features.fuelCosts !== undefined, interrupt: features.interrupt === true }, engine.epoch, this.limits);
    // Time limits start when the host calls into wasm.
    // Time limits start when the host calls into wasm; under the async rewrite the depth tells an async
    // import whether host code stands between it and the async call (it may not unwind through that).
    this.hasCallHooks = features.interrupt === true || engine.asyncMechanism === "rewrite";
  }

  /** @internal Called when the host calls into wasm. */
  enterWasm(): void {
    if (this.wasmDepth++ === 0) this.instrumentation.enter();
  }

  /**
   * The fuel left (0 after a call that ran past zero, see `EngineConfig.consumeFuel`). @throws Error
   * unless the engine was created with `{ consumeFuel: true }`.
   */
  getFuel(): number {
    this.needs(this.instrumentation.fuel !== undefined, "getFuel", "consumeFuel");
    return this.instrumentation.getFuel();
  }

  /**
   * Sets the fuel left (a store starts with 0). Each instruction wasm runs costs fuel; when too little
   * is left at a function entry or loop header the call traps `"out_of_fuel"` and leaves 0, as Wasmtime
   * does (the code after the last check may run past zero: see `EngineConfig.consumeFuel`).
   *
   * @throws Error unless the engine consumes fuel; RangeError unless `fuel` is a non-negative integer.
   */
  setFuel(fuel: number | bigint): void {
    this.needs(this.instrumentation.fuel !== undefined, "setFuel", "consumeFuel");
    this.instrumentation.setFuel(fuel);
  }

  /**
   * Interrupts wasm running in this store (a `"interrupt"` trap) once the engine's epoch has advanced
   * `ticks` past its current value (`engine.incrementEpoch()`, also from a Worker). Checks happen at
   * function entries and loop back-edges. A store starts with no deadline.
   *
   * @throws Error unless the engine was created with `{ epochInterruption: true }`.
   */
  setEpochDeadline(ticks: number | bigint): void {
    this.needs(this.instrumentation.interruptible, "setEpochDeadline", "epochInterruption");
    this.instrumentation.setEpochDeadline(ticks);
  }

  /**
   * Limits every call from the host into wasm to `ms` milliseconds: past it, the call traps
   * `"interrupt"`. Works on the main thread with no Worker or timer. `Infinity` or `undefined` removes
   * the limit. Nested calls (wasm -> host -> wasm) share the outermost call's time.
   *
   * @throws Error unless the engine was created with `{ timeLimits: true }` or `{ epochInterruption: true }`.
   */
  setTimeLimit(ms: number | undefined): void {
    this.needs(this.instrumentation.interruptible, "setTimeLimit", "timeLimits");
    this.instrumentation.setTimeLimit(ms);
  }

  private needs(ok: boolean, what: string, option: string): void {
    if (!ok) throw new Error(`store.${what}: the engine was not configured for it; create it with new Engine({ ${option}: true })`);
  }

  /**
   * @internal Milliseconds left before wasm running in this store must stop (time limit or epoch
   * deadline): `Infinity` without a limit or when no call into wasm is active. Blocking host calls
   * (WASI) wait at most this long.
   */
  remainingMs(): number {
    return this.wasmDepth > 0 ? this.instrumentation.remainingMs() : Infinity;
  }

  /** @internal Whether an epoch deadline may arrive at any moment (waits should wake to look). */
  epochWatched(): boolean {
    return this.wasmDepth > 0 && this.instrumentation.epochWatched();
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

