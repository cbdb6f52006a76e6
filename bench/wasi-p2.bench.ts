/**
 * WASI 0.2 benchmarks: the WASI bench program (test/fixtures/wasi/bench.c) adapted to a component with
 * the preview1 adapter (test/fixtures/wasi/components/bench.wasm) and run through
 * `ComponentLinker.defineWasi`, against the very same program run as a preview1 module on the same
 * `Wasi` implementation. Each row times whole runs (new Wasi + instantiate + start) per operation; the
 * target is at most 1.3x: the adapter's translation plus the canonical ABI and our scratch-memory bridge
 * to the preview1 calls (src/component/wasi/preview1.ts) should cost little next to the work.
 *
 * What the component does that preview1 does not, per operation: the adapter turns one 64 KiB
 * `fd_write` into 16 `blocking-write-and-flush` calls of 4 KiB (gathered into writes of up to 256 KiB
 * for host files, see preview1.ts), about 8 host calls per file where preview1 makes 4 (open also asks
 * the descriptor's type and flags; listing asks each entry's metadata hash), and its instantiation
 * makes four core instances and about 30 lowered imports (~1 ms, against ~0.3 ms for the module).
 *
 * Context rows (no goal) run the same component as jco runs it: transpiled, on
 * `@bytecodealliance/preview2-shim` (bench/jco-shim.ts), on a host directory, with fewer operations
 * (the shim is slow).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, Store } from "../src/index.js";
import { Component, ComponentLinker } from "../src/component/index.js";
import { Wasi, type PreopenOption } from "../src/wasi/index.js";
import { NodeFs } from "../src/host/node-fs.js";
import { compare, type BenchRow, type BenchSuite } from "./harness.js";
import { jcoCommand } from "./jco-shim.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "..", "..", "test", "fixtures", "wasi");

function check(code: number, who: string, args: readonly string[]): void {
  if (code !== 0) throw new Error(`${who} failed running bench ${args.join(" ")}: exit code ${code}`);
}

const suite: BenchSuite = {
  title: "WASI 0.2: the bench program as a component (preview1 adapter) vs the same program as preview1",
  async run(): Promise<BenchRow[]> {
    const engine = new Engine();
    const module = new WebAssembly.Module(readFileSync(join(fixtures, "bench.wasm")));
    const bytes = readFileSync(join(fixtures, "components", "bench.wasm"));
    const component = new Component(engine, bytes);
    const work = mkdtempSync(join(tmpdir(), "wasmhost-bench-p2-"));
    const preopen = (fs: "host" | "memory"): PreopenOption => (fs === "host" ? { fs: new NodeFs(work) } : { memory: {} });
    const options = (fs: "host" | "memory", args: readonly string[]) => ({
      args: ["bench", ...args, "/sandbox"], stdout: "pipe" as const, stderr: "inherit" as const, preopens: { "/sandbox": preopen(fs) },
    });
    const asComponent = (fs: "host" | "memory", args: readonly string[]) => () => {
      const wasi = new Wasi(options(fs, args));
      const linker = new ComponentLinker(engine).defineWasi(wasi);
      check(wasi.start(linker.instantiate(new Store(engine), component)), "component", args);
    };
    const asPreview1 = (fs: "host" | "memory", args: readonly string[]) => () => {
      const wasi = new Wasi(options(fs, args));
      check(wasi.start(new WebAssembly.Instance(module, wasi.getImportObject())), "preview1", args);
    };
    const row = (name: string, fs: "host" | "memory", args: readonly string[], ops: number, rounds: number) =>
      compare(name, "the same program as preview1", asComponent(fs, args), asPreview1(fs, args), { opsPerRound: ops, rounds, warmup: 2, goal: 1.3 });
    const jco = await jcoCommand(bytes);
    const jcoRow = (name: string, args: readonly string[], ops: number): BenchRow[] => {
      if (jco === undefined) return [];
      const theirs = () => jco.run(["bench", ...args, "/sandbox"], { "/sandbox": work });
      return [compare(name, "jco transpile + preview2-shim", asComponent("host", args), theirs, { opsPerRound: ops, rounds: 3, warmup: 1 })];
    };
    try {
      return [
        // Runs of 10-40 ms: 11 rounds, so that the best of each side is not at the mercy of a scavenge or
        // of the other processes on a loaded machine (5 gave ratios varying 2x between runs).
        row("200k printf lines, piped stdout (per line)", "memory", ["printf", "200000"], 2e5, 11),
        row("200k clock_gettime (per call)", "memory", ["clock", "200000"], 2e5, 11),
        row("16 MiB file in 64 KiB chunks, in memory (per chunk)", "memory", ["bigfile", "256"], 512, 11),
        row("16 MiB file in 64 KiB chunks, host dir (per chunk)", "host", ["bigfile", "256"], 512, 11),
        row("2k files created, listed, removed, in memory (per file)", "memory", ["manyfiles", "2000"], 2000, 11),
        row("2k files created, listed, removed, host dir (per file)", "host", ["manyfiles", "2000"], 2000, 5),
        ...jcoRow("20k clock_gettime (per call)", ["clock", "20000"], 2e4),
        ...jcoRow("1 MiB file in 64 KiB chunks, host dir (per chunk)", ["bigfile", "16"], 32),
        ...jcoRow("200 files created, listed, removed, host dir (per file)", ["manyfiles", "200"], 200),
      ];
    } finally {
      jco?.dispose();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

export default suite;
