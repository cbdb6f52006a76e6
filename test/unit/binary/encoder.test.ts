import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteWriter, encodeModule, encodeNameSection } from "../../../src/binary/encoder.js";
import { decodeModule } from "../../../src/binary/decoder.js";
import { opByName } from "../../../src/binary/opcodes.js";
import { readFileSync } from "node:fs";
import { parseWast } from "../../../src/text/index.js";
import { requireSuite, suiteOptions, suites } from "../../spec/suites.js";
import { wat } from "../../helpers/wat.js";

const hex = (w: ByteWriter) => [...w.finish()].map((b) => b.toString(16).padStart(2, "0")).join(" ");

test("LEB128 writers produce minimal encodings", () => {
  const w = new ByteWriter(1);
  w.u32(0); w.u32(127); w.u32(128); w.u32(0xffffffff);
  assert.equal(hex(w), "00 7f 80 01 ff ff ff ff 0f");
  const s = new ByteWriter();
  s.s32(-1); s.s32(63); s.s32(64); s.s32(-65); s.s32(-0x80000000);
  assert.equal(hex(s), "7f 3f c0 00 bf 7f 80 80 80 80 78");
  const l = new ByteWriter();
  l.s64(-0x8000000000000000n); l.u64(2n ** 64n - 1n);
  assert.equal(hex(l), "80 80 80 80 80 80 80 80 80 7f ff ff ff ff ff ff ff ff ff 01");
});

test("sized regions get their length prefixed", () => {
  const w = new ByteWriter(4);
  const mark = w.beginSized();
  for (let i = 0; i < 200; i++) w.byte(1);
  w.endSized(mark);
  const out = w.finish();
  assert.deepEqual([out[0], out[1], out.length], [0xc8, 0x01, 202]);
});

test("the instruction sink writes prefixed opcodes and memargs", () => {
  const w = new ByteWriter();
  w.op(opByName("i32.load")!); w.memarg(2, 16, 1);
  w.op(opByName("i32x4.relaxed_dot_i8x16_i7x16_add_s")!);
  assert.equal(hex(w), "28 42 01 10 fd 93 02");
});

test("decode then encode reproduces a module byte for byte", () => {
  const bytes = wat(`(module $m
    (type $t (func (param i32) (result i32)))
    (import "env" "f" (func $f (type $t)))
    (import "env" "mem" (memory 1 2))
    (table $tab 2 funcref)
    (global $g (mut i64) (i64.const -5))
    (tag $e (param i32))
    (func $add (export "add") (param $a i32) (param $b i32) (result i32)
      (local $x f64) (i32.add (local.get $a) (local.get $b)))
    (elem (i32.const 0) $add $f)
    (elem declare func $add)
    (data (i32.const 8) "hi")
    (data "passive")
    (start $s) (func $s))`);
  const info = decodeModule(bytes);
  assert.deepEqual(encodeModule(info), bytes);
});

test("names can be rewritten from NameInfo", () => {
  const bytes = wat(`(module (func $first) (func $second (param $p i32)))`);
  const info = decodeModule(bytes);
  const again = decodeModule(encodeModule(info, { names: info.names }));
  assert.equal(again.names.functions.get(1), "second");
  assert.equal(again.names.locals.get(1)?.get(0), "p");
  assert.ok(encodeNameSection({ ...info.names, module: "m" }).length > 0);
});

const core = suites().find((s) => s.name === "core")!;

test("decode then encode is byte-identical for every text module of the 2.0 core suite", suiteOptions(core), () => {
  requireSuite(core);
  let checked = 0;
  const diffs: string[] = [];
  for (const file of core.files) {
    for (const d of parseWast(readFileSync(file, "utf8")).directives) {
      if (d.type !== "module" || d.module.form !== "text" || !d.module.bytes) continue;
      checked++;
      const again = encodeModule(decodeModule(d.module.bytes));
      if (Buffer.compare(Buffer.from(again), Buffer.from(d.module.bytes)) !== 0) diffs.push(`${file}:${d.line}`);
    }
  }
  assert.deepEqual(diffs, []);
  assert.ok(checked > 1000, `only ${checked} modules checked`);
});
