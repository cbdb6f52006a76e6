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
import { Component, ComponentError, ComponentLinker, parseComponentText } from "../../../src/component/index.js";

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

test("host resources: one class serves instances in several stores; each drop disposes its own store's object", () => {
  // A host resource type is one per class and import path (shared by instantiations), while objects
  // are numbered per store: a drop must release the object of the dropping instance's store.
  const made: object[] = [];
  const disposed: object[] = [];
  class Logger {
    constructor(readonly prefix: string) {
      made.push(this);
    }
    log(msg: string): string {
      return this.prefix + msg;
    }
    [Symbol.dispose](): void {
      disposed.push(this);
    }
  }
  const component = Component.fromText(engine, LOGGER);
  const [a, b] = [new ComponentLinker(engine), new ComponentLinker(engine)].map((linker) => {
    linker.define("demo:c/host", { Logger });
    return (linker.instantiate(new Store(engine), component).exports as { run: () => number }).run;
  });
  for (const run of [a!, a!, b!, a!, b!]) assert.equal(run(), 4);
  assert.equal(made.length, 5);
  assert.deepEqual(disposed, made);
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

const LOOP = `(component
  (core module $M (func (export "spin") (loop $l (br $l))))
  (core instance $m (instantiate $M))
  (func (export "spin") (canon lift (core func $m "spin")))
)`;

test("component code runs under the store's fuel like any module", () => {
  const fueled = new Engine({ consumeFuel: true });
  const store = new Store(fueled);
  store.setFuel(10_000);
  const { spin } = new ComponentLinker(fueled).instantiate(store, Component.fromText(fueled, LOOP)).exports as { spin: () => void };
  assert.throws(() => spin(), (e: unknown) => e instanceof Trap && e.code === "out_of_fuel");
});

test("component code that traps in the engine is billed exactly what ran", () => {
  const fueled = new Engine({ consumeFuel: true });
  const store = new Store(fueled);
  const text = `(component
    (core module $M (memory 1)
      (func (export "oob") (result i32) (i32.load (i32.const 65536)) (i32.const 1) (i32.add)))
    (core instance $m (instantiate $M))
    (func (export "oob") (result u32) (canon lift (core func $m "oob"))))`;
  const { oob } = new ComponentLinker(fueled).instantiate(store, Component.fromText(fueled, text)).exports as { oob: () => number };
  store.setFuel(1000);
  assert.throws(() => oob(), (e: unknown) => e instanceof Trap && e.code === "memory_out_of_bounds");
  assert.equal(1000 - store.getFuel(), 3, "entry, i32.const, i32.load (not the i32.const and i32.add after it)");
});

test("serialize and deserialize give a component that runs the same", () => {
  const c = Component.fromText(engine, VALUES);
  const again = Component.deserialize(engine, c.serialize());
  const exports = new ComponentLinker(engine).instantiate(new Store(engine), again).exports as { echo: (s: string) => string };
  assert.equal(exports.echo("round trip ✓"), "round trip ✓");
  assert.throws(() => Component.deserialize(engine, new Uint8Array([1, 2, 3])), { name: "CompileError" });
});

test("Component.compile compiles asynchronously", async () => {
  const c = await Component.compile(engine, parseComponentText(VALUES));
  const exports = new ComponentLinker(engine).instantiate(new Store(engine), c).exports as { echo: (s: string) => string };
  assert.equal(exports.echo("async"), "async");
});

test("imports and exports list names with component types; wit() prints the world", () => {
  const c = Component.fromText(engine, LOGGER);
  assert.deepEqual(c.imports.map((i) => [i.name, i.type.kind]), [["demo:c/host", "instance"]]);
  assert.deepEqual(c.exports.map((e) => [e.name, e.type.kind]), [["run", "func"]]);
  const wit = c.wit();
  assert.match(wit, /import demo:c\/host;/);
  assert.match(wit, /export run: func\(\) -> u32;/);
});

test("undefined imports can be stubs that trap when called", () => {
  const linker = new ComponentLinker(engine);
  const component = Component.fromText(engine, LOGGER);
  linker.defineUnknownImportsAsTraps(component);
  const { run } = linker.instantiate(new Store(engine), component).exports as { run: () => number };
  assert.throws(() => run(), { message: /unknown import: `demo:c\/host#\[constructor\]logger` has not been defined/ });
});

test("linking another component's export of the wrong type is a LinkError with both types", () => {
  const store = new Store(engine);
  const linker = new ComponentLinker(engine);
  const greeter = linker.instantiate(store, Component.fromText(engine, GREETER));
  linker.define("demo:c/greeter", greeter.exports["demo:c/greeter"] as Record<string, unknown>);
  const wrong = CALLER.replace('(export "greet" (func (param "name" string) (result string)))', '(export "greet" (func (param "who" string) (result string)))');
  assert.throws(() => linker.instantiate(store, Component.fromText(engine, wrong)), (e: unknown) => {
    assert.equal((e as Error).message, "component import `demo:c/greeter#greet` has the wrong type: expected func(who: string) -> string, given func(name: string) -> string");
    assert.equal((e as { expected?: string }).expected, "func(who: string) -> string");
    return true;
  });
});

const ROOT_IMPORT = `(component
  (import "double" (func $double (param "x" u32) (result u32)))
  (core func $d (canon lower (func $double)))
  (core module $M
    (import "" "double" (func $double (param i32) (result i32)))
    (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0)))))
  (core instance $m (instantiate $M (with "" (instance (export "double" (func $d))))))
  (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $m "quad")))
)`;

test("world-level imports from root().func; a host error leaves through the guest as the same object", () => {
  const linker = new ComponentLinker(engine);
  linker.root().func("double", (x: number) => x * 2);
  const component = Component.fromText(engine, ROOT_IMPORT);
  const { quad } = linker.instantiate(new Store(engine), component).exports as { quad: (x: number) => number };
  assert.equal(quad(5), 20);

  const failing = new ComponentLinker(engine);
  const boom = new Error("boom");
  failing.root().func("double", () => {
    throw boom;
  });
  const broken = failing.instantiate(new Store(engine), component).exports as { quad: (x: number) => number };
  assert.throws(() => broken.quad(1), (e: unknown) => e === boom);
  assert.throws(() => broken.quad(1), { message: "wasm trap: cannot enter component instance" });
  // Other instances keep working.
  assert.equal(quad(1), 4);

  const lying = new ComponentLinker(engine);
  lying.root().func("double", () => "two");
  const bad = lying.instantiate(new Store(engine), component).exports as { quad: (x: number) => number };
  assert.throws(() => bad.quad(1), { name: "TypeError", message: 'double: result: expected a u32 (an integer in 0..4294967295), got "two"' });
});

const TRAPPING_REALLOC = `(component
  (core module $M
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable)
    (func (export "len") (param i32 i32) (result i32) (local.get 1)))
  (core instance $m (instantiate $M))
  (func (export "len") (param "s" string) (result u32)
    (canon lift (core func $m "len") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
)`;

test("a trap in realloc while lowering arguments poisons the instance; a TypeError before it does not", () => {
  const { len } = new ComponentLinker(engine).instantiate(new Store(engine), Component.fromText(engine, TRAPPING_REALLOC)).exports as {
    len: (s: unknown) => number;
  };
  assert.throws(() => len(7), { name: "TypeError" });
  assert.throws(() => len("abc"), (e: unknown) => e instanceof Trap && e.code === "unreachable");
  assert.throws(() => len("abc"), { message: "wasm trap: cannot enter component instance" });
});

const SPILL = `(component
  (core module $M
    (memory (export "mem") 1)
    ${REALLOC}
    (func (export "sum17") (param i32) (result i32) (local $s i32)
      (local.set $s (i32.add (local.get $s) (i32.load offset=0 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=4 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=8 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=12 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=16 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=20 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=24 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=28 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=32 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=36 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=40 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=44 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=48 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=52 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=56 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=60 (local.get 0))))
      (local.set $s (i32.add (local.get $s) (i32.load offset=64 (local.get 0))))
      (local.get $s)))
  (core instance $m (instantiate $M))
  (func (export "sum17") (param "p0" u32) (param "p1" u32) (param "p2" u32) (param "p3" u32) (param "p4" u32) (param "p5" u32) (param "p6" u32) (param "p7" u32) (param "p8" u32) (param "p9" u32) (param "p10" u32) (param "p11" u32) (param "p12" u32) (param "p13" u32) (param "p14" u32) (param "p15" u32) (param "p16" u32) (result u32)
    (canon lift (core func $m "sum17") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
)`;

const GROWING = `(component
  (core module $M
    (memory (export "mem") 1)
    ;; every allocation grows the memory by a page and returns the old end
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      (local.set $p (i32.mul (memory.grow (i32.const 1)) (i32.const 65536)))
      (memory.copy (local.get $p) (local.get 0) (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))
      (local.get $p))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 8) (local.get 0)) (i32.store (i32.const 12) (local.get 1)) (i32.const 8)))
  (core instance $m (instantiate $M))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
)`;

test("more than 16 flat parameters spill to memory allocated with realloc", () => {
  const { sum17 } = new ComponentLinker(engine).instantiate(new Store(engine), Component.fromText(engine, SPILL)).exports as {
    sum17: (...a: number[]) => number;
  };
  const args = Array.from({ length: 17 }, (_, i) => i + 1);
  assert.equal(sum17(...args), 153);
  assert.throws(() => sum17(...args.slice(0, 16), -1), { name: "TypeError", message: /sum17: arg 16: expected a u32/ });
});

test("memory that grows inside realloc is seen by the rest of the lowering", () => {
  const { echo } = new ComponentLinker(engine).instantiate(new Store(engine), Component.fromText(engine, GROWING)).exports as {
    echo: (s: string) => string;
  };
  for (const s of ["short", "ünïcödé grows twice", "x".repeat(5000)]) assert.equal(echo(s), s);
});
