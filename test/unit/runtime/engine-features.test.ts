import assert from "node:assert/strict";
import { test } from "node:test";
import { featureProbe, memory64Parts, PROPOSALS } from "../../../src/runtime/features.js";
import { CompileError, Engine, Module } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

test("a proposal switched off in EngineConfig.features rejects a module that uses it, naming the proposal and where", async () => {
  const engine = new Engine({ features: { "tail-call": false } });
  const bytes = wat(`(module (func $f) (func return_call $f))`);
  const check = (e: unknown) => {
    assert.ok(e instanceof CompileError);
    assert.equal(e.proposal, "tail-call");
    assert.match(e.message, /return_call needs the tail-call proposal, which this engine's config switches off \(EngineConfig\.features\)/);
    assert.equal(bytes[e.offset!], 0x12, "the offset is the return_call instruction's");
    return true;
  };
  assert.throws(() => new Module(engine, bytes), check);
  await assert.rejects(Module.compile(engine, bytes), check);
  // Modules that do not use it compile as usual; other engines are unaffected.
  new Module(engine, wat(`(module (func $f) (func call $f))`));
  if (Engine.hostFeatures()["tail-call"]) new Module(new Engine(), bytes);
});

test("switching off a 2.0 proposal rejects it too (simd)", () => {
  const engine = new Engine({ features: { simd: false } });
  assert.throws(() => new Module(engine, featureProbe("simd")), (e: unknown) => e instanceof CompileError && e.proposal === "simd");
});

test("EngineConfig.features takes proposal names and booleans only", () => {
  assert.throws(() => new Engine({ features: { tailcall: false } as never }), /unknown proposal "tailcall" \(known: sign-extension, /);
  assert.throws(() => new Engine({ features: { gc: 0 } as never }), /EngineConfig.features\["gc"\] must be a boolean, got number/);
  assert.throws(() => new Engine({ features: null as never }), TypeError);
  assert.deepEqual(new Engine({ features: { gc: true, simd: false } }).config.features, { gc: true, simd: false });
});

test("Engine.hostFeatures() reports every proposal once per process; engine.features is the host's minus the config's", () => {
  const host = Engine.hostFeatures();
  assert.deepEqual(Object.keys(host).sort(), [...PROPOSALS].sort());
  assert.ok(Object.isFrozen(host));
  assert.equal(Engine.hostFeatures(), host);
  // Every engine in the matrix has WebAssembly 2.0.
  for (const p of ["sign-extension", "saturating-conversions", "multi-value", "bulk-memory", "reference-types", "simd"] as const) {
    assert.equal(host[p], true, p);
  }
  const features = new Engine({ features: { simd: false } }).features;
  for (const p of PROPOSALS) assert.equal(features[p], p === "simd" ? false : host[p], p);
});

const missing = PROPOSALS.filter((p) => !Engine.hostFeatures()[p]);

test("a module that needs a proposal the host engine lacks gets a CompileError naming the proposal and the engine", { skip: missing.length === 0 && "this engine has every proposal" }, () => {
  for (const p of missing) {
    const bytes = featureProbe(p);
    assert.throws(() => new Module(new Engine(), bytes), (e: unknown) => {
      assert.ok(e instanceof CompileError, p);
      assert.equal(e.proposal, p);
      assert.match(e.message, new RegExp(`needs the ${p} proposal, which Node\\.js ${process.versions.node.replace(/\./g, "\\.")} \\(V8 [^)]+\\) does not support`));
      assert.ok(e.cause instanceof WebAssembly.CompileError, "the engine's own error is the cause");
      return true;
    });
  }
});

const parts = memory64Parts();

test("an engine with 64-bit memories but not 64-bit tables (Node 22): the table is named, not the engine's wording",
  { skip: !(parts.memories && !parts.tables) && "the engine has both halves of memory64 or neither" }, () => {
    const bytes = wat(`(module (memory i64 1) (table i64 1 funcref) (func (drop (table.size 0))))`);
    assert.throws(() => new Module(new Engine(), bytes), (e: unknown) => {
      assert.ok(e instanceof CompileError);
      assert.equal(e.proposal, "memory64");
      assert.match(e.message, new RegExp(`^64-bit table 0 needs the memory64 proposal, which Node\\.js ${process.versions.node.replace(/\./g, "\\.")} \\(V8 [^)]+\\) does not support`));
      assert.ok(e.cause instanceof WebAssembly.CompileError, "the engine's own error is the cause");
      return true;
    });
  });

test("a module rejected for another reason is not blamed on a half of memory64 the engine has",
  { skip: !parts.memories && "the engine lacks 64-bit memories" }, () => {
    const bytes = wat(`(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))`);
    assert.throws(() => new Module(new Engine(), bytes), (e: unknown) => {
      assert.ok(e instanceof CompileError);
      assert.equal(e.proposal, undefined, e.message);
      assert.doesNotMatch(e.message, /memory64 proposal/);
      return true;
    });
  });
