/**
 * Clocks for WASI: the default host clocks, the pluggable `WasiClock` interface, and `fixedClock` for
 * deterministic runs. Also `sleepNs`, which blocks the thread without spinning (Atomics.wait).
 *
 * @module
 */

/**
 * A source of time for `clock_time_get`, `clock_res_get`, `poll_oneoff` and file timestamps.
 *
 * `now(id)` returns nanoseconds for clock `id` (0 realtime since the Unix epoch, 1 monotonic, 2 process
 * CPU time, 3 thread CPU time). `sleep(ns)`, when given, replaces real sleeping in `poll_oneoff` (a
 * virtual clock advances itself there).
 */
export interface WasiClock {
  now(id: number): bigint;
  resolution?(id: number): bigint;
  sleep?(ns: bigint): void;
}

const perf = globalThis.performance;
const cpuUsage = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process?.cpuUsage;
const originMs = perf.timeOrigin;

/** Realtime in nanoseconds since the epoch, with sub-millisecond precision where the host has it. */
export function realtimeNs(): bigint {
  const ms = originMs + perf.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Monotonic nanoseconds since the page or process started (the same origin as `writeHostTime`). */
export function monotonicNs(): bigint {
  return BigInt(Math.round(perf.now() * 1e6));
}

/** Process CPU time in nanoseconds where the host reports it, else monotonic time. */
export function cpuTimeNs(): bigint {
  if (cpuUsage !== undefined) {
    const u = cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  }
  return monotonicNs();
}

/**
 * Writes the current time of a host clock as a little-endian u64 at `addr` without allocating a BigInt
 * (the hot path of `clock_gettime`). Returns false for an unknown clock id.
 */
export function writeHostTime(view: DataView, addr: number, id: number): boolean {
  let ms: number;
  if (id === 1) {
    // Monotonic: milliseconds since start, so ns stays below 2^53 for 104 days.
    const ns = Math.round(perf.now() * 1e6);
    const hi = Math.floor(ns / 4294967296);
    view.setUint32(addr, ns - hi * 4294967296, true);
    view.setUint32(addr + 4, hi, true);
    return true;
  }
  if (id === 0) ms = originMs + perf.now();
  else if (id === 2 || id === 3) {
    if (cpuUsage === undefined) ms = perf.now();
    else {
      const u = cpuUsage();
      ms = (u.user + u.system) / 1000;
    }
  } else return false;
  // ns = sec * 1e9 + rem, computed exactly in 32-bit halves (a double holds only 53 bits).
  const sec = Math.floor(ms / 1000);
  const rem = Math.round((ms - sec * 1000) * 1e6);
  const secHi = Math.floor(sec / 65536);
  const a = secHi * 1e9; // < 2^53
  const b = (sec - secHi * 65536) * 1e9 + rem; // < 2^47
  const aHi = Math.floor(a / 65536);
  const c = (a - aHi * 65536) * 65536 + b;
  const cHi = Math.floor(c / 4294967296);
  view.setUint32(addr, c - cHi * 4294967296, true);
  view.setUint32(addr + 4, aHi + cHi, true);
  return true;
}

/** The host clocks' resolution in nanoseconds. */
export function hostResolution(id: number): bigint {
  return id === 0 ? 1000n : 1000n;
}

/**
 * A deterministic clock: every clock reads `start` nanoseconds, plus `step` more after each reading,
 * and `poll_oneoff` sleeps advance it instead of waiting.
 *
 * @example
 * new Wasi({ clock: fixedClock(1_700_000_000_000_000_000n) })
 */
export function fixedClock(start: bigint = 0n, step: bigint = 0n): WasiClock {
  let t = start;
  return {
    now() {
      const v = t;
      t += step;
      return v;
    },
    resolution: () => 1n,
    sleep(ns) {
      t += ns;
    },
  };
}

let sleepCell: Int32Array | undefined;

/**
 * Blocks the thread for `ns` nanoseconds without burning a core: `Atomics.wait` on a private
 * SharedArrayBuffer (allowed on Node's main thread and in workers). Where blocking is forbidden (a
 * browser's main thread) it falls back to waiting on the clock, the only way to block there.
 */
export function sleepNs(ns: bigint): void {
  if (ns <= 0n) return;
  const ms = Number(ns) / 1e6;
  try {
    sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(sleepCell, 0, 0, ms);
    return;
  } catch {
    // Atomics.wait not allowed here.
  }
  const end = perf.now() + ms;
  while (perf.now() < end) {
    /* no other way to block on this thread */
  }
}
