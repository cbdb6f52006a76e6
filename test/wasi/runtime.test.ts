/**
 * WASI through wasmhost's own runtime: `linker.defineWasi(wasi)`, `wasi.start(instance)`, traps as
 * `Trap`, and a `wasi_unstable` (preview0) module written in the text format.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, Linker, Module, Store, Trap } from "../../src/index.js";
import { watToBinary } from "../../src/text/index.js";
import { MemoryFs, Wasi, WasiError } from "../../src/wasi/index.js";
import { fixtureDir, reportLines } from "./helpers.js";

const engine = new Engine();
function load(name: string): Module {
  return new Module(engine, readFileSync(join(fixtureDir, `${name}.wasm`)));
}
function instantiate(wasi: Wasi, module: Module) {
  const linker = new Linker(engine);
  linker.defineWasi(wasi);
  return linker.instantiate(new Store(engine), module);
}

test("a C program runs through linker.defineWasi and wasi.start with its exit code", () => {
  const wasi = new Wasi({ args: ["files", "/sandbox"], stdout: "pipe", preopens: { "/sandbox": { memory: {} } } });
  const code = wasi.start(instantiate(wasi, load("files")));
  assert.deepEqual(reportLines(wasi.stdoutText()).slice(-1), ["failures 0"], wasi.stdoutText());
  assert.equal(code, 0);
  const wasi2 = new Wasi({ args: ["exit_code", "exit", "42"], stdout: "pipe" });
  assert.equal(wasi2.start(instantiate(wasi2, load("exit_code"))), 42);
  assert.equal(wasi2.stdoutText(), "before exit 42");
});

test("a trap in a WASI program reaches the caller of start as a Trap", () => {
  const wasi = new Wasi({ args: ["exit_code", "trap"], stdout: "pipe" });
  const instance = instantiate(wasi, load("exit_code"));
  assert.throws(() => wasi.start(instance), (e: unknown) => e instanceof Trap && e.code === "unreachable");
  assert.equal(wasi.stdoutText(), "before trap 0");
});

test("start refuses a module without _start or memory, and a second start", () => {
  const reactor = new Module(engine, watToBinary(`(module (memory (export "memory") 1) (func (export "_initialize")))`));
  const w1 = new Wasi();
  assert.throws(() => w1.start(instantiate(w1, reactor)), (e: unknown) => e instanceof WasiError && /_start/.test(e.message));
  const noMemory = new Module(engine, watToBinary(`(module (func (export "_start")))`));
  const w2 = new Wasi();
  assert.throws(() => w2.start(instantiate(w2, noMemory)), (e: unknown) => e instanceof WasiError && /memory/.test(e.message));
  const ok = new Module(engine, watToBinary(`(module (memory (export "memory") 1) (func (export "_start")))`));
  const w3 = new Wasi();
  const inst = instantiate(w3, ok);
  assert.equal(w3.start(inst), 0);
  assert.throws(() => w3.start(inst), WasiError);
});

test("initialize runs a reactor's _initialize and refuses a command", () => {
  const reactor = new Module(engine, watToBinary(`(module
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $ready (mut i32) (i32.const 0))
    (func (export "_initialize") (global.set $ready (i32.const 1)))
    (func (export "argc") (result i32) (drop (call $sizes (i32.const 0) (i32.const 4))) (i32.mul (global.get $ready) (i32.load (i32.const 0)))))`));
  const wasi = new Wasi({ args: ["a", "b", "c"] });
  const inst = instantiate(wasi, reactor);
  wasi.initialize(inst);
  assert.equal(inst.getTypedFunc("argc", [], ["i32"])(), 3);
  const command = new Module(engine, watToBinary(`(module (memory (export "memory") 1) (func (export "_start")))`));
  const w2 = new Wasi();
  assert.throws(() => w2.initialize(instantiate(w2, command)), WasiError);
});

// A wasi_unstable module: preview0's whence order (cur=0, end=1, set=2), its 56-byte filestat with a
// u32 nlink, and its 56-byte clock subscription with the extra `identifier` field.
const PREVIEW0 = `(module
  (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f.txt")
  (data (i32.const 16) "hello")
  (data (i32.const 32) "\\10\\00\\00\\00\\05\\00\\00\\00") ;; iovec {16, 5}
  (func (export "open") (result i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 1)
      (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 100)))
  (func (export "write") (result i32) (call $write (i32.load (i32.const 100)) (i32.const 32) (i32.const 1) (i32.const 104)))
  (func (export "seek") (param i64 i32) (result i64)
    (if (call $seek (i32.load (i32.const 100)) (local.get 0) (local.get 1) (i32.const 112)) (then (return (i64.const -1))))
    (i64.load (i32.const 112)))
  (func (export "fstat") (result i32) (call $fstat (i32.load (i32.const 100)) (i32.const 128)))
  (func (export "sleep") (param i64) (result i32)
    (i64.store (i32.const 200) (i64.const 42))       ;; userdata
    (i32.store8 (i32.const 208) (i32.const 0))       ;; tag: clock
    (i64.store (i32.const 216) (i64.const 7))        ;; identifier (preview0 only)
    (i32.store (i32.const 224) (i32.const 1))        ;; clock id: monotonic
    (i64.store (i32.const 232) (local.get 0))        ;; timeout
    (i64.store (i32.const 240) (i64.const 0))        ;; precision
    (i32.store16 (i32.const 248) (i32.const 0))      ;; flags: relative
    (call $poll (i32.const 200) (i32.const 300) (i32.const 1) (i32.const 400)))
  (func (export "_start") (call $exit (i32.const 9))))`;

test("a wasi_unstable module gets preview0's whence, filestat and subscription layouts", () => {
  const module = new Module(engine, watToBinary(PREVIEW0));
  const fs = new MemoryFs();
  const wasi = new Wasi({ preopens: { "/": { fs } } });
  const inst = instantiate(wasi, module);
  // A command whose exports we call ourselves: bind its memory without starting it.
  wasi.setMemory(inst.getMemory("memory")!);
  assert.equal(inst.getTypedFunc("open", [], ["i32"])(), 0);
  assert.equal(inst.getTypedFunc("write", [], ["i32"])(), 0);
  const seek = inst.getTypedFunc("seek", ["i64", "i32"], ["i64"]);
  assert.equal(seek(1n, 2), 1n, "whence 2 is SET in preview0");
  assert.equal(seek(1n, 0), 2n, "whence 0 is CUR in preview0");
  assert.equal(seek(-1n, 1), 4n, "whence 1 is END in preview0");
  assert.equal(inst.getTypedFunc("fstat", [], ["i32"])(), 0);
  const mem = inst.getMemory("memory")!;
  const st = new DataView(mem.buffer, 128, 56);
  assert.equal(st.getUint8(16), 4, "filetype at 16");
  assert.equal(st.getUint32(20, true), 1, "nlink is a u32 at 20");
  assert.equal(st.getBigUint64(24, true), 5n, "size at 24");
  assert.ok(st.getBigUint64(40, true) > 0n, "mtim at 40");
  assert.equal(fs.readText("f.txt"), "hello");
  const t0 = performance.now();
  assert.equal(inst.getTypedFunc("sleep", ["i64"], ["i32"])(20_000_000n), 0);
  assert.ok(performance.now() - t0 >= 19, "slept for the timeout read at preview0's offset");
  const ev = new DataView(mem.buffer, 300, 32);
  assert.equal(new DataView(mem.buffer).getUint32(400, true), 1);
  assert.equal(ev.getBigUint64(0, true), 42n);
  assert.equal(ev.getUint16(8, true), 0);
  assert.equal(ev.getUint8(10), 0);
  const runner = new Wasi();
  assert.equal(runner.start(instantiate(runner, module)), 9, "proc_exit from wasi_unstable");
});

test("clocks, sleeps and polls work through the linker too (clock_time_get is a wasm adapter there)", () => {
  const wasi = new Wasi({ args: ["clocks"], stdin: "hello", stdout: "pipe" });
  const code = wasi.start(instantiate(wasi, load("clocks")));
  assert.deepEqual(reportLines(wasi.stdoutText()), ["ok clocks", "ok sleep", "ok poll", "ok random", "ok sockets", "ok proc_raise", "failures 0"]);
  assert.equal(code, 0);
});
