/**
 * Runs every WASI C fixture (test/fixtures/wasi/*.c, built to .wasm) on the in-memory filesystem and on
 * a host temp directory, and checks their output and exit codes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FS_KINDS, fixture, makePreopen, reportLines, run, symlink } from "./helpers.js";

for (const kind of FS_KINDS) {
  test(`files.c passes every filesystem check on the ${kind} filesystem`, () => {
    const p = makePreopen(kind, {});
    try {
      const r = run(fixture("files"), { args: ["files", "/sandbox"], preopens: { "/sandbox": p.preopen } });
      assert.deepEqual(reportLines(r.stdout), [
        "ok write_read", "ok stdio_files", "ok open_flags", "ok directories", "ok links", "ok renames",
        "ok times", "ok raw_calls", "ok misc", "failures 0",
      ], r.stdout);
      assert.equal(r.code, 0);
      if (p.hostDir) assert.deepEqual(readdirSync(p.hostDir), [], "the program cleans up after itself");
    } finally {
      p.cleanup();
    }
  });

  test(`escape.c cannot leave its preopen on the ${kind} filesystem`, () => {
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
      const r = run(fixture("escape"), { args: ["escape"], preopens: { "/sandbox": p.preopen, "/ro": ro.preopen } });
      assert.deepEqual(reportLines(r.stdout), [
        "ok dotdot_and_absolute", "ok symlinks", "ok other_paths", "ok read_only", "ok bad_pointers", "failures 0",
      ], r.stdout);
      assert.equal(r.code, 0);
      if (p.parentDir) {
        // Nothing appeared or changed next to the sandbox.
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

test("clocks.c: clocks, real sleeps, poll, random, sched_yield, sockets and proc_raise", () => {
  const r = run(fixture("clocks"), { args: ["clocks"], stdin: "hello" });
  assert.deepEqual(reportLines(r.stdout), ["ok clocks", "ok sleep", "ok poll", "ok random", "ok sockets", "ok proc_raise", "failures 0"], r.stdout);
  assert.equal(r.code, 0);
});

test("proc_raise with a terminating signal exits with 128 + the signal", () => {
  const r = run(fixture("clocks"), { args: ["clocks", "raise"], stdin: "hello" });
  assert.equal(r.code, 128 + 15);
  assert.match(r.stdout, /failures 0/);
});

test("args_env.c sees arguments and environment with sizes counted in UTF-8 bytes", () => {
  const r = run(fixture("args_env"), { args: ["prog", "é", "日本語", ""], env: { A: "1", "LANG": "ü" } });
  assert.equal(r.stdout, [
    "argc=4", "argv[0]=prog (4 bytes)", "argv[1]=é (2 bytes)", "argv[2]=日本語 (9 bytes)", "argv[3]= (0 bytes)",
    "env A=1", "env LANG=ü", "envc=2", "args_sizes 4 19", "environ_sizes 2 12", "",
  ].join("\n"));
  assert.equal(r.code, 3);
});

test("args_env.c sees no environment and no arguments unless given", () => {
  const r = run(fixture("args_env"), {});
  assert.match(r.stdout, /^argc=0\nenvc=0\nargs_sizes 0 0\nenviron_sizes 0 0\n$/);
  assert.equal(r.code, -1 >>> 0);
});

test("exit codes: exit(n) and return n give n, and output written before exiting is kept", () => {
  for (const [mode, n] of [["exit", 7], ["exit", 0], ["return", 3], ["exit", 255]] as const) {
    const r = run(fixture("exit_code"), { args: ["exit_code", mode, String(n)] });
    assert.equal(r.code, n, `${mode} ${n}`);
    assert.equal(r.stdout, `before ${mode} ${n}`);
  }
});

test("a trap in the guest propagates out of start and keeps earlier output", () => {
  for (const mode of ["trap", "abort"]) {
    let out = "";
    assert.throws(
      () => run(fixture("exit_code"), { args: ["exit_code", mode], stdout: (b) => (out += new TextDecoder().decode(b)) }),
      (e: unknown) => e instanceof WebAssembly.RuntimeError,
    );
    if (mode === "trap") assert.equal(out, "before trap 0");
  }
});

test("stdio.c: stdin from a string is echoed, stderr is separate, and pipes are not terminals", () => {
  const r = run(fixture("stdio"), { stdin: "hello, wasi\n" });
  assert.equal(r.stdout, "HELLO, WASI\nout 0\nout 1\nout 2\n");
  assert.equal(r.stderr, "isatty stdin=0 stdout=0\nread 12 bytes\nerr 0\nerr 1\nerr 2\n");
  assert.equal(r.code, 0);
});

test("stdio.c: stdin from bytes and from a callback in chunks, stdout to a callback in order", () => {
  const bytes = new TextEncoder().encode("x".repeat(1000));
  const r = run(fixture("stdio"), { stdin: bytes });
  assert.equal(r.stdout.slice(0, 1000), "X".repeat(1000));
  const chunks = ["ab", "cd", "", "never"];
  let calls = 0;
  const seen: string[] = [];
  const r2 = run(fixture("stdio"), {
    stdin: () => {
      const c = chunks[calls++];
      return c === undefined || c === "" ? null : c;
    },
    stdout: (b) => seen.push(new TextDecoder().decode(b)),
  });
  assert.equal(seen.join(""), "ABCDout 0\nout 1\nout 2\n");
  assert.match(r2.stderr, /read 4 bytes/);
});
