/**
 * The spec suites on the engine running the tests: the 2.0 core and the proposals with 0 failures
 * (apart from listed expected failures), the 3.0 suite with 0 failures and only what the engine lacks
 * unsupported. Each test reports its totals as a diagnostic (`spec core: N passed, ...`), which the
 * engine matrix (test/matrix.ts) prints per engine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { expectedFailures } from "./expected-failures.js";
import { describeTotals, MINIMUM_PASSED, runSuitePlan } from "./suite-plan.js";
import { requireSuite, scriptPath, suiteOptions, suitePlan, suites } from "./suites.js";

for (const suite of suites()) {
  test(`the ${suite.name} spec suite passes`, suiteOptions(suite), async (t) => {
    requireSuite(suite);
    const total = await runSuitePlan(suitePlan(suite), (label) => readFileSync(scriptPath(label), "utf8"), expectedFailures());
    t.diagnostic(`spec ${suite.name}: ${describeTotals(total)}`);
    assert.deepEqual(total.failures, []);
    assert.ok(total.passed > MINIMUM_PASSED[suite.name], `only ${total.passed} commands passed`);
  });
}
