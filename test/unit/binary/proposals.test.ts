import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModule } from "../../../src/binary/decoder.js";
import { proposalsUsed } from "../../../src/binary/proposals.js";
import { featureProbe, PROPOSALS } from "../../../src/runtime/features.js";
import { wat } from "../../helpers/wat.js";

test("each engine feature probe is seen to use its own proposal", () => {
  for (const p of PROPOSALS) {
    assert.ok(proposalsUsed(decodeModule(featureProbe(p))).has(p), `${p}: ${[...proposalsUsed(decodeModule(featureProbe(p)))].join(", ")}`);
  }
});

test("a WebAssembly 1.0 module uses no proposal", () => {
  const m = wat(`(module (import "m" "f" (func $f (param i32))) (memory 1 2) (table 2 funcref) (global (mut i32) (i32.const 0))
    (func (export "g") (param i32) (result i32) (call $f (local.get 0)) (i32.add (local.get 0) (i32.load offset=4 (i32.const 0))))
    (elem (i32.const 0) 1) (data (i32.const 0) "x"))`);
  assert.deepEqual([...proposalsUsed(decodeModule(m))], []);
});

test("uses outside function bodies are found: constant expressions, types, limits, tables", () => {
  const used = (text: string) => [...proposalsUsed(decodeModule(wat(`(module ${text})`)))].sort();
  assert.deepEqual(used(`(global i32 (i32.const 1)) (global i32 (global.get 0))`), ["gc"]);
  assert.deepEqual(used(`(global i64 (i64.mul (i64.const 2) (i64.const 3)))`), ["extended-const"]);
  assert.deepEqual(used(`(type (array i8))`), ["gc"]);
  assert.deepEqual(used(`(table i64 1 funcref)`), ["memory64"]);
  assert.deepEqual(used(`(table 1 externref)`), ["reference-types"]);
  assert.deepEqual(used(`(memory 1 1 shared)`), ["threads"]);
  assert.deepEqual(used(`(import "m" "mem" (memory 1)) (memory 1)`), ["multi-memory"]);
  assert.deepEqual(used(`(func (param (ref func)))`), ["function-references", "reference-types"]);
  assert.deepEqual(used(`(func (result i32 i64) (i32.const 0) (i64.const 0))`), ["multi-value"]);
});
