import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { Engine, incrementEpochIn, Linker, Module, Store, Trap } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";
import { trapOf } from "../../helpers/trap.js";

const LOOPS = `(module $spinner
  (func $spin (export "spin") (loop $l (br $l)))
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (i32.const 1) (call $deep (local.get 0)))))`;


function instantiate(engine: Engine, store: Store, text = LOOPS) {
  return new Linker(engine).instantiate(store, new Module(engine, wat(text)));
}

test("a time limit stops an infinite loop on the main thread with an interrupt trap", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  const instance = instantiate(engine, store);
  store.setTimeLimit(50);
  const t0 = performance.now();
  const trap = trapOf(() => instance.getFunc("spin")!.call());
  const elapsed = performance.now() - t0;
  assert.equal(trap.code, "interrupt");
  assert.equal(trap.frames[0]!.funcName, "spin");
  assert.equal(trap.frames[0]!.module, "spinner");
  assert.ok(elapsed >= 49 && elapsed < 2000, `stopped after ${elapsed.toFixed(1)} ms`);
  // Each call gets its own time: a short call still completes afterwards.
  assert.equal(instance.getTypedFunc("count", ["i32"], ["i32"])(1000), 1000);
});

test("typed functions made before the time limit was set obey it", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  const spin = instantiate(engine, store).getTypedFunc("spin", [], []);
  store.setTimeLimit(20);
  assert.equal(trapOf(() => spin()).code, "interrupt");
  store.setTimeLimit(undefined);
  const count = instantiate(engine, store).getTypedFunc("count", ["i32"], ["i32"]);
  assert.equal(count(5_000_000), 5_000_000, "no limit: runs to the end");
});

test("nested calls from a host function share the outermost call's time", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  const linker = new Linker(engine);
  let inner: (() => void) | undefined;
  linker.defineFunc("host", "reenter", { params: [], results: [] }, () => inner!());
  const outer = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "reenter" (func $r))
    (func (export "run") (loop $l (call $r) (br $l))))`)));
  inner = instantiate(engine, store).getTypedFunc("count", ["i32"], ["i32"]).bind(null, 1000) as () => void;
  store.setTimeLimit(30);
  const t0 = performance.now();
  assert.equal(trapOf(() => outer.getFunc("run")!.call()).code, "interrupt");
  assert.ok(performance.now() - t0 < 2000);
});

test("an epoch deadline interrupts once the engine's epoch reaches it", () => {
  const engine = new Engine({ epochInterruption: true });
  const store = new Store(engine);
  const linker = new Linker(engine);
  let calls = 0;
  linker.defineFunc("host", "tick", { params: [], results: [] }, () => {
    calls++;
    engine.incrementEpoch();
  });
  const instance = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "tick" (func $tick))
    (func (export "run") (loop $l (call $tick) (br $l))))`)));
  store.setEpochDeadline(3);
  const trap = trapOf(() => instance.getFunc("run")!.call());
  assert.equal(trap.code, "interrupt");
  assert.ok(calls >= 3, `interrupted after ${calls} ticks`);
  // The deadline stays passed: the next call is interrupted at its first check.
  assert.equal(trapOf(() => instance.getFunc("run")!.call()).code, "interrupt");
  store.setEpochDeadline(1_000_000);
  const quick = instantiate(engine, store).getTypedFunc("count", ["i32"], ["i32"]);
  assert.equal(quick(100), 100);
});

test("a store has no epoch deadline until one is set", () => {
  const engine = new Engine({ epochInterruption: true });
  const store = new Store(engine);
  engine.incrementEpoch();
  assert.equal(instantiate(engine, store).getTypedFunc("count", ["i32"], ["i32"])(2_000_000), 2_000_000);
});

test("a Worker advancing the engine's epoch interrupts an infinite loop on the main thread", async () => {
  const engine = new Engine({ epochInterruption: true });
  const store = new Store(engine);
  const spin = instantiate(engine, store).getFunc("spin")!;
  store.setEpochDeadline(1);
  store.setTimeLimit(10_000); // a safety net: the test must not hang if the worker never ticks
  const api = new URL("../../../src/index.js", import.meta.url).href;
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     import(${JSON.stringify(api)}).then(({ incrementEpochIn }) => setTimeout(() => incrementEpochIn(workerData), 30));`,
    { eval: true, workerData: engine.epochBuffer },
  );
  try {
    const t0 = performance.now();
    const trap = trapOf(() => spin.call());
    assert.equal(trap.code, "interrupt");
    assert.ok(performance.now() - t0 < 9000, "the worker's tick, not the safety net, stopped it");
  } finally {
    await worker.terminate();
  }
});

test("incrementEpochIn advances the epoch held in an engine's buffer", () => {
  const engine = new Engine({ epochInterruption: true });
  const store = new Store(engine);
  store.setEpochDeadline(2);
  incrementEpochIn(engine.epochBuffer, 2);
  assert.equal(trapOf(() => instantiate(engine, store).getFunc("spin")!.call()).code, "interrupt");
});

test("runaway recursion under interruption checks traps stack_overflow and the store carries on", () => {
  const engine = new Engine({ epochInterruption: true, consumeFuel: true });
  const store = new Store(engine);
  store.setFuel(Number.MAX_SAFE_INTEGER);
  const instance = instantiate(engine, store);
  // Many times: where the stack runs out varies (in wasm, or in the host's interruption check).
  for (let i = 0; i < 12; i++) {
    const trap = trapOf(() => instance.getFunc("deep")!.call(0));
    assert.equal(trap.code, "stack_overflow");
  }
  assert.equal(instance.getTypedFunc("count", ["i32"], ["i32"])(10), 10);
});

test("interruption methods explain what is missing on an engine without checks", () => {
  const store = new Store(new Engine());
  assert.throws(() => store.setTimeLimit(10), /timeLimits: true/);
  assert.throws(() => store.setEpochDeadline(1), /epochInterruption: true/);
  const checked = new Store(new Engine({ timeLimits: true }));
  assert.throws(() => checked.setTimeLimit(-1), RangeError);
  assert.throws(() => checked.setEpochDeadline(-1), RangeError);
});

test("branches out of wrapped loops, loop results and loops with parameters behave as without checks", () => {
  const text = `(module
    (type $p (func (param i32) (result i32)))
    (func (export "nested") (param $n i32) (result i32)
      (local $i i32) (local $j i32) (local $sum i32)
      (block $done
        (loop $outer
          (local.set $j (i32.const 0))
          (loop $inner
            (local.set $sum (i32.add (local.get $sum) (i32.const 1)))
            (br_if $done (i32.gt_u (local.get $sum) (i32.const 1000)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $inner (i32.lt_u (local.get $j) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $outer (i32.lt_u (local.get $i) (local.get $n)))))
      (local.get $sum))
    (func (export "table") (param $x i32) (result i32)
      (local $k i32)
      (block $a (block $b (block $c
        (loop $l
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_table $a $b $c $l (i32.rem_u (i32.add (local.get $x) (local.get $k)) (i32.const 4)))))
        (return (i32.add (i32.const 300) (local.get $k))))
        (return (i32.add (i32.const 200) (local.get $k))))
      (i32.add (i32.const 100) (local.get $k)))
    (func (export "result") (param $n i32) (result i32)
      (loop $l (result i32)
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $l (i32.gt_s (local.get $n) (i32.const 10)))
        (i32.mul (local.get $n) (i32.const 3))))
    (func (export "params") (param $n i32) (result i32)
      (local.get $n)
      (loop $l (type $p)
        (i32.sub (i32.const 1))
        (local.tee $n)
        (br_if $l (i32.gt_s (local.get $n) (i32.const 5)))
        (i32.add (i32.const 7)))))`;
  const plainEngine = new Engine();
  const plain = new Linker(plainEngine).instantiate(new Store(plainEngine), new Module(plainEngine, wat(text)));
  for (const config of [{ epochInterruption: true }, { epochInterruption: true, consumeFuel: true }]) {
    const engine = new Engine(config);
    const store = new Store(engine);
    if (config.consumeFuel) store.setFuel(1_000_000);
    const checked = instantiate(engine, store, text);
    for (const name of ["nested", "table", "result", "params"]) {
      for (const arg of [0, 1, 2, 3, 7, 20, 100]) {
        assert.equal(checked.getFunc(name)!.call(arg), plain.getFunc(name)!.call(arg), `${name}(${arg}) with ${JSON.stringify(config)}`);
      }
    }
  }
});

test("a start function that never returns is stopped by the time limit at instantiation", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  store.setTimeLimit(30);
  const module = new Module(engine, wat(`(module (func $forever (loop $l (br $l))) (start $forever))`));
  assert.equal(trapOf(() => new Linker(engine).instantiate(store, module)).code, "interrupt");
});
