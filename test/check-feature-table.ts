/**
 * `node dist/test/check-feature-table.js RESULTS.json [--write]`: after `node --test` has written its
 * outcomes (test/reporters/results.ts), checks the README's feature table against them. Exit 1 when a
 * row marked ✅ has a test that failed, was skipped, or did not run; `--write` rewrites the marks from
 * the run instead.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { featureRows, judgeRows, rewriteTable, tableProblems, DONE, type TestOutcome } from "./helpers/feature-table.js";

const [resultsPath, flag] = process.argv.slice(2);
if (!resultsPath) {
  console.error("usage: node dist/test/check-feature-table.js RESULTS.json [--write]");
  process.exit(2);
}
const readmePath = fileURLToPath(new URL("../../README.md", import.meta.url));
const readme = readFileSync(readmePath, "utf8");
const outcomes = JSON.parse(readFileSync(resultsPath, "utf8")) as TestOutcome[];
const rows = featureRows(readme);
const verdicts = judgeRows(rows, outcomes);
if (flag === "--write") {
  writeFileSync(readmePath, rewriteTable(readme, verdicts));
  console.log(`README feature table rewritten from the run: ${verdicts.filter((v) => v.mark === DONE).length} of ${rows.length} rows ${DONE}`);
} else {
  const problems = tableProblems(verdicts);
  for (const p of problems) console.error(p);
  if (rows.length === 0) console.error("README has no feature table under ## Implementation status");
  const claimed = verdicts.filter((v) => v.row.mark === DONE).length;
  console.log(`README feature table: ${claimed - problems.length} of ${claimed} ${DONE} rows backed by a test that passed in this run`);
  if (problems.length > 0 || rows.length === 0) process.exitCode = 1;
}
