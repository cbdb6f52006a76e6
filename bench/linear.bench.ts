/**
 * Linear time on hostile input (issue 8): each row runs the same pass on an input and on one twice as
 * large, and reports the ratio of the two times. Linear work gives about 2; quadratic work gives 4.
 *
 * - Epoch/time-limit and fuel instrumentation of N nested loops, each crossed by a `br_if` and a
 *   `br_table` to the outermost one (the relabelling of branches used to walk every loop crossed).
 * - The decoder on a module of N exports and N empty custom sections (counts and names are the
 *   hostile-input shapes the decoder caps).
 * - WAT integer and `nan:0x` payload literals of 100k-400k digits (the value used to be built digit
 *   by digit in BigInt arithmetic).
 */
import { decodeModule } from "../src/binary/decoder.js";
import { fuelCostTable, instrumentModule } from "../src/instrument/index.js";
import { watToBinary } from "../src/text/index.js";
import type { BenchRow, BenchSuite } from "./harness.js";
import { u32Leb } from "../src/binary/encoder.js";

/** A module with one function of `n` nested loops; each loop branches to the outermost one. */
export function nestedLoops(n: number): Uint8Array {
  const body: number[] = [0x00]; // no locals
  for (let d = 0; d < n; d++) {
    body.push(0x03, 0x40); // loop
    body.push(0x20, 0x00, 0x0d, ...u32Leb(d)); // local.get 0  br_if d (the outermost loop)
    body.push(0x20, 0x00, 0x0e, 0x01, ...u32Leb(d), 0x00); // local.get 0  br_table d 0
  }
  for (let d = 0; d < n; d++) body.push(0x0b);
  body.push(0x0b);
  const code = [0x01, ...u32Leb(body.length), ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, // type (i32) -> ()
    0x03, 0x02, 0x01, 0x00, // one function
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
    0x0a, ...u32Leb(code.length), ...code,
  ]);
}

/** A module with `n` function exports (all of one function) and `n` empty custom sections. */
function manyEntries(n: number): Uint8Array {
  const exports: number[] = [];
  for (let i = 0; i < n; i++) {
    const name = [...new TextEncoder().encode(`e${i}`)];
    exports.push(...u32Leb(name.length), ...name, 0x00, 0x00);
  }
  const exportPayload = [...u32Leb(n), ...exports];
  const customs: number[] = [];
  for (let i = 0; i < n; i++) customs.push(0x00, 0x01, 0x00); // custom section, size 1, empty name
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type () -> ()
    0x03, 0x02, 0x01, 0x00, // one function
    0x07, ...u32Leb(exportPayload.length), ...exportPayload,
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // its body
    ...customs,
  ]);
}


/** The fastest of `rounds` runs of `fn`, in ms. */
function fastest(fn: () => unknown, rounds: number): number {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** A row timing `run(2n)` against `run(n)`, alternating. */
function doubling(name: string, n: number, make: (n: number) => () => unknown, rounds = 5): BenchRow {
  const small = make(n);
  const large = make(2 * n);
  small();
  large();
  let a = Infinity;
  let b = Infinity;
  for (let i = 0; i < rounds; i++) {
    b = Math.min(b, fastest(small, 1));
    a = Math.min(a, fastest(large, 1));
  }
  return { name: `${name}: ${2 * n} vs ${n}`, anchor: "half the input", ours: a * 1e6, theirs: b * 1e6, ratio: a / b, goal: 2.5, unit: "ns/run" };
}

const suite: BenchSuite = {
  title: "Linear time on hostile input (time at 2N / time at N; linear is 2)",
  run(): BenchRow[] {
    const fuelCosts = fuelCostTable();
    const instrument = (opts: { interrupt?: boolean; fuel?: boolean }) => (n: number) => {
      const info = decodeModule(nestedLoops(n));
      return () => instrumentModule(info, { interrupt: opts.interrupt ?? false, ...(opts.fuel ? { fuelCosts } : {}) });
    };
    const literal = (wrap: (digits: string) => string) => (n: number) => {
      const text = wrap("7".repeat(n));
      return () => {
        try {
          watToBinary(text);
        } catch {
          // Out of range: the error is the expected outcome; its cost is what is measured.
        }
      };
    };
    return [
      doubling("interrupt checks, nested loops with br_if/br_table", 20_000, instrument({ interrupt: true })),
      doubling("fuel, nested loops with br_if/br_table", 20_000, instrument({ fuel: true })),
      doubling("decoder, N exports and N custom sections", 50_000, (n) => {
        const bytes = manyEntries(n);
        return () => decodeModule(bytes);
      }),
      doubling("WAT i64.const of N digits", 200_000, literal((d) => `(module (func (result i64) (i64.const ${d})))`)),
      doubling("WAT f64.const nan:0x of N hex digits", 200_000, literal((d) => `(module (func (result f64) (f64.const nan:0x${d})))`)),
      doubling("WAT f32.const of N digits", 200_000, literal((d) => `(module (func (result f32) (f32.const ${d})))`)),
    ];
  },
};

export default suite;
