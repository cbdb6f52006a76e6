/**
 * Snapshot tests of rendered text-format errors: each `test/parse-fail/NAME.wat` must fail to assemble
 * with exactly the message in `NAME.wat.err`. Run with `BLESS=1` to rewrite the snapshots.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { watToBinary } from "../../src/text/index.js";
import { WatError } from "../../src/errors.js";
import { REPO_ROOT } from "../spec/suites.js";

const dir = join(REPO_ROOT, "test", "parse-fail");
const bless = process.env.BLESS === "1";

for (const name of readdirSync(dir).filter((f) => f.endsWith(".wat")).sort()) {
  test(`${name} fails with its snapshot message`, () => {
    const text = readFileSync(join(dir, name), "utf8");
    let message = "assembled without error";
    try {
      watToBinary(text, { file: name });
    } catch (e) {
      assert.ok(e instanceof WatError, `expected a WatError, got ${String(e)}`);
      message = e.message;
    }
    const snapshot = join(dir, `${name}.err`);
    if (bless || !existsSync(snapshot)) {
      writeFileSync(snapshot, `${message}\n`);
      if (!bless) assert.fail(`no snapshot for ${name}: wrote one; check it and rerun`);
      return;
    }
    assert.equal(`${message}\n`, readFileSync(snapshot, "utf8"));
  });
}
