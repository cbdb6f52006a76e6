import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CompileError, Engine, Linker, Module, Store } from "../../../src/index.js";
import { compiledFromReusedBuffers } from "../../helpers/reused-buffer.js";
import { wat } from "../../helpers/wat.js";

const engine = new Engine();

const sample = wat(`(module $calc
  (import "env" "log" (func $log (param i32 i64)))
  (import "env" "mem" (memory 1 2))
  (import "env" "tab" (table 3 funcref))
  (import "env" "g" (global $g (mut f64)))
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "pair") (result i32 i64) (i32.const 1) (i64.const 2))
  (global (export "k") externref (ref.null extern))
  (table (export "t") 1 10 externref)
  (export "m" (memory 0))
)`);

test("module exposes imports with full types in order", () => {
  const m = new Module(engine, sample);
  assert.deepEqual(m.imports, [
    { module: "env", name: "log", type: { kind: "func", params: ["i32", "i64"], results: [] } },
    { module: "env", name: "mem", type: { kind: "memory", min: 1, max: 2, shared: false, memory64: false } },
    { module: "env", name: "tab", type: { kind: "table", element: "funcref", min: 3 } },
    { module: "env", name: "g", type: { kind: "global", content: "f64", mutable: true } },
  ]);
});

test("module exposes exports with full types, including multi-value results", () => {
  const m = new Module(engine, sample);
  assert.deepEqual(m.exports, [
    { name: "add", type: { kind: "func", params: ["i32", "i32"], results: ["i32"] } },
    { name: "pair", type: { kind: "func", params: [], results: ["i32", "i64"] } },
    { name: "k", type: { kind: "global", content: "externref", mutable: false } },
    { name: "t", type: { kind: "table", element: "externref", min: 1, max: 10 } },
    { name: "m", type: { kind: "memory", min: 1, max: 2, shared: false, memory64: false } },
  ]);
});

test("module name comes from the name section", () => {
  assert.equal(new Module(engine, sample).name, "calc");
  assert.equal(new Module(engine, wat("(module)")).name, undefined);
});

test("customSections returns payload copies by name", () => {
  const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 6, 3, 0x61, 0x62, 0x63, 7, 8, 0, 5, 3, 0x61, 0x62, 0x63, 9]);
  const m = new Module(engine, bytes);
  assert.deepEqual(m.customSections("abc"), [new Uint8Array([7, 8]), new Uint8Array([9])]);
  assert.deepEqual(m.customSections("none"), []);
  m.customSections("abc")[0]![0] = 99;
  assert.equal(m.customSections("abc")[0]![0], 7);
});

test("async compile gives the same metadata", async () => {
  const m = await Module.compile(engine, sample);
  assert.equal(m.exports.length, 5);
  assert.equal(m.name, "calc");
});

test("accepts ArrayBuffer and Buffer sources", () => {
  const copy = sample.slice();
  assert.equal(new Module(engine, copy.buffer).exports.length, 5);
  assert.equal(new Module(engine, Buffer.from(sample)).exports.length, 5);
});

test("malformed bytes are a CompileError with the byte offset", () => {
  // Three bytes are too few for the magic: the spec calls that an unexpected end (binary.wast).
  assert.throws(() => new Module(engine, new Uint8Array([0, 0x61, 0x73])), (e: unknown) => {
    assert.ok(e instanceof CompileError);
    assert.equal(e.offset, 3);
    assert.match(e.message, /unexpected end/);
    return true;
  });
  assert.throws(() => new Module(engine, new Uint8Array([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0])), (e: unknown) => {
    assert.ok(e instanceof CompileError);
    assert.equal(e.offset, 0);
    assert.match(e.message, /magic header not detected/);
    return true;
  });
  // A type section that claims more bytes than there are.
  assert.throws(() => new Module(engine, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 9, 1])), (e: unknown) => {
    assert.ok(e instanceof CompileError);
    assert.equal(e.offset, 10);
    assert.match(e.message, /length out of bounds/);
    return true;
  });
});

test("invalid code is a CompileError with the engine's reason and the original offset", () => {
  // (func (result i32) i64.const 0): a type mismatch the engine finds.
  const bytes = wat("(module (func (result i64) i64.const 0))");
  // Patch the result type to i32 so that validation fails.
  const i = bytes.indexOf(0x7e);
  const bad = bytes.slice();
  bad[i] = 0x7f;
  assert.throws(() => new Module(engine, bad), (e: unknown) => {
    assert.ok(e instanceof CompileError);
    assert.equal(typeof e.offset, "number");
    assert.ok(e.offset! > 8 && e.offset! < bad.length, `offset ${e.offset} lies in the binary`);
    assert.match(e.message, /type|expected/i);
    return true;
  });
});

test("validate throws CompileError on bad input and returns on good input", () => {
  Module.validate(engine, sample);
  assert.throws(() => Module.validate(engine, new Uint8Array([1, 2, 3, 4])), CompileError);
});

test("non-bytes input is a TypeError that says what was expected", () => {
  assert.throws(() => new Module(engine, "nope" as unknown as Uint8Array), /expected the module's bytes/);
});

test("fromFile loads a binary file", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-"));
  const file = join(dir, "m.wasm");
  writeFileSync(file, sample);
  assert.equal(Module.fromFile(engine, file).name, "calc");
});

test("a module keeps its own copy of its bytes: the caller may reuse its buffer", async () => {
  const text = `(module $reuse
    (memory (export "memory") 1)
    (func $f (export "forty-two") (result i32) (i32.const 42))
    (@custom "note" "kept"))`;
  const fresh = (): Uint8Array => wat(text);
  const check = (m: Module, how: string): void => {
    assert.deepEqual(m.exports.map((e) => e.name), ["memory", "forty-two"], how);
    assert.equal(m.name, "reuse", how);
    assert.deepEqual(m.customSections("note"), [new TextEncoder().encode("kept")], how);
    // A store with size limits gets a variant rewritten from the module's binary after the fact.
    const store = new Store(engine, { limits: { memorySize: 65536 } });
    assert.equal(new Linker(engine).instantiate(store, m).getTypedFunc("forty-two", [], ["i32"])(), 42, how);
  };
  const compiled = await compiledFromReusedBuffers(fresh, {
    name: "Module",
    compile: (b) => new Module(engine, b),
    compileAsync: (b) => Module.compile(engine, b),
    serialize: (m) => m.serialize(),
    deserialize: (b) => Module.deserialize(engine, b),
  });
  const buffer = Buffer.from(fresh());
  compiled.push([new Module(engine, buffer), "new Module (Node Buffer)"]);
  buffer.fill(0);
  for (const [m, how] of compiled) check(m, how);
});
