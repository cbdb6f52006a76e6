/** The CLI's limits: --dir ambiguity, `wast --fuel/--timeout`, and `run --timeout` over blocking WASI calls. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { wat } from "../helpers/wat.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(root, "dist/src/cli/bin.js");
const dir = mkdtempSync(join(tmpdir(), "wasmhost-cli-limits-"));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const hello = join(dir, "noop.wasm");
writeFileSync(hello, wat(`(module (func (export "f") (result i32) (i32.const 1)))`));

test("--dir with more than one :: is an ambiguous usage error (exit 2); one :: maps HOST to GUEST", async () => {
  const bad = await cli("run", hello, "--dir", `${dir}::a::b`, "--invoke", "f");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /one "::".*ambiguous/);
  assert.equal((await cli("run", hello, "--dir-ro", "a::b::c", "--invoke", "f")).code, 2);
  assert.deepEqual(await cli("run", hello, "--dir", `${dir}::/data`, "--invoke", "f"), { code: 0, out: "1\n", err: "" });
});

test("wast --timeout and --fuel turn a runaway assertion into a failure, and the script goes on", async () => {
  const script = join(dir, "loop.wast");
  writeFileSync(script, `(module (func (export "spin") (loop $l (br $l))) (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 1))
(assert_return (invoke "spin"))
(assert_return (invoke "one") (i32.const 1))
`);
  const t0 = performance.now();
  const timed = await cli("wast", script, "--timeout", "100");
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(timed.code, 1);
  assert.match(timed.out, /3 passed, 1 failed/);
  assert.match(timed.err, /loop\.wast:3: wasm trap: interrupt/);
  const fueled = await cli("wast", script, "--fuel", "100000");
  assert.equal(fueled.code, 1);
  assert.match(fueled.out, /3 passed, 1 failed/);
  assert.match(fueled.err, /all fuel consumed/);
  assert.equal((await cli("wast", script, "--fuel", "x")).code, 2);
  assert.equal((await cli("wast", script, "--timeout", "0")).code, 2);
  assert.equal((await cli("wast", script, "--timeout")).code, 2);
});

/** Runs the CLI in a child whose stdin stays open with nothing written; resolves with its exit. */
function runWithOpenStdin(args: string[]): Promise<{ code: number | null; err: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const safety = setTimeout(() => child.kill(), 20_000);
    child.on("exit", (code) => {
      clearTimeout(safety);
      child.stdin.destroy();
      resolve({ code, err, ms: performance.now() - t0 });
    });
  });
}

const blocking = join(dir, "blocking.wasm");
writeFileSync(blocking, wat(`(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "read") (result i32)
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 16))
    (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "sleep") (result i32)
    (i32.store (i32.const 16) (i32.const 1)) (i64.store (i32.const 24) (i64.const -1))
    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 8))))`));

test("run --timeout ends a guest blocked reading an open, silent stdin or sleeping forever", async () => {
  for (const fn of ["read", "sleep"]) {
    const r = await runWithOpenStdin(["run", blocking, "--invoke", fn, "--timeout", "300"]);
    assert.equal(r.code, 1, `${fn}: ${r.err}`);
    assert.match(r.err, /wasm trap: interrupt/);
    assert.ok(r.ms < 10_000, `${fn} took ${r.ms.toFixed(0)} ms`);
  }
});
