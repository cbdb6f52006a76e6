/**
 * Core embedding API against the bare `WebAssembly` API doing the same work, in the same run:
 * host->wasm calls (typed and dynamic), wasm->host calls (i32 and i64 arguments), compile+instantiate
 * of a large module, and decoder throughput against the engine validating the same bytes.
 */
import wabtInit from "wabt";
import { decodeModule } from "../src/binary/decoder.js";
import { Engine, Linker, Module, Store } from "../src/index.js";
import { compare, compareThroughput, type BenchRow, type BenchSuite } from "./harness.js";
import { largeModule } from "./large-module.js";

const wabt = await wabtInit();
function wat(text: string): Uint8Array {
  const m = wabt.parseWat("bench.wat", text, { multi_value: true });
  return m.toBinary({}).buffer;
}

const CALLS = 1_000_000;

const callee = wat(`(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`);
const caller = wat(`(module
  (import "host" "i32" (func $h32 (param i32 i32) (result i32)))
  (import "host" "i64" (func $h64 (param i64 i64) (result i64)))
  (func (export "loop32") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $h32 (local.get $acc) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc))
  (func (export "loop64") (param $n i32) (result i64) (local $acc i64)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $h64 (local.get $acc) (i64.extend_i32_u (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc)))`);

const suite: BenchSuite = {
  title: "Core API vs the bare WebAssembly API (same work, same run)",
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const engine = new Engine();
    const store = new Store(engine);
    const linker = new Linker(engine);

    // host -> wasm
    const inst = linker.instantiate(store, new Module(engine, callee));
    const typed = inst.getTypedFunc("add", ["i32", "i32"], ["i32"]);
    const func = inst.getFunc("add")!;
    const bare = new WebAssembly.Instance(new WebAssembly.Module(callee as Uint8Array<ArrayBuffer>)).exports.add as (a: number, b: number) => number;
    let sink = 0;
    rows.push(compare("host->wasm typed call (i32,i32)->i32", "bare exports.add", () => {
      for (let i = 0; i < CALLS; i++) sink = typed(i, sink);
    }, () => {
      for (let i = 0; i < CALLS; i++) sink = bare(i, sink);
    }, { opsPerRound: CALLS, goal: 1.1 }));
    rows.push(compare("host->wasm dynamic func.call(...)", "bare exports.add", () => {
      for (let i = 0; i < CALLS; i++) sink = func.call(i, sink) as number;
    }, () => {
      for (let i = 0; i < CALLS; i++) sink = bare(i, sink);
    }, { opsPerRound: CALLS, goal: 2 }));

    // wasm -> host
    linker.defineFunc("host", "i32", { params: ["i32", "i32"], results: ["i32"] }, (_c, a, b) => (a + b) | 0);
    linker.defineFunc("host", "i64", { params: ["i64", "i64"], results: ["i64"] }, (_c, a, b) => a + b);
    const ours = linker.instantiate(store, new Module(engine, caller));
    const loop32 = ours.getTypedFunc("loop32", ["i32"], ["i32"]);
    const loop64 = ours.getTypedFunc("loop64", ["i32"], ["i64"]);
    const bareCaller = new WebAssembly.Instance(new WebAssembly.Module(caller as Uint8Array<ArrayBuffer>), {
      host: { i32: (a: number, b: number) => (a + b) | 0, i64: (a: bigint, b: bigint) => a + b },
    }).exports as { loop32: (n: number) => number; loop64: (n: number) => bigint };
    rows.push(compare("wasm->host call (i32,i32)->i32", "bare import", () => loop32(CALLS), () => bareCaller.loop32(CALLS), { opsPerRound: CALLS, goal: 1.1 }));
    const N64 = CALLS / 4;
    rows.push(compare("wasm->host call (i64,i64)->i64", "bare import", () => loop64(N64), () => bareCaller.loop64(N64), { opsPerRound: N64, goal: 1.1 }));

    // compile + instantiate a large module. The engine keeps a cache of compiled modules keyed by their
    // bytes: compiling bytes identical to a module still alive costs only a hash and a lookup. A user
    // compiles a program once, so the row with the goal gives each round bytes of its own (the module
    // with a one-byte custom section appended, the round's number); the same side never sees the same
    // bytes twice. The second row is the cache hit, as context: both sides compile the same bytes again.
    const big = largeModule(1.5 * 1024 * 1024);
    const ROUNDS = 25;
    const WARMUP = 3;
    const variants = Array.from({ length: ROUNDS + WARMUP }, (_, i) => withRoundSection(big, i));
    let nextOurs = 0;
    let nextBare = 0;
    const mb = (big.length / 1048576).toFixed(1);
    rows.push(compare(`compile+instantiate ${mb} MB module`, "bare Module+Instance", () => {
      linker.instantiate(new Store(engine), new Module(engine, variants[nextOurs++]!));
    }, () => {
      new WebAssembly.Instance(new WebAssembly.Module(variants[nextBare++]! as Uint8Array<ArrayBuffer>), {});
    }, { rounds: ROUNDS, warmup: WARMUP, goal: 1.2 }));
    variants.length = 0;
    rows.push(compare(`compile+instantiate ${mb} MB module, same bytes again`, "bare, the engine's compiled-module cache hit (context)", () => {
      linker.instantiate(new Store(engine), new Module(engine, big));
    }, () => {
      new WebAssembly.Instance(new WebAssembly.Module(big as Uint8Array<ArrayBuffer>), {});
    }, { rounds: ROUNDS }));

    // Decoder throughput (the metadata of a multi-MB module) against the engine's own validation of the
    // same bytes: decoding does less (no type checking) and must not cost more than the engine's check.
    const huge = largeModule(8 * 1024 * 1024);
    rows.push(compareThroughput(`decoder on ${(huge.length / 1048576).toFixed(1)} MB`, "WebAssembly.validate, same bytes", huge.length,
      () => decodeModule(huge), () => WebAssembly.validate(huge as Uint8Array<ArrayBuffer>), { rounds: 9, warmup: 2, goal: 1 }));
    if (sink === 0.5) console.log(sink);
    return rows;
  },
};
export default suite;

/** `bytes` with a custom section "round" appended whose one byte of content is `round` (mod 256). */
function withRoundSection(bytes: Uint8Array, round: number): Uint8Array {
  const tail = [0, 7, 5, ...Array.from("round", (c) => c.charCodeAt(0)), round & 0xff];
  const out = new Uint8Array(bytes.length + tail.length);
  out.set(bytes);
  out.set(tail, bytes.length);
  return out;
}
