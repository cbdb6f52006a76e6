/**
 * Functions that are only called directly carry fuel and the interruption count as extra parameters and
 * results (see src/instrument/rewrite.ts): their behaviour, fuel counts and interruption must be those
 * of the plain module.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store, Trap } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const SHAPES = `(module
  (func $multi (param $x i32) (result i32 i64)
    (if (i32.eq (local.get $x) (i32.const 3)) (then (return (i32.const 10) (i64.const 20))))
    (block $b (result i32 i64)
      (i32.const 1) (i64.const 2)
      (br_table $b 1 $b (local.get $x)))   ;; label 1 is the function's own
    (i64.const 5)
    (i64.add))
  (func $early (param $x i32) (result i32)
    (i32.const 7)
    (br_if 0 (i32.gt_s (local.get $x) (i32.const 5)))
    (drop)
    (local.get $x))
  (func $sum (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
      (else (i32.add (local.get $n) (call $sum (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "multi") (param i32) (result i32 i64) (call $multi (local.get 0)))
  (func (export "early") (param i32) (result i32) (call $early (local.get 0)))
  (func (export "sum") (param i32) (result i32) (call $sum (local.get 0))))`;

test("threaded functions with several results, early returns and branches to their own label behave as plain", () => {
  const plainEngine = new Engine();
  const plain = new Linker(plainEngine).instantiate(new Store(plainEngine), new Module(plainEngine, wat(SHAPES)));
  const fuelLeft: number[] = [];
  for (const config of [{ consumeFuel: true }, { epochInterruption: true }, { consumeFuel: true, timeLimits: true }]) {
    const engine = new Engine(config);
    const store = new Store(engine);
    if (config.consumeFuel) store.setFuel(1_000_000);
    const inst = new Linker(engine).instantiate(store, new Module(engine, wat(SHAPES)));
    for (const name of ["multi", "early", "sum"]) {
      for (const arg of [0, 1, 2, 3, 6, 50]) {
        assert.deepEqual(inst.getFunc(name)!.call(arg), plain.getFunc(name)!.call(arg), `${name}(${arg}) with ${JSON.stringify(config)}`);
      }
    }
    if (config.consumeFuel) fuelLeft.push(store.getFuel());
  }
  assert.equal(fuelLeft[0], fuelLeft[1], "the same fuel is used with or without interruption checks");
});

test("fuel counts through threaded functions are exact, and a host function called from one reads them exactly", () => {
  const engine = new Engine({ consumeFuel: true });
  const linker = new Linker(engine);
  const seen: number[] = [];
  linker.defineFunc("host", "peek", { params: [], results: [] }, (caller) => {
    seen.push(caller.getFuel());
  });
  const store = new Store(engine);
  store.setFuel(1000);
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "peek" (func $peek))
    (func $inner (param i32) (result i32)
      (call $peek)                                   ;; entry, call: 2 (seen: 1000 - 3 - 2)
      (i32.add (local.get 0) (i32.const 1)))         ;; 3
    (func (export "f") (result i32)
      (call $inner (i32.const 5))))`)));              // entry, i32.const, call: 3
  assert.equal(inst.getTypedFunc("f", [], ["i32"])(), 6);
  assert.deepEqual(seen, [995]);
  assert.equal(store.getFuel(), 1000 - 3 - 2 - 3);
});

test("running out of fuel inside a threaded function leaves 0", () => {
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module $t
    (func $deep (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
        (else (call $deep (i32.sub (local.get $n) (i32.const 1))))))
    (func (export "run") (param i32) (result i32) (call $deep (local.get 0))))`)));
  // run: entry, local.get, call = 3; each $deep level that recurses: entry, local.get, i32.eqz, if (4)
  // + local.get, i32.const, i32.sub, call (4) = 8.
  store.setFuel(3 + 8 * 3 + 2);
  try {
    inst.getFunc("run")!.call(10);
    assert.fail("expected a trap");
  } catch (e) {
    assert.ok(e instanceof Trap);
    assert.equal(e.code, "out_of_fuel");
    assert.equal(e.frames[0]!.funcName, "deep");
    assert.equal(e.frames.length, 5, "four levels of $deep under run");
  }
  assert.equal(store.getFuel(), 0, "the fourth level's first block (4) did not fit into the 2 left: running out leaves 0, as in Wasmtime");
});

test("a recursion without loops through threaded functions is stopped by a time limit", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (func $fib (param $n i32) (result i32)
      (if (result i32) (i32.lt_s (local.get $n) (i32.const 2)) (then (local.get $n))
        (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
    (func (export "fib") (param i32) (result i32) (call $fib (local.get 0))))`)));
  const fib = inst.getTypedFunc("fib", ["i32"], ["i32"]);
  assert.equal(fib(20), 6765);
  store.setTimeLimit(30);
  const t0 = performance.now();
  assert.throws(() => fib(60), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  assert.ok(performance.now() - t0 < 3000);
});

test("modules with tail calls keep their tail calls (the rewrite falls back to globals)", () => {
  const text = `(module
    (func $loop (param $n i32) (param $acc i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (local.get $acc))
        (else (return_call $loop (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (i32.const 2))))))
    (func (export "run") (param i32) (result i32) (call $loop (local.get 0) (i32.const 0))))`;
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  const store = new Store(engine);
  store.setFuel(Number.MAX_SAFE_INTEGER);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(text)));
  assert.equal(inst.getTypedFunc("run", ["i32"], ["i32"])(1_000_000), 2_000_000, "a million tail calls do not overflow the stack");
});

test("an infinite loop whose only check is in the threaded function it calls is still interrupted", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (func $id (param i32) (result i32) (local.get 0))
    (func (export "spin") (local $x i32)
      (loop $l
        (local.set $x (call $id (local.get $x)))
        (br $l))))`)));
  store.setTimeLimit(30);
  const t0 = performance.now();
  assert.throws(() => inst.getFunc("spin")!.call(), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  assert.ok(performance.now() - t0 < 3000);
});
