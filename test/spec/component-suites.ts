/**
 * The component suites of `npm run spec`: the Component Model's reference tests
 * (`../shared/component-model/test/`, without `async/` and the files in its `nyi.txt`) and
 * wasm-tools' component tests (`../shared/wasm-tools-component-tests/`, without `async/`).
 * Prints, per suite, `N passed, N failed, N unsupported` and the directives not run for lack of a
 * component runtime.
 */
import type { Proposal } from "../../src/binary/proposals.js";
import { probeEngineFeatures } from "../../src/runtime/features.js";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { setFlagsFromString } from "node:v8";
import {
  emptyComponentResult,
  runComponentWastFile,
  type ComponentRunResult,
  type ComponentScriptHost,
} from "../../src/cli/commands/component-wast.js";
import { SHARED } from "./suites.js";

/** A component suite: its name and files. */
export interface ComponentSuite {
  readonly name: "component-model" | "wasm-tools-component";
  readonly files: readonly string[];
}

function walk(dir: string, skip: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (skip(p)) continue;
    if (statSync(p).isDirectory()) out.push(...walk(p, skip));
    else if (name.endsWith(".wast")) out.push(p);
  }
  return out;
}

/** The component suites (empty file lists when `../shared` is missing). */
export function componentSuites(): ComponentSuite[] {
  const cm = join(SHARED, "component-model", "test");
  const nyiFile = join(cm, "nyi.txt");
  const nyi = new Set(
    existsSync(nyiFile)
      ? readFileSync(nyiFile, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => join(cm, l))
      : [],
  );
  const wt = join(SHARED, "wasm-tools-component-tests");
  return [
    { name: "component-model", files: walk(cm, (p) => p === join(cm, "async") || nyi.has(p)) },
    { name: "wasm-tools-component", files: walk(wt, (p) => p === join(wt, "async")) },
  ];
}

/**
 * Opts the engine into the core proposals the component suites' core modules use (GC, memory64,
 * typed function references, tail calls), so that their code validates.
 */
export function enableCoreFeatures(): void {
  // Only for proposals the engine lacks: newer engines ship them and no longer know these flags.
  const have = probeEngineFeatures(); // not the cached answer: flags set here change it
  const flags: [Proposal, string][] = [["gc", "gc"], ["memory64", "memory64"], ["function-references", "typed-funcref"], ["tail-call", "return-call"], ["extended-const", "extended-const"]];
  for (const [p, f] of flags) if (!have[p]) setFlagsFromString(`--experimental-wasm-${f}`);
}

/** Runs one component suite; returns its totals. */
export async function runComponentSuite(
  suite: ComponentSuite,
  options: { filters?: readonly string[]; verbose?: boolean; host?: ComponentScriptHost | (() => ComponentScriptHost) } = {},
): Promise<ComponentRunResult> {
  const total = emptyComponentResult();
  for (const file of suite.files) {
    if (options.filters?.length && !options.filters.some((f) => file.includes(f))) continue;
    const host = typeof options.host === "function" ? options.host() : options.host;
    const r = await runComponentWastFile(file, { label: relative(SHARED, file), ...(host ? { host } : {}) });
    total.passed += r.passed;
    total.failed += r.failed;
    total.unsupported += r.unsupported;
    total.notRun += r.notRun;
    total.failures.push(...r.failures);
    if (options.verbose) console.log(`  ${relative(SHARED, file)}: ${r.passed} passed, ${r.failed} failed, ${r.unsupported} unsupported, ${r.notRun} not run`);
  }
  return total;
}
