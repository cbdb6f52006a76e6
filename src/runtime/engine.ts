/**
 * The Engine: settings shared by every module compiled with it, and the epoch counter.
 *
 * @module
 */
import type { Proposal } from "../binary/proposals.js";
import { EpochCounter } from "../instrument/host.js";
import { fuelCostTable, type FuelCosts, type InstrumentOptions } from "../instrument/index.js";
import { engineFeatures, PROPOSALS, type EngineFeatures } from "./features.js";
import { hostJspi, type AsyncMechanism } from "./async.js";

/**
 * Each WebAssembly proposal switched on or off, by the name of its repository in the WebAssembly
 * organisation (`"simd"`, `"multi-memory"`, `"gc"`, ...; see `Proposal`). Absent means on.
 */
export type WasmFeatures = { readonly [P in Proposal]?: boolean };

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
   * give it some with `store.setFuel(n)`. As in Wasmtime, fuel is checked at function entries and loop
   * headers (and before a bulk instruction's length is spent): running out there traps `"out_of_fuel"`
   * and leaves 0, while the straight-line code after the last check may run past zero (the call
   * completes, `getFuel` reads 0, and the next check traps). The default
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
  /**
   * Proposals to switch off (default: every proposal on): `{ simd: false, "multi-memory": false }`.
   * A module that uses a switched-off proposal fails to compile with a `CompileError` naming the
   * proposal and where the module uses it (`CompileError.proposal`). Switching a proposal on cannot
   * add it to a host engine that lacks it: see `Engine.hostFeatures()`.
   *
   * @throws TypeError from `new Engine` on an unknown proposal name or a value that is not a boolean.
   */
  readonly features?: WasmFeatures;
  /**
   * Make float results deterministic (default false): every float instruction that can produce a NaN
   * (arithmetic, `sqrt`, `min`/`max`, rounding, promote/demote, and their SIMD forms) yields the
   * canonical NaN instead of whatever bits the CPU makes, as Wasmtime's `cranelift_nan_canonicalization`.
   * Done by instrumentation; it costs a compare and a select after each such instruction.
   */
  readonly nanCanonicalization?: boolean;
  /**
   * Allow async host functions (`linker.defineFuncAsync`) and async calls (`func.callAsync`,
   * `instance.getTypedFuncAsync`, `linker.instantiateAsync`), as Wasmtime's `async_support` (default
   * false). Wasm waits for an async host function's Promise while the event loop runs.
   */
  readonly asyncSupport?: boolean;
  /**
   * How wasm waits for async host functions (default `"auto"`): `"jspi"` uses the engine's JavaScript
   * Promise Integration (`WebAssembly.Suspending`); `"rewrite"` rewrites each module that imports an
   * async host function so that it unwinds and rewinds its stack (only the functions that can reach
   * such an import are changed); `"auto"` picks JSPI where the host engine has it, else the rewrite.
   *
   * @throws Error from `new Engine` when `"jspi"` is asked for and the host engine lacks it.
   */
  readonly asyncMechanism?: "auto" | AsyncMechanism;
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
  /** @internal The epoch counter (moved to shared memory once `epochBuffer` is read). */
  readonly epoch: EpochCounter;
  /** @internal The proposals `config.features` switches off. */
  readonly disabledProposals: ReadonlySet<Proposal>;
  private effectiveFeatures: EngineFeatures | undefined;
  /** How wasm waits for async host functions; `undefined` without `asyncSupport`. */
  readonly asyncMechanism: AsyncMechanism | undefined;

  constructor(config: EngineConfig = {}) {
    if (config === null || typeof config !== "object") {
      throw new TypeError(`new Engine(config): config must be an object, got ${config === null ? "null" : typeof config}`);
    }
    const maxTrapFrames = config.maxTrapFrames ?? 10_000;
    if (!Number.isInteger(maxTrapFrames) || maxTrapFrames < 0) {
      throw new RangeError(`EngineConfig.maxTrapFrames must be a non-negative integer, got ${String(config.maxTrapFrames)}`);
    }
    const fuelCosts = config.consumeFuel ? fuelCostTable(config.fuelCosts) : undefined;
    this.disabledProposals = disabledProposals(config.features);
    this.config = Object.freeze({
      ...config,
      maxTrapFrames,
      ...(config.fuelCosts ? { fuelCosts: Object.freeze({ ...config.fuelCosts }) } : {}),
      ...(config.features ? { features: Object.freeze({ ...config.features }) } : {}),
    });
    this.id = ++engineIds;
    const interrupt = config.epochInterruption === true || config.timeLimits === true;
    this.instrumentation = Object.freeze({
      ...(fuelCosts ? { fuelCosts, fuelBulkPerUnit: config.fuelBulkPerUnit !== false } : {}),
      interrupt,
      ...(config.nanCanonicalization === true ? { nanCanonicalization: true } : {}),
      // A module rewritten anyway also gets its memories and tables from the store (limits at no
      // cost); otherwise that variant is compiled only for stores with size limits (Module.compiledFor).
      storeResources: fuelCosts !== undefined || interrupt,
    });
    this.asyncMechanism = asyncMechanismOf(config);
    this.epoch = new EpochCounter();
    // Backtraces come from the engine's stack capture, which stops at Error.stackTraceLimit (a V8
    // extension: other engines have no such limit, and setting it there does no harm).
    const errors = Error as ErrorConstructor & { stackTraceLimit?: number };
    if (typeof errors.stackTraceLimit !== "number" || errors.stackTraceLimit < maxTrapFrames) {
      errors.stackTraceLimit = maxTrapFrames;
    }
  }

  /**
   * Which proposals the host engine (V8 in Node.js, the browser's engine) compiles, found by asking it
   * to validate one tiny module per proposal on the first call (then cached for the process). A module
   * that needs a proposal the host lacks fails to compile with a `CompileError` naming the proposal
   * and the host.
   */
  static hostFeatures(): EngineFeatures {
    return engineFeatures();
  }

  /**
   * Which proposals modules compiled with this engine may use: those the host engine supports
   * (`Engine.hostFeatures()`) that `config.features` does not switch off. Probed on first access.
   */
  get features(): EngineFeatures {
    if (!this.effectiveFeatures) {
      const host = engineFeatures();
      const out = {} as { [P in Proposal]: boolean };
      for (const p of PROPOSALS) out[p] = host[p] && !this.disabledProposals.has(p);
      this.effectiveFeatures = Object.freeze(out);
    }
    return this.effectiveFeatures;
  }

  /**
   * Advances the engine's epoch by one. Stores whose epoch deadline is reached interrupt their running
   * wasm at its next check (`"interrupt"` trap). To advance it from another thread, send
   * `engine.epochBuffer` to a Worker and call `incrementEpochIn(buffer)` there.
   */
  incrementEpoch(): void {
    this.epoch.increment();
  }

  /**
   * The shared memory holding the epoch, for `incrementEpochIn` in a Worker. The engine keeps its epoch
   * in ordinary memory until this is first read, so engines work on pages without shared memory.
   *
   * @throws Error when `SharedArrayBuffer` is unavailable: browsers provide it only to cross-origin
   *   isolated pages (headers `Cross-Origin-Opener-Policy: same-origin` and
   *   `Cross-Origin-Embedder-Policy: require-corp`).
   */
  get epochBuffer(): SharedArrayBuffer {
    return this.epoch.shared();
  }
}

/** The async mechanism `config` asks for. @throws TypeError on a bad value; Error when JSPI is asked for and absent. */
function asyncMechanismOf(config: EngineConfig): AsyncMechanism | undefined {
  const m = config.asyncMechanism ?? "auto";
  if (m !== "auto" && m !== "jspi" && m !== "rewrite") {
    throw new TypeError(`EngineConfig.asyncMechanism must be "auto", "jspi" or "rewrite", got ${JSON.stringify(m)}`);
  }
  if (config.asyncSupport !== undefined && typeof config.asyncSupport !== "boolean") {
    throw new TypeError(`EngineConfig.asyncSupport must be a boolean, got ${typeof config.asyncSupport}`);
  }
  if (config.asyncSupport !== true) return undefined;
  if (m === "jspi" && !hostJspi()) {
    throw new Error(`EngineConfig.asyncMechanism "jspi": ${hostEngineName()} has no WebAssembly.Suspending (JSPI); use "auto" or "rewrite"`);
  }
  return m === "auto" ? (hostJspi() ? "jspi" : "rewrite") : m;
}

/** The proposals `features` switches off. @throws TypeError on an unknown name or a non-boolean value. */
function disabledProposals(features: WasmFeatures | undefined): ReadonlySet<Proposal> {
  const off = new Set<Proposal>();
  if (features === undefined) return off;
  if (features === null || typeof features !== "object") {
    throw new TypeError(`EngineConfig.features must be an object of proposal names to booleans, got ${features === null ? "null" : typeof features}`);
  }
  const known = new Set<string>(PROPOSALS);
  for (const [name, on] of Object.entries(features)) {
    if (!known.has(name)) throw new TypeError(`EngineConfig.features: unknown proposal "${name}" (known: ${PROPOSALS.join(", ")})`);
    if (typeof on !== "boolean") throw new TypeError(`EngineConfig.features["${name}"] must be a boolean, got ${typeof on}`);
    if (!on) off.add(name as Proposal);
  }
  return off;
}

/** The host engine's name and version, for messages: `Node.js 20.20.2 (V8 11.3.244.8)`, or the browser's user agent. */
export function hostEngineName(): string {
  const p = (globalThis as { process?: { versions?: { node?: string; v8?: string } } }).process;
  if (p?.versions?.node) return `Node.js ${p.versions.node} (V8 ${p.versions.v8 ?? "?"})`;
  const ua = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  return ua ? `the browser's engine (${ua})` : "the host engine";
}
