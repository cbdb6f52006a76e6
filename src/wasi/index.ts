/**
 * `wasmhost/wasi`: WASI preview1 (`wasi_snapshot_preview1`) and preview0 (`wasi_unstable`) for
 * wasmhost and for plain `WebAssembly` instances. Browser-safe: the Node host-directory filesystem lives
 * in src/host/node-fs.ts.
 *
 * ```ts
 * const wasi = new Wasi({
 *   args: ["prog", "--flag"], env: { HOME: "/home" },
 *   stdin: "input text", stdout: "pipe", stderr: "inherit",
 *   preopens: {
 *     "/tmp": { memory: { "a.txt": "hi", sub: { "b.bin": new Uint8Array([1, 2]) } } },  // in memory
 *     "/data": { host: "./data", readOnly: true },                                     // Node only
 *   },
 * });
 * linker.defineWasi(wasi);                         // or: new WebAssembly.Instance(m, wasi.getImportObject())
 * const code = wasi.start(linker.instantiate(store, module));
 * wasi.stdoutText();
 * ```
 *
 * Security model: the guest is untrusted. It sees only what the options give it. Paths are resolved
 * one component at a time inside the directory descriptor they are relative to; `..` above it, absolute
 * paths and absolute symlinks are `ENOTCAPABLE`; symlinks are followed by wasmhost, never by the host;
 * on Linux host directories are used through descriptors (`/proc/<pid>/fd/N/name`), so a symlink swapped
 * in by another process cannot redirect an operation. Read-only mounts answer `EROFS`; bad guest
 * pointers `EFAULT`; a throwing filesystem `EIO`.
 *
 * Determinism: `clock: fixedClock(start, step)` and `random: seededRandom(seed)`; a clock with a
 * `sleep` method also replaces real sleeping in `poll_oneoff`.
 *
 * Your own filesystem: implement `Vfs` (see src/wasi/fs/vfs.ts) and mount it as `{ fs: myVfs }`.
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
export { DEFAULT_PIPE_CAPACITY, type StdinOption, type OutputOption } from "./stdio.js";
export type { WasiImport } from "./imports.js";
export { WASI_MODULES, SIGNATURES } from "./imports.js";
export { ERRNO, FILETYPE, RIGHTS, errnoName } from "./defs.js";
