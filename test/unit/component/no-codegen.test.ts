/**
 * Component calls where code generation is forbidden (a strict Content-Security-Policy): the host
 * entry falls back from generated code to the closure path, with the same results and errors.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const index = fileURLToPath(new URL("../../../src/index.js", import.meta.url));
const component = fileURLToPath(new URL("../../../src/component/index.js", import.meta.url));
const bench = fileURLToPath(new URL("../../../bench/component.bench.js", import.meta.url));

test("component calls work and are checked where code generation is forbidden", () => {
  const script = `
    import { Engine, Store } from ${JSON.stringify(index)};
    import { Component, ComponentLinker } from ${JSON.stringify(component)};
    import { BENCH_COMPONENT } from ${JSON.stringify(bench)};
    let generated = true;
    try { new Function("return 1"); } catch { generated = false; }
    const engine = new Engine();
    const { echo, add, sum } = new ComponentLinker(engine).instantiate(new Store(engine), Component.fromText(engine, BENCH_COMPONENT)).exports;
    const out = [generated, echo("héllo ☃"), add(2, 3), add(0xffffffff, 1), sum(new Uint8Array(1000))];
    for (const f of [() => add(1.5, 2), () => echo(42)]) {
      try { f(); out.push("no error"); } catch (e) { out.push(e.constructor.name + ": " + e.message); }
    }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.stderr, "");
  assert.deepEqual(JSON.parse(r.stdout), [
    false,
    "héllo ☃",
    5,
    0,
    1000,
    "TypeError: add: arg 0: expected a u32 (an integer in 0..4294967295), got 1.5",
    "TypeError: echo: arg 0: expected a string, got 42",
  ]);
});
