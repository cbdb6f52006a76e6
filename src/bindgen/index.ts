/**
 * `wasmhost/bindgen`: TypeScript bindings for a core module, a component or a WIT world — the
 * generator behind `wasmhost bindgen` and the bundler plugins.
 *
 * ```ts
 * import { generateBindings } from "wasmhost/bindgen";
 * const ts = generateBindings(readFileSync("markdown.component.wasm"), { source: "markdown.component.wasm" });
 * // export interface Exports { render(markdown: string): string; } ... export function instantiate(...)
 * ```
 *
 * @module
 */
import { Engine } from "../runtime/engine.js";
import { Module } from "../runtime/module.js";
import { watToBinary } from "../text/index.js";
import { decodeComponent, isComponentBinary } from "../component/binary/index.js";
import { isComponentText } from "../component/detect.js";
import { parseComponentText } from "../component/text/parser.js";
import { decodeWit, resolveWit, resolveWitFiles, selectWorld, type WitResolution, type WitSource } from "../component/wit/index.js";
import { coreBindings } from "./core.js";
import { emitDeclarations, emitJavaScript, emitTypeScript } from "./emit.js";
import type { BindingsModel } from "./model.js";
import { witBindings } from "./wit.js";

export type { BindingsModel } from "./model.js";
export type { CoreModuleShape } from "./core.js";
export { coreBindings } from "./core.js";
export { witBindings } from "./wit.js";
export { emitDeclarations, emitJavaScript, emitTypeScript } from "./emit.js";

/** Options of the generator. */
export interface BindgenOptions {
  /** The world to generate for, when the WIT has several (`name` or `ns:pkg/name@version`). */
  readonly world?: string;
  /** The input's file name, for error messages and the generated header. */
  readonly source?: string;
}

/** What a text input is: the text format of a module or component, or WIT. */
function isWat(text: string): boolean {
  return /^(?:\s|;;[^\n]*\n|\(;[\s\S]*?;\))*\((?:module|component)\b/.test(text);
}

/**
 * The binary of an input given as bytes or text: a binary as is, the text format (module or
 * component) assembled. WIT text has no binary: `undefined`.
 */
export function binaryOf(input: Uint8Array | string, options: BindgenOptions = {}): Uint8Array | undefined {
  if (typeof input !== "string") return input;
  if (!isWat(input)) return undefined;
  return isComponentText(input) ? parseComponentText(input, { file: options.source }) : watToBinary(input, { file: options.source });
}

/**
 * The bindings model of an input: a core module or component (binary or text format), or WIT text
 * (one file; nested `package` blocks are its dependencies).
 *
 * @throws CompileError, WatError or WitError for a bad input, naming where.
 */
export function bindingsOf(input: Uint8Array | string, options: BindgenOptions = {}): BindingsModel {
  const bytes = binaryOf(input, options);
  if (bytes === undefined) return witBindings(selectWorld(resolveWit(input as string, { path: options.source }), options.world));
  if (isComponentBinary(bytes)) return witBindings(selectWorld(decodeWit(decodeComponent(bytes)), options.world));
  const module = new Module(new Engine(), bytes);
  return coreBindings({ imports: module.imports, exports: module.exports });
}

/** The bindings model of a WIT directory given as its files (`dir/*.wit`, `dir/deps/...`). */
export function bindingsOfWitFiles(dir: string, files: readonly WitSource[], options: BindgenOptions = {}): BindingsModel {
  return witBindings(selectWorld(resolveWitFiles(dir, files), options.world));
}

/** The world a resolution selects, for callers that resolved WIT themselves. */
export function bindingsOfWit(resolution: WitResolution, options: BindgenOptions = {}): BindingsModel {
  return witBindings(selectWorld(resolution, options.world));
}

/** One TypeScript file of bindings for `input` (what `wasmhost bindgen` writes). */
export function generateBindings(input: Uint8Array | string, options: BindgenOptions = {}): string {
  return emitTypeScript(bindingsOf(input, options), options.source ?? "<input>");
}

/**
 * What a bundler serves for an imported `.wasm`/`.wat`: the JS module (binary embedded) and its
 * `.d.ts`.
 */
export function bundleBindings(input: Uint8Array | string, options: BindgenOptions = {}): { js: string; dts: string } {
  const bytes = binaryOf(input, options);
  if (bytes === undefined) throw new TypeError(`${options.source ?? "input"}: a bundler can import a module or component, not WIT`);
  const model = bindingsOf(bytes, options);
  const source = options.source ?? "<input>";
  return { js: emitJavaScript(model, bytes, source), dts: emitDeclarations(model, source) };
}
