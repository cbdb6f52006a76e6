/**
 * The filesystem interface behind every WASI preopen: the in-memory `MemoryFs`, the Node-only `NodeFs`
 * (src/host/node-fs.ts), or one of your own.
 *
 * The contract keeps a filesystem simple and the sandbox in one place:
 * - Every `*At(name)` method receives ONE path component: never empty, never `.` or `..`, never
 *   containing `/` or NUL. wasmhost walks paths itself (src/wasi/fs/resolve.ts), one component at a
 *   time, and follows symlinks itself, inside the preopen. So an implementation must NOT follow a
 *   symlink named by `name` (lstat semantics); `openDirAt` on a symlink fails with `ELOOP` or `ENOTDIR`.
 * - Failures are returned, not thrown: a method returns a negative errno (`-ERRNO.NOENT`) or, where it
 *   returns an object, the positive errno number instead of the object. A thrown exception becomes `EIO`.
 * - `readOnly: true` makes wasmhost refuse every write with `EROFS` before calling you; implementations
 *   should refuse as well.
 *
 * @module
 */

/** What `stat` reports. Times are nanoseconds since the Unix epoch. */
export interface VfsStat {
  /** A `FILETYPE` value (regular file 4, directory 3, symlink 7, ...). */
  filetype: number;
  dev: bigint;
  ino: bigint;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

/** One directory entry (without `.` and `..`, which wasmhost adds). */
export interface VfsDirEntry {
  name: string;
  /** A `FILETYPE` value, not following symlinks. */
  filetype: number;
  /** The inode number, or `0n` when unknown. */
  ino: bigint;
}

/** How to open a file (a regular file; directories go through `openDirAt`). */
export interface VfsOpenFlags {
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  read: boolean;
  write: boolean;
}

/** Times to set: `null` leaves a time unchanged; a bigint is nanoseconds since the epoch. */
export interface VfsTimes {
  atim: bigint | null;
  mtim: bigint | null;
}

/** An open directory. Return conventions: see the module comment. */
export interface VfsDir {
  /** Metadata of the directory itself. */
  stat(): VfsStat | number;
  /** Opens another handle to this same directory (for `path_open(".")`). */
  reopen(): VfsDir | number;
  /** Metadata of the entry `name`, not following a symlink. */
  statAt(name: string): VfsStat | number;
  /** Opens the subdirectory `name`; a symlink is NOT followed (`ELOOP`/`ENOTDIR`). */
  openDirAt(name: string): VfsDir | number;
  /** Opens (or creates) the regular file `name`; a symlink is NOT followed (`ELOOP`). A directory gives `EISDIR`. */
  openFileAt(name: string, flags: VfsOpenFlags): VfsFile | number;
  /** The target of the symlink `name` (`EINVAL` when it is not a symlink). */
  readlinkAt(name: string): string | number;
  /** Creates a directory. */
  mkdirAt(name: string): number;
  /** Removes an empty directory. */
  rmdirAt(name: string): number;
  /** Removes a non-directory entry (a directory gives `EISDIR`). */
  unlinkAt(name: string): number;
  /** Creates a symlink `name` whose content is `target` (never interpreted by the filesystem). */
  symlinkAt(target: string, name: string): number;
  /** Makes `toDir/toName` a hard link to `name` (not following a symlink). `toDir` is of the same filesystem. */
  linkAt(name: string, toDir: VfsDir, toName: string): number;
  /** Renames `name` to `toDir/toName` with POSIX `rename` semantics. `toDir` is of the same filesystem. */
  renameAt(name: string, toDir: VfsDir, toName: string): number;
  /** Sets the times of `name` without following a symlink. */
  setTimesAt(name: string, times: VfsTimes): number;
  /** Sets the times of the directory itself. */
  setTimes(times: VfsTimes): number;
  /** A snapshot of the entries (without `.` and `..`). */
  readdir(): VfsDirEntry[] | number;
  /** Flushes the directory (fsync). */
  sync(): number;
  /** Releases the handle. wasmhost calls it exactly once per handle it got from `openDirAt` or `root`. */
  close(): void;
}

/** An open regular file. Positions are byte offsets; wasmhost keeps the file offset itself. */
export interface VfsFile {
  /** Reads up to `length` bytes at `position` into `buf[offset..]`; returns the count (0 at end) or -errno. */
  read(buf: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes `buf[offset..offset+length]` at `position`; returns the count or -errno. */
  write(buf: Uint8Array, offset: number, length: number, position: number): number;
  /**
   * True when each `write` costs a system call: a WASI 0.2 guest's consecutive stream writes to the file
   * may then be gathered into one `write`, issued before any other use of the WASI state and before
   * the run returns (src/component/wasi/preview1.ts). A late error (a full disk) is reported by the
   * stream's next operation. Such a file's `size` is taken to cost a system call as well, so stream
   * reads do not ask it before each read.
   */
  readonly writeBehind?: boolean;
  /** The current size in bytes, or -errno. */
  size(): number;
  stat(): VfsStat | number;
  /** Truncates or extends (with zeros) to `size` bytes. */
  setSize(size: number): number;
  setTimes(times: VfsTimes): number;
  /** Flushes data and metadata (`datasyncOnly`: data only). */
  sync(datasyncOnly: boolean): number;
  close(): void;
}

/** A filesystem that can be mounted as a WASI preopen. */
export interface Vfs {
  /** When true, wasmhost refuses every modification with `EROFS`. */
  readonly readOnly: boolean;
  /** Opens the root directory of the filesystem (closed by wasmhost with `close()`). */
  root(): VfsDir | number;
}

/** Whether a `*At` result is an errno rather than an object. */
export function isErrno(v: unknown): v is number {
  return typeof v === "number";
}
