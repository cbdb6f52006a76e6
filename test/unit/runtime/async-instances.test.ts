/**
 * Async calls whose wait crosses core instances: modules linked to other instances' exports
 * (`linker.defineInstance(store, name, instance)`) where the export called may reach an async import. Run on every
 * mechanism this engine has: JSPI where the host engine has it (Node ≥ 25; skipped visibly elsewhere)
 * and the unwind/rewind rewrite (everywhere, also forced where JSPI exists), where each instance on
 * the path unwinds, then rewinds in order.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AsyncError, Engine, Linker, Module, Store, Trap, type Instance } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";
import { MECHANISMS, tick } from "../../helpers/async.js";

/** A: inner(x) = get(x) + 100 + x, with a local that must survive the wait. */
const A = `(module
  (import "host" "get" (func $get (param i32) (result i32)))
  (func (export "inner") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 100))
    (i32.add (i32.add (call $get (local.get 0)) (local.get 1)) (local.get 0)))
  (func (export "pure") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))`;

/** B: mid(x) = inner(x) * 2 + inner(x + 1) + 7, once directly and once through its own table. */
const B = `(module
  (import "a" "inner" (func $inner (param i32) (result i32)))
  (import "a" "pure" (func $pure (param i32) (result i32)))
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) func $inner)
  (func (export "mid") (param i32) (result i32) (local i64)
    (local.set 1 (i64.const 7))
    (i32.add
      (i32.add (i32.mul (call $inner (local.get 0)) (i32.const 2))
               (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0)))
      (i32.wrap_i64 (local.get 1))))
  (func (export "thrice") (param i32) (result i32) (call $pure (local.get 0))))`;

/** C: run(x) = mid(x) + 1000 (a third instance on the path). */
const C = `(module
  (import "b" "mid" (func $mid (param i32) (result i32)))
  (func (export "run") (param i32) (result i32) (local f64)
    (local.set 1 (f64.const 1000))
    (i32.add (call $mid (local.get 0)) (i32.trunc_f64_s (local.get 1)))))`;

/** `mid(x)` computed in JS, with `get(x) = 10 x`. */
const mid = (x: number): number => (10 * x + 100 + x) * 2 + (10 * (x + 1) + 100 + x + 1) + 7;

for (const { name: mechanism, skip } of MECHANISMS) {
  const opts = skip ? { skip } : {};
  const engineWith = (extra: { consumeFuel?: boolean } = {}): Engine => new Engine({ asyncSupport: true, asyncMechanism: mechanism, ...extra });

  /** Instances of A, B and C in one store, linked in a chain; `get` waits a timer then returns 10 x. */
  const chain = (engine: Engine, get?: (x: number) => Promise<number>): { a: Instance; b: Instance; c: Instance; log: number[]; store: Store } => {
    const store = new Store(engine);
    const log: number[] = [];
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      log.push(x);
      if (get) return get(x);
      await tick(1);
      return x * 10;
    });
    const a = linker.instantiate(store, new Module(engine, wat(A)));
    linker.defineInstance(store, "a", a);
    const b = linker.instantiate(store, new Module(engine, wat(B)));
    linker.defineInstance(store, "b", b);
    const c = linker.instantiate(store, new Module(engine, wat(C)));
    return { a, b, c, log, store };
  };

  test(`${mechanism}: a wait crosses three instances (direct import, and a table holding the import); locals of each survive`, opts, async () => {
    const engine = engineWith();
    const { a, b, c, log } = chain(engine);
    assert.equal(await c.getTypedFuncAsync("run", ["i32"], ["i32"])(4), mid(4) + 1000);
    assert.deepEqual(log, [4, 5]);
    assert.equal(await b.getFunc("mid")!.callAsync(1), mid(1));
    assert.equal(await a.getFunc("inner")!.callAsync(2), 20 + 100 + 2);
    // What reaches no async import runs synchronously, in every instance.
    assert.equal(b.getTypedFunc("thrice", ["i32"], ["i32"])(5), 15);
    // A synchronous call through the chain is refused as for one instance.
    assert.throws(() => c.getTypedFunc("run", ["i32"], ["i32"])(1), (e: unknown) => e instanceof AsyncError && e.code === "sync_call");
    // The store carries on after that error.
    assert.equal(await c.getFunc("run")!.callAsync(0), mid(0) + 1000);
  });

  test(`${mechanism}: concurrent calls into different instances of one chain run one after the other`, opts, async () => {
    const engine = engineWith();
    const events: string[] = [];
    const { b, c } = chain(engine, async (x) => {
      events.push(`start ${x}`);
      await tick(2);
      events.push(`end ${x}`);
      return x * 10;
    });
    const results = await Promise.all([c.getFunc("run")!.callAsync(1), b.getFunc("mid")!.callAsync(10)]);
    assert.deepEqual(results, [mid(1) + 1000, mid(10)]);
    assert.deepEqual(events, ["start 1", "end 1", "start 2", "end 2", "start 10", "end 10", "start 11", "end 11"]);
  });

  test(`${mechanism}: a rejection crosses the instances as the same error; a trap after the wait has its code`, opts, async () => {
    const engine = engineWith();
    const boom = new Error("boom");
    const { c } = chain(engine, async (x) => {
      await tick();
      if (x === 7) throw boom;
      return x;
    });
    await assert.rejects(c.getFunc("run")!.callAsync(7), (e: unknown) => e === boom);
    assert.equal(await c.getFunc("run")!.callAsync(1), (1 + 100 + 1) * 2 + (2 + 100 + 2) + 7 + 1000);
    // A trap in the middle instance after the wait.
    const store = new Store(engine);
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async () => {
      await tick();
      return 0;
    });
    linker.defineInstance(store, "a", linker.instantiate(store, new Module(engine, wat(A))));
    const div = linker.instantiate(store, new Module(engine, wat(`(module
      (import "a" "inner" (func $inner (param i32) (result i32)))
      (func (export "div") (param i32) (result i32) (i32.div_u (local.get 0) (i32.sub (call $inner (local.get 0)) (i32.const 100)))))`)));
    await assert.rejects(div.getFunc("div")!.callAsync(0), (e: unknown) => e instanceof Trap && e.code === "integer_division_by_zero" && e.frames.length > 0);
    assert.equal(await div.getFunc("div")!.callAsync(5), 1);
  });

  test(`${mechanism}: fuel is charged in every instance across the wait`, opts, async () => {
    const engine = engineWith({ consumeFuel: true });
    const { c, store } = chain(engine);
    store.setFuel(10_000);
    assert.equal(await c.getFunc("run")!.callAsync(3), mid(3) + 1000);
    const used = 10_000 - store.getFuel();
    assert.ok(used > 10 && used < 500, `fuel used: ${used}`);
    store.setFuel(5);
    await assert.rejects(c.getFunc("run")!.callAsync(3), (e: unknown) => e instanceof Trap && e.code === "out_of_fuel");
  });

  test(`${mechanism}: instantiateAsync runs a start function that waits in another instance`, opts, async () => {
    const engine = engineWith();
    const { store } = chain(engine);
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      await tick();
      return x * 10;
    });
    linker.defineInstance(store, "a", linker.instantiate(store, new Module(engine, wat(A))));
    const module = new Module(engine, wat(`(module
      (import "a" "inner" (func $inner (param i32) (result i32)))
      (global $g (mut i32) (i32.const 0))
      (func $start (global.set $g (call $inner (i32.const 2))))
      (start $start)
      (func (export "g") (result i32) (global.get $g)))`));
    const instance = await linker.instantiateAsync(store, module);
    assert.equal(instance.getTypedFunc("g", [], ["i32"])(), 20 + 100 + 2);
    assert.throws(() => linker.instantiate(store, module), (e: unknown) => e instanceof AsyncError && e.code === "sync_call");
  });
}

test("rewrite: a function that may suspend, put by the host in a table of an instance that was not prepared for it, is an AsyncError when it waits (JSPI runs it)", async () => {
  for (const { name: mechanism, skip } of MECHANISMS) {
    if (skip) continue;
    const engine = new Engine({ asyncSupport: true, asyncMechanism: mechanism });
    const store = new Store(engine);
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      await tick();
      return x * 10;
    });
    const a = linker.instantiate(store, new Module(engine, wat(A)));
    const d = linker.instantiate(store, new Module(engine, wat(`(module
      (type $t (func (param i32) (result i32)))
      (table (export "t") 1 funcref)
      (func (export "run") (param i32) (result i32) (i32.add (call_indirect (type $t) (local.get 0) (i32.const 0)) (i32.const 1))))`)));
    d.getTable("t")!.set(0, a.getFunc("inner")!);
    const run = d.getFunc("run")!;
    if (mechanism === "jspi") {
      assert.equal(await run.callAsync(1), 10 + 100 + 1 + 1);
    } else {
      await assert.rejects(run.callAsync(1), (e: unknown) => e instanceof AsyncError && e.code === "unsupported" && /did not prepare/.test(e.message));
      // Nothing is left behind: the store carries on.
      assert.equal(await a.getFunc("inner")!.callAsync(1), 10 + 100 + 1);
    }
  }
});
