/**
 * `npm run demo`: wasmhost's two classic examples.
 *
 * 1. Hello: a module calls a TypeScript host function, which reads the greeting out of the module's
 *    memory through its `Caller`.
 * 2. Passing data: a Markdown-to-HTML renderer written in C (examples/markdown/markdown.c, built to
 *    markdown.wasm) renders a line of Markdown passed in through linear memory.
 */
import { fileURLToPath } from "node:url";
import { Engine, Linker, Module, Store } from "../src/index.js";
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
