/**
 * `componentNew` with adapters (`wasmhost component new --adapt NAME=ADAPTER.wasm`): preview1 modules
 * linked with the preview1 adapters that ship in the devDependency @bytecodealliance/jco, run as WASI
 * 0.2 components, the errors of adapters that do not fit, and (dev-only) wasm-tools reading our
 * components as the same world as its own.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import component from "../../../../src/cli/commands/component.js";
import { decodeComponent } from "../../../../src/component/binary/decoder.js";
import { validateComponent } from "../../../../src/component/binary/validate.js";
import { Component, ComponentLinker, componentNew, componentWit, resolveWit, selectWorld } from "../../../../src/component/index.js";
import { Engine, Store } from "../../../../src/index.js";
import { CompileError } from "../../../../src/errors.js";
import { UsageError } from "../../../../src/cli/io.js";
import { watToBinary } from "../../../../src/text/index.js";
import { Wasi } from "../../../../src/wasi/index.js";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const lib = join(root, "node_modules/@bytecodealliance/jco/lib");
const commandPath = join(lib, "wasi_snapshot_preview1.command.wasm");
const available = existsSync(commandPath);
const command = (): Uint8Array => readFileSync(commandPath);
const reactor = (): Uint8Array => readFileSync(join(lib, "wasi_snapshot_preview1.reactor.wasm"));
const P1 = "wasi_snapshot_preview1";

/** A preview1 command that writes `text` to stdout with `fd_write` (no `cabi_realloc`, like wasi-libc programs). */
function hello(text: string, start = true): Uint8Array {
  return watToBinary(`(module
    (import "${P1}" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 64) ${JSON.stringify(text)})
    (func ${start ? `(export "_start")` : `(export "hello")`}
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const ${new TextEncoder().encode(text).length}))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
}

function imports(bytes: Uint8Array): string[] {
  return (componentWit(bytes).match(/^ {2}import [^;]+;/gm) ?? []).map((l) => l.slice(9, -1));
}

function errorOf(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (e) {
    return e;
  }
}

test("a preview1 command and the command adapter make a valid WASI 0.2 command that runs", { skip: !available }, () => {
  const bytes = componentNew(hello("hi from an adapted module\n"), { adapters: [{ name: P1, module: command() }] });
  validateComponent(decodeComponent(bytes));
  assert.match(componentWit(bytes), /^ {2}export wasi:cli\/run@0\.2\.12;$/m);
  const used = imports(bytes);
  assert.ok(used.includes("wasi:cli/stdout@0.2.12"), used.join(", "));
  // Only what can run is imported: no sockets, no random, nothing of the adapter's world it cannot reach.
  assert.ok(!used.some((i) => i.startsWith("wasi:sockets") || i.startsWith("wasi:random")), used.join(", "));
  // The interfaces are trimmed to the functions used, as wit-component does.
  assert.doesNotMatch(componentWit(bytes), /splice: func/);

  const engine = new Engine();
  const wasi = new Wasi({ stdout: "pipe", stderr: "pipe" });
  const linker = new ComponentLinker(engine).defineWasi(wasi);
  const code = wasi.start(linker.instantiate(new Store(engine), new Component(engine, bytes)));
  assert.equal(code, 0);
  assert.equal(wasi.stdoutText(), "hi from an adapted module\n");
});

test("the reactor adapter exports no run; a module with its own cabi_realloc lends it to the adapter", { skip: !available }, () => {
  const core = watToBinary(`(module
    (import "${P1}" "random_get" (func (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 65536))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (global.get $bump)))`);
  const bytes = componentNew(core, { adapters: [{ name: P1, module: reactor() }] });
  validateComponent(decodeComponent(bytes));
  assert.doesNotMatch(componentWit(bytes), /export /);
  assert.deepEqual(imports(bytes).filter((i) => i.startsWith("wasi:random")), ["wasi:random/random@0.2.12"]);
  const printed = decodeComponent(bytes).sections.filter((s) => s.id === "core-module").length;
  assert.equal(printed, 5, "main, adapter, shim, fixup and stubs; no memory.grow allocator when the module has cabi_realloc");
  const withoutRealloc = componentNew(hello("x", false), { adapters: [{ name: P1, module: reactor() }] });
  assert.equal(decodeComponent(withoutRealloc).sections.filter((s) => s.id === "core-module").length, 6, "plus the memory.grow allocator");
});

test("a world given with the adapter: the module's own imports and exports, the adapter's on the same versions", { skip: !available }, () => {
  const world = selectWorld(resolveWit(`package t:t;
interface host { log: func(msg: string); }
world w { import host; export hello: func(); }`));
  const core = watToBinary(`(module
    (import "t:t/host" "log" (func (param i32 i32)))
    (import "${P1}" "proc_exit" (func (param i32)))
    (memory (export "memory") 1)
    (func (export "hello"))
    (func (export "_start")))`);
  const bytes = componentNew(core, { world, adapters: [{ name: P1, module: command() }] });
  validateComponent(decodeComponent(bytes));
  const wit = componentWit(bytes);
  assert.match(wit, /^ {2}import t:t\/host;$/m);
  assert.match(wit, /^ {2}import wasi:cli\/exit@0\.2\.12;$/m);
  assert.match(wit, /^ {2}export hello: func\(\);$/m);
  assert.match(wit, /^ {2}export wasi:cli\/run@0\.2\.12;$/m);
});

test("adapters that do not fit get a CompileError naming what is missing", { skip: !available }, () => {
  const cases: [() => unknown, RegExp][] = [
    // The module imports a function the adapter does not export.
    [() => componentNew(watToBinary(`(module (import "${P1}" "not_a_function" (func)) (memory (export "memory") 1) (func (export "_start")))`), { adapters: [{ name: P1, module: command() }] }),
      /imports `wasi_snapshot_preview1::not_a_function`, which the adapter for `wasi_snapshot_preview1` does not export/],
    // ... or with another type.
    [() => componentNew(watToBinary(`(module (import "${P1}" "fd_write" (func (param i32))) (memory (export "memory") 1) (func (export "_start")))`), { adapters: [{ name: P1, module: command() }] }),
      /imports `wasi_snapshot_preview1::fd_write` as \(i32\) -> \(\), but the adapter for `wasi_snapshot_preview1` exports it as \(i32, i32, i32, i32\) -> \(i32\)/],
    // The adapter is given under a name the module does not import from.
    [() => componentNew(hello("x"), { adapters: [{ name: "wasi_snapshot_preview2", module: command() }] }),
      /an adapter is given for `wasi_snapshot_preview2`, but the module imports nothing from it \(it imports from `wasi_snapshot_preview1`\)/],
    // No adapter at all.
    [() => componentNew(hello("x"), { world: selectWorld(resolveWit("package t:t; world w {}")) }), /needs the adapter: `--adapt wasi_snapshot_preview1=/],
    // The command adapter runs `_start`, which a reactor module lacks.
    [() => componentNew(hello("x", false), { adapters: [{ name: P1, module: command() }] }), /imports `__main_module__::_start`, which the module does not export/],
    // The adapter shares the module's memory.
    [() => componentNew(watToBinary(`(module (import "${P1}" "proc_exit" (func (param i32))) (func (export "_start")))`), { adapters: [{ name: P1, module: command() }] }),
      /must export its memory as `memory`/],
    // An adapter without a world.
    [() => componentNew(hello("x"), { adapters: [{ name: P1, module: watToBinary(`(module (func (export "fd_write") (param i32 i32 i32 i32) (result i32) (i32.const 0)))`) }] }),
      /must have one `component-type` section/],
    // Not a module.
    [() => componentNew(hello("x"), { adapters: [{ name: P1, module: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99]) }] }), /CompileError|not a valid core module|section/],
    [() => componentNew(hello("x"), { adapters: [{ name: P1, module: command() }, { name: P1, module: command() }] }), /two adapters are given for `wasi_snapshot_preview1`/],
  ];
  for (const [make, reason] of cases) {
    const e = errorOf(make);
    assert.ok(e instanceof CompileError, `expected a CompileError for ${reason}, got ${String(e)}`);
    assert.match(e.message, reason);
  }
});

test("wasmhost component new --adapt", { skip: !available }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-adapt-"));
  writeFileSync(join(dir, "core.wasm"), hello("hi\n"));
  const io = { out: (_: string): void => undefined, err: (_: string): void => undefined };
  assert.equal(await component(["new", join(dir, "core.wasm"), "--adapt", `${P1}=${commandPath}`, "-o", join(dir, "out.wasm")], io), 0);
  assert.match(componentWit(readFileSync(join(dir, "out.wasm"))), /export wasi:cli\/run@0\.2\.12;/);
  for (const bad of [P1, `=${commandPath}`, `${P1}=`]) {
    const e = await Promise.resolve().then(() => component(["new", join(dir, "core.wasm"), "--adapt", bad, "-o", join(dir, "x.wasm")], io)).catch((x: unknown) => x);
    assert.ok(e instanceof UsageError && /--adapt takes NAME=ADAPTER\.wasm/.test(e.message), String(e));
  }
});

const jcoTools = join(root, "node_modules/@bytecodealliance/jco-transpile/dist/wasm-tools.js");
test("wasm-tools reads our adapted components as the same worlds as its own (dev-only cross-check)", { skip: !available || !existsSync(jcoTools) }, async () => {
  const t = (await import(pathToFileURL(jcoTools).href)) as {
    componentNew(bytes: Uint8Array, adapters?: [string, Uint8Array][]): Promise<Uint8Array>;
    componentWit(bytes: Uint8Array): Promise<string>;
  };
  const modules: [string, Uint8Array, Uint8Array][] = [
    ["hello", hello("hi"), command()],
    ["exit_code.c", readFileSync(join(root, "test/fixtures/wasi/exit_code.wasm")), command()],
    ["files.c", readFileSync(join(root, "test/fixtures/wasi/files.wasm")), command()],
    ["reactor", hello("hi", false), reactor()],
  ];
  for (const [name, core, adapter] of modules) {
    const ours = componentNew(core, { adapters: [{ name: P1, module: adapter }] });
    const theirs = await t.componentNew(core, [[P1, adapter]]);
    assert.equal(await t.componentWit(ours), await t.componentWit(theirs), name);
    assert.deepEqual(imports(ours), imports(theirs), `${name}: the same imports`);
  }
});
