import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store, type StoreLimits } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const PAGE = 65536;
const MOD = `(module
  (memory (export "memory") 1)
  (table (export "table") 2 funcref)
  (data (i32.const 16) "hello")
  (func $f (result i32) (i32.const 42))
  (elem (i32.const 1) $f)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "growTable") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
  (func (export "callSlot") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))`;

for (const [label, config] of [["plain engine", {}], ["fuel and interruption", { consumeFuel: true, epochInterruption: true }]] as const) {
  const engine = new Engine(config);
  const module = new Module(engine, wat(MOD));
  const instantiate = (limits?: StoreLimits) => {
    const store = new Store(engine, limits ? { limits } : {});
    if (config !== undefined && "consumeFuel" in config) store.setFuel(1_000_000);
    return new Linker(engine).instantiate(store, module);
  };

  test(`${label}: memory.grow past the store's memorySize returns -1`, () => {
    const inst = instantiate({ memorySize: 3 * PAGE });
    const grow = inst.getTypedFunc("grow", ["i32"], ["i32"]);
    assert.equal(grow(1), 1);
    assert.equal(grow(1), 2);
    assert.equal(grow(1), -1, "a fourth page is over the limit");
    assert.equal(inst.getTypedFunc("size", [], ["i32"])(), 3);
    const memory = inst.getMemory("memory")!;
    assert.equal(memory.readString(16, 5), "hello", "data segments still initialize the memory");
    assert.throws(() => memory.grow(1), "the host cannot grow it past the limit either");
  });

  test(`${label}: without limits the same module grows freely`, () => {
    const inst = instantiate();
    assert.equal(inst.getTypedFunc("grow", ["i32"], ["i32"])(20), 1);
    assert.equal(inst.getTypedFunc("callSlot", ["i32"], ["i32"])(1), 42);
  });

  test(`${label}: an initial memory over the limit fails to instantiate with a clear error`, () => {
    assert.throws(() => instantiate({ memorySize: PAGE - 1 }), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /memory0 needs 1 pages \(65536 bytes\) initially, over the store's memory limit of 65535 bytes/);
      return true;
    });
  });

  test(`${label}: table.grow past tableElements returns -1 and tables still work`, () => {
    const inst = instantiate({ tableElements: 5 });
    const growTable = inst.getTypedFunc("growTable", ["i32"], ["i32"]);
    assert.equal(growTable(3), 2);
    assert.equal(growTable(1), -1);
    assert.equal(inst.getTable("table")!.size, 5);
    assert.equal(inst.getTypedFunc("callSlot", ["i32"], ["i32"])(1), 42, "element segments fill the store's table");
    assert.throws(() => instantiate({ tableElements: 1 }), /table0 needs 2 elements initially, over the store's table limit of 1 elements/);
  });

  test(`${label}: the counts of instances, memories and tables are enforced`, () => {
    const store = new Store(engine, { limits: { instances: 2 } });
    if ("consumeFuel" in config) store.setFuel(1000);
    const linker = new Linker(engine);
    linker.instantiate(store, module);
    linker.instantiate(store, module);
    assert.throws(() => linker.instantiate(store, module), /limited to 2 instances and has 2 already/);
    const one = new Store(engine, { limits: { memories: 1, tables: 5 } });
    linker.instantiate(one, module);
    assert.throws(() => linker.instantiate(one, module), /defines 1 memory, but the store is limited to 1 and has 1 already/);
    const noTables = new Store(engine, { limits: { tables: 0 } });
    assert.throws(() => linker.instantiate(noTables, module), /defines 1 table, but the store is limited to 0/);
    assert.equal(noTables.instances.length, 0, "a refused instantiation creates nothing");
  });
}

test("limits must be non-negative integers", () => {
  const engine = new Engine();
  assert.throws(() => new Store(engine, { limits: { memorySize: -1 } }), /StoreLimits.memorySize/);
  assert.throws(() => new Store(engine, { limits: { instances: 1.5 } }), /StoreLimits.instances/);
});

test("a shared module keeps its function references and traps naming functions under limits", () => {
  const engine = new Engine();
  const module = new Module(engine, wat(`(module $lim
    (memory 1)
    (table 1 funcref)
    (func $boom (export "boom") (drop (i32.load (i32.const 70000))))
    (func (export "ref") (result funcref) (ref.func $boom))
    (elem declare func $boom))`));
  const store = new Store(engine, { limits: { memorySize: PAGE } });
  const inst = new Linker(engine).instantiate(store, module);
  const ref = inst.getFunc("ref")!.call();
  assert.equal(ref, inst.getFunc("boom"));
  try {
    inst.getFunc("boom")!.call();
    assert.fail("expected a trap");
  } catch (e) {
    assert.equal((e as { code: string }).code, "memory_out_of_bounds");
    assert.equal((e as { frames: { funcName?: string }[] }).frames[0]!.funcName, "boom");
  }
});

/**
 * Under interruption checks a long `table.grow` runs in chunks (epoch.ts `growInChunks`) when it will
 * succeed whole, and as the single instruction otherwise: the results must be the single instruction's.
 */
test("a table.grow split into chunks under interruption checks gives the single instruction's results", () => {
  const text = `(module
    (table $f (export "funcs") 3 funcref)
    (table $e (export "externs") 1 20000 externref)
    (func $g (result i32) (i32.const 7))
    (elem declare func $g)
    (func (export "growFuncs") (param i32) (result i32) (table.grow $f (ref.func $g) (local.get 0)))
    (func (export "growExterns") (param externref i32) (result i32) (table.grow $e (local.get 0) (local.get 1)))
    (func (export "call") (param i32) (result i32) (call_indirect $f (result i32) (local.get 0))))`;
  for (const [label, config] of [["plain", {}], ["time limits", { timeLimits: true }], ["epochs and fuel", { epochInterruption: true, consumeFuel: true }]] as const) {
    const engine = new Engine(config);
    const module = new Module(engine, wat(text));
    const run = (limits?: StoreLimits) => {
      const store = new Store(engine, limits ? { limits } : {});
      if ("consumeFuel" in config) store.setFuel(Number.MAX_SAFE_INTEGER);
      if ("epochInterruption" in config) store.setEpochDeadline(1e9);
      const inst = new Linker(engine).instantiate(store, module);
      return {
        inst,
        growFuncs: inst.getTypedFunc("growFuncs", ["i32"], ["i32"]),
        growExterns: inst.getTypedFunc("growExterns", ["externref", "i32"], ["i32"]),
      };
    };
    const a = run();
    assert.equal(a.growFuncs(10_000), 3, `${label}: the old size`);
    assert.equal(a.inst.getTable("funcs")!.size, 10_003);
    const call = a.inst.getTypedFunc("call", ["i32"], ["i32"]);
    for (const i of [3, 4098, 8194, 10_002]) assert.equal(call(i), 7, `${label}: element ${i} holds the initial value`);
    const token = { id: "token" };
    assert.equal(a.growExterns(token, 19_999), 1, `${label}: up to the declared maximum exactly`);
    const externs = a.inst.getTable("externs")!;
    assert.equal(externs.size, 20_000);
    assert.equal(externs.get(19_999), token);
    assert.equal(externs.get(4097), token);
    assert.equal(a.growExterns(token, 1), -1, `${label}: past the maximum`);
    const b = run();
    assert.equal(b.growExterns(null, 20_000), -1, `${label}: one past the maximum fails whole`);
    assert.equal(b.inst.getTable("externs")!.size, 1, `${label}: and adds nothing`);
    const c = run({ tableElements: 9_000 });
    assert.equal(c.growFuncs(9_000), -1, `${label}: past the store's limit fails whole`);
    assert.equal(c.inst.getTable("funcs")!.size, 3);
    assert.equal(c.growFuncs(8_997), 3, `${label}: up to the store's limit exactly`);
    assert.equal(c.inst.getTable("funcs")!.size, 9_000);
    assert.equal(c.growFuncs(0xffff_ffff | 0), -1, `${label}: 2^32 - 1 elements`);
  }
});

test("a table whose declared minimum is 2^32 - 1 is rewritten into a valid module under interruption checks (its capacity global holds the u32's bits)", () => {
  const text = `(module (table 0xffff_ffff funcref) (func (export "g") (result i32) (table.grow (ref.null func) (i32.const 1))))`;
  for (const config of [{ timeLimits: true }, { epochInterruption: true, consumeFuel: true }]) {
    const engine = new Engine(config);
    let module: Module;
    try {
      module = new Module(engine, wat(text));
    } catch (e) {
      // Node 24 and later refuse such a table when compiling, as they do without instrumentation; what
      // must not happen is a rewritten module that fails to decode ("integer too large").
      assert.match((e as Error).message, /implementation limit/);
      assert.throws(() => new Module(new Engine(), wat(text)), /implementation limit/);
      continue;
    }
    assert.equal(module.exports.length, 1);
    assert.throws(() => new Linker(engine).instantiate(new Store(engine), module), RangeError, "the engine cannot create it");
  }
});
