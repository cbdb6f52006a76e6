import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseWast, printModule, watToBinary } from "../../../src/text/index.js";
import { checkRoundTrip } from "../../spec/round-trip.js";
import { suites } from "../../spec/suites.js";

const core = suites().find((s) => s.name === "core")!;

test("every text module of the 2.0 core suite prints and parses back to the same bytes", { skip: core.files.length === 0 && "no ../shared/testsuite-wasm-2.0" }, () => {
  const problems: string[] = [];
  let modules = 0;
  for (const file of core.files) {
    const script = parseWast(readFileSync(file, "utf8"), { file });
    for (const d of script.directives) {
      const m = "module" in d && typeof d.module === "object" ? d.module : undefined;
      if (!m || m.form !== "text" || !m.bytes) continue;
      modules++;
      const problem = checkRoundTrip(m.bytes);
      if (problem) problems.push(`${file}:${d.line}: ${problem}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(modules > 1000, `only ${modules} modules`);
});

test("binary modules of the core suite print, and their print is stable under parse and print", { skip: core.files.length === 0 && "no ../shared/testsuite-wasm-2.0" }, () => {
  const problems: string[] = [];
  for (const file of core.files) {
    for (const d of parseWast(readFileSync(file, "utf8"), { file }).directives) {
      if (d.type !== "module" || d.module.form !== "binary" || !d.module.bytes) continue;
      // Binary modules need not be canonical (padded LEB128s, custom sections): print once to normalize.
      const first = printModule(d.module.bytes);
      const again = printModule(watToBinary(first));
      if (again !== first) problems.push(`${file}:${d.line}`);
    }
  }
  assert.deepEqual(problems, []);
});
