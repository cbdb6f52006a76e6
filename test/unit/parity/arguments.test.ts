/**
 * Every public constructor and method checks its arguments: a `null` or an object of the wrong class is
 * a `TypeError` naming the parameter and the expected class, never a crash from deep inside.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Caller, Engine, Func, Global, Instance, Linker, Memory, Module, Store, Table, Tag } from "../../../src/index.js";
import { Wasi } from "../../../src/wasi/index.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine();
const store = new Store(engine);
const module = new Module(engine, wat(`(module (memory (export "memory") 1) (table (export "t") 1 funcref) (func (export "f")))`));
const instance = new Instance(store, module, []);
const memory = instance.getMemory("memory")!;
const table = instance.getTable("t")!;
const linker = new Linker(engine);
const func = instance.getFunc("f")!;
const wrong = { not: "the right class" };

/** Each case: what is called, the parameter it must name, the class (or kind) it must ask for. */
const cases: readonly (readonly [string, () => unknown, string, string])[] = [
  ["new Store(null)", () => new Store(null as never), "engine", "Engine"],
  ["new Store(wrong)", () => new Store(wrong as never), "engine", "Engine"],
  ["new Store(engine, null)", () => new Store(engine, null as never), "options", "object"],
  ["new Linker(null)", () => new Linker(null as never), "engine", "Engine"],
  ["new Module(null, bytes)", () => new Module(null as never, new Uint8Array(8)), "engine", "Engine"],
  ["new Module(engine, bytes, null)", () => new Module(engine, new Uint8Array(8), null as never), "options", "object"],
  ["new Module(engine, bytes, { name: 1 })", () => new Module(engine, new Uint8Array(8), { name: 1 as never }), "options.name", "string"],
  ["Module.fromText(null, text)", () => Module.fromText(null as never, "(module)"), "engine", "Engine"],
  ["Module.fromText(engine, null)", () => Module.fromText(engine, null as never), "text", "string"],
  ["Module.fromFile(engine, null)", () => Module.fromFile(engine, null as never), "path", "string"],
  ["Module.deserialize(engine, null)", () => Module.deserialize(engine, null as never), "bytes", "Uint8Array"],
  ["module.customSections(null)", () => module.customSections(null as never), "name", "string"],
  ["new Instance(null, module, [])", () => new Instance(null as never, module, []), "store", "Store"],
  ["new Instance(store, null, [])", () => new Instance(store, null as never, []), "module", "Module"],
  ["new Instance(store, module, null)", () => new Instance(store, module, null as never), "imports", "array"],
  ["instance.getExport(null)", () => instance.getExport(null as never), "name", "string"],
  ["new Caller(null)", () => new Caller(null as never, undefined), "store", "Store"],
  ["new Func(null, ...)", () => new Func(null as never, { params: [], results: [] }, undefined, "f"), "store", "Store"],
  ["Func.wrap(null, ...)", () => Func.wrap(null as never, { params: [], results: [] }, () => {}), "store", "Store"],
  ["Func.callRef(wrong)", () => Func.callRef(wrong as never), "ref", "Func"],
  ["new Global(null, ...)", () => new Global(null as never, { content: "i32", mutable: false }, 1), "store", "Store"],
  ["new Global(store, null)", () => new Global(store, null as never, 1), "type", "object"],
  ["new Memory(null, ...)", () => new Memory(null as never, { min: 1 }), "store", "Store"],
  ["new Memory(store, null)", () => new Memory(store, null as never), "type", "object"],
  ["new Table(null, ...)", () => new Table(null as never, { element: "funcref", min: 1 }), "store", "Store"],
  ["new Table(store, null)", () => new Table(store, null as never), "type", "object"],
  ["new Tag(null, ...)", () => new Tag(null as never, { params: [] }), "store", "Store"],
  ["new Tag(store, null)", () => new Tag(store, null as never), "type", "object"],
  ["memory.read(null, 1)", () => memory.read(null as never, 1), "addr", "number"],
  ["memory.write(0, null)", () => memory.write(0, null as never), "bytes", "Uint8Array"],
  ["memory.writeString(0, null)", () => memory.writeString(0, null as never), "text", "string"],
  ["memory.getI32(wrong)", () => memory.getI32(wrong as never), "addr", "number"],
  ["memory.grow(null)", () => memory.grow(null as never), "deltaPages", "number"],
  ["table.get(null)", () => table.get(null as never), "index", "number"],
  ["linker.instantiate(null, module)", () => linker.instantiate(null as never, module), "store", "Store"],
  ["linker.instantiate(store, null)", () => linker.instantiate(store, null as never), "module", "Module"],
  ["linker.instantiate(store, wrong)", () => linker.instantiate(store, wrong as never), "module", "Module"],
  ["linker.defineInstance(null, ...)", () => linker.defineInstance(null as never, "m", instance), "store", "Store"],
  ["linker.defineModule(store, null, module)", () => linker.defineModule(store, null as never, module), "moduleName", "string"],
  ["linker.defineFunc(null, ...)", () => linker.defineFunc(null as never, "f", { params: [], results: [] }, () => {}), "module", "string"],
  ["linker.define(m, null, func)", () => linker.define("m", null as never, func), "name", "string"],
  ["linker.defineWasi(null)", () => linker.defineWasi(null as never), "wasi", "Wasi"],
  ["linker.defineUnknownImportsAsTraps(null)", () => linker.defineUnknownImportsAsTraps(null as never), "module", "Module"],
  ["linker.get(null, m, n)", () => linker.get(null as never, "m", "n"), "store", "Store"],
  ["new Caller(store).getMemory(wrong)", () => new Caller(store, undefined).getMemory(wrong as never), "name", "string"],
  ["new Wasi(null)", () => new Wasi(null as never), "options", "object"],
  ["wasi.start(null)", () => new Wasi().start(null as never), "instance", "Instance"],
  ["wasi.setMemory(null)", () => new Wasi().setMemory(null as never), "memory", "Memory"],
];

for (const [what, call, param, expected] of cases) {
  test(`${what} is a TypeError naming ${param} and ${expected}`, () => {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof TypeError, `${what} threw ${String(e)}`);
      assert.match(e.message, new RegExp(`\\b${param.replace(".", "\\.")}\\b`), `${what}: ${e.message}`);
      assert.ok(e.message.includes(expected), `${what}: ${e.message} does not name ${expected}`);
      assert.doesNotMatch(e.message, /Cannot read properties|is not a function|undefined \(reading/, e.message);
      return true;
    });
  });
}

test("Module.compile and Linker.instantiateAsync reject wrong arguments the same way", async () => {
  await assert.rejects(Module.compile(null as never, new Uint8Array(8)), /Module\.compile: engine must be an Engine/);
  await assert.rejects(linker.instantiateAsync(null as never, module), /store must be a Store/);
});
