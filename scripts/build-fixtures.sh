#!/usr/bin/env bash
# Builds the C sources of the test fixtures and examples into WebAssembly, each .c into a .wasm beside it.
#
#   bash scripts/build-fixtures.sh            # every test/fixtures/**/*.c and examples/**/*.c
#   bash scripts/build-fixtures.sh FILE.c...  # only these
#   bash scripts/build-fixtures.sh --check    # exit 1 if a committed .wasm differs from a fresh build
#
# Each file is compiled alone with `clang --target=wasm32-wasi -O2 FILE.c -o FILE.wasm` plus the flags
# on its first line, if that line is a comment `// build: FLAGS` (split on whitespace; no quoting), e.g.
#   // build: -mexec-model=reactor -Wl,--export=render
# A first line `// build: skip` leaves the file out (for sources that others #include).
# A second line `// component: WIT [WORLD]` makes FILE.wasm a component: the core module is wrapped by
# our own `wasmhost component new` (from dist/: run `npm run build` first) for the world in WIT (a
# file or directory relative to FILE.c). test/fixtures/components/NAME.wat files whose first line is
# `;; component: WIT [WORLD]` become NAME.component.wasm the same way (when no FILE is given).
# A .wasm is rewritten only when its bytes change, so running the script twice changes nothing.
# test/fixtures/wasi/*.wasm are also made WASI 0.2 components (test/fixtures/wasi/components/, see below).
# The built .wasm files are committed: neither the tests, the demo nor CI need a compiler.
#
# Bit-for-bit: the committed files are built with Debian 12's toolchain (clang-14 and lld-14 1:14.0.6-12,
# wasi-libc 0.0~git20220510.9886d3d-2, libclang-rt-14-dev-wasm32). clang runs `wasm-opt` after linking
# whenever it finds one on PATH (binaryen), which rewrites the output; the script hides it, so the same
# sources give the same bytes whether or not binaryen is installed. `--check` with another clang exits 3
# (it cannot tell stale from different) instead of 1; so does a missing toolchain.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

install_hint="apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32"
pinned_clang="Debian clang version 14.0.6"

die() {
  echo "build-fixtures: $*" >&2
  exit 1
}

# The toolchain is missing or not the one the committed files come from (exit 3).
unavailable() {
  echo "build-fixtures: $*" >&2
  exit 3
}

check=0
files=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $arg (usage: bash scripts/build-fixtures.sh [--check] [FILE.c...])" ;;
    *) [ -f "$arg" ] || die "no such file: $arg"; files+=("$(realpath --relative-to="$root" "$arg")") ;;
  esac
done
cd "$root"

explicit="${#files[@]}"
if [ "${#files[@]}" -eq 0 ]; then
  while IFS= read -r -d '' f; do files+=("$f"); done < <(
    find test/fixtures examples -name '*.c' -type f -print0 2>/dev/null | sort -z
  )
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "build-fixtures: no C sources under test/fixtures or examples"
  exit 0
fi

command -v clang >/dev/null 2>&1 || unavailable "clang is not installed. Install the toolchain with:
  $install_hint"
found_clang="$(clang --version | head -n 1)"
if [[ "$found_clang" != "$pinned_clang"* ]]; then
  [ "$check" -eq 1 ] && unavailable "the committed .wasm files are built with $pinned_clang; found $found_clang, whose output may differ"
  echo "build-fixtures: warning: found $found_clang; the committed files are built with $pinned_clang" >&2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# clang with a PATH holding only itself and the wasm linker, so that no wasm-opt runs after linking.
mkdir "$tmp/bin"
ln -s "$(command -v clang)" "$tmp/bin/clang"
while IFS= read -r tool; do
  ln -sf "$(command -v "$tool")" "$tmp/bin/$tool"
done < <(compgen -c wasm-ld | sort -u)
cc() { PATH="$tmp/bin" clang "$@"; }

# Probe the toolchain once, so that a missing sysroot, linker or runtime library is named plainly
# instead of surfacing as an error about some fixture.
printf '#include <stdlib.h>\n#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' > "$tmp/probe.c"
if ! cc --target=wasm32-wasi -O2 "$tmp/probe.c" -o "$tmp/probe.wasm" 2> "$tmp/probe.err"; then
  cat "$tmp/probe.err" >&2
  if grep -q "file not found" "$tmp/probe.err"; then
    what="the WASI sysroot (wasi-libc headers) is missing"
  elif grep -qi "wasm-ld" "$tmp/probe.err"; then
    what="the wasm linker (wasm-ld, package lld) is missing"
  elif grep -qi "libclang_rt\|builtins" "$tmp/probe.err"; then
    what="the wasm32 compiler runtime (libclang_rt.builtins-wasm32.a) is missing"
  elif grep -qi "crt1\|-lc\|unable to find library" "$tmp/probe.err"; then
    what="the WASI libc (wasi-libc) is missing"
  else
    what="clang cannot build for wasm32-wasi"
  fi
  unavailable "$what. Install the toolchain with:
  $install_hint"
fi

built=0
unchanged=0
stale=0

# place BUILT OUT SRC HOW: installs a fresh build unless it is unchanged (or reports it stale with --check).
place() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    echo "unchanged $2 ($(wc -c < "$2") bytes)"
    unchanged=$((unchanged + 1))
  elif [ "$check" -eq 1 ]; then
    echo "STALE     $2 (differs from a fresh build of $3)"
    stale=$((stale + 1))
  else
    cp "$1" "$2"
    chmod 644 "$2"
    echo "built     $2 ($(wc -c < "$2") bytes): $4"
    built=$((built + 1))
  fi
}
for src in "${files[@]}"; do
  [ -f "$src" ] || die "no such file: $src"
  case "$src" in *.c) ;; *) die "not a C source: $src" ;; esac
  out="${src%.c}.wasm"
  first="$(head -n 1 "$src")"
  flags=()
  if [[ "$first" =~ ^[[:space:]]*//[[:space:]]*build:(.*)$ ]]; then
    read -r -a flags <<< "${BASH_REMATCH[1]}"
  fi
  if [ "${#flags[@]}" -eq 1 ] && [ "${flags[0]}" = "skip" ]; then
    echo "skipped   $src (// build: skip)"
    continue
  fi
  cmd=(cc --target=wasm32-wasi -O2 "${flags[@]}" "$src" -o "$tmp/out.wasm")
  if ! "${cmd[@]}"; then
    die "FAILED to build $src
  command: ${cmd[*]}"
  fi
  second="$(sed -n 2p "$src")"
  if [[ "$second" =~ ^[[:space:]]*//[[:space:]]*component:[[:space:]]*([^[:space:]]+)[[:space:]]*([^[:space:]]*) ]]; then
    wit="$(dirname "$src")/${BASH_REMATCH[1]}"
    world=()
    [ -n "${BASH_REMATCH[2]}" ] && world=(--world "${BASH_REMATCH[2]}")
    [ -f dist/src/cli/bin.js ] || die "$src is a component: run npm run build first (it uses dist/src/cli/bin.js)"
    if ! node dist/src/cli/bin.js component new "$tmp/out.wasm" --wit "$wit" "${world[@]}" -o "$tmp/component.wasm" > /dev/null; then
      die "FAILED to make the component of $src"
    fi
    mv "$tmp/component.wasm" "$tmp/out.wasm"
    flags+=("(then wasmhost component new --wit ${BASH_REMATCH[1]})")
  fi
  place "$tmp/out.wasm" "$out" "$src" "clang --target=wasm32-wasi -O2 ${flags[*]}"
done

# Components from WAT: test/fixtures/components/NAME.wat whose first line is `;; component: WIT [WORLD]`
# becomes NAME.component.wasm, by our own `wasmhost wat2wasm` and `wasmhost component new`.
if [ "$explicit" -eq 0 ]; then
  for src in test/fixtures/components/*.wat; do
    [ -f "$src" ] || continue
    first="$(head -n 1 "$src")"
    [[ "$first" =~ ^[[:space:]]*\;\;[[:space:]]*component:[[:space:]]*([^[:space:]]+)[[:space:]]*([^[:space:]]*) ]] || continue
    [ -f dist/src/cli/bin.js ] || die "$src is a component: run npm run build first (it uses dist/src/cli/bin.js)"
    wit="$(dirname "$src")/${BASH_REMATCH[1]}"
    world=()
    [ -n "${BASH_REMATCH[2]}" ] && world=(--world "${BASH_REMATCH[2]}")
    node dist/src/cli/bin.js wat2wasm "$src" -o "$tmp/core.wasm" > /dev/null || die "FAILED to assemble $src"
    node dist/src/cli/bin.js component new "$tmp/core.wasm" --wit "$wit" "${world[@]}" -o "$tmp/out.wasm" > /dev/null ||
      die "FAILED to make the component of $src"
    place "$tmp/out.wasm" "${src%.wat}.component.wasm" "$src" "wasmhost wat2wasm, component new --wit ${BASH_REMATCH[1]}"
  done
fi

# Preview1 commands as WASI 0.2 components: test/fixtures/wasi/NAME.wasm becomes
# test/fixtures/wasi/components/NAME.wasm, linked by our own `wasmhost component new --adapt` with the
# preview1 adapter that ships in @bytecodealliance/jco (lib/wasi_snapshot_preview1.command.wasm).
if [ "$explicit" -eq 0 ]; then
  adapter="node_modules/@bytecodealliance/jco/lib/wasi_snapshot_preview1.command.wasm"
  [ -f "$adapter" ] || die "making the WASI components needs the preview1 adapter of the devDependency @bytecodealliance/jco: npm install"
  [ -f dist/src/cli/bin.js ] || die "the WASI components are made by our own tool: run npm run build first (it uses dist/src/cli/bin.js)"
  mkdir -p test/fixtures/wasi/components
  for core in test/fixtures/wasi/*.wasm; do
    name="$(basename "$core" .wasm)"
    node dist/src/cli/bin.js component new "$core" --adapt "wasi_snapshot_preview1=$adapter" -o "$tmp/adapted.wasm" > /dev/null ||
      die "FAILED to adapt $core"
    place "$tmp/adapted.wasm" "test/fixtures/wasi/components/$name.wasm" "$core" "wasmhost component new --adapt wasi_snapshot_preview1=(jco's preview1 command adapter)"
  done
fi

if [ "$check" -eq 1 ]; then
  echo "build-fixtures: $unchanged up to date, $stale stale"
  [ "$stale" -eq 0 ] || die "$stale .wasm file(s) are stale; run bash scripts/build-fixtures.sh and commit them"
else
  echo "build-fixtures: $built built, $unchanged unchanged"
fi
