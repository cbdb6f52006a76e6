/**
 * The proof that instrumentation keeps semantics: the whole WebAssembly 2.0 core spec suite, run with
 * each instrumentation switched on, gives the results it gives without (the suite's own test,
 * test/spec/core.test.ts, checks the plain run against the expected-failures list).
 *
 * A command listed as an expected failure that passes under instrumentation is reported by the runner
 * as a failure ("... but passes"); here that counts as a match, since instrumentation only ever makes
 * such engine quirks disappear, never appear.
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { test } from "node:test";
import { Engine, type EngineConfig } from "../../../src/index.js";
import { expectedFailures } from "../../spec/expected-failures.js";
import { runWastFile } from "../../spec/run.js";
import { requireSuite, SHARED, suiteOptions, suites } from "../../spec/suites.js";

const core = suites().find((s) => s.name === "core")!;
const v3 = suites().find((s) => s.name === "3.0")!;
const CONFIGS: readonly [string, EngineConfig][] = [
  ["fuel", { consumeFuel: true }],
  ["epoch interruption", { epochInterruption: true }],
  ["fuel, time limits and store-created memories and tables", { consumeFuel: true, timeLimits: true }],
];

/**
 * In the engine matrix (test/matrix.ts), the node running `npm test` runs each configuration on the 2.0
 * suite; the other engines run the 3.0 suite (which holds the 2.0 tests too) with every pass at once,
 * or the 2.0 suite so where they lack GC. Outside the matrix everything runs.
 */
const secondaryEngine = process.env["WASMHOST_ENGINE_ROLE"] === "secondary";
const hasGc = Engine.hostFeatures().gc;

for (const [label, engineConfig] of CONFIGS) {
  const combined = engineConfig.timeLimits === true;
  const options = secondaryEngine && (hasGc || !combined)
    ? { skip: "matrix: this engine runs the 3.0 suite with every pass at once; each pass alone runs on the primary engine" }
    : suiteOptions(core);
  test(`the 2.0 core spec suite gives the same results with ${label}`, options, () => {
    requireSuite(core);
    let passed = 0;
    const failures: string[] = [];
    for (const file of core.files) {
      const r = runWastFile(file, {
        expectedFailures: expectedFailures(), label: relative(SHARED, file), engineConfig: { ...engineConfig, features: core.featuresFor(file) },
      });
      passed += r.passed;
      failures.push(...r.failures.filter((f) => !/listed as an expected failure .* but passes/.test(f)));
    }
    assert.deepEqual(failures, []);
    assert.ok(passed > 50_000, `only ${passed} commands passed`);
  });
}

// WebAssembly 3.0 (GC, typed references, exceptions, memory64, multi-memory, ...) where the engine has
// it: every instrumentation at once, which reads and rewrites every body and moves every memory and
// table into the store. Features the engine lacks stay unsupported, as in the plain run.
test("the 3.0 spec suite gives the same results with fuel, time limits and store-created memories and tables",
  hasGc ? suiteOptions(v3) : { skip: "the engine lacks GC" }, () => {
    requireSuite(v3);
    let passed = 0;
    const failures: string[] = [];
    for (const file of v3.files) {
      const r = runWastFile(file, {
        allowUnsupported: true, expectedFailures: expectedFailures(), label: relative(SHARED, file),
        engineConfig: { consumeFuel: true, timeLimits: true, features: v3.featuresFor(file) },
      });
      passed += r.passed;
      failures.push(...r.failures.filter((f) => !/listed as an expected failure .* but passes/.test(f)));
    }
    assert.deepEqual(failures, []);
    assert.ok(passed > 60_000, `only ${passed} commands passed`);
  });
