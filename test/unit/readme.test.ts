import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { featureRows, judgeRows, rewriteTable, tableProblems, type TestOutcome } from "../helpers/feature-table.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");

test("the README opens with the newcomer's two commands", () => {
  const head = readme.split("\n").slice(0, 8).join("\n");
  assert.match(head, /npm install && npm run demo/);
  assert.match(head, /npm test/);
});

test("the README's feature table is checked against the run: a skipped, failing or missing test turns its row ✗", () => {
  const rows = featureRows(readme);
  assert.ok(rows.length >= 20, `found ${rows.length} rows`);
  const file = "/repo/dist/test/unit/features.test.js";
  const outcomes: TestOutcome[] = rows.map((r) => ({ file, name: r.name, nesting: 0, status: "pass" }));
  assert.deepEqual(tableProblems(judgeRows(rows, outcomes)).filter((p) => p.includes(`"${rows[0]!.name}"`)), []);
  const first = rows.find((r) => r.mark === "✅")!;
  for (const status of ["skip", "fail", "todo"] as const) {
    const run = outcomes.map((o) => (o.name === first.name ? { ...o, status } : o));
    const verdict = judgeRows(rows, run).find((v) => v.row === first)!;
    assert.equal(verdict.mark, "❌", status);
    assert.equal(tableProblems([verdict]).length, 1, status);
  }
  // Missing: not run at all, run only as a subtest, or run from another file.
  for (const run of [
    outcomes.filter((o) => o.name !== first.name),
    outcomes.map((o) => (o.name === first.name ? { ...o, nesting: 1 } : o)),
    outcomes.map((o) => (o.name === first.name ? { ...o, file: "/repo/dist/test/unit/other.test.js" } : o)),
  ]) {
    assert.match(tableProblems(judgeRows([first], run))[0] ?? "", /did not run/);
  }
  assert.match(rewriteTable(readme, judgeRows([first], [])), new RegExp(`\\| ${first.name} \\| ❌ \\|`));
});

test("npm test checks the feature table after the run and typechecks the browser build", () => {
  const scripts = (JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: Record<string, string> }).scripts;
  const npmTest = scripts.test!;
  // The engine matrix (test/matrix.ts) records the current engine's outcomes with the results reporter.
  const matrix = readFileSync(`${root}test/matrix.ts`, "utf8");
  assert.match(npmTest, /node dist\/test\/matrix\.js/);
  const destination = /"--test-reporter=\.\/dist\/test\/reporters\/results\.js", "--test-reporter-destination=(\S+)"/.exec(matrix)?.[1];
  assert.ok(destination, "the matrix runs the results reporter");
  assert.match(npmTest, new RegExp(`node dist/test/check-feature-table\\.js ${destination}\\s*$`));
  assert.match(npmTest, /npm run typecheck:browser/);
  assert.equal(scripts["typecheck:browser"], "tsc -p tsconfig.browser.json");
});

test("no tracked text file holds merge conflict markers", () => {
  const files = execFileSync("git", ["ls-files", "*.md", "*.ts", "*.json", "*.wat", "*.wit", "*.sh", "*.c"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
  assert.ok(files.length > 100, `git listed ${files.length} files`);
  const marked = files.filter((f) => /^(<{7}|>{7}) /m.test(readFileSync(`${root}${f}`, "utf8")));
  assert.deepEqual(marked, []);
});
