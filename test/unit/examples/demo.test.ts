import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const demo = fileURLToPath(new URL("../../../examples/demo.js", import.meta.url));

test("npm run demo prints the greeting from the host function and the rendered Markdown, by the core module and by the component", () => {
  const r = spawnSync(process.execPath, [demo], { encoding: "utf8" });
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  const html =
    '<h1>Hello, <code>TypeScript</code>! Welcome to <strong>WebAssembly</strong> with <a href="https://example.com">wasmhost</a>!</h1>\n';
  assert.equal(r.stdout, "Hello from TypeScript, WebAssembly!\n" + html + html);
});
