/**
 * `wasmhost/component`: the WebAssembly Component Model — the component binary format (decode,
 * validate, encode), its text format (`(component ...)` and component `.wast` scripts), the resolved
 * component type model, WIT (parse, resolve, print, encode, decode; `componentWit`), making
 * components from core modules (`componentNew`), and running them (`Component`, `ComponentLinker`).
 *
 * @module
 */
export * from "./binary/index.js";
export { isComponentText } from "./detect.js";
export { parseComponentText, parseComponentTokens, type ComponentTextOptions } from "./text/parser.js";
export { printComponent } from "./text/print.js";
export {
  componentValuesEqual,
  parseComponentWast,
  type ComponentAction,
  type ComponentValue,
  type ComponentWastDirective,
  type ComponentWastScript,
  type WastUnit,
} from "./text/wast.js";
export type * from "./types.js";
export { ResourceType, PRIMITIVE_KINDS } from "./types.js";
export * from "./wit/index.js";
export * from "./make/index.js";
export { WitError } from "../errors.js";
export { Component, type ComponentItemType } from "./runtime/component.js";
export { ComponentLinker, type HostResource, type LinkerInstance } from "./runtime/linker.js";
export { ComponentInstance, ComponentFunc } from "./runtime/instance.js";
export { ComponentError } from "./runtime/errors.js";
export { WASI_P2_VERSION } from "./wasi/index.js";
