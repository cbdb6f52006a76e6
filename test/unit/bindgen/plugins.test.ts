/**
 * The bundler plugins with real bundlers: an app that imports a component (`.wasm`), a core module
 * (`.wasm`) and a module in the text format (`.wat`) is built with esbuild and with Vite; the output
 * runs in Node and, as a page, in headless Chromium (skipped with the reason when there is none). The
 * app is type-checked through the `.d.wasm.ts` files the plugins write, and a misuse must fail.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { wasmhost as esbuildPlugin } from "../../../src/plugins/esbuild.js";
import { wasmhost as vitePlugin } from "../../../src/plugins/vite.js";
import { Browser, findChromium } from "../../browser/cdp.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
// One folder per process: the test matrix runs every Node version at once.
const dir = join(root, "dist", `plugin-check-${process.pid}`);
after(() => rmSync(dir, { recursive: true, force: true }));

const APP = `import { render } from "./markdown.component.wasm";
import { counters } from "./counter.component.wasm";
import { add } from "./add.wat";
import * as core from "./markdown.wasm";

const input = new TextEncoder().encode("some *core* text");
const ptr = core.malloc(input.length);
core.memory.write(ptr, input);
const [out, len] = core.render(ptr, input.length);
const c = new counters.Counter(40);
c.increment();
export const result: string = [render("# Bundled"), core.memory.readString(out, len), add(2, 3), c.get()].join(" | ");
(globalThis as { bundleResult?: string }).bundleResult = result;
if (typeof document !== "undefined") document.body.innerHTML = render("# Rendered in *the page*");
`;
const EXPECTED = "<h1>Bundled</h1> | <p>some <em>core</em> text</p> | 5 | 41";

/** The app's folder: the app and the binaries it imports. */
function writeApp(): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.ts"), APP);
  writeFileSync(join(dir, "misuse.ts"), `import { render } from "./markdown.component.wasm";\nrender(42);\n`);
  writeFileSync(join(dir, "add.wat"), `(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))\n`);
  copyFileSync(join(root, "examples/markdown/markdown.component.wasm"), join(dir, "markdown.component.wasm"));
  copyFileSync(join(root, "examples/markdown/markdown.wasm"), join(dir, "markdown.wasm"));
  copyFileSync(join(root, "test/fixtures/components/counter.component.wasm"), join(dir, "counter.component.wasm"));
}

async function esbuildBundle(platform: "node" | "browser"): Promise<string> {
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    entryPoints: [join(dir, "main.ts")], bundle: true, format: "esm", platform, target: "es2022", write: false,
    logLevel: "silent", plugins: [esbuildPlugin()],
  });
  return r.outputFiles[0]!.text;
}

async function viteBundle(): Promise<string> {
  const vite = await import("vite");
  const outDir = join(dir, "vite-out");
  await vite.build({
    root: dir, configFile: false, logLevel: "silent", plugins: [vitePlugin()],
    build: { outDir, emptyOutDir: true, minify: false, target: "es2022", lib: { entry: join(dir, "main.ts"), formats: ["es"], fileName: "main" } },
  });
  return readFileSync(join(outDir, "main.js"), "utf8");
}

/** Runs a bundle in Node and returns what the app computed. */
async function runInNode(code: string, name: string): Promise<string> {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, code);
  return ((await import(pathToFileURL(file).href)) as { result: string }).result;
}

test("esbuild and Vite bundle components, core modules and .wat; the output runs in Node", { timeout: 120_000 }, async () => {
  writeApp();
  assert.equal(await runInNode(await esbuildBundle("node"), "esbuild-node"), EXPECTED);
  assert.equal(await runInNode(await viteBundle(), "vite-node"), EXPECTED);
});

test("Vite's dev server serves the binaries as modules (SSR load in Node, client transform)", { timeout: 120_000 }, async () => {
  const vite = await import("vite");
  const server = await vite.createServer({ root: dir, configFile: false, logLevel: "silent", plugins: [vitePlugin()], server: { middlewareMode: true, hmr: false, ws: false } });
  try {
    const app = (await server.ssrLoadModule("/main.ts")) as { result: string };
    assert.equal(app.result, EXPECTED);
    const client = await server.transformRequest("/markdown.component.wasm");
    assert.match(client?.code ?? "", /export function instantiate\(/);
  } finally {
    await server.close();
  }
});

test("imports of binaries are typed through the declarations the plugins write", () => {
  const program = ts.createProgram([join(dir, "main.ts"), join(dir, "misuse.ts")], {
    strict: true, noEmit: true, allowArbitraryExtensions: true, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], skipLibCheck: true,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  });
  const of = (f: string) => ts.getPreEmitDiagnostics(program, program.getSourceFile(join(dir, f)));
  assert.deepEqual(of("main.ts").map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), []);
  const misuse = of("misuse.ts");
  assert.ok(misuse.some((d) => d.code === 2345), `render(42) must fail with TS2345: ${misuse.map((d) => d.code).join(", ")}`);
});

const chromium = findChromium();

test("the bundles render in headless Chromium", { skip: chromium === undefined ? "Chromium not found" : undefined, timeout: 120_000 }, async () => {
  writeApp();
  const bundles = { esbuild: await esbuildBundle("browser"), vite: await viteBundle() };
  const server: Server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://127.0.0.1").pathname.slice(1);
    if (name === "esbuild.html" || name === "vite.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(`<!doctype html><meta charset="utf-8"><script type="module" src="/${name.replace(".html", ".js")}"></script>`);
      return;
    }
    const js = bundles[name.replace(".js", "") as keyof typeof bundles];
    if (js === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(js);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const browser = await Browser.launch(chromium!);
  try {
    const { port } = server.address() as AddressInfo;
    for (const name of Object.keys(bundles)) {
      const session = await browser.open(`http://127.0.0.1:${port}/${name}.html`);
      let result: string | null = null;
      for (const until = Date.now() + 60_000; result === null && Date.now() < until;) {
        result = await browser.evaluate<string | null>(session, "globalThis.bundleResult ?? null");
        if (result === null) await new Promise((r) => setTimeout(r, 50));
      }
      const exceptions = browser.events.filter((e) => e.method === "Runtime.exceptionThrown");
      assert.equal(result, EXPECTED, `${name}: exceptions ${JSON.stringify(exceptions).slice(0, 2000)}`);
      assert.equal(await browser.evaluate<string>(session, "document.querySelector('h1 > em')?.textContent ?? 'no <h1><em>'"), "the page");
    }
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
});
