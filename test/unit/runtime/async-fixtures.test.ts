/**
 * The unwind/rewind rewrite on real C programs (test/fixtures/wasi, clang -O2 and wasi-libc): with
 * `fd_write` made async, and with every WASI import made async (each awaits a timer, then does what the
 * sync import does), each program prints what it prints with synchronous imports. The rewrite saves only
 * the locals live across a call that may suspend (src/instrument/asyncify-live.ts): a local it wrongly
 * left unsaved would change what the programs compute.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { Engine, Linker, Module, Store } from "../../../src/index.js";
import { MemoryFs, Wasi, fixedClock, seededRandom, type WasiOptions } from "../../../src/wasi/index.js";

const dir = new URL("../../../../test/fixtures/wasi/", import.meta.url);
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly error: string | undefined;
}

/** Runs fixture `name` with the imports `pick` accepts made async (none: the sync run). */
async function run(name: string, options: () => WasiOptions, pick?: (name: string) => boolean): Promise<Outcome & { awaited: number }> {
  const engine = new Engine(pick ? { asyncSupport: true, asyncMechanism: "rewrite" } : {});
  const wasi = new Wasi({ stdout: "pipe", stderr: "pipe", clock: fixedClock(1_000_000_000n, 1000n), random: seededRandom(7), ...options() });
  const linker = new Linker(engine).defineWasi(wasi);
  let awaited = 0;
  if (pick) {
    linker.allowShadowing = true;
    for (const [imp, { type, fn }] of Object.entries(wasi.getImports().wasi_snapshot_preview1!)) {
      if (!pick(imp)) continue;
      linker.defineFuncAsync("wasi_snapshot_preview1", imp, type, async (_c, ...args: unknown[]) => {
        awaited++;
        await tick();
        return fn(...args);
      });
    }
  }
  const instance = linker.instantiate(new Store(engine), new Module(engine, readFileSync(new URL(`${name}.wasm`, dir))));
  // The functions of getImports() reach the memory through the Wasi, not a Caller.
  if (pick) wasi.setMemory(instance.getMemory("memory")!);
  let error: string | undefined;
  try {
    if (pick) await instance.getFunc("_start")!.callAsync();
    else instance.getFunc("_start")!.call();
  } catch (e) {
    error = (e as Error).message; // proc_exit ends a program with an exception
  }
  return { stdout: wasi.stdoutText(), stderr: wasi.stderrText(), error, awaited };
}

const PROGRAMS: readonly [name: string, options: () => WasiOptions, everyImport: boolean][] = [
  ["args_env", () => ({ args: ["args_env", "a", "bc"], env: { K: "V", LONGER_NAME: "x=y" } }), true],
  ["stdio", () => ({ stdin: "hello, wasi\nsecond line\n" }), true],
  ["exit_code", () => ({ args: ["exit_code", "7"] }), true],
  ["clocks", () => ({}), true],
  ["escape", () => ({ args: ["escape"], preopens: { "/sandbox": { fs: new MemoryFs({ "f.txt": "data", sub: { "g.txt": "g" } }) }, "/ro": { fs: new MemoryFs({ "r.txt": "r" }), readOnly: true } } }), true],
  // Every import async is refused in these (a loop with results around a call that may suspend).
  ["files", () => ({ args: ["files", "/sandbox"], preopens: { "/sandbox": { fs: new MemoryFs({}) } } }), false],
];

for (const [name, options, everyImport] of PROGRAMS) {
  test(`rewrite: ${name}.c with its WASI imports async (fd_write${everyImport ? "; every import" : ""}) runs as with sync imports`, async () => {
    const expected = await run(name, options);
    assert.ok(expected.stdout.length > 0, "the program printed something to compare");
    const picks: [string, (n: string) => boolean][] = [["fd_write", (n) => n === "fd_write"]];
    if (everyImport) picks.push(["every import", () => true]);
    for (const [label, pick] of picks) {
      const got = await run(name, options, pick);
      assert.ok(got.awaited > 0, `${label}: an import was awaited`);
      assert.deepEqual({ stdout: got.stdout, stderr: got.stderr, error: got.error }, { stdout: expected.stdout, stderr: expected.stderr, error: expected.error }, label);
    }
  });
}
