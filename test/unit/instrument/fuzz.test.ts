/**
 * Differential tests on the committed corpus of random modules (test/fixtures/fuzz, made by
 * scripts/fuzz-corpus.sh with binaryen's fuzzer): every variant of running each module must give the
 * plain run's transcript (see test/helpers/differential.ts). `bash scripts/fuzz-differential.sh`
 * runs the same on freshly generated modules, for longer.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fuelTranscript, referenceFuelTranscript, transcript, VARIANTS } from "../../helpers/differential.js";

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

for (const file of files) {
  test(`fuzz corpus ${file}: fuel is what a per-instruction meter counts, traps included, in every fuel variant`, () => {
    const bytes = new Uint8Array(readFileSync(new URL(file, dir)));
    const reference = referenceFuelTranscript(bytes);
    assert.deepEqual(fuelTranscript(bytes, { consumeFuel: true, fuelBulkPerUnit: false }), reference, `${file}: flat bulk costs`);
    // Bulk costs by length: the same in every variant that runs with them.
    const perUnit = fuelTranscript(bytes, { consumeFuel: true });
    assert.deepEqual(fuelTranscript(bytes, { consumeFuel: true, timeLimits: true }), perUnit, `${file}: fuel and time limit`);
    assert.deepEqual(fuelTranscript(bytes, { consumeFuel: true, epochInterruption: true }), perUnit, `${file}: fuel and epochs`);
    assert.deepEqual(fuelTranscript(bytes, { consumeFuel: true }, true), perUnit, `${file}: fuel, serialized`);
  });
}
