/**
 * `wasmhost/wasi` as Node.js loads it: the browser-safe WASI module plus the host filesystem, so that
 * `{ host: "./dir" }` preopens work and `NodeFs` is at hand. Browsers get `src/wasi/index.ts` alone
 * (see the `exports` map in package.json).
 *
 * @module
 */
import "./node-fs.js";

export * from "../wasi/index.js";
export { NodeFs } from "./node-fs.js";
