/**
 * The spec suites on the engine running the tests: the 2.0 core and the proposals with 0 failures
 * (apart from listed expected failures), the 3.0 suite with 0 failures and only what the engine lacks
 * unsupported. Each test reports its totals as a diagnostic (`spec core: N passed, ...`), which the
 * engine matrix (test/matrix.ts) prints per engine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { relative } from "node:path";
import { expectedFailures } from "./expected-failures.js";
import { runWastFile, type RunResult } from "./run.js";
import { addCounts } from "../../src/cli/commands/wast-checks.js";
import { requireSuite, SHARED, suiteOptions, suites } from "./suites.js";

for (const suite of suites()) {
  const minimum = suite.name === "core" ? 50_000 : suite.name === "3.0" ? 60_000 : 800;
  test(`the ${suite.name} spec suite passes`, suiteOptions(suite), (t) => {
    requireSuite(suite);
    const total: RunResult = { passed: 0, failed: 0, unsupported: 0, expectedFailures: 0, failures: [], messageMismatches: [], trapMerges: new Map() };
    for (const file of suite.files) {
      const r = runWastFile(file, {
        allowUnsupported: suite.allowUnsupported, expectedFailures: expectedFailures(), label: relative(SHARED, file),
        engineConfig: { features: suite.featuresFor(file) },
      });
      total.passed += r.passed;
      total.failed += r.failed;
      total.unsupported += r.unsupported;
      total.expectedFailures += r.expectedFailures;
      total.failures.push(...r.failures);
      addCounts(total.trapMerges, r.trapMerges);
    }
    t.diagnostic(`spec ${suite.name}: ${total.passed} passed, ${total.failed} failed, ${total.unsupported} unsupported` +
      (total.expectedFailures ? ` (${total.expectedFailures} expected failures)` : ""));
    assert.deepEqual(total.failures, []);
    assert.ok(total.passed > minimum, `only ${total.passed} commands passed`);
  });
}
