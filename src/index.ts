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
import { fileReader } from "./host/node.js";
import { setFileReader, setTextCompiler } from "./runtime/module.js";
import { watToBinary } from "./text/index.js";

export type {
  ExportType,
  ExternKind,
  ExternType,
  FuncType,
  GlobalType,
  ImportType,
  MemoryType,
  NumType,
  RefType,
  TableType,
  TagType,
  ValType,
} from "./types.js";
export { AsyncError, CompileError, LinkError, Trap, WasiError, WasmhostBug, WatError, formatFrame } from "./errors.js";
export type { AsyncErrorCode, FrameInfo, TrapCode } from "./errors.js";
export { Engine } from "./runtime/engine.js";
export type { EngineConfig, WasmFeatures } from "./runtime/engine.js";
export type { EngineFeatures } from "./runtime/features.js";
export type { Proposal } from "./binary/features.js";
export { Store } from "./runtime/store.js";
export type { StoreLimits, StoreOptions } from "./runtime/store.js";
export { Module } from "./runtime/module.js";
export type { ModuleOptions, ModuleSource } from "./runtime/module.js";
export { Linker } from "./runtime/linker.js";
export type { HostFuncProvider } from "./runtime/linker.js";
export { Instance } from "./runtime/instance.js";
export { Caller } from "./runtime/caller.js";
export { Func } from "./runtime/func.js";
export type { HostFunc, RawHostFunc } from "./runtime/func.js";
export { Global } from "./runtime/global.js";
export { Table } from "./runtime/table.js";
export { Memory } from "./runtime/memory.js";
export { Tag } from "./runtime/tag.js";
export { Exception } from "./runtime/exception.js";
export { V128 } from "./runtime/v128.js";
export type { Extern } from "./runtime/extern.js";
export type { WasmParams, WasmResults, WasmValue } from "./runtime/values.js";
export { wasmFramesOf } from "./runtime/trap.js";
export { incrementEpochIn } from "./instrument/host.js";
export type { FuelCosts } from "./instrument/fuel.js";

setTextCompiler((text, file) => watToBinary(text, file !== undefined ? { file } : {}));
const read = fileReader();
if (read) setFileReader(read);
