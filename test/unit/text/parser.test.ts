import { test } from "node:test";
import assert from "node:assert/strict";
import { watToBinary } from "../../../src/text/index.js";
import { decodeModule } from "../../../src/binary/decoder.js";
import { WatError } from "../../../src/errors.js";

const reason = (text: string) => {
  try {
    watToBinary(text, { file: "t.wat" });
  } catch (e) {
    assert.ok(e instanceof WatError, String(e));
    return e.reason;
  }
  return "no error";
};

test("a module assembles, runs and keeps its names", () => {
  const bytes = watToBinary(`(module $m
    (type $bin (func (param i32 i32) (result i32)))
    (func $add (export "add") (type $bin) (param $a i32) (param $b i32) (result i32)
      (local $t i32)
      (local.set $t (i32.add (local.get $a) (local.get $b)))
      (block $out (result i32)
        (drop (br_if $out (local.get $t) (i32.eqz (local.get $t))))
        (if (result i32) (i32.gt_s (local.get $t) (i32.const 100)) (then (i32.const 100)) (else (local.get $t)))))
    (memory (export "mem") 1)
    (data (i32.const 8) "\\01\\02")
    (global $g (mut f64) (f64.const 0x1.8p1)))`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
  const add = instance.exports.add as (a: number, b: number) => number;
  assert.equal(add(2, 3), 5);
  assert.equal(add(200, 3), 100);
  const info = decodeModule(bytes);
  assert.equal(info.names.module, "m");
  assert.equal(info.names.functions.get(0), "add");
  assert.deepEqual([...info.names.locals.get(0)!], [[0, "a"], [1, "b"], [2, "t"]]);
  assert.equal(info.names.types.get(0), "bin");
  assert.equal(info.names.globals.get(0), "g");
});

test("inline function types reuse an equal type or are appended", () => {
  const info = decodeModule(watToBinary(`(module (type (func (param i32))) (func (param i32)) (func (param i64) (result i32) (i32.const 0)))`));
  assert.equal(info.types.length, 2);
  assert.deepEqual(info.functions, [0, 1]);
});

test("abbreviations: inline imports and exports, table elems, memory data", () => {
  const info = decodeModule(watToBinary(`(module
    (func $i (import "m" "f") (param i32))
    (table $t (export "t") funcref (elem $i $f))
    (memory (data "abc"))
    (func $f (export "f") (export "g")))`));
  assert.equal(info.imports[0]?.name, "f");
  assert.deepEqual(info.exports.map((e) => e.name), ["t", "f", "g"]);
  assert.equal(info.tables[0]?.type.min, 2);
  assert.equal(info.memories[0]?.min, 1);
  assert.equal(info.data[0]?.init.length, 3);
});

test("errors are worded after what failed", () => {
  assert.equal(reason("(module (func (br $nowhere)))"), "unknown label $nowhere");
  assert.match(reason("(module (type $t (func (param i32))) (func (type $t) (param i64)))"), /inline function type/);
  assert.equal(reason("(module (func) (import \"m\" \"n\" (func)))"), "import after function");
  assert.equal(reason("(module (func $f) (func $f))"), "duplicate func $f");
  assert.equal(reason("(module (func (i32.const 4294967296)))"), "i32 constant out of range");
  assert.equal(reason("(module (func (f32.const 1e39)))"), "constant out of range");
  assert.equal(reason("(module (func (i32.frobnicate)))"), "unknown operator i32.frobnicate");
  assert.equal(reason("(module (func block $a end $b))"), "mismatching label $b");
  assert.equal(reason("(module (func (call $missing)))"), "unknown function $missing");
  assert.equal(reason("(module (start 0) (start 0) (func))"), "multiple start sections");
  assert.equal(reason("(module (func (i32.const 0))))"), "unexpected token )");
  assert.equal(reason("(module (func (i32.const 0x)))))"), "unknown operator 0x: malformed number");
  assert.equal(reason("(module (func (i32.const x)))"), "unexpected token x");
});

test("WatError renders file:line:col, the line and a caret", () => {
  try {
    watToBinary("(module\n  (func (local.get $x)))", { file: "f.wat" });
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof WatError);
    assert.equal(e.line, 2);
    assert.equal(e.column, 20);
    assert.equal(e.message, "f.wat:2:20: unknown local $x\n  |   (func (local.get $x)))\n  |                    ^");
  }
});

test("proposals: tail calls, legacy exceptions, threads, SIMD", () => {
  const bytes = watToBinary(`(module
    (tag $e (param i32))
    (memory 1 1 shared)
    (func $f (param i32) (result i32) (return_call $g (local.get 0)))
    (func $g (param i32) (result i32)
      (try (result i32) (do (throw $e (local.get 0))) (catch $e) (catch_all (i32.const -1))))
    (func (result i32) (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (func (result v128) (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))))`);
  assert.ok(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>));
});

test("3.0 additions parse and encode", () => {
  const info = decodeModule(watToBinary(`(module
    (rec (type $s (sub (struct (field $x (mut i32)) (field i8)))) (type $a (array (mut i16))))
    (memory $m0 i64 1) (memory $m1 1)
    (func (param (ref null $s)) (result i32) (struct.get $s $x (local.get 0)))
    (func (result i32) (i32.load $m1 offset=4 (i32.const 0)))
    (func (param exnref) (block $h (result exnref) (try_table (catch_all_ref $h) (throw_ref (local.get 0)))) (drop)))`));
  assert.equal(info.recGroups[0]?.explicit, true);
  assert.equal(info.memories[0]?.memory64, true);
  assert.equal(info.types[0]?.kind, "struct");
});

test("@name annotations name the module and definitions", () => {
  const info = decodeModule(watToBinary(`(module $m (@name "Modül") (type $t (func)) (func $f (@name "λ") (type $t)) (tag (@name "θ") (type $t)))`));
  assert.equal(info.names.module, "Modül");
  assert.equal(info.names.functions.get(0), "λ");
  assert.equal(info.names.tags.get(0), "θ");
  assert.equal(reason(`(module (func) (@name "M"))`), "misplaced @name annotation");
  assert.equal(reason(`(module (@name "a") (@name "b"))`), "@name annotation: multiple module names");
});
