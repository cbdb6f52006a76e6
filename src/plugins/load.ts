/**
 * What both bundler plugins do with an imported `.wasm`/`.wat` file: read it, generate its JS module
 * (the binary embedded) and write its declarations next to it, so `tsc` types the import.
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { bundleBindings } from "../bindgen/index.js";

/** Options of the bundler plugins. */
export interface WasmPluginOptions {
  /**
   * Write declarations next to each imported file (default true): `x.wasm` gets `x.d.wasm.ts`, the
   * name TypeScript looks for with `"allowArbitraryExtensions": true` in tsconfig.json.
   */
  readonly declarations?: boolean;
  /** The world to generate for, when a component's WIT has several. */
  readonly world?: string;
}

/** The files the plugins handle. */
export const WASM_FILE = /\.(wasm|wat)$/;

/** The JS module for the file at `path`, writing its declarations unless told not to. */
export async function loadWasmModule(path: string, options: WasmPluginOptions = {}): Promise<string> {
  const raw = await readFile(path);
  const input = path.endsWith(".wat") ? raw.toString("utf8") : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const { js, dts } = bundleBindings(input, { source: basename(path), world: options.world });
  if (options.declarations !== false) {
    await writeIfChanged(path.replace(/\.(wasm|wat)$/, ".d.$1.ts"), dts);
  }
  return js;
}

/** Writes `text` to `path` unless it is there already (so watchers do not loop). */
async function writeIfChanged(path: string, text: string): Promise<void> {
  const old = await readFile(path, "utf8").catch(() => undefined);
  if (old !== text) await writeFile(path, text);
}
