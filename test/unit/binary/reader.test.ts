/**
 * BinaryReader: LEB128 integers of every width (minimal, padded, extreme, malformed), names, limits
 * and the two end-of-data wordings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryReader } from "../../../src/binary/reader.js";
import { CompileError } from "../../../src/errors.js";
import { paddedU32, prng, rawName, sleb, u32, utf8 } from "../../helpers/wasm-bytes.js";

const reader = (b: readonly number[]) => new BinaryReader(Uint8Array.from(b));

/** Asserts `fn` throws a CompileError whose reason contains `wording`, at `offset`. */
function fails(fn: () => unknown, wording: string, offset: number, what: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CompileError, `${what}: ${String(e)}`);
    assert.ok(e.reason.includes(wording), `${what}: "${e.reason}" should contain "${wording}"`);
    assert.equal(e.offset, offset, `${what}: offset`);
    return true;
  });
}

test("u32 reads minimal and padded encodings and stops after the last byte", () => {
  const values = [0, 1, 63, 64, 127, 128, 300, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1];
  for (const v of values) {
    const r = reader([...u32(v), 0xaa]);
    assert.equal(r.u32(), v, `u32 ${v}`);
    assert.equal(r.pos, u32(v).length);
    for (let len = u32(v).length; len <= 5; len++) {
      const p = reader(paddedU32(v, len));
      assert.equal(p.u32(), v, `u32 ${v} padded to ${len}`);
      assert.equal(p.pos, len);
    }
  }
});

test("u32 rejects a sixth byte, bits past 32, and a cut encoding", () => {
  fails(() => reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32(), "integer representation too long", 4, "6 bytes");
  fails(() => reader([0xff, 0xff, 0xff, 0xff, 0x1f]).u32(), "integer too large", 4, "bit 32");
  fails(() => reader([0xff, 0xff, 0xff, 0xff, 0x4f]).u32(), "integer too large", 4, "bit 34");
  fails(() => reader([0x80, 0x80]).u32(), "unexpected end", 2, "cut");
  fails(() => reader([]).u32(), "unexpected end", 0, "empty");
});

test("s32 reads every sign and width, and checks the unused bits of the fifth byte", () => {
  const values = [0, 1, -1, 63, 64, -64, -65, 8191, -8192, 2 ** 31 - 1, -(2 ** 31), 123456789, -123456789];
  for (const v of values) assert.equal(reader(sleb(v)).s32(), v, `s32 ${v}`);
  assert.equal(reader([0xff, 0xff, 0xff, 0xff, 0x7f]).s32(), -1, "-1 padded to 5 bytes");
  assert.equal(reader([0x80, 0x80, 0x80, 0x80, 0x00]).s32(), 0, "0 padded to 5 bytes");
  assert.equal(reader([0x80, 0xc0, 0x7f]).s32(), -8192, "-8192 padded to 3 bytes");
  fails(() => reader([0x80, 0x80, 0x80, 0x80, 0x08]).s32(), "integer too large", 4, "sign bit without extension");
  fails(() => reader([0x80, 0x80, 0x80, 0x80, 0x70]).s32(), "integer too large", 4, "extension without sign bit");
  fails(() => reader([0x80, 0x80, 0x80, 0x80, 0x40]).s32(), "integer too large", 4, "one extension bit");
  fails(() => reader([0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).s32(), "integer representation too long", 4, "6 bytes");
  fails(() => reader([0xff]).s32(), "unexpected end", 1, "cut");
});

test("s33 (block types) spans the full 33-bit range", () => {
  for (const v of [0, 1, -1, -64, 2 ** 32 - 1, -(2 ** 32), 2 ** 31]) {
    assert.equal(reader(sleb(v)).s33(), v, `s33 ${v}`);
  }
  // 2^32 needs 34 bits as a signed number: its fifth byte 0x10 sets the sign bit without extension.
  fails(() => reader(sleb(2 ** 32)).s33(), "integer too large", 4, "2^32");
  fails(() => reader([0x80, 0x80, 0x80, 0x80, 0x20]).s33(), "integer too large", 4, "bit 33 set alone");
  fails(() => reader([0xff, 0xff, 0xff, 0xff, 0x4f]).s33(), "integer too large", 4, "sign mismatch");
  fails(() => reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).s33(), "integer representation too long", 4, "6 bytes");
});

test("s64 reads extremes as bigint and checks the tenth byte", () => {
  const values = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, -(2n ** 40n) + 7n, 0x0123456789abcdefn];
  for (const v of values) assert.equal(reader(sleb(v)).s64(), v, `s64 ${v}`);
  const nine = (b: number) => new Array<number>(9).fill(b);
  assert.equal(reader([...nine(0xff), 0x7f]).s64(), -1n);
  assert.equal(reader([...nine(0x80), 0x00]).s64(), 0n);
  fails(() => reader([...nine(0x80), 0x01]).s64(), "integer too large", 9, "10th byte 0x01");
  fails(() => reader([...nine(0xff), 0x3f]).s64(), "integer too large", 9, "10th byte 0x3f");
  fails(() => reader([...nine(0x80), 0x80, 0x00]).s64(), "integer representation too long", 9, "11 bytes");
});

test("u64 (64-bit limits) is exact up to 2^53 and rejects what a number cannot hold", () => {
  for (const v of [0n, 1n, 2n ** 32n, 2n ** 48n, 2n ** 53n - 1n]) {
    assert.equal(reader(u32(v)).u64(), Number(v), `u64 ${v}`);
  }
  fails(() => reader(u32(2n ** 60n)).u64(), "integer too large", u32(2n ** 60n).length - 1, "2^60");
  fails(() => reader([...new Array<number>(9).fill(0x80), 0x02]).u64(), "integer too large", 9, "bit 64");
  fails(() => reader([...new Array<number>(10).fill(0x80), 0x00]).u64(), "integer representation too long", 9, "11 bytes");
});

test("10,000 random values round-trip through every LEB128 reader", () => {
  const rand = prng(7);
  for (let i = 0; i < 10_000; i++) {
    const hi = Math.floor(rand() * 2 ** 32);
    const lo = Math.floor(rand() * 2 ** 32);
    const u = hi >>> Math.floor(rand() * 32);
    assert.equal(reader(u32(u)).u32(), u);
    const s = u | 0;
    assert.equal(reader(sleb(s)).s32(), s);
    const big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)) >> BigInt(Math.floor(rand() * 64));
    assert.equal(reader(sleb(big)).s64(), big);
    const s33 = Math.floor(rand() * 2 ** 33) - 2 ** 32;
    assert.equal(reader(sleb(s33)).s33(), s33);
  }
});

test("u32s reads a run of numbers, fast path and slow path alike", () => {
  const values = [0, 127, 128, 5, 2 ** 32 - 1, 1, 300];
  const r = reader(values.flatMap((v) => u32(v)));
  const out: number[] = [];
  r.u32s(out, values.length);
  assert.deepEqual(out, values);
  assert.equal(r.done, true);
  fails(() => reader([1, 2]).u32s([], 3), "unexpected end", 2, "short run");
});

test("names: UTF-8 with a byte order mark kept, long ASCII, and malformed sequences", () => {
  for (const s of ["", "a", "\u{feff}", "\u{feff}x", "x\u{feff}", "\u00e9t\u00e9", "\u{10ffff}", "z".repeat(100)]) {
    assert.equal(reader(rawName(utf8(s))).name(), s, JSON.stringify(s));
  }
  fails(() => reader(rawName([0x61, 0xc0, 0x80])).name(), "malformed UTF-8 encoding", 1, "overlong");
  fails(() => reader(rawName([0xed, 0xa0, 0x80])).name(), "malformed UTF-8 encoding", 1, "surrogate");
  fails(() => reader([0x05, 0x61]).name(), "unexpected end", 2, "length past the end");
});

test("withLimit narrows the end, sets the in-section wording, and restores both", () => {
  const r = reader([0x02, 0x80, 0x80, 0x00]);
  r.pos = 1;
  fails(() => r.withLimit(2, "unexpected end of section or function", () => r.u32()),
    "unexpected end of section or function", 3, "read past the limit");
  assert.equal(r.end, 4);
  assert.equal(r.eofMessage, "unexpected end");
  r.pos = 1;
  assert.equal(r.withLimit(3, "inner", () => r.u32()), 0);
  fails(() => r.withLimit(9, "inner", () => 0), "length out of bounds", 4, "limit past the end at the top level");
  const nested = reader([0, 0, 0]);
  fails(() => nested.withLimit(2, "outer wording", () => nested.withLimit(5, "inner", () => 0)), "outer wording", 0,
    "limit past the end inside a section");
});

test("count applies the cap but leaves running out of bytes to the element reads", () => {
  fails(() => reader(u32(1001)).count(1000, "widgets"), "too many widgets (1001, the limit is 1000)", 0, "over the cap");
  assert.equal(reader(u32(1000)).count(1000, "widgets"), 1000);
});
