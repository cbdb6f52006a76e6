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
/** Node's `process.hrtime` ([seconds, nanoseconds], the cheapest clock read there), else undefined. */
const hr = (globalThis as { process?: { hrtime?: () => [number, number] } }).process?.hrtime;

/** Realtime from the page/process origin, in ns (sub-millisecond where the host has it). */
function perfRealtimeNs(): bigint {
  const ms = originMs + perf.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

// With hrtime, realtime = monotonic + a fixed offset taken once: as whole seconds and ns (for BigInt
// results) and as the two u32 halves of the u64 (for the allocation-free path).
let offSec = 0;
let offNs = 0;
let offLo = 0;
let offHi = 0;
if (hr !== undefined) {
  const t = hr();
  const off = perfRealtimeNs() - (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]));
  offSec = Number(off / 1_000_000_000n);
  offNs = Number(off % 1_000_000_000n);
  if (offNs < 0) {
    offNs += 1e9;
    offSec -= 1;
  }
  const u = BigInt.asUintN(64, off);
  offLo = Number(u & 0xffffffffn);
  offHi = Number(u >> 32n);
}

/** Realtime in nanoseconds since the epoch (the same clock `writeHostTime` writes). */
export function realtimeNs(): bigint {
  if (hr === undefined) return perfRealtimeNs();
  const t = hr();
  return BigInt(t[0] + offSec) * 1_000_000_000n + BigInt(t[1] + offNs);
}

/** Monotonic nanoseconds (the same clock `writeHostTime` writes). */
export function monotonicNs(): bigint {
  if (hr === undefined) return BigInt(Math.round(perf.now() * 1e6));
  const t = hr();
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

/** Process CPU time in nanoseconds where the host reports it, else monotonic time. */
export function cpuTimeNs(): bigint {
  if (cpuUsage !== undefined) {
    const u = cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  }
  return monotonicNs();
}

/** Writes `sec * 1e9 + ns` as a little-endian u64, exactly (a double holds only 53 bits). */
function writeSecNs(view: DataView, addr: number, sec: number, ns: number): void {
  if (ns >= 1e9) {
    sec += 1;
    ns -= 1e9;
  }
  const secHi = Math.floor(sec / 65536);
  const a = secHi * 1e9; // < 2^53
  const b = (sec - secHi * 65536) * 1e9 + ns; // < 2^47
  const aHi = Math.floor(a / 65536);
  const c = (a - aHi * 65536) * 65536 + b;
  const cHi = Math.floor(c / 4294967296);
  view.setUint32(addr, c - cHi * 4294967296, true);
  view.setUint32(addr + 4, aHi + cHi, true);
}

/**
 * Writes the current time of a host clock as a little-endian u64 at `addr` without allocating a BigInt
 * (the hot path of `clock_gettime`). Returns false for an unknown clock id.
 */
export function writeHostTime(view: DataView, addr: number, id: number): boolean {
  if (id === 1 || id === 0) {
    if (hr !== undefined) {
      const t = hr();
      const sec = t[0];
      if (sec >= 9_000_000) {
        // Up more than 104 days: the ns count no longer fits a double exactly.
        if (id === 1) writeSecNs(view, addr, sec, t[1]);
        else writeSecNs(view, addr, sec + offSec, t[1] + offNs);
        return true;
      }
      const ns = sec * 1e9 + t[1]; // < 2^53
      let hi = Math.floor(ns / 4294967296);
      let lo = ns - hi * 4294967296;
      if (id === 0) {
        lo += offLo;
        hi += offHi;
        if (lo >= 4294967296) {
          lo -= 4294967296;
          hi += 1;
        }
        hi = hi >>> 0;
      }
      view.setUint32(addr, lo, true);
      view.setUint32(addr + 4, hi, true);
      return true;
    }
    if (id === 1) {
      const ns = Math.round(perf.now() * 1e6);
      const hi = Math.floor(ns / 4294967296);
      view.setUint32(addr, ns - hi * 4294967296, true);
      view.setUint32(addr + 4, hi, true);
      return true;
    }
    const ms = originMs + perf.now();
    const sec = Math.floor(ms / 1000);
    writeSecNs(view, addr, sec, Math.round((ms - sec * 1000) * 1e6));
    return true;
  }
  if (id === 2 || id === 3) {
    const us = cpuUsage !== undefined ? (() => { const u = cpuUsage(); return u.user + u.system; })() : perf.now() * 1000;
    const sec = Math.floor(us / 1e6);
    writeSecNs(view, addr, sec, Math.round((us - sec * 1e6) * 1000));
    return true;
  }
  return false;
}

/**
 * The host clocks' resolution in nanoseconds: 1 ns with Node's hrtime; 100 µs elsewhere, since
 * browsers coarsen `performance.now()` to that (less with cross-origin isolation); CPU clocks 1 µs.
 */
export function hostResolution(id: number): bigint {
  if (id === 2 || id === 3) return 1000n;
  return hr !== undefined ? 1n : 100_000n;
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
