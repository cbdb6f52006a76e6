/**
 * Hostile guests against deadlines (issue 8): each runs a tight loop first, so that the interruption
 * check's period grows, and then steps much slower per unit of weight than the tight loop's, forever.
 * A deadline must still interrupt it within `ms + max(10 ms, 10%)`. The unit tests use them as
 * "did not hang" guards (test/unit/instrument/hostile.test.ts); bench/deadline.bench.ts prints how late
 * each is interrupted.
 *
 * Each module exports `run` (no parameters, never returns) and may export `init`, to call once before
 * the deadline is set (e.g. to touch the memory, so that its loads miss the cache instead of reading
 * the shared zero page).
 */

const TIGHT = `(loop $tight (local.set $i (i32.add (local.get $i) (i32.const 1)))
  (br_if $tight (i32.lt_u (local.get $i) (i32.const 50000000))))`;

/** The guests, by description; `pages` is the memory they touch (64 KiB pages). */
export function slowStepGuests(pages = 1024): readonly (readonly [name: string, text: string])[] {
  const mask = pages * 65536 - 4;
  return [
    [`cache-missing loads over ${pages / 16} MiB`, `(module (memory ${pages})
      (func (export "init") (memory.fill (i32.const 0) (i32.const 7) (i32.const ${pages * 65536})))
      (func (export "run") (local $i i32) (local $x i32) ${TIGHT}
        (loop $slow
          (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
          (local.set $i (i32.add (local.get $i) (i32.load (i32.and (local.get $x) (i32.const ${mask})))))
          (br $slow))))`],
    ["chains of 64-bit divisions", `(module
      (func (export "run") (local $i i32) (local $x i64) ${TIGHT}
        (local.set $x (i64.const -1))
        (loop $slow
          (local.set $x (i64.div_u (i64.div_u (i64.div_u (i64.div_u (local.get $x) (i64.const 3)) (i64.const 3)) (i64.const 3)) (i64.const 3)))
          (local.set $x (i64.or (local.get $x) (i64.const 0x7000000000000000)))
          (br $slow))))`],
    ["memory.grow by 64 pages, each followed by a fill of the whole memory", `(module (memory 1 ${pages})
      (func (export "run") (local $i i32) ${TIGHT}
        (loop $slow
          (drop (memory.grow (i32.const 64)))
          (memory.fill (i32.const 0) (i32.const 1) (i32.mul (memory.size) (i32.const 65536)))
          (br $slow))))`],
    ["deep recursion, each level filling 4 MiB", `(module (memory 64)
      (func $down (param $d i32) (result i32)
        (memory.fill (i32.const 0) (local.get $d) (i32.const 0x400000))
        (if (result i32) (i32.eqz (local.get $d)) (then (i32.const 0))
          (else (call $down (i32.sub (local.get $d) (i32.const 1))))))
      (func (export "run") (local $i i32) ${TIGHT} (loop $slow (drop (call $down (i32.const 5000))) (br $slow))))`],
    ["table.grow by 100,000 elements in a loop", `(module (table 1 funcref)
      (func (export "run") (local $i i32) ${TIGHT}
        (loop $slow (drop (table.grow (ref.null func) (i32.const 100000))) (br $slow))))`],
  ];
}
