/**
 * The spec runner accepts only the outcome each assertion means. Each test below is a script that the
 * old, lenient runner passed: an assertion satisfied by the wrong kind of error, a compile error counted
 * as a missing feature, a text error for another reason, a trap text found in a function name.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runWastFile, type RunOptions, type RunResult } from "../../../src/cli/commands/wast.js";
import { matchesGcRef, TRAP_MERGES } from "../../../src/cli/commands/wast-checks.js";
import { Func, Store, Engine } from "../../../src/index.js";
import { engineFeatures, PROPOSALS } from "../../../src/runtime/features.js";

const dir = mkdtempSync(join(tmpdir(), "wasmhost-wast-strict-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function run(script: string, options: RunOptions = {}): RunResult {
  const path = join(dir, `s${files++}.wast`);
  writeFileSync(path, script);
  return runWastFile(path, options);
}

/** Runs a script of one setup module (optional) and one assertion; returns the assertion's failure. */
function failureOf(script: string, options: RunOptions = {}): string | undefined {
  const r = run(script, options);
  return r.failures[0];
}

test("assert_unlinkable passes only on a LinkError: a start function that traps is not unlinkable", () => {
  assert.equal(failureOf(`(assert_unlinkable (module (import "spectest" "nothing" (func))) "unknown import")`), undefined);
  const f = failureOf(`(assert_unlinkable (module (func unreachable) (start 0)) "unknown import")`);
  assert.match(f ?? "passed", /expected a LinkError.*Trap/);
});

test("assert_uninstantiable passes only on a trap while instantiating: a missing import is not", () => {
  assert.equal(failureOf(`(assert_uninstantiable (module (func unreachable) (start 0)) "unreachable")`), undefined);
  const f = failureOf(`(assert_uninstantiable (module (import "spectest" "nothing" (func))) "unreachable")`);
  assert.match(f ?? "passed", /expected trap "unreachable", got LinkError/);
});

test("assert_exception passes only on a wasm exception: a host error from the call is not", () => {
  assert.equal(failureOf(`(module (tag $e) (func (export "throw") (throw $e)))
(assert_exception (invoke "throw"))`), undefined);
  // Calling with a missing argument throws a TypeError on the host side: no wasm exception.
  const f = failureOf(`(module (func (export "id") (param i32) (result i32) (local.get 0)))
(assert_exception (invoke "id"))`);
  assert.match(f ?? "passed", /expected a wasm exception, got/);
  assert.match(failureOf(`(module (func (export "t") unreachable))
(assert_exception (invoke "t"))`) ?? "passed", /expected a wasm exception, got Trap/);
});

test("a trap matches by its code, not by text anywhere in its message (a function named like the trap)", () => {
  const script = `(module (func $"integer divide by zero" (export "f") unreachable))
(assert_trap (invoke "f") "integer divide by zero")`;
  assert.match(failureOf(script) ?? "passed", /expected trap "integer divide by zero", got unreachable/);
});

test("engine trap merges are the listed ones, each with a reason, and each use is counted", () => {
  for (const m of TRAP_MERGES) assert.ok(m.reason.length > 20, `merge "${m.text}" -> ${m.code} has a reason`);
  const r = run(`(module (func (export "nan") (result i32) (i32.trunc_f32_s (f32.const nan))))
(assert_trap (invoke "nan") "integer overflow")
(assert_trap (invoke "nan") "invalid conversion to integer")`);
  assert.deepEqual(r.failures, []);
  assert.deepEqual([...r.trapMerges.values()], [1]);
  // No merge for a code the engine keeps apart: a table access out of bounds is not an overflow.
  assert.match(failureOf(`(module (table 0 funcref) (func (export "oob") (drop (table.get 0 (i32.const 5)))))
(assert_trap (invoke "oob") "integer overflow")`) ?? "passed", /got table_out_of_bounds/);
});

test("a module the engine rejects is unsupported only when it uses a proposal the engine lacks", () => {
  const options = { allowUnsupported: true };
  // An invalid module (type mismatch) is a failure even where features may be missing.
  const invalid = run(`(module (func (result i32) (i64.const 0)))`, options);
  assert.equal(invalid.failed, 1);
  assert.equal(invalid.unsupported, 0);
  const lacking = PROPOSALS.find((p) => !engineFeatures()[p] && p === "memory64");
  if (lacking === undefined) return; // this engine has memory64: nothing to be unsupported
  // A 64-bit table too: Node 22 has 64-bit memories but not tables, and the memory64 probe asks for both.
  const r = run(`(module (table i64 1 funcref) (memory i64 1) (func (export "f")))
(assert_return (invoke "f"))
(assert_invalid (module (table i64 1 funcref) (memory i64 1) (func (drop (i64.load align=16 (i64.const 0))))) "alignment")`, options);
  assert.deepEqual({ unsupported: r.unsupported, failed: r.failed, passed: r.passed }, { unsupported: 3, failed: 0, passed: 0 });
});

test("a text module that fails to assemble satisfies assert_invalid or assert_malformed only for the reason expected", () => {
  assert.equal(failureOf(`(assert_invalid (module (func (call $nope))) "unknown function")`), undefined);
  assert.match(failureOf(`(assert_invalid (module (func (call $nope))) "type mismatch")`) ?? "passed", /failed to assemble for another reason: unknown function/);
  assert.match(failureOf(`(assert_malformed (module quote "(func (i32.const 1.0))") "unknown operator")`) ?? "passed", /another reason/);
});

test("malformed text must be rejected by the text parser, not by the engine after assembling", () => {
  assert.equal(failureOf(`(assert_malformed (module quote "(func (catch_all))") "unexpected token")`), undefined);
  assert.equal(failureOf(`(assert_malformed (module quote "(tag $e) (func (try (do) (catch $e) (delegate 0)))") "unexpected token")`), undefined);
  // A text that assembles to an invalid binary is not "malformed" (here: a type mismatch).
  assert.match(failureOf(`(assert_malformed (module quote "(func (result i32) (i64.const 0))") "type mismatch")`) ?? "passed", /malformed text assembled/);
});

test("thread and wait directives fail rather than pass unchecked", () => {
  const r = run(`(thread $t (module (func)))\n(wait $t)`);
  assert.equal(r.failed, 2);
  assert.match(r.failures[0]!, /not implemented/);
});

test("GC reference results match by kind", () => {
  const host = { externref: 1 };
  const isHost = (v: object) => v === host;
  const f = Func.wrap(new Store(new Engine()), { params: [], results: [] }, () => {});
  const gcObject = Object.freeze(Object.create(null) as object);
  assert.equal(matchesGcRef("ref.i31", 5, isHost), true);
  assert.equal(matchesGcRef("ref.i31", 2 ** 30, isHost), false);
  assert.equal(matchesGcRef("ref.i31", gcObject, isHost), false);
  assert.equal(matchesGcRef("ref.struct", gcObject, isHost), true);
  for (const v of [5, host, f, null, undefined]) assert.equal(matchesGcRef("ref.struct", v, isHost), false, String(v));
  assert.equal(matchesGcRef("ref.eq", 5, isHost), true);
  assert.equal(matchesGcRef("ref.eq", host, isHost), false);
  assert.equal(matchesGcRef("ref.any", host, isHost), true);
  assert.equal(matchesGcRef("ref.any", null, isHost), false);
});
