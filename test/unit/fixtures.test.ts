/**
 * The committed .wasm fixtures are exactly what their C sources build to with the pinned toolchain
 * (scripts/build-fixtures.sh names it). Without that toolchain the check is a visible skip.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const script = join(root, "scripts", "build-fixtures.sh");

/** Runs the script; returns undefined (after skipping `t`) when the toolchain is missing or differs. */
function check(t: TestContext, ...args: string[]): { status: number; output: string } | undefined {
  const r = spawnSync("bash", [script, "--check", ...args], { encoding: "utf8" });
  const output = `${r.stdout}${r.stderr}`;
  if (r.status === 3) {
    t.skip(output.split("\n").find((l) => l.startsWith("build-fixtures:")) ?? "toolchain unavailable");
    return undefined;
  }
  return { status: r.status ?? -1, output };
}

test("every committed .wasm fixture rebuilds bit for bit from its C source", (t) => {
  const r = check(t);
  if (!r) return;
  assert.equal(r.status, 0, r.output.split("\n").filter((l) => /STALE|build-fixtures:/.test(l)).join("\n"));
  assert.match(r.output, /build-fixtures: \d+ up to date, 0 stale/);
});

test("the fixture check reports a .wasm that differs from its source", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-fixture-"));
  try {
    const src = join(dir, "fib.c");
    copyFileSync(join(root, "test", "fixtures", "kernels", "fib.c"), src);
    copyFileSync(join(root, "test", "fixtures", "kernels", "fib.wasm"), join(dir, "fib.wasm"));
    const same = check(t, src);
    if (!same) return;
    assert.equal(same.status, 0, same.output);
    writeFileSync(join(dir, "fib.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const stale = check(t, src);
    assert.ok(stale);
    assert.equal(stale.status, 1);
    assert.match(stale.output, /STALE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
