import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Func, Global, Linker, Memory, Module, Store, Table } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine();

test("memory helpers read and write every type little-endian", () => {
  const mem = new Memory(new Store(engine), { min: 1 });
  mem.setI32(0, -2);
  assert.equal(mem.getI32(0), -2);
  assert.deepEqual(mem.read(0, 4), new Uint8Array([0xfe, 0xff, 0xff, 0xff]));
  mem.setI64(8, -(1n << 40n));
  assert.equal(mem.getI64(8), -(1n << 40n));
  mem.setF32(16, 1.5);
  assert.equal(mem.getF32(16), 1.5);
  mem.setF64(24, Math.PI);
  assert.equal(mem.getF64(24), Math.PI);
  mem.write(100, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...mem.view(100, 3)], [1, 2, 3]);
  assert.equal(mem.writeString(200, "héllo ✓"), 10);
  assert.equal(mem.readString(200, 10), "héllo ✓");
});

test("every memory access is bounds-checked with a RangeError naming address and size", () => {
  const mem = new Memory(new Store(engine), { min: 1 });
  assert.throws(() => mem.getI32(65533), /Memory.getI32: address 0xfffd \+ 4 bytes is out of bounds of memory of 65536 bytes/);
  assert.throws(() => mem.read(-1, 1), RangeError);
  assert.throws(() => mem.write(65535, new Uint8Array(2)), RangeError);
  assert.throws(() => mem.view(0, 65537), RangeError);
  assert.throws(() => mem.readString(1.5, 1), RangeError);
  assert.throws(() => mem.writeString(65536, "xx"), RangeError);
  assert.throws(() => mem.setI64(0, 1 as unknown as bigint), /expected a bigint/);
  // The edge is fine.
  mem.setI32(65532, 7);
  assert.equal(mem.getI32(65532), 7);
});

test("memory helpers stay correct after a grow from the host or from wasm", () => {
  const store = new Store(engine);
  const m = new Module(engine, wat(`(module (memory (export "memory") 1 4)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))`));
  const inst = new Linker(engine).instantiate(store, m);
  const mem = inst.getMemory("memory")!;
  assert.equal(mem.size, 1);
  mem.setI32(0, 5);
  assert.throws(() => mem.setI32(70000, 1), RangeError);
  assert.equal(inst.getTypedFunc("grow", ["i32"], ["i32"])(1), 1);
  assert.equal(mem.size, 2);
  mem.setI32(70000, 9);
  assert.equal(inst.getTypedFunc("load", ["i32"], ["i32"])(70000), 9);
  assert.equal(mem.grow(1), 2);
  mem.setI32(140000, 3);
  assert.equal(inst.getTypedFunc("load", ["i32"], ["i32"])(140000), 3);
  assert.equal(mem.getI32(0), 5);
  assert.throws(() => mem.grow(2), /past the maximum of 4 pages/);
  assert.deepEqual(mem.type, { min: 3, max: 4, shared: false, memory64: false });
});

test("globals read and write values of each type; immutable ones refuse writes", () => {
  const store = new Store(engine);
  const g = new Global(store, { content: "i64", mutable: true }, 5n);
  g.value = 7n;
  assert.equal(g.value, 7n);
  assert.throws(() => (g.value = 1), /a i64 global holds a bigint, got number 1/);
  const k = new Global(store, { content: "f64", mutable: false }, 2.5);
  assert.equal(k.value, 2.5);
  assert.throws(() => (k.value = 1), /cannot set an immutable f64 global/);
  const fn = Func.wrap(store, { params: [], results: [] }, () => {});
  const r = new Global(store, { content: "funcref", mutable: true }, null);
  assert.equal(r.value, null);
  r.value = fn;
  assert.equal(r.value, fn);
  const e = new Global(store, { content: "externref", mutable: false }, { any: "thing" });
  assert.deepEqual(e.value, { any: "thing" });
});

test("exported globals reflect wasm's writes", () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (global $c (export "count") (mut i32) (i32.const 0))
    (func (export "bump") (global.set $c (i32.add (global.get $c) (i32.const 1)))))`)));
  const g = inst.getGlobal("count")!;
  inst.getTypedFunc("bump", [], [])();
  inst.getTypedFunc("bump", [], [])();
  assert.equal(g.value, 2);
  assert.deepEqual(g.type, { content: "i32", mutable: true });
});

test("Func.wrap host functions live in tables and keep their identity", () => {
  const store = new Store(engine);
  const table = new Table(store, { element: "funcref", min: 2, max: 10 });
  const double = Func.wrap(store, { params: ["i32"], results: ["i32"] }, (_c, x) => x * 2);
  table.set(1, double);
  assert.equal(table.get(1), double);
  assert.equal(table.get(0), null);
  const linker = new Linker(engine).define("env", "table", table);
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "env" "table" (table 2 funcref))
    (type $t (func (param i32) (result i32)))
    (func (export "call") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0)))
    (func (export "get") (param i32) (result funcref) (table.get 0 (local.get 0))))`)));
  assert.equal(inst.getTypedFunc("call", ["i32", "i32"], ["i32"])(1, 21), 42);
  assert.equal(inst.getTypedFunc("get", ["i32"], ["funcref"])(1), double);
  assert.equal(table.grow(3, double), 2);
  assert.equal(table.size, 5);
  assert.equal(table.get(4), double);
  assert.throws(() => table.get(5), /index 5 is out of bounds of table of 5 elements/);
  assert.throws(() => table.set(0, 5), /expected a Func or null/);
  assert.throws(() => table.grow(100), /cannot grow from 5 by 100/);
});

test("functions that wasm puts in its own table come back as Funcs with their types", () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (table (export "t") 2 funcref)
    (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func $pi (result f64) (f64.const 3.14))
    (elem (i32.const 0) $sq $pi))`)));
  const t = inst.getTable("t")!;
  const sq = t.get(0) as Func;
  const pi = t.get(1) as Func;
  assert.deepEqual(sq.type, { params: ["i32"], results: ["i32"] });
  assert.equal(sq.call(9), 81);
  assert.equal(pi.typed([], ["f64"])(), 3.14);
  assert.equal(t.get(0), sq, "the same function is the same Func");
  assert.throws(() => sq.typed(["i64"], ["i32"]), /has type \(i32\) -> \(i32\), not \(i64\) -> \(i32\)/);
});

test("externref tables hold any JS value", () => {
  const store = new Store(engine);
  const t = new Table(store, { element: "externref", min: 1 }, "init");
  assert.equal(t.get(0), "init");
  const obj = {};
  t.set(0, obj);
  assert.equal(t.get(0), obj);
});

test("calls check argument count and types, naming function and parameter", () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (func (export "f") (param i32 i64 f64) (result i32) (i32.const 1)))`)));
  const f = inst.getFunc("f")!;
  assert.equal(f.call(1, 2n, 3.5), 1);
  assert.throws(() => f.call(1, 2, 3.5), /f: parameter 1 \(i64\) expects a bigint, got number 2/);
  assert.throws(() => f.call(1, 2n), /f: expected 3 arguments \(i32, i64, f64\), got 2/);
  const typed = inst.getTypedFunc("f", ["i32", "i64", "f64"], ["i32"]);
  assert.throws(() => (typed as (...a: unknown[]) => unknown)("1", 2n, 3), /f: parameter 0 \(i32\) expects a number, got string "1"/);
  assert.throws(() => inst.getTypedFunc("nope", [], []), /no export named "nope"/);
  assert.equal(inst.getFunc("nope"), undefined);
  assert.equal(inst.getMemory("f"), undefined);
});

test("multi-value results come back as an array", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), new Module(engine, wat(`(module
    (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0)))`)));
  const swap = inst.getTypedFunc("swap", ["i32", "i64"], ["i64", "i32"]);
  const [a, b] = swap(1, 2n);
  assert.equal(a, 2n);
  assert.equal(b, 1);
});

test("instance.exports lists every export by name", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), new Module(engine, wat(`(module
    (memory (export "memory") 1) (func (export "f")) (global (export "g") i32 (i32.const 3)))`)));
  assert.deepEqual(Object.keys(inst.exports), ["memory", "f", "g"]);
  assert.ok(inst.exports.memory instanceof Memory);
  assert.ok(inst.exports.f instanceof Func);
  assert.ok(inst.exports.g instanceof Global);
});

test("host-created memories and tables obey the store's size limits", () => {
  const store = new Store(engine, { limits: { memorySize: 2 * 65536, tableElements: 10 } });
  const mem = new Memory(store, { min: 1 });
  assert.equal(mem.type.max, 2);
  assert.equal(mem.grow(1), 1);
  assert.throws(() => mem.grow(1), RangeError);
  assert.throws(() => new Memory(store, { min: 3 }), /over the store's memory limit of 131072 bytes/);
  const table = new Table(store, { element: "externref", min: 5, max: 100 });
  assert.equal(table.type.max, 10);
  assert.throws(() => table.grow(6), RangeError);
  assert.throws(() => new Table(store, { element: "funcref", min: 11 }), /over the store's table limit of 10 elements/);
});
