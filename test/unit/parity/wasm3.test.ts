/**
 * WebAssembly 3.0 through the API where the engine has it: exceptions (`Tag`, `Exception`), GC
 * reference types in `ValType`/`FuncType` with GC values crossing as opaque references, typed function
 * references, memory64 and multi-memory. Tests that need an engine feature are skipped, with the reason,
 * on engines without it (Node 20 has exceptions but not the rest; Node >= 24/26 has them all).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Exception, Func, Global, Linker, Memory, Module, Store, Tag, Trap, type ValType } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine();

/** True when the engine compiles `text` (a feature probe). */
function engineHas(text: string): boolean {
  try {
    return WebAssembly.validate(wat(text) as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}
const GC = engineHas(`(module (type $s (struct (field i32))) (func (result anyref) (struct.new $s (i32.const 1))))`);
const TYPED_REFS = engineHas(`(module (type $f (func)) (func (param (ref $f)) (call_ref $f (local.get 0))))`);
// The probe wasmhost itself uses: 64-bit memories and tables (Node 22 has the memories only, and no host-made ones).
const MEMORY64 = Engine.hostFeatures().memory64;
const MULTI_MEMORY = engineHas(`(module (memory 1) (memory 1))`);
const EXNREF = engineHas(`(module (tag $t) (func (block $h (result exnref) (try_table (catch_all_ref $h) (throw $t)) (unreachable)) (throw_ref)))`);
const skip = (has: boolean, feature: string): { skip?: string } => (has ? {} : { skip: `this engine (Node ${process.versions.node}) lacks ${feature}` });

test("an exception thrown by wasm reaches the host as an Exception with its tag and payload", () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (tag $e (export "e") (param i32 i64))
    (func (export "boom") (param i32) (throw $e (local.get 0) (i64.const 77))))`)));
  const tag = inst.getTag("e")!;
  assert.deepEqual(tag.type.params, ["i32", "i64"]);
  assert.throws(() => inst.getTypedFunc("boom", ["i32"], [])(5), (e: unknown) => {
    assert.ok(e instanceof Exception);
    assert.ok(!(e instanceof Trap));
    assert.equal(e.tag, tag);
    assert.deepEqual(e.payload, [5, 77n]);
    assert.ok(e.is(tag));
    return true;
  });
});

test("a host function throws an Exception into wasm, which catches it; uncaught ones come back as the same object", () => {
  const store = new Store(engine);
  const tag = new Tag(store, { params: ["i32"] });
  const linker = new Linker(engine).define("host", "tag", tag);
  let thrown: Exception | undefined;
  linker.defineFunc("host", "fail", { params: ["i32"], results: [] }, (_c, n) => {
    thrown = new Exception(tag, [n * 2]);
    throw thrown;
  });
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "tag" (tag $t (param i32)))
    (import "host" "fail" (func $fail (param i32)))
    (func (export "caught") (param i32) (result i32)
      (try (result i32) (do (call $fail (local.get 0)) (i32.const -1)) (catch $t)))
    (func (export "uncaught") (param i32) (call $fail (local.get 0))))`)));
  assert.equal(inst.getTypedFunc("caught", ["i32"], ["i32"])(21), 42);
  assert.throws(() => inst.getTypedFunc("uncaught", ["i32"], [])(4), (e: unknown) => e === thrown && (e as Exception).payload![0] === 8);
  // An exception caught by the host can be thrown back into wasm.
  const rethrow = inst.getTypedFunc("caught", ["i32"], ["i32"]);
  assert.equal(rethrow(1), 2);
  assert.throws(() => new Exception(tag, [1, 2]), /takes 1 value \(i32\), got 2/);
  assert.throws(() => new Exception(tag, ["x"]), /payload\[0\] \(i32\) expects a number/);
  assert.throws(() => new Exception(null as never, []), /tag must be a Tag/);
});

test("exnref: try_table catch_ref / throw_ref rethrow a host's exception", skip(EXNREF, "exnref exceptions"), () => {
  const store = new Store(engine);
  const tag = new Tag(store, { params: ["f64"] });
  const linker = new Linker(engine).define("host", "tag", tag);
  linker.defineFunc("host", "fail", { params: [], results: [] }, () => {
    throw new Exception(tag, [2.5]);
  });
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "tag" (tag $t (param f64)))
    (import "host" "fail" (func $fail))
    (func (export "again")
      (block $h (result exnref) (try_table (catch_all_ref $h) (call $fail)) (unreachable))
      (throw_ref)))`)));
  assert.throws(() => inst.getTypedFunc("again", [], [])(), (e: unknown) => e instanceof Exception && e.tag === tag && e.payload![0] === 2.5);
});

test("GC reference types show in FuncType; GC values cross as opaque references", skip(GC, "GC"), () => {
  const store = new Store(engine);
  const module = new Module(engine, wat(`(module
    (type $point (struct (field $x i32) (field $y i32)))
    (type $nums (array (mut i32)))
    (func (export "make") (param i32 i32) (result (ref $point)) (struct.new $point (local.get 0) (local.get 1)))
    (func (export "x") (param (ref null $point)) (result i32) (struct.get $point $x (local.get 0)))
    (func (export "any") (param anyref) (result i32) (ref.test (ref i31) (local.get 0)))
    (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
    (func (export "arr") (result arrayref) (array.new $nums (i32.const 3) (i32.const 2)))
    (func (export "eq") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))
    (func (export "none") (result nullref) (ref.null none))
    (global (export "g") (mut structref) (ref.null struct)))`));
  const make = module.exports.find((e) => e.name === "make")!.type as unknown as { params: ValType[]; results: ValType[] };
  assert.deepEqual(make.params, ["i32", "i32"]);
  const result = make.results[0] as { ref: { index: number; kind: string }; nullable: boolean };
  assert.equal(result.nullable, false);
  assert.equal(result.ref.kind, "struct");
  const any = module.exports.find((e) => e.name === "any")!.type as unknown as { params: ValType[] };
  assert.deepEqual(any.params, ["anyref"]);
  const inst = new Linker(engine).instantiate(store, module);
  const point = inst.getFunc("make")!.call(3, 4);
  assert.equal(typeof point, "object");
  assert.equal(inst.getFunc("x")!.call(point), 3);
  assert.equal(inst.getFunc("eq")!.call(point, point), 1);
  assert.equal(inst.getFunc("eq")!.call(point, inst.getFunc("make")!.call(3, 4)), 0);
  assert.equal(inst.getFunc("i31")!.call(7), 7);
  assert.equal(inst.getFunc("any")!.call(7), 1);
  assert.equal(inst.getFunc("none")!.call(), null);
  assert.equal(typeof inst.getFunc("arr")!.call(), "object");
  const g = inst.getGlobal("g")!;
  assert.equal(g.type.content, "structref");
  g.value = point;
  assert.equal(g.value, point);
  // A host function with GC parameters gets the same opaque values back.
  const linker = new Linker(engine);
  let seen: unknown;
  linker.defineFunc("host", "see", { params: ["anyref"], results: ["anyref"] }, (_c, v) => (seen = v));
  const echo = linker.instantiate(store, new Module(engine, wat(`(module (import "host" "see" (func $see (param anyref) (result anyref)))
    (func (export "run") (param anyref) (result anyref) (call $see (local.get 0))))`)));
  assert.equal(echo.getFunc("run")!.call(point), point);
  assert.equal(seen, point);
});

test("typed function references: (ref $f) parameters take Funcs, and null is refused for non-nullable ones", skip(TYPED_REFS, "typed function references"), () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (type $unop (func (param i32) (result i32)))
    (func $double (export "double") (type $unop) (i32.mul (local.get 0) (i32.const 2)))
    (elem declare func $double)
    (func (export "apply") (param (ref $unop) i32) (result i32) (call_ref $unop (local.get 1) (local.get 0)))
    (func (export "get") (result (ref $unop)) (ref.func $double)))`)));
  const apply = inst.getFunc("apply")!;
  const param = apply.type.params[0] as unknown as { ref: { kind: string; func: { params: ValType[]; results: ValType[] } }; nullable: boolean };
  assert.equal(param.nullable, false);
  assert.deepEqual(param.ref.func.params, ["i32"]);
  assert.equal(apply.call(inst.getFunc("double"), 21), 42);
  assert.throws(() => apply.call(null, 1), /parameter 0 \(\(ref \$0\)\) expects a Func, got null/);
  assert.equal(inst.getFunc("get")!.call(), inst.getFunc("double"));
  const triple = Func.wrap(store, { params: ["i32"], results: ["i32"] }, (_c, n) => n * 3);
  assert.equal(apply.call(triple, 5), 15);
});

test("memory64: MemoryType.memory64, 64-bit limits and bigint addresses", skip(MEMORY64, "memory64"), () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (memory (export "m") i64 1 5)
    (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
    (func (export "size") (result i64) (memory.size)))`)));
  const m = inst.getMemory("m")!;
  assert.deepEqual(m.type, { min: 1, max: 5, shared: false, memory64: true });
  inst.getFunc("store")!.call(100n, 1234);
  assert.equal(m.getI32(100n), 1234);
  assert.equal(m.getI32(100), 1234);
  m.setI32(200n, 9);
  assert.deepEqual([...m.read(200n, 4n)], [9, 0, 0, 0]);
  assert.equal(m.grow(1n), 1);
  assert.equal(inst.getFunc("size")!.call(), 2n);
  const mine = new Memory(store, { min: 1, max: 3, memory64: true });
  assert.equal(mine.type.memory64, true);
  const reader = new Linker(engine).define("host", "m", mine).instantiate(store, new Module(engine, wat(`(module
    (import "host" "m" (memory i64 1))
    (func (export "load") (param i64) (result i32) (i32.load (local.get 0))))`)));
  mine.setI32(8, 55);
  assert.equal(reader.getFunc("load")!.call(8n), 55);
});

test("multi-memory: each memory by name from the instance and from the Caller", skip(MULTI_MEMORY, "multi-memory"), () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const seen: number[] = [];
  linker.defineFunc("host", "peek", { params: [], results: [] }, (caller) => {
    seen.push(caller.getMemory("a")!.getI32(0), caller.getMemory("b")!.getI32(0));
  });
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "peek" (func $peek))
    (memory $a (export "a") 1) (memory $b (export "b") 1)
    (func (export "run") (i32.store $a (i32.const 0) (i32.const 1)) (i32.store $b (i32.const 0) (i32.const 2)) (call $peek)))`)));
  inst.getTypedFunc("run", [], [])();
  assert.deepEqual(seen, [1, 2]);
  assert.equal(inst.getMemory("b")!.getI32(0), 2);
});

test("exnref values do not cross the host boundary: a clear TypeError", skip(EXNREF, "exnref"), () => {
  const inst = new Linker(engine).instantiate(new Store(engine), new Module(engine, wat(`(module (func (export "f") (param exnref))
    (func (export "g") (result exnref) (ref.null exn)))`)));
  assert.throws(() => inst.getFunc("f")!.call(null), /f: parameter 0: exnref values cannot cross the host boundary/);
  assert.throws(() => inst.getFunc("g")!.call(), /g: its result: exnref values cannot cross the host boundary/);
  void Global;
});
