/**
 * `wasmhost/wasi`: WASI preview1 (`wasi_snapshot_preview1`) and preview0 (`wasi_unstable`) for
 * wasmhost and for plain `WebAssembly` instances. Browser-safe: the Node host-directory filesystem lives
 * in src/host/node-fs.ts.
 *
 * @module
 */
export { Wasi, type WasiOptions, type PreopenOption, type WasiInstance } from "./wasi.js";
export { WasiExit } from "./exit.js";
export { WasiError } from "../errors.js";
export { MemoryFs, MemorySymlink, symlink, type MemoryTree } from "./fs/memory.js";
export type { Vfs, VfsDir, VfsFile, VfsStat, VfsDirEntry, VfsOpenFlags, VfsTimes } from "./fs/vfs.js";
export { registerHostFs, type HostFsFactory } from "./fs/host-hook.js";
export { fixedClock, type WasiClock } from "./clock.js";
export { seededRandom, type WasiRandom } from "./random.js";
export type { StdinOption, OutputOption } from "./stdio.js";
export type { WasiImport } from "./imports.js";
export { WASI_MODULES, SIGNATURES } from "./imports.js";
export { ERRNO, FILETYPE, RIGHTS, errnoName } from "./defs.js";
