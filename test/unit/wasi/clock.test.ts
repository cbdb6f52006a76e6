/**
 * The host clocks of clock_time_get: nanosecond units on the same clock as `process.hrtime`, realtime as
 * monotonic plus an offset that follows the wall clock, the same values through the aligned fast path and the unaligned
 * general path, bounds at the end of memory, and memory growth (detached and shared buffers).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ERRNO, Wasi, fixedClock } from "../../../src/wasi/index.js";
import { bare } from "./harness.js";

const hb = process.hrtime.bigint;

/** Reads clock `id` at `ptr` through the import object, between two hrtime readings. */
function sample(b: ReturnType<typeof bare>, id: number, ptr: number): { before: bigint; t: bigint; after: bigint } {
  const before = hb();
  assert.equal(b.call("clock_time_get", id, 1n, ptr), 0);
  const after = hb();
  return { before, t: b.dv().getBigUint64(ptr, true), after };
}

test("the monotonic clock is hrtime in nanoseconds and never goes back, aligned or not", () => {
  const b = bare();
  let last = 0n;
  for (let i = 0; i < 2000; i++) {
    const ptr = i % 3 === 0 ? 8 : i % 3 === 1 ? 21 : 64; // aligned, unaligned, aligned
    const { before, t, after } = sample(b, 1, ptr);
    assert.ok(before <= t && t <= after, `${t} within [${before}, ${after}] at ${ptr}`);
    assert.ok(t >= last, `monotonic: ${t} after ${last}`);
    last = t;
  }
});

test("realtime is monotonic plus one offset between wall-clock checks, near Date.now(), aligned or not", () => {
  const b = bare();
  // Each reading bounds the offset to [t - after, t - before]; a fixed offset lies in every bound.
  let lo = -(1n << 80n);
  let hi = 1n << 80n;
  for (let i = 0; i < 500; i++) {
    const { before, t, after } = sample(b, 0, i % 2 === 0 ? 16 : 3);
    if (t - after > lo) lo = t - after;
    if (t - before < hi) hi = t - before;
  }
  assert.ok(lo <= hi, `one offset fits every reading: [${lo}, ${hi}]`);
  const wall = BigInt(Date.now()) * 1_000_000n;
  const { t } = sample(b, 0, 24);
  assert.ok(t > wall - 50_000_000n && t < wall + 50_000_000n, `${t} near ${wall}`);
});

test("realtime follows the wall clock when it steps or drifts away from the monotonic clock, within 100 ms", () => {
  const b = bare();
  const realNow = Date.now;
  const within = (t: bigint, shift: number, what: string): void => {
    const wall = BigInt(realNow() + shift) * 1_000_000n;
    // 20 ms: the machine's own wall clock may step by a few milliseconds between two checks.
    assert.ok(t >= wall - 20_000_000n && t <= wall + 20_000_000n, `${what}: ${t} near ${wall}`);
  };
  const aCheck = (): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
  try {
    within(sample(b, 0, 8).t, 0, "before");
    Date.now = () => realNow() + 60_000; // the system clock set a minute ahead (or a monotonic clock that lagged)
    aCheck();
    within(sample(b, 0, 8).t, 60_000, "a minute ahead");
    within(sample(b, 0, 13).t, 60_000, "unaligned");
  } finally {
    Date.now = realNow;
  }
  aCheck();
  within(sample(b, 0, 8).t, 0, "set back");
});

test("the last aligned slot of memory is written; past it, or unaligned across the end, is EFAULT", () => {
  const b = bare();
  const end = 65536;
  b.u8().fill(0xaa, end - 16);
  assert.equal(b.call("clock_time_get", 1, 0n, end - 8), 0);
  assert.notEqual(b.dv().getBigUint64(end - 8, true), 0xaaaaaaaaaaaaaaaan);
  assert.equal(b.call("clock_time_get", 1, 0n, end), ERRNO.FAULT);
  assert.equal(b.call("clock_time_get", 0, 0n, end - 7), ERRNO.FAULT);
  assert.equal(b.call("clock_time_get", 1, 0n, -8), ERRNO.FAULT);
  assert.equal(b.u8()[end - 9], 0xaa, "nothing written before the slot");
});

test("other clock ids at an aligned address take the general path", () => {
  const b = bare();
  assert.equal(b.call("clock_time_get", 2, 0n, 32), 0);
  assert.ok(b.dv().getBigUint64(32, true) > 0n, "process CPU time is positive");
  b.dv().setBigUint64(40, 7n, true);
  assert.equal(b.call("clock_time_get", 9, 0n, 40), ERRNO.INVAL);
  assert.equal(b.call("clock_time_get", -1, 0n, 40), ERRNO.INVAL);
  assert.equal(b.dv().getBigUint64(40, true), 7n, "an invalid id writes nothing");
});

test("after memory.grow the clock writes into the new buffer, including the new pages", () => {
  const b = bare();
  assert.equal(b.call("clock_time_get", 1, 0n, 0), 0); // caches the one-page views
  b.memory.grow(1); // detaches them
  const { before, t, after } = sample(b, 1, 65536 + 8);
  assert.ok(before <= t && t <= after, `${t} within [${before}, ${after}]`);
  assert.equal(sample(b, 1, 0).t > 0n, true);
});

test("a shared memory that grows: old pages through the old view, new pages after a refresh", () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  const wasi = new Wasi({});
  wasi.setMemory(memory);
  const fn = wasi.getImports().wasi_snapshot_preview1!.clock_time_get!.fn;
  assert.equal(fn(1, 0n, 8), 0);
  memory.grow(1);
  const before = hb();
  assert.equal(fn(1, 0n, 65536 + 16), 0);
  assert.equal(fn(1, 0n, 8), 0);
  const after = hb();
  const dv = new DataView(memory.buffer);
  for (const ptr of [8, 65536 + 16]) {
    const t = dv.getBigUint64(ptr, true);
    assert.ok(before <= t && t <= after, `${t} at ${ptr} within [${before}, ${after}]`);
  }
});

test("a pluggable clock is used at aligned addresses too", () => {
  const b = bare({ clock: fixedClock(5n, 1n) });
  assert.equal(b.call("clock_time_get", 1, 0n, 8), 0);
  assert.equal(b.call("clock_time_get", 0, 0n, 16), 0);
  assert.equal(b.dv().getBigUint64(8, true), 5n);
  assert.equal(b.dv().getBigUint64(16, true), 6n);
  assert.equal(b.call("clock_res_get", 1, 24), 0);
  assert.equal(b.dv().getBigUint64(24, true), 1n);
});
