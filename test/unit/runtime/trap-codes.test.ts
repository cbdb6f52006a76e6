/**
 * Trap codes that do not depend on the engine's wording: by the trapping instruction where the message
 * is ambiguous or unknown, by the message's patterns (every V8 of the matrix) otherwise; 3.0 traps
 * (GC, typed function references) on engines that have them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Instance, LinkError, Module, Store, Trap, type TrapCode } from "../../../src/index.js";
import { trapCodeFor, trapCodeOf } from "../../../src/runtime/trap.js";
import { trapOf } from "../../helpers/trap.js";
import { wat } from "../../helpers/wat.js";

test("engine messages of every V8 in the matrix map to their codes", () => {
  const cases: [string, TrapCode][] = [
    ["data segment is out of bounds", "memory_out_of_bounds"],
    ["data segment 0 is out of bounds (offset 4294967196, length 1, memory size 65536)", "memory_out_of_bounds"],
    ["data segment out of bounds", "memory_out_of_bounds"],
    ["element segment 1 is out of bounds (offset 12, length 2, table size 10)", "table_out_of_bounds"],
    ["table index is out of bounds", "table_out_of_bounds"],
    ["array element access out of bounds", "array_out_of_bounds"],
    ["dereferencing a null pointer", "null_reference"],
    ["illegal cast", "cast_failure"],
    ["requested new array is too large", "allocation_too_large"],
    ["something V8 has never said", "unknown"],
  ];
  for (const [message, code] of cases) assert.equal(trapCodeOf(message), code, message);
});

test("the trapping instruction decides where the message is ambiguous or unknown", () => {
  // A message naming a code the instruction can have wins.
  assert.deepEqual(trapCodeFor("divide result unrepresentable", "i32.div_s"), { code: "integer_overflow" });
  // An unknown message: the instruction's first code.
  assert.deepEqual(trapCodeFor("an engine wording from the future", "i64.rem_u"), { code: "integer_division_by_zero" });
  assert.deepEqual(trapCodeFor("an engine wording from the future", "i32.load8_u"), { code: "memory_out_of_bounds" });
  assert.deepEqual(trapCodeFor("an engine wording from the future", "table.fill"), { code: "table_out_of_bounds" });
  // A message naming a code the instruction cannot have: the instruction wins.
  assert.deepEqual(trapCodeFor("memory access out of bounds", "table.get"), { code: "table_out_of_bounds" });
  // Null references say which reference was null, in the spec's words.
  assert.deepEqual(trapCodeFor("dereferencing a null pointer", "i31.get_s"), { code: "null_reference", detail: "null i31 reference" });
  assert.deepEqual(trapCodeFor("dereferencing a null pointer", "struct.get"), { code: "null_reference", detail: "null structure reference" });
  assert.deepEqual(trapCodeFor("array element access out of bounds", "array.get"), { code: "array_out_of_bounds" });
  // The embedder refusing to block (a browser's main thread) is no trap of the instruction's.
  assert.deepEqual(trapCodeFor("Atomics.wait cannot be called in this context", "memory.atomic.wait32"), { code: "unknown" });
  // No instruction (a trap while instantiating): the message alone.
  assert.deepEqual(trapCodeFor("data segment 3 is out of bounds", undefined), { code: "memory_out_of_bounds" });
});

test("a data segment out of bounds at instantiation is memory_out_of_bounds on every engine", () => {
  const engine = new Engine();
  const module = new Module(engine, wat(`(module (memory 1) (data (i32.const -100) "x"))`));
  assert.throws(() => new Instance(new Store(engine), module, []), (e: unknown) => {
    const code = e instanceof Trap ? e.code : e instanceof LinkError ? "link" : String(e);
    assert.ok(code === "memory_out_of_bounds" || code === "link", `got ${code}: ${(e as Error).message}`);
    assert.match((e as Error).message, /out of bounds/);
    return true;
  });
});

const host = Engine.hostFeatures();

test("GC and typed-reference traps have their codes and the spec's wording", { skip: !host.gc && "the engine lacks GC" }, () => {
  const engine = new Engine();
  const inst = new Instance(new Store(engine), new Module(engine, wat(`(module
    (type $s (struct (field i32)))
    (type $a (array i32))
    (type $f (func))
    (func (export "struct_null") (drop (struct.get $s 0 (ref.null $s))))
    (func (export "array_null") (drop (array.len (ref.null $a))))
    (func (export "array_oob") (drop (array.get $a (array.new_default $a (i32.const 1)) (i32.const 5))))
    (func (export "i31_null") (drop (i31.get_u (ref.null i31))))
    (func (export "call_ref_null") (call_ref $f (ref.null $f)))
    (func (export "as_non_null") (drop (ref.as_non_null (ref.null any))))
    (func (export "cast") (drop (ref.cast (ref $s) (ref.i31 (i32.const 1)))))
  )`)), []);
  const cases: [string, TrapCode, string][] = [
    ["struct_null", "null_reference", "null structure reference"],
    ["array_null", "null_reference", "null array reference"],
    ["array_oob", "array_out_of_bounds", "out of bounds array access"],
    ["i31_null", "null_reference", "null i31 reference"],
    ["call_ref_null", "null_reference", "null function reference"],
    ["as_non_null", "null_reference", "null reference"],
    ["cast", "cast_failure", "cast failure"],
  ];
  for (const [name, code, text] of cases) {
    const trap = trapOf(() => inst.getFunc(name)!.call());
    assert.equal(trap.code, code, `${name}: ${trap.message}`);
    assert.ok(trap.message.includes(text), `${name}: ${trap.message}`);
  }
});

test("an instrumented module's traps are read from the binary the engine ran", { skip: !host.gc && "the engine lacks GC" }, () => {
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  const store = new Store(engine);
  store.setFuel(1_000_000);
  const inst = new Instance(store, new Module(engine, wat(`(module
    (type $s (struct (field i32)))
    (func (export "struct_null") (local i32) (local.set 0 (i32.const 1)) (drop (struct.get $s 0 (ref.null $s))))
  )`)), []);
  const trap = trapOf(() => inst.getFunc("struct_null")!.call());
  assert.equal(trap.code, "null_reference");
  assert.match(trap.message, /null structure reference/);
});
