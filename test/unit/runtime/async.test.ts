/**
 * Async host functions and async calls (`defineFuncAsync`, `callAsync`, `getTypedFuncAsync`,
 * `instantiateAsync`), run on every mechanism this engine has: JSPI where the host engine has it
 * (Node ≥ 25; skipped visibly elsewhere) and the unwind/rewind rewrite (everywhere, also forced where
 * JSPI exists).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { AsyncError, CompileError, Engine, Linker, Module, Store, Trap, type EngineConfig } from "../../../src/index.js";
import { Wasi } from "../../../src/wasi/index.js";
import { wat } from "../../helpers/wat.js";
import { HAS_JSPI, MECHANISMS, tick } from "../../helpers/async.js";

const NESTED = `(module
  (import "host" "get" (func $get (param i32) (result i32)))
  (func $inner (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 100))
    (i32.add (i32.add (call $get (local.get 0)) (local.get 1)) (local.get 0)))
  (func (export "run") (param i32) (result i32) (local i64)
    (local.set 1 (i64.const 7))
    (i32.add (i32.mul (call $inner (local.get 0)) (i32.const 2)) (i32.wrap_i64 (local.get 1))))
  (func (export "pure") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))`;

for (const { name: mechanism, skip } of MECHANISMS) {
  const opts = skip ? { skip } : {};
  const engineWith = (extra: EngineConfig = {}): Engine => new Engine({ asyncSupport: true, asyncMechanism: mechanism, ...extra });

  test(`${mechanism}: wasm waits for an async import while the event loop runs; locals survive the wait`, opts, async () => {
    const engine = engineWith();
    assert.equal(engine.asyncMechanism, mechanism);
    const store = new Store(engine);
    const linker = new Linker(engine);
    let timerRan = false;
    linker.defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      setTimeout(() => (timerRan = true), 0);
      await tick(2);
      return x * 10;
    });
    const instance = linker.instantiate(store, new Module(engine, wat(NESTED)));
    const run = instance.getTypedFuncAsync("run", ["i32"], ["i32"]);
    // (4*10 + 100 + 4) * 2 + 7
    assert.equal(await run(4), 295);
    assert.ok(timerRan, "a timer set by the host function ran while wasm waited");
    assert.equal(await instance.getFunc("run")!.callAsync(1), (10 + 100 + 1) * 2 + 7);
    // A function that reaches no async import runs synchronously as before, and async too.
    assert.equal(instance.getTypedFunc("pure", ["i32"], ["i32"])(5), 15);
    assert.equal(await instance.getTypedFuncAsync("pure", ["i32"], ["i32"])(5), 15);
  });

  test(`${mechanism}: a synchronous call that reaches an async import throws AsyncError "sync_call"`, opts, () => {
    const engine = engineWith();
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async () => 1);
    const instance = linker.instantiate(new Store(engine), new Module(engine, wat(NESTED)));
    assert.throws(() => instance.getTypedFunc("run", ["i32"], ["i32"])(1), (e: unknown) => e instanceof AsyncError && e.code === "sync_call" && /callAsync/.test(e.message));
  });

  test(`${mechanism}: concurrent callAsyncs on one store run one after the other`, opts, async () => {
    const engine = engineWith();
    const log: string[] = [];
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      log.push(`start ${x}`);
      await tick(3 - x);
      log.push(`end ${x}`);
      return x;
    });
    const instance = linker.instantiate(new Store(engine), new Module(engine, wat(NESTED)));
    const run = instance.getTypedFuncAsync("run", ["i32"], ["i32"]);
    const results = await Promise.all([run(1), run(2), run(3)]);
    assert.deepEqual(results, [1, 2, 3].map((x) => (x + 100 + x) * 2 + 7));
    assert.deepEqual(log, ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  });

  test(`${mechanism}: a rejected Promise reaches the caller as the same error, and the store carries on`, opts, async () => {
    const engine = engineWith();
    const boom = new Error("boom");
    let fail = true;
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      await tick();
      if (fail) throw boom;
      return x;
    });
    const instance = linker.instantiate(new Store(engine), new Module(engine, wat(NESTED)));
    const run = instance.getTypedFuncAsync("run", ["i32"], ["i32"]);
    await assert.rejects(run(1), (e) => e === boom);
    fail = false;
    assert.equal(await run(1), (1 + 100 + 1) * 2 + 7);
  });

  test(`${mechanism}: a trap after the wait has its code and frames`, opts, async () => {
    const engine = engineWith();
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: [], results: ["i32"] }, async () => {
      await tick();
      return 0;
    });
    const module = new Module(engine, wat(`(module $m
      (import "host" "get" (func $get (result i32)))
      (func $div (export "div") (result i32) (local i32)
        (local.set 0 (call $get))
        (i32.div_u (i32.const 1) (local.get 0))))`));
    const instance = linker.instantiate(new Store(engine), module);
    await assert.rejects(instance.getFunc("div")!.callAsync(), (e: unknown) => {
      assert.ok(e instanceof Trap, String(e));
      assert.equal(e.code, "integer_division_by_zero");
      assert.equal(e.frames[0]?.funcName, "div");
      return true;
    });
  });

  test(`${mechanism}: fuel is charged across the wait; time awaiting is not guest time`, opts, async () => {
    const engine = engineWith({ consumeFuel: true, timeLimits: true });
    const store = new Store(engine);
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      await tick(60);
      return x;
    });
    const instance = linker.instantiate(store, new Module(engine, wat(NESTED)));
    store.setFuel(1000);
    store.setTimeLimit(30);
    assert.equal(await instance.getTypedFuncAsync("run", ["i32"], ["i32"])(2), (2 + 100 + 2) * 2 + 7);
    const used = 1000 - store.getFuel();
    assert.ok(used > 5 && used < 100, `fuel used: ${used}`);
    store.setFuel(3);
    await assert.rejects(instance.getTypedFuncAsync("run", ["i32"], ["i32"])(2), (e: unknown) => e instanceof Trap && e.code === "out_of_fuel");
  });

  test(`${mechanism}: a time limit interrupts wasm that loops after the wait`, opts, async () => {
    const engine = engineWith({ timeLimits: true });
    const store = new Store(engine);
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: [], results: ["i32"] }, async () => {
      await tick(5);
      return 1;
    });
    const instance = linker.instantiate(store, new Module(engine, wat(`(module
      (import "host" "get" (func $get (result i32)))
      (func (export "spin") (drop (call $get)) (loop $l (br $l))))`)));
    store.setTimeLimit(40);
    await assert.rejects(instance.getFunc("spin")!.callAsync(), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  });

  test(`${mechanism}: instantiateAsync runs a start function that calls an async import`, opts, async () => {
    const engine = engineWith();
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: [], results: ["i32"] }, async () => {
      await tick();
      return 41;
    });
    const module = new Module(engine, wat(`(module
      (import "host" "get" (func $get (result i32)))
      (global $g (mut i32) (i32.const 0))
      (func $start (global.set $g (i32.add (call $get) (i32.const 1))))
      (start $start)
      (func (export "g") (result i32) (global.get $g)))`));
    const store = new Store(engine);
    const instance = await linker.instantiateAsync(store, module);
    assert.equal(instance.getTypedFunc("g", [], ["i32"])(), 42);
    assert.throws(() => linker.instantiate(new Store(engine), module), (e: unknown) => e instanceof AsyncError && e.code === "sync_call");
  });

  test(`${mechanism}: WASI preview1 works beside an async import`, opts, async () => {
    const engine = engineWith();
    const wasi = new Wasi({ stdout: "pipe" });
    const linker = new Linker(engine).defineWasi(wasi).defineFuncAsync("host", "get", { params: [], results: ["i32"] }, async () => {
      await tick();
      return 3;
    });
    const module = new Module(engine, wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "host" "get" (func $get (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "hi!\\n")
      (func (export "_start") (local i32)
        (i32.store (i32.const 0) (i32.const 16))
        (local.set 0 (call $get))
        (i32.store (i32.const 4) (local.get 0))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`));
    const instance = linker.instantiate(new Store(engine), module);
    await instance.getFunc("_start")!.callAsync();
    assert.equal(wasi.stdoutText(), "hi!");
  });
}

test("async APIs on an engine without asyncSupport throw AsyncError \"not_enabled\"", async () => {
  const engine = new Engine();
  assert.equal(engine.asyncMechanism, undefined);
  assert.throws(() => new Linker(engine).defineFuncAsync("h", "f", { params: [], results: [] }, async () => {}), (e: unknown) => e instanceof AsyncError && e.code === "not_enabled");
  const instance = new Linker(engine).instantiate(new Store(engine), new Module(engine, wat(`(module (func (export "f")))`)));
  await assert.rejects(instance.getFunc("f")!.callAsync(), (e: unknown) => e instanceof AsyncError && e.code === "not_enabled");
  assert.throws(() => new Engine({ asyncSupport: true, asyncMechanism: "bogus" as "jspi" }), TypeError);
});

test("asyncMechanism \"jspi\" on an engine without JSPI is refused at new Engine", { skip: HAS_JSPI ? "this engine has JSPI" : undefined }, () => {
  assert.throws(() => new Engine({ asyncSupport: true, asyncMechanism: "jspi" }), /has no WebAssembly\.Suspending/);
});

test("rewrite: values below a call's arguments and around blocks are kept across the wait (with fuel and time limits on)", async () => {
  const engine = new Engine({ asyncSupport: true, asyncMechanism: "rewrite", consumeFuel: true, timeLimits: true });
  const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
    await tick();
    return x + 1;
  });
  const module = new Module(engine, wat(`(module
    (import "host" "get" (func $get (param i32) (result i32)))
    (func $f (export "f") (param i32) (result i32) (local i32)
      (if (i32.lt_u (local.get 0) (i32.const 5))
        (then (local.set 1 (i32.sub (i32.const 1000) (call $get (local.get 0)))))
        (else (local.set 1 (call $get (i32.add (local.get 0) (call $get (i32.const 1)))))))
      (i32.add (i32.mul (local.get 0) (i32.const 100)) (local.get 1)))
    (func (export "g") (param i32) (result i32)
      i32.const 5
      local.get 0
      if
        local.get 0
        call $get
        local.set 0
      end
      local.get 0
      i32.add)
    (func (export "sum") (param i32) (result i64) (local i64)
      (loop $l
        (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (call $get (local.get 0)))))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 1)))`));
  const store = new Store(engine);
  store.setFuel(1_000_000);
  store.setTimeLimit(5_000);
  const instance = linker.instantiate(store, module);
  const f = instance.getTypedFuncAsync("f", ["i32"], ["i32"]);
  assert.equal(await f(2), 200 + 1000 - 3);
  assert.equal(await f(7), 700 + (7 + 2 + 1));
  const g = instance.getTypedFuncAsync("g", ["i32"], ["i32"]);
  assert.equal(await g(3), 5 + 4);
  assert.equal(await g(0), 5);
  assert.equal(await instance.getTypedFuncAsync("sum", ["i32"], ["i64"])(4), 5n + 4n + 3n + 2n);
});

test("rewrite: a br_table out of a block with results around a call that may suspend is refused with a CompileError naming the function", () => {
  const engine = new Engine({ asyncSupport: true, asyncMechanism: "rewrite" });
  const linker = new Linker(engine).defineFuncAsync("host", "get", { params: [], results: ["i32"] }, async () => 1);
  const module = new Module(engine, wat(`(module
    (import "host" "get" (func $get (result i32)))
    (func $blk (export "blk") (param i32) (result i32)
      (block (result i32) (drop (call $get)) (br_table 0 0 (i32.const 5) (local.get 0)))))`));
  assert.throws(() => linker.instantiate(new Store(engine), module), (e: unknown) => e instanceof CompileError && /cannot handle blk .*br_table to a block with parameters or results around a call that may suspend/.test(e.message));
});

test("rewrite: only functions that can reach an async import change; indirect calls of a matching type count", async () => {
  const engine = new Engine({ asyncSupport: true, asyncMechanism: "rewrite" });
  const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
    await tick();
    return x + 1;
  });
  const module = new Module(engine, wat(`(module
    (import "host" "get" (func $get (param i32) (result i32)))
    (type $t (func (param i32) (result i32)))
    (table 2 funcref)
    (elem (i32.const 0) $viaGet $plain)
    (func $viaGet (param i32) (result i32) (call $get (local.get 0)))
    (func $plain (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func (export "dispatch") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0)))
    (func (export "untouched") (param i32) (result i32) (i32.add (local.get 0) (i32.const 5))))`));
  const instance = linker.instantiate(new Store(engine), module);
  const dispatch = instance.getTypedFuncAsync("dispatch", ["i32", "i32"], ["i32"]);
  assert.equal(await dispatch(0, 10), 11);
  assert.equal(await dispatch(1, 10), 20);
  assert.equal(instance.getTypedFunc("untouched", ["i32"], ["i32"])(1), 6);
});

test("rewrite: a C program (clang, wasi-libc) with fd_write made async prints what it prints with the sync import", async () => {
  const bytes = readFileSync(new URL("../../../../test/fixtures/wasi/args_env.wasm", import.meta.url));
  const run = async (async: boolean): Promise<string> => {
    const engine = new Engine(async ? { asyncSupport: true, asyncMechanism: "rewrite" } : {});
    const wasi = new Wasi({ args: ["args_env", "a", "bc"], env: { K: "V" }, stdout: "pipe" });
    const linker = new Linker(engine).defineWasi(wasi);
    let awaited = 0;
    if (async) {
      linker.allowShadowing = true;
      const { type, fn } = wasi.getImports().wasi_snapshot_preview1!.fd_write!;
      linker.defineFuncAsync("wasi_snapshot_preview1", "fd_write", type, async (_c, ...args: unknown[]) => {
        awaited++;
        await tick();
        return fn(...args);
      });
    }
    const instance = linker.instantiate(new Store(engine), new Module(engine, bytes));
    try {
      if (async) await instance.getFunc("_start")!.callAsync();
      else instance.getFunc("_start")!.call();
    } catch {
      // proc_exit ends the program with an exception; the output is what is compared
    }
    if (async) assert.ok(awaited > 0, "fd_write was awaited");
    return wasi.stdoutText();
  };
  const expected = await run(false);
  assert.match(expected, /argc=3/);
  assert.equal(await run(true), expected);
});

test("rewrite: a table element changed by the host while wasm waits in a call through it is an AsyncError \"table_changed\", not a wrong call", async () => {
  const engine = new Engine({ asyncSupport: true, asyncMechanism: "rewrite" });
  let onWait = (): void => {};
  const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
    await tick();
    onWait();
    return x + 1;
  });
  const module = new Module(engine, wat(`(module
    (import "host" "get" (func $get (param i32) (result i32)))
    (type $t (func (param i32) (result i32)))
    (table (export "table") 3 funcref)
    (elem (i32.const 0) $viaGet $other $plain)
    (func $viaGet (param i32) (result i32) (call $get (local.get 0)))
    (func $other (param i32) (result i32) (i32.add (call $get (local.get 0)) (i32.const 1000)))
    (func $plain (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func (export "dispatch") (param i32 i32) (result i32) (call_indirect (type $t) (local.get 1) (local.get 0))))`));
  const instance = linker.instantiate(new Store(engine), module);
  const dispatch = instance.getTypedFuncAsync("dispatch", ["i32", "i32"], ["i32"]);
  const table = instance.getTable("table")!;
  const [viaGet, other, plain] = [table.get(0), table.get(1), table.get(2)];
  assert.equal(await dispatch(0, 10), 11);
  // Another element changes: the waiting call is not concerned.
  onWait = () => table.set(2, viaGet);
  assert.equal(await dispatch(0, 10), 11);
  // The element called through changes to another function that would rewind (it can reach the
  // import too), to one that would not (it cannot), and to null: each is refused when resuming.
  for (const replacement of [other, plain, null]) {
    table.set(0, viaGet);
    onWait = () => table.set(0, replacement);
    await assert.rejects(dispatch(0, 10), (e: unknown) => e instanceof AsyncError && e.code === "table_changed" && /call_indirect/.test(e.message));
  }
  // Changed and changed back before wasm resumes: the same function, so the call completes.
  table.set(0, viaGet);
  onWait = () => {
    table.set(0, plain);
    table.set(0, viaGet);
  };
  assert.equal(await dispatch(0, 10), 11);
  // The store carries on after the refused resumptions.
  onWait = () => {};
  assert.equal(await dispatch(1, 5), 1006);
});
