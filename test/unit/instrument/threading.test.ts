/**
 * Functions that are only called directly carry fuel and the interruption count as extra parameters and
 * results (see src/instrument/threading.ts): their behaviour, fuel counts and interruption must be those
 * of the plain module.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store, Trap } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const SHAPES = `(module
  (func $multi (param $x i32) (result i32 i64)
    (if (i32.eq (local.get $x) (i32.const 3)) (then (return (i32.const 10) (i64.const 20))))
    (block $b (result i32 i64)
      (i32.const 1) (i64.const 2)
      (br_table $b 1 $b (local.get $x)))   ;; label 1 is the function's own
    (i64.const 5)
    (i64.add))
  (func $early (param $x i32) (result i32)
    (i32.const 7)
    (br_if 0 (i32.gt_s (local.get $x) (i32.const 5)))
    (drop)
    (local.get $x))
  (func $sum (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
      (else (i32.add (local.get $n) (call $sum (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "multi") (param i32) (result i32 i64) (call $multi (local.get 0)))
  (func (export "early") (param i32) (result i32) (call $early (local.get 0)))
  (func (export "sum") (param i32) (result i32) (call $sum (local.get 0))))`;

test("threaded functions with several results, early returns and branches to their own label behave as plain", () => {
  const plainEngine = new Engine();
  const plain = new Linker(plainEngine).instantiate(new Store(plainEngine), new Module(plainEngine, wat(SHAPES)));
  const fuelLeft: number[] = [];
  for (const config of [{ consumeFuel: true }, { epochInterruption: true }, { consumeFuel: true, timeLimits: true }]) {
    const engine = new Engine(config);
    const store = new Store(engine);
    if (config.consumeFuel) store.setFuel(1_000_000);
    const inst = new Linker(engine).instantiate(store, new Module(engine, wat(SHAPES)));
    for (const name of ["multi", "early", "sum"]) {
      for (const arg of [0, 1, 2, 3, 6, 50]) {
        assert.deepEqual(inst.getFunc(name)!.call(arg), plain.getFunc(name)!.call(arg), `${name}(${arg}) with ${JSON.stringify(config)}`);
      }
    }
    if (config.consumeFuel) fuelLeft.push(store.getFuel());
  }
  assert.equal(fuelLeft[0], fuelLeft[1], "the same fuel is used with or without interruption checks");
});

test("fuel counts through threaded functions are exact, and a host function called from one reads them exactly", () => {
  const engine = new Engine({ consumeFuel: true });
  const linker = new Linker(engine);
  const seen: number[] = [];
  linker.defineFunc("host", "peek", { params: [], results: [] }, (caller) => {
    seen.push(caller.getFuel());
  });
  const store = new Store(engine);
  store.setFuel(1000);
  const inst = linker.instantiate(store, new Module(engine, wat(`(module
    (import "host" "peek" (func $peek))
    (func $inner (param i32) (result i32)
      (call $peek)                                   ;; entry, call: 2 (seen: 1000 - 3 - 2)
      (i32.add (local.get 0) (i32.const 1)))         ;; 3
    (func (export "f") (result i32)
      (call $inner (i32.const 5))))`)));              // entry, i32.const, call: 3
  assert.equal(inst.getTypedFunc("f", [], ["i32"])(), 6);
  assert.deepEqual(seen, [995]);
  assert.equal(store.getFuel(), 1000 - 3 - 2 - 3);
});

test("running out of fuel inside a threaded function leaves 0", () => {
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module $t
    (func $deep (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
        (else (call $deep (i32.sub (local.get $n) (i32.const 1))))))
    (func (export "run") (param i32) (result i32) (call $deep (local.get 0))))`)));
  // run: entry, local.get, call = 3; each $deep level that recurses: entry, local.get, i32.eqz, if (4)
  // + local.get, i32.const, i32.sub, call (4) = 8.
  store.setFuel(3 + 8 * 3 + 2);
  try {
    inst.getFunc("run")!.call(10);
    assert.fail("expected a trap");
  } catch (e) {
    assert.ok(e instanceof Trap);
    assert.equal(e.code, "out_of_fuel");
    assert.equal(e.frames[0]!.funcName, "deep");
    assert.equal(e.frames.length, 5, "four levels of $deep under run");
  }
  assert.equal(store.getFuel(), 0, "the fourth level's first block (4) did not fit into the 2 left: running out leaves 0, as in Wasmtime");
});

test("a recursion without loops through threaded functions is stopped by a time limit", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (func $fib (param $n i32) (result i32)
      (if (result i32) (i32.lt_s (local.get $n) (i32.const 2)) (then (local.get $n))
        (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
    (func (export "fib") (param i32) (result i32) (call $fib (local.get 0))))`)));
  const fib = inst.getTypedFunc("fib", ["i32"], ["i32"]);
  assert.equal(fib(20), 6765);
  store.setTimeLimit(30);
  const t0 = performance.now();
  assert.throws(() => fib(60), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  assert.ok(performance.now() - t0 < 3000);
});

test("modules with tail calls keep their tail calls (the rewrite falls back to globals)", () => {
  const text = `(module
    (func $loop (param $n i32) (param $acc i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (local.get $acc))
        (else (return_call $loop (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (i32.const 2))))))
    (func (export "run") (param i32) (result i32) (call $loop (local.get 0) (i32.const 0))))`;
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  const store = new Store(engine);
  store.setFuel(Number.MAX_SAFE_INTEGER);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(text)));
  assert.equal(inst.getTypedFunc("run", ["i32"], ["i32"])(1_000_000), 2_000_000, "a million tail calls do not overflow the stack");
});

test("an infinite loop whose only check is in the threaded function it calls is still interrupted", () => {
  const engine = new Engine({ timeLimits: true });
  const store = new Store(engine);
  const inst = new Linker(engine).instantiate(store, new Module(engine, wat(`(module
    (func $id (param i32) (result i32) (local.get 0))
    (func (export "spin") (local $x i32)
      (loop $l
        (local.set $x (call $id (local.get $x)))
        (br $l))))`)));
  store.setTimeLimit(30);
  const t0 = performance.now();
  assert.throws(() => inst.getFunc("spin")!.call(), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  assert.ok(performance.now() - t0 < 3000);
});

const EXPORTED = `(module $exp
  (import "host" "peek" (func $peek (param i32)))
  (func $fib (export "fib") (export "fib2") (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $down (export "down") (param $n i32) (result i32)
    (call $peek (local.get $n))
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.div_s (i32.const 1) (local.get $n)))
      (else (call $down (i32.sub (local.get $n) (i32.const 1))))))
  (func $spin (export "spin") (param $n i32) (loop $l (br $l)))
  (func (export "ref") (result funcref) (ref.func $fib)))`;

test("exported recursive functions: a wrapper enters the threaded body; results, fuel, funcrefs and trap frames are those of the plain module", () => {
  const counts: number[] = [];
  for (const config of [{}, { consumeFuel: true }, { epochInterruption: true }, { consumeFuel: true, timeLimits: true }]) {
    const engine = new Engine(config);
    const linker = new Linker(engine);
    const peeked: number[] = [];
    linker.defineFunc("host", "peek", { params: ["i32"], results: [] }, (_caller, n) => {
      peeked.push(n);
    });
    const store = new Store(engine);
    if ("consumeFuel" in config) store.setFuel(1_000_000);
    if ("epochInterruption" in config) store.setEpochDeadline(1_000_000);
    const module = new Module(engine, wat(EXPORTED));
    if (Object.keys(config).length > 0) {
      // Every export is wrapped (fib once, though exported twice); `ref.func $fib` is fib's wrapper.
      assert.deepEqual(module.instrumented?.wrappers, [1, 2, 3, 4]);
    }
    const inst = linker.instantiate(store, module);
    assert.equal(inst.getTypedFunc("fib", ["i32"], ["i32"])(15), 610);
    assert.equal(inst.getTypedFunc("fib2", ["i32"], ["i32"])(10), 55);
    const ref = inst.getFunc("ref")!.call() as { call(...a: unknown[]): unknown; name?: string };
    assert.equal(ref, inst.getFunc("fib"), "the funcref of an exported function is its export");
    assert.equal(ref.call(12), 144);
    const trap = (() => {
      try {
        inst.getFunc("down")!.call(3);
      } catch (e) {
        return e as Trap;
      }
      return assert.fail("down(3) should trap");
    })();
    assert.ok(trap instanceof Trap);
    assert.equal(trap.code, "integer_division_by_zero");
    assert.deepEqual(peeked, [3, 2, 1, 0]);
    // One frame per call of $down, innermost first: the wrapper is not shown.
    assert.deepEqual(trap.frames.map((f) => [f.funcIndex, f.funcName]), [[2, "down"], [2, "down"], [2, "down"], [2, "down"]]);
    counts.push(trap.frames[0]!.offset, trap.frames[1]!.offset);
    if ("consumeFuel" in config) {
      store.setFuel(500);
      const starved = (() => {
        try {
          inst.getFunc("spin")!.call(0);
        } catch (e) {
          return e as Trap;
        }
        return assert.fail("spin should run out of fuel");
      })();
      assert.equal(starved.code, "out_of_fuel");
      assert.equal(store.getFuel(), 0);
      assert.deepEqual(starved.frames.map((f) => f.funcName), ["spin"]);
    }
  }
  // The frames' offsets are the plain module's for every configuration.
  for (let k = 2; k < counts.length; k++) assert.equal(counts[k], counts[k % 2]);
});

test("an exported recursive function uses the fuel it used when an unexported caller entered it", () => {
  const FIB = `(func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))`;
  const used: number[] = [];
  for (const text of [
    `(module ${FIB.replace("(func $fib", `(func $fib (export "fib")`)})`,
    `(module ${FIB} (func (export "fib") (param i32) (result i32) (call $fib (local.get 0))))`,
  ]) {
    const engine = new Engine({ consumeFuel: true });
    const store = new Store(engine);
    store.setFuel(1_000_000);
    const inst = new Linker(engine).instantiate(store, new Module(engine, wat(text)));
    assert.equal(inst.getTypedFunc("fib", ["i32"], ["i32"])(15), 610);
    used.push(1_000_000 - store.getFuel());
  }
  // The unexported one's caller costs its entry, local.get and call: 3 units; the wrapper costs none.
  assert.equal(used[1]! - used[0]!, 3);
});

const TABLE = `(module $tab
  (type $bin (func (param i32 i32) (result i32)))
  (type $un (func (param i32) (result i32)))
  (table $t 6 funcref)
  (elem (table $t) (i32.const 0) func $add $sub $neg $rec)
  (elem (table $t) (i32.const 4) funcref (ref.func $mul) (ref.null func))
  (func $add (export "add") (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $bin) (i32.mul (local.get 0) (local.get 1)))
  (func $neg (type $un) (i32.sub (i32.const 0) (local.get 0)))
  (func $rec (type $bin)   ;; recursion through the table
    (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
      (else (call_indirect $t (type $bin) (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 2)) (i32.const 3)))))
  (func (export "apply") (param $f i32) (param $a i32) (param $b i32) (result i32)
    (call_indirect $t (type $bin) (local.get $a) (local.get $b) (local.get $f)))
  (func (export "loop") (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (local.set $acc (call_indirect $t (type $bin) (local.get $acc) (local.get $n) (i32.rem_u (local.get $n) (i32.const 2))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  (func (export "unary") (param $f i32) (param $a i32) (result i32)
    (call_indirect $t (type $un) (local.get $a) (local.get $f)))
  (func (export "addref") (result funcref) (ref.func $add)))`;

test("call_indirect through a table of the module's own functions is threaded; results, fuel and traps are the plain module's", () => {
  const plainEngine = new Engine();
  const plain = new Linker(plainEngine).instantiate(new Store(plainEngine), new Module(plainEngine, wat(TABLE)));
  const calls: [string, number[]][] = [["apply", [0, 5, 3]], ["apply", [1, 5, 3]], ["apply", [4, 5, 3]], ["apply", [3, 10, 1]], ["loop", [1000]], ["unary", [2, 9]], ["add", [2, 2]]];
  const traps: [string, number[]][] = [["apply", [2, 1, 1]], ["apply", [5, 1, 1]], ["apply", [6, 1, 1]], ["unary", [0, 1]]];
  const codeOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Trap).code;
    }
    return "none";
  };
  const used: number[] = [];
  for (const text of [TABLE, TABLE.replace(`(func (export "addref")`, `(func (export "peek") (result funcref) (table.get $t (i32.const 0))) (func (export "addref")`)]) {
    for (const config of [{ consumeFuel: true }, { epochInterruption: true }, { consumeFuel: true, timeLimits: true }]) {
      const engine = new Engine(config);
      const store = new Store(engine);
      if ("consumeFuel" in config) store.setFuel(1_000_000);
      if ("epochInterruption" in config) store.setEpochDeadline(1_000_000);
      const module = new Module(engine, wat(text));
      // Every function of the table is threaded (its type has the extra values), unless a body reads
      // the table; $add, exported and referenced by ref.func, is then entered through its wrapper.
      const reads = text.includes("table.get");
      const engineInfo = module.instrumented!.engineInfo;
      const subType = engineInfo.types[engineInfo.functions[1]!] as { params: readonly unknown[] };
      assert.equal(subType.params.length, reads ? 2 : 2 + Object.keys(config).length, JSON.stringify(config));
      assert.equal(module.instrumented?.wrappers?.includes(0), !reads);
      const inst = new Linker(engine).instantiate(store, module);
      for (const [name, args] of calls) {
        assert.equal(inst.getFunc(name)!.call(...args), plain.getFunc(name)!.call(...args), `${name}(${args}) with ${JSON.stringify(config)}`);
      }
      // (Fuel is compared over calls that complete: an engine trap bills what ran only up to the last store.)
      if ("consumeFuel" in config && !("timeLimits" in config)) used.push(1_000_000 - store.getFuel());
      for (const [name, args] of traps) {
        assert.equal(codeOf(() => inst.getFunc(name)!.call(...args)), codeOf(() => plain.getFunc(name)!.call(...args)), `${name}(${args}) traps the same`);
      }
      const ref = inst.getFunc("addref")!.call() as { call(...a: unknown[]): unknown };
      assert.equal(ref, inst.getFunc("add"));
      assert.equal(ref.call(20, 22), 42);
      if (reads) {
        const entry = inst.getFunc("peek")!.call() as { call(...a: unknown[]): unknown };
        assert.equal(entry.call(1, 2), 3);
      }
    }
  }
  // Threaded or not (table.get keeps the table unthreaded), the same fuel.
  assert.equal(used.length, 2);
  assert.equal(used[0], used[1]);
});
