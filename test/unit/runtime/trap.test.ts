import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store, Trap, wasmFramesOf, type TrapCode } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";
import { trapOf } from "../../helpers/trap.js";

const engine = new Engine();

function instantiate(text: string, linker = new Linker(engine)) {
  return linker.instantiate(new Store(engine), new Module(engine, wat(text)));
}


test("every engine trap maps to its TrapCode", () => {
  const inst = instantiate(`(module $traps
    (memory 1)
    (table 2 funcref)
    (type $v (func))
    (type $i (func (result i32)))
    (func $f (type $v))
    (elem (i32.const 1) $f)
    (func (export "unreachable") unreachable)
    (func (export "oob") (drop (i32.load (i32.const 65535))))
    (func (export "div0") (drop (i32.div_s (i32.const 1) (i32.const 0))))
    (func (export "rem0") (drop (i64.rem_u (i64.const 1) (i64.const 0))))
    (func (export "overflow") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1))))
    (func (export "conv") (drop (i32.trunc_f32_s (f32.const nan))))
    (func (export "table_oob") (call_indirect (type $v) (i32.const 5)))
    (func (export "sig") (drop (call_indirect (type $i) (i32.const 1))))
    (func (export "table_get_oob") (drop (table.get 0 (i32.const 9))))
    (func $rec (export "recurse") (call $rec))
  )`);
  const cases: [string, TrapCode, string][] = [
    ["unreachable", "unreachable", "unreachable"],
    ["oob", "memory_out_of_bounds", "out of bounds memory access"],
    ["div0", "integer_division_by_zero", "integer divide by zero"],
    ["rem0", "integer_division_by_zero", "integer divide by zero"],
    ["overflow", "integer_overflow", "integer overflow"],
    ["conv", "bad_conversion_to_integer", "invalid conversion to integer"],
    ["table_oob", "table_out_of_bounds", "out of bounds table access"],
    ["sig", "bad_signature", "indirect call type mismatch"],
    ["table_get_oob", "table_out_of_bounds", "out of bounds table access"],
    ["recurse", "stack_overflow", "call stack exhausted"],
  ];
  for (const [name, code, text] of cases) {
    const trap = trapOf(() => inst.getFunc(name)!.call());
    assert.equal(trap.code, code, name);
    assert.ok(trap.message.startsWith(`wasm trap: `), trap.message);
    assert.ok(trap.message.includes(text), `${name}: ${trap.message}`);
    assert.ok(trap.cause instanceof Error, "the engine's error is the cause");
  }
});

test("trap frames are innermost first with function names, module name and offsets", () => {
  const bytes = wat(`(module $calc
    (func $divide (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func $outer (export "outer") (param i32) (result i32) (call $divide (i32.const 10) (local.get 0))))`);
  const inst = new Linker(engine).instantiate(new Store(engine), new Module(engine, bytes));
  const trap = trapOf(() => inst.getTypedFunc("outer", ["i32"], ["i32"])(0));
  assert.equal(trap.code, "integer_division_by_zero");
  assert.equal(trap.frames.length, 2);
  const [inner, outer] = trap.frames;
  assert.deepEqual({ ...inner, offset: 0 }, { module: "calc", funcIndex: 0, funcName: "divide", offset: 0 });
  assert.deepEqual({ ...outer, offset: 0 }, { module: "calc", funcIndex: 1, funcName: "outer", offset: 0 });
  // The offset is the trapping instruction's byte offset in the original binary: i32.div_s (0x6d).
  assert.equal(bytes[inner!.offset], 0x6d);
  assert.equal(bytes[outer!.offset], 0x10, "the outer frame points at its call instruction");
  const lines = trap.message.split("\n");
  assert.equal(lines[0], "wasm trap: integer divide by zero");
  assert.equal(lines[2], `    0: 0x${inner!.offset.toString(16)} - calc!divide`);
  assert.equal(lines[3], `    1: 0x${outer!.offset.toString(16)} - calc!outer`);
});

test("deep backtraces are complete, not cut at ten frames", () => {
  const inst = instantiate(`(module
    (func $down (export "down") (param i32)
      (if (i32.eqz (local.get 0)) (then unreachable))
      (call $down (i32.sub (local.get 0) (i32.const 1)))))`);
  const trap = trapOf(() => inst.getTypedFunc("down", ["i32"], [])(50));
  assert.equal(trap.frames.length, 51);
  assert.ok(trap.frames.every((f) => f.funcIndex === 0));
});

test("a trap's stack, as Node prints an uncaught one, carries the wasm backtrace of its message", () => {
  // Frames are worked out when first read (a deep stack costs milliseconds at trap time): the stack
  // must still read as the message does, then the JS frames.
  const inst = instantiate(`(module
    (func $down (export "down") (param i32)
      (if (i32.eqz (local.get 0)) (then unreachable))
      (call $down (i32.sub (local.get 0) (i32.const 1)))))`);
  const trap = trapOf(() => inst.getTypedFunc("down", ["i32"], [])(3));
  const stack = trap.stack!;
  assert.ok(stack.startsWith(`Trap: ${trap.message}\n`), stack);
  assert.match(stack, /wasm backtrace:\n {4}0: 0x[0-9a-f]+ - .*down/);
  assert.match(stack.slice(`Trap: ${trap.message}`.length), /^\n {4}at /);
  assert.equal(trap.frames.length, 4);
});

test("functions without names show their index", () => {
  const inst = instantiate(`(module (func (export "f") unreachable))`);
  const trap = trapOf(() => inst.getFunc("f")!.call());
  assert.equal(trap.frames[0]!.funcName, undefined);
  assert.match(trap.message, /0: 0x[0-9a-f]+ - <wasm function 0>/);
});

test("a host function's error reaches the caller as the same object, with the wasm frames it crossed", () => {
  const boom = new Error("boom");
  const linker = new Linker(engine);
  linker.defineFunc("host", "fail", { params: [], results: [] }, () => {
    throw boom;
  });
  const inst = instantiate(`(module $app (import "host" "fail" (func $fail))
    (func $middle (call $fail))
    (func $run (export "run") (call $middle)))`, linker);
  try {
    inst.getTypedFunc("run", [], [])();
    assert.fail("should throw");
  } catch (e) {
    assert.equal(e, boom);
    const frames = wasmFramesOf(e);
    assert.deepEqual(frames.map((f) => f.funcName), ["middle", "run"]);
    assert.ok(frames.every((f) => f.module === "app"));
  }
});

test("a trap inside a nested call keeps its code through outer wasm frames", () => {
  const linker = new Linker(engine);
  const store = new Store(engine);
  const inner = linker.instantiate(store, new Module(engine, wat(`(module $inner (func (export "bad") unreachable))`)));
  linker.defineFunc("host", "callback", { params: [], results: [] }, () => inner.getTypedFunc("bad", [], [])());
  const outer = linker.instantiate(store, new Module(engine, wat(`(module (import "host" "callback" (func $cb)) (func (export "run") (call $cb)))`)));
  const trap = trapOf(() => outer.getTypedFunc("run", [], [])());
  assert.equal(trap.code, "unreachable");
  assert.equal(trap.frames[0]!.module, "inner");
});

test("stack overflow is recoverable: the host carries on", () => {
  const inst = instantiate(`(module
    (func $r (export "r") (param i32) (result i32) (call $r (local.get 0)))
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))`);
  const r = inst.getTypedFunc("r", ["i32"], ["i32"]);
  const down = inst.getTypedFunc("down", ["i32"], ["i32"]);
  assert.equal(trapOf(() => r(1)).code, "stack_overflow");
  assert.equal(trapOf(() => r(2)).code, "stack_overflow");
  // The same instance still runs, recursion included, and so does deep JS recursion on the host.
  assert.equal(down(1000), 1000);
  const depth = (n: number): number => (n === 0 ? 0 : 1 + depth(n - 1));
  assert.equal(depth(5000), 5000);
});

test("the same bytes compiled again, with and without a given name, keep each module's own frame names", () => {
  const bytes = wat(`(module $calc (func $boom (export "boom") unreachable))`);
  const names: (string | undefined)[] = [];
  for (const given of [undefined, "first", undefined, "second", "first"]) {
    const m = given === undefined ? new Module(engine, bytes) : new Module(engine, bytes, { name: given });
    const trap = trapOf(() => new Linker(engine).instantiate(new Store(engine), m).getFunc("boom")!.call());
    assert.equal(trap.code, "unreachable");
    names.push(trap.frames[0]!.module);
    assert.equal(trap.frames[0]!.funcName, "boom");
  }
  assert.deepEqual(names, ["calc", "first", "calc", "second", "first"]);
});
