import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wasmhost-cli-usage-"));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

test("--version prints the package's version", async () => {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  for (const flag of ["--version", "-V"]) {
    assert.deepEqual(await cli(flag), { code: 0, out: `wasmhost ${version}\n`, err: "" });
  }
});

test("COMMAND --help prints that command's usage, not an unknown-option error", async () => {
  for (const name of ["run", "inspect", "wat2wasm", "print", "wast", "component"]) {
    const r = await cli(name, "--help");
    assert.equal(r.code, 0, name);
    assert.match(r.out, new RegExp(`^wasmhost ${name}: `), name);
    assert.match(r.out, new RegExp(`\\n  wasmhost ${name} `), name);
  }
  // After `--`, --help belongs to the guest program.
  const r = await cli("run", join(dir, "absent.wasm"), "--", "--help");
  assert.equal(r.code, 2);
});

test("a missing file or a directory is a one-line error with exit code 2", async () => {
  const sub = join(dir, "a-directory");
  mkdirSync(sub, { recursive: true });
  const missing = join(dir, "missing.wasm");
  for (const [argv, expected] of [
    [["run", missing], `wasmhost run: ${missing}: no such file or directory\n`],
    [["inspect", missing], `wasmhost inspect: ${missing}: no such file or directory\n`],
    [["run", sub], `wasmhost run: ${sub}: is a directory, not a file\n`],
    [["print", sub], `wasmhost print: ${sub}: is a directory, not a file\n`],
    [["wat2wasm", missing, "-o", join(dir, "out.wasm")], `wasmhost wat2wasm: ${missing}: no such file or directory\n`],
  ] as const) {
    assert.deepEqual(await cli(...argv), { code: 2, out: "", err: expected }, argv.join(" "));
  }
});

test("a file that is neither a binary module nor text is refused as such", async () => {
  const png = join(dir, "image.png");
  writeFileSync(png, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  const r = await cli("run", png);
  assert.equal(r.code, 1);
  assert.match(r.err, /^error: invalid module "image\.png": neither a WebAssembly binary .* nor the text format/);
});

test("calling an import that run defined as a trap names the import without claiming a link failure", async () => {
  const path = join(dir, "calls-f.wat");
  writeFileSync(path, '(module (import "env" "f" (func)) (func (export "go") (call 0)))');
  const r = await cli("run", path, "--invoke", "go");
  assert.equal(r.code, 1);
  assert.equal(r.err.split("\n")[0], "error: called env::f, an import that nothing defines (defineUnknownImportsAsTraps made it trap)");
});

test("the executable prints help and its version without loading the library", () => {
  for (const flag of ["--help", "--version"]) {
    const r = spawnSync(process.execPath, [join(root, "dist/src/cli/bin.js"), flag], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  }
  // Which of our modules --help loads: only the CLI's own small ones and the error classes.
  const probe = `
    const { registerHooks } = await import("node:module");
    const loaded = [];
    if (typeof registerHooks === "function") {
      registerHooks({ load(url, context, next) { if (url.includes("/dist/src/")) loaded.push(url.replace(/.*\\/dist\\/src\\//, "")); return next(url, context); } });
    }
    process.argv = [process.argv[0], "bin", "--help"];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = () => true;
    await import(${JSON.stringify(new URL("dist/src/cli/bin.js", `file://${root}`).href)});
    process.stdout.write = write;
    console.log(JSON.stringify(typeof registerHooks === "function" ? loaded : null));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const loaded = JSON.parse(r.stdout.trim().split("\n").pop()!) as string[] | null;
  if (loaded === null) return; // module.registerHooks needs Node >= 22.15
  assert.deepEqual(loaded.sort(), ["cli/bin.js", "cli/io.js", "cli/main.js", "cli/report.js", "errors.js"]);
});
