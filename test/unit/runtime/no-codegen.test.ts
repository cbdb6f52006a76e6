import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const index = fileURLToPath(new URL("../../../src/index.js", import.meta.url));

test("calls work and are checked where code generation is forbidden (the adapters' generic path)", () => {
  const script = `
    import { Engine, Linker, Module, Store } from ${JSON.stringify(index)};
    const engine = new Engine();
    const linker = new Linker(engine);
    linker.defineFunc("h", "twice", { params: ["i64"], results: ["i64"] }, (_c, x) => x * 2n);
    linker.defineFunc("h", "bad", { params: [], results: ["i32"] }, () => "no");
    const inst = linker.instantiate(new Store(engine), Module.fromText(engine, \`(module
      (import "h" "twice" (func $t (param i64) (result i64))) (import "h" "bad" (func $b (result i32)))
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "twice") (param i64) (result i64) (call $t (local.get 0)))
      (func (export "bad") (result i32) (call $b)))\`));
    const out = [inst.getTypedFunc("add", ["i32", "i32"], ["i32"])(2, 3), String(inst.getFunc("twice").call(21n))];
    for (const f of [() => inst.getTypedFunc("add", ["i32", "i32"], ["i32"])("2", 3), () => inst.getFunc("bad").call()]) {
      try { f(); out.push("no error"); } catch (e) { out.push(e.constructor.name + ": " + e.message); }
    }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.stderr, "");
  const out = JSON.parse(r.stdout) as string[];
  assert.equal(out[0], 5);
  assert.equal(out[1], "42");
  assert.match(out[2]!, /^TypeError: add: parameter 0 \(i32\) expects a number, got string "2"/);
  assert.match(out[3]!, /^TypeError: host function h::bad: expected a number for i32, got string "no"/);
});
