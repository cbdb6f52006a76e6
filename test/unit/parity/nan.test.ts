/**
 * `nanCanonicalization`: every float instruction that can produce a NaN yields the canonical NaN.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const source = wat(`(module
  (func (export "div32") (param f32 f32) (result i32) (i32.reinterpret_f32 (f32.div (local.get 0) (local.get 1))))
  (func (export "add32bits") (param i32) (result i32) (i32.reinterpret_f32 (f32.add (f32.reinterpret_i32 (local.get 0)) (f32.const 1))))
  (func (export "sqrt64bits") (param i64) (result i64) (i64.reinterpret_f64 (f64.sqrt (f64.reinterpret_i64 (local.get 0)))))
  (func (export "min64") (param i64) (result i64) (i64.reinterpret_f64 (f64.min (f64.reinterpret_i64 (local.get 0)) (f64.const 1))))
  (func (export "demote") (param i64) (result i32) (i32.reinterpret_f32 (f32.demote_f64 (f64.reinterpret_i64 (local.get 0)))))
  (func (export "promote") (param i32) (result i64) (i64.reinterpret_f64 (f64.promote_f32 (f32.reinterpret_i32 (local.get 0)))))
  (func (export "neg") (param i32) (result i32) (i32.reinterpret_f32 (f32.neg (f32.reinterpret_i32 (local.get 0)))))
  (func (export "plain") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
  (func (export "simd32") (param i32) (result i32)
    (i32x4.extract_lane 2 (f32x4.mul (i32x4.splat (local.get 0)) (f32x4.splat (f32.const 2)))))
  (func (export "simd64") (param i64) (result i64)
    (i64x2.extract_lane 1 (f64x2.add (i64x2.splat (local.get 0)) (f64x2.splat (f64.const 2)))))
  (func (export "loop") (param i32) (result i32) (local f32)
    (local.set 1 (f32.const 0))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (f32.add (local.get 1) (f32.div (f32.const 0) (f32.const 0))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $next)))
    (i32.reinterpret_f32 (local.get 1))))`);

const PAYLOAD32 = 0x7fc00123 | 0; // a quiet NaN with a payload
const NEG32 = 0xffc00000 | 0; // x86's default NaN (sign set)
const CANON32 = 0x7fc00000;
const PAYLOAD64 = 0x7ff8000000000123n;
const CANON64 = 0x7ff8000000000000n;

function exports(config: ConstructorParameters<typeof Engine>[0]) {
  const engine = new Engine(config);
  const inst = new Linker(engine).instantiate(new Store(engine), new Module(engine, source));
  return {
    div32: inst.getTypedFunc("div32", ["f32", "f32"], ["i32"]),
    add32bits: inst.getTypedFunc("add32bits", ["i32"], ["i32"]),
    sqrt64bits: inst.getTypedFunc("sqrt64bits", ["i64"], ["i64"]),
    min64: inst.getTypedFunc("min64", ["i64"], ["i64"]),
    demote: inst.getTypedFunc("demote", ["i64"], ["i32"]),
    promote: inst.getTypedFunc("promote", ["i32"], ["i64"]),
    neg: inst.getTypedFunc("neg", ["i32"], ["i32"]),
    plain: inst.getTypedFunc("plain", ["f64", "f64"], ["f64"]),
    simd32: inst.getTypedFunc("simd32", ["i32"], ["i32"]),
    simd64: inst.getTypedFunc("simd64", ["i64"], ["i64"]),
    loop: inst.getTypedFunc("loop", ["i32"], ["i32"]),
  };
}

test("without the setting, NaN bits are whatever the CPU makes (payloads propagate)", () => {
  const f = exports({});
  assert.equal(f.add32bits(PAYLOAD32), PAYLOAD32);
  assert.equal(BigInt.asUintN(64, f.sqrt64bits(PAYLOAD64)), PAYLOAD64);
});

test("with nanCanonicalization every NaN result is the canonical NaN", () => {
  const f = exports({ nanCanonicalization: true });
  assert.equal(f.div32(0, 0), CANON32);
  assert.equal(f.add32bits(PAYLOAD32), CANON32);
  assert.equal(f.add32bits(NEG32), CANON32);
  assert.equal(BigInt.asUintN(64, f.sqrt64bits(PAYLOAD64)), CANON64);
  assert.equal(BigInt.asUintN(64, f.sqrt64bits(-1n * 2n ** 62n)), CANON64); // sqrt of a negative number
  assert.equal(BigInt.asUintN(64, f.min64(PAYLOAD64)), CANON64);
  assert.equal(f.demote(PAYLOAD64), CANON32);
  assert.equal(BigInt.asUintN(64, f.promote(PAYLOAD32)), CANON64);
  assert.equal(f.simd32(PAYLOAD32), CANON32);
  assert.equal(BigInt.asUintN(64, f.simd64(PAYLOAD64)), CANON64);
  assert.equal(f.loop(3), CANON32);
  // Bit operations keep their bits (as in Wasmtime): neg only flips the sign.
  assert.equal(f.neg(PAYLOAD32), (PAYLOAD32 ^ 0x80000000) | 0);
  // Numbers are untouched.
  assert.equal(f.plain(0.1, 0.2), 0.1 + 0.2);
  assert.equal(f.div32(1, 4), 0x3e800000);
  assert.equal(BigInt.asUintN(64, f.sqrt64bits(0x4010000000000000n)), 0x4000000000000000n); // sqrt(4) = 2
});

test("nanCanonicalization composes with fuel and survives serialize/deserialize", () => {
  const engine = new Engine({ nanCanonicalization: true, consumeFuel: true });
  const module = new Module(engine, source);
  const store = new Store(engine);
  store.setFuel(10_000);
  const inst = new Linker(engine).instantiate(store, module);
  assert.equal(inst.getTypedFunc("add32bits", ["i32"], ["i32"])(PAYLOAD32), CANON32);
  assert.ok(store.getFuel() < 10_000);
  const again = Module.deserialize(engine, module.serialize());
  const store2 = new Store(engine);
  store2.setFuel(10_000);
  assert.equal(new Linker(engine).instantiate(store2, again).getTypedFunc("div32", ["f32", "f32"], ["i32"])(0, 0), CANON32);
  // An artifact of an engine without the setting is refused.
  assert.throws(() => Module.deserialize(new Engine({ consumeFuel: true }), module.serialize()), /settings|engine/);
});
