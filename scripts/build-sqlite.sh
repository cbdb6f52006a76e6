#!/usr/bin/env bash
# Builds the SQLite benchmark fixture test/fixtures/sqlite/sqlite-bench.wasm (issue 9): the SQLite
# amalgamation from the npm tarball of better-sqlite3 (pinned below: deps/sqlite3/sqlite3.c) with our
# driver (test/fixtures/sqlite/driver.c), by clang --target=wasm32-wasi -O2 as scripts/build-fixtures.sh
# builds the other fixtures. The .wasm is committed; the amalgamation is not.
#
#   bash scripts/build-sqlite.sh          # sqlite-bench.wasm
#   bash scripts/build-sqlite.sh async    # sqlite-async.wasm: the same with the SQL function mix(x),
#                                         # which calls the import host::mix (bench/async.bench.ts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="12.11.1" # better-sqlite3, which carries SQLite 3.53.2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "better-sqlite3@$version" >/dev/null && tar xzf "better-sqlite3-$version.tgz")
src="$tmp/package/deps/sqlite3"
out="$root/test/fixtures/sqlite/sqlite-bench.wasm"
extra=()
if [ "${1:-}" = "async" ]; then
  out="$root/test/fixtures/sqlite/sqlite-async.wasm"
  extra=(-DSQLITE_BENCH_HOST_FUNCTION=1 -Wl,--allow-undefined)
fi
clang --target=wasm32-wasi -O2 -mexec-model=reactor "${extra[@]}" \
  -DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_TEMP_STORE=3 -DSQLITE_OMIT_LOAD_EXTENSION \
  -DSQLITE_OMIT_DEPRECATED -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_SHARED_CACHE \
  -I"$src" "$root/test/fixtures/sqlite/driver.c" "$src/sqlite3.c" -o "$tmp/out.wasm"
cp "$tmp/out.wasm" "$out"
echo "build-sqlite: $out ($(wc -c < "$out") bytes) from better-sqlite3@$version"
