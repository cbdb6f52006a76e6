import assert from "node:assert/strict";
import { test } from "node:test";
import { engineFeatures, featureProbe, memory64Parts, probeEngineFeatures, PROPOSALS, type Proposal } from "../../../src/runtime/features.js";
import { wat } from "../../helpers/wat.js";

/** Each probe in the text format: the hand-written bytes must be exactly what these assemble to. */
const PROBE_TEXT: { readonly [P in Proposal]: string } = {
  "sign-extension": `(func (drop (i32.extend8_s (i32.const 0))))`,
  "saturating-conversions": `(func (drop (i32.trunc_sat_f32_s (f32.const 0))))`,
  "multi-value": `(func (result i32 i32) (i32.const 0) (i32.const 0))`,
  "bulk-memory": `(func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))) (memory 1)`,
  "reference-types": `(func (local externref) (drop (ref.is_null (local.get 0))))`,
  "simd": `(func (result v128) (v128.const i64x2 0 0))`,
  "relaxed-simd": `(func (result v128) (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (v128.const i64x2 0 0)))`,
  "threads": `(func (drop (i32.atomic.load (i32.const 0)))) (memory 1 1 shared)`,
  "tail-call": `(func return_call 0)`,
  "legacy-exceptions": `(func try catch_all end)`,
  "exceptions": `(func try_table end)`,
  "function-references": `(func (drop (ref.as_non_null (ref.null func))))`,
  "gc": `(type (func)) (type (struct)) (func (type 0) (drop (struct.new 1)))`,
  "extended-const": `(global i32 (i32.add (i32.const 1) (i32.const 2)))`,
  "memory64": `(table i64 1 funcref) (memory i64 1)`,
  "multi-memory": `(memory 1) (memory 1)`,
  "custom-page-sizes": `(memory 1 (pagesize 1))`,
  "shared-everything-threads": `(type (shared (func)))`,
};

test("each feature probe is the module its text describes, in the final encoding of its proposal", () => {
  for (const p of PROPOSALS) {
    assert.deepEqual([...featureProbe(p)], [...wat(`(module ${PROBE_TEXT[p]})`)], p);
  }
});

test("the proposals every supported Node.js ships are reported as supported", () => {
  const mvp = new Set<Proposal>(["sign-extension", "saturating-conversions", "multi-value", "bulk-memory", "reference-types", "simd"]);
  const features = probeEngineFeatures();
  for (const p of mvp) assert.equal(features[p], true, `every engine Node 20 ships has ${p}`);
  // Node 20 (V8 11.3) ships these too; later engines keep them.
  for (const p of ["threads", "tail-call", "legacy-exceptions"] as const) assert.equal(features[p], true, p);
});

test("engineFeatures answers for every proposal and agrees with WebAssembly.validate of its probe", () => {
  const features = engineFeatures();
  assert.deepEqual(Object.keys(features), [...PROPOSALS]);
  for (const p of PROPOSALS) assert.equal(features[p], WebAssembly.validate(featureProbe(p)), p);
  assert.equal(engineFeatures(), features, "probed once, then cached");
});

test("a probe broken by one byte is invalid: the engine answers from the module, not from a blanket yes", () => {
  for (const p of PROPOSALS) {
    const bytes = featureProbe(p);
    bytes[bytes.length - 1] = 0xff; // the last byte of each probe is an `end` or a section's last field
    assert.equal(WebAssembly.validate(bytes), false, p);
  }
});

test("memory64 is reported as supported exactly when the engine has both its halves, 64-bit memories and tables", () => {
  const parts = memory64Parts();
  assert.equal(parts.memories, WebAssembly.validate(wat(`(module (memory i64 1))`) as Uint8Array<ArrayBuffer>));
  assert.equal(parts.tables, WebAssembly.validate(wat(`(module (table i64 1 funcref))`) as Uint8Array<ArrayBuffer>));
  assert.equal(engineFeatures().memory64, parts.memories && parts.tables);
});
