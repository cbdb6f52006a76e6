import assert from "node:assert/strict";
import { test } from "node:test";
import { requireSuite, suiteOptions, type Suite } from "./suites.js";

const missing: Suite = { name: "core", files: [], allowUnsupported: false, featuresFor: () => ({}) };
const present: Suite = { name: "core", files: ["x.wast"], allowUnsupported: false, featuresFor: () => ({}) };

test("a missing spec suite is a visible skip with its reason, and a failure under CI=true", () => {
  assert.match(suiteOptions(missing, {}).skip ?? "", /core spec suite is missing/);
  assert.deepEqual(suiteOptions(missing, { CI: "true" }), {}, "CI runs the test");
  assert.throws(() => requireSuite(missing), /core spec suite is missing/);
  assert.deepEqual(suiteOptions(present, {}), {});
  assert.doesNotThrow(() => requireSuite(present));
});
