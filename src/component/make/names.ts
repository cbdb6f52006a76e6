/**
 * How a core module names what it imports from and exports to its component: the two conventions
 * `wit-component` accepts.
 *
 * - legacy (what `wit-bindgen` and most toolchains emit): imports from `$root` and from the interface
 *   names (`ns:pkg/iface@1.2.3`), `[resource-drop]r`; exports `f` and `ns:pkg/iface@1.2.3#f`,
 *   `cabi_post_<export>`, `memory`, `cabi_realloc`, `_initialize`;
 * - standard (`cm32p2`, `BuildTargets.md`): imports from `cm32p2` and `cm32p2|ns:pkg/iface@1`,
 *   `r_drop`; exports `cm32p2||f` and `cm32p2|ns:pkg/iface@1|f`, `<export>_post`, `cm32p2_memory`,
 *   `cm32p2_realloc`, `cm32p2_initialize`. Versions are shortened to what is semver-significant
 *   (`1.2.3` -> `1`, `0.2.12` -> `0.2`, `0.0.3` stays).
 *
 * @module
 */

/** One naming convention. */
export interface CoreNaming {
  readonly name: "legacy" | "standard";
  readonly memory: string;
  readonly realloc: string;
  readonly initialize: string;
  /** The import module of world-level functions. */
  readonly rootModule: string;
  /** The import module of a world import (interface name or plain name). */
  importModule(key: string): string;
  /** The resource a `[resource-drop]r` (or `r_drop`) import drops, if the name is one. */
  droppedResource(field: string): string | undefined;
  /** The core export of a function of an exported interface (`iface` absent: a world function). */
  exportName(iface: string | undefined, func: string): string;
  /** The core export of the post-return function of a core export. */
  postReturn(exportName: string): string;
  /** The import module of the resource built-ins of an exported interface. */
  exportModule(key: string): string;
  /** The built-in a field of an export module names (`[resource-new]r` or `r_new`, ...). */
  resourceBuiltin(field: string): { readonly op: "new" | "rep" | "drop"; readonly resource: string } | undefined;
  /** The core export of the destructor of an exported resource. */
  destructor(iface: string, resource: string): string;
}

/** `@1.2.3` -> `@1`, `@0.2.12` -> `@0.2`, `@0.0.3` unchanged; names without a version unchanged. */
export function shortVersion(name: string): string {
  const m = /^(.*)@(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(name);
  if (!m || /[-+]/.test(name.slice(name.lastIndexOf("@")))) return name;
  const [, base, major, minor] = m;
  if (major !== "0") return `${base}@${major}`;
  if (minor !== "0") return `${base}@0.${minor}`;
  return name;
}

/** The legacy convention (`wit-bindgen`'s). */
export const LEGACY: CoreNaming = {
  name: "legacy",
  memory: "memory",
  realloc: "cabi_realloc",
  initialize: "_initialize",
  rootModule: "$root",
  importModule: (key) => key,
  droppedResource: (field) => /^\[resource-drop\](.+)$/.exec(field)?.[1],
  exportName: (iface, func) => (iface === undefined ? func : `${iface}#${func}`),
  postReturn: (name) => `cabi_post_${name}`,
  exportModule: (key) => `[export]${key}`,
  resourceBuiltin: (field) => {
    const m = /^\[resource-(new|rep|drop)\](.+)$/.exec(field);
    return m ? { op: m[1] as "new" | "rep" | "drop", resource: m[2]! } : undefined;
  },
  destructor: (iface, resource) => `${iface}#[dtor]${resource}`,
};

/** The standard `cm32p2` convention. */
export const STANDARD: CoreNaming = {
  name: "standard",
  memory: "cm32p2_memory",
  realloc: "cm32p2_realloc",
  initialize: "cm32p2_initialize",
  rootModule: "cm32p2",
  importModule: (key) => `cm32p2|${shortVersion(key)}`,
  droppedResource: (field) => /^(.+)_drop$/.exec(field)?.[1],
  exportName: (iface, func) => `cm32p2|${iface === undefined ? "" : shortVersion(iface)}|${func}`,
  postReturn: (name) => `${name}_post`,
  exportModule: (key) => `cm32p2|_ex_${shortVersion(key)}`,
  resourceBuiltin: (field) => {
    const m = /^(.+)_(new|rep|drop)$/.exec(field);
    return m ? { op: m[2] as "new" | "rep" | "drop", resource: m[1]! } : undefined;
  },
  destructor: (iface, resource) => `cm32p2|${shortVersion(iface)}|${resource}_dtor`,
};

/** The convention a module uses: standard when any import module or export name starts with `cm32p2`. */
export function namingOf(imports: readonly { readonly module: string }[], exports: readonly { readonly name: string }[]): CoreNaming {
  return imports.some((i) => i.module.startsWith("cm32p2")) || exports.some((e) => e.name.startsWith("cm32p2")) ? STANDARD : LEGACY;
}
