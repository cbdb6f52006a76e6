/**
 * A component built by a toolchain wasmhost did not write: componentize-js (StarlingMonkey, a whole
 * JS engine in about 12 MB), from test/fixtures/components/componentize-js/greet.js and greet.wit
 * (see build.mjs there). It imports nothing; its `greet` takes and returns a string.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync } from "node:zlib";
import { Engine } from "../../../src/runtime/engine.js";
import { Store } from "../../../src/runtime/store.js";
import { Component, ComponentLinker } from "../../../src/component/index.js";

const fixture = fileURLToPath(new URL("../../../../test/fixtures/components/componentize-js/greet.component.wasm.br", import.meta.url));

test("a componentize-js component (StarlingMonkey, ~12 MB) compiles, instantiates and runs", () => {
  const bytes = new Uint8Array(brotliDecompressSync(readFileSync(fixture)));
  assert.ok(bytes.length > 10_000_000);
  const engine = new Engine();
  const component = new Component(engine, bytes);
  assert.deepEqual(component.imports, []);
  assert.deepEqual(component.exports.map((e) => e.name), ["greet"]);
  const instance = new ComponentLinker(engine).instantiate(new Store(engine), component);
  const greet = instance.exports.greet as (name: string) => string;
  assert.equal(greet("wasmhost ☃"), "Hello, wasmhost ☃! (10 UTF-16 units)");
  assert.equal(greet("😀"), "Hello, 😀! (2 UTF-16 units)");
  assert.throws(() => greet(42 as unknown as string), { name: "TypeError", message: "greet: arg 0: expected a string, got 42" });
});
