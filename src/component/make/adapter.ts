/**
 * Adapter modules for `component new --adapt NAME=ADAPTER.wasm`: a core module that implements the
 * functions a main module imports from `NAME` (e.g. `wasi_snapshot_preview1`) on top of component
 * imports (WASI 0.2), as the preview1 adapters that ship with `wasi-preview1-component-adapter` and
 * jco do. What an adapter may import:
 *
 * - a memory (any module and name): the main module's exported `memory`, which the adapter shares;
 * - `__main_module__::F`: the main module's export `F` (`_start` for a command adapter's `run`);
 *   `__main_module__::cabi_realloc` is the main module's `cabi_realloc_adapter` or `cabi_realloc`
 *   export, or, when it has neither (wasi-libc programs), an allocator by `memory.grow` of whole
 *   pages that the component adds;
 * - functions of the interfaces its own `component-type` section names, by the legacy naming
 *   (`wasi:io/streams@0.2.12::[method]output-stream.write`). The import module's version may differ
 *   from the world's (`@0.2.6` against `@0.2.12`): it matches the world's interface on the same semver
 *   track (`shortVersion`), and the component imports the world's version.
 *
 * The adapter's exports that the component lifts are its world's exports (`wasi:cli/run@0.2.12#run`
 * for the command adapter). Its imports are lowered with the main module's memory and the adapter's
 * own `cabi_import_realloc` (its results are written into the adapter's state, not the main module's
 * heap). Only what can run is imported (`reachableFunctions`).
 *
 * @module
 */
import { decodeModule } from "../../binary/decoder.js";
import { type ExportInfo, type ImportInfo, type ModuleInfo, funcTypeAt } from "../../binary/module-info.js";
import { CompileError } from "../../errors.js";
import type { WitWorld } from "../wit/model.js";
import { addStackAllocation, reachableFunctions, stackGlobals } from "./adapter-module.js";
import { embeddedWorlds, stripComponentTypes } from "./embed.js";
import { LEGACY, shortVersion } from "./names.js";

/** An adapter given to `componentNew`. */
export interface AdapterInput {
  /** The import module of the main module that the adapter implements (`wasi_snapshot_preview1`). */
  readonly name: string;
  /** The adapter's core module, with its `component-type` section. */
  readonly module: Uint8Array;
}

/** The import module through which an adapter reaches the main module's exports. */
export const MAIN_MODULE = "__main_module__";

/** An adapter ready to be placed in a component. */
export interface PreparedAdapter {
  readonly name: string;
  /** The core module to embed (component-type sections removed, stack allocation added). */
  readonly bytes: Uint8Array;
  /** The decoded module (indices are those of `bytes` too). */
  readonly info: ModuleInfo;
  readonly world: WitWorld;
  readonly exports: ReadonlyMap<string, ExportInfo>;
  /** Whether a function import can be called (imports that cannot are stubbed, not imported). */
  isLive(imp: ImportInfo): boolean;
  /** The core exports the component lifts for the world's exported interfaces' functions. */
  readonly liftedExports: readonly string[];
}

/** `ns:pkg/iface@1.2.3` -> `ns:pkg/iface@1`: names on one track are semver-compatible. */
export function semverTrack(name: string): string {
  return shortVersion(name);
}

/** A core function type as text, for comparisons and messages. */
function sigOfFunc(info: ModuleInfo, typeIndex: number): string {
  const t = funcTypeAt(info, typeIndex);
  if (!t) return "(?)";
  const name = (v: unknown): string => (typeof v === "string" ? v : "ref");
  return `(${t.params.map(name).join(", ")}) -> (${t.results.map(name).join(", ")})`;
}

/**
 * Reads an adapter and works out what it needs for a main module that imports `used` from it.
 *
 * @throws CompileError when the adapter is not a core module, has no world, or does not export a
 *   function the main module imports from it (or with another type).
 */
export function prepareAdapter(input: AdapterInput, main: ModuleInfo): PreparedAdapter {
  const what = `the adapter for \`${input.name}\``;
  let worlds: WitWorld[];
  let stripped: Uint8Array;
  let info: ModuleInfo;
  try {
    worlds = embeddedWorlds(input.module);
    stripped = stripComponentTypes(input.module);
    info = decodeModule(stripped);
  } catch (e) {
    if (e instanceof CompileError) throw new CompileError(`${what} is not a valid core module: ${e.message}`, e.offset);
    throw e;
  }
  if (worlds.length !== 1) {
    throw new CompileError(`${what} must have one \`component-type\` section naming the world it needs (it has ${worlds.length})`);
  }
  const world = worlds[0]!;
  const exports = new Map(info.exports.map((e) => [e.name, e]));
  const roots: number[] = [];
  for (const imp of main.imports) {
    if (imp.module !== input.name) continue;
    if (imp.kind !== "func") throw new CompileError(`the module imports a ${imp.kind} from \`${input.name}\`; an adapter provides only functions`, imp.offset);
    const e = exports.get(imp.name);
    if (e?.kind !== "func") throw new CompileError(`the module imports \`${input.name}::${imp.name}\`, which ${what} does not export`, imp.offset);
    const want = sigOfFunc(main, imp.typeIndex);
    const have = sigOfFunc(info, funcTypeOf(info, e.index));
    if (want !== have) throw new CompileError(`the module imports \`${input.name}::${imp.name}\` as ${want}, but ${what} exports it as ${have}`, imp.offset);
    roots.push(e.index);
  }
  const liftedExports: string[] = [];
  for (const [key, item] of world.exports) {
    const prefix = item.kind === "interface" ? (item.plainName ?? item.interface.qualifiedName ?? key) : undefined;
    const names = item.kind === "interface" ? [...item.interface.functions.keys()].map((f) => LEGACY.exportName(prefix, f)) : item.kind === "function" ? [key] : [];
    for (const n of names) {
      const e = exports.get(n);
      if (e?.kind !== "func") throw new CompileError(`${what} exports \`${key}\` in its world but not the function \`${n}\``);
      roots.push(e.index);
      liftedExports.push(n);
      const post = exports.get(LEGACY.postReturn(n));
      if (post?.kind === "func") roots.push(post.index);
    }
  }
  for (const n of ["cabi_import_realloc", "cabi_realloc"]) {
    const e = exports.get(n);
    if (e?.kind === "func") roots.push(e.index);
  }
  const funcImports = info.imports.filter((i) => i.kind === "func");
  let bytes = stripped;
  const stack = stackGlobals(info);
  if (stack) {
    const realloc = funcImports.findIndex((i) => i.module === MAIN_MODULE && i.name === "cabi_realloc");
    if (realloc < 0) throw new CompileError(`${what} needs its stack allocated but imports no \`${MAIN_MODULE}::cabi_realloc\` to allocate it with`);
    roots.push(realloc);
    bytes = addStackAllocation(info, stack, realloc);
    info = decodeModule(bytes);
  }
  const live = reachableFunctions(info, roots);
  const liveImports = new Set<string>();
  info.imports.filter((i) => i.kind === "func").forEach((imp, i) => {
    if (live.has(i)) liveImports.add(`${imp.module}\u0000${imp.name}`);
  });
  return {
    name: input.name,
    bytes,
    info,
    world,
    exports,
    liftedExports,
    isLive: (imp) => imp.kind !== "func" || liveImports.has(`${imp.module}\u0000${imp.name}`),
  };
}

function funcTypeOf(info: ModuleInfo, funcIndex: number): number {
  if (funcIndex >= info.importedFuncs) return info.functions[funcIndex - info.importedFuncs]!;
  return info.imports.filter((i) => i.kind === "func")[funcIndex]!.typeIndex;
}
