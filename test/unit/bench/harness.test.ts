/**
 * The benchmark harness compares like with like: equal warm-up, alternating rounds, the best round of
 * each side; and it refuses verdicts that would mean nothing (a goal against a weak anchor or an
 * unlabelled fixed number).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compare, compareAsync, compareThroughput, formatRows, verdictProblem, type BenchRow } from "../../../bench/harness.js";

function recorder() {
  const calls: string[] = [];
  return { calls, ours: () => void calls.push("ours"), theirs: () => void calls.push("theirs") };
}

test("compare gives both sides the same warm-up and alternates which side goes first", () => {
  const r = recorder();
  compare("x", "y", r.ours, r.theirs, { warmup: 3, rounds: 4 });
  assert.deepEqual(r.calls.slice(0, 6), ["ours", "theirs", "ours", "theirs", "ours", "theirs"]);
  assert.deepEqual(r.calls.slice(6), ["ours", "theirs", "theirs", "ours", "ours", "theirs", "theirs", "ours"]);
});

test("compareAsync alternates too", async () => {
  const r = recorder();
  await compareAsync("x", "y", async () => r.ours(), async () => r.theirs(), { warmup: 1, rounds: 2 });
  assert.deepEqual(r.calls, ["ours", "theirs", "ours", "theirs", "theirs", "ours"]);
});

test("the reported time is each side's fastest round", () => {
  let n = 0;
  const slowFirst = () => {
    const until = performance.now() + (n++ === 2 ? 30 : 1); // round 0 (after 2 warm-ups) is slow
    while (performance.now() < until);
  };
  const row = compare("x", "y", slowFirst, () => {}, { warmup: 2, rounds: 3 });
  assert.ok(row.ours < 20e6, `best round ${row.ours} ns, not the slow one`);
});

test("throughput rows are MB/s with the ratio ours/anchor", () => {
  const row = compareThroughput("x", "y", 1048576, () => {}, () => {}, { rounds: 1, warmup: 0, goal: 1 });
  assert.equal(row.unit, "MB/s");
  assert.equal(row.goal, 1);
  assert.ok(Math.abs(row.ratio - row.ours / row.theirs) < 1e-9);
});

test("no verdict against a weak anchor or an unlabelled fixed number", () => {
  const row = (anchor: string, goal?: number): BenchRow => ({ name: "r", anchor, ours: 1, theirs: 2, ratio: 0.5, ...(goal !== undefined ? { goal } : {}) });
  assert.match(verdictProblem(row("wasm-metering (context)", 1)) ?? "", /context anchor/);
  assert.match(verdictProblem(row("browser_wasi_shim", 1)) ?? "", /context anchor/);
  assert.match(verdictProblem(row("goal 200 MB/s", 1)) ?? "", /absolute target/);
  assert.equal(verdictProblem(row("absolute target 50 MB/s (no anchor)", 1)), undefined);
  assert.equal(verdictProblem(row("node:wasi", 1)), undefined);
  assert.equal(verdictProblem(row("browser_wasi_shim (context)")), undefined);
  assert.throws(() => formatRows("t", [row("goal 200 MB/s", 1)]), /absolute target/);
  const table = formatRows("t", [row("browser_wasi_shim (context)"), row("node:wasi", 1)]);
  assert.match(table, /\| browser_wasi_shim \(context\) \| .* \| 0\.50x \|  \|/);
  assert.match(table, /\| node:wasi \| .* <= 1 ok \|/);
});
