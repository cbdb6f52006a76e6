import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { Engine, Store } from "../../../src/index.js";

const INDEX = new URL("../../../src/index.js", import.meta.url).href;

test("an engine keeps its epoch in ordinary memory until epochBuffer is read, keeping the value", () => {
  const engine = new Engine({ epochInterruption: true });
  new Store(engine).setEpochDeadline(1);
  engine.incrementEpoch();
  engine.incrementEpoch();
  assert.ok(!(engine.epoch.cell.buffer instanceof SharedArrayBuffer));
  const shared = engine.epochBuffer;
  assert.ok(shared instanceof SharedArrayBuffer);
  assert.equal(new BigInt64Array(shared)[0], 2n);
  assert.equal(engine.epochBuffer, shared, "later reads return the same buffer");
  engine.incrementEpoch();
  assert.equal(new BigInt64Array(shared)[0], 3n);
});

// A page that is not cross-origin isolated has no SharedArrayBuffer: run a program without it.
test("without SharedArrayBuffer, engines, epochs and time limits work and epochBuffer names COOP/COEP", () => {
  const program = `
    delete globalThis.SharedArrayBuffer;
    const { Engine, Linker, Module, Store, Trap } = await import(${JSON.stringify(INDEX)});
    const engine = new Engine({ epochInterruption: true, timeLimits: true });
    const store = new Store(engine);
    const module = Module.fromText(engine, '(module (func (export "spin") (loop $l (br $l))))');
    const spin = new Linker(engine).instantiate(store, module).getTypedFunc("spin", [], []);
    const codes = [];
    store.setTimeLimit(20);
    try { spin(); } catch (e) { codes.push(e instanceof Trap ? e.code : String(e)); }
    store.setTimeLimit(undefined);
    store.setEpochDeadline(1);
    engine.incrementEpoch();
    try { spin(); } catch (e) { codes.push(e instanceof Trap ? e.code : String(e)); }
    let message = "";
    try { engine.epochBuffer; } catch (e) { message = e.message; }
    console.log(JSON.stringify({ codes, message }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", program], {
    cwd: fileURLToPath(new URL(".", import.meta.url)),
    encoding: "utf8",
  });
  const { codes, message } = JSON.parse(out) as { codes: string[]; message: string };
  assert.deepEqual(codes, ["interrupt", "interrupt"]);
  assert.match(message, /SharedArrayBuffer/);
  assert.match(message, /Cross-Origin-Opener-Policy: same-origin/);
  assert.match(message, /Cross-Origin-Embedder-Policy: require-corp/);
});
