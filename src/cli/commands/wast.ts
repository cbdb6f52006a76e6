/**
 * `wasmhost wast FILE... [--verbose] [--allow-unsupported] [--fuel N] [--timeout MS]`: runs `.wast`
 * spec scripts and prints how many commands passed, failed or are unsupported (per file with
 * `--verbose` or when one has failures, and a total), with `file:line` for each failure on stderr; exit
 * 1 if any failed. `--allow-unsupported` counts modules that use a proposal the engine lacks (found by
 * feature probing) as unsupported rather than failed. `--fuel N` gives every directive N fuel and `--timeout MS` limits
 * every call into wasm to MS milliseconds, so a script that loops forever fails (`out_of_fuel`,
 * `interrupt`) instead of hanging.
 *
 * The runner itself is `wast-runner.ts` (no Node.js modules, so the browser tests run it too); this file
 * reads the scripts and is the command.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { WatError } from "../../index.js";
import type { CliIO } from "../io.js";
import { UsageError } from "../io.js";
import { componentWastCommand, isComponentScript } from "./component-wast.js";
import { addCounts, describeMerges, type MergeCounts } from "./wast-checks.js";
import { runWastScript, type RunOptions, type RunResult } from "./wast-runner.js";

export { addRunResult, emptyRunResult, runWastScript } from "./wast-runner.js";
export type { RunOptions, RunResult } from "./wast-runner.js";

/** Runs one `.wast` file (read as UTF-8; named by its base name unless `options.label` is given). */
export function runWastFile(path: string, options: RunOptions = {}): RunResult {
  return runWastScript(readFileSync(path, "utf8"), basename(path), options);
}

export { WatError };

/** The `wast` command. */
export default function wast(argv: string[], io: CliIO): number | Promise<number> {
  const files: string[] = [];
  let verbose = false;
  let allowUnsupported = false;
  let fuel: bigint | undefined;
  let timeoutMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--verbose" || a === "-v") verbose = true;
    else if (a === "--allow-unsupported") allowUnsupported = true;
    else if (a === "--fuel" || a === "--timeout") {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v) || (a === "--timeout" && Number(v) <= 0))
        throw new UsageError(`${a} takes a ${a === "--fuel" ? "non-negative integer" : "positive number of milliseconds"}, got ${v === undefined ? "nothing" : JSON.stringify(v)}`);
      if (a === "--fuel") fuel = BigInt(v);
      else timeoutMs = Number(v);
    }
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) throw new UsageError("wast takes one or more FILEs");
  // Component scripts go to the component runner (component-wast.ts).
  if (files.some((f) => isComponentScript(readFileSync(f, "utf8")))) return componentWastCommand(files, io, verbose);
  let failed = 0;
  let passed = 0;
  let unsupported = 0;
  const merges: MergeCounts = new Map();
  for (const file of files) {
    const r = runWastFile(file, { allowUnsupported, ...(fuel !== undefined ? { fuel } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    failed += r.failed;
    passed += r.passed;
    unsupported += r.unsupported;
    addCounts(merges, r.trapMerges);
    for (const f of r.failures) io.err(`FAIL ${f}\n`);
    if (verbose || files.length === 1 || r.failed || r.unsupported) {
      io.out(`${file}: ${r.passed} passed, ${r.failed} failed, ${r.unsupported} unsupported\n`);
    }
  }
  if (files.length > 1) io.out(`total: ${passed} passed, ${failed} failed, ${unsupported} unsupported\n`);
  for (const line of describeMerges(merges)) io.out(`${line}\n`);
  return failed ? 1 : 0;
}
