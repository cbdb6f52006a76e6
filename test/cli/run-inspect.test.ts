import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { wat } from "../helpers/wat.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(root, "dist/src/cli/bin.js");
const dir = mkdtempSync(join(tmpdir(), "wasmhost-cli-"));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, wat(text));
  return path;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const calc = file("calc.wasm", `(module $calc
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "wide") (param i64 f64) (result i64 f64) (local.get 0) (local.get 1))
  (func $divide (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))`);

test("run --invoke parses arguments by the export's types and prints results", async () => {
  assert.deepEqual(await cli("run", calc, "--invoke", "add", "40", "2"), { code: 0, out: "42\n", err: "" });
  assert.deepEqual(await cli("run", calc, "--invoke", "add", "0x10", "-1"), { code: 0, out: "15\n", err: "" });
  const wide = await cli("run", calc, "--invoke", "wide", "-9007199254740993", "2.5");
  assert.equal(wide.out, "-9007199254740993\n2.5\n");
});

test("a trap exits 1 with the message and backtrace on stderr", async () => {
  const r = await cli("run", calc, "--invoke", "divide", "1", "0");
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  assert.match(r.err, /wasm trap: integer divide by zero/);
  assert.match(r.err, /0: 0x[0-9a-f]+ - calc!divide/);
});

test("usage errors exit 2 and say what is wrong", async () => {
  assert.equal((await cli()).code, 2);
  assert.match((await cli("frobnicate")).err, /unknown command "frobnicate"/);
  const wrongCount = await cli("run", calc, "--invoke", "add", "1");
  assert.equal(wrongCount.code, 2);
  assert.match(wrongCount.err, /add takes 2 arguments \(i32, i32\), got 1/);
  const badNumber = await cli("run", calc, "--invoke", "add", "one", "2");
  assert.equal(badNumber.code, 2);
  assert.match(badNumber.err, /"one" is not an i32/);
  assert.match((await cli("run", calc, "--invoke", "nope")).err, /exports no function "nope" \(functions: add, wide, divide\)/);
  assert.match((await cli("run", calc, "--bogus")).err, /unknown option --bogus/);
  assert.equal((await cli("run")).code, 2);
});

test("a missing file is a usage error (exit 2), a malformed one an error with exit code 1", async () => {
  const missing = await cli("run", join(dir, "missing.wasm"), "--invoke", "f");
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no such file/);
  const junk = join(dir, "junk.wasm");
  writeFileSync(junk, new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]));
  const bad = await cli("run", junk, "--invoke", "f");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /invalid module "junk\.wasm": unknown binary version 2 \(at offset 0x4\)/);
});

test("inspect lists imports, exports, sections and names", async () => {
  const path = file("imp.wasm", `(module $lib (import "env" "log" (func $log (param i32)))
    (memory (export "memory") 1 2) (func $f (export "f") (call $log (i32.const 1))))`);
  const r = await cli("inspect", path);
  assert.equal(r.code, 0);
  assert.match(r.out, /^module "lib": \d+ bytes/);
  assert.match(r.out, /imports \(1\):\n {2}env::log: func \(i32\) -> \(\)/);
  assert.match(r.out, /exports \(2\):\n {2}memory: memory 1..2 pages\n {2}f: func \(\) -> \(\)/);
  assert.match(r.out, /sections \(\d+\):\n {2}type +at 0x000008 {2}\d+ bytes/);
  assert.match(r.out, /custom "name"/);
  assert.match(r.out, /functions: 2 named of 2/);
});

test("the wasmhost executable exits with the command's code", () => {
  const ok = spawnSync(process.execPath, [bin, "run", calc, "--invoke", "add", "1", "2"], { encoding: "utf8" });
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout, "3\n");
  const trap = spawnSync(process.execPath, [bin, "run", calc, "--invoke", "divide", "1", "0"], { encoding: "utf8" });
  assert.equal(trap.status, 1);
  assert.match(trap.stderr, /integer divide by zero/);
  const usage = spawnSync(process.execPath, [bin, "run"], { encoding: "utf8" });
  assert.equal(usage.status, 2);
});

const fixtures = join(root, "test/fixtures/wasi");

test("run executes a WASI program with its arguments and environment and exits with its code", () => {
  const exit = spawnSync(process.execPath, [bin, "run", join(fixtures, "exit_code.wasm"), "--", "exit", "7"], { encoding: "utf8" });
  assert.equal(exit.status, 7);
  assert.match(exit.stdout, /^before exit 7/);
  const env = spawnSync(process.execPath, [bin, "run", join(fixtures, "args_env.wasm"), "--env", "A=b", "--", "x"], { encoding: "utf8" });
  assert.equal(env.status, 1, "the program exits with its number of arguments");
  assert.match(env.stdout, /argv\[1\]=x/);
  assert.match(env.stdout, /env A=b/);
  const trap = spawnSync(process.execPath, [bin, "run", join(fixtures, "exit_code.wasm"), "--", "trap"], { encoding: "utf8" });
  assert.equal(trap.status, 1);
  assert.match(trap.stderr, /wasm trap: unreachable/);
});

test("run --timeout and --fuel stop a runaway module with a trap", async () => {
  const spin = join(dir, "spin.wat");
  writeFileSync(spin, `(module (func (export "spin") (loop $l (br $l))))`);
  const timed = await cli("run", spin, "--invoke", "spin", "--timeout", "100");
  assert.equal(timed.code, 1);
  assert.match(timed.err, /wasm trap: interrupt/);
  const fueled = await cli("run", spin, "--invoke", "spin", "--fuel", "1000");
  assert.equal(fueled.code, 1);
  assert.match(fueled.err, /all fuel consumed/);
  assert.match((await cli("run", spin, "--invoke", "spin", "--fuel", "-1")).err, /--fuel takes a non-negative integer/);
});

test("run detects a WASI 0.2 command component and runs it with the same flags", () => {
  const components = join(fixtures, "components");
  const data = mkdtempSync(join(tmpdir(), "wasmhost-cli-p2-"));
  const stdio = spawnSync(process.execPath, [bin, "run", join(components, "stdio.wasm")], { encoding: "utf8", input: "piped in\n" });
  assert.equal(stdio.status, 0);
  assert.equal(stdio.stdout, "PIPED IN\nout 0\nout 1\nout 2\n");
  assert.match(stdio.stderr, /read 9 bytes/);
  const env = spawnSync(process.execPath, [bin, "run", join(components, "args_env.wasm"), "--env", "A=b", "--", "x"], { encoding: "utf8" });
  assert.match(env.stdout, /argv\[1\]=x \(1 bytes\)\n/);
  assert.match(env.stdout, /env A=b\n/);
  assert.equal(env.status, 1, "a non-zero status leaves the adapter as exit(err)");
  const files = spawnSync(process.execPath, [bin, "run", join(components, "bench.wasm"), "--dir", `${data}::/d`, "--", "manyfiles", "5", "/d"], { encoding: "utf8" });
  assert.equal(files.status, 0, files.stderr);
  const ro = spawnSync(process.execPath, [bin, "run", join(components, "bench.wasm"), "--dir-ro", `${data}::/d`, "--", "manyfiles", "5", "/d"], { encoding: "utf8" });
  assert.equal(ro.status, 1, "a read-only mount refuses the writes");
  const fuel = spawnSync(process.execPath, [bin, "run", join(components, "bench.wasm"), "--fuel", "1000", "--", "printf", "10"], { encoding: "utf8" });
  assert.equal(fuel.status, 1);
  assert.match(fuel.stderr, /all fuel consumed/);
  const invoke = spawnSync(process.execPath, [bin, "run", join(components, "stdio.wasm"), "--invoke", "x"], { encoding: "utf8" });
  assert.equal(invoke.status, 2);
  assert.match(invoke.stderr, /is a component/);
});
