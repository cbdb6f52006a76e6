import { test } from "node:test";
import assert from "node:assert/strict";
import { relative } from "node:path";
import { EXPECTED_FAILURES } from "./expected-failures.js";
import { runWastFile } from "./run.js";
import { requireSuite, SHARED, suiteOptions, suites } from "./suites.js";

const core = suites().find((s) => s.name === "core")!;

test("the WebAssembly 2.0 core spec suite passes (apart from listed expected failures)", suiteOptions(core), () => {
  requireSuite(core);
  let passed = 0;
  const failures: string[] = [];
  for (const file of core.files) {
    const r = runWastFile(file, { expectedFailures: EXPECTED_FAILURES, label: relative(SHARED, file) });
    passed += r.passed;
    failures.push(...r.failures);
  }
  assert.deepEqual(failures, []);
  assert.ok(passed > 50_000, `only ${passed} commands passed`);
});
