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
 * Directives that fail for reasons outside the component runtime, by `file:line`, with the reason. A
 * listed directive that passes fails the test, so the list stays true. (Units the engine cannot
 * compile for want of a feature — exnref in linking/tags.wast, multi-memory in linking/unit.wast —
 * count as unsupported, and so do the directives that run on them.)
 */
const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map([]);

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
