/**
 * WASI 0.2: the C fixtures of test/fixtures/wasi, adapted to components with the preview1 adapter
 * (test/fixtures/wasi/components/, made by scripts/build-fixtures.sh), run through
 * `ComponentLinker.defineWasi` on the in-memory filesystem and on a host temp directory, and compared
 * with the same programs run as preview1 modules.
 *
 * What the adapter itself changes, whatever the host: a non-zero exit status reaches the host as
 * `wasi:cli/exit.exit(err)`, exit code 1 (the adapter does not use `exit-with-code`); the checks of
 * the preview1 ABI that WASI 0.2 cannot express (rights, raw guest pointers, sockets, signals) are left
 * out by the fixtures when WASI_ADAPTED is set, each named by a "skip" line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, Store, Trap, WasiError } from "../../src/index.js";
import { Component, ComponentLinker } from "../../src/component/index.js";
import { wasiP2Interfaces, WASI_P2_VERSION } from "../../src/component/wasi/index.js";
import { MemoryFs, Wasi, fixedClock, type Vfs, type VfsDir, type VfsFile, type VfsOpenFlags, type WasiOptions } from "../../src/wasi/index.js";
import { FS_KINDS, fixture, fixtureDir, makePreopen, reportLines, run, symlink, type RunResult } from "./helpers.js";

const engine = new Engine();
const components = new Map<string, Component>();

/** The adapted fixture `name` (test/fixtures/wasi/components/NAME.wasm), compiled once. */
function component(name: string): Component {
  let c = components.get(name);
  if (c === undefined) components.set(name, (c = new Component(engine, readFileSync(join(fixtureDir, "components", `${name}.wasm`)))));
  return c;
}

/** Runs the adapted fixture `name` as a WASI 0.2 command. */
function runComponent(name: string, options: WasiOptions, store = new Store(engine)): RunResult {
  const wasi = new Wasi({ stdout: "pipe", stderr: "pipe", ...options });
  const linker = new ComponentLinker(engine).defineWasi(wasi);
  const code = wasi.start(linker.instantiate(store, component(name)));
  return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText(), wasi };
}

const ADAPTED = { WASI_ADAPTED: "1" };

for (const kind of FS_KINDS) {
  test(`files.c as a component passes every filesystem check on the ${kind} filesystem, as under preview1`, () => {
    const p = makePreopen(kind, {});
    const q = makePreopen(kind, {});
    try {
      const r = runComponent("files", { args: ["files", "/sandbox"], env: ADAPTED, preopens: { "/sandbox": p.preopen } });
      const expected = run(fixture("files"), { args: ["files", "/sandbox"], preopens: { "/sandbox": q.preopen } });
      assert.deepEqual(reportLines(r.stdout), reportLines(expected.stdout), r.stdout);
      assert.deepEqual(reportLines(r.stdout).at(-1), "failures 0");
      assert.equal(r.code, 0);
      if (p.hostDir) assert.deepEqual(readdirSync(p.hostDir), [], "the program cleans up after itself");
      if (p.memory) assert.deepEqual(p.memory.toTree(), {});
    } finally {
      p.cleanup();
      q.cleanup();
    }
  });

  test(`escape.c as a component cannot leave its preopen on the ${kind} filesystem`, () => {
    const tree = {
      "inside.txt": "inside",
      sub: { deep_up: symlink("../../outside/secret.txt"), ok_up: symlink("../inside.txt") },
      link_abs: symlink("/etc/passwd"),
      link_up: symlink("../outside/secret.txt"),
      link_chain1: symlink("link_chain2"),
      link_chain2: symlink("sub/../../outside"),
      dangling: symlink("../nonexistent"),
    };
    const p = makePreopen(kind, tree, { outside: { "secret.txt": "secret" } });
    const ro = makePreopen(kind, { "data.txt": "read only" }, { readOnly: true });
    try {
      const r = runComponent("escape", { args: ["escape"], env: ADAPTED, preopens: { "/sandbox": p.preopen, "/ro": ro.preopen } });
      assert.deepEqual(reportLines(r.stdout), [
        "ok dotdot_and_absolute", "ok symlinks", "ok other_paths", "ok read_only", "failures 0",
      ], r.stdout);
      assert.match(r.stdout, /^skip bad_pointers$/m);
      assert.equal(r.code, 0);
      if (p.parentDir) {
        assert.deepEqual(readdirSync(p.parentDir).sort(), ["outside", "sandbox"]);
        assert.deepEqual(readdirSync(join(p.parentDir, "outside")), ["secret.txt"]);
        assert.equal(readFileSync(join(p.parentDir, "outside", "secret.txt"), "utf8"), "secret");
        assert.equal(existsSync(join(p.parentDir, "nonexistent")), false);
      }
      if (ro.hostDir) assert.deepEqual(readdirSync(ro.hostDir), ["data.txt"]);
      if (ro.memory) assert.equal(ro.memory.readText("data.txt"), "read only");
    } finally {
      p.cleanup();
      ro.cleanup();
    }
  });
}

test("clocks.c as a component: clocks, sleeps, poll and random through wasi:clocks, wasi:io/poll and wasi:random", () => {
  const r = runComponent("clocks", { args: ["clocks"], env: ADAPTED, stdin: "hello" });
  assert.deepEqual(reportLines(r.stdout), ["ok clocks", "ok sleep", "ok poll", "ok random", "failures 0"], r.stdout);
  assert.match(r.stdout, /^skip sockets\nskip proc_raise$/m);
  assert.equal(r.code, 0);
});

test("args_env.c as a component sees the same arguments and environment as under preview1", () => {
  const options = { args: ["prog", "é", "日本語", ""], env: { A: "1", LANG: "ü" } };
  const r = runComponent("args_env", options);
  const expected = run(fixture("args_env"), options);
  assert.equal(r.stdout, expected.stdout);
  assert.equal(expected.code, 3);
  assert.equal(r.code, 1, "the adapter reports every non-zero status as exit(err)");
  const none = runComponent("args_env", {});
  assert.equal(none.stdout, "argc=0\nenvc=0\nargs_sizes 0 0\nenviron_sizes 0 0\n");
});

test("exit_code.c as a component: exit(0) and return 0 give 0, others 1, and earlier output is kept", () => {
  for (const [mode, n] of [["exit", 7], ["exit", 0], ["return", 3], ["return", 0], ["exit", 255]] as const) {
    const r = runComponent("exit_code", { args: ["exit_code", mode, String(n)] });
    assert.equal(r.code, n === 0 ? 0 : 1, `${mode} ${n}`);
    assert.equal(r.stdout, `before ${mode} ${n}`);
  }
});

test("a trap in a component propagates out of start as a Trap and keeps earlier output", () => {
  let out = "";
  assert.throws(
    () => runComponent("exit_code", { args: ["exit_code", "trap"], stdout: (b) => (out += new TextDecoder().decode(b)) }),
    (e: unknown) => e instanceof Trap,
  );
  assert.equal(out, "before trap 0");
});

test("stdio.c as a component: stdin, stdout and stderr as under preview1, no terminals", () => {
  const r = runComponent("stdio", { stdin: "hello, wasi\n" });
  const expected = run(fixture("stdio"), { stdin: "hello, wasi\n" });
  assert.equal(r.stdout, "HELLO, WASI\nout 0\nout 1\nout 2\n");
  assert.equal(r.stdout, expected.stdout);
  assert.equal(r.stderr, expected.stderr);
  assert.equal(r.code, 0);
});

test("bench.c as a component: big files, many files and printf on both filesystems", () => {
  for (const kind of FS_KINDS) {
    const p = makePreopen(kind, {});
    try {
      for (const [mode, n] of [["bigfile", "4"], ["manyfiles", "20"], ["printf", "50"]]) {
        const r = runComponent("bench", { args: ["bench", mode!, n!, "/d"], preopens: { "/d": p.preopen } });
        assert.equal(r.code, 0, `${kind} ${mode}: ${r.stderr}`);
        if (mode === "printf") assert.equal(r.stdout.split("\n").length, 51);
      }
      if (p.hostDir) assert.deepEqual(readdirSync(p.hostDir), []);
    } finally {
      p.cleanup();
    }
  }
});

/**
 * A `MemoryFs` whose root's files say `writeBehind` (as host files do), so the component's 4 KiB stream
 * writes are gathered; `maxSize` makes a write fail with ENOSPC part way.
 */
function writeBehindFs(maxSize: number): { vfs: Vfs; fs: MemoryFs; gathered: () => number } {
  const fs = new MemoryFs({}, { maxSize });
  let writes = 0;
  const file = (f: VfsFile): VfsFile => new Proxy(f, {
    get(t, k) {
      if (k === "writeBehind") return true;
      const v = Reflect.get(t, k, t) as unknown;
      if (k === "write") return (...a: Parameters<VfsFile["write"]>) => (writes++, t.write(...a));
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  const vfs: Vfs = {
    readOnly: false,
    root() {
      const root = fs.root() as VfsDir;
      return new Proxy(root, {
        get(t, k) {
          if (k === "openFileAt") return (name: string, flags: VfsOpenFlags) => {
            const f = t.openFileAt(name, flags);
            return typeof f === "number" ? f : file(f);
          };
          const v = Reflect.get(t, k, t) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
      });
    },
  };
  return { vfs, fs, gathered: () => writes };
}

test("stream writes to a write-behind file are gathered, read back whole, and a late ENOSPC fails the write as under preview1", () => {
  const ok = writeBehindFs(8 << 20);
  const r = runComponent("bench", { args: ["bench", "bigfile", "32", "/d"], preopens: { "/d": { fs: ok.vfs } } });
  assert.equal(r.code, 0, r.stderr);
  // 2 MiB in 512 stream writes of 4 KiB reach the file as 8 writes of 256 KiB.
  assert.equal(ok.gathered(), 8);
  assert.deepEqual(ok.fs.toTree(), {}, "the program read the file back in full and removed it");

  const full = writeBehindFs(1 << 20);
  const c = runComponent("bench", { args: ["bench", "bigfile", "32", "/d"], preopens: { "/d": { fs: full.vfs } } });
  const p = run(fixture("bench"), { args: ["bench", "bigfile", "32", "/d"], preopens: { "/d": { fs: writeBehindFs(1 << 20).vfs } } });
  assert.equal(p.code, 1);
  assert.equal(c.code, p.code);
  assert.equal(c.stderr, p.stderr);
  assert.equal(c.stderr, "bench: write failed\n");
});

test("a gathered write that fails when its stream is already closed fails the run with a WasiError, never silently", () => {
  // 128 KiB in two 64 KiB writes against a 96 KiB budget: preview1 fails the second write. The
  // component's writes are gathered (under 256 KiB), so the failure comes when close() drops the
  // stream, which has no result to carry it: Wasi.start reports it.
  const args = ["bench", "bigfile", "2", "/d"];
  const p = run(fixture("bench"), { args, preopens: { "/d": { fs: writeBehindFs(96 << 10).vfs } } });
  assert.equal(p.code, 1);
  assert.equal(p.stderr, "bench: write failed\n");
  const c = writeBehindFs(96 << 10);
  assert.throws(() => runComponent("bench", { args, preopens: { "/d": { fs: c.vfs } } }), (e: unknown) => {
    assert.ok(e instanceof WasiError, String(e));
    assert.equal(e.errno, "nospc");
    assert.match(e.message, /gathered during the run/);
    return true;
  });
});

for (const kind of FS_KINDS) {
  test(`metadata-hash-at answered from a directory listing equals the hash of a fresh lookup, and is fresh after a change, on the ${kind} filesystem`, () => {
    const p = makePreopen(kind, { a: "1", b: "2", sub: {} });
    try {
      type Hash = { lower: bigint; upper: bigint };
      type Desc = {
        readDirectory(): { readDirectoryEntry(): { type: string; name: string } | undefined };
        metadataHashAt(f: object, path: string): Hash;
        metadataHash(): Hash;
        openAt(pf: object, path: string, of: object, f: object): Desc;
        unlinkFileAt(path: string): void;
        [Symbol.dispose](): void;
      };
      const ifaces = wasiP2Interfaces(new Wasi({ preopens: { "/d": p.preopen } }));
      const dir = (ifaces.get(`wasi:filesystem/preopens@${WASI_P2_VERSION}`)!.getDirectories as () => [Desc, string][])()[0]![0];
      const fresh = (name: string): Hash => {
        const f = dir!.openAt({}, name, {}, { read: true });
        try {
          return f.metadataHash();
        } finally {
          f[Symbol.dispose]();
        }
      };
      const stream = dir!.readDirectory();
      const seen: string[] = [];
      for (let e = stream.readDirectoryEntry(); e !== undefined; e = stream.readDirectoryEntry()) {
        seen.push(e.name);
        const listed = dir!.metadataHashAt({}, e.name);
        assert.deepEqual(dir!.metadataHashAt({}, e.name), listed, `${e.name}: the same without the listing`);
        if (e.type === "regular-file") assert.deepEqual(fresh(e.name), listed, `${e.name}: the hash of the opened file`);
      }
      assert.deepEqual(seen.sort(), ["a", "b", "sub"]);
      // Replaced after it was listed, before its hash is asked: the hash is the new file's (on the
      // memory filesystem a new file has a new inode, so a hash from the listing would differ).
      const again = dir!.readDirectory();
      let e = again.readDirectoryEntry();
      while (e !== undefined && e.type !== "regular-file") e = again.readDirectoryEntry();
      const old = fresh(e!.name);
      dir!.unlinkFileAt(e!.name);
      dir!.openAt({}, e!.name, { create: true }, { write: true })[Symbol.dispose]();
      const now = dir!.metadataHashAt({}, e!.name);
      assert.deepEqual(now, fresh(e!.name));
      if (kind === "memory") assert.notDeepEqual(now, old);
    } finally {
      p.cleanup();
    }
  });
}

/** test/fixtures/components/wasi-streams.wat: wasi:io streams and pollables used directly. */
const streamsWat = readFileSync(join(fixtureDir, "..", "components", "wasi-streams.wat"), "utf8");

test("a WAT component uses streams and pollables directly: check-write, write, flush, poll, read, splice, closed", () => {
  const wasi = new Wasi({ stdin: "abcdef", stdout: "pipe" });
  const linker = new ComponentLinker(engine).defineWasi(wasi);
  const inst = linker.instantiate(new Store(engine), Component.fromText(engine, streamsWat));
  assert.equal((inst.exports.run as () => number)(), 0, "the number of the step that went wrong");
  assert.equal(wasi.stdoutText(), "helloabcdef");
});

test("a monotonic-clock pollable blocks for its duration, and no longer than the store's time limit", () => {
  const limited = new Engine({ timeLimits: true });
  const wasi = new Wasi();
  const linker = new ComponentLinker(limited).defineWasi(wasi);
  const store = new Store(limited);
  const inst = linker.instantiate(store, Component.fromText(limited, streamsWat));
  const sleep = inst.exports.sleep as (ns: bigint) => bigint;
  assert.ok(sleep(20_000_000n) >= 20_000_000n);
  store.setTimeLimit(100);
  const t0 = Date.now();
  assert.throws(() => sleep(10_000_000_000n), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  assert.ok(Date.now() - t0 < 5000, "stopped at the deadline, not after 10 s");
});

test("one implementation serves every 0.2.x: the imports of the adapter (@0.2.12) and the WIT of a component that asks @0.2.0", () => {
  const c = component("stdio");
  assert.ok(c.imports.some((i) => i.name === "wasi:cli/stdin@0.2.12"));
  const wasi = new Wasi({ clock: fixedClock(0n, 1n) });
  const linker = new ComponentLinker(engine).defineWasi(wasi);
  // The same definitions resolve an older minor-compatible name.
  const older = Component.fromText(engine, `(component
    (import "wasi:random/random@0.2.0" (instance $r (export "get-random-u64" (func (result u64)))))
    (import "wasi:clocks/monotonic-clock@0.2.3" (instance $c (export "now" (func (result u64)))))
    (alias export $r "get-random-u64" (func $rand))
    (alias export $c "now" (func $now))
    (export "rand" (func $rand))
    (export "now" (func $now)))`);
  const inst = linker.instantiate(new Store(engine), older);
  assert.equal(typeof (inst.exports.rand as () => bigint)(), "bigint");
  assert.equal(typeof (inst.exports.now as () => bigint)(), "bigint");
});

/** test/fixtures/components/wasi-pollables.wat: readiness probes on stdin, stdout and file streams. */
const pollablesWat = readFileSync(join(fixtureDir, "..", "components", "wasi-pollables.wat"), "utf8");

interface Probes {
  stdinReady(): boolean;
  stdinRead(len: bigint, blocking: boolean): bigint;
  pollStdin(ns: bigint): number;
  checkWrite(): bigint;
  writeOut(len: number): number;
  stdoutReady(): boolean;
  fileRoundtrip(): number;
}

function probes(wasi: Wasi, eng = engine, store = new Store(eng)): Probes {
  const inst = new ComponentLinker(eng).defineWasi(wasi).instantiate(store, Component.fromText(eng, pollablesWat));
  return inst.exports as unknown as Probes; // exports are camelCase
}

const TIMER = 1;
const STDIN = 2;

test("stdin from a string is always ready: non-blocking reads take what is there, then closed", () => {
  const p = probes(new Wasi({ stdin: "abc" }));
  assert.equal(p.stdinReady(), true);
  assert.equal(p.pollStdin(10_000_000_000n), STDIN, "stdin ready, the 10 s timer not");
  assert.equal(p.stdinRead(2n, false), 2n);
  assert.equal(p.stdinRead(10n, false), 1n);
  assert.equal(p.stdinReady(), true, "at its end a read returns at once");
  assert.equal(p.stdinRead(10n, false), -1n, "closed");
  const none = probes(new Wasi());
  assert.equal(none.stdinReady(), true);
  assert.equal(none.stdinRead(10n, true), -1n);
});

test("stdin from a callback is ready only once it has input; poll waits for it or the earlier timer", () => {
  let arrives = -1; // 300 ms after the first question
  let given = false;
  const waits: number[] = [];
  const source = (_max: number, waitMs: number): string | null => {
    waits.push(waitMs);
    if (arrives < 0) arrives = performance.now() + 300;
    if (given) return null; // the end of input: at once
    const left = arrives - performance.now();
    if (left > waitMs) {
      if (waitMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs);
      return null; // nothing within the wait
    }
    if (left > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, left);
    given = true;
    return "late";
  };
  const p = probes(new Wasi({ stdin: source }));
  assert.equal(p.stdinReady(), false, "no input yet");
  assert.equal(waits.at(-1), 0, "asked without waiting");
  assert.equal(p.stdinRead(10n, false), 0n, "a non-blocking read gives nothing, and the stream stays open");
  assert.equal(p.pollStdin(10_000_000n), TIMER, "the 10 ms timer comes first");
  const t0 = performance.now();
  assert.equal(p.pollStdin(10_000_000_000n), STDIN, "then stdin, long before the 10 s timer");
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(p.stdinReady(), true, "the input is kept for the read");
  assert.equal(p.stdinRead(10n, false), 4n);
  assert.equal(p.pollStdin(10_000_000_000n), STDIN, "the end of input is ready at once");
  assert.equal(p.stdinRead(10n, false), -1n);
});

test("a read asking for terabytes takes at most 1 MiB, so the guest cannot make the host allocate to match", () => {
  const asked: number[] = [];
  const p = probes(new Wasi({ stdin: (max: number) => (asked.push(max), "x".repeat(Math.min(max, 3 << 20))) }));
  assert.equal(p.stdinRead(1n << 40n, true), BigInt(1 << 20));
  assert.ok(asked.length > 0 && asked.every((m) => m <= 1 << 20), `the source was asked for ${asked.join(", ")} bytes`);
  const whole = probes(new Wasi({ stdin: "y".repeat(3 << 20) }));
  assert.equal(whole.stdinRead(0xffff_ffff_ffff_ffffn, false), BigInt(1 << 20), "a string stdin too");
  assert.equal(whole.stdinRead(5n, false), 5n, "and the rest stays for the next read");
});

test("a poll on a silent stdin stops at the store's deadline", () => {
  const limited = new Engine({ timeLimits: true });
  const silent = (_max: number, waitMs: number): null => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(waitMs, 60_000));
    return null;
  };
  const store = new Store(limited);
  const p = probes(new Wasi({ stdin: silent }), limited, store);
  assert.equal(p.stdinReady(), false);
  store.setTimeLimit(100);
  const t0 = Date.now();
  assert.throws(() => p.pollStdin(10_000_000_000n), (e: unknown) => e instanceof Trap && e.code === "interrupt");
  assert.ok(Date.now() - t0 < 5000, "stopped at the deadline");
});

test("stdout's check-write permits what the pipe capacity leaves; a full pipe is an error, its pollable ready", () => {
  const wasi = new Wasi({ stdout: "pipe", pipeCapacity: 8 });
  const p = probes(wasi);
  assert.equal(p.checkWrite(), 8n);
  assert.equal(p.writeOut(5), 0);
  assert.equal(p.checkWrite(), 3n);
  assert.equal(p.stdoutReady(), true);
  assert.equal(p.writeOut(3), 0);
  assert.equal(p.checkWrite(), -1n, "insufficient-space");
  assert.equal(p.stdoutReady(), true, "ready, so that a waiting guest sees the error");
  assert.equal(p.writeOut(1), 1);
  assert.equal(wasi.stdoutText(), "xxxxxxxx");
  const open = probes(new Wasi({ stdout: "ignore" }));
  assert.equal(open.checkWrite(), 1n << 20n);
  assert.equal(open.stdoutReady(), true);
});

for (const kind of FS_KINDS) {
  test(`file streams are ready and round-trip through a preopen on the ${kind} filesystem`, () => {
    const d = makePreopen(kind, {});
    try {
      const p = probes(new Wasi({ preopens: { "/d": d.preopen } }));
      assert.equal(p.fileRoundtrip(), 0, "the number of the step that went wrong");
      if (d.hostDir) assert.deepEqual(readdirSync(d.hostDir), []);
      if (d.memory) assert.deepEqual(d.memory.toTree(), {});
    } finally {
      d.cleanup();
    }
  });
}
