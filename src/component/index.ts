/**
 * `wasmhost/component`: the WebAssembly Component Model — the component binary format (decode,
 * validate, encode), its text format, and the resolved component type model.
 *
 * @module
 */
export * from "./binary/index.js";
export type * from "./types.js";
export { ResourceType, PRIMITIVE_KINDS } from "./types.js";
export { Component, ComponentLinker, ComponentInstance, ComponentFunc, ComponentError } from "./runtime/component.js";
export type { HostResource, LinkerInstance } from "./runtime/component.js";
