/**
 * v128 at the host boundary: the `V128` value class, and v128 parameters and results in host functions,
 * `func.call`, typed functions, function references and globals, through generated bridge modules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Func, Global, Linker, Module, Store, Trap, V128 } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine();

test("V128 builds from and reads back every lane shape, little-endian", () => {
  const v = V128.i32x4(1, -2, 0x7fffffff, -0x80000000);
  assert.deepEqual(v.i32x4, [1, -2, 0x7fffffff, -0x80000000]);
  assert.deepEqual(v.u32x4, [1, 0xfffffffe, 0x7fffffff, 0x80000000]);
  assert.deepEqual([...v.bytes.subarray(0, 8)], [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
  assert.deepEqual(V128.i8x16(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -1).u8x16.at(-1), 255);
  assert.deepEqual(V128.i16x8(1, -1, 3, 4, 5, 6, 7, 8).i16x8, [1, -1, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(V128.i64x2(-1n, 2n ** 63n).i64x2, [-1n, -(2n ** 63n)]);
  assert.deepEqual(V128.i64x2(-1n, 5n).u64x2, [2n ** 64n - 1n, 5n]);
  assert.deepEqual(V128.f32x4(1.5, -0, Infinity, 0.1).f32x4, [1.5, -0, Infinity, Math.fround(0.1)]);
  assert.deepEqual(V128.f64x2(0.1, NaN).f64x2, [0.1, NaN]);
  assert.ok(V128.fromBytes(v.bytes).equals(v));
  assert.ok(!v.equals(V128.zero()));
  assert.ok(!v.equals(v.i32x4));
  assert.match(V128.i32x4(1, 2, 3, 4).toString(), /^v128\.const i32x4 0x00000001 0x00000002 0x00000003 0x00000004$/);
  assert.throws(() => V128.fromBytes(new Uint8Array(15)), /16 bytes/);
  assert.throws(() => (V128.i32x4 as (...lanes: number[]) => V128)(1, 2, 3), /expected 4 lanes/);
  assert.throws(() => V128.i64x2(1 as never, 2n), /lane 0 must be a bigint/);
  assert.ok(Object.isFrozen(v));
});

const simd = wat(`(module
  (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "mixed") (param i32 v128 i64) (result i64 v128 i32)
    (local.get 2) (i32x4.splat (local.get 0)) (i32x4.extract_lane 3 (local.get 1)))
  (func (export "splat") (param f64) (result v128) (f64x2.splat (local.get 0)))
  (global (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (global (export "c") v128 (v128.const i64x2 -1 7)))`);

test("func.call and typed functions take and return V128", () => {
  const inst = new Linker(engine).instantiate(new Store(engine), new Module(engine, simd));
  const add = inst.getTypedFunc("add", ["v128", "v128"], ["v128"]);
  assert.deepEqual(add(V128.i32x4(1, 2, 3, 4), V128.i32x4(10, 20, 30, -4)).i32x4, [11, 22, 33, 0]);
  const [wide, splat, lane] = inst.getFunc("mixed")!.call(7, V128.i32x4(0, 0, 0, 99), 5n) as [bigint, V128, number];
  assert.equal(wide, 5n);
  assert.deepEqual(splat.i32x4, [7, 7, 7, 7]);
  assert.equal(lane, 99);
  assert.deepEqual((inst.getFunc("splat")!.call(0.25) as V128).f64x2, [0.25, 0.25]);
  assert.throws(() => add(V128.zero(), 5 as never), /parameter 1 \(v128\) expects a V128, got number 5/);
  assert.throws(() => (add as (...a: unknown[]) => unknown)(V128.zero()), /expected 2 arguments/);
});

test("host functions take and return V128, called from wasm and from the host", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const seen: V128[] = [];
  linker.defineFunc("host", "twice", { params: ["v128", "i32"], results: ["v128"] }, (_caller, v, n) => {
    seen.push(v);
    return V128.i32x4(...(v.i32x4.map((l) => l * n) as [number, number, number, number]));
  });
  linker.defineFunc("host", "pair", { params: [], results: ["v128", "v128"] }, () => [V128.i32x4(1, 1, 1, 1), V128.i32x4(2, 2, 2, 2)]);
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "twice" (func $twice (param v128 i32) (result v128)))
    (import "host" "pair" (func $pair (result v128 v128)))
    (func (export "run") (result i32)
      (i32x4.extract_lane 2 (call $twice (v128.const i32x4 1 2 3 4) (i32.const 3))))
    (func (export "sum") (result i32) (i32x4.extract_lane 0 (i32x4.add (call $pair)))))`)));
  assert.equal(inst.getTypedFunc("run", [], ["i32"])(), 9);
  assert.deepEqual(seen[0]!.i32x4, [1, 2, 3, 4]);
  assert.equal(inst.getTypedFunc("sum", [], ["i32"])(), 3);
  // A Func.wrap host function: called from the host, and through a table from wasm.
  const neg = Func.wrap(store, { params: ["v128"], results: ["v128"] }, (_c, v) => V128.i32x4(...(v.i32x4.map((l) => -l) as [number, number, number, number])));
  assert.deepEqual((neg.call(V128.i32x4(1, 2, 3, 4)) as V128).i32x4, [-1, -2, -3, -4]);
  assert.deepEqual(neg.typed(["v128"], ["v128"])(V128.i32x4(5, 0, 0, 0)).i32x4, [-5, 0, 0, 0]);
  const viaTable = linker.define("host", "neg", neg).instantiate(store, new Module(engine, wat(`(module
    (import "host" "neg" (func $neg (param v128) (result v128)))
    (table 1 funcref) (elem (i32.const 0) $neg) (type $t (func (param v128) (result v128)))
    (func (export "run") (result i32) (i32x4.extract_lane 1 (call_indirect (type $t) (v128.const i32x4 0 8 0 0) (i32.const 0)))))`)));
  assert.equal(viaTable.getTypedFunc("run", [], ["i32"])(), -8);
});

test("a host function's bad v128 result is a TypeError naming it; traps and host errors pass through", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("host", "bad", { params: [], results: ["v128"] }, () => 42);
  const boom = new Error("boom");
  linker.defineFunc("host", "throws", { params: ["v128"], results: [] }, () => {
    throw boom;
  });
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "bad" (func $bad (result v128)))
    (import "host" "throws" (func $throws (param v128)))
    (func (export "bad") (drop (call $bad)))
    (func (export "throws") (call $throws (v128.const i64x2 0 0)))
    (func (export "trap") (param v128) (result v128) unreachable))`)));
  assert.throws(() => inst.getTypedFunc("bad", [], [])(), /host function host::bad: expected a V128 for v128, got number 42/);
  assert.throws(() => inst.getTypedFunc("throws", [], [])(), (e) => e === boom);
  assert.throws(() => inst.getTypedFunc("trap", ["v128"], ["v128"])(V128.zero()), (e) => e instanceof Trap && e.code === "unreachable");
});

test("v128 globals: exported ones read and write, host-made ones import into wasm", () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, simd));
  const g = inst.getGlobal("g")!;
  assert.deepEqual((g.value as V128).i32x4, [1, 2, 3, 4]);
  g.value = V128.i32x4(5, 6, 7, 8);
  assert.deepEqual((g.value as V128).i32x4, [5, 6, 7, 8]);
  assert.deepEqual((inst.getGlobal("c")!.value as V128).i64x2, [-1n, 7n]);
  assert.throws(() => (inst.getGlobal("c")!.value = V128.zero()), /immutable/);
  assert.throws(() => (g.value = 1), /a v128 global holds a V128, got number 1/);

  const mine = new Global(store, { content: "v128", mutable: true }, V128.f32x4(1, 2, 3, 4.5));
  assert.deepEqual((mine.value as V128).f32x4, [1, 2, 3, 4.5]);
  const reader = new Linker(engine).define("host", "g", mine).instantiate(store, new Module(engine, wat(`(module
    (import "host" "g" (global $g (mut v128)))
    (func (export "last") (result f32) (f32x4.extract_lane 3 (global.get $g)))
    (func (export "bump") (global.set $g (f32x4.add (global.get $g) (global.get $g)))))`)));
  assert.equal(reader.getTypedFunc("last", [], ["f32"])(), 4.5);
  reader.getTypedFunc("bump", [], [])();
  assert.deepEqual((mine.value as V128).f32x4, [2, 4, 6, 9]);
  assert.throws(() => new Global(store, { content: "v128", mutable: false }, 0), /holds a V128/);
});
