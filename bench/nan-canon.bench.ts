/**
 * `nanCanonicalization` cost: float-heavy code run with the setting and plain, in the same process —
 * the matmul C kernel (test/fixtures/kernels, f64 multiply-add in its inner loop) and a WAT kernel of
 * f32/f64 arithmetic with sqrt, min and division. Fastest of 15 alternating rounds after warm-up (see
 * bench/instrument.bench.ts for why the minimum).
 */
import { readFileSync } from "node:fs";
import wabtInit from "wabt";
import { Engine, Linker, Module, Store } from "../src/index.js";
import type { BenchRow, BenchSuite } from "./harness.js";

const wabt = await wabtInit();
const floats = wabt.parseWat("floats.wat", `(module
  (func (export "run") (param $n i32) (result i32) (local $x f64) (local $y f32)
    (local.set $x (f64.const 1)) (local.set $y (f32.const 1))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 1.0000001)) (f64.sqrt (f64.convert_i32_u (local.get $n)))))
      (local.set $x (f64.min (f64.div (local.get $x) (f64.const 1.5)) (f64.const 1e300)))
      (local.set $y (f32.add (f32.mul (local.get $y) (f32.const 0.999)) (f32.demote_f64 (local.get $x))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (i32.trunc_sat_f64_s (f64.add (local.get $x) (f64.promote_f32 (local.get $y))))))`).toBinary({}).buffer;

function runner(engine: Engine, bytes: Uint8Array): (n: number) => number {
  const instance = new Linker(engine).instantiate(new Store(engine), new Module(engine, bytes));
  return instance.getTypedFunc("run", ["i32"], ["i32"]);
}

function compareMin(name: string, ours: () => unknown, theirs: () => unknown): BenchRow {
  for (let i = 0; i < 10; i++) {
    ours();
    theirs();
  }
  let a = Infinity;
  let b = Infinity;
  for (let i = 0; i < 15; i++) {
    const oursFirst = i % 2 === 0;
    for (const side of oursFirst ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      (side === 0 ? ours : theirs)();
      const t = performance.now() - t0;
      if (side === 0) a = Math.min(a, t);
      else b = Math.min(b, t);
    }
  }
  return { name, anchor: "same kernel, plain engine", ours: a * 1e6, theirs: b * 1e6, ratio: a / b, unit: "ns/run" };
}

const suite: BenchSuite = {
  title: "NaN canonicalization (EngineConfig.nanCanonicalization) / plain, same module, same run",
  run(): BenchRow[] {
    const plain = new Engine();
    const canon = new Engine({ nanCanonicalization: true });
    const matmul = new Uint8Array(readFileSync(new URL("../../test/fixtures/kernels/matmul.wasm", import.meta.url)));
    const rows: BenchRow[] = [];
    for (const [name, bytes, arg] of [["matmul(100)", matmul, 100], ["f32/f64 arithmetic loop(1e6)", floats, 1_000_000]] as const) {
      const a = runner(canon, bytes);
      const b = runner(plain, bytes);
      if (a(arg) !== b(arg)) throw new Error(`nanCanonicalization changed ${name}'s result`);
      rows.push(compareMin(`nanCanonicalization: ${name}`, () => a(arg), () => b(arg)));
    }
    return rows;
  },
};
export default suite;
