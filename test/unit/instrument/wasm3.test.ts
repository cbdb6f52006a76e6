/**
 * Instrumentation (fuel, epochs, time limits, store-created memories) and `serialize` on a module that
 * uses WebAssembly 3.0 together: GC structs, typed references, exceptions with `try_table`, a 64-bit
 * second memory, tail calls. Runs where the engine has all of them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Instance, Module, Store, type EngineConfig } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const TEXT = `(module
  (type $s (struct (field (mut i32))))
  (tag $e (param i32))
  (memory $m0 1) (memory $m1 i64 1)
  (table $t 2 (ref null $s))
  (global $g (ref null $s) (ref.null $s))
  (func $mk (result (ref $s)) (struct.new $s (i32.const 41)))
  (func (export "run") (result i32) (local $x (ref null $s))
    (local.set $x (call $mk))
    (struct.set $s 0 (local.get $x) (i32.add (struct.get $s 0 (local.get $x)) (i32.const 1)))
    (i64.store $m1 (i64.const 8) (i64.const 5))
    (block $h (result i32)
      (try_table (catch $e $h) (throw $e (struct.get $s 0 (local.get $x))))
      (i32.const -1))
    (i32.add (i32.wrap_i64 (i64.load $m1 (i64.const 8))))
    (return_call $id))
  (func $id (param i32) (result i32) (local.get 0)))`;

const host = Engine.hostFeatures();
const needs = (["gc", "function-references", "exceptions", "memory64", "multi-memory", "tail-call"] as const).filter((p) => !host[p]);

test("instrumented and serialized modules using 3.0 features run as the plain module does", { skip: needs.length > 0 && `the engine lacks ${needs.join(", ")}` }, () => {
  const configs: EngineConfig[] = [{}, { consumeFuel: true }, { epochInterruption: true }, { consumeFuel: true, timeLimits: true }];
  for (const config of configs) {
    const engine = new Engine(config);
    const module = new Module(engine, wat(TEXT));
    const restored = Module.deserialize(engine, module.serialize());
    for (const m of [module, restored]) {
      const store = new Store(engine);
      if (config.consumeFuel) store.setFuel(10_000);
      assert.equal(new Instance(store, m, []).getFunc("run")!.call(), 47, JSON.stringify(config));
      if (config.consumeFuel) assert.ok(store.getFuel() < 10_000, "fuel was charged");
    }
  }
});

test("fuel runs out inside 3.0 code as in 2.0 code", { skip: needs.length > 0 && `the engine lacks ${needs.join(", ")}` }, () => {
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine);
  store.setFuel(5);
  const inst = new Instance(store, new Module(engine, wat(TEXT)), []);
  assert.throws(() => inst.getFunc("run")!.call(), (e: unknown) => (e as { code?: string }).code === "out_of_fuel");
});
