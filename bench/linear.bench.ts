/**
 * Linear time on hostile input (issue 8): each row runs the same pass on an input and on one twice as
 * large, and reports the ratio of the two times. Linear work gives about 2; quadratic work gives 4.
 *
 * - Epoch/time-limit and fuel instrumentation of N nested loops, each crossed by a `br_if` and a
 *   `br_table` to the outermost one (the relabelling of branches used to walk every loop crossed).
 * - The decoder on a module of N exports and N empty custom sections (counts and names are the
 *   hostile-input shapes the decoder caps), as `new Module` decodes untrusted bytes (`lazy`: exports
 *   checked up front, their records made on first use). The eager decode, which keeps all 2N records
 *   alive to the end, is shown as context without a verdict: its work is linear (each record is made
 *   once), but at 100k exports the records outgrow V8's young generation, so the 2N run pays
 *   scavenges (each copying every live record) that the N run does not: 2.6-4.3x in our runs, 1.8x
 *   with a 64 MiB semi-space.
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

/** One run of `fn`, in ms. */
function timed(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/**
 * A row timing `run(2n)` against `run(n)`, alternating, fastest of `rounds` each. The runs allocate
 * what they build, and a young-generation collection of one run's records can land in the next run
 * (60 ms, more than a whole run); 11 rounds give each side runs that no such collection hit. (A full
 * collection forced before every run was tried and is worse: the sweeping it leaves behind slows the
 * run that follows, and linear passes read 0.5-1.7.)
 */
function doubling(name: string, n: number, make: (n: number) => () => unknown, rounds = 11, goal: number | null = 2.5): BenchRow {
  const small = make(n);
  const large = make(2 * n);
  small();
  large();
  let a = Infinity;
  let b = Infinity;
  for (let i = 0; i < rounds; i++) {
    b = Math.min(b, timed(small));
    a = Math.min(a, timed(large));
  }
  return { name: `${name}: ${2 * n} vs ${n}`, anchor: "half the input", ours: a * 1e6, theirs: b * 1e6, ratio: a / b, ...(goal !== null ? { goal } : {}), unit: "ns/run" };
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
      doubling("decoder as new Module runs it, N exports and N custom sections", 50_000, (n) => {
        const bytes = manyEntries(n);
        return () => decodeModule(bytes, { lazy: true });
      }),
      doubling("decoder, eager, N exports and N custom sections (context: see the module comment)", 50_000, (n) => {
        const bytes = manyEntries(n);
        return () => decodeModule(bytes);
      }, undefined, null),
      doubling("WAT i64.const of N digits", 200_000, literal((d) => `(module (func (result i64) (i64.const ${d})))`)),
      doubling("WAT f64.const nan:0x of N hex digits", 200_000, literal((d) => `(module (func (result f64) (f64.const nan:0x${d})))`)),
      doubling("WAT f32.const of N digits", 200_000, literal((d) => `(module (func (result f32) (f32.const ${d})))`)),
    ];
  },
};

export default suite;
