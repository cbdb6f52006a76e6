/**
 * The WASI-side attacks of issue 8, measured: each runs in its own Node process (so a crash or a hang
 * is seen, not suffered) with a wall-clock cap, and prints what the host went through — seconds, host
 * heap and buffer growth, what the guest got back. Run it on two builds to compare before and after:
 *
 *   node dist/bench/attacks.js            # every attack, one line each
 *   node dist/bench/attacks.js NAME       # one attack, in this process (what the parent runs)
 *
 * The guest is test/helpers/hostile-wasi.ts. Only options and APIs that predate the limits are used,
 * so that the same file builds and runs on the code before them.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, Linker, Module, Store, type EngineConfig } from "../src/index.js";
import { MemoryFs, Wasi, seededRandom, type WasiOptions } from "../src/wasi/index.js";
import { NodeFs } from "../src/host/node-fs.js";
import { COUNT, NBYTES, OP, TEXT, hostileWasi } from "../test/helpers/hostile-wasi.js";

const MiB = 1 << 20;
const self = fileURLToPath(import.meta.url);
const cli = join(self, "..", "..", "src", "cli", "bin.js");

function guest(options: WasiOptions, config: EngineConfig = { timeLimits: true }) {
  const engine = new Engine(config);
  const store = new Store(engine);
  const linker = new Linker(engine);
  const wasi = new Wasi(options);
  linker.defineWasi(wasi);
  const instance = linker.instantiate(store, new Module(engine, hostileWasi()));
  wasi.initialize(instance);
  const memory = instance.getMemory("memory")!;
  return {
    store, wasi, memory,
    call: (name: string, ...args: (number | bigint)[]): number => instance.getFunc(name)!.call(...args) as number,
    u32: (addr: number) => new DataView(memory.native.buffer).getUint32(addr, true),
    put(addr: number, text: string): number {
      const b = new TextEncoder().encode(text);
      new Uint8Array(memory.native.buffer).set(b, addr);
      return b.length;
    },
  };
}

const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
/** Runs `f`, returning its outcome (result or error) and seconds taken. */
function timed(f: () => unknown): string {
  const t0 = performance.now();
  let out: string;
  try {
    out = `returned ${String(f())}`;
  } catch (e) {
    out = `threw ${(e as Error).name}: ${(e as Error).message.split("\n")[0]}`;
  }
  return `${out} after ${((performance.now() - t0) / 1000).toFixed(2)} s`;
}
function heapAfter(f: () => string): string {
  const h0 = process.memoryUsage();
  const r = f();
  const h1 = process.memoryUsage();
  return `${r}; heap +${mb(h1.heapUsed - h0.heapUsed)}, buffers +${mb(h1.arrayBuffers - h0.arrayBuffers)}`;
}

const attacks: Record<string, () => string | Promise<string>> = {
  "memfs symlink 256 MiB targets x32": () => {
    const fs = new MemoryFs({}, { maxSize: MiB });
    const g = guest({ preopens: { "/": { fs } } });
    g.memory.grow(4200);
    new Uint8Array(g.memory.native.buffer).fill(0x61, TEXT, TEXT + 256 * MiB);
    return heapAfter(() => `${timed(() => g.call("many", OP.symlink, 3, 32, 256 * MiB))}, ${g.u32(COUNT)} made, fs.size ${fs.size}`);
  },
  ...Object.fromEntries(
    (["mkdir", "createFile", "link", "symlink"] as const).map((op) => [
      `memfs 100k ${op} in 1 MiB`,
      () => {
        const fs = new MemoryFs({ target: "" }, { maxSize: MiB });
        const g = guest({ preopens: { "/": { fs } } });
        const tlen = g.put(TEXT, op === "symlink" ? "x".repeat(4000) : "target");
        return heapAfter(() => `${timed(() => g.call("many", OP[op], 3, 100_000, tlen))}, ${g.u32(COUNT)} made, fs.size ${fs.size}`);
      },
    ]),
  ),
  "memfs open one file 100k times": () => {
    const g = guest({ preopens: { "/": { memory: { f: "x" } } } });
    const len = g.put(TEXT, "f");
    return heapAfter(() => `${timed(() => g.call("many", OP.open, 3, 100_000, len))}, ${g.u32(COUNT)} open`);
  },
  "host dir open one file 100k times": () => {
    const dir = mkdtempSync(join(tmpdir(), "attack-"));
    writeFileSync(join(dir, "f"), "x");
    const g = guest({ preopens: { "/": { fs: new NodeFs(dir) } } });
    const len = g.put(TEXT, "f");
    const r = timed(() => g.call("many", OP.open, 3, 100_000, len));
    let host: string;
    try {
      closeSync(openSync(join(dir, "f"), "r"));
      host = "host openSync works";
    } catch (e) {
      host = `host openSync fails: ${(e as { code?: string }).code}`;
    }
    g.wasi.close();
    rmSync(dir, { recursive: true });
    return `${r}, ${g.u32(COUNT)} open; ${host}`;
  },
  "pipe stdout: fd_write 100k iovecs x 1 MiB": () => {
    const g = guest({ stdout: "pipe" });
    return heapAfter(() => `${timed(() => g.call("write_many", 1, 100_000, MiB))}, nwritten ${g.u32(NBYTES)}, captured ${mb(g.wasi.stdoutBytes().length)}`);
  },
  "ignored stdout: fd_write 100k x 1 MiB count": () => {
    const g = guest({ stdout: "ignore" });
    return `${timed(() => g.call("write_many", 1, 100_000, MiB))}, nwritten ${g.u32(NBYTES)} (asked ${100_000 * MiB})`;
  },
  "slow sink fd_write 100k x 1 MiB, setTimeLimit(100)": () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const g = guest({ stdout: () => void Atomics.wait(cell, 0, 0, 1) });
    g.store.setTimeLimit(100);
    return timed(() => g.call("write_many", 1, 100_000, MiB));
  },
  "random_get 1 GiB (seeded generator), setTimeLimit(100)": () => {
    const g = guest({ random: seededRandom(1) });
    g.memory.grow(16384 - 64);
    g.store.setTimeLimit(100);
    return timed(() => g.call("random", 0, 1 << 30));
  },
  "poll_oneoff 3 s, setTimeLimit(100)": () => {
    const g = guest({});
    g.store.setTimeLimit(100);
    return timed(() => g.call("sleep", 3_000_000_000n));
  },
  "poll_oneoff u64 max, setTimeLimit(100)": () => {
    const g = guest({});
    g.store.setTimeLimit(100);
    return timed(() => g.call("sleep", 0xffff_ffff_ffff_ffffn));
  },
  "CLI run --timeout 300, guest reads a silent open stdin": async () => {
    const dir = mkdtempSync(join(tmpdir(), "attack-"));
    const wasm = join(dir, "read.wat");
    writeFileSync(wasm, `(module (import "wasi_snapshot_preview1" "fd_read" (func $r (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 16))
        (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, "run", wasm, "--timeout", "300"], { stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const killer = setTimeout(() => child.kill(), 10_000);
    const code = await new Promise<number | null>((res) => child.on("exit", res));
    clearTimeout(killer);
    child.stdin.destroy();
    rmSync(dir, { recursive: true });
    return `exit ${code === null ? "none (killed at 10 s)" : code} after ${((performance.now() - t0) / 1000).toFixed(2)} s: ${err.split("\n")[0] || "no message"}`;
  },
  "5 concurrent instantiateAsync, limit 2": async () => {
    const engine = new Engine();
    const module = new Module(engine, hostileWasi());
    const store = new Store(engine, { limits: { instances: 2 } });
    const linker = new Linker(engine);
    linker.defineWasi(new Wasi({}));
    const r = await Promise.allSettled(Array.from({ length: 5 }, () => linker.instantiateAsync(store, module)));
    return `${r.filter((x) => x.status === "fulfilled").length} succeeded, store holds ${store.instances.length}`;
  },
  "host dir: plant symlink ../outside": () => {
    const parent = mkdtempSync(join(tmpdir(), "attack-"));
    mkdirSync(join(parent, "sandbox"));
    const g = guest({ preopens: { "/": { fs: new NodeFs(join(parent, "sandbox")) } } });
    const imports = g.wasi.getImports().wasi_snapshot_preview1!;
    const l1 = g.put(TEXT, "../outside");
    const l2 = g.put(0x400, "l");
    const e = imports.path_symlink!.fn(TEXT, l1, 3, 0x400, l2);
    let planted = "nothing planted";
    try {
      planted = `planted -> ${readlinkSync(join(parent, "sandbox", "l"))}`;
    } catch {
      /* none */
    }
    rmSync(parent, { recursive: true });
    return `errno ${e}, ${planted}`;
  },
  "host dir: set mtime ...123456789 ns, read back": () => {
    const dir = mkdtempSync(join(tmpdir(), "attack-"));
    writeFileSync(join(dir, "f"), "x");
    const g = guest({ preopens: { "/": { fs: new NodeFs(dir) } } });
    const imports = g.wasi.getImports().wasi_snapshot_preview1!;
    const len = g.put(0x400, "f");
    const set = imports.path_filestat_set_times!.fn(3, 0, 0x400, len, 0n, 1_700_000_000_123_456_789n, 4);
    imports.path_filestat_get!.fn(3, 0, 0x400, len, 0x800);
    const got = new DataView(g.memory.native.buffer).getBigUint64(0x800 + 48, true);
    rmSync(dir, { recursive: true });
    return `set errno ${set}, read back ${got}`;
  },
  "CLI --dir A::B::C": () => {
    const r = spawnSync(process.execPath, [cli, "run", "x.wasm", "--dir", "A::B::C"], { encoding: "utf8" });
    return `exit ${r.status}: ${r.stderr.split("\n")[0]}`;
  },
  "CLI wast --timeout 100 on a spinning assertion": () => {
    const dir = mkdtempSync(join(tmpdir(), "attack-"));
    const file = join(dir, "spin.wast");
    writeFileSync(file, `(module (func (export "spin") (loop $l (br $l))))\n(assert_return (invoke "spin"))\n`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, "wast", file, "--timeout", "100"], { encoding: "utf8", timeout: 10_000 });
    rmSync(dir, { recursive: true });
    return `exit ${r.status ?? "none (killed at 10 s)"} after ${((performance.now() - t0) / 1000).toFixed(2)} s: ${(r.stderr || r.stdout).split("\n")[0]}`;
  },
};

const only = process.argv[2];
if (only !== undefined) {
  const attack = attacks[only];
  if (!attack) throw new Error(`no attack ${JSON.stringify(only)}; known: ${Object.keys(attacks).join(", ")}`);
  console.log(await attack());
} else {
  for (const name of Object.keys(attacks)) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["--expose-gc", self, name], { encoding: "utf8", timeout: 60_000 });
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    const line =
      r.status === 0 ? r.stdout.trim()
      : r.error ? `killed after ${s} s (hung)`
      : `process died (status ${r.status}, signal ${r.signal}) after ${s} s: ${(r.stderr.match(/FATAL ERROR[^\n]*|RangeError[^\n]*|Error[^\n]*/) ?? [r.stderr.slice(-200)])[0]}`;
    console.log(`${name.padEnd(52)} ${line}`);
  }
}
