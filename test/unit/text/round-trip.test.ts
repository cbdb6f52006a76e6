import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseWast, printModule, watToBinary } from "../../../src/text/index.js";
import { checkRoundTrip } from "../../spec/round-trip.js";
import { requireSuite, suiteOptions, suites } from "../../spec/suites.js";

const core = suites().find((s) => s.name === "core")!;

test("every text module of the 2.0 core suite prints and parses back to the same bytes", suiteOptions(core), () => {
  requireSuite(core);
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

test("binary modules of the core suite print, and their print is stable under parse and print", suiteOptions(core), () => {
  requireSuite(core);
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

test("a module that does not print is a round-trip failure, not a pass", () => {
  // A truncated section: the decoder (and so the printer) rejects it.
  const unprintable = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01]);
  assert.match(checkRoundTrip(unprintable) ?? "passed", /print fails/);
});

test("invalid but well-formed modules print and round-trip (non-constant initializers, as in the spec's assert_invalid)", () => {
  const bytes = watToBinary(`(module (global i32 (i32.const 1) (i32.const 2) (i32.add) (nop)) (memory 1) (data (i32.ctz (i32.const 0)) "x"))`);
  assert.equal(checkRoundTrip(bytes), undefined);
  assert.match(printModule(bytes), /i32\.ctz/);
});
