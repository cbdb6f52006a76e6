/**
 * The Engine: settings shared by every module compiled with it, and the epoch counter.
 *
 * @module
 */

/** Settings of an `Engine`. Every field is optional; the engine freezes a copy. */
export interface EngineConfig {
  /**
   * How many stack frames a trap's backtrace may hold (default 10,000). wasmhost raises the host's
   * `Error.stackTraceLimit` to at least this number when the first engine is created, because the
   * engine records frames only up to that limit; a lower global limit would cut backtraces short.
   */
  readonly maxTrapFrames?: number;
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

  constructor(config: EngineConfig = {}) {
    if (config === null || typeof config !== "object") {
      throw new TypeError(`new Engine(config): config must be an object, got ${config === null ? "null" : typeof config}`);
    }
    const maxTrapFrames = config.maxTrapFrames ?? 10_000;
    if (!Number.isInteger(maxTrapFrames) || maxTrapFrames < 0) {
      throw new RangeError(`EngineConfig.maxTrapFrames must be a non-negative integer, got ${String(config.maxTrapFrames)}`);
    }
    this.config = Object.freeze({ ...config, maxTrapFrames });
    this.id = ++engineIds;
    // Backtraces come from the engine's stack capture, which stops at Error.stackTraceLimit.
    if (typeof Error.stackTraceLimit !== "number" || Error.stackTraceLimit < maxTrapFrames) {
      Error.stackTraceLimit = maxTrapFrames;
    }
  }
}
