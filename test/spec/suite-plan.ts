/**
 * A spec suite as data (which scripts, each with the proposals it runs with) and the loop that runs it
 * and sums the results. No Node.js module here: the browser page (test/browser/page.ts) runs the same
 * loop as the Node tests, reading each script from the test's server instead of the disk.
 *
 * @module
 */
import type { WasmFeatures } from "../../src/index.js";
import { addRunResult, emptyRunResult, runWastScript, type RunResult } from "../../src/cli/commands/wast-runner.js";

/** The suites' names, as `npm run spec --suite` and the totals lines spell them. */
export type SuiteName = "core" | "proposals" | "3.0";

/** One script of a suite. */
export interface PlannedScript {
  /** Its path under `../shared` (`testsuite/address.wast`): names it in `file:line` keys. */
  readonly label: string;
  /** The proposals it runs with (`EngineConfig.features`). */
  readonly features: WasmFeatures;
}

/** A suite as plain data (JSON), so it can be handed to a browser page. */
export interface SuitePlan {
  readonly name: SuiteName;
  /** Count modules using a proposal the engine lacks as unsupported instead of failed. */
  readonly allowUnsupported: boolean;
  readonly scripts: readonly PlannedScript[];
}

/**
 * Runs every script of `plan`, reading each with `read(label)`, and returns the sums. `expected` is the
 * expected-failures list (`file:line` -> reason) of the engine running it.
 */
export async function runSuitePlan(
  plan: SuitePlan, read: (label: string) => string | Promise<string>, expected: ReadonlyMap<string, string>,
): Promise<RunResult> {
  const total = emptyRunResult();
  for (const script of plan.scripts) {
    const text = await read(script.label);
    const name = script.label.slice(script.label.lastIndexOf("/") + 1);
    addRunResult(total, runWastScript(text, name, {
      allowUnsupported: plan.allowUnsupported, expectedFailures: expected, label: script.label,
      engineConfig: { features: script.features },
    }));
  }
  return total;
}

/** How many commands of each suite must pass at least (a run that passes fewer lost scripts or commands). */
export const MINIMUM_PASSED: { readonly [S in SuiteName]: number } = { core: 50_000, proposals: 800, "3.0": 60_000 };

/** `N passed, N failed, N unsupported` and, when some, `(N expected failures)`. */
export function describeTotals(r: Pick<RunResult, "passed" | "failed" | "unsupported" | "expectedFailures">): string {
  return `${r.passed} passed, ${r.failed} failed, ${r.unsupported} unsupported` +
    (r.expectedFailures ? ` (${r.expectedFailures} expected failures)` : "");
}
