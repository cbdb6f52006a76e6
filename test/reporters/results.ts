/**
 * A `node:test` reporter that records each test's outcome, for checks that must see what actually ran
 * (the README's feature table, see test/helpers/feature-table.ts). `npm test` runs it next to the usual
 * reporter: `--test-reporter=./dist/test/reporters/results.js --test-reporter-destination=FILE`. It writes
 * one JSON array of `TestOutcome`s when the run ends.
 */
import type { TestOutcome } from "../helpers/feature-table.js";

/** What the runner reports about a finished test (the fields this reporter reads). */
interface FinishedTest {
  readonly name: string;
  readonly nesting: number;
  readonly file?: string;
  readonly skip?: string | boolean;
  readonly todo?: string | boolean;
}

type RunnerEvent = { readonly type: string; readonly data?: unknown };

/** The reporter: consumes the runner's events, yields the JSON once all tests have finished. */
export default async function* results(source: AsyncIterable<RunnerEvent>): AsyncGenerator<string> {
  const outcomes: TestOutcome[] = [];
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const t = event.data as FinishedTest;
    const status = event.type === "test:fail" ? "fail" : t.skip !== undefined && t.skip !== false ? "skip" : t.todo !== undefined && t.todo !== false ? "todo" : "pass";
    outcomes.push({ file: t.file ?? "", name: t.name, nesting: t.nesting, status });
  }
  yield `${JSON.stringify(outcomes, null, 1)}\n`;
}
