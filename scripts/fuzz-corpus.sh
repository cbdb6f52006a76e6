#!/usr/bin/env bash
# Generates random valid modules with binaryen's fuzzer (`wasm-opt -ttf`, Debian package `binaryen`)
# for the differential tests of instrumentation (test/unit/instrument/fuzz.test.ts).
#
#   bash scripts/fuzz-corpus.sh DIR COUNT [SEED]   # DIR/000.wasm ... from COUNT random inputs
#
# The committed seed corpus (test/fixtures/fuzz) was made with binaryen 108 (Debian) by
#   FUZZ_FEATURES="--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
#     --enable-multivalue --enable-mutable-globals" bash scripts/fuzz-corpus.sh test/fixtures/fuzz 28 1
# FUZZ_FEATURES adds wasm-opt feature flags, e.g. FUZZ_FEATURES="--enable-bulk-memory --enable-multivalue".
# Each module comes from 1-4 KiB of pseudo-random bytes (seeded, so the corpus can be made again with
# the same binaryen); only features every Node version we support runs should be enabled.
set -euo pipefail
dir="${1:?usage: bash scripts/fuzz-corpus.sh DIR COUNT [SEED]}"
count="${2:?usage: bash scripts/fuzz-corpus.sh DIR COUNT [SEED]}"
seed="${3:-$RANDOM}"
command -v wasm-opt >/dev/null 2>&1 || { echo "fuzz-corpus: wasm-opt not found; apt-get install -y binaryen" >&2; exit 1; }
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for ((i = 0; i < count; i++)); do
  size=$((1024 + (seed * 7919 + i * 104729) % 3072))
  # A deterministic byte stream from the seed and the index.
  (openssl enc -aes-128-ctr -nosalt -pass "pass:wasmhost-fuzz-$seed-$i" -pbkdf2 < /dev/zero 2>/dev/null || true) | head -c "$size" > "$tmp/in.bin"
  out="$(printf '%s/%03d.wasm' "$dir" "$i")"
  # shellcheck disable=SC2086 # a list of flags
  wasm-opt -ttf ${FUZZ_FEATURES:-} "$tmp/in.bin" -o "$out" 2>/dev/null
done
echo "fuzz-corpus: $count modules in $dir (seed $seed)"
