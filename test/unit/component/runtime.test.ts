/**
 * The component runtime through its public API: values in the shapes of API.md, TypeErrors naming the
 * parameter path, canonical ABI traps with Wasmtime's texts and a poisoned instance after a trap,
 * `result` as ComponentError both ways, guest resources as objects with methods and dispose, host
 * resources from a class, and component-to-component linking.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../../src/runtime/engine.js";
import { Store } from "../../../src/runtime/store.js";
import { Trap } from "../../../src/errors.js";
import { Component, ComponentError, ComponentLinker } from "../../../src/component/index.js";

const engine = new Engine();

/** A bump allocator (realloc) in memory 0, as core modules here share it. */
const REALLOC = `
    (global $bump (mut i32) (i32.const 1024))
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (memory.copy (local.get $p) (local.get 0) (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))
      (local.get $p))`;

const VALUES = `(component
  (core module $M
    (memory (export "mem") 1)
    ${REALLOC}
    ;; echo: returns its (ptr, len) through a return area at 8
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 8) (local.get 0)) (i32.store (i32.const 12) (local.get 1)) (i32.const 8))
    ;; bad-utf8: a string of one 0xff byte
    (func (export "bad-utf8") (result i32)
      (i32.store8 (i32.const 100) (i32.const 0xff))
      (i32.store (i32.const 8) (i32.const 100)) (i32.store (i32.const 12) (i32.const 1)) (i32.const 8))
    ;; point: record { x: s32, y: s32 } in memory, returns x + y
    (func (export "sum-point") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    ;; checked-div: result<u32, string>
    (func (export "checked-div") (param i32 i32) (result i32)
      (if (i32.eqz (local.get 1))
        (then
          (i32.store8 (i32.const 16) (i32.const 1))
          (i32.store (i32.const 20) (i32.const 200))
          (i32.store (i32.const 24) (i32.const 16))
          (return (i32.const 16))))
      (i32.store8 (i32.const 16) (i32.const 0))
      (i32.store (i32.const 20) (i32.div_u (local.get 0) (local.get 1)))
      (i32.const 16))
    (data (i32.const 200) "division by zero")
    ;; maybe: option<option<u8>> passed through flat: disc, disc, payload
    (func (export "maybe") (param i32 i32 i32) (result i32)
      (i32.store8 (i32.const 32) (local.get 0))
      (i32.store8 (i32.const 33) (local.get 1))
      (i32.store8 (i32.const 34) (local.get 2))
      (i32.const 32))
  )
  (core instance $m (instantiate $M))
  (type $point' (record (field "x" s32) (field "y-coord" s32)))
  (export $point "point" (type $point'))
  (type $div (result u32 (error string)))
  (type $oo (option (option u8)))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
  (func (export "bad-utf8") (result string) (canon lift (core func $m "bad-utf8") (memory (core memory $m "mem"))))
  (func (export "sum-point") (param "p" $point) (result s32) (canon lift (core func $m "sum-point")))
  (func (export "checked-div") (param "a" u32) (param "b" u32) (result $div)
    (canon lift (core func $m "checked-div") (memory (core memory $m "mem"))))
  (func (export "maybe") (param "v" $oo) (result $oo) (canon lift (core func $m "maybe") (memory (core memory $m "mem"))))
)`;

function values() {
  const linker = new ComponentLinker(engine);
  return linker.instantiate(new Store(engine), Component.fromText(engine, VALUES)).exports as Record<string, (...a: unknown[]) => unknown>;
}

test("strings round-trip through a component, including non-ASCII and astral characters", () => {
  const { echo } = values();
  for (const s of ["", "a", "héllo wörld", "☃☺️öツ", "emoji 😀 here", "x".repeat(1000) + "é"]) assert.equal(echo!(s), s);
});

test("a JS value that does not fit is a TypeError naming the function, the argument and the path", () => {
  const { echo, sumPoint } = values();
  assert.throws(() => echo!(42), { name: "TypeError", message: "echo: arg 0: expected a string, got 42" });
  assert.throws(() => echo!(), { name: "TypeError", message: "echo: expected 1 argument, got 0" });
  assert.throws(() => echo!("\ud800"), { name: "TypeError", message: /echo: arg 0: .*lone surrogate/ });
  assert.throws(() => sumPoint!({ x: 1, yCoord: 1.5 }), {
    name: "TypeError",
    message: "sum-point: arg 0.yCoord: expected a s32 (an integer in -2147483648..2147483647), got 1.5",
  });
  assert.equal(sumPoint!({ x: 1, yCoord: 2 }), 3);
});

test("invalid UTF-8 from the guest traps with Wasmtime's text and poisons the instance", () => {
  const { badUtf8, echo } = values();
  assert.throws(() => badUtf8!(), (e: unknown) => {
    assert.ok(e instanceof Trap);
    assert.equal(e.code, "canonical_abi");
    assert.equal(e.message, "wasm trap: invalid utf-8 sequence of 1 bytes from index 0");
    return true;
  });
  assert.throws(() => echo!("x"), { message: "wasm trap: cannot enter component instance" });
});

test("a result is returned as its ok value or thrown as ComponentError with the payload", () => {
  const { checkedDiv } = values();
  assert.equal(checkedDiv!(10, 3), 3);
  assert.throws(() => checkedDiv!(1, 0), (e: unknown) => e instanceof ComponentError && e.payload === "division by zero");
});

test("nested options: the inner option is tagged", () => {
  const { maybe } = values();
  assert.equal(maybe!(undefined), undefined);
  assert.deepEqual(maybe!({ tag: "none" }), { tag: "none" });
  assert.deepEqual(maybe!({ tag: "some", val: 7 }), { tag: "some", val: 7 });
});

const COUNTERS = `(component
  (core module $D
    (memory (export "mem") 1)
    (global $drops (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set $drops (i32.add (global.get $drops) (i32.const 1))))
    (func (export "drops") (result i32) (global.get $drops)))
  (core instance $d (instantiate $D))
  (alias core export $d "dtor" (core func $dtor))
  (type $R' (resource (rep i32) (dtor (func $dtor))))
  (core func $new (canon resource.new $R'))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (param i32) (result i32)))
    (global $next (mut i32) (i32.const 16))
    (func (export "ctor") (param i32) (result i32) (local i32)
      (local.set 1 (global.get $next))
      (global.set $next (i32.add (global.get $next) (i32.const 4)))
      (i32.store (local.get 1) (local.get 0))
      (call $new (local.get 1)))
    (func (export "inc") (param i32) (i32.store (local.get 0) (i32.add (i32.load (local.get 0)) (i32.const 1))))
    (func (export "get") (param i32) (result i32) (i32.load (local.get 0))))
  (core instance $m (instantiate $M (with "" (instance (export "mem" (memory $d "mem")) (export "new" (func $new))))))
  (export $R "counter" (type $R'))
  (func (export "[constructor]counter") (param "init" u32) (result (own $R)) (canon lift (core func $m "ctor")))
  (func (export "[method]counter.inc") (param "self" (borrow $R)) (canon lift (core func $m "inc")))
  (func (export "[method]counter.get") (param "self" (borrow $R)) (result u32) (canon lift (core func $m "get")))
  (func (export "drops") (result u32) (canon lift (core func $d "drops")))
)`;

test("guest resources are objects with their methods; dispose runs the destructor once", () => {
  const exports = new ComponentLinker(engine).instantiate(new Store(engine), Component.fromText(engine, COUNTERS)).exports;
  const { Counter } = exports as { Counter: new (init: number) => { inc(): void; get(): number; [Symbol.dispose](): void } };
  const c = new Counter(5);
  assert.ok(c instanceof Counter);
  c.inc();
  c.inc();
  assert.equal(c.get(), 7);
  const drops = exports.drops as () => number;
  assert.equal(drops(), 0);
  c[Symbol.dispose]();
  c[Symbol.dispose]();
  assert.equal(drops(), 1);
  assert.throws(() => c.get(), { name: "TypeError", message: /\[method\]counter\.get: arg 0: .*live counter/ });
});

const LOGGER = `(component
  (import "demo:c/host" (instance $h
    (export "logger" (type $L (sub resource)))
    (export "[constructor]logger" (func (param "prefix" string) (result (own $L))))
    (export "[method]logger.log" (func (param "self" (borrow $L)) (param "msg" string) (result string)))
  ))
  (alias export $h "logger" (type $L))
  (core module $Mem (memory (export "mem") 1) ${REALLOC})
  (core instance $mem (instantiate $Mem))
  (core func $new (canon lower (func $h "[constructor]logger") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core func $log (canon lower (func $h "[method]logger.log") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core func $drop (canon resource.drop $L))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "log" (func $log (param i32 i32 i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    (data (i32.const 300) "> hi")
    (func (export "run") (result i32) (local $h i32)
      (local.set $h (call $new (i32.const 300) (i32.const 2)))
      (call $log (local.get $h) (i32.const 302) (i32.const 2) (i32.const 400))
      (call $drop (local.get $h))
      (i32.load (i32.const 404))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "new" (func $new)) (export "log" (func $log)) (export "drop" (func $drop))))))
  (func (export "run") (result u32) (canon lift (core func $m "run")))
)`;

test("host resources: a class on the linker; the guest's drop disposes the object", () => {
  const log: string[] = [];
  class Logger {
    constructor(readonly prefix: string) {}
    log(msg: string): string {
      log.push(this.prefix + msg);
      return this.prefix + msg;
    }
    [Symbol.dispose](): void {
      log.push("disposed");
    }
  }
  const linker = new ComponentLinker(engine);
  linker.define("demo:c/host", { Logger });
  const { run } = linker.instantiate(new Store(engine), Component.fromText(engine, LOGGER)).exports as { run: () => number };
  assert.equal(run(), 4);
  assert.deepEqual(log, ["> hi", "disposed"]);
});

test("a missing import is a LinkError naming it", () => {
  assert.throws(() => new ComponentLinker(engine).instantiate(new Store(engine), Component.fromText(engine, LOGGER)), {
    message: /demo:c\/host/,
  });
});

const GREETER = `(component
  (core module $M
    (memory (export "mem") 1)
    ${REALLOC}
    (data (i32.const 100) "hello, ")
    ;; greet(name) -> "hello, " + name, through a return area at 8
    (func (export "greet") (param i32 i32) (result i32) (local $p i32)
      (local.set $p (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get 1) (i32.const 7))))
      (memory.copy (local.get $p) (i32.const 100) (i32.const 7))
      (memory.copy (i32.add (local.get $p) (i32.const 7)) (local.get 0) (local.get 1))
      (i32.store (i32.const 8) (local.get $p))
      (i32.store (i32.const 12) (i32.add (local.get 1) (i32.const 7)))
      (i32.const 8)))
  (core instance $m (instantiate $M))
  (func $greet (param "name" string) (result string)
    (canon lift (core func $m "greet") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
  (instance $i (export "greet" (func $greet)))
  (export "demo:c/greeter" (instance $i))
)`;

const CALLER = `(component
  (import "demo:c/greeter" (instance $g (export "greet" (func (param "name" string) (result string)))))
  (core module $Mem (memory (export "mem") 1) ${REALLOC})
  (core instance $mem (instantiate $Mem))
  (core func $greet (canon lower (func $g "greet") string-encoding=utf16
    (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "greet" (func $greet (param i32 i32 i32)))
    ;; "wasm" in UTF-16
    (data (i32.const 300) "w\\00a\\00s\\00m\\00")
    (func (export "run") (param i32) (result i32)
      (call $greet (i32.const 300) (i32.const 4) (i32.const 400))
      (i32.const 400)))
  (core instance $m (instantiate $M (with "" (instance (export "mem" (memory $mem "mem")) (export "greet" (func $greet))))))
  (func (export "run") (param "unused" u32) (result string)
    (canon lift (core func $m "run") string-encoding=utf16 (memory (core memory $mem "mem"))))
)`;

test("component-to-component linking: one instance's interface as another's import, across string encodings", () => {
  const store = new Store(engine);
  const linker = new ComponentLinker(engine);
  const greeter = linker.instantiate(store, Component.fromText(engine, GREETER));
  assert.equal((greeter.exports.greeter as { greet(n: string): string }).greet("you"), "hello, you");
  linker.define("demo:c/greeter", greeter.exports["demo:c/greeter"] as Record<string, unknown>);
  const { run } = linker.instantiate(store, Component.fromText(engine, CALLER)).exports as { run: (n: number) => string };
  assert.equal(run(0), "hello, wasm");
});
