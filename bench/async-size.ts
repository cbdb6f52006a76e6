/**
 * Code-size growth of the unwind/rewind rewrite (src/instrument/asyncify.ts) on the C fixtures: the
 * instruction bytes of every function body, rewritten / original, for test/fixtures/wasi/*.wasm (clang
 * -O2, wasi-libc) with `fd_write` made async, and with every WASI import made async (the worst case:
 * nearly every function can then reach one), plus the async bench's kernel. Rows for async.bench.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { decodeModule } from "../src/binary/decoder.js";
import type { ModuleInfo } from "../src/binary/module-info.js";
import { instrumentModule } from "../src/instrument/index.js";
import type { BenchRow } from "./harness.js";

const fixtures = new URL("../../test/fixtures/", import.meta.url);

/** Instruction bytes of every function body (locals declarations left out). */
function codeBytes(info: ModuleInfo): number {
  let n = 0;
  for (const body of info.code) n += body.code.length;
  return n;
}

/** The function import numbers of `info` whose names `pick` accepts. */
function funcImports(info: ModuleInfo, pick: (name: string) => boolean): number[] {
  const out: number[] = [];
  let k = 0;
  for (const imp of info.imports) {
    if (imp.kind !== "func") continue;
    if (pick(imp.name)) out.push(k);
    k++;
  }
  return out;
}

/** One row per fixture and choice of async imports: rewritten code bytes vs original. */
export function rewriteGrowthRows(): BenchRow[] {
  const rows: BenchRow[] = [];
  const wasi = new URL("wasi/", fixtures);
  const files = readdirSync(wasi).filter((f) => f.endsWith(".wasm")).sort();
  const cases: [file: URL, label: string, pick: (name: string) => boolean][] = [];
  for (const f of files) {
    cases.push([new URL(f, wasi), `${f}, fd_write async`, (n) => n === "fd_write"]);
    cases.push([new URL(f, wasi), `${f}, every import async`, () => true]);
  }
  cases.push([new URL("kernels/seeded.wasm", fixtures), "kernels/seeded.wasm, host.seed async", () => true]);
  for (const [file, label, pick] of cases) {
    const info = decodeModule(new Uint8Array(readFileSync(file)));
    const asyncImports = funcImports(info, pick);
    if (asyncImports.length === 0) continue;
    let rewritten: ModuleInfo;
    try {
      rewritten = decodeModule(instrumentModule(info, { asyncImports }).bytes);
    } catch (e) {
      // The rewrite refuses some shapes (named in the error); the row is left out, the reason shown.
      console.error(`async-size: ${label}: ${(e as Error).message}`);
      continue;
    }
    const before = codeBytes(info);
    const after = codeBytes(rewritten);
    rows.push({ name: `rewrite code size: ${label}`, anchor: "the module as built", ours: after, theirs: before, ratio: after / before, unit: "B" });
  }
  return rows;
}
