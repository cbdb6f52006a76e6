/**
 * `NodeFs`: a host directory as a WASI filesystem (Node only; the one WASI file that imports `node:fs`).
 * Importing this module also lets `{ host: "./dir" }` preopens work (it registers itself with `Wasi`).
 *
 * Sandboxing. wasmhost walks guest paths itself, one component at a time (src/wasi/fs/resolve.ts), and
 * this filesystem never follows a symlink on its behalf: directories are opened with
 * `O_DIRECTORY | O_NOFOLLOW`, files with `O_NOFOLLOW`, entries are `lstat`ed. Each directory the walk
 * enters is held open as a real descriptor, and on Linux every operation names its target through
 * that descriptor (`/proc/self/fd/N/name`, which the kernel resolves to the directory actually opened,
 * like `openat`). So swapping a directory for a symlink between the check and the use cannot redirect an
 * operation outside the preopen. Elsewhere (no /proc) operations use the walked host path, and such a
 * swap race is only narrowed, not closed: the host offers no portable `openat` to Node.
 *
 * Only regular files, directories and symlinks are exposed; a device or FIFO placed in the directory
 * by the host cannot be opened (`ENOTSUP`), so a guest can never block the host on one.
 *
 * Symlinks a guest plants. wasmhost never follows a symlink out of the preopen, but host tools would,
 * so a guest may only create symlinks whose target stays inside (`leadingClimbs` in resolve.ts: no
 * absolute target, `..` only leading and no more of them than the link's depth), the depth being the
 * directory's real location, read from the host (`/proc/self/fd/N`). Known limit: moving a directory
 * that holds such a link (or the link itself) to a shallower place afterwards can make its target
 * point outside; wasmhost still refuses to follow it there.
 *
 * Timestamps. Node's `utimes` takes seconds as a double and libuv keeps whole microseconds, so the
 * nanoseconds a guest sets are remembered (per device and inode, with the value the host then
 * stored) and reported as long as the host still holds that value: set and read back exactly, while any
 * later change by anyone shows as it is. The memory is bounded (the oldest entries are forgotten: a
 * forgotten time reads back to the microsecond).
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WasiError } from "../errors.js";
import { ERRNO, FILETYPE } from "../wasi/defs.js";
import { registerHostFs } from "../wasi/fs/host-hook.js";
import { leadingClimbs } from "../wasi/fs/resolve.js";
import type { PreopenOption } from "../wasi/wasi.js";
import type { Vfs, VfsDir, VfsDirEntry, VfsFile, VfsOpenFlags, VfsStat, VfsTimes } from "../wasi/fs/vfs.js";

const C = fs.constants;
const PROC = process.platform === "linux" && fs.existsSync("/proc/self/fd");
const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;
/** `/proc/<pid>/fd/` (a little cheaper for the kernel than `/proc/self/fd/`). */
const PROC_FD = `/proc/${process.pid}/fd/`;
/** Directory handles kept open per NodeFs for walks that pass through the same directories. */
const DIR_CACHE_SIZE = 16;

const CODES: Record<string, number> = {
  ENOENT: ERRNO.NOENT, EEXIST: ERRNO.EXIST, ENOTDIR: ERRNO.NOTDIR, EISDIR: ERRNO.ISDIR,
  ENOTEMPTY: ERRNO.NOTEMPTY, EACCES: ERRNO.ACCES, EPERM: ERRNO.PERM, ELOOP: ERRNO.LOOP, EXDEV: ERRNO.XDEV,
  EINVAL: ERRNO.INVAL, EBADF: ERRNO.BADF, ENAMETOOLONG: ERRNO.NAMETOOLONG, ENOSPC: ERRNO.NOSPC,
  EROFS: ERRNO.ROFS, EMLINK: ERRNO.MLINK, EBUSY: ERRNO.BUSY, EFBIG: ERRNO.FBIG, EIO: ERRNO.IO,
  EMFILE: ERRNO.MFILE, ENFILE: ERRNO.NFILE, ENXIO: ERRNO.NXIO, EAGAIN: ERRNO.AGAIN, ETXTBSY: ERRNO.TXTBSY,
  EOVERFLOW: ERRNO.OVERFLOW, ESPIPE: ERRNO.SPIPE, EDQUOT: ERRNO.DQUOT, ENOTSUP: ERRNO.NOTSUP,
  EOPNOTSUPP: ERRNO.NOTSUP, ENOMEM: ERRNO.NOMEM, EINTR: ERRNO.INTR,
};

/** The WASI errno for a Node fs error (`EIO` for anything unknown). */
export function errnoOf(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? (CODES[code] ?? ERRNO.IO) : ERRNO.IO;
}

function filetypeOf(s: fs.BigIntStats | fs.Stats | fs.Dirent): number {
  if (s.isFile()) return FILETYPE.REGULAR_FILE;
  if (s.isDirectory()) return FILETYPE.DIRECTORY;
  if (s.isSymbolicLink()) return FILETYPE.SYMBOLIC_LINK;
  if (s.isCharacterDevice()) return FILETYPE.CHARACTER_DEVICE;
  if (s.isBlockDevice()) return FILETYPE.BLOCK_DEVICE;
  if (s.isSocket()) return FILETYPE.SOCKET_STREAM;
  return FILETYPE.UNKNOWN;
}

function toStat(s: fs.BigIntStats): VfsStat {
  const st: VfsStat = { filetype: filetypeOf(s), dev: s.dev, ino: s.ino, nlink: s.nlink, size: s.size, atim: s.atimeNs, mtim: s.mtimeNs, ctim: s.ctimeNs };
  if (timesSet.size > 0) exactTimes(st);
  return st;
}

/** Times a guest set, by `dev:ino`: what it asked for and what the host stored (see the module comment). */
interface SetTimes {
  atim: bigint;
  atimHost: bigint;
  mtim: bigint;
  mtimHost: bigint;
}
const timesSet = new Map<string, SetTimes>();
/** How many inodes' set times are remembered. */
const TIMES_REMEMBERED = 4096;

/** Replaces the host's microsecond times in `st` by the nanoseconds a guest set, where the host still holds what was stored then. */
function exactTimes(st: VfsStat): void {
  const t = timesSet.get(`${st.dev}:${st.ino}`);
  if (t === undefined) return;
  if (st.atim === t.atimHost) st.atim = t.atim;
  if (st.mtim === t.mtimHost) st.mtim = t.mtim;
}

/**
 * Sets times through `set(atimeSecs, mtimeSecs)` (a futimes or lutimes), reading the current times with
 * `stat` for what stays unchanged, and remembers the nanoseconds.
 */
function setTimesExactly(stat: () => fs.BigIntStats, set: (a: number, m: number) => void, times: VfsTimes): void {
  const cur = stat();
  const key = `${cur.dev}:${cur.ino}`;
  const known = timesSet.get(key);
  // The times as the guest sees them now (exact where remembered), for the one it leaves alone.
  const curA = known !== undefined && cur.atimeNs === known.atimHost ? known.atim : cur.atimeNs;
  const curM = known !== undefined && cur.mtimeNs === known.mtimHost ? known.mtim : cur.mtimeNs;
  const atim = times.atim ?? curA;
  const mtim = times.mtim ?? curM;
  set(secs(atim), secs(mtim));
  const after = stat();
  timesSet.delete(key);
  if (timesSet.size >= TIMES_REMEMBERED) timesSet.delete(timesSet.keys().next().value!);
  timesSet.set(key, { atim, atimHost: after.atimeNs, mtim, mtimHost: after.mtimeNs });
}

/** Seconds (as Node's utimes wants them) from nanoseconds. */
function secs(ns: bigint): number {
  // libuv truncates to whole microseconds; the half microsecond keeps the double's rounding from
  // dropping one.
  return (Number(ns / 1000n) + 0.5) / 1e6;
}


/** An open host directory. */
class NodeDir implements VfsDir {
  /** Holders of this handle: the walk or descriptor that opened it, plus the owner's cache. */
  refs = 1;
  /** How operations name this directory: through its descriptor on Linux, by path elsewhere. */
  private readonly base: string;
  constructor(readonly owner: NodeFs, readonly fd: number, readonly hostPath: string, readonly dev = 0n, readonly ino = 0n) {
    this.base = PROC ? `${PROC_FD}${fd}` : hostPath;
  }
  /** The host path of entry `name` of this directory. */
  at(name: string): string {
    return `${this.base}/${name}`;
  }
  private get ro(): boolean {
    return this.owner.readOnly;
  }
  stat(): VfsStat | number {
    try {
      return toStat(fs.fstatSync(this.fd, { bigint: true }));
    } catch (e) {
      return errnoOf(e);
    }
  }
  reopen(): VfsDir | number {
    try {
      return new NodeDir(this.owner, fs.openSync(this.base, C.O_RDONLY | C.O_DIRECTORY), this.hostPath);
    } catch (e) {
      return errnoOf(e);
    }
  }
  statAt(name: string): VfsStat | number {
    try {
      const s = fs.lstatSync(this.at(name), { bigint: true, throwIfNoEntry: false });
      return s === undefined ? ERRNO.NOENT : toStat(s);
    } catch (e) {
      return errnoOf(e);
    }
  }
  openDirAt(name: string): VfsDir | number {
    // Walks pass through the same directories again and again ("dir/f1", "dir/f2", ...): reuse a
    // cached handle when the entry is still the very directory it was opened on (same device and
    // inode, seen through this handle without following a symlink). Otherwise open it afresh.
    const cache = this.owner.dirCache;
    const key = `${this.fd}/${name}`;
    const hit = cache.get(key);
    try {
      if (hit !== undefined) {
        // The check only decides whether to reuse a handle this filesystem already opened inside the
        // sandbox (every use goes through a descriptor), so it may take the cheaper plain host path:
        // a racing swap can at worst make it miss, and then the directory is opened afresh, safely.
        const st = fs.lstatSync(`${this.hostPath}/${name}`, { bigint: true, throwIfNoEntry: false });
        if (st !== undefined && st.isDirectory() && st.ino === hit.ino && st.dev === hit.dev) {
          hit.refs++;
          return hit;
        }
        cache.delete(key);
        hit.close();
      }
      const fd = fs.openSync(this.at(name), DIR_FLAGS);
      let st: fs.BigIntStats;
      try {
        st = fs.fstatSync(fd, { bigint: true });
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
      const dir = new NodeDir(this.owner, fd, `${this.hostPath}/${name}`, st.dev, st.ino);
      if (cache.size >= DIR_CACHE_SIZE) {
        const [oldKey, old] = cache.entries().next().value as [string, NodeDir];
        cache.delete(oldKey);
        old.close();
      }
      dir.refs++;
      cache.set(key, dir);
      return dir;
    } catch (e) {
      return errnoOf(e);
    }
  }
  openFileAt(name: string, f: VfsOpenFlags): VfsFile | number {
    if (this.ro && (f.create || f.truncate || f.write)) {
      if (!f.write && !f.truncate && fs.existsSync(this.at(name))) {
        // O_CREAT on an existing file creates nothing: allowed on a read-only mount.
      } else return ERRNO.ROFS;
    }
    let flags = C.O_NOFOLLOW | C.O_NONBLOCK | (f.write ? (f.read ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY);
    if (f.create && !this.ro) flags |= C.O_CREAT;
    if (f.exclusive && f.create) flags |= C.O_EXCL;
    if (f.truncate) flags |= C.O_TRUNC;
    // No fstat here: path_open already refused anything but a regular file, and O_NONBLOCK keeps a
    // FIFO swapped in meanwhile from blocking (reads of it then fail with EAGAIN).
    let fd: number;
    try {
      fd = fs.openSync(this.at(name), flags, 0o666);
    } catch (e) {
      return errnoOf(e);
    }
    return new NodeFile(this.owner, fd);
  }
  readlinkAt(name: string): string | number {
    try {
      return fs.readlinkSync(this.at(name), "utf8");
    } catch (e) {
      return errnoOf(e);
    }
  }
  mkdirAt(name: string): number {
    if (this.ro) return ERRNO.ROFS;
    return this.run(() => fs.mkdirSync(this.at(name), 0o777));
  }
  rmdirAt(name: string): number {
    if (this.ro) return ERRNO.ROFS;
    return this.run(() => fs.rmdirSync(this.at(name)));
  }
  unlinkAt(name: string): number {
    if (this.ro) return ERRNO.ROFS;
    const r = this.run(() => fs.unlinkSync(this.at(name)));
    if (r === ERRNO.PERM || r === ERRNO.ACCES) {
      const st = this.statAt(name);
      if (typeof st !== "number" && st.filetype === FILETYPE.DIRECTORY) return ERRNO.ISDIR;
    }
    return r;
  }
  symlinkAt(target: string, name: string): number {
    if (this.ro) return ERRNO.ROFS;
    const climbs = leadingClimbs(target);
    if (climbs < 0) return ERRNO.NOTCAPABLE;
    if (climbs > 0) {
      const depth = this.depth();
      if (depth < 0 || climbs > depth) return ERRNO.NOTCAPABLE;
    }
    return this.run(() => fs.symlinkSync(target, this.at(name)));
  }
  /** How many directories this one lies below the preopen's root now, or -1 when that cannot be told. */
  private depth(): number {
    let real: string;
    try {
      real = PROC ? fs.readlinkSync(`${PROC_FD}${this.fd}`) : fs.realpathSync(this.hostPath);
    } catch {
      return -1;
    }
    const root = this.owner.realPath;
    if (real === root) return 0;
    if (!real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return -1;
    return path.relative(root, real).split(path.sep).length;
  }
  linkAt(name: string, toDir: VfsDir, toName: string): number {
    if (this.ro) return ERRNO.ROFS;
    if (!(toDir instanceof NodeDir)) return ERRNO.XDEV;
    return this.run(() => fs.linkSync(this.at(name), toDir.at(toName)));
  }
  renameAt(name: string, toDir: VfsDir, toName: string): number {
    if (this.ro) return ERRNO.ROFS;
    if (!(toDir instanceof NodeDir)) return ERRNO.XDEV;
    return this.run(() => fs.renameSync(this.at(name), toDir.at(toName)));
  }
  setTimesAt(name: string, times: VfsTimes): number {
    if (this.ro) return ERRNO.ROFS;
    const p = this.at(name);
    return this.run(() => setTimesExactly(() => fs.lstatSync(p, { bigint: true }), (a, m) => fs.lutimesSync(p, a, m), times));
  }
  setTimes(times: VfsTimes): number {
    if (this.ro) return ERRNO.ROFS;
    return this.run(() => setTimesExactly(() => fs.fstatSync(this.fd, { bigint: true }), (a, m) => fs.futimesSync(this.fd, a, m), times));
  }
  readdir(): VfsDirEntry[] | number {
    try {
      const out: VfsDirEntry[] = [];
      // One lstat per entry: Node's directory entries carry no inode number, and a zero d_ino makes
      // newer wasi-libc stat every entry itself, through the whole WASI stack.
      for (const name of fs.readdirSync(this.base)) {
        const s = fs.lstatSync(this.at(name), { bigint: true, throwIfNoEntry: false });
        if (s === undefined) continue; // removed meanwhile
        out.push({ name, filetype: filetypeOf(s), ino: s.ino });
      }
      return out;
    } catch (e) {
      return errnoOf(e);
    }
  }
  sync(): number {
    return this.run(() => fs.fsyncSync(this.fd));
  }
  close(): void {
    if (this.refs <= 0) return;
    if (--this.refs > 0) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already gone */
    }
  }
  private run(op: () => void): number {
    try {
      op();
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }
}

/** An open host file. */
class NodeFile implements VfsFile {
  private closed = false;
  /** Each write is a system call: gathering a guest's small stream writes pays. */
  readonly writeBehind = true;
  constructor(readonly owner: NodeFs, readonly fd: number) {}
  read(buf: Uint8Array, offset: number, length: number, position: number): number {
    try {
      return fs.readSync(this.fd, buf, offset, length, position);
    } catch (e) {
      return -errnoOf(e);
    }
  }
  write(buf: Uint8Array, offset: number, length: number, position: number): number {
    if (this.owner.readOnly) return -ERRNO.ROFS;
    try {
      return fs.writeSync(this.fd, buf, offset, length, position);
    } catch (e) {
      return -errnoOf(e);
    }
  }
  size(): number {
    try {
      return fs.fstatSync(this.fd).size;
    } catch (e) {
      return -errnoOf(e);
    }
  }
  stat(): VfsStat | number {
    try {
      return toStat(fs.fstatSync(this.fd, { bigint: true }));
    } catch (e) {
      return errnoOf(e);
    }
  }
  setSize(size: number): number {
    if (this.owner.readOnly) return ERRNO.ROFS;
    try {
      fs.ftruncateSync(this.fd, size);
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }
  setTimes(times: VfsTimes): number {
    if (this.owner.readOnly) return ERRNO.ROFS;
    try {
      setTimesExactly(() => fs.fstatSync(this.fd, { bigint: true }), (a, m) => fs.futimesSync(this.fd, a, m), times);
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }
  sync(datasyncOnly: boolean): number {
    try {
      if (datasyncOnly) fs.fdatasyncSync(this.fd);
      else fs.fsyncSync(this.fd);
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already gone */
    }
  }
}

/**
 * A host directory as a WASI filesystem.
 *
 * `new NodeFs("./data", { readOnly: true })`; mount with `preopens: { "/data": { fs } }` or write
 * `{ host: "./data", readOnly: true }` once this module is loaded. Throws `WasiError` when `dir` is
 * not an existing directory.
 */
export class NodeFs implements Vfs {
  /** When true, every modification fails with `EROFS`. */
  readonly readOnly: boolean;
  /** The absolute host path of the root. */
  readonly path: string;
  /** @internal The root's real path (symlinks resolved), for where a directory lies (`NodeDir.depth`). */
  readonly realPath: string;
  /** @internal Recently walked directories, keyed by parent descriptor and name (see `NodeDir.openDirAt`). */
  readonly dirCache = new Map<string, NodeDir>();

  constructor(dir: string, options: { readOnly?: boolean } = {}) {
    this.readOnly = options.readOnly ?? false;
    this.path = path.resolve(dir);
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(this.path);
    } catch {
      st = undefined;
    }
    if (st === undefined || !st.isDirectory()) throw new WasiError(`host directory ${dir} does not exist or is not a directory`);
    this.realPath = fs.realpathSync(this.path);
  }

  root(): VfsDir | number {
    try {
      return new NodeDir(this, fs.openSync(this.path, C.O_RDONLY | C.O_DIRECTORY), this.path);
    } catch (e) {
      return errnoOf(e);
    }
  }

  /** Closes the cached directory handles (the filesystem stays usable). `Wasi` calls it when done. */
  close(): void {
    for (const d of this.dirCache.values()) d.close();
    this.dirCache.clear();
  }
}

registerHostFs((dir, readOnly) => new NodeFs(dir, { readOnly }));

/**
 * Parses a CLI directory mapping `HOST[::GUEST]` (GUEST defaults to HOST) into a preopen entry.
 * Throws `WasiError` when the host directory does not exist, or when `spec` has more than one `::`
 * (`A::B::C` is ambiguous).
 */
export function parseDirMapping(spec: string, readOnly: boolean): [guest: string, preopen: PreopenOption] {
  const parts = spec.split("::");
  if (parts.length > 2) throw new WasiError(`bad directory mapping ${JSON.stringify(spec)}: more than one "::" is ambiguous; expected HOST[::GUEST]`);
  const host = parts[0]!;
  const guest = parts.length === 2 ? parts[1]! : spec;
  if (host === "" || guest === "") throw new WasiError(`bad directory mapping ${JSON.stringify(spec)}: expected HOST[::GUEST]`);
  return [guest, { fs: new NodeFs(host, { readOnly }), readOnly }];
}

/**
 * The descriptor `hostStdin` reads, non-blocking where it can be so that a wait can end at a deadline:
 * for a pipe, FIFO or terminal, a second open of the same stdin (`/proc/self/fd/0`, Linux), which leaves
 * the flags other processes see alone; for a socket (what Node gives a child for `"pipe"`), descriptor 0
 * made non-blocking by letting Node open `process.stdin` (libuv does that; the stream stays paused);
 * for a regular file, or where neither works, descriptor 0 as it is (a read may then block).
 */
let stdinFd: number | undefined;
function stdinDescriptor(): number {
  if (stdinFd !== undefined) return stdinFd;
  stdinFd = 0;
  let st: fs.Stats;
  try {
    st = fs.fstatSync(0);
  } catch {
    return stdinFd;
  }
  if (st.isFile()) return stdinFd;
  try {
    if (PROC) stdinFd = fs.openSync("/proc/self/fd/0", C.O_RDONLY | C.O_NONBLOCK);
  } catch {
    if (st.isSocket()) void process.stdin;
  }
  return stdinFd;
}

let waitCell: Int32Array | undefined;

/**
 * A stdin callback that reads the host process's standard input synchronously (for `wasmhost run`):
 * `new Wasi({ stdin: hostStdin })`. It waits for input at most `waitMs` (the store's deadline; see
 * `StdinOption`), returning `null` when that passes with nothing read.
 */
export function hostStdin(max: number, waitMs = Infinity): Uint8Array | null {
  const fd = stdinDescriptor();
  const buf = new Uint8Array(Math.max(1, Math.min(max, 1 << 16)));
  const end = performance.now() + waitMs;
  for (;;) {
    try {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      return n === 0 ? null : buf.subarray(0, n);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "EAGAIN") {
        const left = end - performance.now();
        if (left <= 0) return null;
        Atomics.wait((waitCell ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, Math.min(5, left));
        continue;
      }
      if (code === "EOF") return null;
      throw e;
    }
  }
}
