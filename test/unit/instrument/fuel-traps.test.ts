/**
 * Fuel is exact across traps of every kind (issue 8): a call that runs a known amount of code and then
 * traps in the engine (out of bounds, division by zero, a failed `call_indirect`, stack overflow...)
 * leaves the store's fuel at exactly what it had minus the cost of what ran, the trapping instruction
 * included and the rest of its straight-line segment (charged before it ran) given back. Each kind is
 * tried in an exported function (fuel kept in a local, stored where the engine may trap) and in a
 * function called only directly (fuel passed as a parameter, see `RewritePlan.threading`).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store } from "../../../src/index.js";
import { trapOf } from "../../helpers/trap.js";
import { wat } from "../../helpers/wat.js";

/** The loop every case runs first: 6 units per iteration (local.get, i32.const, i32.sub, local.set, local.get, br_if). */
const LOOP = `(loop $l (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))`;
const ITERATIONS = 10;

/**
 * Each kind: the code after the loop (flat, so that its cost is easy to count: one unit per
 * instruction), the cost of what runs up to and including the trapping instruction, and the trap.
 * Code after the trapping instruction in the same segment must not be billed.
 */
const KINDS: readonly { name: string; code: string; cost: number; trap: string | readonly string[] }[] = [
  { name: "load out of bounds", code: "i32.const 65536 i32.load i32.const 1 i32.add drop", cost: 2, trap: "memory_out_of_bounds" },
  { name: "store out of bounds", code: "i32.const 7 drop i32.const 65535 i32.const 1 i32.store i32.const 3 drop", cost: 4, trap: "memory_out_of_bounds" },
  { name: "i64 load at the end of memory", code: "i32.const 65530 i64.load offset=4 i64.const 1 i64.add drop", cost: 2, trap: "memory_out_of_bounds" },
  { name: "i32.div_u by zero", code: "i32.const 1 i32.const 0 i32.div_u i32.const 2 i32.mul drop", cost: 3, trap: "integer_division_by_zero" },
  { name: "i64.rem_s by zero", code: "i64.const 9 i64.const 0 i64.rem_s i32.wrap_i64 drop", cost: 3, trap: "integer_division_by_zero" },
  { name: "i32.div_s overflow", code: "i32.const 0x80000000 i32.const -1 i32.div_s i32.eqz drop", cost: 3, trap: "integer_overflow" },
  { name: "truncation of NaN", code: "f32.const nan i32.trunc_f32_s i32.eqz drop", cost: 2, trap: "bad_conversion_to_integer" },
  { name: "truncation out of range", code: "f64.const 1e300 i64.trunc_f64_u i64.eqz drop", cost: 2, trap: ["integer_overflow", "bad_conversion_to_integer"] },
  { name: "call_indirect of a null entry", code: "i32.const 1 drop i32.const 1 call_indirect (type $v)", cost: 3, trap: ["indirect_call_to_null", "bad_signature"] },
  { name: "call_indirect signature mismatch", code: "i32.const 0 call_indirect (type $v)", cost: 2, trap: "bad_signature" },
  { name: "call_indirect past the table", code: "i32.const 99 call_indirect (type $v)", cost: 2, trap: "table_out_of_bounds" },
  { name: "table.get past the table", code: "i32.const 99 table.get 0 ref.is_null drop", cost: 2, trap: "table_out_of_bounds" },
  { name: "misaligned atomic load", code: "i32.const 1 i32.atomic.load i32.const 1 i32.add drop", cost: 2, trap: "heap_misaligned" },
  // Bulk instructions are charged by length before they run, so a trapping one bills its 100 bytes.
  { name: "memory.fill out of bounds", code: "i32.const 65500 i32.const 0 i32.const 100 memory.fill", cost: 4 + 100, trap: "memory_out_of_bounds" },
  { name: "unreachable", code: "i32.const 1 drop unreachable", cost: 1, trap: "unreachable" },
  // Segments ending with a call or `unreachable` store the fuel at their start: a trap before the end.
  { name: "load out of bounds before a call through the table's function", code: "i32.const 65536 i32.load call $takes", cost: 2, trap: "memory_out_of_bounds" },
  { name: "i32.div_u by zero before a direct call", code: "i32.const 1 i32.const 0 i32.div_u call $direct", cost: 3, trap: "integer_division_by_zero" },
  { name: "load out of bounds before unreachable", code: "i32.const 65536 i32.load drop unreachable", cost: 2, trap: "memory_out_of_bounds" },
];

function moduleText(): string {
  const funcs = KINDS.map((k, i) => `
    (func $k${i} (export "k${i}") (param $n i32) ${LOOP} ${k.code})
    (func $inner${i} (param $n i32) ${LOOP} ${k.code})
    (func (export "t${i}") (param i32) (call $inner${i} (local.get 0)))`).join("");
  return `(module
    (type $v (func))
    (type $other (func (param i32)))
    (memory 1 1 shared)
    (table 2 funcref)
    (elem (i32.const 0) $takes)
    (func $takes (param i32))
    (func $direct (param i32))
    ${funcs})`;
}

const engine = new Engine({ consumeFuel: true });
const instance = new Linker(engine).instantiate(new Store(engine), new Module(engine, wat(moduleText())));
const store = instance.store;

for (const [i, kind] of KINDS.entries()) {
  for (const [label, name, extra] of [["an exported function", `k${i}`, 0], ["a function called only directly", `t${i}`, 3]] as const) {
    test(`fuel is exact when ${kind.name} traps in ${label}`, () => {
      const start = 1_000_000;
      store.setFuel(start);
      const trap = trapOf(() => instance.getTypedFunc(name, ["i32"], [])(ITERATIONS));
      const codes = typeof kind.trap === "string" ? [kind.trap] : kind.trap;
      assert.ok(codes.includes(trap.code), `trap ${trap.code}`);
      // extra: the exported caller's entry, local.get and call; then entry, the loop, the code up to the trap.
      assert.equal(start - store.getFuel(), extra + 1 + 6 * ITERATIONS + kind.cost);
      // The same again: nothing carries over from one trap to the next.
      store.setFuel(start);
      trapOf(() => instance.getTypedFunc(name, ["i32"], [])(ITERATIONS));
      assert.equal(start - store.getFuel(), extra + 1 + 6 * ITERATIONS + kind.cost);
    });
  }
}

test("fuel is exact on a stack overflow, in exported and in directly called functions", () => {
  // Each level counts itself in $depth (global.get, i32.const, i32.add, global.set), then recurses
  // (local.get, call): 7 units with its entry. The level that overflows is never entered.
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine);
  const instance = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (global $depth (export "depth") (mut i32) (i32.const 0))
    (func $exported (export "exported") (param i32)
      (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
      (call $exported (local.get 0)))
    (func $direct (param i32)
      (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
      (call $direct (local.get 0)))
    (func (export "direct") (param i32) (call $direct (local.get 0))))`)));
  const depth = instance.getGlobal("depth")!;
  for (const [name, extra] of [["exported", 0], ["direct", 3]] as const) {
    depth.value = 0;
    const start = 1_000_000_000;
    store.setFuel(start);
    assert.equal(trapOf(() => instance.getTypedFunc(name, ["i32"], [])(0)).code, "stack_overflow");
    const levels = depth.value as number;
    assert.ok(levels > 100, `${levels} levels`);
    assert.equal(start - store.getFuel(), extra + 7 * levels, name);
  }
});

test("fuel is exact for a trap in a callee reached through call_indirect, and after host calls", () => {
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine);
  const linker = new Linker(engine);
  let calls = 0;
  linker.defineFunc("host", "tick", { params: [], results: [] }, () => {
    calls++;
  });
  const instance = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "tick" (func $tick))
    (type $i (func (param i32) (result i32)))
    (memory 1)
    (table 1 funcref)
    (elem (i32.const 0) $load)
    (func $load (param i32) (result i32) (call $tick) (i32.load (local.get 0)) (i32.const 1) (i32.add))
    (func (export "run") (param i32) (result i32)
      (call_indirect (type $i) (local.get 0) (i32.const 0))))`)));
  store.setFuel(1000);
  assert.equal(trapOf(() => instance.getTypedFunc("run", ["i32"], ["i32"])(70_000)).code, "memory_out_of_bounds");
  // run: entry, local.get, i32.const, call_indirect (4); $load: entry, call (2), then local.get, i32.load (2).
  assert.equal(1000 - store.getFuel(), 8);
  assert.equal(calls, 1);
});

test("fuel is exact for traps in a module loaded from a serialized artifact", () => {
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine);
  const bytes = wat(`(module (memory 1)
    (func (export "f") (param i32) (result i32) (i32.load (local.get 0)) (i32.const 5) (i32.add) (i32.const 6) (i32.mul)))`);
  const module = Module.deserialize(engine, new Module(engine, bytes).serialize());
  const instance = new Linker(engine).instantiate(store, module);
  store.setFuel(100);
  assert.equal(trapOf(() => instance.getTypedFunc("f", ["i32"], ["i32"])(65_535)).code, "memory_out_of_bounds");
  assert.equal(100 - store.getFuel(), 3, "entry, local.get, i32.load");
});

test("fuel is the same with interruption checks, and an interrupt bills exactly the iterations that ran", () => {
  // Each iteration counts itself in $it (global.get, i32.const, i32.add, global.set) and branches back:
  // 5 units in "spin"; "count" runs n iterations of 9. "spinParams" keeps its check's slow path inside
  // the loop (a loop with parameters is not wrapped), whose iterations cost 5 units too.
  const text = `(module (global $it (export "it") (mut i32) (i32.const 0))
    (func (export "count") (param $n i32)
      (loop $l (global.set $it (i32.add (global.get $it) (i32.const 1)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (func (export "spin") (loop $l (global.set $it (i32.add (global.get $it) (i32.const 1))) (br $l)))
    (func (export "spinParams") (param $x i32)
      (local.get $x)
      (loop $l (param i32) (global.set $it (i32.add (global.get $it) (i32.const 1))) (br $l))))`;
  for (const config of [{ consumeFuel: true }, { consumeFuel: true, timeLimits: true }, { consumeFuel: true, epochInterruption: true }]) {
    const engine = new Engine(config);
    const store = new Store(engine);
    const instance = new Linker(engine).instantiate(store, new Module(engine, wat(text)));
    const start = 1e15;
    store.setFuel(start);
    // Long enough for the check to call the host many times (and, with time limits, leave the loop).
    instance.getTypedFunc("count", ["i32"], [])(3_000_000);
    assert.equal(start - store.getFuel(), 1 + 9 * 3_000_000, JSON.stringify(config));
    if (config.consumeFuel && (config.timeLimits || config.epochInterruption)) {
      const it = instance.getGlobal("it")!;
      for (const [name, perIteration, extra] of [["spin", 5, 1], ["spinParams", 5, 2]] as const) {
        it.value = 0;
        store.setFuel(start);
        store.setTimeLimit(20);
        const f = name === "spin" ? () => instance.getTypedFunc(name, [], [])() : () => instance.getTypedFunc(name, ["i32"], [])(0);
        assert.equal(trapOf(f).code, "interrupt");
        store.setTimeLimit(undefined);
        const iterations = it.value as number;
        assert.ok(iterations > 1000, `${iterations} iterations`);
        // spin: entry 1; spinParams: entry and local.get. Then each iteration that ran, and no more.
        assert.equal(start - store.getFuel(), extra + perIteration * iterations, `${name} ${JSON.stringify(config)}`);
      }
    }
  }
});

test("fuel is exact for a trap after call_indirect through a table only the module calls (threaded)", () => {
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine);
  const instance = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (type $i (func (param i32) (result i32)))
    (memory 1)
    (table 1 funcref)
    (elem (i32.const 0) $work)
    (func $work (param $n i32) (result i32)
      (loop $l (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))
      (local.get $n))
    (func (export "run") (param i32) (result i32)
      (i32.load (i32.add (call_indirect (type $i) (local.get 0) (i32.const 0)) (i32.const 65536)))
      (i32.const 1)
      (i32.add)))`)));
  store.setFuel(10_000);
  assert.equal(trapOf(() => instance.getTypedFunc("run", ["i32"], ["i32"])(10)).code, "memory_out_of_bounds");
  // run: entry, local.get, i32.const, call_indirect (4); $work: entry 1, 10 iterations of 6, local.get;
  // then i32.const, i32.add, i32.load (3).
  assert.equal(10_000 - store.getFuel(), 4 + 1 + 60 + 1 + 3);
});
