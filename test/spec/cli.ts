/**
 * `npm run spec [-- --suite core|proposals|3.0] [--verbose] [--round-trip] [--v8-experimental] [FILTER]`: runs the spec suites and prints,
 * per suite, `N passed, N failed, N unsupported`. Exits 1 when any command failed. `--round-trip` also
 * prints every text module (flat and folded) and fails its `module` command unless the print parses
 * back to the same bytes.
 */
import { basename } from "node:path";
import { setFlagsFromString } from "node:v8";
import { expectedFailures } from "./expected-failures.js";
import { runWastFile } from "./run.js";
import { addRunResult, emptyRunResult } from "../../src/cli/commands/wast-runner.js";
import { SHARED, suites } from "./suites.js";
import { relative } from "node:path";
import { checkRoundTrip } from "./round-trip.js";
import { describeMerges } from "../../src/cli/commands/wast-checks.js";
import { componentSuites, enableCoreFeatures, runComponentSuite } from "./component-suites.js";
import { ComponentRuntimeHost } from "../helpers/component-host.js";

const argv = process.argv.slice(2);
let only: string | undefined;
let verbose = false;
let roundTrip = false;
let experimental = false;
const filters: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === "--suite") only = argv[++i];
  else if (a === "--verbose" || a === "-v") verbose = true;
  else if (a === "--round-trip") roundTrip = true;
  else if (a === "--v8-experimental") {
    experimental = true;
    // Opt the engine into its finished-but-unshipped features (Node 20's V8): 3.0 commands then run
    // instead of counting as unsupported. Must happen before anything is compiled.
    for (const flag of ["--experimental-wasm-memory64", "--experimental-wasm-relaxed-simd", "--experimental-wasm-extended-const"]) {
      setFlagsFromString(flag);
    }
  }
  else filters.push(a);
}
let anyFailed = false;
for (const suite of suites()) {
  if (only !== undefined && suite.name !== only) continue;
  const total = emptyRunResult();
  const t0 = performance.now();
  for (const file of suite.files) {
    if (filters.length && !filters.some((f) => file.includes(f))) continue;
    const r = runWastFile(file, {
      allowUnsupported: suite.allowUnsupported, expectedFailures: expectedFailures(), label: relative(SHARED, file),
      engineConfig: { features: suite.featuresFor(file) },
      ...(roundTrip ? { roundTrip: checkRoundTrip } : {}),
      // The list is kept for the default engine; with more features some listed commands can pass.
      lenientExpectedFailures: experimental,
    });
    addRunResult(total, r);
    if (verbose) console.log(`  ${basename(file)}: ${r.passed} passed, ${r.failed} failed, ${r.unsupported} unsupported`);
  }
  for (const f of total.failures.slice(0, verbose ? Infinity : 50)) console.log(`  FAIL ${f}`);
  if (verbose) for (const m of total.messageMismatches) console.log(`  MESSAGE ${m}`);
  if (total.failures.length > 50 && !verbose) console.log(`  … ${total.failures.length - 50} more (use --verbose)`);
  const extra = (total.expectedFailures ? ` (${total.expectedFailures} expected failures)` : "") +
    (total.messageMismatches.length ? `; ${total.messageMismatches.length} assert_malformed messages worded differently (--verbose lists them)` : "");
  console.log(`${suite.name}: ${total.passed} passed, ${total.failed} failed, ${total.unsupported} unsupported${extra} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const line of describeMerges(total.trapMerges)) console.log(`  ${line}`);
  if (total.failed) anyFailed = true;
}
process.exitCode = anyFailed ? 1 : 0;

// The component suites (see component-suites.ts).
enableCoreFeatures();
for (const suite of componentSuites()) {
  if (only !== undefined && suite.name !== only) continue;
  const t0 = performance.now();
  const r = await runComponentSuite(suite, { filters, verbose, host: () => new ComponentRuntimeHost() });
  for (const f of r.failures.slice(0, verbose ? Infinity : 50)) console.log(`  FAIL ${f}`);
  if (r.failures.length > 50 && !verbose) console.log(`  … ${r.failures.length - 50} more (use --verbose)`);
  console.log(`${suite.name}: ${r.passed} passed, ${r.failed} failed, ${r.unsupported} unsupported; ${r.notRun} not run; in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (r.failed) process.exitCode = 1;
}
