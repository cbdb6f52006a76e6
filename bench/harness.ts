/**
 * The benchmark harness: times ours and an anchor doing the same work in the same run, and reports
 * their ratio. Each `bench/*.bench.ts` module default-exports a `BenchSuite`; `bench/main.ts` runs them.
 *
 * Timing: both sides get the same warm-up, then run in alternating rounds (which side goes first
 * alternates too, so that drift in machine speed hits both alike), and the reported time is each
 * side's fastest round (not the median): on a shared machine, noise only ever adds time, so the
 * fastest round is the best estimate of the work itself. A ratio below 1 means ours is faster.
 *
 * A row has a verdict only when it has a `goal` and its anchor does the same work well (node:wasi,
 * the bare WebAssembly API, V8's own compile or validation, wabt). Anchors far slower than any serious
 * implementation (wasm-metering, browser_wasi_shim) give context rows, printed without a verdict.
 */

/** One measured comparison. */
export interface BenchRow {
  /** What is measured, e.g. "host->wasm typed call (i32,i32)->i32". */
  readonly name: string;
  /** The anchor's name, e.g. "bare WebAssembly API". */
  readonly anchor: string;
  /** Fastest round's time per operation of ours and of the anchor, in nanoseconds (or as `unit` says). */
  readonly ours: number;
  readonly theirs: number;
  /** ours / theirs. */
  readonly ratio: number;
  /** The goal for the ratio, e.g. 1.1 (ratio <= goal). */
  readonly goal?: number;
  /** The unit of `ours`/`theirs`: "ns/op" by default; throughput rows say e.g. "MB/s" (higher is better). */
  readonly unit?: string;
}

/** A group of benchmark rows. */
export interface BenchSuite {
  readonly title: string;
  run(): Promise<BenchRow[]> | BenchRow[];
}

/**
 * Times `ours` and `theirs` (each doing `opsPerRound` operations per call) over `rounds` alternating
 * rounds after `warmup` calls of each, and returns the row with the fastest round's ns/op.
 */
export function compare(
  name: string,
  anchor: string,
  ours: () => unknown,
  theirs: () => unknown,
  options: { opsPerRound?: number; rounds?: number; goal?: number | undefined; warmup?: number } = {},
): BenchRow {
  const ops = options.opsPerRound ?? 1;
  const rounds = options.rounds ?? 15;
  for (let i = 0; i < (options.warmup ?? 3); i++) {
    ours();
    theirs();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which side goes first so that drift in machine speed does not favour one.
    if (i % 2 === 0) {
      a.push(time(ours));
      b.push(time(theirs));
    } else {
      b.push(time(theirs));
      a.push(time(ours));
    }
  }
  const o = (Math.min(...a) * 1e6) / ops;
  const t = (Math.min(...b) * 1e6) / ops;
  return { name, anchor, ours: o, theirs: t, ratio: o / t, ...(options.goal !== undefined ? { goal: options.goal } : {}) };
}

/**
 * `compare` for work that reads `bytes` bytes per operation, reported as throughput: MB/s of each side,
 * ratio ours/anchor (higher is better, so the goal is a minimum).
 */
export function compareThroughput(
  name: string,
  anchor: string,
  bytes: number,
  ours: () => unknown,
  theirs: () => unknown,
  options: { rounds?: number; goal?: number; warmup?: number } = {},
): BenchRow {
  const row = compare(name, anchor, ours, theirs, { ...options, goal: undefined });
  const mbps = (ns: number) => bytes / 1048576 / (ns / 1e9);
  const o = mbps(row.ours);
  const t = mbps(row.theirs);
  return { name, anchor, ours: o, theirs: t, ratio: o / t, unit: "MB/s", ...(options.goal !== undefined ? { goal: options.goal } : {}) };
}

/** Async variant of `compare` for work that returns a promise (same warm-up, alternation and best round). */
export async function compareAsync(
  name: string,
  anchor: string,
  ours: () => Promise<unknown>,
  theirs: () => Promise<unknown>,
  options: { opsPerRound?: number; rounds?: number; goal?: number; warmup?: number } = {},
): Promise<BenchRow> {
  const ops = options.opsPerRound ?? 1;
  const rounds = options.rounds ?? 9;
  for (let i = 0; i < (options.warmup ?? 2); i++) {
    await ours();
    await theirs();
  }
  const a: number[] = [];
  const b: number[] = [];
  const timed = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(await timed(ours));
      b.push(await timed(theirs));
    } else {
      b.push(await timed(theirs));
      a.push(await timed(ours));
    }
  }
  const o = (Math.min(...a) * 1e6) / ops;
  const t = (Math.min(...b) * 1e6) / ops;
  return { name, anchor, ours: o, theirs: t, ratio: o / t, ...(options.goal !== undefined ? { goal: options.goal } : {}) };
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Anchors too slow to judge against: their rows are context, and may not carry a goal. */
export const WEAK_ANCHORS: readonly string[] = ["wasm-metering", "browser_wasi_shim"];

/**
 * Why a row's verdict would mean nothing, or `undefined`: a goal against a weak anchor, or against a
 * fixed number that is not labelled as an absolute target.
 */
export function verdictProblem(r: BenchRow): string | undefined {
  if (r.goal === undefined) return undefined;
  if (WEAK_ANCHORS.some((w) => r.anchor.startsWith(w))) return `"${r.name}": ${r.anchor} is a context anchor; its row takes no goal`;
  if (/^goal\b|^\d/.test(r.anchor)) return `"${r.name}": a fixed number ("${r.anchor}") must be an anchor measured in the run, or say "absolute target"`;
  return undefined;
}

/**
 * Renders rows as an aligned table with a verdict against each goal.
 * @throws Error when a row's verdict would mean nothing (see `verdictProblem`).
 */
export function formatRows(title: string, rows: readonly BenchRow[]): string {
  const lines = [`## ${title}`, "", "| benchmark | anchor | ours | anchor | ratio | goal |", "|---|---|---:|---:|---:|---|"];
  for (const r of rows) {
    const problem = verdictProblem(r);
    if (problem) throw new Error(`benchmark row ${problem}`);
    const unit = r.unit ?? "ns/op";
    const higherIsBetter = unit.endsWith("/s");
    const ok = r.goal === undefined ? "" : (higherIsBetter ? r.ratio >= r.goal : r.ratio <= r.goal) ? `${higherIsBetter ? ">=" : "<="} ${r.goal} ok` : `${higherIsBetter ? ">=" : "<="} ${r.goal} MISSED`;
    lines.push(`| ${r.name} | ${r.anchor} | ${fmt(r.ours)} ${unit} | ${fmt(r.theirs)} ${unit} | ${r.ratio.toFixed(2)}x | ${ok} |`);
  }
  return lines.join("\n");
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
