/**
 * The Engine: settings shared by every module compiled with it, and the epoch counter.
 *
 * @module
 */
import { EpochCounter } from "../instrument/host.js";
import { fuelCostTable, type FuelCosts, type InstrumentOptions } from "../instrument/index.js";

/** Settings of an `Engine`. Every field is optional; the engine freezes a copy. */
export interface EngineConfig {
  /**
   * How many stack frames a trap's backtrace may hold (default 10,000). wasmhost raises the host's
   * `Error.stackTraceLimit` to at least this number when the first engine is created, because the
   * engine records frames only up to that limit; a lower global limit would cut backtraces short.
   */
  readonly maxTrapFrames?: number;
  /**
   * Charge fuel for every instruction wasm executes (default false). A store starts with no fuel:
   * give it some with `store.setFuel(n)`; running out traps `"out_of_fuel"` and leaves 0. The default
   * costs are Wasmtime's: 1 per instruction, except `nop`, `drop`, `block`, `loop`, `end`, `else`,
   * `unreachable` and `return` (free), 1 per function entered (so an export calling a host function
   * costs 2), and bulk memory and table instructions (`memory.fill/copy/init`, `table.fill/copy/init`,
   * `table.grow`) 1 more per byte or element (see `fuelBulkPerUnit`); `fuelCosts` overrides the
   * per-instruction costs. Fuel is shared by all instances of a store; host functions are free.
   */
  readonly consumeFuel?: boolean;
  /**
   * Fuel costs by instruction name (e.g. `{ "call": 10, "i32.div_s": 4 }`), overriding the defaults.
   * Only used with `consumeFuel`. @throws TypeError from `new Engine` on an unknown name or a bad cost.
   */
  readonly fuelCosts?: FuelCosts;
  /**
   * Charge bulk memory and table instructions 1 unit per byte or element they touch, on top of their
   * own cost (default true, as Wasmtime does since its bulk operations are metered by size); false
   * charges their flat cost only (Wasmtime's older behaviour).
   */
  readonly fuelBulkPerUnit?: boolean;
  /**
   * Check for interruption at every function entry and loop back-edge (default false): enables
   * `store.setEpochDeadline(ticks)` with `engine.incrementEpoch()`, and `store.setTimeLimit(ms)`.
   * A store starts with no epoch deadline (unlike Wasmtime, where the default deadline is reached at once).
   */
  readonly epochInterruption?: boolean;
  /** The same checks as `epochInterruption`, asked for under the name of what they serve here: `store.setTimeLimit`. */
  readonly timeLimits?: boolean;
}

let engineIds = 0;

/**
 * Global settings for compiling and running WebAssembly. Create one per process (or per differently
 * configured set of modules) and share it: modules, stores and linkers all refer to an engine.
 */
export class Engine {
  /** The engine's settings, frozen. */
  readonly config: Readonly<EngineConfig>;
  /** A unique id, used to refuse mixing objects of different engines. */
  readonly id: number;
  /** @internal What modules compiled with this engine are instrumented for (derived from `config`). */
  readonly instrumentation: InstrumentOptions;
  /** @internal The epoch counter (shared memory, so other threads can advance it). */
  readonly epoch: EpochCounter;

  constructor(config: EngineConfig = {}) {
    if (config === null || typeof config !== "object") {
      throw new TypeError(`new Engine(config): config must be an object, got ${config === null ? "null" : typeof config}`);
    }
    const maxTrapFrames = config.maxTrapFrames ?? 10_000;
    if (!Number.isInteger(maxTrapFrames) || maxTrapFrames < 0) {
      throw new RangeError(`EngineConfig.maxTrapFrames must be a non-negative integer, got ${String(config.maxTrapFrames)}`);
    }
    const fuelCosts = config.consumeFuel ? fuelCostTable(config.fuelCosts) : undefined;
    this.config = Object.freeze({ ...config, maxTrapFrames, ...(config.fuelCosts ? { fuelCosts: Object.freeze({ ...config.fuelCosts }) } : {}) });
    this.id = ++engineIds;
    const interrupt = config.epochInterruption === true || config.timeLimits === true;
    this.instrumentation = Object.freeze({
      ...(fuelCosts ? { fuelCosts, fuelBulkPerUnit: config.fuelBulkPerUnit !== false } : {}),
      interrupt,
      // A module rewritten anyway also gets its memories and tables from the store (limits at no
      // cost); otherwise that variant is compiled only for stores with size limits (Module.compiledFor).
      storeResources: fuelCosts !== undefined || interrupt,
    });
    this.epoch = new EpochCounter();
    // Backtraces come from the engine's stack capture, which stops at Error.stackTraceLimit.
    if (typeof Error.stackTraceLimit !== "number" || Error.stackTraceLimit < maxTrapFrames) {
      Error.stackTraceLimit = maxTrapFrames;
    }
  }

  /**
   * Advances the engine's epoch by one. Stores whose epoch deadline is reached interrupt their running
   * wasm at its next check (`"interrupt"` trap). To advance it from another thread, send
   * `engine.epochBuffer` to a Worker and call `incrementEpochIn(buffer)` there.
   */
  incrementEpoch(): void {
    this.epoch.increment();
  }

  /** The shared memory holding the epoch, for `incrementEpochIn` in a Worker. */
  get epochBuffer(): SharedArrayBuffer {
    return this.epoch.buffer;
  }
}
