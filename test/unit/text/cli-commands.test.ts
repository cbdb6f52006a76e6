import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import print from "../../../src/cli/commands/print.js";
import wast from "../../../src/cli/commands/wast.js";
import wat2wasm from "../../../src/cli/commands/wat2wasm.js";
import { UsageError } from "../../../src/cli/io.js";
import { WatError } from "../../../src/errors.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "wasmhost-text-"));
const wat = join(dir, "add.wat");
writeFileSync(wat, `(module (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`);

test("wat2wasm writes the binary and print reads it back", async () => {
  const c = capture();
  const wasm = join(dir, "add.wasm");
  assert.equal(await wat2wasm([wat, "-o", wasm], c.io), 0);
  const bytes = readFileSync(wasm);
  assert.deepEqual([...bytes.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
  const p = capture();
  assert.equal(await print([wasm, "--flat"], p.io), 0);
  assert.match(p.out.join(""), /\(func \$add \(type 0\) \(param i32\) \(param i32\) \(result i32\)\n\s+local\.get 0/);
  const folded = join(dir, "add.folded.wat");
  assert.equal(await print([wasm, "-o", folded], capture().io), 0);
  assert.equal(await wat2wasm([folded, "-o", join(dir, "again.wasm")], capture().io), 0);
  assert.deepEqual(readFileSync(join(dir, "again.wasm")), bytes);
});

test("wat2wasm reports text errors as WatErrors and usage errors as UsageErrors", async () => {
  const bad = join(dir, "bad.wat");
  writeFileSync(bad, "(module (func (local.get $nope)))");
  await assert.rejects(async () => wat2wasm([bad, "-o", join(dir, "bad.wasm")], capture().io), WatError);
  await assert.rejects(async () => wat2wasm([], capture().io), UsageError);
  await assert.rejects(async () => print([], capture().io), UsageError);
  await assert.rejects(async () => wast([], capture().io), UsageError);
});

test("wast runs a script and counts its commands", async () => {
  const script = join(dir, "t.wast");
  writeFileSync(script, `(module (func (export "f") (result i32) (i32.const 7)))
(assert_return (invoke "f") (i32.const 7))
(assert_return (invoke "f") (i32.const 8))
(assert_malformed (module quote "(func (i32.const x))") "unexpected token")`);
  const c = capture();
  assert.equal(await wast([script], c.io), 1);
  assert.match(c.out.join(""), /3 passed, 1 failed, 0 unsupported/);
  assert.match(c.err.join(""), /t\.wast:3: result 0: expected/);
});
