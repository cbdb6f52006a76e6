/**
 * The \`spectest\` host module that the spec suite's scripts import, made through the public API.
 *
 * @module
 */
import { CompileError, Func, Global, Instance, Memory, Module, Table } from "../../index.js";
import type { Linker, Store, ValType } from "../../index.js";
import { watToBinary } from "../../text/index.js";

/** Defines the `spectest` host module of the spec suite through the public API. */
export function defineSpectest(store: Store, linker: Linker): void {
  const noop = () => {};
  const fn = (params: ValType[]) => Func.wrap(store, { params, results: [] }, noop);
  linker.define("spectest", "print", fn([]));
  linker.define("spectest", "print_i32", fn(["i32"]));
  linker.define("spectest", "print_i64", fn(["i64"]));
  linker.define("spectest", "print_f32", fn(["f32"]));
  linker.define("spectest", "print_f64", fn(["f64"]));
  linker.define("spectest", "print_i32_f32", fn(["i32", "f32"]));
  linker.define("spectest", "print_f64_f64", fn(["f64", "f64"]));
  linker.define("spectest", "global_i32", new Global(store, { content: "i32", mutable: false }, 666));
  linker.define("spectest", "global_i64", new Global(store, { content: "i64", mutable: false }, 666n));
  linker.define("spectest", "global_f32", new Global(store, { content: "f32", mutable: false }, 666.6));
  linker.define("spectest", "global_f64", new Global(store, { content: "f64", mutable: false }, 666.6));
  linker.define("spectest", "table", new Table(store, { element: "funcref", min: 10, max: 20 }, null));
  linker.define("spectest", "memory", new Memory(store, { min: 1, max: 2 }));
  linker.define("spectest", "shared_memory", new Memory(store, { min: 1, max: 2, shared: true }));
  if (store.engine.features.memory64) {
    // The embedding API creates 32-bit tables only: a module makes the 64-bit one. Some engines have
    // 64-bit memories but not tables (Node 22): there, modules importing it are unsupported anyway.
    let module: Module | undefined;
    try {
      module = new Module(store.engine, watToBinary(`(module (table (export "table64") i64 10 20 funcref))`));
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
    }
    if (module) linker.define("spectest", "table64", new Instance(store, module, []).getTable("table64")!);
  }
}
