/**
 * WIT and making components, against jco's build of wasm-tools (wit-parser and wit-component compiled
 * to WebAssembly, the devDependency `@bytecodealliance/jco`) doing the same work in the same run:
 *
 * - WIT text (every WASI 0.2 package in one file, ~135 KB) -> the `wasi:cli/command` world's
 *   `component-type` metadata: our resolveWit + encodeWorldMetadata vs `componentEmbed`;
 * - a component -> its WIT text: our componentWit vs `componentWit`, on a component whose world is
 *   `wasi:http/proxy` (imports ~25 interfaces);
 * - `component new` of the Markdown renderer: ours vs `componentNew` of the same embedded module.
 *
 * Our throughput on the WIT text is printed in MB/s too. jco's functions are async wrappers around
 * synchronous wasm; the comparison includes that small overhead.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  componentNew, componentWit, decodeComponent, embedWorld, encodeWorldMetadata, printWit, resolveWit, resolveWitPackages, selectWorld,
} from "../src/component/index.js";
import { compareAsync, type BenchRow, type BenchSuite } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const wasiDir = join(repo, "..", "shared", "wasi-0.2-wit");
const jco = join(repo, "node_modules", "@bytecodealliance", "jco-transpile", "dist", "wasm-tools.js");

interface Tools {
  componentEmbed(opts: { dummy?: boolean; witSource?: string; world?: string; binary?: Uint8Array }): Promise<Uint8Array>;
  componentNew(bytes: Uint8Array): Promise<Uint8Array>;
  componentWit(bytes: Uint8Array): Promise<string>;
}

/** All WASI packages as one WIT file, `root` first. */
function wasiText(root: string): string {
  const dirs = readdirSync(wasiDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const groups = [root, ...dirs.filter((d) => d !== root)].map((d) =>
    readdirSync(join(wasiDir, d)).filter((f) => f.endsWith(".wit")).sort().map((f) => ({ path: `${d}/${f}`, source: readFileSync(join(wasiDir, d, f), "utf8") })));
  return printWit(resolveWitPackages(groups));
}

const suite: BenchSuite = {
  title: "WIT and component new (vs jco's wasm-tools)",
  async run(): Promise<BenchRow[]> {
    if (!existsSync(jco) || !existsSync(wasiDir)) return [];
    const tools = (await import(pathToFileURL(jco).href)) as Tools;
    const rows: BenchRow[] = [];

    const cli = wasiText("cli");
    const embed = async (): Promise<unknown> => encodeWorldMetadata(selectWorld(resolveWit(cli), "command"));
    const row = await compareAsync(
      `WIT -> world metadata (wasi:cli/command, ${(cli.length / 1e3).toFixed(0)} KB of WIT)`, "jco componentEmbed",
      embed, () => tools.componentEmbed({ dummy: true, witSource: cli, world: "command" }), { rounds: 9, warmup: 3 },
    );
    rows.push(row);
    rows.push({ name: "  ours: resolve + encode throughput", anchor: "(WIT text)", ours: cli.length / 1e6 / (row.ours / 1e9), theirs: cli.length / 1e6 / (row.theirs / 1e9), ratio: row.theirs / row.ours, unit: "MB/s" });

    const http = wasiText("http");
    const proxyCore = await tools.componentEmbed({ dummy: true, witSource: http, world: "proxy" });
    const proxy = await tools.componentNew(proxyCore);
    rows.push(await compareAsync(
      `component -> WIT (wasi:http/proxy component, ${(proxy.length / 1e3).toFixed(0)} KB)`, "jco componentWit",
      async () => componentWit(proxy), () => tools.componentWit(proxy), { rounds: 9, warmup: 3 },
    ));

    const markdownWit = readFileSync(join(repo, "examples", "markdown", "markdown.wit"), "utf8");
    const component = readFileSync(join(repo, "examples", "markdown", "markdown.component.wasm"));
    const world = selectWorld(resolveWit(markdownWit));
    // The core module inside the committed component is what the C build produced; embed it again.
    const coreModule = decodeComponent(component).sections.find((s) => s.id === "core-module");
    if (coreModule?.id === "core-module") {
      const embedded = embedWorld(coreModule.module.bytes, world);
      rows.push(await compareAsync(
        `component new (Markdown renderer, ${(embedded.length / 1e3).toFixed(0)} KB core module)`, "jco componentNew",
        async () => componentNew(embedded), () => tools.componentNew(embedded), { rounds: 9, warmup: 3 },
      ));
    }
    return rows;
  },
};

export default suite;
