import { test } from "node:test";
import assert from "node:assert/strict";
import { printModule, watToBinary } from "../../../src/text/index.js";
import { formatF32, formatF64 } from "../../../src/text/format.js";

const source = `(module $demo
  (type $t (func (param i32) (result i32)))
  (import "env" "log" (func $log (param $v i32)))
  (memory $mem 1)
  (table 1 funcref)
  (global $g (mut i32) (i32.const 7))
  (func $f (export "f") (type $t) (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.load offset=8 align=1 (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (if (result i32) (local.get $acc) (then (call_indirect (type $t) (local.get $acc) (i32.const 0))) (else (f32.const -nan:0x1) (drop) (i32.const 0))))
  (elem (i32.const 0) $f)
  (data (i32.const 16) "hi\\00"))`;

test("print parses back to the same bytes, flat and folded", () => {
  const bytes = watToBinary(source);
  for (const folded of [false, true]) {
    const text = printModule(bytes, { folded });
    assert.deepEqual(watToBinary(text), bytes, text);
  }
});

test("the print is readable: names, types and folded blocks", () => {
  const text = printModule(watToBinary(source), { folded: true });
  assert.match(text, /^\(module \$demo$/m);
  assert.match(text, /\(func \$f \(type \$t\) \(param \$n i32\) \(result i32\)/);
  assert.match(text, /^ +\(loop \$again$/m);
  assert.match(text, /\(br_if \$done \(i32\.eqz/);
  assert.match(text, /\(local\.set \$acc \(i32\.add \(local\.get \$acc\) \(i32\.load offset=8 align=1 \(local\.get \$n\)\)\)\)/);
  assert.match(text, /\(then/);
  const flat = printModule(watToBinary(source));
  assert.match(flat, /^ +br_if \$done$/m);
});

test("float literals print exactly", () => {
  assert.equal(formatF32(0x7fa00000), "nan:0x200000");
  assert.equal(formatF32(0x80000000), "-0");
  assert.equal(formatF32(0x3dcccccd), "0.10000000149011612");
  assert.equal(formatF64(0xfff0000000000000n), "-inf");
  assert.equal(formatF64(0x7ff8000000000000n), "nan");
  assert.equal(formatF64(1n), "5e-324");
});

test("custom sections survive print and parse as @custom annotations", () => {
  const bytes = watToBinary(`(module
    (@custom "before-all" (before first) "\\01")
    (type (func))
    (@custom "after-func" (after func) "abc")
    (func)
    (@custom "at-end" "z"))`);
  const text = printModule(bytes);
  assert.match(text, /\(@custom "before-all" \(before first\) "\\01"\)/);
  assert.match(text, /\(@custom "after-func" \(after func\) "abc"\)/);
  assert.deepEqual(watToBinary(text), bytes);
});

test("deeply nested blocks print without exhausting the stack", () => {
  const depth = 50_000;
  const code = new Uint8Array(depth * 3 + 1);
  for (let i = 0; i < depth; i++) {
    code[i * 2] = 0x02; // block
    code[i * 2 + 1] = 0x40;
  }
  code.fill(0x0b, depth * 2); // end ... end (and the function's own end)
  const body = [0, ...code];
  const size = [];
  for (let v = body.length; ; v >>>= 7) {
    if (v < 0x80) { size.push(v); break; }
    size.push((v & 0x7f) | 0x80);
  }
  const section = [1, ...size, ...body];
  const secSize = [];
  for (let v = section.length; ; v >>>= 7) {
    if (v < 0x80) { secSize.push(v); break; }
    secSize.push((v & 0x7f) | 0x80);
  }
  const bytes = Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 4, 1, 0x60, 0, 0, // type section: (func)
    3, 2, 1, 0, // function section
    10, ...secSize, ...section,
  ]);
  for (const folded of [false, true]) {
    const text = printModule(bytes, { folded });
    assert.ok(text.length > depth * 5);
  }
});
