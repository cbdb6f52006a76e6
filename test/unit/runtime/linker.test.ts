import assert from "node:assert/strict";
import { test } from "node:test";
import { CompileError, Engine, Func, Global, Instance, LinkError, Linker, Memory, Module, Store, Table, Trap } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine();
const compile = (text: string): Module => new Module(engine, wat(text));

test("defineFunc links a host function that receives the caller and the arguments", () => {
  const store = new Store(engine, { data: { calls: [] as number[] } });
  const linker = new Linker<{ calls: number[] }>(engine);
  linker.defineFunc("host", "note", { params: ["i32"], results: [] }, (caller, n) => {
    caller.data.calls.push(n);
  });
  const m = compile(`(module (import "host" "note" (func $note (param i32)))
    (func (export "run") (call $note (i32.const 7)) (call $note (i32.const 8))))`);
  linker.instantiate(store, m).getTypedFunc("run", [], [])();
  assert.deepEqual(store.data.calls, [7, 8]);
});

test("caller reaches the instance's memory and exports, also during the start function", () => {
  const seen: string[] = [];
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("host", "log", { params: ["i32", "i32"], results: [] }, (caller, ptr, len) => {
    seen.push(caller.getMemory()!.readString(ptr, len));
    assert.ok(caller.getExport("answer") instanceof Func);
  });
  const m = compile(`(module (import "host" "log" (func $log (param i32 i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hello")
    (func (export "answer") (result i32) (i32.const 42))
    (func $start (call $log (i32.const 16) (i32.const 5)))
    (start $start))`);
  const inst = linker.instantiate(store, m);
  assert.deepEqual(seen, ["hello"]);
  assert.equal(inst.getTypedFunc("answer", [], ["i32"])(), 42);
});

test("host functions return several results as a tuple", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("host", "divmod", { params: ["i32", "i32"], results: ["i32", "i32"] }, (_c, a, b) => [Math.trunc(a / b), a % b]);
  const m = compile(`(module (import "host" "divmod" (func $dm (param i32 i32) (result i32 i32)))
    (func (export "f") (result i32) (call $dm (i32.const 17) (i32.const 5)) (i32.mul (i32.const 100)) (i32.add)))`);
  // 17 / 5 = 3 rem 2 -> stack [3, 2] -> 2 * 100 + 3
  assert.equal(linker.instantiate(store, m).getTypedFunc("f", [], ["i32"])(), 203);
});

test("a host function returning the wrong shape is a TypeError naming it", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("host", "two", { params: [], results: ["i32", "i32"] }, () => 5);
  linker.defineFunc("host", "big", { params: [], results: ["i64"] }, () => 5);
  linker.defineFunc("host", "none", { params: [], results: ["i32"] }, () => undefined);
  const m = compile(`(module
    (import "host" "two" (func $two (result i32 i32)))
    (import "host" "big" (func $big (result i64)))
    (import "host" "none" (func $none (result i32)))
    (func (export "two") (result i32) (call $two) (drop))
    (func (export "big") (result i64) (call $big))
    (func (export "none") (result i32) (call $none)))`);
  const inst = linker.instantiate(store, m);
  assert.throws(() => inst.getFunc("two")!.call(), /host function host::two must return an array of 2 results/);
  assert.throws(() => inst.getFunc("big")!.call(), /host function host::big: expected a bigint for i64, got number 5/);
  assert.throws(() => inst.getFunc("none")!.call(), /host function host::none: expected a number for i32, got undefined/);
});

test("i64 crosses as bigint, externref as any value, funcref as Func", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const token = { secret: 1 };
  let gotFunc: unknown;
  linker.defineFunc("host", "twice", { params: ["i64"], results: ["i64"] }, (_c, x) => x * 2n);
  linker.defineFunc("host", "id", { params: ["externref"], results: ["externref"] }, (_c, x) => x);
  linker.defineFunc("host", "take", { params: ["funcref"], results: [] }, (_c, f) => {
    gotFunc = f;
  });
  const m = compile(`(module
    (import "host" "twice" (func $twice (param i64) (result i64)))
    (import "host" "id" (func $id (param externref) (result externref)))
    (import "host" "take" (func $take (param funcref)))
    (func $seven (export "seven") (result i32) (i32.const 7))
    (elem declare func $seven)
    (func (export "twice") (param i64) (result i64) (call $twice (local.get 0)))
    (func (export "id") (param externref) (result externref) (call $id (local.get 0)))
    (func (export "give") (call $take (ref.func $seven))))`);
  const inst = linker.instantiate(store, m);
  assert.equal(inst.getTypedFunc("twice", ["i64"], ["i64"])(1n << 40n), 1n << 41n);
  assert.equal(inst.getTypedFunc("id", ["externref"], ["externref"])(token), token);
  inst.getTypedFunc("give", [], [])();
  assert.equal(gotFunc, inst.getFunc("seven"), "the funcref is the same Func as the export");
  assert.equal((gotFunc as Func).call(), 7);
});

test("v128 crosses the host boundary as a V128 (more in test/unit/parity/v128.test.ts)", () => {
  const store = new Store(engine);
  const m = compile(`(module (func (export "v") (result v128) (v128.const i32x4 1 2 3 4)))`);
  const inst = new Linker(engine).instantiate(store, m);
  assert.deepEqual((inst.getFunc("v")!.call() as { i32x4: number[] }).i32x4, [1, 2, 3, 4]);
});

test("a missing import is a LinkError naming module::name and the expected type", () => {
  const m = compile(`(module (import "env" "f" (func (param i32) (result i32))))`);
  assert.throws(() => new Linker(engine).instantiate(new Store(engine), m), (e: unknown) => {
    assert.ok(e instanceof LinkError);
    assert.equal(e.module, "env");
    assert.equal(e.name, "f");
    assert.match(e.message, /env::f/);
    assert.match(e.message, /func \(i32\) -> \(i32\)/);
    return true;
  });
});

test("mistyped imports are LinkErrors with the expected and given types", () => {
  const store = new Store(engine);
  const cases: [string, (l: Linker) => void, RegExp][] = [
    [`(import "m" "x" (func (param i32)))`, (l) => l.defineFunc("m", "x", { params: ["i64"], results: [] }, () => {}), /expected func \(i32\) -> \(\), got func \(i64\) -> \(\)/],
    [`(import "m" "x" (global (mut i32)))`, (l) => l.define("m", "x", new Global(store, { content: "i32", mutable: false }, 1)), /mutability differs/],
    [`(import "m" "x" (global i32))`, (l) => l.define("m", "x", new Global(store, { content: "f32", mutable: false }, 1)), /expected global i32, got global f32/],
    [`(import "m" "x" (table 5 funcref))`, (l) => l.define("m", "x", new Table(store, { element: "funcref", min: 2 })), /minimum 2 is below the required 5/],
    [`(import "m" "x" (table 1 4 funcref))`, (l) => l.define("m", "x", new Table(store, { element: "funcref", min: 2 })), /no maximum, but at most 4 is required/],
    [`(import "m" "x" (table 1 externref))`, (l) => l.define("m", "x", new Table(store, { element: "funcref", min: 2 })), /expected table 1.. externref, got table 2.. funcref/],
    [`(import "m" "x" (memory 1 2))`, (l) => l.define("m", "x", new Memory(store, { min: 1, max: 3 })), /maximum 3 is above the allowed 2/],
    [`(import "m" "x" (memory 1 2))`, (l) => l.define("m", "x", new Memory(store, { min: 1, max: 2, shared: true })), /sharing differs/],
    [`(import "m" "x" (memory 1))`, (l) => l.defineFunc("m", "x", { params: [], results: [] }, () => {}), /expected memory 1.. pages, got func/],
  ];
  for (const [imp, define, message] of cases) {
    const linker = new Linker(engine);
    define(linker);
    assert.throws(() => linker.instantiate(store, compile(`(module ${imp})`)), (e: unknown) => {
      assert.ok(e instanceof LinkError, `${imp}: ${String(e)}`);
      assert.equal(e.module, "m");
      assert.equal(e.name, "x");
      assert.match(e.message, /m::x/);
      assert.match(e.message, message);
      return true;
    });
  }
});

test("define accepts each kind of extern", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const mem = new Memory(store, { min: 1 });
  const tab = new Table(store, { element: "funcref", min: 1 });
  const glob = new Global(store, { content: "i32", mutable: true }, 5);
  const fn = Func.wrap(store, { params: [], results: ["i32"] }, () => 11);
  linker.define("e", "mem", mem).define("e", "tab", tab).define("e", "g", glob).define("e", "f", fn);
  const m = compile(`(module
    (import "e" "mem" (memory 1)) (import "e" "tab" (table 1 funcref))
    (import "e" "g" (global $g (mut i32))) (import "e" "f" (func $f (result i32)))
    (type $t (func (result i32)))
    (func (export "run") (result i32)
      (i32.store (i32.const 0) (i32.const 99))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (call_indirect (type $t) (i32.const 0))))`);
  tab.set(0, fn);
  const inst = linker.instantiate(store, m);
  assert.equal(inst.getTypedFunc("run", [], ["i32"])(), 11);
  assert.equal(mem.getI32(0), 99);
  assert.equal(glob.value, 6);
});

test("defineInstance and defineModule link instances by name, keeping function identity", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const lib = compile(`(module (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (memory (export "memory") 1))`);
  linker.defineModule(store, "lib", lib);
  const app = compile(`(module (import "lib" "inc" (func $inc (param i32) (result i32)))
    (import "lib" "memory" (memory 1))
    (export "inc" (func $inc))
    (func (export "run") (result i32) (call $inc (i32.const 41))))`);
  const inst = linker.instantiate(store, app);
  assert.equal(inst.getTypedFunc("run", [], ["i32"])(), 42);
  assert.equal(inst.getFunc("inc"), linker.get(store, "lib", "inc"), "a re-exported function is the same Func");

  const other = new Linker(engine);
  other.defineInstance(store, "app", inst);
  assert.equal(other.get(store, "app", "run"), inst.getFunc("run"));
});

test("redefinition throws unless allowShadowing is set", () => {
  const linker = new Linker(engine);
  linker.defineFunc("m", "f", { params: [], results: [] }, () => {});
  assert.throws(() => linker.defineFunc("m", "f", { params: [], results: [] }, () => {}), /m::f is already defined/);
  linker.allowShadowing = true;
  linker.defineFunc("m", "f", { params: [], results: ["i32"] }, () => 3);
  const store = new Store(engine);
  assert.deepEqual((linker.get(store, "m", "f") as Func).type, { params: [], results: ["i32"] });
});

test("defineUnknownImportsAsTraps links what is missing as functions that fail when called", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.defineFunc("env", "known", { params: [], results: ["i32"] }, () => 1);
  const m = compile(`(module (import "env" "known" (func $k (result i32))) (import "env" "missing" (func $m))
    (func (export "ok") (result i32) (call $k)) (func (export "bad") (call $m)))`);
  linker.defineUnknownImportsAsTraps(m);
  const inst = linker.instantiate(store, m);
  assert.equal(inst.getTypedFunc("ok", [], ["i32"])(), 1);
  assert.throws(() => inst.getTypedFunc("bad", [], [])(), /called env::missing, an import that nothing defines/);
});

test("instantiateAsync gives a working instance and rejects link errors", async () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const inst = await linker.instantiateAsync(store, compile(`(module (func (export "f") (result i32) (i32.const 5)))`));
  assert.equal(inst.getTypedFunc("f", [], ["i32"])(), 5);
  await assert.rejects(linker.instantiateAsync(store, compile(`(module (import "a" "b" (func)))`)), LinkError);
});

test("a linker ignores definitions a module does not import", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  linker.define("env", "memory", new Memory(store, { min: 1 }));
  const inst = linker.instantiate(store, compile(`(module (func (export "f") (result i32) (i32.const 1)))`));
  assert.equal(inst.getTypedFunc("f", [], ["i32"])(), 1);
});

test("externs of another store are refused with a clear error", () => {
  const a = new Store(engine);
  const b = new Store(engine);
  const linker = new Linker(engine);
  linker.define("env", "mem", new Memory(a, { min: 1 }));
  assert.throws(() => linker.instantiate(b, compile(`(module (import "env" "mem" (memory 1)))`)), (e: unknown) => {
    assert.ok(e instanceof LinkError);
    assert.match(e.message, /env::mem: the memory given belongs to store \d+, not to store \d+/);
    return true;
  });
  const table = new Table(b, { element: "funcref", min: 1 });
  const fa = Func.wrap(a, { params: [], results: [] }, () => {});
  assert.throws(() => table.set(0, fa), /belongs to a different Store/);
});

test("new Instance takes imports positionally and checks them", () => {
  const store = new Store(engine);
  const m = compile(`(module (import "a" "g" (global i32)) (import "a" "f" (func (result i32)))
    (func (export "sum") (result i32) (i32.add (global.get 0) (call 0))))`);
  const g = new Global(store, { content: "i32", mutable: false }, 40);
  const f = Func.wrap(store, { params: [], results: ["i32"] }, () => 2);
  assert.equal(new Instance(store, m, [g, f]).getTypedFunc("sum", [], ["i32"])(), 42);
  assert.throws(() => new Instance(store, m, [f, g]), LinkError);
  assert.throws(() => new Instance(store, m, [g]), /2 imports but 1 were given \(the first missing one is a::f\)/);
});

test("a start function that traps makes instantiation fail with a Trap", () => {
  const m = compile(`(module (func $s unreachable) (start $s))`);
  assert.throws(() => new Linker(engine).instantiate(new Store(engine), m), (e: unknown) => e instanceof Trap && e.code === "unreachable");
});

test("the same import name twice with different values links each in order", () => {
  const store = new Store(engine);
  const m = compile(`(module (import "a" "x" (func $f (result i32))) (import "a" "x" (global $g i32))
    (func (export "sum") (result i32) (i32.add (call $f) (global.get $g))))`);
  const f = Func.wrap(store, { params: [], results: ["i32"] }, () => 1);
  const g = new Global(store, { content: "i32", mutable: false }, 10);
  assert.equal(new Instance(store, m, [f, g]).getTypedFunc("sum", [], ["i32"])(), 11);
});

test("a start function with parameters or results, or that does not exist, is a CompileError", () => {
  assert.throws(() => compile(`(module (func $s (param i32)) (start $s))`), /start function must take no parameters/);
  assert.throws(() => new Module(engine, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 8, 1, 5])), /unknown function 5/);
});

test("preparing a module never makes an invalid one valid", () => {
  // The start function referenced by ref.func without being declared.
  assert.throws(() => compile(`(module (start $f) (func $f (drop (ref.func $f))))`), /undeclared|reference/i);
  // An element segment without a table.
  assert.throws(() => compile(`(module (func $f) (elem (i32.const 0) $f))`), /unknown table/);
  // elem.drop of a segment that does not exist.
  assert.throws(() => compile(`(module (func (export "f") (elem.drop 0)))`), CompileError);
});

test("a data segment out of bounds at instantiation is an out-of-bounds trap; earlier segments stay written", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const mem = new Memory(store, { min: 1 });
  linker.define("env", "mem", mem);
  assert.throws(
    () => linker.instantiate(store, compile(`(module (import "env" "mem" (memory 1)) (data (i32.const 0) "ok") (data (i32.const 65535) "ab"))`)),
    (e: unknown) => e instanceof Trap && e.code === "memory_out_of_bounds",
  );
  assert.equal(mem.readString(0, 2), "ok");
});

test("segments written before a trapping start function stay written", () => {
  const store = new Store(engine);
  const linker = new Linker(engine);
  const table = new Table(store, { element: "funcref", min: 1 });
  linker.define("env", "table", table);
  assert.throws(
    () => linker.instantiate(store, compile(`(module (import "env" "table" (table 1 funcref)) (elem (i32.const 0) $f)
      (func $f (result i32) (i32.const 57005)) (func $main unreachable) (start $main))`)),
    (e: unknown) => e instanceof Trap && e.code === "unreachable",
  );
  assert.equal((table.get(0) as Func).call(), 57005);
});
