/**
 * Host directories (NodeFs) under hostile guests: the descriptor cap keeps the host process's
 * descriptors, planted symlinks stay inside the preopen, and the preview1 details (exact timestamps,
 * path_link and O_DIRECTORY errnos) hold.
 */
import assert from "node:assert/strict";
import { closeSync, lstatSync, mkdirSync, openSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { NodeFs } from "../../../src/host/node-fs.js";
import { ERRNO } from "../../../src/wasi/defs.js";
import { tempDir } from "../../wasi/helpers.js";
import { bare } from "./harness.js";

function withDir(f: (dir: string) => void): void {
  const t = tempDir();
  try {
    f(t.path);
  } finally {
    t.cleanup();
  }
}

test("a guest opening one host file again and again gets EMFILE at the cap; the host keeps its descriptors", () => {
  withDir((dir) => {
    writeFileSync(join(dir, "f"), "x");
    const b = bare({ preopens: { "/": { fs: new NodeFs(dir) } } });
    let opened = 0;
    let e = 0;
    for (; opened < 100_000; opened++) {
      e = b.open(3, "f", 0, 2n)[0];
      if (e !== 0) break;
    }
    assert.equal(e, ERRNO.MFILE);
    assert.equal(opened, 1024 - 4);
    // The host can still open files, and the guest can after closing one.
    closeSync(openSync(join(dir, "f"), "r"));
    assert.equal(b.call("fd_close", 10), 0);
    assert.equal(b.open(3, "f", 0, 2n)[0], 0);
    b.wasi.close();
  });
});

test("timestamps set on a host file or directory read back to the nanosecond", () => {
  withDir((dir) => {
    writeFileSync(join(dir, "f"), "x");
    mkdirSync(join(dir, "d"));
    const b = bare({ preopens: { "/": { fs: new NodeFs(dir) } } });
    const stat = (path: string): [bigint, bigint] => {
      const len = b.put(1000, path);
      assert.equal(b.call("path_filestat_get", 3, 0, 1000, len, 3000), 0);
      return [b.dv().getBigUint64(3000 + 40, true), b.dv().getBigUint64(3000 + 48, true)];
    };
    const atim = 1_700_000_000_123_456_789n;
    const mtim = 1_600_000_000_987_654_321n;
    for (const path of ["f", "d"]) {
      const len = b.put(1000, path);
      assert.equal(b.call("path_filestat_set_times", 3, 0, 1000, len, atim, mtim, 1 | 4), 0);
      assert.deepEqual(stat(path), [atim, mtim], path);
      // Setting one leaves the other exactly as it was.
      assert.equal(b.call("path_filestat_set_times", 3, 0, 1000, len, 0n, mtim + 1n, 4), 0);
      assert.deepEqual(stat(path), [atim, mtim + 1n], path);
    }
    // Through a descriptor too.
    const [, fd] = b.open(3, "f", 0, 0x1fffffffn);
    assert.equal(b.call("fd_filestat_set_times", fd, 5n, 7n, 1 | 4), 0);
    assert.equal(b.call("fd_filestat_get", fd, 3000), 0);
    assert.deepEqual([b.dv().getBigUint64(3040, true), b.dv().getBigUint64(3048, true)], [5n, 7n]);
    // A later change by the host shows as it is.
    writeFileSync(join(dir, "f"), "changed");
    assert.notEqual(stat("f")[1], 7n);
    assert.equal(stat("f")[1], lstatSync(join(dir, "f"), { bigint: true }).mtimeNs);
    b.wasi.close();
  });
});

test("path_link to a missing target is ENOENT, O_DIRECTORY with write is EISDIR and with O_CREAT EINVAL", () => {
  withDir((dir) => {
    symlinkSync("nowhere", join(dir, "dangling"));
    const b = bare({ preopens: { "/": { fs: new NodeFs(dir) } } });
    const link = (from: string, to: string, follow: number): number => {
      const l1 = b.put(1000, from);
      const l2 = b.put(1500, to);
      return b.call("path_link", 3, follow, 1000, l1, 3, 1500, l2);
    };
    assert.equal(link("missing", "new", 0), ERRNO.NOENT);
    assert.equal(link("missing", "new", 1), ERRNO.NOENT);
    assert.equal(link("no/such", "new", 0), ERRNO.NOENT);
    assert.equal(link("dangling", "new", 1), ERRNO.NOENT);
    mkdirSync(join(dir, "sub"));
    const readOnlyDir = 0x1fffffffn & ~64n;
    assert.equal(b.open(3, "sub", 2, 64n)[0], ERRNO.ISDIR);
    assert.equal(b.open(3, "sub", 2, readOnlyDir, 1 /* append */)[0], ERRNO.ISDIR);
    assert.equal(b.open(3, "sub", 2 | 1, readOnlyDir)[0], ERRNO.INVAL);
    assert.equal(b.open(3, "sub", 2 | 8, readOnlyDir)[0], ERRNO.INVAL);
    assert.equal(b.open(3, "sub", 2, readOnlyDir)[0], 0);
    b.wasi.close();
  });
});

test("a guest cannot plant a symlink whose target climbs above the host preopen", () => {
  withDir((parent) => {
    const dir = join(parent, "sandbox");
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    const b = bare({ preopens: { "/": { fs: new NodeFs(dir) } } });
    const plant = (target: string, at: string): number => {
      const l1 = b.put(1000, target);
      const l2 = b.put(1500, at);
      return b.call("path_symlink", 1000, l1, 3, 1500, l2);
    };
    assert.equal(plant("../outside", "l1"), ERRNO.NOTCAPABLE);
    assert.equal(plant("/etc/passwd", "l2"), ERRNO.NOTCAPABLE);
    assert.equal(plant("../../../x", "a/b/l3"), ERRNO.NOTCAPABLE);
    assert.equal(plant("a/../../x", "l4"), ERRNO.NOTCAPABLE, ".. after a name is refused");
    assert.equal(plant("./a/../b", "l5"), ERRNO.NOTCAPABLE);
    // Inside is fine: climbing no higher than the link's own depth, or not at all.
    assert.equal(plant("../../x", "a/b/ok1"), 0);
    assert.equal(plant("a/b", "ok2"), 0);
    assert.equal(plant("../b", "a/ok3"), 0);
    assert.equal(readlinkSync(join(dir, "a", "b", "ok1")), "../../x");
    // Through a directory descriptor opened below the root, the depth is where it really is.
    const [e, sub] = b.open(3, "a/b", 2, 0x1fffffffn & ~64n);
    assert.equal(e, 0);
    const l1 = b.put(1000, "../../../up");
    const l2 = b.put(1500, "l6");
    assert.equal(b.call("path_symlink", 1000, l1, sub, 1500, l2), ERRNO.NOTCAPABLE);
    const l3 = b.put(1000, "../../in");
    assert.equal(b.call("path_symlink", 1000, l3, sub, 1500, l2), 0);
    b.wasi.close();
  });
});
