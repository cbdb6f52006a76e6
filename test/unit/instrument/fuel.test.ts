import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store, Trap } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";
import { trapOf } from "../../helpers/trap.js";

const engine = new Engine({ consumeFuel: true });

function setup(text: string, fuel = 1000, linker = new Linker(engine)) {
  const store = new Store(engine);
  store.setFuel(fuel);
  const instance = linker.instantiate(store, new Module(engine, wat(text)));
  return { store, instance };
}


test("a store starts with no fuel, and any call then traps out_of_fuel", () => {
  const store = new Store(engine);
  assert.equal(store.getFuel(), 0);
  const instance = new Linker(engine).instantiate(store, new Module(engine, wat(`(module (func (export "f") (result i32) i32.const 1))`)));
  const trap = trapOf(() => instance.getFunc("f")!.call());
  assert.equal(trap.code, "out_of_fuel");
  assert.equal(store.getFuel(), 0);
});

test("straight-line code costs one per instruction, free instructions excluded", () => {
  const { store, instance } = setup(`(module
    (func (export "three") (result i32) i32.const 1 i32.const 2 i32.add)
    (func (export "free") nop nop (block (nop)) (loop (nop)) (drop (i32.const 5)) return)
    (func (export "empty")))`);
  instance.getTypedFunc("three", [], ["i32"])();
  assert.equal(store.getFuel(), 996, "entering the function, then 3 instructions");
  instance.getTypedFunc("free", [], [])();
  assert.equal(store.getFuel(), 994, "only the entry and i32.const cost");
  instance.getTypedFunc("empty", [], [])();
  assert.equal(store.getFuel(), 993, "entering a function costs 1, as in Wasmtime");
});

test("a loop is charged for each iteration actually run", () => {
  const { store, instance } = setup(`(module
    (func (export "count") (param $n i32)
      (loop $l
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $l (local.get $n)))))`, 10_000);
  // Per iteration: local.get, i32.const, i32.sub, local.set, local.get, br_if = 6; 1 per call.
  instance.getTypedFunc("count", ["i32"], [])(10);
  assert.equal(store.getFuel(), 10_000 - 61);
  instance.getTypedFunc("count", ["i32"], [])(1);
  assert.equal(store.getFuel(), 10_000 - 68);
});

test("if/else charges only the branch taken", () => {
  const { store, instance } = setup(`(module
    (func (export "pick") (param i32) (result i32)
      (if (result i32) (local.get 0)
        (then (i32.add (i32.const 1) (i32.const 2)))
        (else (i32.const 7)))))`);
  const pick = instance.getTypedFunc("pick", ["i32"], ["i32"]);
  assert.equal(pick(1), 3);
  assert.equal(store.getFuel(), 1000 - 6); // entry, local.get, if, const, const, add
  assert.equal(pick(0), 7);
  assert.equal(store.getFuel(), 1000 - 6 - 4); // entry, local.get, if, const
});

test("calls cost one and the callee's instructions are charged too", () => {
  const { store, instance } = setup(`(module
    (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "f") (result i32) (call $add (i32.const 1) (i32.const 2))))`);
  assert.equal(instance.getTypedFunc("f", [], ["i32"])(), 3);
  assert.equal(store.getFuel(), 1000 - 4 - 4); // entry, const, const, call + entry, get, get, add
});

test("running out traps at the block that did not fit, leaving 0", () => {
  const { store, instance } = setup(`(module $fueled
    (func $spin (export "spin") (loop $l (br $l))))`, 25);
  const trap = trapOf(() => instance.getFunc("spin")!.call());
  assert.equal(trap.code, "out_of_fuel");
  assert.match(trap.message, /all fuel consumed/);
  assert.equal(trap.frames.length, 1);
  assert.equal(trap.frames[0]!.funcName, "spin");
  assert.equal(trap.frames[0]!.module, "fueled");
  assert.equal(store.getFuel(), 0, "each iteration costs 1 (br): 25 iterations, then none left");
});

test("an out_of_fuel frame points at the original offset of the block's first instruction", () => {
  const bytes = wat(`(module (func (export "f") (result i32) (i32.add (i32.const 1) (i32.const 2))))`);
  const store = new Store(engine);
  const instance = new Linker(engine).instantiate(store, new Module(engine, bytes));
  const trap = trapOf(() => instance.getFunc("f")!.call());
  assert.equal(trap.code, "out_of_fuel");
  // The first instruction of the body is `i32.const 1` (0x41 0x01).
  const at = trap.frames[0]!.offset;
  assert.equal(bytes[at], 0x41);
  assert.equal(bytes[at + 1], 0x01);
  assert.equal(bytes[at + 2], 0x41);
});

test("a user's unreachable still traps as unreachable", () => {
  const { instance } = setup(`(module (func (export "f") unreachable))`);
  assert.equal(trapOf(() => instance.getFunc("f")!.call()).code, "unreachable");
});

test("host functions run for free and can read and set the fuel through their caller", () => {
  const linker = new Linker(engine);
  const seen: number[] = [];
  linker.defineFunc("host", "peek", { params: [], results: [] }, (caller) => {
    seen.push(caller.getFuel());
    caller.setFuel(caller.getFuel() + 100);
  });
  const { store, instance } = setup(`(module
    (import "host" "peek" (func $peek))
    (func (export "f") (drop (i32.const 1)) (call $peek) (drop (i32.const 2))))`, 1000, linker);
  instance.getTypedFunc("f", [], [])();
  // Before the call: entry + i32.const (drop is free) + call = 3 (Wasmtime's export -> call -> host
  // path costs 2 too). After it: i32.const = 1.
  assert.deepEqual(seen, [997]);
  assert.equal(store.getFuel(), 1000 - 4 + 100);
});

test("fuel is shared by all instances of a store", () => {
  const linker = new Linker(engine);
  const store = new Store(engine);
  store.setFuel(100);
  const a = linker.instantiate(store, new Module(engine, wat(`(module (func (export "f") (drop (i32.const 1))))`)));
  linker.define("a", "f", a.getFunc("f")!);
  const b = linker.instantiate(store, new Module(engine, wat(`(module (import "a" "f" (func $f)) (func (export "g") (call $f) (call $f)))`)));
  b.getTypedFunc("g", [], [])();
  assert.equal(store.getFuel(), 100 - 3 - 2 - 2, "g: entry and 2 calls; f: entry and i32.const, twice");
});

test("a cost table changes what instructions cost", () => {
  const costly = new Engine({ consumeFuel: true, fuelCosts: { "i32.add": 10, "nop": 3 } });
  const store = new Store(costly);
  store.setFuel(100);
  const instance = new Linker(costly).instantiate(store, new Module(costly, wat(`(module (func (export "f") (result i32) nop (i32.add (i32.const 1) (i32.const 2))))`)));
  assert.equal(instance.getTypedFunc("f", [], ["i32"])(), 3);
  assert.equal(store.getFuel(), 100 - 1 - 3 - 1 - 1 - 10);
  assert.throws(() => new Engine({ consumeFuel: true, fuelCosts: { "i32.plus": 1 } }), /no instruction is named "i32.plus"/);
  assert.throws(() => new Engine({ consumeFuel: true, fuelCosts: { "i32.add": -1 } }), TypeError);
});

test("fuel methods explain what is missing on an engine without fuel", () => {
  const store = new Store(new Engine());
  assert.throws(() => store.getFuel(), /consumeFuel: true/);
  assert.throws(() => store.setFuel(1), /consumeFuel: true/);
  const fueled = new Store(engine);
  assert.throws(() => fueled.setFuel(-1), RangeError);
  assert.throws(() => fueled.setFuel(1.5), RangeError);
  fueled.setFuel(10n);
  assert.equal(fueled.getFuel(), 10);
});

test("recursion under fuel ends in out_of_fuel, and deep recursion in stack_overflow", () => {
  const { store, instance } = setup(`(module
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))`, 1_000_000);
  const down = instance.getTypedFunc("down", ["i32"], ["i32"]);
  assert.equal(down(100), 100);
  store.setFuel(500);
  assert.equal(trapOf(() => down(1000)).code, "out_of_fuel");
  store.setFuel(Number.MAX_SAFE_INTEGER);
  assert.equal(trapOf(() => down(10_000_000)).code, "stack_overflow");
  assert.equal(down(10), 10, "the store keeps working");
});

test("a start function is charged too: without fuel, instantiation traps out_of_fuel", () => {
  const store = new Store(engine);
  const module = new Module(engine, wat(`(module (global $g (mut i32) (i32.const 0)) (func $init (global.set $g (i32.const 1))) (start $init))`));
  assert.equal(trapOf(() => new Linker(engine).instantiate(store, module)).code, "out_of_fuel");
  store.setFuel(2);
  assert.equal(trapOf(() => new Linker(engine).instantiate(store, module)).code, "out_of_fuel");
  assert.equal(store.getFuel(), 0, "out of fuel leaves 0, as in Wasmtime");
  store.setFuel(3);
  new Linker(engine).instantiate(store, module);
  assert.equal(store.getFuel(), 0, "entry, i32.const and global.set");
});
