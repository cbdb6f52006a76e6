/**
 * The seam that lets a `{ host: "./dir" }` preopen work without the browser-safe `Wasi` importing
 * `node:fs`: src/host/node-fs.ts registers a factory here when it is loaded (Node only).
 *
 * @module
 */
import type { Vfs } from "./vfs.js";

/** Makes a filesystem for a host directory. */
export type HostFsFactory = (dir: string, readOnly: boolean) => Vfs;

let factory: HostFsFactory | undefined;

/** Installs the host-directory factory (called by src/host/node-fs.ts on import). */
export function registerHostFs(f: HostFsFactory): void {
  factory = f;
}

/** The registered factory, if a Node host filesystem was loaded. */
export function hostFsFactory(): HostFsFactory | undefined {
  return factory;
}
