/**
 * Differential tests on the committed corpus of random modules (test/fixtures/fuzz, made by
 * scripts/fuzz-corpus.sh with binaryen's fuzzer): every variant of running each module must give the
 * plain run's transcript (see test/helpers/differential.ts). `bash scripts/fuzz-differential.sh`
 * runs the same on freshly generated modules, for longer.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { transcript, VARIANTS } from "../../helpers/differential.js";

const dir = new URL("../../../../test/fixtures/fuzz/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".wasm")).sort();

test("the fuzz corpus is there", () => {
  assert.ok(files.length >= 16, `${files.length} modules`);
});

for (const file of files) {
  test(`fuzz corpus ${file}: every variant gives the plain run's transcript`, () => {
    const bytes = new Uint8Array(readFileSync(new URL(file, dir)));
    const plain = transcript(bytes, { config: {} });
    assert.ok(plain.length > 0);
    for (const variant of VARIANTS) {
      assert.deepEqual(transcript(bytes, variant), plain, `${file}: ${variant.name}`);
    }
  });
}
