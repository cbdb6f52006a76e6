/**
 * Architecture rules, checked: imports point one way between folders (no cycles), only the host and
 * CLI folders import Node's modules, and the public surface of each entry point is a visible decision
 * (a committed list of names).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const src = join(root, "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  );
}

/** The layer of a source file: its folder under src/, or the leaf file's name. */
function layer(file: string): string {
  const rel = relative(src, file).replace(/\\/g, "/");
  const first = rel.split("/")[0]!;
  return /\.(ts|js)$/.test(first) ? first.replace(/\.(ts|js)$/, "") : first;
}

/** What each layer may import (besides itself). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  types: [],
  errors: ["types"],
  binary: ["types", "errors"],
  text: ["types", "errors", "binary"],
  instrument: ["types", "errors", "binary"],
  runtime: ["types", "errors", "binary", "text", "instrument"],
  wasi: ["types", "errors", "runtime"],
  host: ["types", "errors", "wasi"],
  component: ["types", "errors", "binary", "text", "instrument", "runtime", "wasi"],
  core: ["types", "errors", "binary", "instrument", "runtime", "host"],
  index: ["types", "errors", "binary", "text", "instrument", "runtime", "host", "core"],
  bindgen: ["types", "errors", "binary", "text", "runtime", "component"],
  plugins: ["bindgen"],
  cli: ["types", "errors", "binary", "text", "instrument", "runtime", "wasi", "host", "index", "component", "bindgen"],
};

const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/gm;

test("imports between folders point one way only", () => {
  const problems: string[] = [];
  for (const file of files(src)) {
    const from = layer(file);
    const allowed = ALLOWED[from];
    assert.ok(allowed, `no rule for layer ${from} (${relative(root, file)})`);
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith(".")) continue;
      const to = layer(resolve(dirname(file), spec));
      if (to !== from && !allowed.includes(to)) problems.push(`${relative(root, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(problems, []);
});

test("only src/host, src/cli and src/plugins import Node's modules statically", () => {
  const problems: string[] = [];
  for (const file of files(src)) {
    const l = layer(file);
    if (l === "host" || l === "cli" || l === "plugins") continue; // plugins run in Node build tools
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith("node:")) problems.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the public surface of wasmhost is the committed list", async () => {
  const api = await import("../../src/index.js");
  assert.deepEqual(Object.keys(api).sort(), [
    "AsyncError", "Caller", "CompileError", "Engine", "Exception", "Func", "Global", "Instance", "LinkError", "Linker", "Memory", "Module",
    "Store", "Table", "Tag", "Trap", "V128", "WasiError", "WasmhostBug", "WatError", "formatFrame", "incrementEpochIn", "wasmFramesOf",
  ]);
});
