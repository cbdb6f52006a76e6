/**
 * The components our own `component new` makes run on our own runtime: the Markdown renderer, the
 * greeter (host imports through the trampoline table, an exported interface with a record and an
 * enum) and the counter (a resource the component defines, its destructor).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, Store } from "../../../../src/index.js";
import { Component, ComponentLinker } from "../../../../src/component/index.js";
import { compiledFromReusedBuffers } from "../../../helpers/reused-buffer.js";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const fixtures = join(root, "test/fixtures/components");
const engine = new Engine();

test("the Markdown component renders", () => {
  const component = Component.fromFile(engine, join(root, "examples/markdown/markdown.component.wasm"));
  const instance = new ComponentLinker(engine).instantiate(new Store(engine), component);
  const render = instance.exports.render as (s: string) => string;
  assert.equal(render("# Hi *there*\n\nü `x`"), "<h1>Hi <em>there</em></h1>\n<p>ü <code>x</code></p>");
  assert.equal(component.wit(), "package root:component;\n\nworld root {\n  export render: func(markdown: string) -> string;\n}\n");
});

test("the greeter calls its host imports and exports an interface", () => {
  const component = Component.fromFile(engine, join(fixtures, "greeter.component.wasm"));
  const linker = new ComponentLinker(engine);
  const logs: string[] = [];
  let count = 0;
  linker.define("test:greeter/host@0.1.0", { log: (m: string) => void logs.push(m), counter: () => ++count });
  const { exports } = linker.instantiate(new Store(engine), component);
  assert.equal((exports.greet as (s: string) => string)("Zoë"), "Hello, Zoë");
  assert.deepEqual(logs, ["Zoë"]);
  assert.equal(count, 1);
  assert.equal((exports.add as (a: number, b: number) => number)(40, 2), 42);
  const shapes = exports["test:greeter/shapes@0.1.0"] as { move(p: object, dx: number): object; name(c: string): string };
  assert.deepEqual(shapes.move({ x: 1, y: 2 }, 5), { x: 6, y: 2 });
  assert.equal(shapes.name("blue"), "blue");
});

test("the counter's resource: constructor, methods, static function, destructor", () => {
  const component = Component.fromFile(engine, join(fixtures, "counter.component.wasm"));
  const { exports } = new ComponentLinker(engine).instantiate(new Store(engine), component);
  type Counter = { increment(): number; get(): number; [Symbol.dispose](): void };
  const counters = exports["test:counter/counters"] as {
    Counter: { new (start: number): Counter; merge(a: Counter, b: Counter): Counter };
    dropped(): number;
  };
  const a = new counters.Counter(5);
  assert.equal(a.increment(), 6);
  const merged = counters.Counter.merge(a, new counters.Counter(10));
  assert.equal(merged.get(), 16);
  assert.equal(counters.dropped(), 0);
  a[Symbol.dispose]();
  merged[Symbol.dispose]();
  assert.equal(counters.dropped(), 2);
});

test("a component keeps its own copy of its bytes: the caller may reuse its buffer", async () => {
  const file = join(root, "examples/markdown/markdown.component.wasm");
  const fresh = (): Uint8Array => new Uint8Array(readFileSync(file));
  const compiled = await compiledFromReusedBuffers(fresh, {
    name: "Component",
    compile: (b) => new Component(engine, b),
    compileAsync: (b) => Component.compile(engine, b),
    serialize: (c) => c.serialize(),
    deserialize: (b) => Component.deserialize(engine, b),
  });
  for (const [component, how] of compiled) {
    const render = new ComponentLinker(engine).instantiate(new Store(engine), component).exports.render as (s: string) => string;
    assert.equal(render("*x*"), "<p><em>x</em></p>", how);
    // `serialize` writes the component's binary again: its own, not the reused buffer.
    const again = Component.deserialize(engine, component.serialize());
    const render2 = new ComponentLinker(engine).instantiate(new Store(engine), again).exports.render as (s: string) => string;
    assert.equal(render2("*y*"), "<p><em>y</em></p>", how);
  }
});
