/**
 * The browser tests: `page.ts` bundled for the browser (esbuild), served from a loopback HTTP server
 * as a plain page — no `Cross-Origin-Opener-Policy`/`Cross-Origin-Embedder-Policy`, so no
 * `SharedArrayBuffer` — and run in a headless Chromium; each check of the page becomes a test here.
 *
 * Without Chromium (Debian's `chromium`; `$CHROMIUM` names another) the test is skipped with the
 * reason, which `npm test` prints (test/matrix.ts lists every skipped test with its reason).
 *
 * @module
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { REPO_ROOT } from "../spec/suites.js";
import { Browser, findChromium } from "./cdp.js";
import type { PageResult } from "./page.js";

const PAGE_SCRIPT = fileURLToPath(new URL("./page.js", import.meta.url));
const COMPONENT = join(REPO_ROOT, "test", "fixtures", "components", "greeter.component.wasm");
const HTML = `<!doctype html><meta charset="utf-8"><title>wasmhost browser tests</title><script type="module" src="/page.js"></script>`;

/** Bundles the page's script for the browser, or says why it cannot. */
async function bundlePage(): Promise<string | { skip: string }> {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch (e) {
    return { skip: `esbuild is not installed (npm install): ${(e as Error).message}` };
  }
  const out = await esbuild.build({
    entryPoints: [PAGE_SCRIPT],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "chrome120",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

/** Serves the page, its script and the fixtures on 127.0.0.1 (a free port). */
function serve(script: string): Promise<Server> {
  const files: Record<string, { type: string; body: string | Buffer }> = {
    "/": { type: "text/html; charset=utf-8", body: HTML },
    "/page.js": { type: "text/javascript; charset=utf-8", body: script },
    "/fixtures/greeter.component.wasm": { type: "application/wasm", body: readFileSync(COMPONENT) },
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://127.0.0.1").pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

const chromium = findChromium();
const bundled = await bundlePage();
const skip =
  chromium === undefined
    ? `Chromium not found at ${process.env["CHROMIUM"] || "/usr/bin/chromium"} (install Debian's chromium: apt-get install chromium; or set $CHROMIUM)`
    : typeof bundled !== "string"
      ? bundled.skip
      : undefined;

test("a plain page in headless Chromium passes every check", { skip, timeout: 120_000 }, async (t) => {
  const server = await serve(bundled as string);
  const browser = await Browser.launch(chromium!);
  try {
    const { port } = server.address() as AddressInfo;
    const session = await browser.open(`http://127.0.0.1:${port}/`);
    // The module script may not have run yet when navigation returns: wait for it to publish.
    let results: PageResult[] | null = null;
    const until = Date.now() + 60_000;
    while (results === null && Date.now() < until) {
      results = await browser.evaluate<PageResult[] | null>(session, "globalThis.wasmhostResults ?? null");
      if (results === null) await new Promise((r) => setTimeout(r, 50));
    }
    const exceptions = browser.events.filter((e) => e.method === "Runtime.exceptionThrown");
    assert.ok(results !== null, `the page published no results; exceptions: ${JSON.stringify(exceptions)}`);
    assert.ok(results.length >= 9, `only ${results.length} checks ran`);
    for (const r of results) {
      await t.test(r.name, () => {
        if (!r.ok) assert.fail(r.error);
      });
    }
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
});
