/**
 * WIT, the component model's interface language: parse and resolve it, print it, turn it into
 * component types and back (`WIT.md`).
 *
 * ```ts
 * const wit = resolveWit(`package demo:markdown;
 *   world markdown { export render: func(markdown: string) -> string; }`);
 * const world = selectWorld(wit);                 // the root package's only world
 * printWit(wit);                                  // WIT text again
 * worldComponentType(world);                      // the ComponentType the canonical ABI works on
 * componentWit(decodeComponent(bytes));           // what `wasm-tools component wit` prints
 * ```
 *
 * @module
 */
import type { ComponentInfo } from "../binary/ast.js";
import { decodeComponent } from "../binary/decoder.js";
import { WitError } from "../../errors.js";
import { decodeWit } from "./decode.js";
import type { WitResolution, WitWorld } from "./model.js";
import { printWitResolution } from "./print.js";
import { type WitResolveOptions, type WitSource, resolveWitDirectory, resolveWitGroups, resolveWitSource } from "./resolve.js";

export type {
  WitCase, WitField, WitFunction, WitFunctionKind, WitItemInfo, WitName, WitPackageName, WitResolution, WitStability,
  WitType, WitTypeDefKind, WitWorldItem,
} from "./model.js";
export { WitInterface, WitPackage, WitTypeDef, WitWorld, witFunctionShortName } from "./model.js";
export type { WitResolveOptions, WitSource } from "./resolve.js";
export { printWitPackage, printWitType } from "./print.js";
export { encodePackage as encodeWitPackage, encodeWorldMetadata, encodeWorldType } from "./encode.js";
export { decodeWit } from "./decode.js";
export { WitTypeConverter, worldComponentType } from "./component-type.js";

/** Options of `resolveWit`. */
export interface ResolveWitOptions extends WitResolveOptions {
  /** The file name shown in errors (default `<input>`). */
  readonly path?: string;
}

/**
 * Parses and resolves WIT text: one file whose `package` is the root, with any nested
 * `package a:b { ... }` blocks as its dependencies.
 *
 * @throws WitError with file, line and column for a syntax or resolution error.
 */
export function resolveWit(source: string, options: ResolveWitOptions = {}): WitResolution {
  return resolveWitSource(source, options.path ?? "<input>", options);
}

/**
 * Resolves a WIT directory given as its files (the caller reads them): `dir/*.wit` are the root
 * package, `dir/deps/NAME.wit` and `dir/deps/NAME/*.wit` its dependencies (`WIT.md`, "Filesystem
 * structure"). Paths use `/`.
 *
 * @throws WitError with file, line and column.
 */
export function resolveWitFiles(dir: string, files: readonly WitSource[], options?: WitResolveOptions): WitResolution {
  return resolveWitDirectory(dir, files, options);
}

/**
 * Resolves several packages given as groups of files (each group one package; nested packages
 * allowed). The first group's package is the root.
 */
export function resolveWitPackages(groups: readonly (readonly WitSource[])[], options?: WitResolveOptions): WitResolution {
  return resolveWitGroups(groups, options);
}

/**
 * Picks the world to use (`WIT.md`, "Specifying a World"): with no name, the root package's only
 * world; a plain name, that world of the root package; `ns:pkg/name[@v]`, that world of any package.
 *
 * @throws WitError naming the worlds there are, when the choice is missing or ambiguous.
 */
export function selectWorld(resolution: WitResolution, name?: string): WitWorld {
  const root = resolution.root;
  if (name === undefined) {
    const worlds = root ? [...root.worlds.values()] : [];
    if (worlds.length === 1) return worlds[0]!;
    throw new WitError(worlds.length === 0
      ? `package \`${root ?? "(none)"}\` has no world`
      : `package \`${root}\` has ${worlds.length} worlds (${worlds.map((w) => w.name).join(", ")}): pick one`);
  }
  const m = /^([^:/]+):([^:/]+)\/([^@]+)(?:@(.+))?$/.exec(name);
  if (m) {
    for (const p of resolution.packages) {
      if (p.name.namespace === m[1] && p.name.name === m[2] && (m[4] === undefined || p.name.version === m[4])) {
        const w = p.worlds.get(m[3]!);
        if (w) return w;
      }
    }
    throw new WitError(`world \`${name}\` not found`);
  }
  const w = root?.worlds.get(name);
  if (!w) throw new WitError(`world \`${name}\` not found in package \`${root ?? "(none)"}\`${root ? ` (worlds: ${[...root.worlds.keys()].join(", ") || "none"})` : ""}`);
  return w;
}

/** Prints a resolution as one WIT file: the root package, then the others as nested packages. */
export function printWit(resolution: WitResolution): string {
  return printWitResolution(resolution);
}

/**
 * The WIT of a component, as `wasm-tools component wit` prints it: for an ordinary component its
 * world `root` in the package `root:component`; for a WIT package encoded as a component, the package.
 * The interfaces it uses from other packages follow as nested packages.
 *
 * @throws CompileError when the binary is malformed or a type cannot be written in WIT.
 */
export function componentWit(component: ComponentInfo | Uint8Array): string {
  const info = component instanceof Uint8Array ? decodeComponent(component) : component;
  return printWitResolution(decodeWit(info));
}
