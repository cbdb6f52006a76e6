/**
 * `wasmhost/vite`: a Vite and Rollup plugin that makes `import { render } from "./x.component.wasm"`
 * (and `.wat`, and core modules) work in dev mode and in builds: the binary is embedded in a module
 * with a typed `instantiate`, and exports ready to call when it needs no imports.
 *
 * ```ts
 * // vite.config.ts
 * import { wasmhost } from "wasmhost/vite";
 * export default { plugins: [wasmhost()] };
 * ```
 *
 * @module
 */
import { WASM_FILE, loadWasmModule, type WasmPluginOptions } from "./load.js";

export type { WasmPluginOptions } from "./load.js";

/** The part of the Rollup/Vite plugin interface this plugin uses (so wasmhost needs neither's types). */
export interface RollupPlugin {
  name: string;
  /** Vite: run before Vite's own `.wasm` handling. */
  enforce: "pre";
  load(id: string): Promise<string | null>;
}

/** The Vite/Rollup plugin. */
export function wasmhost(options: WasmPluginOptions = {}): RollupPlugin {
  return {
    name: "wasmhost",
    enforce: "pre",
    async load(id) {
      const path = id.replace(/[?#].*$/, "");
      if (id !== path || !WASM_FILE.test(path)) return null; // `x.wasm?init` and the like are Vite's
      return loadWasmModule(path, options);
    },
  };
}
