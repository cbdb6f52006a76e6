/** `wasmhost run --cache[=DIR]`: the on-disk module cache (src/cli/cache.ts). */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cacheKey, defaultCacheDir, loadCached } from "../../src/cli/cache.js";
import { parseRunArgs } from "../../src/cli/commands/run.js";
import { main } from "../../src/cli/main.js";
import { Engine, Module } from "../../src/index.js";
import { wat } from "../helpers/wat.js";

const dir = mkdtempSync(join(tmpdir(), "wasmhost-cli-cache-"));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const sum = join(dir, "sum.wasm");
writeFileSync(sum, wat(`(module
  (func (export "sum") (param $n i32) (result i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $s)))`));

test("--cache and --cache=DIR are parsed; an empty DIR is a usage error", () => {
  assert.equal(parseRunArgs(["m.wasm", "--cache"]).cacheDir, defaultCacheDir());
  assert.equal(parseRunArgs(["m.wasm", "--cache=/tmp/x"]).cacheDir, "/tmp/x");
  assert.equal(parseRunArgs(["m.wasm"]).cacheDir, undefined);
  assert.throws(() => parseRunArgs(["m.wasm", "--cache="]), /needs a directory/);
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" }), join("/xdg", "wasmhost"));
});

test("the key changes with the content and the settings", () => {
  const a = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const b = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 0]);
  assert.notEqual(cacheKey(a, {}), cacheKey(b, {}));
  assert.notEqual(cacheKey(a, {}), cacheKey(a, { consumeFuel: true }));
  assert.notEqual(cacheKey(a, { consumeFuel: true }), cacheKey(a, { consumeFuel: true, timeLimits: true }));
  assert.equal(cacheKey(a, { consumeFuel: true, timeLimits: true }), cacheKey(a, { timeLimits: true, consumeFuel: true }));
  // Nested settings count too (a key list given to JSON.stringify would drop them).
  assert.notEqual(cacheKey(a, { features: { simd: false } }), cacheKey(a, { features: { simd: true } }));
  assert.equal(cacheKey(a, { features: { simd: false, threads: true } }), cacheKey(a, { features: { threads: true, simd: false } }));
});

test("a second run with --fuel loads the entry the first one wrote, and fuel still runs out", async () => {
  const cache = join(dir, "c1");
  assert.deepEqual(await cli("run", sum, `--cache=${cache}`, "--fuel", "100000", "--invoke", "sum", "10"), { code: 0, out: "55\n", err: "" });
  const entries = readdirSync(cache);
  assert.equal(entries.length, 1);
  assert.match(entries[0]!, /^[0-9a-f]{64}\.wasmhost-module$/);
  const bytes = new Uint8Array(readFileSync(sum));
  const config = { consumeFuel: true };
  const engine = new Engine(config);
  const loaded = loadCached(engine, config, bytes, cache, () => assert.fail("the entry should have been used"));
  assert.equal(loaded.outcome, "hit");
  assert.equal(loaded.module.name, "sum.wasm");
  assert.deepEqual(await cli("run", sum, `--cache=${cache}`, "--fuel", "100000", "--invoke", "sum", "10"), { code: 0, out: "55\n", err: "" });
  const starved = await cli("run", sum, `--cache=${cache}`, "--fuel", "50", "--invoke", "sum", "1000");
  assert.equal(starved.code, 1);
  assert.match(starved.err, /all fuel consumed/);
  // Other settings: another entry.
  assert.deepEqual(await cli("run", sum, `--cache=${cache}`, "--invoke", "sum", "4"), { code: 0, out: "10\n", err: "" });
  assert.equal(readdirSync(cache).length, 2);
});

test("a damaged, truncated or foreign entry is ignored and rebuilt", async () => {
  const cache = join(dir, "c2");
  const bytes = new Uint8Array(readFileSync(sum));
  const config = { timeLimits: true };
  const engine = new Engine(config);
  const compile = (): Module => Module.fromFile(engine, sum);
  assert.equal(loadCached(engine, config, bytes, cache, compile).outcome, "miss");
  const path = join(cache, cacheKey(bytes, config));
  const good = readFileSync(path);
  const damaged = [
    good.subarray(0, good.length - 7), // truncated
    Uint8Array.from(good, (b, i) => (i === good.length - 40 ? b ^ 0x55 : b)), // one byte flipped
    new Uint8Array([1, 2, 3]), // not an entry
    new Uint8Array(0),
  ];
  // An entry made for other settings (a fuel engine's artifact under this key).
  const fuelEngine = new Engine({ consumeFuel: true });
  const foreign = loadCached(fuelEngine, { consumeFuel: true }, bytes, join(dir, "c3"), () => Module.fromFile(fuelEngine, sum));
  damaged.push(readFileSync(join(dir, "c3", cacheKey(bytes, { consumeFuel: true }))));
  assert.equal(foreign.outcome, "miss");
  for (const bad of damaged) {
    writeFileSync(path, bad);
    const r = loadCached(engine, config, bytes, cache, compile);
    assert.equal(r.outcome, "rebuilt");
    assert.equal(r.module.exports[0]!.name, "sum");
    // Rebuilt: the entry is sound again.
    assert.equal(loadCached(engine, config, bytes, cache, () => assert.fail("rebuilt entry not used")).outcome, "hit");
  }
});

test("a module from the cache names its frames like the compiled one", async () => {
  const cache = join(dir, "c4");
  const file = join(dir, "boom.wasm");
  writeFileSync(file, wat(`(module (func $inner (export "boom") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))`));
  const first = await cli("run", file, `--cache=${cache}`, "--timeout", "1000", "--invoke", "boom");
  const second = await cli("run", file, `--cache=${cache}`, "--timeout", "1000", "--invoke", "boom");
  assert.equal(first.code, 1);
  assert.match(first.err, /divide by zero|division by zero/);
  assert.match(first.err, /inner/);
  assert.deepEqual(second, first);
  const engine = new Engine({ timeLimits: true });
  const { module } = loadCached(engine, { timeLimits: true }, new Uint8Array(readFileSync(file)), cache, () => assert.fail("not cached"));
  assert.equal(module.name, "boom.wasm");
});

test("an unwritable cache directory leaves the run uncached", async () => {
  const file = join(dir, "file-not-dir");
  writeFileSync(file, "x");
  assert.deepEqual(await cli("run", sum, `--cache=${join(file, "sub")}`, "--invoke", "sum", "3"), { code: 0, out: "6\n", err: "" });
});
