/**
 * Waits inside blocks, loops and ifs with parameters and results (multi-value too), with branches
 * that carry values out of them, on every mechanism this engine has: JSPI where the host engine has
 * it (Node ≥ 25; skipped visibly elsewhere) and the unwind/rewind rewrite (everywhere, also forced
 * where JSPI exists), which keeps such blocks' values in locals across the wait.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";
import { MECHANISMS, tick } from "../../helpers/async.js";


/** `get(x)` waits, then returns x + 1; `get64(x)` returns x * 3 as i64. */
const BLOCKS = `(module
  (import "host" "get" (func $get (param i32) (result i32)))
  (import "host" "get64" (func $get64 (param i32) (result i64)))
  ;; a block with a result around the wait, with a value below it on the stack
  (func (export "result") (param i32) (result i32)
    (i32.add (i32.const 1000)
      (block (result i32) (i32.mul (call $get (local.get 0)) (i32.const 2)))))
  ;; a multi-value block with a parameter; a branch out of it carries two values
  (func (export "multi") (param i32) (result i64)
    (local i32 i64)
    (i32.const 7)
    (block (param i32) (result i32 i64)
      (local.set 1 (call $get (i32.add (local.get 0))))
      (br_if 0 (local.get 1) (call $get64 (local.get 1)) (i32.gt_u (local.get 1) (i32.const 100)))
      (drop (drop))
      (i32.const 5)
      (i64.extend_i32_u (call $get (i32.const 9))))
    (local.set 2)
    (i64.add (i64.extend_i32_u) (local.get 2)))
  ;; a loop with a parameter and a result: sums get(i) for i < n, the running sum carried by br_if
  (func (export "sum") (param i32) (result i32)
    (local i32)
    (i32.const 0)
    (loop $l (param i32) (result i32)
      (i32.add (call $get (local.get 1)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0)))))
  ;; an if with a parameter and results, both arms waiting; and one without else
  (func (export "pick") (param i32) (result i32 i32)
    (i32.const 50)
    (if (param i32) (result i32 i32) (local.get 0)
      (then (call $get) (call $get (i32.const 1)))
      (else (drop) (i32.const 2) (call $get (i32.const 20)))))
  (func (export "maybe") (param i32) (result i32)
    (i32.const 8)
    (if (param i32) (result i32) (local.get 0) (then (call $get)))
    (i32.const 100) (i32.add))
  ;; a br out of a nested block with no wait in it to an outer block with results and a wait
  (func (export "nested") (param i32) (result i32)
    (block $out (result i32)
      (drop (call $get (i32.const 0)))
      (block
        (drop (br_if $out (i32.const 77) (local.get 0))))
      (call $get (i32.const 40)))))`;

for (const { name: mechanism, skip } of MECHANISMS) {
  const opts = skip ? { skip } : {};

  test(`${mechanism}: waits inside blocks, loops and ifs with parameters and (multiple) results`, opts, async () => {
    const engine = new Engine({ asyncSupport: true, asyncMechanism: mechanism });
    let waits = 0;
    const linker = new Linker(engine)
      .defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
        waits++;
        await tick();
        return x + 1;
      })
      .defineFuncAsync("host", "get64", { params: ["i32"], results: ["i64"] }, async (_c, x) => {
        waits++;
        await tick();
        return BigInt(x) * 3n;
      });
    const instance = linker.instantiate(new Store(engine), new Module(engine, wat(BLOCKS)));
    const f = (name: string) => instance.getFunc(name)!;
    assert.equal(await f("result").callAsync(4), 1000 + 10);
    // multi(x): v = x + 8; the branch carries (v, 3v) out when v > 100, else the block ends with (5, 10)
    assert.equal(await f("multi").callAsync(1), 5n + 10n);
    assert.equal(await f("multi").callAsync(200), 208n * 3n + 208n);
    assert.equal(await f("sum").callAsync(4), 1 + 2 + 3 + 4);
    assert.equal(await f("sum").callAsync(1), 1);
    assert.deepEqual(await f("pick").callAsync(1), [51, 2]);
    assert.deepEqual(await f("pick").callAsync(0), [2, 21]);
    assert.equal(await f("maybe").callAsync(1), 109);
    assert.equal(await f("maybe").callAsync(0), 108);
    assert.equal(await f("nested").callAsync(1), 77);
    assert.equal(await f("nested").callAsync(0), 41);
    assert.equal(waits, 1 + 3 + 2 + 4 + 1 + 2 + 1 + 1 + 0 + 1 + 2);
  });

  test(`${mechanism}: a wait at the bottom of 4000 frames of recursion through call_indirect (i64, f64 and funcref values kept)`, opts, async () => {
    const engine = new Engine({ asyncSupport: true, asyncMechanism: mechanism });
    const linker = new Linker(engine).defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
      await tick();
      return x;
    });
    const instance = linker.instantiate(new Store(engine), new Module(engine, wat(`(module
      (import "host" "get" (func $get (param i32) (result i32)))
      (type $t (func (param i32 i64) (result i64)))
      (table 1 funcref)
      (elem (i32.const 0) $rec)
      (func $rec (type $t) (param $n i32) (param $acc i64) (result i64) (local $x f64) (local $y i64)
        (local.set $x (f64.convert_i32_s (local.get $n)))
        (local.set $y (i64.mul (local.get $acc) (i64.const 3)))
        (if (result i64) (i32.eqz (local.get $n))
          (then (i64.extend_i32_s (call $get (i32.const 7))))
          (else
            (i64.add
              (call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1)) (local.get $y) (i32.const 0))
              (i64.add (local.get $y) (i64.trunc_f64_s (local.get $x)))))))
      (func (export "run") (param i32) (result i64) (call $rec (local.get 0) (i64.const 1))))`)));
    const expected = (n: number): bigint => {
      // rec(0, acc) = 7; rec(n, acc) = rec(n - 1, 3 acc) + 3 acc + n, in i64.
      const ys: bigint[] = [];
      let acc = 1n;
      for (let k = n; k >= 0; k--) ys.push((acc = BigInt.asIntN(64, acc * 3n)));
      let r = 7n;
      for (let k = 1; k <= n; k++) r = BigInt.asIntN(64, r + ys[n - k]! + BigInt(k));
      return r;
    };
    const run = instance.getTypedFuncAsync("run", ["i32"], ["i64"]);
    assert.equal(await run(3), expected(3));
    assert.equal(await run(4000), expected(4000));
    assert.equal(await run(10), expected(10));
  });
}
