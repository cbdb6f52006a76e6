/**
 * wasmhost: a WebAssembly embedding runtime for TypeScript.
 *
 * Load a module, link it to host functions and other instances, call it with typed signatures, pass
 * data through its memory, and get readable traps — on the host engine's native WebAssembly.
 *
 * ```ts
 * import { Engine, Linker, Module, Store } from "wasmhost";
 * const engine = new Engine();
 * const module = Module.fromFile(engine, "plugin.wasm");
 * const store = new Store(engine, { data: {} });
 * const linker = new Linker(engine);
 * linker.defineFunc("host", "log", { params: ["i32"], results: [] }, (caller, n) => console.log(n));
 * const run = linker.instantiate(store, module).getTypedFunc("run", [], []);
 * run();
 * ```
 *
 * @module
 */
import { setTextCompiler } from "./runtime/module.js";
import { watToBinary } from "./text/index.js";

export * from "./core.js";

setTextCompiler((text, file) => watToBinary(text, file !== undefined ? { file } : {}));
