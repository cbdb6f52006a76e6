import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

test("on Node, the wasmhost/wasi entry point brings the host filesystem: { host } preopens and NodeFs", async () => {
  // The package refers to itself by name, through the exports map, as a user's import would.
  const wasi = (await import("wasmhost/wasi")) as typeof import("../../../src/host/wasi-node.js");
  assert.equal(typeof wasi.NodeFs, "function");
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-entry-"));
  writeFileSync(join(dir, "a.txt"), "hi");
  assert.doesNotThrow(() => new wasi.Wasi({ preopens: { "/data": { host: dir, readOnly: true } } }));
});
