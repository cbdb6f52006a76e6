import { test } from "node:test";
import assert from "node:assert/strict";
import { InstrCursor, skipExpression } from "../../../src/binary/instructions.js";
import { CompileError } from "../../../src/errors.js";

function names(bytes: number[]): string[] {
  const c = new InstrCursor(new Uint8Array(bytes));
  const out: string[] = [];
  while (c.next()) out.push(c.op.name);
  return out;
}

test("cursor decodes names, offsets and index immediates", () => {
  const c = new InstrCursor(new Uint8Array([0x41, 0x7f, 0x11, 0x02, 0x01, 0x0b]), 0, 6, 100);
  assert.ok(c.next());
  assert.equal(c.op.name, "i32.const");
  assert.equal(c.i32, -1);
  assert.equal(c.offset, 100);
  assert.ok(c.next());
  assert.equal(c.op.name, "call_indirect");
  assert.equal(c.idx0, 2);
  assert.equal(c.idx1, 1);
  assert.equal(c.offset, 102);
  assert.ok(c.next());
  assert.equal(c.op.name, "end");
  assert.equal(c.next(), false);
});

test("cursor decodes memargs with memory index and 64-bit offsets", () => {
  const c = new InstrCursor(new Uint8Array([0x28, 0x42, 0x03, 0x80, 0x01, 0xfd, 0x54, 0x00, 0x04, 0x0f]));
  assert.ok(c.next());
  assert.equal(c.memAlign, 2);
  assert.equal(c.memIndex, 3);
  assert.equal(c.memOffset, 128);
  assert.ok(c.next());
  assert.equal(c.op.name, "v128.load8_lane");
  assert.equal(c.memOffset, 4);
  assert.equal(c.lane, 15);
});

test("cursor decodes literals lazily", () => {
  const c = new InstrCursor(new Uint8Array([0x42, 0x80, 0x7f, 0x43, 0, 0, 0x80, 0x3f, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0xbf]));
  c.next();
  assert.equal(c.i64, -128n);
  c.next();
  assert.equal(c.f32Bits, 0x3f800000);
  c.next();
  assert.equal(c.f64Bits, 0xbff0000000000000n);
});

test("cursor decodes br_table, block types, select types and try_table catches", () => {
  const c = new InstrCursor(new Uint8Array([
    0x0e, 0x02, 0x00, 0x01, 0x02, 0x02, 0x40, 0x03, 0x7f, 0x04, 0x05, 0x1c, 0x01, 0x7e,
    0x1f, 0x40, 0x02, 0x00, 0x01, 0x00, 0x03, 0x02, 0x02, 0x64, 0x70,
  ]));
  c.next();
  assert.deepEqual([...c.brTargets.subarray(0, c.brCount)], [0, 1, 2]);
  c.next();
  assert.equal(c.blockType, -64);
  c.next();
  assert.equal(c.blockType, -1);
  c.next();
  assert.equal(c.blockType, 5);
  c.next();
  assert.equal(c.op.name, "select");
  assert.equal(c.selectCount, 1);
  c.next();
  assert.equal(c.op.name, "try_table");
  assert.equal(c.catchCount, 2);
  assert.deepEqual([c.catchKinds[0], c.catchTags[0], c.catchLabels[0]], [0, 1, 0]);
  assert.deepEqual([c.catchKinds[1], c.catchLabels[1]], [3, 2]);
  c.next();
  assert.equal(c.blockType, -28);
  assert.equal(c.blockHeap, -16);
});

test("cursor reports spec-worded errors with absolute offsets", () => {
  const err = (bytes: number[]) => {
    try {
      names(bytes);
    } catch (e) {
      assert.ok(e instanceof CompileError);
      return `${e.reason}@${e.offset}`;
    }
    return "no error";
  };
  assert.equal(err([0x01, 0x27]), "illegal opcode@1");
  assert.equal(err([0xfd, 0x9a, 0x01]), "illegal opcode@0");
  assert.equal(err([0x41]), "unexpected end@1");
  assert.equal(err([0x20, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), "integer representation too long@5");
  assert.equal(err([0x20, 0xff, 0xff, 0xff, 0xff, 0x1f]), "integer too large@5");
  assert.equal(err([0x41, 0xff, 0xff, 0xff, 0xff, 0x4f]), "integer too large@5");
});

test("skipExpression stops after the matching end", () => {
  const c = new InstrCursor(new Uint8Array([0x02, 0x40, 0x0b, 0x0b, 0x01]));
  assert.equal(skipExpression(c), 4);
});
