/**
 * One test per row of the README's implementation-status table. Each test's name is the row's name;
 * test/unit/readme.test.ts checks that every row marked done names a test here, so a row is marked
 * done only while its test passes (a failing test fails `npm test`).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Func, Global, Instance, Linker, Memory, Module, Store, Table, Trap } from "../../src/index.js";
import { wat } from "../helpers/wat.js";

const engine = new Engine();
const mod = (text: string): Module => new Module(engine, wat(text));

test("Engine", () => {
  const e = new Engine({ maxTrapFrames: 500 });
  assert.equal(e.config.maxTrapFrames, 500);
  assert.ok(Object.isFrozen(e.config));
});

test("Store", () => {
  const store = new Store(engine, { data: { n: 1 } });
  assert.equal(store.engine, engine);
  assert.deepEqual(store.data, { n: 1 });
  store.data = { n: 2 };
  assert.deepEqual(store.data, { n: 2 });
});

test("Module", async () => {
  const bytes = wat(`(module $m (func (export "f") (param i32) (result i32) (local.get 0)))`);
  const sync = new Module(engine, bytes);
  const asyncMod = await Module.compile(engine, bytes);
  for (const m of [sync, asyncMod]) {
    assert.equal(m.name, "m");
    assert.deepEqual(m.exports, [{ name: "f", type: { kind: "func", params: ["i32"], results: ["i32"] } }]);
  }
});

test("Instance", () => {
  const m = mod(`(module (func (export "f") (result i32) (i32.const 9)))`);
  const inst = new Instance(new Store(engine), m, []);
  assert.equal(inst.getTypedFunc("f", [], ["i32"])(), 9);
});

test("Linker", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineModule(store, "lib", mod(`(module (func (export "seven") (result i32) (i32.const 7)))`));
  const inst = linker.instantiate(store, mod(`(module (import "lib" "seven" (func $s (result i32)))
    (func (export "f") (result i32) (i32.mul (call $s) (i32.const 6))))`));
  assert.equal(inst.getTypedFunc("f", [], ["i32"])(), 42);
});

test("Function imports", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("env", "inc", { params: ["i32"], results: ["i32"] }, (_c, x) => x + 1);
  const inst = linker.instantiate(store, mod(`(module (import "env" "inc" (func $inc (param i32) (result i32)))
    (func (export "f") (result i32) (call $inc (i32.const 1))))`));
  assert.equal(inst.getTypedFunc("f", [], ["i32"])(), 2);
});

test("Function exports", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), mod(`(module (func (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))`));
  const f = inst.getFunc("sub")!;
  assert.deepEqual(f.type, { params: ["i32", "i32"], results: ["i32"] });
  assert.equal(f.call(5, 3), 2);
});

test("Global imports", () => {
  const store = new Store(engine);
  const g = new Global(store, { content: "i32", mutable: true }, 10);
  const inst = new Linker(engine).define("env", "g", g).instantiate(store, mod(`(module (import "env" "g" (global $g (mut i32)))
    (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 5)))))`));
  inst.getTypedFunc("bump", [], [])();
  assert.equal(g.value, 15);
});

test("Global exports", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), mod(`(module (global (export "pi") f64 (f64.const 3.5)))`));
  const g = inst.getGlobal("pi")!;
  assert.deepEqual(g.type, { content: "f64", mutable: false });
  assert.equal(g.value, 3.5);
});

test("Table imports", () => {
  const store = new Store(engine);
  const t = new Table(store, { element: "externref", min: 2 });
  const inst = new Linker(engine).define("env", "t", t).instantiate(store, mod(`(module (import "env" "t" (table 2 externref))
    (func (export "put") (param externref) (table.set 0 (i32.const 1) (local.get 0))))`));
  inst.getTypedFunc("put", ["externref"], [])("hello");
  assert.equal(t.get(1), "hello");
});

test("Table exports", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), mod(`(module (table (export "t") 3 funcref)
    (func $f (result i32) (i32.const 4)) (elem (i32.const 2) $f))`));
  const t = inst.getTable("t")!;
  assert.equal(t.size, 3);
  assert.equal((t.get(2) as Func).call(), 4);
});

test("Memory imports", () => {
  const store = new Store(engine);
  const memory = new Memory(store, { min: 1 });
  memory.writeString(0, "hi");
  const inst = new Linker(engine).define("env", "memory", memory).instantiate(store, mod(`(module (import "env" "memory" (memory 1))
    (func (export "first") (result i32) (i32.load8_u (i32.const 0))))`));
  assert.equal(inst.getTypedFunc("first", [], ["i32"])(), "h".charCodeAt(0));
});

test("Memory exports", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), mod(`(module (memory (export "memory") 1) (data (i32.const 8) "data"))`));
  assert.equal(inst.getMemory("memory")!.readString(8, 4), "data");
});

test("Host function bindings", () => {
  const store = new Store(engine, { data: "ctx" });
  let seen = "";
  const f = Func.wrap(store, { params: ["i32"], results: [] }, (caller, n) => {
    seen = `${caller.data}:${n}`;
  });
  new Linker(engine).define("env", "f", f).instantiate(store, mod(`(module (import "env" "f" (func $f (param i32))) (func $s (call $f (i32.const 3))) (start $s))`));
  assert.equal(seen, "ctx:3");
});

test("Host global bindings", () => {
  const store = new Store(engine);
  const g = new Global(store, { content: "i64", mutable: false }, 1n << 50n);
  const inst = new Linker(engine).define("env", "g", g).instantiate(store, mod(`(module (import "env" "g" (global $g i64)) (func (export "get") (result i64) (global.get $g)))`));
  assert.equal(inst.getTypedFunc("get", [], ["i64"])(), 1n << 50n);
});

test("Host table bindings", () => {
  const store = new Store(engine);
  const t = new Table(store, { element: "funcref", min: 1 });
  t.set(0, Func.wrap(store, { params: [], results: ["i32"] }, () => 77));
  const inst = new Linker(engine).define("env", "t", t).instantiate(store, mod(`(module (import "env" "t" (table 1 funcref)) (type $r (func (result i32)))
    (func (export "call0") (result i32) (call_indirect (type $r) (i32.const 0))))`));
  assert.equal(inst.getTypedFunc("call0", [], ["i32"])(), 77);
});

test("Host memory bindings", () => {
  const store = new Store(engine);
  const memory = new Memory(store, { min: 1, max: 2 });
  const inst = new Linker(engine).define("env", "m", memory).instantiate(store, mod(`(module (import "env" "m" (memory 1 2))
    (func (export "grow") (result i32) (memory.grow (i32.const 1))))`));
  assert.equal(inst.getTypedFunc("grow", [], ["i32"])(), 1);
  assert.equal(memory.size, 2);
});

const echo = (t: string): Module => mod(`(module (import "h" "f" (func $f (param ${t}) (result ${t})))
  (func (export "f") (param ${t}) (result ${t}) (call $f (local.get 0))))`);

function roundTrip<T>(t: "i32" | "i64" | "f32" | "f64" | "externref" | "funcref", host: (x: T) => T, value: T): T {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("h", "f", { params: [t], results: [t] }, (_c, x: unknown) => host(x as T));
  return linker.instantiate(store, echo(t)).getFunc("f")!.call(value) as T;
}

test("i32 parameters and results", () => {
  assert.equal(roundTrip<number>("i32", (x) => x * 2, -21), -42);
});

test("i64 parameters and results", () => {
  assert.equal(roundTrip<bigint>("i64", (x) => x + 1n, (1n << 62n) - 1n), 1n << 62n);
});

test("f32 parameters and results", () => {
  assert.equal(roundTrip<number>("f32", (x) => x / 2, 3), 1.5);
});

test("f64 parameters and results", () => {
  assert.equal(roundTrip<number>("f64", (x) => x * 10, 0.1), 1);
});

test("externref parameters and results", () => {
  const obj = { any: "value" };
  assert.equal(roundTrip<unknown>("externref", (x) => x, obj), obj);
  assert.equal(roundTrip<unknown>("externref", () => null, obj), null);
});

test("funcref parameters and results", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const target = Func.wrap(store, { params: [], results: ["i32"] }, () => 5);
  linker.defineFunc("h", "f", { params: ["funcref"], results: ["funcref"] }, (_c, f) => f);
  const inst = linker.instantiate(store, echo("funcref"));
  assert.equal(inst.getFunc("f")!.call(target), target);
  assert.equal(inst.getFunc("f")!.call(null), null);
});

test("Tuple returns from host functions", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("h", "three", { params: [], results: ["i32", "i64", "f64"] }, () => [1, 2n, 3.5]);
  const inst = linker.instantiate(store, mod(`(module (import "h" "three" (func $t (result i32 i64 f64)))
    (func (export "f") (result i32 i64 f64) (call $t)))`));
  assert.deepEqual(inst.getTypedFunc("f", [], ["i32", "i64", "f64"])(), [1, 2n, 3.5]);
});

test("Trap messages", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), mod(`(module (func (export "f") (drop (i32.div_u (i32.const 1) (i32.const 0)))))`));
  assert.throws(() => inst.getFunc("f")!.call(), (e: unknown) => e instanceof Trap && e.code === "integer_division_by_zero" && e.message.startsWith("wasm trap: integer divide by zero"));
});

test("Trap frames", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), mod(`(module $app (func $boom unreachable) (func $run (export "run") (call $boom)))`));
  assert.throws(() => inst.getFunc("run")!.call(), (e: unknown) => {
    assert.ok(e instanceof Trap);
    assert.deepEqual(e.frames.map((f) => `${f.module}!${f.funcName}`), ["app!boom", "app!run"]);
    return true;
  });
});
