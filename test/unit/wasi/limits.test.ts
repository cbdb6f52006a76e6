/**
 * Hostile guests against the WASI side of the sandbox (test/helpers/hostile-wasi.ts): every limit hit
 * is an errno to the guest or an "interrupt" trap, never a hang, a crash or unbounded host memory, and
 * the guest can carry on afterwards.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { Engine, Linker, Module, Store, Trap, type EngineConfig } from "../../../src/index.js";
import { DEFAULT_PIPE_CAPACITY, MemoryFs, Wasi, seededRandom, type WasiOptions } from "../../../src/wasi/index.js";
import { ERRNO } from "../../../src/wasi/defs.js";
import { MAX_IO } from "../../../src/wasi/calls/fd.js";
import { MAX_DEPTH } from "../../../src/wasi/fs/resolve.js";
import { COUNT, NBYTES, OP, TEXT, hostileWasi } from "../../helpers/hostile-wasi.js";

const MiB = 1 << 20;

/** The hostile guest as a reactor in a fresh store. */
function guest(options: WasiOptions, config: EngineConfig = { timeLimits: true }) {
  const engine = new Engine(config);
  const store = new Store(engine);
  const linker = new Linker(engine);
  const wasi = new Wasi(options);
  linker.defineWasi(wasi);
  const instance = linker.instantiate(store, new Module(engine, hostileWasi()));
  wasi.initialize(instance);
  const memory = instance.getMemory("memory")!;
  const call = (name: string, ...args: (number | bigint)[]): number => instance.getFunc(name)!.call(...args) as number;
  return {
    engine, store, wasi, call,
    grow: (pages: number) => memory.native.grow(pages),
    u32: (addr: number) => new DataView(memory.native.buffer).getUint32(addr, true),
    put(addr: number, bytes: Uint8Array | string): number {
      const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
      new Uint8Array(memory.native.buffer).set(b, addr);
      return b.length;
    },
  };
}

/** Runs `f`, expecting an "interrupt" trap; returns the milliseconds it took. */
function interruptedAfter(f: () => unknown): number {
  const t0 = performance.now();
  assert.throws(f, (e: unknown) => e instanceof Trap && e.code === "interrupt");
  return performance.now() - t0;
}

test("poll_oneoff sleeps at most until the store's time limit, then traps interrupt; the guest carries on", () => {
  const g = guest({});
  g.store.setTimeLimit(100);
  for (const ns of [3_000_000_000n, 0xffff_ffff_ffff_ffffn]) {
    const ms = interruptedAfter(() => g.call("sleep", ns));
    assert.ok(ms >= 95 && ms < 1000, `interrupted after ${ms.toFixed(0)} ms`);
  }
  // A short sleep within the limit returns normally, and so does one after the limit is lifted.
  assert.equal(g.call("sleep", 1_000_000n), 0);
  g.store.setTimeLimit(undefined);
  assert.equal(g.call("sleep", 1_000_000n), 0);
});

test("poll_oneoff under an epoch deadline wakes when another thread reaches it", async () => {
  const g = guest({}, { epochInterruption: true });
  g.store.setEpochDeadline(1);
  g.store.setTimeLimit(30_000); // a safety net only
  const api = new URL("../../../src/index.js", import.meta.url).href;
  // The worker says when it has loaded the library (which takes seconds on a loaded machine), then
  // reaches the deadline 50 ms later, while this thread sleeps.
  const worker = new Worker(
    `const { workerData, parentPort } = require("node:worker_threads");
     import(${JSON.stringify(api)}).then(({ incrementEpochIn }) => {
       parentPort.postMessage("ready");
       setTimeout(() => incrementEpochIn(workerData), 50);
     });`,
    { eval: true, workerData: g.engine.epochBuffer },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
    });
    const ms = interruptedAfter(() => g.call("sleep", 120_000_000_000n));
    assert.ok(ms < 20_000, `interrupted after ${ms.toFixed(0)} ms, by the epoch, not the safety net`);
  } finally {
    await worker.terminate();
  }
  g.store.setEpochDeadline(1000);
  assert.equal(g.call("sleep", 1_000_000n), 0);
});

test("without a limit, a WASI sleep is whole", () => {
  const g = guest({});
  const t0 = performance.now();
  assert.equal(g.call("sleep", 30_000_000n), 0);
  assert.ok(performance.now() - t0 >= 29);
});

test("one fd_write of 100,000 iovecs of 1 MiB into a pipe holds at most the pipe's capacity, then ENOSPC", () => {
  const g = guest({ stdout: "pipe" });
  const before = process.memoryUsage().arrayBuffers;
  assert.equal(g.call("write_many", 1, 100_000, MiB), 0);
  assert.equal(g.u32(NBYTES), DEFAULT_PIPE_CAPACITY, "a short write of what fits");
  assert.equal(g.call("write_many", 1, 1, 1), ERRNO.NOSPC);
  assert.equal(g.wasi.stdoutBytes().length, DEFAULT_PIPE_CAPACITY);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 3 * DEFAULT_PIPE_CAPACITY, `host buffers grew by ${grown} bytes`);
  // A smaller capacity is an option.
  const small = guest({ stdout: "pipe", pipeCapacity: 1000 });
  assert.equal(small.call("write_many", 1, 3, 400), 0);
  assert.equal(small.u32(NBYTES), 1000);
  assert.equal(small.wasi.stdoutText().length, 1000);
});

test("fd_write and fd_read totals never wrap: one call moves at most MAX_IO bytes", () => {
  const g = guest({ stdout: "ignore" });
  // 100,000 MiB requested: before, the count wrapped mod 2^32.
  assert.equal(g.call("write_many", 1, 100_000, MiB), 0);
  assert.equal(g.u32(NBYTES), MAX_IO);
  assert.equal(g.call("write_many", 1, 4096, MiB), 0);
  assert.equal(g.u32(NBYTES), MAX_IO);
  const fs = new MemoryFs({ f: new Uint8Array(10) });
  const r = guest({ preopens: { "/": { fs } } });
  const len = r.put(TEXT, "f");
  assert.equal(r.call("many", OP.open, 3, 1, len), 0);
  const fd = r.u32(0x84);
  assert.equal(r.call("read_many", fd, 5000, MiB), 0);
  assert.equal(r.u32(NBYTES), 10);
});

test("a long fd_write into a slow sink stops at the store's deadline", () => {
  let chunks = 0;
  const g = guest({
    stdout: () => {
      chunks++;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    },
  });
  g.store.setTimeLimit(100);
  const ms = interruptedAfter(() => g.call("write_many", 1, 100_000, MiB));
  assert.ok(ms < 1000, `interrupted after ${ms.toFixed(0)} ms (${chunks} chunks)`);
  assert.ok(chunks < 1000);
  g.store.setTimeLimit(undefined);
  assert.equal(g.call("write_many", 1, 1, 10), 0);
});

test("fd_read on stdin waits at most until the deadline when the callback honours waitMs", () => {
  const waits: number[] = [];
  const g = guest({
    stdin: (_max, waitMs) => {
      waits.push(waitMs);
      if (waitMs === Infinity) return "data";
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs);
      return null;
    },
  });
  g.store.setTimeLimit(100);
  const ms = interruptedAfter(() => g.call("read_many", 0, 1, 16));
  assert.ok(ms >= 95 && ms < 1000, `interrupted after ${ms.toFixed(0)} ms`);
  assert.ok(waits[0]! > 0 && waits[0]! <= 100);
  // Without a limit the callback is told it may block, and is read as before.
  g.store.setTimeLimit(undefined);
  assert.equal(g.call("read_many", 0, 1, 16), 0);
  assert.equal(g.u32(NBYTES), 4);
  // A callback that ends (null) before the deadline is the end of input, not a trap.
  const ended = guest({ stdin: () => null });
  ended.store.setTimeLimit(1000);
  assert.equal(ended.call("read_many", 0, 1, 16), 0);
  assert.equal(ended.u32(NBYTES), 0);
});

test("MemoryFs: 100k directories, files, hard links or symlinks hit ENOSPC within a 1 MiB budget", () => {
  for (const op of [OP.mkdir, OP.createFile, OP.link, OP.symlink]) {
    const fs = new MemoryFs({ target: "" }, { maxSize: MiB });
    const g = guest({ preopens: { "/": { fs } } });
    const tlen = g.put(TEXT, op === OP.symlink ? "x".repeat(4000) : "target");
    assert.equal(g.call("many", op, 3, 100_000, tlen), ERRNO.NOSPC, `op ${op}`);
    const made = g.u32(COUNT);
    assert.ok(made > 100 && made < 20_000, `op ${op}: ${made} made`);
    assert.ok(fs.size <= MiB && fs.size > MiB - 5000, `op ${op}: size ${fs.size}`);
    // The guest carries on: removing one entry makes room for one more.
    const imports = g.wasi.getImports().wasi_snapshot_preview1!;
    g.put(0x400, "00000000");
    assert.equal(imports[op === OP.mkdir ? "path_remove_directory" : "path_unlink_file"]!.fn(3, 0x400, 8), 0);
    assert.equal(g.call("many", op, 3, 1, tlen), 0);
  }
});

test("MemoryFs: removing entries gives their cost back; renames book the name difference", () => {
  const fs = new MemoryFs({}, { maxSize: 100_000 });
  const g = guest({ preopens: { "/": { fs } } });
  assert.equal(g.call("many", OP.mkdir, 3, 50, 0), 0);
  assert.equal(fs.size, 50 * (MemoryFs.NODE_COST + MemoryFs.ENTRY_COST + 8));
  const imports = g.wasi.getImports().wasi_snapshot_preview1!;
  g.put(0x400, "00000000");
  assert.equal(imports.path_remove_directory!.fn(3, 0x400, 8), 0);
  assert.equal(fs.size, 49 * (MemoryFs.NODE_COST + MemoryFs.ENTRY_COST + 8));
  g.put(0x500, "00000001x");
  assert.equal(imports.path_rename!.fn(3, 0x400, 8, 3, 0x500, 9), ERRNO.NOENT, "00000000 is gone");
  g.put(0x400, "00000001");
  assert.equal(imports.path_rename!.fn(3, 0x400, 8, 3, 0x500, 9), 0);
  assert.equal(fs.size, 49 * (MemoryFs.NODE_COST + MemoryFs.ENTRY_COST + 8) + 1);
});

test("MemoryFs: a 16 MiB symlink target and over-long names are ENAMETOOLONG, copied nowhere", () => {
  const fs = new MemoryFs({}, { maxSize: MiB });
  const g = guest({ preopens: { "/": { fs } } });
  g.grow(256);
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20; i++) assert.equal(g.call("many", OP.symlink, 3, 1, 16 * MiB), ERRNO.NAMETOOLONG);
  assert.ok(process.memoryUsage().heapUsed - heap0 < 16 * MiB, "the target was never decoded");
  assert.equal(fs.size, 0);
  // Just over the limits: a 4097-byte target, a 256-byte name.
  assert.equal(g.call("many", OP.symlink, 3, 1, 4097), ERRNO.NAMETOOLONG);
  const imports = g.wasi.getImports().wasi_snapshot_preview1!;
  g.put(0x400, "n".repeat(256));
  assert.equal(imports.path_create_directory!.fn(3, 0x400, 256), ERRNO.NAMETOOLONG);
  assert.equal(imports.path_create_directory!.fn(3, 0x400, 255), 0);
  assert.equal(imports.path_open!.fn(3, 0, TEXT, 5000, 0, 2n, 0n, 0, 0x84), ERRNO.NAMETOOLONG);
});

test("descriptors are capped per Wasi (EMFILE), allocated without a scan, and the guest carries on", () => {
  const fs = new MemoryFs({ f: "x" });
  const g = guest({ preopens: { "/": { fs } } });
  const len = g.put(TEXT, "f");
  assert.equal(g.call("many", OP.open, 3, 100_000, len), ERRNO.MFILE);
  assert.equal(g.u32(COUNT), 1024 - 4, "1024 minus stdio and the preopen");
  const imports = g.wasi.getImports().wasi_snapshot_preview1!;
  const last = g.u32(0x84);
  assert.equal(imports.fd_close!.fn(last), 0);
  assert.equal(g.call("many", OP.open, 3, 1, len), 0);
  assert.equal(g.u32(0x84), last, "the freed number is reused");
  const small = guest({ maxOpenFiles: 10, preopens: { "/": { fs } } });
  small.put(TEXT, "f");
  assert.equal(small.call("many", OP.open, 3, 100, len), ERRNO.MFILE);
  assert.equal(small.u32(COUNT), 6);
  assert.throws(() => new Wasi({ maxOpenFiles: 3, preopens: { "/": { memory: {} } } }), /maxOpenFiles/);
});

test("a huge random_get with a slow generator stops at the store's deadline", () => {
  const g = guest({ random: seededRandom(1) });
  g.grow(4096); // 256 MiB + 4 MiB
  g.store.setTimeLimit(100);
  const ms = interruptedAfter(() => g.call("random", 0, 256 * MiB));
  assert.ok(ms < 1000, `interrupted after ${ms.toFixed(0)} ms`);
  g.store.setTimeLimit(undefined);
  assert.equal(g.call("random", 0, 64), 0);
});

test("a walk holds at most MAX_DEPTH directories (ENAMETOOLONG), however deep the tree", () => {
  const fs = new MemoryFs({});
  const g = guest({ preopens: { "/": { fs } } });
  const imports = g.wasi.getImports().wasi_snapshot_preview1!;
  for (let depth = 1; depth <= MAX_DEPTH + 2; depth++) {
    const len = g.put(TEXT, Array(depth).fill("a").join("/"));
    assert.equal(imports.path_create_directory!.fn(3, TEXT, len), depth <= MAX_DEPTH + 1 ? 0 : ERRNO.NAMETOOLONG, `depth ${depth}`);
  }
  const deep = g.put(TEXT, `${Array(MAX_DEPTH + 1).fill("a").join("/")}/x`);
  assert.equal(imports.path_filestat_get!.fn(3, 0, TEXT, deep, 0x800), ERRNO.NAMETOOLONG);
  const ok = g.put(TEXT, Array(MAX_DEPTH).fill("a").join("/"));
  assert.equal(imports.path_filestat_get!.fn(3, 0, TEXT, ok, 0x800), 0);
});
