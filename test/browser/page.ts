/**
 * The browser test page's script: bundled by `browser.test.ts` for the browser, loaded into a plain
 * page (not cross-origin isolated), it runs each check below and publishes the results as
 * `globalThis.wasmhostResults` (a promise of `PageResult[]`) for the test to read over the DevTools
 * protocol. Each check uses the public entries only, as a user's bundle would.
 *
 * It also offers `globalThis.wasmhostSpec(plan)`, which runs one spec suite (a `SuitePlan`: the same
 * runner and expected-failure list as the Node tests, each script fetched from the test's server under
 * `/wast/`) and resolves to its `PageSpecResult`.
 *
 * @module
 */
import { Engine, Linker, Module, Store, Trap, WatError } from "../../src/index.js";
import { watToBinary } from "../../src/text/index.js";
import { MemoryFs, Wasi } from "../../src/wasi/index.js";
import { Component, ComponentLinker } from "../../src/component/index.js";
import { describeMerges } from "../../src/cli/commands/wast-checks.js";
import { expectedFailures } from "../spec/expected-failures.js";
import { runSuitePlan, type SuitePlan } from "../spec/suite-plan.js";

/** One check's outcome. */
export interface PageResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function trapOf(f: () => unknown): Trap {
  try {
    f();
  } catch (e) {
    if (e instanceof Trap) return e;
    throw e;
  }
  throw new Error("expected a trap, the call returned");
}

const SPIN = '(module $spinner (func (export "spin") (loop $l (br $l))))';

const CHECKS: Record<string, () => void | Promise<void>> = {
  "the page is plain: not cross-origin isolated, no SharedArrayBuffer"() {
    check(globalThis.crossOriginIsolated === false, `crossOriginIsolated is ${String(globalThis.crossOriginIsolated)}`);
    check(typeof SharedArrayBuffer === "undefined", "SharedArrayBuffer is defined");
  },

  "core API: host functions with store data, typed calls, memory strings"() {
    const engine = new Engine();
    const store = new Store(engine, { data: { calls: 0 } });
    const linker = new Linker<{ calls: number }>(engine);
    linker.defineFunc("host", "twice", { params: ["i32"], results: ["i32"] }, (caller, n) => {
      caller.data.calls++;
      return (n as number) * 2;
    });
    const bytes = watToBinary(`(module
      (import "host" "twice" (func $twice (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "run") (param i32) (result i32) (i32.add (call $twice (local.get 0)) (i32.const 1))))`);
    const module = new Module(engine, bytes);
    const instance = linker.instantiate(store, module);
    const run = instance.getTypedFunc("run", ["i32"], ["i32"]);
    check(run(20) === 41, "run(20) should be 41");
    check(store.data.calls === 1, "the host function saw the store's data");
    const memory = instance.getMemory("memory")!;
    const n = memory.writeString(8, "héllo");
    check(memory.readString(8, n) === "héllo", "memory string round trip");
    check(new WebAssembly.Module(bytes) instanceof WebAssembly.Module, "watToBinary's bytes go to the raw API");
  },

  async "async compile and traps with readable frames"() {
    const engine = new Engine();
    const module = await Module.compile(engine, watToBinary('(module $m (func $boom (export "boom") unreachable))'));
    const instance = new Linker(engine).instantiate(new Store(engine), module);
    const trap = trapOf(() => instance.getFunc("boom")!.call());
    check(trap.code === "unreachable", `trap code ${trap.code}`);
    check(trap.frames[0]?.funcName === "boom" && trap.frames[0]?.module === "m", `frames ${JSON.stringify(trap.frames)}`);
  },

  "text format: Module.fromText, and WatError with line and column"() {
    const engine = new Engine();
    const module = Module.fromText(engine, '(module (func (export "f") (result i32) (i32.const 7)))');
    const f = new Linker(engine).instantiate(new Store(engine), module).getTypedFunc("f", [], ["i32"]);
    check(f() === 7, "f() should be 7");
    try {
      Module.fromText(engine, "(module\n  (func (i32.bogus)))");
      throw new Error("a bad text compiled");
    } catch (e) {
      check(e instanceof WatError && e.line === 2, `expected a WatError on line 2, got ${String(e)}`);
    }
  },

  "WASI on the in-memory filesystem: args, reading and writing files, stdout, exit code"() {
    const engine = new Engine();
    const store = new Store(engine);
    const fs = new MemoryFs({ "in.txt": "from the host" });
    const wasi = new Wasi({ args: ["prog"], stdout: "pipe", preopens: { "/data": { memory: fs } } });
    const linker = new Linker(engine);
    linker.defineWasi(wasi);
    // Copies /data/in.txt to stdout and to /data/out.txt, then exits with 7.
    const module = Module.fromText(engine, `(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "in.txt")
      (data (i32.const 32) "out.txt")
      (func (export "_start")
        (local $n i32)
        ;; fd 3 is the preopen /data; open in.txt read-only -> fd stored at 100
        (if (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 6) (i32.const 0)
                        (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 100))
          (then (call $exit (i32.const 1))))
        ;; iovec at 200: buffer 1024, length 256; bytes read at 104
        (i32.store (i32.const 200) (i32.const 1024))
        (i32.store (i32.const 204) (i32.const 256))
        (if (call $read (i32.load (i32.const 100)) (i32.const 200) (i32.const 1) (i32.const 104))
          (then (call $exit (i32.const 2))))
        (i32.store (i32.const 204) (i32.load (i32.const 104)))
        (drop (call $write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 108)))
        ;; create out.txt (O_CREAT = 1) -> fd at 112
        (if (call $open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 7) (i32.const 1)
                        (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 112))
          (then (call $exit (i32.const 3))))
        (drop (call $write (i32.load (i32.const 112)) (i32.const 200) (i32.const 1) (i32.const 108)))
        (call $exit (i32.const 7))))`);
    const code = wasi.start(linker.instantiate(store, module));
    check(code === 7, `exit code ${code}`);
    check(wasi.stdoutText() === "from the host", `stdout ${JSON.stringify(wasi.stdoutText())}`);
    const out = fs.readFile("out.txt");
    check(out !== undefined && new TextDecoder().decode(out) === "from the host", "out.txt was written");
  },

  "fuel: a loop runs out of fuel, and the fuel left is readable"() {
    const engine = new Engine({ consumeFuel: true });
    const store = new Store(engine);
    const instance = new Linker(engine).instantiate(store, Module.fromText(engine, SPIN));
    store.setFuel(10_000);
    const trap = trapOf(() => instance.getFunc("spin")!.call());
    check(trap.code === "out_of_fuel", `trap code ${trap.code}`);
    check(store.getFuel() < 10_000n, `fuel left ${store.getFuel()}`);
  },

  "time limits: an infinite loop is interrupted on the page's main thread"() {
    const engine = new Engine({ timeLimits: true });
    const store = new Store(engine);
    const spin = new Linker(engine).instantiate(store, Module.fromText(engine, SPIN)).getTypedFunc("spin", [], []);
    store.setTimeLimit(30);
    const t0 = performance.now();
    const trap = trapOf(() => spin());
    const elapsed = performance.now() - t0;
    check(trap.code === "interrupt", `trap code ${trap.code}`);
    check(elapsed >= 25 && elapsed < 3000, `stopped after ${elapsed.toFixed(1)} ms`);
  },

  "epochs: a deadline interrupts; sharing the epoch names COOP/COEP"() {
    const engine = new Engine({ epochInterruption: true });
    const store = new Store(engine);
    const spin = new Linker(engine).instantiate(store, Module.fromText(engine, SPIN)).getTypedFunc("spin", [], []);
    store.setEpochDeadline(1);
    engine.incrementEpoch();
    check(trapOf(() => spin()).code === "interrupt", "the epoch deadline interrupts");
    try {
      void engine.epochBuffer;
      throw new Error("epochBuffer returned without SharedArrayBuffer");
    } catch (e) {
      check(/Cross-Origin-Opener-Policy/.test(String(e)) && /Cross-Origin-Embedder-Policy/.test(String(e)), String(e));
    }
  },

  async "components: a component from the server, with host imports and string results"() {
    const response = await fetch("/fixtures/greeter.component.wasm");
    check(response.ok, `fetch: ${response.status}`);
    const engine = new Engine();
    const component = new Component(engine, new Uint8Array(await response.arrayBuffer()));
    const logged: string[] = [];
    let count = 0;
    const linker = new ComponentLinker(engine);
    linker.define("test:greeter/host@0.1.0", { log: (msg: string) => void logged.push(msg), counter: () => ++count });
    const exports = linker.instantiate(new Store(engine), component).exports as {
      greet(name: string): string;
      add(a: number, b: number): number;
    };
    const greeting = exports.greet("web");
    check(greeting === "Hello, web", `greet: ${JSON.stringify(greeting)}`);
    check(exports.add(2, 3) === 5, "add(2, 3)");
    check(logged.includes("web"), `logged ${JSON.stringify(logged)}`);
  },
};

async function runAll(): Promise<PageResult[]> {
  const results: PageResult[] = [];
  for (const [name, run] of Object.entries(CHECKS)) {
    try {
      await run();
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e) });
    }
  }
  return results;
}

/** One spec suite's outcome in the page (plain data, for the DevTools protocol). */
export interface PageSpecResult {
  readonly passed: number;
  readonly failed: number;
  readonly unsupported: number;
  readonly expectedFailures: number;
  /** The first 100 failures (`file:line: what`); `failed` counts them all. */
  readonly failures: readonly string[];
  /** `assert_malformed` commands rejected with other words than the spec's (informational). */
  readonly messageMismatches: number;
  /** The engine trap merges the runner accepted, one line each with its count and reason. */
  readonly merges: readonly string[];
  /** The proposals this engine lacks (`Engine.hostFeatures()`). */
  readonly lacking: readonly string[];
}

async function runSpec(plan: SuitePlan): Promise<PageSpecResult> {
  const read = async (label: string) => {
    const response = await fetch(`/wast/${label}`);
    if (!response.ok) throw new Error(`fetch /wast/${label}: ${response.status}`);
    return response.text();
  };
  const total = await runSuitePlan(plan, read, expectedFailures());
  const features = Engine.hostFeatures();
  return {
    passed: total.passed, failed: total.failed, unsupported: total.unsupported, expectedFailures: total.expectedFailures,
    failures: total.failures.slice(0, 100), messageMismatches: total.messageMismatches.length,
    merges: describeMerges(total.trapMerges),
    lacking: Object.keys(features).filter((p) => !features[p as keyof typeof features]),
  };
}

const page = globalThis as { wasmhostResults?: Promise<PageResult[]>; wasmhostSpec?: (plan: SuitePlan) => Promise<PageSpecResult> };
page.wasmhostSpec = runSpec;
page.wasmhostResults = runAll();
