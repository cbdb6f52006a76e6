/**
 * Node.js host support: reading module files. Loaded without a static `node:` import, so that the
 * runtime stays loadable in browsers, where `Module.fromFile` then reports that it needs Node.js.
 *
 * @module
 */

interface NodeFs {
  readFileSync(path: string): Uint8Array;
}

/** Node's `fs`, when running on Node (>= 20.16, which has `process.getBuiltinModule`). */
function nodeFs(): NodeFs | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.("node:fs") as NodeFs | undefined;
}

/** A reader of whole files, or `undefined` off Node. */
export function fileReader(): ((path: string) => Uint8Array) | undefined {
  const fs = nodeFs();
  if (!fs) return undefined;
  return (path: string) => {
    if (typeof path !== "string") throw new TypeError(`expected a file path string, got ${path === null ? "null" : typeof path}`);
    return fs.readFileSync(path);
  };
}
