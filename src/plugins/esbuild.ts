/**
 * `wasmhost/esbuild`: an esbuild plugin that makes `import { render } from "./x.component.wasm"` (and
 * `.wat`, and core modules) work: the binary is embedded in a module with a typed `instantiate`, and
 * exports ready to call when it needs no imports.
 *
 * ```ts
 * import { build } from "esbuild";
 * import { wasmhost } from "wasmhost/esbuild";
 * await build({ entryPoints: ["main.ts"], bundle: true, plugins: [wasmhost()] });
 * ```
 *
 * @module
 */
import { dirname } from "node:path";
import { WASM_FILE, loadWasmModule, type WasmPluginOptions } from "./load.js";

export type { WasmPluginOptions } from "./load.js";

/** The part of esbuild's plugin interface this plugin uses (so wasmhost needs no esbuild types). */
export interface EsbuildPlugin {
  name: string;
  setup(build: {
    onLoad(
      options: { filter: RegExp },
      callback: (args: { path: string }) => Promise<{ contents: string; loader: "js"; resolveDir: string }>,
    ): void;
  }): void;
}

/** The esbuild plugin. */
export function wasmhost(options: WasmPluginOptions = {}): EsbuildPlugin {
  return {
    name: "wasmhost",
    setup(build) {
      build.onLoad({ filter: WASM_FILE }, async (args) => ({
        contents: await loadWasmModule(args.path, options),
        loader: "js",
        resolveDir: dirname(args.path),
      }));
    },
  };
}
