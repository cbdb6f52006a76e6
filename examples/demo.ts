/**
 * `npm run demo`: wasmhost's two classic examples.
 *
 * 1. Hello: a module calls a TypeScript host function, which reads the greeting out of the module's
 *    memory through its `Caller`.
 * 2. Passing data: a Markdown-to-HTML renderer written in C (examples/markdown/markdown.c, built to
 *    markdown.wasm) renders a line of Markdown passed in through linear memory.
 * 3. The same renderer as a component (markdown.component.wasm, built from the same C by
 *    `wasmhost component new` with markdown.wit): `render` takes and returns a string, with no glue —
 *    the canonical ABI copies the strings.
 */
import { fileURLToPath } from "node:url";
import { Engine, Linker, Module, Store } from "../src/index.js";
import { Component, ComponentLinker } from "../src/component/index.js";
import { MarkdownRenderer } from "./markdown/render.js";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const engine = new Engine();

// 1. Hello
const linker = new Linker(engine);
linker.defineFunc("host", "print", { params: ["i32", "i32"], results: [] }, (caller, ptr, len) => {
  console.log(caller.getMemory()!.readString(ptr, len));
});
const hello = linker.instantiate(new Store(engine), Module.fromFile(engine, `${examples}hello/hello.wat`));
hello.getTypedFunc("run", [], [])();

// 2. Passing data: Markdown to HTML
const markdown = "# Hello, `TypeScript`! Welcome to **WebAssembly** with [wasmhost](https://example.com)!";
const renderer = new MarkdownRenderer(`${examples}markdown/markdown.wasm`, engine);
console.log(renderer.render(markdown));

// 3. The same renderer as a component: a string in, a string out
const component = Component.fromFile(engine, `${examples}markdown/markdown.component.wasm`);
const instance = new ComponentLinker(engine).instantiate(new Store(engine), component);
const render = instance.exports.render as (markdown: string) => string;
console.log(render(markdown));
