/**
 * Async host functions: a loop in wasm calling an import that resolves at once, awaited through
 * `callAsync` (JSPI where the engine has it, and the unwind/rewind rewrite), against the same loop
 * calling a synchronous import through a synchronous call. Reported per import call.
 *
 * Then a C kernel (test/fixtures/kernels/seeded.c: clang -O2, 256 xorshift words of work per import
 * call) with its one import made async, against the same kernel with the import sync: reported per
 * import call (per block of work). Then SQLite (test/fixtures/sqlite/sqlite-async.wasm: the SQLite
 * bench's driver with an SQL function `mix(x)` that calls the import host::mix once per row of a query,
 * deep in SQLite's interpreter) with that import async, against the same module with it sync. Last,
 * the code-size growth of the rewrite on the C fixtures (async-size.ts).
 */
import { readFileSync } from "node:fs";
import { Engine, Linker, Module, Store } from "../src/index.js";
import type { BenchRow, BenchSuite } from "./harness.js";
import { rewriteGrowthRows } from "./async-size.js";
import wabtInit from "wabt";

const wabt = await wabtInit();
const LOOP = wabt.parseWat("async.wat", `(module
  (import "host" "get" (func $get (param i32) (result i32)))
  (func (export "loop") (param $n i32) (result i32) (local $acc i32) (local $r i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $r (call $get (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (local.get $r)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc)))`).toBinary({}).buffer;

const CALLS = 20_000;

async function timeAsync(run: () => Promise<unknown>, rounds: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await run();
    best = Math.min(best, performance.now() - t);
  }
  return (best * 1e6) / CALLS;
}

function timeSync(run: () => unknown, rounds: number): number {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return (best * 1e6) / CALLS;
}

const suite: BenchSuite = {
  title: "Async host functions: an import resolving at once, awaited, vs a sync import (per import call)",
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const syncEngine = new Engine();
    const syncLinker = new Linker(syncEngine).defineFunc("host", "get", { params: ["i32"], results: ["i32"] }, (_c, x) => x);
    const syncLoop = syncLinker.instantiate(new Store(syncEngine), new Module(syncEngine, LOOP)).getTypedFunc("loop", ["i32"], ["i32"]);
    const mechanisms = typeof (WebAssembly as { Suspending?: unknown }).Suspending === "function" ? (["jspi", "rewrite"] as const) : (["rewrite"] as const);
    for (const mechanism of mechanisms) {
      const engine = new Engine({ asyncSupport: true, asyncMechanism: mechanism });
      const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => x);
      const loop = linker.instantiate(new Store(engine), new Module(engine, LOOP)).getTypedFuncAsync("loop", ["i32"], ["i32"]);
      await loop(100);
      syncLoop(100);
      let ours = Infinity;
      let theirs = Infinity;
      for (let r = 0; r < 5; r++) {
        ours = Math.min(ours, await timeAsync(() => loop(CALLS), 1));
        theirs = Math.min(theirs, timeSync(() => syncLoop(CALLS), 1));
      }
      rows.push({ name: `async import resolving at once (${mechanism})`, anchor: "sync import, sync call (ours)", ours, theirs, ratio: ours / theirs });
    }
    rows.push(...(await kernelRows(mechanisms)));
    rows.push(...(await sqliteRows(mechanisms)));
    rows.push(...rewriteGrowthRows());
    return rows;
  },
};

const KERNEL = readFileSync(new URL("../../test/fixtures/kernels/seeded.wasm", import.meta.url));
const BLOCKS = 2_000;
const seed = (x: number): number => Math.imul(x, 0x9e3779b1) >>> 0;

/** The C kernel with its import async (each mechanism) vs sync: per import call (256 words of work each). */
async function kernelRows(mechanisms: readonly ("jspi" | "rewrite")[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const syncEngine = new Engine();
  const plain = new Linker(syncEngine)
    .defineFunc("host", "seed", { params: ["i32"], results: ["i32"] }, (_c, x) => seed(x))
    .instantiate(new Store(syncEngine), new Module(syncEngine, KERNEL))
    .getTypedFunc("run", ["i32"], ["i32"]);
  const expected = plain(BLOCKS);
  for (const mechanism of mechanisms) {
    const engine = new Engine({ asyncSupport: true, asyncMechanism: mechanism });
    const run = new Linker(engine)
      .defineFuncAsync("host", "seed", { params: ["i32"], results: ["i32"] }, async (_c, x) => seed(x))
      .instantiate(new Store(engine), new Module(engine, KERNEL))
      .getTypedFuncAsync("run", ["i32"], ["i32"]);
    if ((await run(BLOCKS)) !== expected) throw new Error(`async.bench: the kernel with an async import (${mechanism}) computed another checksum`);
    let ours = Infinity;
    let theirs = Infinity;
    for (let r = 0; r < 7; r++) {
      // Alternate which side goes first.
      if (r % 2 === 0) {
        ours = Math.min(ours, await timeAsync(() => run(BLOCKS), 1));
        theirs = Math.min(theirs, timeSync(() => plain(BLOCKS), 1));
      } else {
        theirs = Math.min(theirs, timeSync(() => plain(BLOCKS), 1));
        ours = Math.min(ours, await timeAsync(() => run(BLOCKS), 1));
      }
    }
    const perBlock = CALLS / BLOCKS;
    rows.push({
      name: `C kernel (seeded.c), its import async (${mechanism}), per import call + 256 words`,
      anchor: "the same kernel, import sync (ours)",
      ours: ours * perBlock,
      theirs: theirs * perBlock,
      ratio: ours / theirs,
    });
  }
  return rows;
}

const SQLITE = readFileSync(new URL("../../test/fixtures/sqlite/sqlite-async.wasm", import.meta.url));
const SQLITE_ROWS = 2000;
const mix = (x: number): number => Math.imul(x ^ 0x5bd1e995, 0x27d4eb2d) >>> 8;

/** SQLite with its host function async (each mechanism) vs sync: one run of the driver. */
async function sqliteRows(mechanisms: readonly ("jspi" | "rewrite")[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const syncEngine = new Engine();
  let syncCalls = 0;
  const p0 = performance.now();
  const plainInstance = new Linker(syncEngine)
    .defineFunc("host", "mix", { params: ["i32"], results: ["i32"] }, (_c, x) => (syncCalls++, mix(x)))
    .instantiate(new Store(syncEngine), new Module(syncEngine, SQLITE));
  const plainPrepare = performance.now() - p0;
  plainInstance.getTypedFunc("_initialize", [], [])();
  const plain = plainInstance.getTypedFunc("run", ["i32"], ["i32"]);
  const expected = plain(SQLITE_ROWS);
  const callsPerRun = syncCalls;
  for (const mechanism of mechanisms) {
    const engine = new Engine({ asyncSupport: true, asyncMechanism: mechanism });
    const t0 = performance.now();
    const instance = new Linker(engine)
      .defineFuncAsync("host", "mix", { params: ["i32"], results: ["i32"] }, async (_c, x) => mix(x))
      .instantiate(new Store(engine), new Module(engine, SQLITE));
    const prepare = performance.now() - t0;
    await instance.getTypedFuncAsync("_initialize", [], [])();
    const run = instance.getTypedFuncAsync("run", ["i32"], ["i32"]);
    if ((await run(SQLITE_ROWS)) !== expected) throw new Error(`async.bench: SQLite with an async import (${mechanism}) computed another checksum`);
    // Warm-up: the engine tiers both modules up while they run.
    for (let w = 0; w < 3; w++) {
      await run(SQLITE_ROWS);
      plain(SQLITE_ROWS);
    }
    let ours = Infinity;
    let theirs = Infinity;
    for (let r = 0; r < 9; r++) {
      const a = async (): Promise<void> => {
        const t = performance.now();
        await run(SQLITE_ROWS);
        ours = Math.min(ours, performance.now() - t);
      };
      const b = (): void => {
        const t = performance.now();
        plain(SQLITE_ROWS);
        theirs = Math.min(theirs, performance.now() - t);
      };
      // Alternate which side goes first.
      if (r % 2 === 0) {
        await a();
        b();
      } else {
        b();
        await a();
      }
    }
    rows.push({
      name: `SQLite (${SQLITE_ROWS} rows), host function mix() async (${mechanism}): ${callsPerRun} import calls per run`,
      anchor: "the same SQLite, import sync (ours)",
      ours,
      theirs,
      ratio: ours / theirs,
      unit: "ms/run",
    });
    // Under JSPI the bytes are the plain module's, which the engine compiled already: no row.
    if (mechanism !== "rewrite") continue;
    rows.push({
      name: `SQLite: rewrite + compile + instantiate with mix() async (${mechanism}), once`,
      anchor: "the same, import sync (once)",
      ours: prepare,
      theirs: plainPrepare,
      ratio: prepare / plainPrepare,
      unit: "ms",
    });
  }
  return rows;
}

export default suite;
