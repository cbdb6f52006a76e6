/**
 * Maps the engine's names for compiled modules back to our metadata, so that stack frames can be
 * named. Every module we compile gets a unique module name in the binary handed to the engine (see
 * `prepare.ts`); the engine prints it in frame locations as `wasm://wasm/<name>-<hash>`.
 *
 * Entries are held weakly: a module that is garbage-collected frees its entry.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";

const byName = new Map<string, WeakRef<ModuleInfo>>();
let counter = 0;

/** Reserves a unique engine-visible module name derived from `preferred` (the name section's name). */
export function reserveModuleName(preferred: string | undefined, info: ModuleInfo): string {
  const base = (preferred ?? "wasm").replace(/[^A-Za-z0-9_.$]/g, "_").slice(0, 64) || "wasm";
  let name = base;
  while (byName.get(name)?.deref() !== undefined) name = `${base}~${++counter}`;
  byName.set(name, new WeakRef(info));
  if (byName.size > 1024 && counter % 256 === 0) sweep();
  return name;
}

/** The metadata of the module the engine calls `name`, if it is still alive. */
export function lookupModule(name: string): ModuleInfo | undefined {
  return byName.get(name)?.deref();
}

function sweep(): void {
  for (const [k, v] of byName) if (v.deref() === undefined) byName.delete(k);
}
