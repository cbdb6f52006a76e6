/**
 * WASI calls checked byte by byte on a bare memory: sizes in UTF-8, readdir cookies and truncation,
 * readlink truncation, fdstat flags, errno values, bad pointers, NUL bytes, layouts of both previews,
 * determinism, and a poll_oneoff that sleeps without spinning.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ERRNO, FILETYPE, MemoryFs, errnoName, fixedClock, seededRandom, symlink } from "../../../src/wasi/index.js";
import { bare } from "./harness.js";

test("errno values match the preview1 table", () => {
  assert.equal(ERRNO.SUCCESS, 0);
  assert.equal(ERRNO.TOOBIG, 1);
  assert.equal(ERRNO.BADF, 8);
  assert.equal(ERRNO.EXIST, 20);
  assert.equal(ERRNO.FAULT, 21);
  assert.equal(ERRNO.INVAL, 28);
  assert.equal(ERRNO.NOENT, 44);
  assert.equal(ERRNO.NOTDIR, 54);
  assert.equal(ERRNO.NOTSOCK, 57);
  assert.equal(ERRNO.ROFS, 69);
  assert.equal(ERRNO.SPIPE, 70);
  assert.equal(ERRNO.NOTCAPABLE, 76);
  assert.equal(errnoName(76), "notcapable");
  assert.equal(errnoName(1), "2big");
});

test("args and environ sizes count UTF-8 bytes and args_get writes them NUL-terminated", () => {
  const b = bare({ args: ["é", "日本"], env: { K: "ü" } });
  assert.equal(b.call("args_sizes_get", 0, 4), 0);
  assert.equal(b.dv().getUint32(0, true), 2);
  assert.equal(b.dv().getUint32(4, true), 3 + 7);
  assert.equal(b.call("args_get", 100, 200), 0);
  assert.equal(b.dv().getUint32(100, true), 200);
  assert.equal(b.dv().getUint32(104, true), 203);
  assert.deepEqual([...b.u8().subarray(200, 210)], [0xc3, 0xa9, 0, 0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac, 0]);
  assert.equal(b.call("environ_sizes_get", 0, 4), 0);
  assert.equal(b.dv().getUint32(4, true), 5);
  assert.equal(b.call("environ_get", 100, 300), 0);
  assert.equal(b.get(300, 4), "K=ü");
});

test("a pointer or length outside memory is EFAULT, never an exception", () => {
  const b = bare({ args: ["x"], stdout: "pipe" });
  const end = 65536;
  assert.equal(b.call("args_sizes_get", end - 2, 0), ERRNO.FAULT);
  assert.equal(b.call("args_get", -4, 0), ERRNO.FAULT);
  assert.equal(b.call("clock_time_get", 0, 0n, end - 4), ERRNO.FAULT);
  assert.equal(b.call("random_get", end - 10, 11), ERRNO.FAULT);
  b.dv().setUint32(0, end - 1, true);
  b.dv().setUint32(4, 2, true);
  assert.equal(b.call("fd_write", 1, 0, 1, 8), ERRNO.FAULT);
  assert.equal(b.call("fd_write", 1, 0, 0x7fffffff, 8), ERRNO.FAULT);
  assert.equal(b.call("fd_read", 0, 0, 1, 8), ERRNO.FAULT);
  assert.equal(b.call("fd_fdstat_get", 1, end - 8), ERRNO.FAULT);
  assert.equal(b.call("fd_filestat_get", 1, end - 8), ERRNO.FAULT);
  assert.equal(b.call("poll_oneoff", 0, end - 8, 1, 0), ERRNO.FAULT);
  assert.equal(b.wasi.stdoutText(), "", "nothing was written by the failed calls");
});

test("a path with a NUL byte is EINVAL and invalid UTF-8 is EILSEQ", () => {
  const b = bare({ preopens: { "/": { memory: { "a.txt": "x" } } } });
  assert.deepEqual(b.open(3, "a.txt\0/../..")[0], ERRNO.INVAL);
  const len = b.put(1000, new Uint8Array([0x61, 0xff]));
  assert.equal(b.call("path_open", 3, 1, 1000, len, 0, 1n, 0n, 0, 2000), ERRNO.ILSEQ);
});

test("fd_readdir lists . and .., keeps cookies valid across calls, and truncates the last entry", () => {
  const b = bare({ preopens: { "/": { memory: { a: "1", bb: "22", ccc: { x: "" } } } } });
  // One call with a big buffer: every entry.
  assert.equal(b.call("fd_readdir", 3, 4096, 4096, 0n, 0), 0);
  const used = b.dv().getUint32(0, true);
  const names: string[] = [];
  const cookies: bigint[] = [];
  for (let at = 4096; at < 4096 + used; ) {
    const next = b.dv().getBigUint64(at, true);
    const len = b.dv().getUint32(at + 16, true);
    const type = b.dv().getUint8(at + 20);
    names.push(`${b.get(at + 24, len)}:${type}`);
    cookies.push(next);
    at += 24 + len;
  }
  assert.deepEqual(names, [`.:${FILETYPE.DIRECTORY}`, `..:${FILETYPE.DIRECTORY}`, `a:${FILETYPE.REGULAR_FILE}`, `bb:${FILETYPE.REGULAR_FILE}`, `ccc:${FILETYPE.DIRECTORY}`]);
  assert.deepEqual(cookies, [1n, 2n, 3n, 4n, 5n]);
  // Resuming from cookie 3 gives bb then ccc, even after the directory changed meanwhile.
  b.open(3, "new", 1);
  assert.equal(b.call("fd_readdir", 3, 4096, 4096, 3n, 0), 0);
  assert.equal(b.get(4096 + 24, 2), "bb");
  assert.equal(b.dv().getUint32(0, true), 24 + 2 + 24 + 3);
  // A buffer too small for the next entry is filled completely (bufused == buf_len).
  assert.equal(b.call("fd_readdir", 3, 4096, 30, 0n, 0), 0);
  assert.equal(b.dv().getUint32(0, true), 30);
  // A cookie past the end gives nothing.
  assert.equal(b.call("fd_readdir", 3, 4096, 4096, 99n, 0), 0);
  assert.equal(b.dv().getUint32(0, true), 0);
  // Cookie 0 takes a fresh listing that includes the new file.
  assert.equal(b.call("fd_readdir", 3, 4096, 4096, 0n, 0), 0);
  assert.ok(b.dv().getUint32(0, true) > used);
});

test("path_readlink into a short buffer truncates and reports the bytes written", () => {
  const b = bare({ preopens: { "/": { memory: { l: symlink("a-long-target") } } } });
  const len = b.put(1000, "l");
  assert.equal(b.call("path_readlink", 3, 1000, len, 3000, 4, 0), 0);
  assert.equal(b.dv().getUint32(0, true), 4);
  assert.equal(b.get(3000, 4), "a-lo");
  assert.equal(b.call("path_readlink", 3, 1000, len, 3000, 100, 0), 0);
  assert.equal(b.get(3000, b.dv().getUint32(0, true)), "a-long-target");
});

test("fd_fdstat_get reports the flags a file was opened with, and stdio is not a terminal", () => {
  const b = bare({ stdout: "pipe", preopens: { "/": { memory: { f: "x" } } } });
  const [e, fd] = b.open(3, "f", 0, 0x1fffffffn, 1 /* append */);
  assert.equal(e, 0);
  assert.equal(b.call("fd_fdstat_get", fd, 0), 0);
  assert.equal(b.u8()[0], FILETYPE.REGULAR_FILE);
  assert.equal(b.dv().getUint16(2, true), 1);
  assert.equal(b.call("fd_fdstat_get", 1, 0), 0);
  assert.equal(b.u8()[0], FILETYPE.UNKNOWN, "a pipe is not a character device");
  assert.equal(b.dv().getUint32(8, true) & (1 << 2), 0, "no seek right on a stream");
  assert.equal(b.call("fd_fdstat_get", 3, 0), 0);
  assert.equal(b.u8()[0], FILETYPE.DIRECTORY);
});

test("filestat layouts: preview1 has a u64 nlink at 24 and size at 32, preview0 a u32 nlink at 20 and size at 24", () => {
  const b = bare({ preopens: { "/": { memory: { f: "hello" } } } });
  const len = b.put(1000, "f");
  assert.equal(b.call("path_filestat_get", 3, 0, 1000, len, 0), 0);
  assert.equal(b.u8()[16], FILETYPE.REGULAR_FILE);
  assert.equal(b.dv().getBigUint64(24, true), 1n);
  assert.equal(b.dv().getBigUint64(32, true), 5n);
  b.u8().fill(0xee, 100, 200);
  assert.equal(b.call0("path_filestat_get", 3, 0, 1000, len, 100), 0);
  assert.equal(b.u8()[116], FILETYPE.REGULAR_FILE);
  assert.equal(b.dv().getUint32(120, true), 1);
  assert.equal(b.dv().getBigUint64(124, true), 5n);
  assert.equal(b.u8()[156], 0xee, "preview0 writes 56 bytes, not 64");
});

test("timestamps keep nanoseconds on the in-memory filesystem", () => {
  const b = bare({ preopens: { "/": { memory: { f: "x" } } } });
  const len = b.put(1000, "f");
  assert.equal(b.call("path_filestat_set_times", 3, 0, 1000, len, 1_000_000_000_123_456_789n, 2_000_000_000_987_654_321n, 1 | 4), 0);
  assert.equal(b.call("path_filestat_get", 3, 0, 1000, len, 0), 0);
  assert.equal(b.dv().getBigUint64(40, true), 1_000_000_000_123_456_789n);
  assert.equal(b.dv().getBigUint64(48, true), 2_000_000_000_987_654_321n);
});

test("a fixed clock and a seeded random generator make runs reproducible", () => {
  const run = () => {
    const b = bare({ clock: fixedClock(1_700_000_000_000_000_000n, 10n), random: seededRandom(7) });
    b.call("clock_time_get", 0, 0n, 0);
    b.call("clock_time_get", 1, 0n, 8);
    b.call("random_get", 16, 16);
    return [...b.u8().subarray(0, 32)];
  };
  const a = run();
  assert.deepEqual(a, run());
  const dv = new DataView(new Uint8Array(a).buffer);
  assert.equal(dv.getBigUint64(0, true), 1_700_000_000_000_000_000n);
  assert.equal(dv.getBigUint64(8, true), 1_700_000_000_000_000_010n);
  assert.notDeepEqual(a.slice(16), new Array(16).fill(0));
});

test("the host realtime clock is written exactly, without losing nanoseconds to a double", () => {
  const b = bare();
  const before = BigInt(Date.now()) * 1_000_000n;
  assert.equal(b.call("clock_time_get", 0, 0n, 0), 0);
  const t = b.dv().getBigUint64(0, true);
  // Near, not equal: the machine's wall clock may step by a few ms before realtime follows it.
  assert.ok(t >= before - 20_000_000n && t < before + 1_000_000_000n, `${t} near ${before}`);
  assert.equal(b.call("clock_time_get", 9, 0n, 0), ERRNO.INVAL);
});

test("poll_oneoff sleeps without burning a core, and a virtual clock's sleep replaces waiting", () => {
  const b = bare();
  const dv = b.dv();
  dv.setBigUint64(0, 5n, true); // userdata
  dv.setUint8(8, 0); // clock
  dv.setUint32(16, 1, true); // monotonic
  dv.setBigUint64(24, 300_000_000n, true); // 300 ms
  dv.setUint16(40, 0, true);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  assert.equal(b.call("poll_oneoff", 0, 100, 1, 200), 0);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  assert.ok(wall >= 295, `slept ${wall} ms`);
  assert.ok((cpu.user + cpu.system) / 1000 < 100, `used ${(cpu.user + cpu.system) / 1000} ms of CPU while sleeping`);
  assert.equal(b.dv().getUint32(200, true), 1);
  assert.equal(b.dv().getBigUint64(100, true), 5n);
  // A virtual clock: no real waiting, the clock advances instead.
  const clock = fixedClock(0n);
  const v = bare({ clock });
  v.u8().set(b.u8().subarray(0, 48), 0);
  v.dv().setBigUint64(24, 3_600_000_000_000n, true); // an hour
  const t1 = performance.now();
  assert.equal(v.call("poll_oneoff", 0, 100, 1, 200), 0);
  assert.ok(performance.now() - t1 < 1000);
  assert.equal(clock.now(1), 3_600_000_000_000n);
});

test("stdout pipe capture keeps every byte in order across many writes", () => {
  const b = bare({ stdout: "pipe", stderr: "pipe" });
  let expected = "";
  for (let i = 0; i < 2000; i++) {
    const text = `line ${i}\n`;
    const len = b.put(64, text);
    b.dv().setUint32(0, 64, true);
    b.dv().setUint32(4, len, true);
    assert.equal(b.call("fd_write", i % 7 === 0 ? 2 : 1, 0, 1, 8), 0);
    if (i % 7 !== 0) expected += text;
  }
  assert.equal(b.wasi.stdoutText(), expected);
  assert.equal(b.wasi.stderrText().split("\n").length - 1, 286);
});

test("a callback gets one chunk per fd_write of a few small iovecs, and separate chunks past 64 KiB", () => {
  const chunks: Uint8Array[] = [];
  const b = bare({ stdout: (bytes) => chunks.push(bytes) }, 4);
  const dv = b.dv();
  // libc's stdout writes its buffer and the new data as two iovecs; an empty one in between.
  const a = b.put(100, "buffered ");
  const c = b.put(200, "rest\n");
  dv.setUint32(0, 100, true);
  dv.setUint32(4, a, true);
  dv.setUint32(8, 300, true);
  dv.setUint32(12, 0, true);
  dv.setUint32(16, 200, true);
  dv.setUint32(20, c, true);
  assert.equal(b.call("fd_write", 1, 0, 3, 40), 0);
  assert.equal(dv.getUint32(40, true), a + c);
  assert.equal(chunks.length, 1);
  assert.equal(new TextDecoder().decode(chunks[0]), "buffered rest\n");
  // The chunk is the sink's own copy: later guest writes to memory leave it alone.
  b.put(100, "XXXXXXXX");
  assert.equal(new TextDecoder().decode(chunks[0]), "buffered rest\n");
  assert.equal(chunks[0]!.buffer.byteLength, a + c);
  // Only empty iovecs: nothing reaches the sink.
  dv.setUint32(4, 0, true);
  dv.setUint32(20, 0, true);
  assert.equal(b.call("fd_write", 1, 0, 3, 40), 0);
  assert.equal(dv.getUint32(40, true), 0);
  assert.equal(chunks.length, 1);
  // Two iovecs of 40 000 bytes (more than 64 KiB together) go one by one.
  b.u8().fill(0x61, 1000, 81000);
  dv.setUint32(0, 1000, true);
  dv.setUint32(4, 40000, true);
  dv.setUint32(8, 41000, true);
  dv.setUint32(12, 40000, true);
  assert.equal(b.call("fd_write", 1, 0, 2, 40), 0);
  assert.equal(dv.getUint32(40, true), 80000);
  assert.deepEqual(chunks.slice(1).map((x) => x.length), [40000, 40000]);
});

test("the memory grows under a running call sequence and views follow it", () => {
  const b = bare({ stdout: "pipe" }, 1);
  b.memory.grow(1);
  const len = b.put(70000, "after grow\n");
  b.dv().setUint32(69000, 70000, true);
  b.dv().setUint32(69004, len, true);
  assert.equal(b.call("fd_write", 1, 69000, 1, 69008), 0);
  assert.equal(b.wasi.stdoutText(), "after grow\n");
});

test("sock calls answer ENOTSOCK for files and EBADF for no descriptor; preview0 has no sock_accept", () => {
  const b = bare();
  assert.equal(b.call("sock_shutdown", 1, 3), ERRNO.NOTSOCK);
  assert.equal(b.call("sock_recv", 99, 0, 0, 0, 0, 0), ERRNO.BADF);
  assert.equal(b.call("sock_accept", 0, 0, 0), ERRNO.NOTSOCK);
  assert.equal(b.wasi.getImports().wasi_unstable!.sock_accept, undefined);
});

test("every preview1 function is defined in both namespaces with its wasm type", () => {
  const imports = bare().wasi.getImports();
  const p1 = imports.wasi_snapshot_preview1!;
  assert.equal(Object.keys(p1).length, 46);
  assert.deepEqual(p1.fd_seek!.type, { params: ["i32", "i64", "i32", "i32"], results: ["i32"] });
  assert.deepEqual(p1.proc_exit!.type, { params: ["i32"], results: [] });
  assert.deepEqual(p1.path_open!.type.params, ["i32", "i32", "i32", "i32", "i32", "i64", "i64", "i32", "i32"]);
  assert.equal(Object.keys(imports.wasi_unstable!).length, 45);
});

test("MemoryFs builds from a plain object, rejects bad names and reports what the guest left", () => {
  const fs = new MemoryFs({ "a.txt": "hi", d: { "b.bin": new Uint8Array([1, 2]) }, l: symlink("a.txt") });
  assert.equal(fs.readText("a.txt"), "hi");
  assert.deepEqual(fs.readFile("d/b.bin"), new Uint8Array([1, 2]));
  assert.equal(fs.exists("l"), true);
  assert.throws(() => new MemoryFs({ "a/b": "x" }), /invalid file name/);
  assert.throws(() => new MemoryFs({ "..": "x" }), /invalid file name/);
  const b = bare({ preopens: { "/": { fs } } });
  const [e, fd] = b.open(3, "new.txt", 1);
  assert.equal(e, 0);
  const len = b.put(500, "written");
  b.dv().setUint32(0, 500, true);
  b.dv().setUint32(4, len, true);
  assert.equal(b.call("fd_write", fd, 0, 1, 8), 0);
  assert.equal(fs.readText("new.txt"), "written");
  assert.deepEqual(Object.keys(fs.toTree()).sort(), ["a.txt", "d", "l", "new.txt"]);
});

test("a read-only in-memory mount refuses every write with EROFS and reads fine", () => {
  const b = bare({ preopens: { "/": { memory: { f: "data", d: {} }, readOnly: true } } });
  assert.equal(b.open(3, "f", 0, 2n /* read */)[0], 0);
  assert.equal(b.open(3, "f", 0, 2n | 64n /* read+write */)[0], ERRNO.ROFS);
  assert.equal(b.open(3, "g", 1)[0], ERRNO.ROFS);
  assert.equal(b.open(3, "f", 8 /* trunc */, 2n)[0], ERRNO.ROFS);
  const len = b.put(1000, "d");
  assert.equal(b.call("path_remove_directory", 3, 1000, len), ERRNO.ROFS);
  assert.equal(b.call("path_create_directory", 3, 1000, b.put(1000, "e")), ERRNO.ROFS);
});

test("a filesystem that throws gives the guest EIO instead of unwinding it", () => {
  const broken = {
    readOnly: false,
    root() {
      const dir = new MemoryFs({ f: "x" }).root();
      return new Proxy(dir, {
        get(t, p, r) {
          if (p === "statAt" || p === "openFileAt") return () => { throw new Error("disk on fire"); };
          const v = Reflect.get(t, p, r);
          return typeof v === "function" ? v.bind(t) : v;
        },
      });
    },
  };
  const b = bare({ preopens: { "/": { fs: broken } } });
  assert.equal(b.open(3, "f")[0], ERRNO.IO);
  const len = b.put(1000, "f");
  assert.equal(b.call("path_filestat_get", 3, 0, 1000, len, 0), ERRNO.IO);
});

test("a write on a descriptor opened with O_SYNC syncs it", () => {
  let syncs = 0;
  const fs = new MemoryFs({ f: "" });
  const b = bare({ preopens: { "/": { fs } } });
  const [e, fd] = b.open(3, "f", 0, 0x1fffffffn, 16 /* sync */);
  assert.equal(e, 0);
  const entry = (b.wasi as unknown as { state: { fds: { file: { sync(d: boolean): number } }[] } }).state.fds[fd]!;
  const orig = entry.file.sync.bind(entry.file);
  entry.file.sync = (d: boolean) => {
    syncs++;
    assert.equal(d, false, "O_SYNC syncs metadata too");
    return orig(d);
  };
  const n = b.put(500, "abc");
  b.dv().setUint32(0, 500, true);
  b.dv().setUint32(4, n, true);
  assert.equal(b.call("fd_write", fd, 0, 1, 8), 0);
  assert.equal(syncs, 1);
  assert.equal(fs.readText("f"), "abc");
});

test("rights are enforced: a directory without path_open cannot open, and rights never grow back", () => {
  const b = bare({ preopens: { "/": { memory: { d: { f: "x" } } } } });
  const [e, d] = b.open(3, "d", 2, 1n << 14n /* fd_readdir only */);
  assert.equal(e, 0);
  assert.equal(b.open(d, "f", 0, 2n)[0], ERRNO.NOTCAPABLE);
  assert.equal(b.call("fd_fdstat_set_rights", d, 1n << 13n, 0n), ERRNO.NOTCAPABLE);
  assert.equal(b.call("fd_readdir", d, 4096, 100, 0n, 0), 0);
  // A file opened read-only has no write right, and fd_write says EBADF as POSIX does.
  const [e2, f] = b.open(3, "d/f", 0, 2n);
  assert.equal(e2, 0);
  b.dv().setUint32(0, 500, true);
  b.dv().setUint32(4, 1, true);
  assert.equal(b.call("fd_write", f, 0, 1, 8), ERRNO.BADF);
  assert.equal(b.call("fd_filestat_set_size", f, 0n), ERRNO.NOTCAPABLE);
  assert.equal(b.call("fd_close", f), 0);
  assert.equal(b.call("fd_close", f), ERRNO.BADF);
});

test("a { host } preopen without the Node filesystem loaded is explained, and bad options are WasiErrors", async () => {
  const { Wasi, WasiError } = await import("../../../src/wasi/index.js");
  assert.throws(() => new Wasi({ preopens: { "": { memory: {} } } }), WasiError);
  assert.throws(() => new Wasi({ env: { "A=B": "x" } }), WasiError);
  assert.throws(() => new Wasi({ args: ["a\0b"] }), WasiError);
  assert.throws(() => new Wasi({ stdout: "bogus" as "pipe" }), WasiError);
  // This test file never loads src/host/node-fs.ts (each test file runs in its own process).
  assert.throws(() => new Wasi({ preopens: { "/d": { host: "/tmp" } } }), (e: unknown) => e instanceof WasiError && /Node host filesystem/.test(e.message));
});

test("an in-memory filesystem has a size budget: ENOSPC beyond it, space back after unlink and close", () => {
  const { NODE_COST, ENTRY_COST } = MemoryFs;
  const fs = new MemoryFs({ seed: "12345" }, { maxSize: 2000 });
  const seed = NODE_COST + ENTRY_COST + "seed".length + 5;
  assert.equal(fs.size, seed);
  const b = bare({ preopens: { "/": { fs } } });
  const write = (fd: number, n: number): number => {
    b.dv().setUint32(0, 100, true);
    b.dv().setUint32(4, n, true);
    return b.call("fd_write", fd, 0, 1, 8);
  };
  const [, f] = b.open(3, "big", 1);
  const big = NODE_COST + ENTRY_COST + "big".length;
  assert.equal(fs.size, seed + big);
  assert.equal(write(f, 900), 0);
  assert.equal(write(f, 900), ERRNO.NOSPC);
  assert.equal(fs.size, seed + big + 900);
  // Unlinked but still open: still counted (but not its name), still writable.
  const len = b.put(2000, "big");
  assert.equal(b.call("path_unlink_file", 3, 2000, len), 0);
  assert.equal(fs.size, seed + NODE_COST + 900);
  assert.equal(b.call("fd_close", f), 0);
  assert.equal(fs.size, seed);
  const [, g] = b.open(3, "again", 1);
  assert.equal(write(g, 900), 0);
});
