/**
 * Where the spec suites are (read from `../shared` next to the repository, never copied) and how each
 * is run: the 2.0 core, the proposals the engine runs, and the 3.0 suite (features the engine lacks
 * count as unsupported).
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { WasmFeatures } from "../../src/index.js";
import type { SuiteName, SuitePlan } from "./suite-plan.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from dist/test/spec). */
export const REPO_ROOT = resolve(here, "..", "..", "..");
/** The shared folder holding the suites. */
export const SHARED = resolve(REPO_ROOT, "..", "shared");

/** A named group of `.wast` files. */
export interface Suite {
  readonly name: SuiteName;
  readonly files: readonly string[];
  readonly allowUnsupported: boolean;
  /**
   * The proposals a file is run with (`EngineConfig.features`): the suite's own version of
   * WebAssembly, so that an engine with newer proposals still rejects what that version calls
   * malformed or invalid (a second memory, a memory index where 2.0 has a zero byte, ...).
   */
  featuresFor(file: string): WasmFeatures;
}

/** Everything WebAssembly 2.0 does not have, switched off. */
const WASM_2_0: WasmFeatures = {
  "relaxed-simd": false, threads: false, "tail-call": false, "legacy-exceptions": false, exceptions: false,
  "function-references": false, gc: false, "extended-const": false, memory64: false, "multi-memory": false,
  "custom-page-sizes": false, "shared-everything-threads": false,
};

function wastFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".wast")).sort().map((f) => join(dir, f));
}

const PROPOSALS_ON_2_0: WasmFeatures = { ...WASM_2_0, "tail-call": true, "legacy-exceptions": true, exceptions: true, threads: true };

/** The suites, by name. */
export function suites(): Suite[] {
  const v2 = join(SHARED, "testsuite-wasm-2.0");
  const v3 = join(SHARED, "testsuite");
  return [
    { name: "core", files: wastFiles(v2), allowUnsupported: false, featuresFor: () => WASM_2_0 },
    {
      name: "proposals",
      files: ["tail-call", "exception-handling/legacy", "threads"].flatMap((p) => wastFiles(join(v2, "proposals", p))),
      allowUnsupported: false,
      // The suite's proposals on top of 2.0 (the exception-handling tests use tail calls too).
      featuresFor: () => PROPOSALS_ON_2_0,
    },
    {
      name: "3.0",
      files: [
        ...wastFiles(v3), ...wastFiles(join(v3, "legacy")), ...wastFiles(join(v3, "proposals", "threads")),
        ...wastFiles(join(v3, "custom")),
        // exnref (try_table, throw_ref) is part of 3.0, not of the legacy proposal the engine runs.
        ...wastFiles(join(v2, "proposals", "exception-handling")),
      ],
      allowUnsupported: true,
      // The threads and exception-handling proposals' own tests predate multi-memory: they expect a
      // second memory to be invalid.
      featuresFor: (file) => (file.includes("threads") || file.includes("exception-handling") ? { "multi-memory": false } : {}),
    },
  ];
}

/** `suite` as data: each script by its path under `SHARED` (where `scriptPath` finds it again), with its features. */
export function suitePlan(suite: Suite): SuitePlan {
  return {
    name: suite.name,
    allowUnsupported: suite.allowUnsupported,
    scripts: suite.files.map((file) => ({ label: relative(SHARED, file), features: suite.featuresFor(file) })),
  };
}

/** The file of a script label of `suitePlan`. */
export function scriptPath(label: string): string {
  return join(SHARED, label);
}

/**
 * `node:test` options for a test that reads `suite`. A missing suite is a visible skip that says what is
 * missing; with `CI=true` (where the suites must be present) the test runs instead, and `requireSuite`
 * fails it.
 */
export function suiteOptions(suite: Suite, env: NodeJS.ProcessEnv = process.env): { skip?: string } {
  if (suite.files.length > 0 || env.CI === "true") return {};
  return { skip: `the ${suite.name} spec suite is missing (no .wast files under ${SHARED})` };
}

/** Fails the calling test when `suite` has no files (a run with CI=true gets here; see `suiteOptions`). */
export function requireSuite(suite: Suite): void {
  if (suite.files.length === 0) throw new Error(`the ${suite.name} spec suite is missing (no .wast files under ${SHARED})`);
}
