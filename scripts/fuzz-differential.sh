#!/usr/bin/env bash
# A longer differential run than `npm test` does: COUNT fresh random modules from binaryen's fuzzer
# (`wasm-opt -ttf`), each run plain and under every variant of test/helpers/differential.ts (fuel,
# epochs, time limits, serialized artifacts, decoder/encoder and printer/parser round trips); the
# transcripts must match. A module that differs is kept in DIR and named, to be added to the corpus.
#
#   bash scripts/fuzz-differential.sh [COUNT=200] [SEED=random] [DIR=/tmp/wasmhost-fuzz]
#
# Needs binaryen (apt-get install -y binaryen) and a build (npm run build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-200}"
seed="${2:-$RANDOM}"
dir="${3:-/tmp/wasmhost-fuzz}"
rm -rf "$dir"
bash "$root/scripts/fuzz-corpus.sh" "$dir" "$count" "$seed"
node --input-type=module -e '
import { readdirSync, readFileSync } from "node:fs";
const { transcript, VARIANTS } = await import(process.argv[1] + "/dist/test/helpers/differential.js");
const dir = process.argv[2];
let failed = 0, total = 0;
for (const f of readdirSync(dir).filter((n) => n.endsWith(".wasm")).sort()) {
  total++;
  const bytes = new Uint8Array(readFileSync(`${dir}/${f}`));
  let plain;
  try { plain = transcript(bytes, { config: {} }).join("\n"); } catch (e) { console.log(`${f}: plain run failed: ${e}`); failed++; continue; }
  for (const v of VARIANTS) {
    let got;
    try { got = transcript(bytes, v).join("\n"); } catch (e) { got = `threw ${e}`; }
    if (got !== plain) { console.log(`${dir}/${f}: ${v.name} differs from the plain run`); failed++; break; }
  }
}
console.log(`fuzz-differential: ${total} modules, ${failed} differing`);
process.exit(failed ? 1 : 0);
' "$root" "$dir"
