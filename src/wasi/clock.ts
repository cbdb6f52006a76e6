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
/**
 * Node's `process.hrtime.bigint` (monotonic nanoseconds), else undefined. It is the cheapest clock read
 * there: stored straight into a BigUint64Array, V8 keeps the value as a raw 64-bit integer and allocates
 * no BigInt (measured in a wasm loop on Node 20: ~34 ns per call against ~47 ns for `process.hrtime()`
 * plus double arithmetic and a DataView; `performance.now()` is slower still on Node 20).
 */
const hrBig = (globalThis as { process?: { hrtime?: { bigint?: () => bigint } } }).process?.hrtime?.bigint;
/** Whether a BigUint64Array stores little-endian, as WASI requires (every host V8 runs on today). */
const LITTLE_ENDIAN = new Uint8Array(new BigUint64Array([1n]).buffer)[0] === 1;

/**
 * Realtime = a monotonic clock + an offset: nanoseconds between reads, never a step for rounding.
 * The monotonic clock and the system's wall clock drift apart, though (NTP slews the wall clock by
 * up to 500 ppm, a suspended machine stops the monotonic clock, a virtual machine's wall clock is
 * stepped by milliseconds now and then, a process's time origin can be milliseconds off from the
 * start), so the offset is checked against `Date.now()` every `REALTIME_CHECK_NS` of monotonic
 * time, at the first reading after it, and moved only when they disagree by more than
 * `Date.now()`'s own millisecond: realtime follows the system clock as the host's other programs see
 * it. The check is a comparison with the monotonic reading realtime takes anyway, because `Date.now()`
 * on each reading would cost more than the reading (measured on Node 20: ~45 ns against ~30 ns).
 * With hrtime the offset is `realtimeOffset` (ns), checked when hrtime reaches `realtimeCheckNs`;
 * without it, realtime is `timeOrigin + performance.now() + perfSkewMs`, checked at `perfCheckMs`.
 */
let realtimeOffset = 0n;
/** How often the realtime offset is checked: 100 ms of monotonic time. */
const REALTIME_CHECK_NS = 100_000_000n;
/** The hrtime at which `realtimeOffset` is checked next; 0, so that the first reading checks. */
let realtimeCheckNs = 0n;
/** The realtime correction of `performance.now()`-based hosts, in ms. */
let perfSkewMs = 0;
/** The `performance.now()` at which `perfSkewMs` is checked next. */
let perfCheckMs = 0;

/** Moves `realtimeOffset` so that `mono + realtimeOffset` lies within `Date.now()`'s millisecond, if it is further off. */
function resyncRealtime(mono: bigint): void {
  realtimeCheckNs = mono + REALTIME_CHECK_NS;
  const wall = BigInt(Date.now()) * 1_000_000n;
  const t = mono + realtimeOffset;
  if (t < wall - 1_000_000n || t > wall + 2_000_000n) realtimeOffset = wall + 500_000n - mono;
}

/** Realtime at monotonic reading `mono` (checking the offset first when it is due). Small, to be inlined. */
function realtimeAt(mono: bigint): bigint {
  if (mono >= realtimeCheckNs) resyncRealtime(mono);
  return mono + realtimeOffset;
}

/** Realtime in ms on hosts without hrtime (sub-millisecond where the host has it). */
function perfRealtimeMs(): number {
  const now = perf.now();
  if (now >= perfCheckMs) {
    perfCheckMs = now + Number(REALTIME_CHECK_NS) / 1e6;
    const wall = Date.now();
    const t = originMs + now + perfSkewMs;
    if (t < wall - 1 || t > wall + 2) perfSkewMs = wall + 0.5 - (originMs + now);
  }
  return originMs + now + perfSkewMs;
}

/** Realtime in nanoseconds since the epoch (the same clock `writeHostTime` writes). */
export function realtimeNs(): bigint {
  if (hrBig !== undefined) return realtimeAt(hrBig());
  const ms = perfRealtimeMs();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Monotonic nanoseconds (the same clock `writeHostTime` writes). */
export function monotonicNs(): bigint {
  return hrBig !== undefined ? hrBig() : BigInt(Math.round(perf.now() * 1e6));
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

/** hrtime where a BigUint64Array is little-endian: the one check of the hot path. */
const alignedNow = LITTLE_ENDIAN ? hrBig : undefined;

/**
 * The hot path of `clock_gettime`: writes monotonic (id 1) or realtime (id 0) nanoseconds into
 * `u64[index]` and returns true; returns false, writing nothing, for other clocks, on hosts without
 * `process.hrtime.bigint` and on big-endian hosts (use `writeHostTime` then). Small so that V8 inlines
 * it: the BigInt from hrtime then goes straight into the array, never allocated.
 */
export function writeHostTimeAligned(u64: BigUint64Array, index: number, id: number): boolean {
  if (alignedNow === undefined) return false;
  if (id === 1) u64[index] = alignedNow();
  else if (id === 0) u64[index] = realtimeAt(alignedNow());
  else return false;
  return true;
}

/**
 * Writes the current time of a host clock as a little-endian u64 at `addr`, at any alignment.
 * `u64` and `view` must cover the same memory; an 8-aligned `addr` is written through `u64`, which
 * allocates nothing. Returns false for an unknown clock id.
 */
export function writeHostTime(u64: BigUint64Array, view: DataView, addr: number, id: number): boolean {
  if (id === 1 || id === 0) {
    if (hrBig !== undefined) {
      const t = id === 1 ? hrBig() : realtimeAt(hrBig());
      if ((addr & 7) === 0 && LITTLE_ENDIAN) u64[addr >>> 3] = t;
      else view.setBigUint64(addr, t, true);
      return true;
    }
    if (id === 1) {
      const ns = Math.round(perf.now() * 1e6);
      const hi = Math.floor(ns / 4294967296);
      view.setUint32(addr, ns - hi * 4294967296, true);
      view.setUint32(addr + 4, hi, true);
      return true;
    }
    const ms = perfRealtimeMs();
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
  return hrBig !== undefined ? 1n : 100_000n;
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

/** The cell `sleepNs` waits on; `null` once waiting turned out to be forbidden or unavailable here. */
let sleepCell: Int32Array | null | undefined;

/**
 * Blocks the thread for `ns` nanoseconds without burning a core: `Atomics.wait` on a private
 * SharedArrayBuffer (allowed on Node's main thread and in workers). Where blocking is forbidden (a
 * browser's main thread) or shared memory is missing (a page that is not cross-origin isolated), it
 * waits on the clock instead, the only way to block there; the first attempt decides, once.
 */
export function sleepNs(ns: bigint): void {
  if (ns <= 0n) return;
  const ms = Number(ns) / 1e6;
  if (sleepCell === undefined) sleepCell = waitCell();
  if (sleepCell !== null) {
    Atomics.wait(sleepCell, 0, 0, ms);
    return;
  }
  const end = perf.now() + ms;
  while (perf.now() < end) {
    /* no other way to block on this thread */
  }
}

/** A cell `Atomics.wait` works on in this thread, or `null` where it cannot (checked with a 0 ms wait). */
function waitCell(): Int32Array | null {
  if (typeof SharedArrayBuffer === "undefined") return null;
  try {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(cell, 0, 0, 0);
    return cell;
  } catch {
    return null; // Atomics.wait is not allowed on this thread
  }
}
