/**
 * Shared helpers for the WASI tests: fixture loading, running a module with a `Wasi`, and the two
 * filesystems every program is run on (an in-memory tree and a fresh host temp directory).
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Wasi, MemoryFs, symlink, type WasiOptions, type PreopenOption, type MemoryTree } from "../../src/wasi/index.js";
import { NodeFs } from "../../src/host/node-fs.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (tests run from dist/test/wasi). */
export const repoRoot = join(here, "..", "..", "..");
/** The folder of the C fixtures and their .wasm. */
export const fixtureDir = join(repoRoot, "test", "fixtures", "wasi");

const modules = new Map<string, WebAssembly.Module>();
/** The compiled fixture `name` (test/fixtures/wasi/NAME.wasm), cached. */
export function fixture(name: string): WebAssembly.Module {
  let m = modules.get(name);
  if (m === undefined) {
    m = new WebAssembly.Module(readFileSync(join(fixtureDir, `${name}.wasm`)));
    modules.set(name, m);
  }
  return m;
}

/** What a run produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  wasi: Wasi;
}

/** Runs `module` with `options` (stdout and stderr piped unless given) through the plain WebAssembly API. */
export function run(module: WebAssembly.Module, options: WasiOptions): RunResult {
  const wasi = new Wasi({ stdout: "pipe", stderr: "pipe", ...options });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject());
  const code = wasi.start(instance);
  return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText(), wasi };
}

/** The filesystem kinds every program runs on. */
export const FS_KINDS = ["memory", "host"] as const;
/** One of `FS_KINDS`. */
export type FsKind = (typeof FS_KINDS)[number];

/** A temporary host directory, removed by `cleanup`. */
export function tempDir(prefix = "wasmhost-wasi-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes a `MemoryTree` (strings, nested objects and symlinks) to a host directory. */
export function writeTree(dir: string, tree: MemoryTree): void {
  const fs = new MemoryFs(tree);
  const walk = (d: string, t: MemoryTree): void => {
    for (const [name, v] of Object.entries(t)) {
      const p = join(d, name);
      if (v instanceof Uint8Array) writeFileSync(p, v);
      else if (typeof v === "string") writeFileSync(p, v);
      else if ("target" in v && typeof v.target === "string") symlinkSync(v.target, p);
      else {
        mkdirSync(p);
        walk(p, v as MemoryTree);
      }
    }
  };
  walk(dir, fs.toTree());
}

/**
 * A preopen of the given kind holding `tree`: a MemoryFs, or a fresh temp directory (under a parent
 * that also holds `outside`, so that escapes have something to find). Call `cleanup` afterwards.
 */
export function makePreopen(kind: FsKind, tree: MemoryTree, options: { readOnly?: boolean; outside?: MemoryTree } = {}): {
  preopen: PreopenOption;
  memory?: MemoryFs;
  hostDir?: string;
  parentDir?: string;
  cleanup: () => void;
} {
  if (kind === "memory") {
    const memory = new MemoryFs(tree);
    return { preopen: { fs: memory, readOnly: options.readOnly ?? false }, memory, cleanup: () => {} };
  }
  const parent = tempDir();
  const hostDir = join(parent.path, "sandbox");
  mkdirSync(hostDir);
  writeTree(hostDir, tree);
  if (options.outside) {
    mkdirSync(join(parent.path, "outside"));
    writeTree(join(parent.path, "outside"), options.outside);
  }
  return { preopen: { fs: new NodeFs(hostDir, { readOnly: options.readOnly ?? false }) }, hostDir, parentDir: parent.path, cleanup: parent.cleanup };
}

/** The lines of `text` that start with "ok " or "FAIL" or "failures" (what the fixtures report). */
export function reportLines(text: string): string[] {
  return text.split("\n").filter((l) => /^(ok |FAIL|failures )/.test(l));
}

export { symlink };
