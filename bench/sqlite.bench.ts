/**
 * SQLite under fuel, time limits and epochs (issue 9): the real amalgamation with our driver
 * (test/fixtures/sqlite, built by scripts/build-sqlite.sh), through the public API.
 *
 * - Warm rows: one process, each mode's instance run in alternating rounds after a warm-up; fastest
 *   round of each (ratio to the plain run).
 * - Cold rows: what `wasmhost run` pays, a fresh process per measurement: compile, instantiate and the
 *   first run, timed inside the child; fastest of 5 processes per mode, alternating modes. These rows
 *   are the noisiest: on 2026-12-03 a row's ratio moved by up to 1.1 between whole runs of the suite.
 * - Cold from an artifact: the same, loading the module saved by `module.serialize()` with
 *   `Module.deserialize` (what `wasmhost run --cache` does from the second run on).
 * - `wasmhost run` end to end: the CLI as a user runs it (`--invoke run`, with `--fuel` / `--timeout`,
 *   with and without a primed `--cache`), wall time of the whole process, against the plain CLI run.
 *   That run's ~0.8 s is mostly fixed costs shared by every mode: starting Node, loading the CLI's
 *   modules (126-139 ms) and, at exit, V8 finishing the background optimization of SQLite's hot
 *   functions (~250 ms: a bare `new WebAssembly.Module` + run of the same file exits after 0.45 s, or
 *   0.20 s with `--liftoff-only`).
 *
 * Goals: fuel <= 1.30x, time limit and epochs <= 1.15x, cold and warm.
 *
 * Where the cold time goes (measured 2026-12-02 and -03 on the 2-core machine, Node 20). Creating the
 * plain module takes 16-28 ms and its first run 88-161 ms (8 processes, median ~115 ms). Most of the
 * difference is in creating the module: 156-268 ms with the rewrite, 36-51 ms from an artifact (the
 * first run itself: below). The artifact rows read 0.99-1.13 in the first run of the day and 1.20-1.45
 * in later ones. A fresh process pays 3-4 ms for every megabyte it touches for the first time here
 * (page faults: filling a new 3 MB array took 10-11 ms, filling it again 0.1 ms), so the artifact path
 * copies as little as it can (the CLI's cache hands its buffer over instead of a copy).
 *
 * What is left once the rewrite is skipped (2026-12-03, 12-20 fresh processes per mode, alternating):
 * the time-limit module's first run costs 1.04-1.09x the plain one (10th percentile to median; 1.05-1.06
 * with `--liftoff-only`), fuel's 1.14x at the 10th percentile. (An earlier count over 8 processes read
 * 1.1-1.2x from medians of 128 and 115 ms; the plain first run varies 88-161 ms, so more processes and
 * percentiles were needed.) Loading the artifact costs 32-36 ms against
 * 17-19 ms for the plain `new Module` (which copies its 1.16 MB since the caller may reuse its buffer):
 * ~7 ms of it is copying the 2.9 MB artifact for the same reason, ~4 ms its checksum. Without those two
 * the time-limit artifact row read 1.06-1.08 (a scratch build, not kept). The CLI rows carry V8's
 * optimizing tier as well: the process waits at exit for the background compiles of the hot functions,
 * ~200 ms after the plain run and ~300 ms after an instrumented one (bigger functions). With
 * `--liftoff-only` a primed `wasmhost run --timeout --cache` took 379-389 ms against 332-335 ms plain
 * (1.15x); with the default tiers 692-700 against 526-562.
 *
 * The rewrite of 1.16 MB runs before V8 has optimized the rewriter. The same rewrite, timed
 * pass after pass in one fresh process, takes 183, 110-136, then 47-52 ms; with optimization off
 * (`--no-opt`) it takes 275-298 ms every time. `--trace-opt` shows TurboFan taking 30-40 ms in the
 * background for each hot function (writeCode, scan, threadCalls, the fuel pass's visit and build),
 * ~250 ms together on the one spare core, so the first pass runs mostly in baseline code. Making the
 * compile synchronous (`--no-concurrent-recompilation`) makes the first pass 335 ms; Maglev (Node 22-26)
 * gives 224-234 ms. The cold rows therefore measure the JIT's warm-up of our JavaScript, not the
 * instrumented code. What would remove it is a rewriter that needs no warm-up (its scanning and copying
 * core in WebAssembly, which V8's baseline compiler runs at full speed from the first byte); short of that,
 * `wasmhost run --cache` and `Module.serialize` skip the rewrite from the second run on.
 *
 * How far such a core would go (2026-12-03): a throwaway scanner in WebAssembly (instruction boundaries
 * only, what `BodyScan` finds first) went through SQLite's 447,421 instructions in 6.2-6.5 ms on its first
 * pass, against 26-39 ms for `BodyScan`'s first pass and 4.7 ms once optimized; putting the module in
 * its memory took 6-7 ms more. The goals leave the rewrite about 15 ms (time limit, epochs: 1.15 x
 * ~112 ms, of which ~90 ms are the first run and ~20 ms the plain compile) and about 30 ms (fuel). A
 * core in WebAssembly could meet the fuel goal; the 1.15x ones only if it rewrote 1.16 MB in little more
 * than the time this scan takes.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, Linker, Module, Store, type EngineConfig } from "../src/index.js";
import type { BenchRow, BenchSuite } from "./harness.js";

const wasmUrl = new URL("../../test/fixtures/sqlite/sqlite-bench.wasm", import.meta.url);
const indexUrl = new URL("../src/index.js", import.meta.url).href;
const cliPath = fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const ROWS = 4000;

/** Each mode: engine settings and how a store is set up for it. */
const MODES: readonly [name: string, config: EngineConfig, setup: string, goal?: number][] = [
  ["plain", {}, ""],
  ["fuel", { consumeFuel: true }, "store.setFuel(Number.MAX_SAFE_INTEGER);", 1.3],
  ["time limit", { timeLimits: true }, "store.setTimeLimit(1e9);", 1.15],
  ["epochs", { epochInterruption: true }, "store.setEpochDeadline(1e9);", 1.15],
];

function runner(bytes: Uint8Array, config: EngineConfig, setup: string): () => number {
  const engine = new Engine(config);
  const store = new Store(engine);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function("store", setup)(store);
  const instance = new Linker(engine).instantiate(store, new Module(engine, bytes));
  instance.getTypedFunc("_initialize", [], [])();
  const run = instance.getTypedFunc("run", ["i32"], ["i32"]);
  return () => run(ROWS);
}

/**
 * Compile (or load `artifact`) + instantiate + one run in a fresh process; the child's own timing, in ms.
 */
function coldRun(config: EngineConfig, setup: string, artifact?: string): number {
  const file = artifact ?? fileURLToPath(wasmUrl);
  const script = `
    const { Engine, Linker, Module, Store } = await import(${JSON.stringify(indexUrl)});
    const bytes = new Uint8Array((await import("node:fs")).readFileSync(${JSON.stringify(file)}));
    const t0 = performance.now();
    const engine = new Engine(${JSON.stringify(config)});
    const store = new Store(engine);
    ${setup}
    const module = ${artifact ? "Module.deserialize(engine, bytes)" : "new Module(engine, bytes)"};
    const instance = new Linker(engine).instantiate(store, module);
    instance.getTypedFunc("_initialize", [], [])();
    const sum = instance.getTypedFunc("run", ["i32"], ["i32"])(${ROWS});
    console.log(JSON.stringify({ ms: performance.now() - t0, sum }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return (JSON.parse(out) as { ms: number }).ms;
}

/** CLI variants: the flags after `wasmhost run FILE --invoke run ROWS`, and the goal of their ratio. */
const CLI: readonly [name: string, flags: string[], goal?: number][] = [
  ["plain", []],
  ["--fuel", ["--fuel", "1000000000000"], 1.3],
  ["--timeout", ["--timeout", "1000000"], 1.15],
  ["--fuel --cache (primed)", ["--fuel", "1000000000000", "--cache=CACHE"], 1.3],
  ["--timeout --cache (primed)", ["--timeout", "1000000", "--cache=CACHE"], 1.15],
];

/** One `wasmhost run` of the SQLite driver in a fresh process; wall time in ms. */
function cliRun(flags: readonly string[], cacheDir: string): number {
  const args = [cliPath, "run", fileURLToPath(wasmUrl), "--invoke", "run", String(ROWS), ...flags.map((f) => f.replace("CACHE", cacheDir))];
  const t0 = performance.now();
  execFileSync(process.execPath, args, { encoding: "utf8" });
  return performance.now() - t0;
}

/** Fastest of `rounds` alternating rounds of each of `count` measurements. */
function alternating(count: number, rounds: number, measure: (k: number) => number): number[] {
  const best = new Array<number>(count).fill(Infinity);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < count; i++) {
      const k = (i + round) % count;
      best[k] = Math.min(best[k]!, measure(k));
    }
  }
  return best;
}

const suite: BenchSuite = {
  title: `SQLite (${ROWS} rows: insert, index, aggregate, join, LIKE, sort, update, delete), instrumented / plain`,
  run(): BenchRow[] {
    const bytes = new Uint8Array(readFileSync(wasmUrl));
    const runs = MODES.map(([, config, setup]) => runner(bytes, config, setup));
    const sums = runs.map((r) => r());
    for (const s of sums) if (s !== sums[0]) throw new Error(`SQLite checksums differ between modes: ${sums.join(", ")}`);
    // Enough rounds for the engine's optimizing tier to have replaced the baseline code of every mode.
    const warm = alternating(runs.length, 15, (m) => {
      const t0 = performance.now();
      runs[m]!();
      return performance.now() - t0;
    });
    const cold = alternating(MODES.length, 5, (m) => coldRun(MODES[m]![1], MODES[m]![2]));
    const dir = mkdtempSync(join(tmpdir(), "wasmhost-sqlite-bench-"));
    let fromArtifact: number[];
    let cli: number[];
    try {
      // The instrumented modes' artifacts (index m - 1 for mode m; the plain anchor is the fresh compile).
      const artifacts = MODES.slice(1).map(([, config], k) => {
        const path = join(dir, `${k}.artifact`);
        writeFileSync(path, new Module(new Engine(config), bytes).serialize());
        return path;
      });
      fromArtifact = alternating(artifacts.length, 5, (k) => coldRun(MODES[k + 1]![1], MODES[k + 1]![2], artifacts[k]));
      const cacheDir = join(dir, "cache");
      for (const [, flags] of CLI) cliRun(flags, cacheDir); // primes the cache (and the file system)
      cli = alternating(CLI.length, 4, (k) => cliRun(CLI[k]![1], cacheDir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const rows: BenchRow[] = [];
    for (let m = 1; m < MODES.length; m++) {
      const [name, , , goal] = MODES[m]!;
      const g = goal ? { goal } : {};
      rows.push({ name: `${name}, warm`, anchor: "plain, warm", ours: warm[m]! * 1e6, theirs: warm[0]! * 1e6, ratio: warm[m]! / warm[0]!, ...g, unit: "ns/run" });
      rows.push({ name: `${name}, cold (fresh process: compile, instantiate, first run)`, anchor: "plain, cold", ours: cold[m]! * 1e6, theirs: cold[0]! * 1e6, ratio: cold[m]! / cold[0]!, ...g, unit: "ns/run" });
      rows.push({ name: `${name}, cold from an artifact (Module.deserialize)`, anchor: "plain, cold", ours: fromArtifact[m - 1]! * 1e6, theirs: cold[0]! * 1e6, ratio: fromArtifact[m - 1]! / cold[0]!, ...g, unit: "ns/run" });
    }
    for (let k = 1; k < CLI.length; k++) {
      const [name, , goal] = CLI[k]!;
      rows.push({ name: `wasmhost run ${name}, end to end`, anchor: "wasmhost run (plain)", ours: cli[k]! * 1e6, theirs: cli[0]! * 1e6, ratio: cli[k]! / cli[0]!, ...(goal ? { goal } : {}), unit: "ns/run" });
    }
    return rows;
  },
};

export default suite;
