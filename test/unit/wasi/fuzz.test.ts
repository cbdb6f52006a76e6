/**
 * Random WASI calls with hostile arguments (bad pointers, huge lengths, wild descriptors, path-like
 * garbage in memory) against both filesystems: every call must answer with an errno, never throw, and
 * nothing may appear outside the sandbox. Seeded, so a failure reproduces.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIGNATURES, WasiExit, fixedClock, seededRandom, symlink } from "../../../src/wasi/index.js";
import { NodeFs } from "../../../src/host/node-fs.js";
import { bare } from "./harness.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATH_CHARS = "ab./\0/..";
/** Paths worth trying, written at PATH_BASE + 32 * k. */
const PATHS = ["a", "a/b", "c", "a/c", "d", "d/e", "l", "up", "up/secret", "../outside/secret", "/etc/passwd", "a/../c", "x/", "a/b/", ".", "..", "d/../../outside", "new", "a/new2"];
const PATH_BASE = 60000;
/** (pointer, length) argument positions of each path_* call. */
const PATH_ARGS: Record<string, [number, number][]> = {
  path_open: [[2, 3]], path_create_directory: [[1, 2]], path_filestat_get: [[2, 3]], path_filestat_set_times: [[2, 3]],
  path_link: [[2, 3], [5, 6]], path_readlink: [[1, 2]], path_remove_directory: [[1, 2]], path_rename: [[1, 2], [4, 5]],
  path_symlink: [[0, 1], [3, 4]], path_unlink_file: [[1, 2]],
};
const EDGE_I32 = [0, 1, 3, 4, 5, 8, 24, 64, 65535, 65536, -1, 0x7fffffff, -0x80000000, 1000, 100];
const EDGE_I64 = [0n, 1n, -1n, 5n, 1n << 62n, (1n << 63n) - 1n, -(1n << 63n), 1_000_000n];

function fuzz(kind: "memory" | "host", seed: number, calls: number): void {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let cleanup = () => {};
  let parent = "";
  let fsOption;
  if (kind === "host") {
    parent = mkdtempSync(join(tmpdir(), "wasmhost-fuzz-"));
    mkdirSync(join(parent, "sandbox"));
    mkdirSync(join(parent, "sandbox", "a"));
    writeFileSync(join(parent, "sandbox", "a", "b"), "data");
    mkdirSync(join(parent, "outside"));
    writeFileSync(join(parent, "outside", "secret"), "secret");
    fsOption = { fs: new NodeFs(join(parent, "sandbox")) };
    cleanup = () => rmSync(parent, { recursive: true, force: true });
  } else {
    fsOption = { memory: { a: { b: "data" }, up: symlink("../outside"), l: symlink("a/b") } };
  }
  try {
    const b = bare({ args: ["x"], stdin: "input", stdout: "pipe", stderr: "pipe", clock: fixedClock(1n), random: seededRandom(seed), preopens: { "/": fsOption, "/ro": { memory: { f: "x" }, readOnly: true } } });
    // Memory full of path-like garbage.
    const u8 = b.u8();
    for (let i = 0; i < u8.length; i++) u8[i] = PATH_CHARS.charCodeAt(Math.floor(r() * PATH_CHARS.length));
    PATHS.forEach((p, k) => b.put(PATH_BASE + k * 32, p));
    const tally = new Map<number, number>();
    const pathOk = new Map<string, number>();
    for (const ns of ["wasi_snapshot_preview1", "wasi_unstable"] as const) {
      const fns = b.wasi.getImports()[ns]!;
      const names = Object.keys(fns).filter((n) => n !== "proc_exit");
      for (let i = 0; i < calls; i++) {
        const name = pick(names);
        const sig = SIGNATURES[name]!;
        const args = [...sig].map((c, k) => {
          if (c === "I") return r() < 0.7 ? pick(EDGE_I64) : BigInt(Math.floor(r() * 1e6));
          if (k === 0) {
            // Keep the preopens (3, 4) alive: closing and renumbering only touch what the guest opened.
            if (name === "fd_close" || name === "fd_renumber" || name === "fd_fdstat_set_rights") return 5 + Math.floor(r() * 4);
            if (r() < 0.9) return pick([3, 3, 3, 4, 0, 1, 2, 5, 6, 7]);
          }
          return r() < 0.5 ? pick(EDGE_I32) : Math.floor(r() * 70000);
        });
        // Path arguments mostly name one of the prepared paths (the rest point into the garbage).
        for (const [pi, li] of PATH_ARGS[name] ?? []) {
          if (r() < 0.85) {
            // Earlier calls scribble over memory: lay the paths out again.
            PATHS.forEach((p, k) => b.put(PATH_BASE + k * 32, p));
            const k = Math.floor(r() * PATHS.length);
            args[pi] = PATH_BASE + k * 32;
            args[li] = PATHS[k]!.length;
          }
        }
        if (name === "fd_renumber") args[1] = 5 + Math.floor(r() * 4);
        let result: unknown;
        try {
          result = fns[name]!.fn(...args);
        } catch (e) {
          if (name === "proc_raise" && e instanceof WasiExit) continue;
          assert.fail(`${ns}.${name}(${args.join(", ")}) threw ${(e as Error)?.stack ?? e}`);
        }
        assert.ok(typeof result === "number" && result >= 0 && result <= 76, `${ns}.${name}(${args.join(", ")}) returned ${String(result)}`);
        tally.set(result as number, (tally.get(result as number) ?? 0) + 1);
        if (result === 0 && name.startsWith("path_")) pathOk.set(name, (pathOk.get(name) ?? 0) + 1);
      }
    }
    // The run exercised real work, not only refusals.
    assert.ok((tally.get(0) ?? 0) > calls / 10, `successes: ${tally.get(0)}`);
    // Paths were really walked: most path calls succeeded at least once.
    assert.ok(pathOk.size >= 5, `path calls that succeeded: ${[...pathOk.keys()].join(", ")}`);
    b.wasi.close();
    if (kind === "host") {
      assert.deepEqual(readdirSync(parent).sort(), ["outside", "sandbox"]);
      assert.deepEqual(readdirSync(join(parent, "outside")), ["secret"]);
    }
  } finally {
    cleanup();
  }
}

test("random hostile calls on the in-memory filesystem always return an errno", () => {
  for (const seed of [1, 2, 3]) fuzz("memory", seed, 3000);
});

test("random hostile calls on a host directory always return an errno and stay inside it", () => {
  for (const seed of [4, 5]) fuzz("host", seed, 3000);
});
