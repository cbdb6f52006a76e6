/**
 * wasmhost/core: the whole embedding API of `wasmhost` without the text format, for bundles that load
 * only binary modules (the WAT parser is most of the size of `wasmhost`).
 *
 * Everything is the same as in `wasmhost` except that `Module.fromText`, and `Module.fromFile` on a
 * `.wat` file, report that the text format is not loaded. Importing `wasmhost` anywhere in the program
 * loads it for both entries.
 *
 * ```ts
 * import { Engine, Module, Store, Instance } from "wasmhost/core";
 * const engine = new Engine();
 * const module = new Module(engine, bytes);
 * const instance = new Instance(new Store(engine), module, []);
 * ```
 *
 * @module
 */
import { fileReader } from "./host/node.js";
import { setFileReader } from "./runtime/module.js";

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
export type { Proposal } from "./binary/proposals.js";
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
export type { FuelCosts } from "./instrument/fuel-costs.js";

const read = fileReader();
if (read) setFileReader(read);
