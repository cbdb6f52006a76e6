/**
 * Making components: `componentNew` and `embedWorld` on the Markdown renderer and WAT modules, the
 * `component` CLI command, and the errors a module that does not match its world gets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import component from "../../../../src/cli/commands/component.js";
import type { TypeDef } from "../../../../src/component/binary/ast.js";
import { decodeComponent } from "../../../../src/component/binary/decoder.js";
import { encodeComponent } from "../../../../src/component/binary/encoder.js";
import { validateComponent } from "../../../../src/component/binary/validate.js";
import {
  componentNew, componentWit, embedWorld, embeddedWorlds, resolveWit, selectWorld,
} from "../../../../src/component/index.js";
import { CompileError } from "../../../../src/errors.js";
import { watToBinary } from "../../../../src/text/index.js";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const fixtures = join(root, "test/fixtures/components");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

function greeter(): { core: Uint8Array; wit: string } {
  return {
    core: watToBinary(readFileSync(join(fixtures, "greeter.wat"), "utf8"), { file: "greeter.wat" }),
    wit: readFileSync(join(fixtures, "greeter.wit"), "utf8"),
  };
}

test("the committed Markdown component is what our tool makes, valid, with the world of markdown.wit", () => {
  const bytes = readFileSync(join(root, "examples/markdown/markdown.component.wasm"));
  const validated = validateComponent(decodeComponent(bytes));
  assert.deepEqual([...validated.type.imports.keys()], []);
  const render = validated.type.exports.get("render");
  assert.deepEqual(render, { kind: "func", type: { params: [{ name: "markdown", type: { kind: "string" } }], result: { kind: "string" } } });
  assert.equal(componentWit(bytes), "package root:component;\n\nworld root {\n  export render: func(markdown: string) -> string;\n}\n");
});

test("the greeter: lowered imports that need memory go through the trampoline table; an exported interface keeps its types", () => {
  const { core, wit } = greeter();
  const bytes = componentNew(core, { world: selectWorld(resolveWit(wit)) });
  const validated = validateComponent(decodeComponent(bytes));
  assert.deepEqual([...validated.type.imports.keys()], ["test:greeter/host@0.1.0"]);
  assert.deepEqual([...validated.type.exports.keys()], ["greet", "add", "test:greeter/shapes@0.1.0"]);
  const printed = componentWit(bytes);
  assert.match(printed, /world root \{\n {2}import test:greeter\/host@0\.1\.0;\n\n {2}export greet: func\(name: string\) -> string;\n {2}export add: func\(a: u32, b: u32\) -> u32;\n {2}export test:greeter\/shapes@0\.1\.0;\n\}/);
  assert.match(printed, /record point \{\n\s+x: s32,\n\s+y: s32,\n\s+\}/);
  assert.match(printed, /move: func\(p: point, dx: s32\) -> point;/);
  // The committed fixture is the same build.
  assert.deepEqual(readFileSync(join(fixtures, "greeter.component.wasm")), Buffer.from(bytes));
});

test("the counter: a resource the component defines, with its destructor and resource.new, exported through the shim component", () => {
  const core = watToBinary(readFileSync(join(fixtures, "counter.wat"), "utf8"), { file: "counter.wat" });
  const bytes = componentNew(core, { world: selectWorld(resolveWit(readFileSync(join(fixtures, "counter.wit"), "utf8"))) });
  const validated = validateComponent(decodeComponent(bytes));
  const counters = validated.type.exports.get("test:counter/counters");
  assert.equal(counters?.kind, "instance");
  if (counters?.kind !== "instance") return;
  assert.deepEqual([...counters.type.exports.keys()], [
    "counter", "[constructor]counter", "[method]counter.increment", "[method]counter.get", "[static]counter.merge", "dropped",
  ]);
  const ctor = counters.type.exports.get("[constructor]counter");
  const resource = counters.type.exports.get("counter");
  assert.ok(ctor?.kind === "func" && resource?.kind === "type");
  if (ctor?.kind !== "func" || resource?.kind !== "type") return;
  assert.deepEqual(ctor.type.result, { kind: "own", resource: resource.type }, "the constructor returns the exported resource");
  assert.match(componentWit(bytes), /resource counter \{\n\s+constructor\(start: u32\);\n\s+increment: func\(\) -> u32;/);
  assert.deepEqual(readFileSync(join(fixtures, "counter.component.wasm")), Buffer.from(bytes));
});

test("embedWorld then componentNew equals componentNew with the world given; the section reads back", () => {
  const { core, wit } = greeter();
  const world = selectWorld(resolveWit(wit));
  const embedded = embedWorld(core, world);
  const back = embeddedWorlds(embedded);
  assert.equal(back.length, 1);
  assert.equal(back[0]!.qualifiedName, "test:greeter/greeter@0.1.0");
  assert.deepEqual([...back[0]!.exports.keys()], [...world.exports.keys()]);
  assert.deepEqual(componentNew(embedded), componentNew(core, { world }));
  // Embedding again replaces the section instead of adding a second one.
  assert.equal(embeddedWorlds(embedWorld(embedded, world)).length, 1);
});

test("a module that does not match its world gets a CompileError naming what is wrong", () => {
  const world = selectWorld(resolveWit(`package t:t;
interface host { log: func(msg: string); }
world w { import host; export run: func(s: string) -> u32; }`));
  const make = (wat: string): unknown => {
    try {
      componentNew(watToBinary(wat), { world });
      return undefined;
    } catch (e) {
      return e;
    }
  };
  const mem = `(memory (export "memory") 1) (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))`;
  const cases: [string, RegExp][] = [
    [`(module ${mem})`, /does not export the function `run`/],
    [`(module ${mem} (func (export "run") (param i32) (result i32) (i32.const 0)))`,
      /`run` has the core type \(i32\) -> \(i32\), but the canonical ABI gives `func\(s: string\) -> u32` the core type \(i32, i32\) -> \(i32\)/],
    [`(module (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`, /must export its memory as `memory`/],
    [`(module (import "nope" "f" (func)) ${mem} (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`,
      /imports from `nope`, which world `w` does not import/],
    [`(module (import "t:t/host" "nope" (func)) ${mem} (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`,
      /imports `t:t\/host::nope`, which `t:t\/host` does not define/],
    [`(module (import "t:t/host" "log" (func (param i32))) ${mem} (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`,
      /the import `t:t\/host::log` has the core type \(i32\) -> \(\)/],
    [`(module (import "wasi_snapshot_preview1" "fd_write" (func)) ${mem})`, /needs the adapter/],
    [`(module (import "$root" "run" (func)) ${mem})`, /has no function import `run`/],
  ];
  for (const [wat, reason] of cases) {
    const e = make(wat);
    assert.ok(e instanceof CompileError, `${wat}: expected a CompileError, got ${String(e)}`);
    assert.match(e.message, reason);
  }
  const ok = make(`(module (import "t:t/host" "log" (func (param i32 i32))) ${mem} (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`);
  assert.equal(ok, undefined);
  assert.throws(() => componentNew(watToBinary("(module)")), /no `component-type` section/);
});

test("wasmhost component new, embed and wit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-component-"));
  const { core } = greeter();
  writeFileSync(join(dir, "core.wasm"), core);
  const wit = join(fixtures, "greeter.wit");
  let c = capture();
  assert.equal(await component(["new", join(dir, "core.wasm"), "--wit", wit, "-o", join(dir, "out.wasm")], c.io), 0);
  assert.match(c.out.join(""), /^wrote .*out\.wasm \(\d+ bytes\)/);
  c = capture();
  assert.equal(await component(["wit", join(dir, "out.wasm")], c.io), 0);
  assert.match(c.out.join(""), /^package root:component;\n\nworld root \{\n {2}import test:greeter\/host@0\.1\.0;/);
  c = capture();
  assert.equal(await component(["embed", join(dir, "core.wasm"), "--wit", wit, "-o", join(dir, "embedded.wasm")], c.io), 0);
  c = capture();
  assert.equal(await component(["wit", join(dir, "embedded.wasm")], c.io), 0);
  assert.match(c.out.join(""), /^package test:greeter@0\.1\.0;\n[^]*world greeter \{/);
  c = capture();
  assert.equal(await component(["new", join(dir, "embedded.wasm"), "-o", join(dir, "out2.wasm")], c.io), 0);
  assert.deepEqual(readFileSync(join(dir, "out2.wasm")), readFileSync(join(dir, "out.wasm")));
  c = capture();
  assert.equal(await component(["wit", wit], c.io), 0);
  assert.match(c.out.join(""), /\/\/\/ What the host gives the guest\.\ninterface host \{/);
  c = capture();
  assert.equal(await component(["wit", wit, "--wasm", "-o", join(dir, "pkg.wasm")], c.io), 0);
  c = capture();
  assert.equal(await component(["wit", join(dir, "pkg.wasm")], c.io), 0);
  assert.match(c.out.join(""), /^package test:greeter@0\.1\.0;\n\ninterface host \{/);
});

test("decodeWit of hostile components: deep anonymous types and bad indices are CompileErrors", () => {
  // type 0 = list<u8>, type i = list<type i-1>, ..., and a function export using the last one.
  const depth = 5000;
  const types: TypeDef[] = [{ kind: "list", element: "u8", offset: 0 }];
  for (let i = 1; i < depth; i++) types.push({ kind: "list", element: i - 1, offset: 0 });
  types.push({ kind: "func", params: [{ name: "x", type: depth - 1 }], async: false, offset: 0 });
  const bytes = encodeComponent({
    sections: [
      { id: "type", offset: 0, items: types },
      { id: "import", offset: 0, items: [{ name: { name: "f", form: 0, attributes: [] }, desc: { kind: "func", type: depth }, offset: 0 }] },
    ],
  });
  assert.throws(() => componentWit(bytes), (e: unknown) => e instanceof CompileError && /nest deeper/.test(e.message));
  const bad = encodeComponent({
    sections: [{ id: "import", offset: 0, items: [{ name: { name: "f", form: 0, attributes: [] }, desc: { kind: "func", type: 7 }, offset: 0 }] }],
  });
  assert.throws(() => componentWit(bad), (e: unknown) => e instanceof CompileError && /unknown type 7/.test(e.message));
  assert.throws(() => componentWit(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 7])), CompileError);
});
