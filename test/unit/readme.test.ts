import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");
const featureTests = readFileSync(`${root}test/unit/features.test.ts`, "utf8");

test("the README opens with the newcomer's two commands", () => {
  const head = readme.split("\n").slice(0, 8).join("\n");
  assert.match(head, /npm install && npm run demo/);
  assert.match(head, /npm test/);
});

test("every feature marked done in the README has its test in features.test.ts", () => {
  const table = readme.slice(readme.indexOf("## Implementation status"));
  const rows = [...table.matchAll(/^\| ([^|]+?) \| (✅|❌|🚧) \|$/gm)];
  assert.ok(rows.length >= 20, `found ${rows.length} rows`);
  for (const [, name, status] of rows) {
    if (status !== "✅") continue;
    assert.ok(featureTests.includes(`test(${JSON.stringify(name)},`), `README row "${name}" is marked done but test/unit/features.test.ts has no test of that name`);
  }
});
