/**
 * The unwind/rewind rewrite ("asyncify"): lets wasm wait for an async host function on engines without
 * JSPI. See src/runtime/async-rewrite.ts for the host side.
 *
 * @module
 */

/** Values of the state global a rewritten module imports. */
export const AsyncState = { normal: 0, unwinding: 1, rewinding: 2 } as const;

/** Names of the rewrite's hidden imports (under `HOST_MODULE`). */
export const AsyncImport = {
  state: "async_state",
  save: (t: string): string => `async_save_${t}`,
  load: (t: string): string => `async_load_${t}`,
} as const;
