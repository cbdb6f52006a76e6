import { test } from "node:test";
import assert from "node:assert/strict";
import { f64Out, parseF32, parseF64, parseI32, parseI64, parseInt as parseInteger, parseU32 } from "../../../src/text/numbers.js";

const f32 = (s: string) => parseF32(s, 0, s.length);
const f64 = (s: string) => {
  const r = parseF64(s, 0, s.length);
  return r === true ? (BigInt(f64Out[1]!) << 32n) | BigInt(f64Out[0]!) : r;
};

test("integer literals accept signs, hex and underscores within range", () => {
  assert.equal(parseI32("0xffff_ffff", 0, 11), -1);
  assert.equal(parseI32("-2147483648", 0, 11), -2147483648);
  assert.equal(parseI32("4294967296", 0, 10), undefined);
  assert.equal(parseI32("1__0", 0, 4), undefined);
  assert.equal(parseI32("_1", 0, 2), undefined);
  assert.equal(parseI64("0x8000_0000_0000_0000", 0, 21), -0x8000000000000000n);
  assert.equal(parseI64("18446744073709551616", 0, 20), undefined);
  assert.equal(parseU32("+1", 0, 2), undefined);
});

test("float literals round to nearest even, exactly", () => {
  assert.equal(f32("0x1.fffffep127"), 0x7f7fffff);
  assert.equal(f32("0x1.ffffffp127"), null); // rounds to infinity: out of range
  assert.equal(f32("0x1.00000100000000000p-50"), 0x26800000);
  assert.equal(f32("0x1.000001000000000001p-50"), 0x26800001);
  assert.equal(f32("1.000000059604644775390625"), 0x3f800000); // halfway: to even
  assert.equal(f32("1.00000005960464477539062501"), 0x3f800001);
  assert.equal(f32("-0x0.00000100000000000p-126"), 0x80000000);
  assert.equal(f32("1e-46"), 0);
  assert.equal(f32("nan:0x200000"), 0x7fa00000);
  assert.equal(f32("-nan"), 0xffc00000);
  assert.equal(f32("nan:0x800000"), null);
  assert.equal(f32("inf"), 0x7f800000);
  assert.equal(f32("1_000.5_0"), 0x447a2000);
  assert.equal(f64("0x1p-1074"), 1n);
  assert.equal(f64("1.7976931348623158e308"), 0x7fefffffffffffffn);
  assert.equal(f64("1.7976931348623159e308"), null);
  assert.equal(f64("-0"), 0x8000000000000000n);
  assert.equal(f64("0x1.fffffffffffff8p0"), 0x4000000000000000n);
  assert.equal(f64("nan:0x4000000000000"), 0x7ff4000000000000n);
  assert.equal(f32("1.e"), undefined);
  assert.equal(f32("0x"), undefined);
});

test("integer literals of hundreds of thousands of digits keep their exact value", () => {
  const digits = "1234567890".repeat(20_000);
  assert.equal(parseInteger(digits, 0, digits.length), BigInt(digits));
  const hex = `0x${"f_e".repeat(10_000)}`;
  assert.equal(parseInteger(hex, 0, hex.length), BigInt(`0x${"fe".repeat(10_000)}`));
  assert.equal(parseInteger(`-${digits}`, 0, digits.length + 1), -BigInt(digits));
  assert.equal(parseInteger("9007199254740993", 0, 16), 9007199254740993n);
  assert.equal(parseInteger("1__2", 0, 4), undefined);
});

test("literals of hundreds of thousands of digits get the value of exact arithmetic", () => {
  const many = "7".repeat(200_000);
  assert.equal(parseI64(many, 0, many.length), undefined);
  assert.equal(parseI64(`-${many}`, 0, many.length + 1), undefined);
  assert.equal(parseI64(`000${"0".repeat(100_000)}18446744073709551615`, 0, 100_023), -1n);
  assert.equal(f32(many), null);
  assert.equal(f32(`0.${"0".repeat(100_000)}7`), 0);
  assert.equal(f32(`nan:0x${"f".repeat(100_000)}`), null);
  // Past the digits kept, a nonzero digit still breaks a tie (sticky), and zeros do not.
  const half = "1.000000059604644775390625";
  assert.equal(f32(`${half}${"0".repeat(5_000)}`), 0x3f800000);
  assert.equal(f32(`${half}${"0".repeat(5_000)}1`), 0x3f800001);
  assert.equal(f32(`0x1.000001${"0".repeat(5_000)}p-50`), 0x26800000);
  assert.equal(f32(`0x1.000001${"0".repeat(5_000)}1p-50`), 0x26800001);
  // f64: as the engine's own parser reads the whole literal.
  for (const text of [`${"3".repeat(1_000)}e-700`, `0.${"9".repeat(3_000)}`, `${"1".repeat(309)}.5`, `4.9406564584124654${"0".repeat(900)}1e-324`]) {
    const x = Number(text);
    const bits = new BigUint64Array(new Float64Array([x]).buffer)[0]!;
    assert.equal(f64(text), Number.isFinite(x) ? bits : null, text.slice(0, 30));
  }
});
