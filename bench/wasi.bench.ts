/**
 * WASI benchmarks: the same C program (test/fixtures/wasi/bench.c) under wasmhost's Wasi, node:wasi and
 * @bjorn3/browser_wasi_shim, in the same run. Host-directory rows compare wasmhost's `NodeFs` with
 * node:wasi's host preopen; in-memory rows compare `MemoryFs` with browser_wasi_shim's in-memory
 * directory. Each row times whole runs (new Wasi + instantiate + _start) and reports ns per operation
 * (per line, chunk, file or call).
 *
 * Sinks: node:wasi needs a real descriptor for stdout, so in the printf row both sides write stdout to a
 * temp file of their own (truncated before each run; ours through an output callback doing the same
 * `writeSync` per `fd_write`); in the other rows ours keeps stdout in memory and node:wasi's goes to its
 * file, and the program prints little there. browser_wasi_shim's stdout is an in-memory `OpenFile`.
 * browser_wasi_shim is 4-600x slower than either: its rows are context, without a verdict.
 * node:wasi's fd_readdir omits `.` and `..`; the program accepts either count.
 *
 * Where the time goes (measured while writing this): a clock_time_get is a wasm-to-JS call (~11 ns
 * with the i64-dropping adapter) plus `process.hrtime.bigint()` stored into a BigUint64Array (~24 ns,
 * no BigInt allocated), about what node:wasi's whole C++ call costs, so that row sits just under 1x. Host-directory rows pay for descriptor-relative resolution (`/proc/<pid>/fd/N/name`, one
 * more kernel path walk per call) that keeps symlink swaps from escaping; node:wasi resolves by path
 * string. A walked directory's handle is cached, so "dir/file" costs one lstat, not an open and close.
 *
 * Measured on the 2-core test machine (CPU time, best of 6-9 alternating rounds, load 5-6): printf
 * 1.19x (libc writes its buffer and the new data as two iovecs; ours hands both to the sink as one
 * chunk, so one `writeSync` per `fd_write` like node:wasi's one `writev`; what is left is Node's
 * `writeSync` costing ~6 us against uvwasi's ~4 us); 10k files 1.05x (both make about 6 system calls
 * per file, mostly kernel time; ours pay ~2 us of node:fs wrapper each and two lstats of the
 * cached-directory check). Wall-clock ratios on that machine swing by +-30% from run to run.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WASI as NodeWASI } from "node:wasi";
import { WASI as ShimWASI, File as ShimFile, OpenFile, PreopenDirectory } from "@bjorn3/browser_wasi_shim";
import { Wasi } from "../src/wasi/index.js";
import { NodeFs } from "../src/host/node-fs.js";
import { compare, type BenchRow, type BenchSuite } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const wasmPath = join(here, "..", "..", "test", "fixtures", "wasi", "bench.wasm");

// Keep node:wasi's one-time ExperimentalWarning out of the table.
process.removeAllListeners("warning");

function check(code: number, who: string, args: readonly string[]): void {
  if (code !== 0) throw new Error(`${who} failed running bench ${args.join(" ")}: exit code ${code}`);
}

const suite: BenchSuite = {
  title: "WASI: wasmhost vs node:wasi and browser_wasi_shim (same C program)",
  run(): BenchRow[] {
    const module = new WebAssembly.Module(readFileSync(wasmPath));
    const work = mkdtempSync(join(tmpdir(), "wasmhost-bench-"));
    const ourDir = mkdtempSync(join(work, "ours-"));
    const nodeDir = mkdtempSync(join(work, "node-"));
    const nodeOut = openSync(join(work, "node-stdout.txt"), "w");
    const nodeNull = openSync("/dev/null", "w");
    const ourOut = openSync(join(work, "ours-stdout.txt"), "w");
    const toFile = (bytes: Uint8Array) => {
      writeSync(ourOut, bytes);
    };

    const ours = (fs: "host" | "memory", args: readonly string[], stdout: "pipe" | "file" = "pipe") => () => {
      if (stdout === "file") ftruncateSync(ourOut, 0);
      const wasi = new Wasi({
        args: ["bench", ...args, "/sandbox"],
        stdout: stdout === "file" ? toFile : "pipe",
        stderr: "inherit",
        preopens: { "/sandbox": fs === "host" ? { fs: new NodeFs(ourDir) } : { memory: {} } },
      });
      check(wasi.start(new WebAssembly.Instance(module, wasi.getImportObject())), "wasmhost", args);
    };
    const node = (args: readonly string[]) => () => {
      ftruncateSync(nodeOut, 0);
      const wasi = new NodeWASI({
        version: "preview1", args: ["bench", ...args, "/sandbox"], preopens: { "/sandbox": nodeDir },
        stdout: nodeOut, stderr: 2, stdin: nodeNull, returnOnExit: true,
      });
      check(wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports)), "node:wasi", args);
    };
    const shim = (args: readonly string[]) => () => {
      const fds = [new OpenFile(new ShimFile([])), new OpenFile(new ShimFile([])), new OpenFile(new ShimFile([])), new PreopenDirectory("/sandbox", new Map())];
      const wasi = new ShimWASI(["bench", ...args, "/sandbox"], [], fds, { debug: false });
      const inst = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport as unknown as WebAssembly.ModuleImports });
      check(wasi.start(inst as { exports: { memory: WebAssembly.Memory; _start: () => unknown } }), "browser_wasi_shim", args);
    };

    const rows: BenchRow[] = [];
    const LINES = ["printf", "1000000"];
    const CLOCK = ["clock", "1000000"];
    const BIG = ["bigfile", "1024"]; // 1024 x 64 KiB = 64 MiB written and read back
    const MANY = ["manyfiles", "10000"];
    try {
      const context = (anchor: string) => `${anchor} (context)`;
      rows.push(compare("1M printf lines, piped stdout (per line)", "node:wasi, both to a temp file", ours("memory", LINES, "file"), node(LINES), { opsPerRound: 1e6, rounds: 5, warmup: 1, goal: 1 }));
      rows.push(compare("1M printf lines, piped stdout (per line)", context("browser_wasi_shim, both in memory"), ours("memory", LINES), shim(LINES), { opsPerRound: 1e6, rounds: 5, warmup: 1 }));
      rows.push(compare("1M clock_gettime (per call)", "node:wasi", ours("memory", CLOCK), node(CLOCK), { opsPerRound: 1e6, rounds: 7, warmup: 1, goal: 1 }));
      rows.push(compare("1M clock_gettime (per call)", context("browser_wasi_shim"), ours("memory", CLOCK), shim(CLOCK), { opsPerRound: 1e6, rounds: 7, warmup: 1 }));
      rows.push(compare("64 MiB file in 64 KiB chunks, host dir (per chunk)", "node:wasi", ours("host", BIG), node(BIG), { opsPerRound: 2048, rounds: 5, warmup: 1, goal: 1 }));
      rows.push(compare("64 MiB file in 64 KiB chunks, in memory (per chunk)", context("browser_wasi_shim"), ours("memory", BIG), shim(BIG), { opsPerRound: 2048, rounds: 1, warmup: 0 }));
      rows.push(compare("10k files created, listed, removed, host dir (per file)", "node:wasi", ours("host", MANY), node(MANY), { opsPerRound: 1e4, rounds: 5, warmup: 1, goal: 1 }));
      rows.push(compare("10k files created, listed, removed, in memory (per file)", context("browser_wasi_shim"), ours("memory", MANY), shim(MANY), { opsPerRound: 1e4, rounds: 3, warmup: 1 }));
    } finally {
      closeSync(nodeOut);
      closeSync(ourOut);
      closeSync(nodeNull);
      rmSync(work, { recursive: true, force: true });
    }
    return rows;
  },
};

export default suite;
