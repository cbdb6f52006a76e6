/**
 * Async host functions of components (`root().funcAsync`, `instance(name).funcAsync`) and async calls
 * of component exports (`ComponentFunc.callAsync`), on every mechanism this engine has: JSPI where the
 * host engine has it (Node ≥ 25; skipped visibly elsewhere) and the unwind/rewind rewrite (everywhere,
 * also forced where JSPI exists), as test/unit/runtime/async.test.ts does for core modules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { AsyncError, Engine, Store, Trap, type EngineConfig } from "../../../src/index.js";
import { Component, ComponentError, ComponentLinker, WASI_P2_VERSION, type ComponentInstance } from "../../../src/component/index.js";
import { Wasi } from "../../../src/wasi/index.js";
import { MECHANISMS, tick } from "../../helpers/async.js";

/** A bump allocator (realloc) in the memory of a core instance of its own. */
const LIBC = `(core module $Libc
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (memory.copy (local.get $p) (local.get 0) (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))
      (local.get $p)))
  (core instance $libc (instantiate $Libc))
  (alias core export $libc "mem" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))`;

const ASYNC = `(component
  (import "fetch" (func $fetch (param "url" string) (result string)))
  (import "double" (func $double (param "x" u32) (result u32)))
  (import "check" (func $check (param "x" u32) (result (result u32 (error string)))))
  ${LIBC}
  (core func $fetch_c (canon lower (func $fetch) (memory $mem) (realloc $realloc)))
  (core func $double_c (canon lower (func $double)))
  (core func $check_c (canon lower (func $check) (memory $mem) (realloc $realloc)))
  (core module $M
    (import "libc" "mem" (memory 1))
    (import "host" "fetch" (func $fetch (param i32 i32 i32)))
    (import "host" "double" (func $double (param i32) (result i32)))
    (import "host" "check" (func $check (param i32 i32)))
    ;; relay: the string fetch returns, through a return area at 8
    (func (export "relay") (param i32 i32) (result i32)
      (call $fetch (local.get 0) (local.get 1) (i32.const 8)) (i32.const 8))
    ;; quad: double(double(x)) + a local that must survive both waits
    (func (export "quad") (param i32) (result i32) (local i32)
      (local.set 1 (i32.const 1000))
      (i32.add (call $double (call $double (local.get 0))) (local.get 1)))
    (func (export "checked") (param i32) (result i32)
      (call $check (local.get 0) (i32.const 64)) (i32.const 64))
    (func (export "pure") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))
  (core instance $m (instantiate $M
    (with "libc" (instance $libc))
    (with "host" (instance (export "fetch" (func $fetch_c)) (export "double" (func $double_c)) (export "check" (func $check_c))))))
  (func (export "relay") (param "url" string) (result string) (canon lift (core func $m "relay") (memory $mem) (realloc $realloc)))
  (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $m "quad")))
  (func (export "checked") (param "x" u32) (result (result u32 (error string))) (canon lift (core func $m "checked") (memory $mem) (realloc $realloc)))
  (func (export "pure") (param "x" u32) (result u32) (canon lift (core func $m "pure")))
)`;

const call = (inst: ComponentInstance, name: string, ...args: unknown[]): Promise<unknown> => inst.getFunc(name)!.callAsync(...args);

for (const { name: mechanism, skip } of MECHANISMS) {
  const opts = skip ? { skip } : {};
  const engineWith = (extra: EngineConfig = {}): Engine => new Engine({ asyncSupport: true, asyncMechanism: mechanism, ...extra });

  /** A linker with async `fetch`, `double` and `check` (each waits for a timer first). */
  const linkerFor = (engine: Engine, fetch?: (url: string) => Promise<string>): ComponentLinker => {
    const linker = new ComponentLinker(engine);
    linker
      .root()
      .funcAsync("fetch", fetch ?? (async (url: string) => {
        await tick(1);
        return `fetched ${url} ✓`;
      }))
      .funcAsync("double", async (x: number) => {
        await tick();
        return x * 2;
      })
      .funcAsync("check", async (x: number) => {
        await tick();
        if (x > 10) throw new ComponentError(`too big: ${x}`);
        return x + 1;
      });
    return linker;
  };

  test(`${mechanism}: an async import returning a string; the guest waits while the event loop runs`, opts, async () => {
    const engine = engineWith();
    assert.equal(engine.asyncMechanism, mechanism);
    let timerRan = false;
    const linker = linkerFor(engine, async (url) => {
      setTimeout(() => (timerRan = true), 0);
      await tick(2);
      return `<${url}>`.repeat(3);
    });
    const inst = linker.instantiate(new Store(engine), Component.fromText(engine, ASYNC));
    assert.equal(await call(inst, "relay", "héllo"), "<héllo><héllo><héllo>");
    assert.ok(timerRan, "a timer set by the host function ran while the guest waited");
    // Arguments and results are checked as in synchronous calls.
    await assert.rejects(call(inst, "relay", 42), { name: "TypeError", message: /relay: arg 0/ });
    assert.equal(await call(inst, "quad", 5), 1020);
    assert.equal(await call(inst, "pure", 5), 15);
    // A function that reaches no async import still runs synchronously.
    assert.equal((inst.exports.pure as (x: number) => number)(4), 12);
  });

  test(`${mechanism}: result<T, E>: a ComponentError from the async import is the guest's err, and the export's`, opts, async () => {
    const engine = engineWith();
    const inst = linkerFor(engine).instantiate(new Store(engine), Component.fromText(engine, ASYNC));
    assert.equal(await call(inst, "checked", 3), 4);
    await assert.rejects(call(inst, "checked", 11), (e: unknown) => e instanceof ComponentError && e.payload === "too big: 11");
    // An err result is not a trap: the instance carries on.
    assert.equal(await call(inst, "checked", 0), 1);
  });

  test(`${mechanism}: an error of the async host function leaves through the guest as the same object, as in sync calls`, opts, async () => {
    const engine = engineWith();
    const boom = new Error("boom");
    const rejecting = linkerFor(engine, async () => {
      await tick();
      throw boom;
    });
    const component = Component.fromText(engine, ASYNC);
    const inst = rejecting.instantiate(new Store(engine), component);
    await assert.rejects(call(inst, "relay", "x"), (e: unknown) => e === boom);
    // As after a host error in a synchronous call, the instance may not be entered again.
    await assert.rejects(call(inst, "quad", 1), { message: "wasm trap: cannot enter component instance" });
    // Thrown before any await: the same.
    const throwing = linkerFor(engine, (() => {
      throw boom;
    }) as unknown as (url: string) => Promise<string>);
    await assert.rejects(call(throwing.instantiate(new Store(engine), component), "relay", "x"), (e: unknown) => e === boom);
    // A result that does not fit the type is a TypeError naming the import.
    const lying = linkerFor(engine, (async () => 42) as unknown as (url: string) => Promise<string>);
    await assert.rejects(call(lying.instantiate(new Store(engine), component), "relay", "x"), { name: "TypeError", message: /fetch: result/ });
  });

  test(`${mechanism}: a synchronous call that reaches an async import throws AsyncError "sync_call"`, opts, () => {
    const engine = engineWith();
    const inst = linkerFor(engine).instantiate(new Store(engine), Component.fromText(engine, ASYNC));
    assert.throws(() => (inst.exports.quad as (x: number) => number)(1), (e: unknown) => e instanceof AsyncError && e.code === "sync_call" && /callAsync/.test(e.message));
    // The guest was unwound by the error: as after a trap, the instance may not be entered again.
    assert.throws(() => (inst.exports.pure as (x: number) => number)(1), { message: "wasm trap: cannot enter component instance" });
    const fresh = linkerFor(engine).instantiate(new Store(engine), Component.fromText(engine, ASYNC));
    assert.throws(() => fresh.getFunc("relay")!.call("x"), (e: unknown) => e instanceof AsyncError && e.code === "sync_call");
  });

  test(`${mechanism}: concurrent callAsyncs on one store run one after the other`, opts, async () => {
    const engine = engineWith();
    const log: string[] = [];
    const linker = linkerFor(engine);
    linker.root().funcAsync("double", async (x: number) => {
      log.push(`start ${x}`);
      await tick(3);
      log.push(`end ${x}`);
      return x * 2;
    });
    const store = new Store(engine);
    const inst = linker.instantiate(store, Component.fromText(engine, ASYNC));
    const other = linker.instantiate(store, Component.fromText(engine, ASYNC));
    const results = await Promise.all([call(inst, "quad", 1), call(other, "quad", 10), call(inst, "quad", 100)]);
    assert.deepEqual(results, [1004, 1040, 1400]);
    assert.deepEqual(log, ["start 1", "end 1", "start 2", "end 2", "start 10", "end 10", "start 20", "end 20", "start 100", "end 100", "start 200", "end 200"]);
  });

  test(`${mechanism}: an async import that calls an export of its own store with callAsync is refused, not a deadlock`, opts, async () => {
    const engine = engineWith();
    const store = new Store(engine);
    const component = Component.fromText(engine, ASYNC);
    const other = linkerFor(engine).instantiate(store, component);
    const linker = linkerFor(engine);
    linker.root().funcAsync("double", (x: number) => other.getFunc("quad")!.callAsync(x) as Promise<number>);
    const inst = linker.instantiate(store, component);
    await assert.rejects(call(inst, "quad", 1), (e: unknown) => e instanceof AsyncError && e.code === "unsupported" && /would wait for that call/.test(e.message));
    // The store carries on: an async call from outside runs.
    assert.equal(await call(other, "quad", 1), 1004);
  });

  test(`${mechanism}: a component linked to another's export that reaches an async import: a clear AsyncError`, opts, async () => {
    const engine = engineWith();
    const store = new Store(engine);
    const inner = linkerFor(engine).instantiate(store, Component.fromText(engine, ASYNC));
    const outer = new ComponentLinker(engine).define("", { relay: inner.exports.relay as (s: string) => string }).instantiate(store, Component.fromText(engine, `(component
      (import "relay" (func $relay (param "url" string) (result string)))
      ${LIBC}
      (core func $relay_c (canon lower (func $relay) (memory $mem) (realloc $realloc)))
      (core module $M
        (import "libc" "mem" (memory 1))
        (import "" "relay" (func $r (param i32 i32 i32)))
        (data (i32.const 300) "abc")
        (func (export "run") (result i32) (call $r (i32.const 300) (i32.const 3) (i32.const 8)) (i32.const 8)))
      (core instance $m (instantiate $M (with "libc" (instance $libc)) (with "" (instance (export "relay" (func $relay_c))))))
      (func (export "run") (result string) (canon lift (core func $m "run") (memory $mem) (realloc $realloc))))`));
    // The link is the other instance's synchronous entry (host code between the two): both mechanisms
    // report a synchronous call.
    await assert.rejects(call(outer, "run"), (e: unknown) => e instanceof AsyncError && e.code === "sync_call");
  });

  test(`${mechanism}: fuel and time limits apply to component code across the wait; awaiting is not guest time`, opts, async () => {
    const engine = engineWith({ consumeFuel: true, timeLimits: true });
    const store = new Store(engine);
    const linker = new ComponentLinker(engine);
    linker.root().funcAsync("get", async () => {
      await tick(60);
      return 1;
    });
    const inst = linker.instantiate(store, Component.fromText(engine, `(component
      (import "get" (func $get (result u32)))
      (core func $get_c (canon lower (func $get)))
      (core module $M
        (import "host" "get" (func $get (result i32)))
        (func (export "count") (param i32) (result i32) (local i32)
          (local.set 1 (call $get))
          (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
          (local.get 1)))
      (core instance $m (instantiate $M (with "host" (instance (export "get" (func $get_c))))))
      (func (export "count") (param "n" u32) (result u32) (canon lift (core func $m "count"))))`));
    store.setFuel(10_000);
    store.setTimeLimit(30); // shorter than the wait: the wait is not guest time
    assert.equal(await call(inst, "count", 10), 10);
    const used = 10_000 - store.getFuel();
    assert.ok(used > 10 && used < 1000, `fuel used: ${used}`);
    store.setFuel(50);
    await assert.rejects(call(inst, "count", 1000), (e: unknown) => e instanceof Trap && e.code === "out_of_fuel");
    // A loop after the wait that outlasts the time limit is interrupted.
    const spinner = linker.instantiate(store, Component.fromText(engine, `(component
      (import "get" (func $get (result u32)))
      (core func $get_c (canon lower (func $get)))
      (core module $M
        (import "host" "get" (func $get (result i32)))
        (func (export "spin") (drop (call $get)) (loop $l (br $l))))
      (core instance $m (instantiate $M (with "host" (instance (export "get" (func $get_c))))))
      (func (export "spin") (canon lift (core func $m "spin"))))`));
    store.setFuel(Number.MAX_SAFE_INTEGER);
    store.setTimeLimit(40);
    await assert.rejects(call(spinner, "spin"), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  });

  test(`${mechanism}: a C program adapted to WASI 0.2 (preview1 adapter) with its stream writes async`, opts, async () => {
    const engine = engineWith();
    const bytes = readFileSync(new URL("../../../../test/fixtures/wasi/components/stdio.wasm", import.meta.url));
    const runOnce = async (async: boolean): Promise<{ out: string; error: unknown; awaited: number }> => {
      const eng = async ? engine : new Engine();
      const wasi = new Wasi({ stdin: "hello, wasi\n", stdout: "pipe", stderr: "pipe" });
      const linker = new ComponentLinker(eng).defineWasi(wasi);
      let awaited = 0;
      if (async) {
        const streams = linker.instance(`wasi:io/streams@${WASI_P2_VERSION}`);
        for (const m of ["write", "blocking-write-and-flush"]) {
          streams.funcAsync(`[method]output-stream.${m}`, async (self: Record<string, (b: Uint8Array) => void>, b: Uint8Array) => {
            awaited++;
            await tick();
            return self[m === "write" ? "write" : "blockingWriteAndFlush"]!(b);
          });
        }
      }
      const inst = linker.instantiate(new Store(eng), new Component(eng, bytes));
      const run = inst.getFunc(`wasi:cli/run@${WASI_P2_VERSION}#run`)!;
      let error: unknown;
      try {
        if (async) await run.callAsync();
        else run.call();
      } catch (e) {
        error = e;
      }
      return { out: wasi.stdoutText() + "|" + wasi.stderrText(), error, awaited };
    };
    const expected = await runOnce(false);
    assert.match(expected.out, /HELLO, WASI/);
    // The wait crosses core instances: the program calls the adapter through the shim's table, the
    // adapter calls the host through it too; under the rewrite each instance unwinds and rewinds.
    const got = await runOnce(true);
    assert.ok(got.awaited > 0, "a write was awaited");
    assert.equal(got.out, expected.out);
    assert.equal(String(got.error), String(expected.error));
  });

  test(`${mechanism}: instantiateAsync runs a core start function that calls an async import; instantiate refuses it`, opts, async () => {
    const engine = engineWith();
    const linker = new ComponentLinker(engine);
    let calls = 0;
    linker.root().funcAsync("get", async () => {
      calls++;
      await tick(1);
      return 41;
    });
    const component = Component.fromText(engine, `(component
      (import "get" (func $get (result u32)))
      (core func $get_c (canon lower (func $get)))
      (core module $M
        (import "host" "get" (func $get (result i32)))
        (global $g (mut i32) (i32.const 0))
        (func $start (global.set $g (i32.add (call $get) (i32.const 1))))
        (start $start)
        (func (export "g") (result i32) (global.get $g)))
      (core instance $m (instantiate $M (with "host" (instance (export "get" (func $get_c))))))
      (func (export "g") (result u32) (canon lift (core func $m "g"))))`);
    const store = new Store(engine);
    const inst = await linker.instantiateAsync(store, component);
    assert.equal(calls, 1);
    assert.equal((inst.exports.g as () => number)(), 42);
    assert.equal(await call(inst, "g"), 42);
    assert.throws(() => linker.instantiate(new Store(engine), component), (e: unknown) => e instanceof AsyncError && e.code === "sync_call");
  });

  test(`${mechanism}: WASI 0.2 in async mode: a stream write made async, beside the WASI host`, opts, async () => {
    const engine = engineWith();
    const streamsWat = readFileSync(new URL("../../../../test/fixtures/components/wasi-streams.wat", import.meta.url), "utf8");
    const wasi = new Wasi({ stdin: "abcdef", stdout: "pipe" });
    const linker = new ComponentLinker(engine).defineWasi(wasi);
    let awaited = 0;
    linker.instance(`wasi:io/streams@${WASI_P2_VERSION}`).funcAsync("[method]output-stream.write", async (self: { write(b: Uint8Array): void }, bytes: Uint8Array) => {
      awaited++;
      await tick();
      return self.write(bytes);
    });
    const inst = linker.instantiate(new Store(engine), Component.fromText(engine, streamsWat));
    assert.equal(await call(inst, "run"), 0, "the number of the step that went wrong");
    assert.equal(wasi.stdoutText(), "helloabcdef");
    assert.equal(awaited, 2);
    // Functions that reach no async import, called async.
    assert.ok(((await call(inst, "sleep", 1_000_000n)) as bigint) >= 1_000_000n);
  });
}

test("component async APIs on an engine without asyncSupport throw AsyncError \"not_enabled\"", async () => {
  const engine = new Engine();
  const linker = new ComponentLinker(engine);
  assert.throws(() => linker.root().funcAsync("fetch", async () => ""), (e: unknown) => e instanceof AsyncError && e.code === "not_enabled");
  linker.root().func("fetch", (u: string) => u).func("double", (x: number) => x * 2).func("check", (x: number) => x);
  const inst = linker.instantiate(new Store(engine), Component.fromText(engine, ASYNC));
  assert.equal((inst.exports.quad as (x: number) => number)(1), 1004);
  await assert.rejects(call(inst, "quad", 1), (e: unknown) => e instanceof AsyncError && e.code === "not_enabled");
});

test("rewrite: a trap after the wait is a Trap and poisons the instance", async () => {
  const engine = new Engine({ asyncSupport: true, asyncMechanism: "rewrite" });
  const linker = new ComponentLinker(engine);
  linker.root().funcAsync("get", async () => {
    await tick();
    return 0;
  });
  const inst = linker.instantiate(new Store(engine), Component.fromText(engine, `(component
    (import "get" (func $get (result u32)))
    (core func $get_c (canon lower (func $get)))
    (core module $M
      (import "host" "get" (func $get (result i32)))
      (func (export "div") (param i32) (result i32) (i32.div_u (local.get 0) (call $get))))
    (core instance $m (instantiate $M (with "host" (instance (export "get" (func $get_c))))))
    (func (export "div") (param "x" u32) (result u32) (canon lift (core func $m "div"))))`));
  await assert.rejects(call(inst, "div", 1), (e: unknown) => e instanceof Trap && e.code === "integer_division_by_zero" && e.frames.length > 0);
  await assert.rejects(call(inst, "div", 1), { message: "wasm trap: cannot enter component instance" });
});
