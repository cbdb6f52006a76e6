/**
 * The Component Model's run-time conformance tests (`../shared/component-model/test/` values/,
 * resources/, linking/) through the component `.wast` runner, with wasmhost's component runtime as
 * its execution host. Prints the totals per folder; skipped visibly when ../shared is missing.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { emptyComponentResult, runComponentWastFile } from "../../../src/cli/commands/component-wast.js";
import { ComponentRuntimeHost } from "../../helpers/component-host.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const suite = `${root}../shared/component-model/test`;
const skip = existsSync(suite) ? false : `${suite} is missing`;

/**
 * Directives that fail for reasons outside the component runtime, by `file:line`, with the reason.
 * The units themselves count as unsupported (the engine rejects them for want of a feature); what is
 * listed here are the directives that use them. A listed directive that passes fails the test, so
 * the list stays true.
 */
const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map([
  // Node 20's V8 has no exception references (try_table): tags.wast's components do not compile.
  ...[31, 32, 60, 89, 133, 134].map((l) => [`linking/tags.wast:${l}`, "engine: no exnref"] as const),
  // Node 20's V8 has no multi-memory: unit.wast's components with two memories do not compile.
  ...[295, 296, 297, 298, 299, 300, 301, 302, 344, 345, 346, 347, 348, 349, 350, 351, 374, 375].map(
    (l) => [`linking/unit.wast:${l}`, "engine: no multi-memory"] as const,
  ),
]);

for (const folder of ["values", "resources", "linking"]) {
  test(`component-model ${folder}/ runs with 0 failures`, { skip }, async () => {
    const total = emptyComponentResult();
    for (const f of readdirSync(`${suite}/${folder}`).filter((n) => n.endsWith(".wast")).sort()) {
      const r = await runComponentWastFile(`${suite}/${folder}/${f}`, { host: new ComponentRuntimeHost(), label: `${folder}/${f}` });
      total.passed += r.passed;
      total.failed += r.failed;
      total.unsupported += r.unsupported;
      total.notRun += r.notRun;
      total.failures.push(...r.failures);
    }
    const key = (f: string) => f.slice(0, f.indexOf(":", f.indexOf(".wast:") + 6));
    const unexpected = total.failures.filter((f) => !EXPECTED_FAILURES.has(key(f)));
    const failedKeys = new Set(total.failures.map(key));
    const nowPassing = [...EXPECTED_FAILURES.keys()].filter((k) => k.startsWith(`${folder}/`) && !failedKeys.has(k));
    const expected = total.failed - unexpected.length;
    console.log(`${folder}/: ${total.passed} passed, ${total.failed} failed (${expected} expected: engine features), ${total.unsupported} unsupported`);
    for (const f of unexpected) console.log(`  ${f}`);
    assert.deepEqual(unexpected, []);
    assert.deepEqual(nowPassing, [], "listed as expected failures but passing");
  });
}
