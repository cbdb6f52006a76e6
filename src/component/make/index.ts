/**
 * Making components from core modules: `componentNew` (what `wasm-tools component new` does) and the
 * `component-type` custom section (`embedWorld`, what `wasm-tools component embed` does).
 *
 * @module
 */
export { type AdapterInput, componentNew, type ComponentNewOptions } from "./new.js";
export { embedWorld, embeddedWorlds } from "./embed.js";
