/**
 * Swapped-symlink races on a host directory: a directory replaced by a symlink pointing outside, between
 * the guest's check and its use, must not let the guest reach outside the preopen.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ERRNO, type Vfs, type VfsDir } from "../../../src/wasi/index.js";
import { NodeFs } from "../../../src/host/node-fs.js";
import { bare } from "./harness.js";

function layout() {
  const root = mkdtempSync(join(tmpdir(), "wasmhost-race-"));
  const sandbox = join(root, "sandbox");
  mkdirSync(join(sandbox, "sub"), { recursive: true });
  writeFileSync(join(sandbox, "sub", "inside.txt"), "inside");
  mkdirSync(join(root, "outside"));
  writeFileSync(join(root, "outside", "secret.txt"), "secret");
  return { root, sandbox, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test("a directory descriptor keeps pointing at the directory it opened after a symlink swap", () => {
  const { root, sandbox, cleanup } = layout();
  try {
    const b = bare({ preopens: { "/": { fs: new NodeFs(sandbox) } } });
    const [e, sub] = b.open(3, "sub", 2 /* directory */, 0x1fffffffn & ~64n /* all but fd_write */);
    assert.equal(e, 0);
    // The host swaps sub for a symlink to the outside.
    renameSync(join(sandbox, "sub"), join(sandbox, "moved"));
    symlinkSync(join(root, "outside"), join(sandbox, "sub"));
    // Through the held descriptor: the original directory, not the outside.
    assert.equal(b.open(sub, "inside.txt", 0, 2n)[0], 0);
    assert.equal(b.open(sub, "secret.txt", 0, 2n)[0], ERRNO.NOENT);
    // Through the path: the absolute symlink is refused.
    assert.equal(b.open(3, "sub/secret.txt", 0, 2n)[0], ERRNO.NOTCAPABLE);
    // Creating through the held descriptor lands in the moved directory, inside the sandbox.
    assert.equal(b.open(sub, "created.txt", 1, 64n)[0], 0);
    assert.ok(existsSync(join(sandbox, "moved", "created.txt")));
    assert.deepEqual(readdirSync(join(root, "outside")), ["secret.txt"]);
  } finally {
    cleanup();
  }
});

/** A NodeFs whose first openDirAt("sub") swaps sub for a symlink to the outside just before opening it. */
class Racing implements Vfs {
  readonly readOnly = false;
  constructor(private readonly inner: NodeFs, private readonly swap: () => void) {}
  root(): VfsDir | number {
    const r = this.inner.root();
    if (typeof r === "number") return r;
    const swap = this.swap;
    let swapped = false;
    return new Proxy(r, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop === "openDirAt" && typeof v === "function")
          return (name: string) => {
            if (name === "sub" && !swapped) {
              swapped = true;
              swap();
            }
            return v.call(target, name);
          };
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  }
}

test("a symlink swapped in between the walk's check and its open is not followed out", () => {
  const { root, sandbox, cleanup } = layout();
  try {
    const racing = new Racing(new NodeFs(sandbox), () => {
      renameSync(join(sandbox, "sub"), join(sandbox, "moved"));
      symlinkSync("../outside", join(sandbox, "sub"));
    });
    const b = bare({ preopens: { "/": { fs: racing } } });
    const [e] = b.open(3, "sub/secret.txt", 0, 2n);
    assert.equal(e, ERRNO.NOTCAPABLE, "the relative symlink to ../outside is resolved inside the sandbox and refused");
    const racing2 = new Racing(new NodeFs(sandbox), () => {
      rmSync(join(sandbox, "sub"));
      symlinkSync(join(root, "outside"), join(sandbox, "sub"));
    });
    const b2 = bare({ preopens: { "/": { fs: racing2 } } });
    const len = b2.put(1000, "sub/newdir");
    assert.equal(b2.call("path_create_directory", 3, 1000, len), ERRNO.NOTCAPABLE);
    assert.deepEqual(readdirSync(join(root, "outside")), ["secret.txt"]);
  } finally {
    cleanup();
  }
});

test("a walked directory replaced by another one on the host is walked afresh, not through the old handle", () => {
  const { sandbox, cleanup } = layout();
  try {
    const b = bare({ preopens: { "/": { fs: new NodeFs(sandbox) } } });
    // Walk through sub twice, so that its handle is cached.
    assert.equal(b.open(3, "sub/inside.txt", 0, 2n)[0], 0);
    assert.equal(b.open(3, "sub/inside.txt", 0, 2n)[0], 0);
    // The host moves sub away and puts another directory of the same name in its place.
    renameSync(join(sandbox, "sub"), join(sandbox, "old"));
    mkdirSync(join(sandbox, "sub"));
    writeFileSync(join(sandbox, "sub", "fresh.txt"), "fresh");
    assert.equal(b.open(3, "sub/inside.txt", 0, 2n)[0], ERRNO.NOENT);
    assert.equal(b.open(3, "sub/fresh.txt", 0, 2n)[0], 0);
    // Created through the path: in the new directory, not the moved one.
    assert.equal(b.open(3, "sub/made.txt", 1, 64n)[0], 0);
    assert.deepEqual(readdirSync(join(sandbox, "sub")).sort(), ["fresh.txt", "made.txt"]);
    assert.deepEqual(readdirSync(join(sandbox, "old")), ["inside.txt"]);
  } finally {
    cleanup();
  }
});

test("fd_readdir on a host directory reports each entry's real inode number", () => {
  const { sandbox, cleanup } = layout();
  try {
    mkdirSync(join(sandbox, "sub", "dir"));
    symlinkSync("inside.txt", join(sandbox, "sub", "link"));
    const b = bare({ preopens: { "/": { fs: new NodeFs(sandbox) } } });
    const [e, sub] = b.open(3, "sub", 2, 1n << 14n /* fd_readdir */);
    assert.equal(e, 0);
    assert.equal(b.call("fd_readdir", sub, 4096, 4096, 0n, 0), 0);
    const used = b.dv().getUint32(0, true);
    const seen = new Map<string, bigint>();
    for (let at = 4096; at < 4096 + used;) {
      const ino = b.dv().getBigUint64(at + 8, true);
      const len = b.dv().getUint32(at + 16, true);
      seen.set(b.get(at + 24, len), ino);
      at += 24 + len;
    }
    for (const name of ["inside.txt", "dir", "link"]) {
      assert.equal(seen.get(name), lstatSync(join(sandbox, "sub", name), { bigint: true }).ino, name);
    }
  } finally {
    cleanup();
  }
});

test("a read-only host mount refuses writes with EROFS and leaves the directory untouched", () => {
  const { sandbox, cleanup } = layout();
  try {
    const b = bare({ preopens: { "/": { fs: new NodeFs(sandbox, { readOnly: true }) } } });
    assert.equal(b.open(3, "sub/inside.txt", 0, 2n)[0], 0);
    assert.equal(b.open(3, "sub/inside.txt", 0, 64n)[0], ERRNO.ROFS);
    assert.equal(b.open(3, "sub/new.txt", 1, 2n)[0], ERRNO.ROFS);
    const len = b.put(1000, "sub/inside.txt");
    assert.equal(b.call("path_unlink_file", 3, 1000, len), ERRNO.ROFS);
    assert.deepEqual(readdirSync(join(sandbox, "sub")), ["inside.txt"]);
  } finally {
    cleanup();
  }
});

test("a { host } preopen works once the Node filesystem is loaded, and a missing directory is a WasiError", () => {
  const { sandbox, cleanup } = layout();
  try {
    const b = bare({ preopens: { "/data": { host: sandbox, readOnly: true } } });
    assert.equal(b.open(3, "sub/inside.txt", 0, 2n)[0], 0);
    assert.throws(() => new NodeFs(join(sandbox, "nope")), /does not exist/);
  } finally {
    cleanup();
  }
});
