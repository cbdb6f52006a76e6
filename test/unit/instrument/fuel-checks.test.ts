/**
 * Where fuel is checked (issue 9): as in Wasmtime, only at function entries and loop headers (and
 * before a bulk instruction's length is spent); every other straight-line block only subtracts, so the
 * last block before a check may run past zero. Running out at a check traps `out_of_fuel` and leaves
 * 0, and a call that completes past zero leaves 0 too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store, type Instance } from "../../../src/index.js";
import { trapOf } from "../../helpers/trap.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine({ consumeFuel: true });

// Each function's first block (checked): entry, local.get, br_if = 3. Then a block that only
// subtracts: i32.const, global.set, i32.const, global.set = 4 (+1 when it ends with a call).
const TEXT = `(module $checks
  (import "host" "peek" (func $peek))
  (global $a (export "a") (mut i32) (i32.const 0))
  (global $b (export "b") (mut i32) (i32.const 0))
  (global $c (export "c") (mut i32) (i32.const 0))
  (memory (export "m") 1)
  (func $direct (global.set $c (i32.const 3)))
  (func $exported (export "exported") (global.set $c (i32.const 3)))
  (func (export "thenLoop") (param $x i32)
    (br_if 0 (local.get $x))
    (global.set $a (i32.const 1)) (global.set $b (i32.const 2))
    (loop $l (global.set $c (i32.const 3))))
  (func (export "thenReturn") (param $x i32)
    (br_if 0 (local.get $x))
    (global.set $a (i32.const 1)) (global.set $b (i32.const 2)))
  (func (export "thenDirect") (param $x i32)
    (br_if 0 (local.get $x))
    (global.set $a (i32.const 1)) (call $direct))
  (func (export "thenExported") (param $x i32)
    (br_if 0 (local.get $x))
    (global.set $a (i32.const 1)) (call $exported))
  (func (export "thenHost") (param $x i32)
    (br_if 0 (local.get $x))
    (global.set $a (i32.const 1)) (call $peek)
    (loop $l (global.set $c (i32.const 3))))
  (func (export "fill") (param $x i32) (param $n i32)
    (br_if 0 (local.get $x))
    (memory.fill (i32.const 0) (i32.const 7) (local.get $n)))
  (func (export "nested") (loop $l (loop (nop)) (br $l))))`;

function setup(refill?: number): { store: Store; instance: Instance; seen: number[] } {
  const linker = new Linker(engine);
  const seen: number[] = [];
  linker.defineFunc("host", "peek", { params: [], results: [] }, (caller) => {
    seen.push(caller.getFuel());
    if (refill !== undefined) caller.setFuel(refill);
  });
  const store = new Store(engine);
  store.setFuel(1_000_000);
  const instance = linker.instantiate(store, new Module(engine, wat(TEXT)));
  return { store, instance, seen };
}

const globals = (instance: Instance): number[] => ["a", "b", "c"].map((g) => instance.getGlobal(g)!.value as number);

test("a block past zero runs, then the next loop header traps out_of_fuel, leaving 0", () => {
  const { store, instance } = setup();
  store.setFuel(4); // the first block (3) fits; the second (4) runs past zero; the loop header traps
  const trap = trapOf(() => instance.getTypedFunc("thenLoop", ["i32"], [])(0));
  assert.equal(trap.code, "out_of_fuel");
  assert.deepEqual(globals(instance), [1, 2, 0], "the second block ran, the loop body did not");
  assert.equal(store.getFuel(), 0);
  // With enough for the loop body too (3 + 4 + 2): no trap, and nothing left.
  store.setFuel(9);
  instance.getTypedFunc("thenLoop", ["i32"], [])(0);
  assert.equal(store.getFuel(), 0);
  assert.deepEqual(globals(instance), [1, 2, 3]);
});

test("a call can complete past zero: it reads 0, and the next call traps at its entry", () => {
  const { store, instance } = setup();
  const f = instance.getTypedFunc("thenReturn", ["i32"], []);
  store.setFuel(4);
  f(0);
  assert.deepEqual(globals(instance), [1, 2, 0]);
  assert.equal(store.getFuel(), 0, "7 used of 4: what is left reads 0");
  instance.getGlobal("a")!.value = 0;
  assert.equal(trapOf(() => f(0)).code, "out_of_fuel");
  assert.equal(instance.getGlobal("a")!.value, 0, "nothing of the second call ran");
  assert.equal(store.getFuel(), 0);
  // Setting fuel starts afresh, whatever the overrun was.
  store.setFuel(7);
  f(0);
  assert.equal(store.getFuel(), 0);
  store.setFuel(100);
  f(1);
  assert.equal(store.getFuel(), 97, "entry, local.get, br_if: the exact cost of a completed call");
});

test("a callee's entry traps when its caller ran past zero, in threaded and exported callees", () => {
  for (const name of ["thenDirect", "thenExported"]) {
    const { store, instance } = setup();
    store.setFuel(4); // 3, then i32.const, global.set, call = 3 past zero
    const trap = trapOf(() => instance.getTypedFunc(name, ["i32"], [])(0));
    assert.equal(trap.code, "out_of_fuel", name);
    assert.equal(trap.frames.length, 2, name);
    assert.deepEqual(globals(instance), [1, 0, 0], name);
    assert.equal(store.getFuel(), 0, name);
  }
});

test("a host function called past zero runs and reads 0; fuel it sets is what wasm continues with", () => {
  const starved = setup();
  starved.store.setFuel(4);
  assert.equal(trapOf(() => starved.instance.getTypedFunc("thenHost", ["i32"], [])(0)).code, "out_of_fuel");
  assert.deepEqual(starved.seen, [0]);
  assert.deepEqual(globals(starved.instance), [1, 0, 0], "the loop header after the call trapped");
  const refilled = setup(100);
  refilled.store.setFuel(4);
  refilled.instance.getTypedFunc("thenHost", ["i32"], [])(0);
  assert.deepEqual(refilled.seen, [0]);
  assert.deepEqual(globals(refilled.instance), [1, 0, 3]);
  assert.equal(refilled.store.getFuel(), 100 - 2, "the loop body (i32.const, global.set) after the refill");
});

test("a bulk instruction longer than the fuel left traps before it runs, even right after an overrun", () => {
  const { store, instance } = setup();
  const fill = instance.getTypedFunc("fill", ["i32", "i32"], []);
  const memory = () => new Uint8Array(instance.getMemory("m")!.buffer);
  // 3, then i32.const, i32.const, local.get, memory.fill = 4, then one per byte.
  store.setFuel(3 + 4 + 99);
  assert.equal(trapOf(() => fill(0, 100)).code, "out_of_fuel");
  assert.equal(memory()[0], 0, "nothing was written");
  assert.equal(store.getFuel(), 0);
  store.setFuel(3 + 4 + 100);
  fill(0, 100);
  assert.equal(memory()[99], 7);
  assert.equal(store.getFuel(), 0);
  // Past zero before the instruction: it does not run, whatever its length.
  memory().fill(0);
  store.setFuel(4);
  assert.equal(trapOf(() => fill(0, 1)).code, "out_of_fuel");
  assert.equal(memory()[0], 0);
  assert.equal(store.getFuel(), 0);
});

test("loops whose header blocks cost nothing are still stopped", () => {
  const { store, instance } = setup();
  // Entry 1; each iteration: the outer header (the inner loop, free), the inner header (nop, end:
  // free), then br = 1. Both headers check.
  store.setFuel(50);
  assert.equal(trapOf(() => instance.getTypedFunc("nested", [], [])()).code, "out_of_fuel");
  assert.equal(store.getFuel(), 0);
});
