import { test } from "node:test";
import assert from "node:assert/strict";
import { ALL_OPS, Imm, opByCode, opByName } from "../../../src/binary/opcodes.js";

test("every instruction is found by its opcode", () => {
  for (const op of ALL_OPS) assert.equal(opByCode(op.prefix, op.code), op, op.name);
});

test("names are unique except the typed select and the nullable casts", () => {
  const seen = new Map<string, number>();
  for (const op of ALL_OPS) seen.set(op.name, (seen.get(op.name) ?? 0) + 1);
  const dups = [...seen].filter(([, n]) => n > 1).map(([name]) => name).sort();
  assert.deepEqual(dups, ["ref.cast", "ref.test", "select"]);
});

test("lookup by name gives opcodes and natural alignment", () => {
  assert.equal(opByName("i32.add")?.code, 0x6a);
  assert.equal(opByName("f64.reinterpret_i64")?.code, 0xbf);
  assert.equal(opByName("i64.extend32_s")?.code, 0xc4);
  assert.equal(opByName("i64.load32_u")?.align, 2);
  assert.equal(opByName("v128.load")?.align, 4);
  assert.deepEqual(opByName("v128.load64_lane")?.imms, [Imm.memarg, Imm.lane]);
  assert.equal(opByName("i64x2.ge_s")?.code, 219);
  assert.equal(opByName("f64x2.convert_low_i32x4_u")?.code, 255);
  assert.equal(opByName("i32x4.relaxed_dot_i8x16_i7x16_add_s")?.code, 0x113);
  assert.equal(opByName("i64.atomic.rmw32.cmpxchg_u")?.code, 0x4e);
  assert.equal(opByName("i32.atomic.rmw.add")?.code, 0x1e);
  assert.equal(opByName("table.fill")?.prefix, 0xfc);
  assert.equal(opByName("i31.get_u")?.code, 30);
  assert.equal(opByName("select")?.imms.length, 0);
  assert.equal(opByName("no.such"), undefined);
  assert.equal(opByCode(0xfd, 154), undefined);
});
