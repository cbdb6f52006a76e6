import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModule } from "../../../src/binary/decoder.js";
import { CompileError, Engine, Linker, Module, Store, Trap } from "../../../src/index.js";
import { fuelCostTable, instrumentModule } from "../../../src/instrument/index.js";
import { wat } from "../../helpers/wat.js";

const ALL = { fuelCosts: fuelCostTable(), interrupt: true, storeResources: true };

test("with nothing to do, the rewrite hands back the original bytes", () => {
  const info = decodeModule(wat(`(module (func (export "f")))`));
  assert.equal(instrumentModule(info, {}).bytes, info.bytes);
});

test("function, global and local names follow the renumbered indices; custom sections are kept", () => {
  const bytes = wat(`(module $named
    (import "env" "g" (global $imported i32))
    (import "env" "f" (func $hostf))
    (global $mine (mut i32) (i32.const 7))
    (func $first (param $p i32) (local $l i32) (global.set $mine (local.get $p)))
    (func $second (export "second") (result i32) (call $first (i32.const 1)) (global.get $mine)))`);
  const withCustom = new Uint8Array(bytes.length + 8);
  withCustom.set(bytes);
  withCustom.set([0, 6, 3, 0x61, 0x62, 0x63, 0x01, 0x02], bytes.length); // custom section "abc": 01 02
  const out = decodeModule(instrumentModule(decodeModule(withCustom), ALL).bytes);
  // One function import (the interruption check) was added after $hostf: defined functions move up by one.
  assert.equal(out.names.functions.get(0), "hostf");
  assert.equal(out.names.functions.get(2), "first");
  assert.equal(out.names.functions.get(3), "second");
  // $first is only called directly: it is threaded, and its two extra parameters (the interruption
  // count and the fuel) come right after $p, so $l moves from 1 to 3.
  assert.equal(out.names.locals.get(2)?.get(0), "p");
  assert.equal(out.names.locals.get(2)?.get(3), "l");
  // One global import (fuel) was added after $imported: $mine moves up by one.
  assert.equal(out.names.globals.get(0), "imported");
  assert.equal(out.names.globals.get(2), "mine");
  assert.equal(out.names.module, "named");
  assert.deepEqual([...out.customSections.find((c) => c.name === "abc")!.data], [1, 2]);
  // The export is a wrapper appended after the defined functions, named as its function, that
  // enters the threaded body of $second.
  assert.equal(out.exports.find((e) => e.name === "second")!.index, 4);
  assert.equal(out.names.functions.get(4), "second");
});

test("instrumented modules run and trap with the original function indices and names", () => {
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  const linker = new Linker(engine);
  linker.defineFunc("env", "f", { params: [], results: [] }, () => {});
  const store = new Store(engine);
  store.setFuel(1000);
  const instance = linker.instantiate(store, new Module(engine, wat(`(module $m
    (import "env" "f" (func $hostf))
    (func $inner (call $hostf) (unreachable))
    (func $outer (export "outer") (call $inner)))`)));
  try {
    instance.getFunc("outer")!.call();
    assert.fail("expected a trap");
  } catch (e) {
    assert.ok(e instanceof Trap);
    assert.equal(e.code, "unreachable");
    assert.deepEqual(e.frames.map((f) => [f.funcIndex, f.funcName]), [[1, "inner"], [2, "outer"]]);
  }
});

test("instrumentation never makes an invalid module valid", () => {
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  // Raw binaries, so that the assembler does not refuse them first.
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  const unknownLocal = new Uint8Array([...header,
    1, 4, 1, 0x60, 0, 0, // type () -> ()
    3, 2, 1, 0, // one function
    10, 7, 1, 5, 0, 0x20, 0, 0x1a, 0x0b, // local.get 0 (no locals), drop, end
  ]);
  const unknownGlobalExport = new Uint8Array([...header,
    7, 5, 1, 1, 0x67, 3, 0, // export "g" global 0 (there are none)
  ]);
  const unknownType = new Uint8Array([...header,
    1, 4, 1, 0x60, 0, 0,
    3, 2, 1, 0,
    10, 7, 1, 5, 0, 0x02, 1, 0x0b, 0x0b, // block (type 1) end — type 1 does not exist
  ]);
  for (const [what, bytes] of [["local", unknownLocal], ["global", unknownGlobalExport], ["type", unknownType]] as const) {
    assert.throws(() => new Module(new Engine(), bytes), CompileError, `plain: unknown ${what}`);
    assert.throws(() => new Module(engine, bytes), CompileError, `instrumented: unknown ${what}`);
  }
});

test("a truncated body gives the engine's error, not the rewriter's", () => {
  const engine = new Engine({ consumeFuel: true });
  const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0x41, 0x80, 0x0b]);
  const plain = (() => { try { new Module(new Engine(), bytes); } catch (e) { return e as CompileError; } })();
  const instrumented = (() => { try { new Module(engine, bytes); } catch (e) { return e as CompileError; } })();
  assert.ok(plain instanceof CompileError && instrumented instanceof CompileError);
  assert.equal(instrumented.message, plain.message);
});
