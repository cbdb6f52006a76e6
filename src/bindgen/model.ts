/**
 * What the generators produce before it is written out as a `.ts` file, a `.d.ts` file or a
 * bundler's JS module (`emit.ts`).
 *
 * @module
 */

/** Generated type declarations and what the writer needs to know around them. */
export interface BindingsModel {
  /** `module`: a core module (`Module`, `Linker`); `component`: a component (`Component`, `ComponentLinker`). */
  readonly kind: "module" | "component";
  /** TypeScript declarations ending with the exported types `Imports` and `Exports`. */
  readonly declarations: string;
  /** The wasmhost types the declarations use, by entry point. */
  readonly typeImports: readonly { readonly from: string; readonly names: readonly string[] }[];
  /** The names of `Exports` that can be written as `export const NAME` in a bundler's module. */
  readonly exportNames: readonly string[];
  /** Whether `instantiate` needs imports (else `Imports` is empty and the module can instantiate itself). */
  readonly hasImports: boolean;
}
