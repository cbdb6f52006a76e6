/**
 * The README's feature table, checked against what the test runner saw: each row names a test in
 * test/unit/features.test.ts, and a row may say ✅ only if that test ran and passed in the same run.
 * A failing, skipped, todo or missing test turns its row ✗ (and fails `npm test`).
 */

/** One test's outcome, as test/reporters/results.ts records it. */
export interface TestOutcome {
  /** The test file (absolute path, compiled). */
  readonly file: string;
  readonly name: string;
  /** 0 for a top-level test. */
  readonly nesting: number;
  readonly status: "pass" | "fail" | "skip" | "todo";
}

/** One row of the table. */
export interface FeatureRow {
  readonly name: string;
  /** The mark in the README. */
  readonly mark: string;
  /** Where the row is in the README (its whole line). */
  readonly line: string;
}

/** The file whose top-level tests back the rows. */
export const FEATURE_TESTS = "features.test.js";
/** The mark of a row whose test passed. */
export const DONE = "✅";
/** The mark of a row whose test did not pass (or is missing). */
export const NOT_DONE = "❌";

/** The rows of the table under `## Implementation status`. */
export function featureRows(readme: string): FeatureRow[] {
  const start = readme.indexOf("## Implementation status");
  if (start < 0) return [];
  const next = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, next < 0 ? readme.length : next);
  return [...section.matchAll(/^\| ([^|]+?) \| (\S+) \|$/gm)]
    .filter((m) => m[1] !== "Feature" && !m[1]!.startsWith("---"))
    .map((m) => ({ name: m[1]!, mark: m[2]!, line: m[0] }));
}

/** What the run says about one row. */
export interface RowVerdict {
  readonly row: FeatureRow;
  /** The outcome of its test, or "missing". */
  readonly outcome: TestOutcome["status"] | "missing";
  /** The mark the row should carry. */
  readonly mark: string;
}

/** The verdict on each row, from the outcomes of the top-level tests in `FEATURE_TESTS`. */
export function judgeRows(rows: readonly FeatureRow[], outcomes: readonly TestOutcome[]): RowVerdict[] {
  const byName = new Map<string, TestOutcome["status"]>();
  for (const o of outcomes) {
    if (o.nesting !== 0 || !o.file.endsWith(`/${FEATURE_TESTS}`)) continue;
    // A name used twice counts as passed only if every test of that name passed.
    const before = byName.get(o.name);
    byName.set(o.name, before === undefined || before === "pass" ? o.status : before);
  }
  return rows.map((row) => {
    const outcome = byName.get(row.name) ?? "missing";
    return { row, outcome, mark: outcome === "pass" ? DONE : NOT_DONE };
  });
}

/**
 * Problems of a run: rows marked ✅ whose test did not pass. (A row not marked ✅ may have a passing
 * test: it is a feature not claimed yet.)
 */
export function tableProblems(verdicts: readonly RowVerdict[]): string[] {
  return verdicts
    .filter((v) => v.row.mark === DONE && v.mark !== DONE)
    .map((v) => `README row "${v.row.name}" is marked ${DONE} but its test in ${FEATURE_TESTS} ${v.outcome === "missing" ? "did not run (missing)" : v.outcome === "fail" ? "failed" : `was ${v.outcome === "skip" ? "skipped" : "todo"}`}: the row is ${NOT_DONE}`);
}

/** The README with each row's mark replaced by its verdict's. */
export function rewriteTable(readme: string, verdicts: readonly RowVerdict[]): string {
  let out = readme;
  for (const v of verdicts) out = out.replace(v.row.line, `| ${v.row.name} | ${v.mark} |`);
  return out;
}
