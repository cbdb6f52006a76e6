/**
 * The browser tests: `page.ts` bundled for the browser (esbuild), served from a loopback HTTP server
 * as a plain page — no `Cross-Origin-Opener-Policy`/`Cross-Origin-Embedder-Policy`, so no
 * `SharedArrayBuffer` — and run in a headless Chromium. Each check of the page becomes a test here,
 * and each spec suite (2.0 core, proposals, 3.0) runs in the page with the runner and expected-failure
 * list of the Node tests (test/spec/suite-plan.ts), its scripts served under `/wast/`; each reports
 * `spec NAME on Chromium VERSION: N passed, N failed, N unsupported` as a diagnostic, which the engine
 * matrix prints.
 *
 * Without Chromium (Debian's `chromium`; `$CHROMIUM` names another) the tests are skipped with the
 * reason, which `npm test` prints (test/matrix.ts lists every skipped test with its reason). The engine
 * matrix runs this file once, with the node running `npm test`: Chromium's results do not depend on the
 * Node.js that drives it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { describeTotals, MINIMUM_PASSED } from "../spec/suite-plan.js";
import { REPO_ROOT, requireSuite, scriptPath, suiteOptions, suitePlan, suites } from "../spec/suites.js";
import { Browser, findChromium } from "./cdp.js";
import type { PageResult, PageSpecResult } from "./page.js";

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

/**
 * Serves the page, its script, the fixtures and the spec scripts `scripts` (labels under `../shared`,
 * read on request) on 127.0.0.1 (a free port).
 */
function serve(script: string, scripts: ReadonlySet<string>): Promise<Server> {
  const files: Record<string, { type: string; body: string | Buffer }> = {
    "/": { type: "text/html; charset=utf-8", body: HTML },
    "/page.js": { type: "text/javascript; charset=utf-8", body: script },
    "/fixtures/greeter.component.wasm": { type: "application/wasm", body: readFileSync(COMPONENT) },
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    const label = path.startsWith("/wast/") ? path.slice("/wast/".length) : undefined;
    const file = label !== undefined && scripts.has(label)
      ? { type: "text/plain; charset=utf-8", body: readFileSync(scriptPath(label)) }
      : files[path];
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
const bundled = chromium === undefined ? undefined : await bundlePage();
const skip = chromium === undefined
    ? `Chromium not found at ${process.env["CHROMIUM"] || "/usr/bin/chromium"} (install Debian's chromium: apt-get install chromium; or set $CHROMIUM)`
    : typeof bundled !== "string"
      ? (bundled as { skip: string }).skip
      : undefined;

const plans = suites().map(suitePlan);

/** The browser, the server and the page's protocol session, shared by the tests of this file. */
interface OpenPage {
  readonly browser: Browser;
  readonly server: Server;
  readonly session: string;
  /** e.g. "Chromium 156.0.8078.114". */
  readonly label: string;
}

let opened: Promise<OpenPage> | undefined;

/** Starts the server and the browser and opens the page, once. */
function openPage(): Promise<OpenPage> {
  return (opened ??= (async () => {
    const server = await serve(bundled as string, new Set(plans.flatMap((p) => p.scripts.map((s) => s.label))));
    let browser: Browser;
    try {
      browser = await Browser.launch(chromium!);
    } catch (e) {
      server.close();
      throw e;
    }
    const { port } = server.address() as AddressInfo;
    const session = await browser.open(`http://127.0.0.1:${port}/`);
    const label = `Chromium ${browser.product.replace(/^[^/]*\//, "")}`;
    return { browser, server, session, label };
  })());
}

after(async () => {
  const page = await opened?.catch(() => undefined);
  if (!page) return;
  await page.browser.close();
  await new Promise((r) => page.server.close(r));
});

/** Evaluates `expression` in the page until it is not null (the module script may not have run yet). */
async function waitFor<T>(page: OpenPage, expression: string, seconds: number): Promise<T | null> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await page.browser.evaluate<T | null>(page.session, `${expression} ?? null`);
    if (value !== null || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pageExceptions(page: OpenPage): string {
  return JSON.stringify(page.browser.events.filter((e) => e.method === "Runtime.exceptionThrown"));
}

test("a plain page in headless Chromium passes every check", { skip, timeout: 120_000 }, async (t) => {
  const page = await openPage();
  const results = await waitFor<PageResult[]>(page, "globalThis.wasmhostResults", 60);
  assert.ok(results !== null, `the page published no results; exceptions: ${pageExceptions(page)}`);
  assert.ok(results.length >= 9, `only ${results.length} checks ran`);
  for (const r of results) {
    await t.test(r.name, () => {
      if (!r.ok) assert.fail(r.error);
    });
  }
});

for (const [i, plan] of plans.entries()) {
  const suite = suites()[i]!;
  test(`the ${plan.name} spec suite passes in headless Chromium`, { skip: skip ?? suiteOptions(suite).skip, timeout: 600_000 }, async (t) => {
    requireSuite(suite);
    const page = await openPage();
    const ready = await waitFor<boolean>(page, "(typeof globalThis.wasmhostSpec === 'function' || null)", 60);
    assert.ok(ready, `the page offers no spec runner; exceptions: ${pageExceptions(page)}`);
    const r = await page.browser.evaluate<PageSpecResult>(page.session, `globalThis.wasmhostSpec(${JSON.stringify(plan)})`);
    t.diagnostic(`spec ${plan.name} on ${page.label}: ${describeTotals(r)}`);
    for (const m of r.merges) t.diagnostic(m);
    if (r.lacking.length) t.diagnostic(`${page.label} lacks ${r.lacking.join(", ")}`);
    assert.deepEqual(r.failures, [], `${r.failed} failed`);
    assert.equal(r.failed, 0);
    assert.ok(r.passed > MINIMUM_PASSED[plan.name], `only ${r.passed} commands passed`);
  });
}
