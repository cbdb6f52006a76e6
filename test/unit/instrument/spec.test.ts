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
import type { EngineConfig } from "../../../src/index.js";
import { expectedFailures } from "../../spec/expected-failures.js";
import { runWastFile } from "../../spec/run.js";
import { requireSuite, SHARED, suiteOptions, suites } from "../../spec/suites.js";

const core = suites().find((s) => s.name === "core")!;
const CONFIGS: readonly [string, EngineConfig][] = [
  ["fuel", { consumeFuel: true }],
  ["epoch interruption", { epochInterruption: true }],
  ["fuel, time limits and store-created memories and tables", { consumeFuel: true, timeLimits: true }],
];

for (const [label, engineConfig] of CONFIGS) {
  test(`the 2.0 core spec suite gives the same results with ${label}`, suiteOptions(core), () => {
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
