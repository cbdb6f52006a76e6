/**
 * The host half of instrumentation: what a store hands to the hidden imports of instrumented modules
 * (`HOST_MODULE`), and the engine's epoch counter.
 *
 * - **Fuel**: one mutable i64 `WebAssembly.Global` per store holds the fuel left; every instance of the
 *   store imports the same global, so fuel is shared, and the host reads and sets it directly (host
 *   functions run for free: nothing charges while they run).
 * - **Interruption**: one check function per store, called by instrumented code every `period`
 *   countdown steps (see `epoch.ts`). It returns the next period, chosen so that it runs about every
 *   `CHECK_INTERVAL_MS` of wasm execution: it measures the time since the previous check and doubles
 *   the period, or shrinks it in proportion when the check came late.
 *   It interrupts when the clock passes the time limit of the current call from the host, or when the
 *   engine's epoch reaches the store's deadline.
 * - **Epochs** live in a BigInt64 cell. It starts in a plain `ArrayBuffer`, so an engine works on any
 *   page; the first request for `engine.epochBuffer` moves it into a `SharedArrayBuffer`, so that another
 *   thread — a Worker that was sent the buffer — can advance it with `incrementEpochIn` while wasm runs
 *   here. Where shared memory is unavailable (a page that is not cross-origin isolated), that request
 *   throws an error naming the headers that enable it.
 *
 * Nothing here imports the runtime: the store calls in.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import { HostImport, type Instrumented } from "./index.js";
import { checkCounts, countDefined, createMemory, createTable, tableMaximum, type ResourceLimits } from "./limits.js";
import { tableMaxName } from "./plan.js";
import { MAX_TABLE_SIZE } from "../binary/limits.js";

/** How often (in milliseconds of running wasm) the interruption check aims to run. */
export const CHECK_INTERVAL_MS = 0.1;
const MAX_PERIOD = 1 << 30;

/** Advances the epoch held in `buffer` (an engine's `epochBuffer`) by `delta`; works in any thread. */
export function incrementEpochIn(buffer: SharedArrayBuffer, delta = 1): void {
  Atomics.add(new BigInt64Array(buffer, 0, 1), 0, BigInt(delta));
}

/** An engine's epoch: a 64-bit counter, in shared memory once another thread needs to see it. */
export class EpochCounter {
  /** @internal The cell holding the counter (its buffer changes once, when it is first shared). */
  cell: BigInt64Array<ArrayBuffer | SharedArrayBuffer> = new BigInt64Array(1);

  /**
   * The shared memory holding the counter, for `incrementEpochIn` in a Worker. The first call moves the
   * counter into a new `SharedArrayBuffer` (keeping its value); later calls return that buffer.
   *
   * @throws Error when `SharedArrayBuffer` is unavailable: browsers provide it only to cross-origin
   *   isolated pages (served with `Cross-Origin-Opener-Policy: same-origin` and
   *   `Cross-Origin-Embedder-Policy: require-corp`).
   */
  shared(): SharedArrayBuffer {
    const current = this.cell.buffer;
    if (typeof SharedArrayBuffer !== "undefined" && current instanceof SharedArrayBuffer) return current;
    if (typeof SharedArrayBuffer === "undefined") {
      throw new Error(
        "Engine.epochBuffer: sharing the epoch with another thread needs SharedArrayBuffer, which this " +
          "environment does not provide; browsers provide it only to cross-origin isolated pages (serve " +
          "the page with the headers Cross-Origin-Opener-Policy: same-origin and " +
          "Cross-Origin-Embedder-Policy: require-corp), or advance the epoch on this thread with " +
          "engine.incrementEpoch()",
      );
    }
    const cell = new BigInt64Array(new SharedArrayBuffer(8), 0, 1);
    cell[0] = this.cell[0]!;
    this.cell = cell;
    return cell.buffer as SharedArrayBuffer;
  }

  /** Advances the epoch by one. */
  increment(): void {
    Atomics.add(this.cell, 0, 1n);
  }

  /** The current epoch. */
  get value(): bigint {
    return Atomics.load(this.cell, 0);
  }
}

/** What the store's instrumentation supports (from the engine's configuration). */
export interface HostFeatures {
  readonly fuel: boolean;
  readonly interrupt: boolean;
}

/**
 * What the engine is taken to spend per element of a table's new storage when it reallocates it, in
 * ms: 128 ns, above the 80-100 ns measured on Node 20 (growing a table 4,096 elements at a time, the
 * grows that reallocate to 0.5, 1 and 2 million elements took 27-52, 82-99 and 159-213 ms, the copy
 * and the garbage collection it brings). A grow whose reallocation would end past the time limit is
 * interrupted before it starts.
 */
const REALLOC_MS_PER_ELEMENT = 128e-6;

/**
 * A store's instrumentation state. Created by every store; the fuel and interruption parts exist only
 * when the engine instruments for them.
 */
export class StoreInstrumentation {
  /** The fuel left (a mutable i64 global), when the engine consumes fuel. */
  readonly fuel: WebAssembly.Global | undefined;
  /** The host function the interruption checks call (returns the next period, or -1 to interrupt). */
  readonly check: (() => number) | undefined;
  /**
   * The check a `table.grow` makes before the engine reallocates a table's storage for `capacity`
   * elements (src/instrument/bulk.ts): `check`, and -1 as well when the time limit would pass during
   * the reallocation (`REALLOC_MS_PER_ELEMENT` per element of the new storage).
   */
  readonly checkGrow: ((capacity: number) => number) | undefined;
  private readonly epoch: EpochCounter;
  private readonly limits: ResourceLimits;
  private period = 1024;
  private lastCheck = 0;
  /** The time limit of each call from the host, in ms (Infinity: none). */
  private timeLimit = Infinity;
  /** When the current call from the host must end (performance.now() time). */
  private deadline = Infinity;
  /** The epoch at which wasm is interrupted (-1n: no deadline). */
  private epochDeadline = -1n;
  /** Time left before the deadline when the running call began to await (see `pause`). */
  private pausedLeft = Infinity;

  constructor(features: HostFeatures, epoch: EpochCounter, limits: ResourceLimits) {
    this.epoch = epoch;
    this.limits = limits;
    this.fuel = features.fuel ? new WebAssembly.Global({ value: "i64", mutable: true }, 0n) : undefined;
    if (features.interrupt) {
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const self = this;
      // A named function expression: trap handling recognizes this frame (a stack overflow can hit it).
      this.check = function wasmhostInterruptCheck(this: void): number {
        return self.runCheck();
      };
      // The same name: trap handling recognizes the frame of either check.
      this.checkGrow = function wasmhostInterruptCheck(this: void, capacity: number): number {
        const next = self.runCheck();
        if (next >= 0 && performance.now() + (capacity >>> 0) * REALLOC_MS_PER_ELEMENT > self.deadline) return -1;
        return next;
      };
    } else {
      this.check = undefined;
      this.checkGrow = undefined;
    }
  }

  /** True when the engine checks for interruption. */
  get interruptible(): boolean {
    return this.check !== undefined;
  }

  private runCheck(): number {
    const now = performance.now();
    const dt = now - this.lastCheck;
    this.lastCheck = now;
    let period = this.period;
    if (dt < CHECK_INTERVAL_MS / 2) {
      // Grows by doubling only: a period must prove itself short before the next one is longer.
      if (period < MAX_PERIOD) period *= 2;
    } else if (dt > CHECK_INTERVAL_MS * 2) {
      // Slow steps: shrink at once in proportion, not by halves (a period calibrated on a tight loop
      // and then spent on slow steps would otherwise take many long periods to come down).
      period = Math.max(1, Math.floor((period * CHECK_INTERVAL_MS) / dt));
    }
    this.period = period;
    if (now >= this.deadline) return -1;
    if (this.epochDeadline >= 0n && Atomics.load(this.epoch.cell, 0) >= this.epochDeadline) return -1;
    return period;
  }

  /**
   * @internal Milliseconds left before running wasm must stop (for blocking host calls such as WASI's
   * `poll_oneoff`): 0 once the time limit or the epoch deadline is reached, `Infinity` without either.
   */
  remainingMs(): number {
    if (this.check === undefined) return Infinity;
    if (this.epochDeadline >= 0n && Atomics.load(this.epoch.cell, 0) >= this.epochDeadline) return 0;
    const left = this.deadline - performance.now();
    return left > 0 ? left : 0;
  }

  /** @internal Whether an epoch deadline is set (another thread may reach it at any moment). */
  epochWatched(): boolean {
    return this.check !== undefined && this.epochDeadline >= 0n;
  }

  /** Called when a call from the host into wasm starts (not for nested calls). */
  enter(): void {
    if (this.check === undefined) return;
    const now = performance.now();
    this.lastCheck = now;
    this.deadline = now + this.timeLimit;
  }

  /**
   * Called when the running call from the host awaits a host Promise (async calls): the time until
   * `resume` does not count against the time limit.
   */
  pause(): void {
    this.pausedLeft = this.deadline - performance.now();
  }

  /** Called when an awaiting call runs wasm again: its time limit continues where `pause` left it. */
  resume(): void {
    const now = performance.now();
    this.lastCheck = now;
    this.deadline = now + this.pausedLeft;
  }

  /** The fuel left. */
  getFuel(): number {
    const v = this.fuel!.value as bigint;
    return v <= 0n ? 0 : Number(v);
  }

  /** Sets the fuel left. @throws RangeError unless `fuel` is a non-negative integer (number or bigint). */
  setFuel(fuel: number | bigint): void {
    let v: bigint;
    if (typeof fuel === "bigint") v = fuel;
    else if (typeof fuel === "number" && Number.isInteger(fuel)) v = BigInt(fuel);
    else if (fuel === Infinity) v = 0x7fffffffffffffffn;
    else throw new RangeError(`setFuel: expected a non-negative integer, got ${String(fuel)}`);
    if (v < 0n) throw new RangeError(`setFuel: expected a non-negative integer, got ${String(fuel)}`);
    this.fuel!.value = v > 0x7fffffffffffffffn ? 0x7fffffffffffffffn : v;
  }

  /** Interrupts wasm once the engine's epoch has advanced `ticks` past the current one. */
  setEpochDeadline(ticks: number | bigint): void {
    const t = typeof ticks === "bigint" ? ticks : Number.isInteger(ticks) && ticks >= 0 ? BigInt(ticks) : -1n;
    if (t < 0n) throw new RangeError(`setEpochDeadline: expected a non-negative integer, got ${String(ticks)}`);
    this.epochDeadline = this.epoch.value + t;
  }

  /** Limits each call from the host into wasm to `ms` milliseconds (`Infinity` or `undefined`: no limit). */
  setTimeLimit(ms: number | undefined): void {
    const limit = ms ?? Infinity;
    if (typeof limit !== "number" || !(limit >= 0)) throw new RangeError(`setTimeLimit: expected a non-negative number of milliseconds, got ${String(ms)}`);
    this.timeLimit = limit;
    // Applies to calls already running, too (a host function may set it).
    this.deadline = performance.now() + limit;
  }

  /**
   * The hidden imports for an instance of instrumented module `m` (original metadata `info`), after
   * checking the store's count limits against the instances that exist (listed by `existing`, called only when a count is limited).
   *
   * @throws RangeError when a limit would be exceeded.
   */
  importsFor(info: ModuleInfo, m: Instrumented | undefined, existing: () => Iterable<ModuleInfo>): Record<string, unknown> | undefined {
    const limits = this.limits;
    if (limits.instances !== undefined || limits.memories !== undefined || limits.tables !== undefined) {
      checkCounts(info, limits, countDefined(existing()));
    }
    if (m === undefined) return undefined;
    const ns: Record<string, unknown> = Object.create(null);
    if (m.fuel) ns[HostImport.fuel] = this.fuel;
    if (m.interrupt) {
      ns[HostImport.check] = this.check;
      ns[HostImport.checkGrow] = this.checkGrow;
    }
    for (const mem of m.memories) ns[mem.name] = createMemory(mem, limits);
    for (const t of m.tables) {
      const max = tableMaximum(t, limits);
      ns[t.name] = createTable(t, max);
      // What interruption checks split long table.grows by (epoch.ts): the engine's own limit caps it.
      if (m.interrupt) ns[tableMaxName(t.name)] = new WebAssembly.Global({ value: "i32" }, Math.min(max ?? MAX_TABLE_SIZE, MAX_TABLE_SIZE));
    }
    return ns;
  }
}
