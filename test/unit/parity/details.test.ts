/**
 * Wasmtime-parity details: module names in errors and frames, typed wrappers cached per signature,
 * WASI bound through the linker without `initialize`, and calling a null function reference.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CompileError, Engine, Func, LinkError, Linker, Module, Store, Trap } from "../../../src/index.js";
import { Wasi } from "../../../src/wasi/index.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine();

/** An error check: the message starts with `module "<name>": ` (and matches `rest` when given). */
function named(name: string, rest?: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof Error);
    assert.ok(e.message.startsWith(`module ${JSON.stringify(name)}: `), e.message);
    if (rest) assert.match(e.message, rest);
    return true;
  };
}

test("new Module(engine, bytes, { name }) names the module; CompileErrors name it", () => {
  const m = new Module(engine, wat(`(module (func (export "f")))`), { name: "plugin" });
  assert.equal(m.name, "plugin");
  const bad = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1]); // truncated type section
  assert.throws(() => new Module(engine, bad, { name: "plugin" }), (e: unknown) => {
    assert.ok(e instanceof CompileError);
    assert.equal(e.module, "plugin");
    assert.ok(e.message.startsWith('module "plugin": '), e.message);
    assert.ok(e.offset !== undefined);
    return true;
  });
  // An engine-side validation error (type mismatch) names it too.
  const invalid = wat(`(module (func (result i32) (i64.const 1)))`);
  assert.throws(() => new Module(engine, invalid, { name: "plugin" }), named("plugin", /.*type/i));
  // Without a name the message is unchanged.
  assert.throws(() => new Module(engine, bad), (e: unknown) => e instanceof CompileError && e.module === undefined && !e.message.startsWith("module"));
});

test("the name section's name is the default; the text's $name and the file's name are used", async () => {
  assert.equal(new Module(engine, wat(`(module $calc (func (export "f")))`)).name, "calc");
  assert.equal(Module.fromText(engine, `(module $calc (func (result i32) (i64.const 1)))`.replace("(i64.const 1)", "(i32.const 1)")).name, "calc");
  assert.throws(() => Module.fromText(engine, `(module $calc (func (result i32) (i64.const 1)))`), named("calc"));
  assert.equal(Module.fromText(engine, `(module)`, "dir/plugin.wat").name, "plugin.wat");
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-name-"));
  writeFileSync(join(dir, "tool.wasm"), wat(`(module (func (result i32) (i32.const 1)))`));
  assert.equal(Module.fromFile(engine, join(dir, "tool.wasm")).name, "tool.wasm");
  writeFileSync(join(dir, "broken.wasm"), wat(`(module (func (result i32) (i64.const 1)))`));
  assert.throws(() => Module.fromFile(engine, join(dir, "broken.wasm")), named("broken.wasm"));
  await assert.rejects(Module.compile(engine, wat(`(module (func (result i32) (i64.const 1)))`), { name: "async" }), named("async"));
});

test("LinkErrors name the module being instantiated; Trap frames use the given name", () => {
  const m = new Module(engine, wat(`(module (import "env" "f" (func)) (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))`), { name: "calc" });
  const store = new Store(engine);
  assert.throws(() => new Linker(engine).instantiate(store, m), (e: unknown) => {
    assert.ok(e instanceof LinkError);
    assert.equal(e.moduleName, "calc");
    assert.equal(e.module, "env");
    assert.equal(e.name, "f");
    assert.ok(e.message.startsWith('module "calc": unknown import: env::f'), e.message);
    return true;
  });
  const linker = new Linker(engine).defineFunc("env", "f", { params: [], results: [] }, () => {});
  const div = linker.instantiate(store, m).getTypedFunc("div", ["i32"], ["i32"]);
  assert.throws(() => div(0), (e: unknown) => {
    assert.ok(e instanceof Trap);
    assert.equal(e.code, "integer_division_by_zero");
    assert.equal(e.frames[0]!.module, "calc");
    assert.match(e.message, /calc!/);
    return true;
  });
});

test("func.typed and getTypedFunc return the same wrapper for the same signature", () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`)));
  const a = inst.getTypedFunc("add", ["i32", "i32"], ["i32"]);
  const b = inst.getTypedFunc("add", ["i32", "i32"], ["i32"]);
  const c = inst.getFunc("add")!.typed(["i32", "i32"], ["i32"]);
  assert.equal(a, b);
  assert.equal(a, c);
  assert.equal(a(2, 3), 5);
  assert.throws(() => inst.getTypedFunc("add", ["i32"], ["i32"]), TypeError);
});

const reactor = wat(`(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "argc") (result i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (i32.load (i32.const 0))))`);

test("WASI binds the calling instance's memory through the linker: no initialize needed", () => {
  const wasi = new Wasi({ args: ["prog", "a", "b"] });
  const linker = new Linker(engine).defineWasi(wasi);
  const inst = linker.instantiate(new Store(engine), new Module(engine, reactor));
  assert.equal(inst.getTypedFunc("argc", [], ["i32"])(), 3);
  // A later instance linked with the same Wasi gets its own memory bound.
  const other = linker.instantiate(new Store(engine), new Module(engine, reactor));
  assert.equal(other.getTypedFunc("argc", [], ["i32"])(), 3);
  assert.equal(other.getMemory("memory")!.getI32(0), 3);
});

test("a WASI call from an instance without a memory export is a clear WasiError", () => {
  const noMemory = wat(`(module
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
    (memory 1)
    (func (export "argc") (result i32) (call $sizes (i32.const 0) (i32.const 4))))`);
  const linker = new Linker(engine).defineWasi(new Wasi());
  const inst = linker.instantiate(new Store(engine), new Module(engine, noMemory));
  assert.throws(() => inst.getTypedFunc("argc", [], ["i32"])(), /exports no memory named "memory"/);
});

test("calling a null funcref from the host is a Trap indirect_call_to_null", () => {
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module (table (export "t") 2 funcref) (elem (i32.const 1) $f) (func $f (result i32) (i32.const 9)))`)));
  const table = inst.getTable("t")!;
  assert.equal(table.get(0), null);
  assert.throws(() => Func.callRef(table.get(0) as Func | null), (e: unknown) => e instanceof Trap && e.code === "indirect_call_to_null");
  assert.equal(Func.callRef(table.get(1) as Func), 9);
  // A host function receiving a null funcref.
  const linker = new Linker(engine);
  let seen: unknown;
  linker.defineFunc("host", "call", { params: ["funcref"], results: [] }, (_c, f) => {
    try {
      Func.callRef(f);
    } catch (e) {
      seen = e;
    }
  });
  linker.instantiate(store, new Module(engine, wat(`(module (import "host" "call" (func $call (param funcref))) (func (export "run") (call $call (ref.null func))))`))).getTypedFunc("run", [], [])();
  assert.ok(seen instanceof Trap && seen.code === "indirect_call_to_null");
});
