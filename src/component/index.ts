/**
 * `wasmhost/component`: the WebAssembly Component Model — the component binary format (decode,
 * validate, encode), its text format, the resolved component type model, WIT (parse, resolve, print,
 * encode, decode; `componentWit`) and making components from core modules (`componentNew`).
 *
 * @module
 */
export * from "./binary/index.js";
export type * from "./types.js";
export { ResourceType, PRIMITIVE_KINDS } from "./types.js";
export * from "./wit/index.js";
export * from "./make/index.js";
export { WitError } from "../errors.js";
