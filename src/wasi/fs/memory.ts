/**
 * `MemoryFs`: an in-memory filesystem (browser-safe) with files, directories, hard links, symlinks and
 * nanosecond timestamps, built from a plain object.
 *
 * Directory nodes and file nodes are their own handles (`MemDir` is a `VfsDir`, `MemFile` a `VfsFile`),
 * so walking a path allocates nothing. A removed directory keeps working as a handle but refuses to
 * gain entries (`ENOENT`), as on POSIX.
 *
 * @module
 */
import { WasiError } from "../../errors.js";
import { ERRNO, FILETYPE } from "../defs.js";
import { realtimeNs } from "../clock.js";
import type { Vfs, VfsDir, VfsDirEntry, VfsFile, VfsOpenFlags, VfsStat, VfsTimes } from "./vfs.js";

/** A symlink in a `MemoryTree`: `{ "link": symlink("target") }`. */
export class MemorySymlink {
  constructor(readonly target: string) {}
}

/** Makes a symlink entry for a `MemoryTree`. */
export function symlink(target: string): MemorySymlink {
  return new MemorySymlink(target);
}

/**
 * A directory as a plain object: a string is a UTF-8 text file, a `Uint8Array` a binary file, a
 * nested object a directory, `symlink(target)` a symlink.
 */
export interface MemoryTree {
  [name: string]: string | Uint8Array | MemorySymlink | MemoryTree;
}

const enc = new TextEncoder();
type MemNode = MemDir | MemFile | MemLink;

abstract class MemBase {
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  nlink = 1n;
  readonly ino: bigint;
  constructor(readonly fs: MemoryFs) {
    this.ino = fs.nextIno();
    this.atim = this.mtim = this.ctim = fs.now();
  }
  abstract readonly filetype: number;
  stat(): VfsStat {
    return { filetype: this.filetype, dev: this.fs.dev, ino: this.ino, nlink: this.nlink, size: BigInt(this.byteSize()), atim: this.atim, mtim: this.mtim, ctim: this.ctim };
  }
  abstract byteSize(): number;
  setTimes(times: VfsTimes): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    if (times.atim !== null) this.atim = times.atim;
    if (times.mtim !== null) this.mtim = times.mtim;
    this.ctim = this.fs.now();
    return 0;
  }
}

/** A symlink node. */
class MemLink extends MemBase {
  readonly filetype = FILETYPE.SYMBOLIC_LINK;
  constructor(fs: MemoryFs, readonly target: string) {
    super(fs);
  }
  byteSize(): number {
    return enc.encode(this.target).length;
  }
}

/** A regular file node; also its own open handle. */
class MemFile extends MemBase implements VfsFile {
  readonly filetype = FILETYPE.REGULAR_FILE;
  data: Uint8Array;
  length: number;
  constructor(fs: MemoryFs, content: Uint8Array = new Uint8Array(0)) {
    super(fs);
    this.data = content;
    this.length = content.length;
  }
  byteSize(): number {
    return this.length;
  }
  size(): number {
    return this.length;
  }
  read(buf: Uint8Array, offset: number, length: number, position: number): number {
    const n = Math.max(0, Math.min(length, this.length - position));
    if (n > 0) {
      if (n < 32) for (let i = 0; i < n; i++) buf[offset + i] = this.data[position + i]!;
      else buf.set(this.data.subarray(position, position + n), offset);
    }
    return n;
  }
  write(buf: Uint8Array, offset: number, length: number, position: number): number {
    if (this.fs.readOnly) return -ERRNO.ROFS;
    const end = position + length;
    if (end > this.fs.maxFileSize) return -ERRNO.FBIG;
    if (end > this.length && !this.fs.reserve(end - this.length)) return -ERRNO.NOSPC;
    if (end > this.data.length && !this.grow(end)) {
      this.fs.reserve(this.length - end);
      return -ERRNO.NOSPC;
    }
    if (position > this.length) this.data.fill(0, this.length, position);
    if (length < 32) for (let i = 0; i < length; i++) this.data[position + i] = buf[offset + i]!;
    else this.data.set(buf.subarray(offset, offset + length), position);
    if (end > this.length) this.length = end;
    this.mtim = this.ctim = this.fs.now();
    return length;
  }
  /** Grows the backing store to hold `min` bytes; false when the host cannot allocate it. */
  private grow(min: number): boolean {
    let next: Uint8Array;
    try {
      next = new Uint8Array(Math.max(min, Math.min(this.data.length * 2, this.data.length + (64 << 20)), 64));
    } catch {
      return false;
    }
    next.set(this.data.subarray(0, this.length));
    this.data = next;
    return true;
  }
  setSize(size: number): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    if (size > this.fs.maxFileSize) return ERRNO.FBIG;
    if (!this.fs.reserve(size - this.length)) return ERRNO.NOSPC;
    if (size > this.data.length && !this.grow(size)) {
      this.fs.reserve(this.length - size);
      return ERRNO.NOSPC;
    }
    if (size > this.length) this.data.fill(0, this.length, size);
    this.length = size;
    this.mtim = this.ctim = this.fs.now();
    return 0;
  }
  sync(): number {
    return 0;
  }
  close(): void {
    this.opens--;
    this.release();
  }
  /** Open descriptors on this file (it is its own handle). */
  opens = 0;
  /**
   * Gives the file's bytes back to the filesystem's budget once its last link is gone and no
   * descriptor has it open (until then it stays readable and writable, as on POSIX).
   */
  release(): void {
    if (this.nlink > 0n || this.opens > 0) return;
    this.fs.reserve(-this.length);
    this.length = 0;
    this.data = new Uint8Array(0);
  }
  /** The file's bytes (a copy). */
  contents(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

/** A directory node; also its own open handle. */
class MemDir extends MemBase implements VfsDir {
  readonly filetype = FILETYPE.DIRECTORY;
  readonly entries = new Map<string, MemNode>();
  removed = false;
  byteSize(): number {
    return 4096;
  }
  override stat(): VfsStat {
    const s = super.stat();
    let subdirs = 0n;
    for (const e of this.entries.values()) if (e instanceof MemDir) subdirs++;
    s.nlink = 2n + subdirs;
    return s;
  }
  reopen(): VfsDir {
    return this;
  }
  statAt(name: string): VfsStat | number {
    const e = this.entries.get(name);
    return e === undefined ? ERRNO.NOENT : e.stat();
  }
  openDirAt(name: string): VfsDir | number {
    const e = this.entries.get(name);
    if (e === undefined) return ERRNO.NOENT;
    if (e instanceof MemDir) return e;
    return e instanceof MemLink ? ERRNO.LOOP : ERRNO.NOTDIR;
  }
  openFileAt(name: string, flags: VfsOpenFlags): VfsFile | number {
    let e = this.entries.get(name);
    if (e === undefined) {
      if (!flags.create) return ERRNO.NOENT;
      if (this.fs.readOnly) return ERRNO.ROFS;
      if (this.removed) return ERRNO.NOENT;
      e = new MemFile(this.fs);
      this.add(name, e);
      e.opens++;
      return e;
    }
    if (flags.create && flags.exclusive) return ERRNO.EXIST;
    if (e instanceof MemDir) return ERRNO.ISDIR;
    if (e instanceof MemLink) return ERRNO.LOOP;
    if ((flags.write || flags.truncate) && this.fs.readOnly) return ERRNO.ROFS;
    if (flags.truncate && e.length > 0) e.setSize(0);
    e.opens++;
    return e;
  }
  readlinkAt(name: string): string | number {
    const e = this.entries.get(name);
    if (e === undefined) return ERRNO.NOENT;
    return e instanceof MemLink ? e.target : ERRNO.INVAL;
  }
  private add(name: string, node: MemNode): void {
    this.entries.set(name, node);
    this.mtim = this.ctim = this.fs.now();
  }
  private drop(name: string): void {
    this.entries.delete(name);
    this.mtim = this.ctim = this.fs.now();
  }
  private writable(name: string): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    if (this.removed) return ERRNO.NOENT;
    return this.entries.has(name) ? ERRNO.EXIST : 0;
  }
  mkdirAt(name: string): number {
    const err = this.writable(name);
    if (err) return err;
    this.add(name, new MemDir(this.fs));
    return 0;
  }
  rmdirAt(name: string): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    const e = this.entries.get(name);
    if (e === undefined) return ERRNO.NOENT;
    if (!(e instanceof MemDir)) return ERRNO.NOTDIR;
    if (e.entries.size > 0) return ERRNO.NOTEMPTY;
    e.removed = true;
    this.drop(name);
    return 0;
  }
  unlinkAt(name: string): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    const e = this.entries.get(name);
    if (e === undefined) return ERRNO.NOENT;
    if (e instanceof MemDir) return ERRNO.ISDIR;
    e.nlink--;
    e.ctim = this.fs.now();
    this.drop(name);
    if (e.nlink === 0n && e instanceof MemFile) e.release();
    return 0;
  }
  symlinkAt(target: string, name: string): number {
    const err = this.writable(name);
    if (err) return err;
    this.add(name, new MemLink(this.fs, target));
    return 0;
  }
  linkAt(name: string, toDir: VfsDir, toName: string): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    if (!(toDir instanceof MemDir) || toDir.fs !== this.fs) return ERRNO.XDEV;
    const e = this.entries.get(name);
    if (e === undefined) return ERRNO.NOENT;
    if (e instanceof MemDir) return ERRNO.PERM;
    const err = toDir.writable(toName);
    if (err) return err;
    e.nlink++;
    e.ctim = this.fs.now();
    toDir.add(toName, e);
    return 0;
  }
  renameAt(name: string, toDir: VfsDir, toName: string): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    if (!(toDir instanceof MemDir) || toDir.fs !== this.fs) return ERRNO.XDEV;
    const e = this.entries.get(name);
    if (e === undefined) return ERRNO.NOENT;
    if (toDir.removed) return ERRNO.NOENT;
    const old = toDir.entries.get(toName);
    if (old === e) return 0;
    if (e instanceof MemDir) {
      // A directory cannot move into itself or below itself.
      for (let d: MemDir | undefined = toDir; d !== undefined; d = this.fs.parentOf(d)) if (d === e) return ERRNO.INVAL;
      if (old !== undefined) {
        if (!(old instanceof MemDir)) return ERRNO.NOTDIR;
        if (old.entries.size > 0) return ERRNO.NOTEMPTY;
        old.removed = true;
      }
    } else if (old instanceof MemDir) return ERRNO.ISDIR;
    else if (old !== undefined) {
      old.nlink--;
      if (old.nlink === 0n && old instanceof MemFile) old.release();
    }
    this.drop(name);
    toDir.add(toName, e);
    e.ctim = this.fs.now();
    return 0;
  }
  setTimesAt(name: string, times: VfsTimes): number {
    const e = this.entries.get(name);
    return e === undefined ? ERRNO.NOENT : e.setTimes(times);
  }
  readdir(): VfsDirEntry[] {
    const out: VfsDirEntry[] = [];
    for (const [name, e] of this.entries) out.push({ name, filetype: e.filetype, ino: e.ino });
    return out;
  }
  sync(): number {
    return 0;
  }
  close(): void {}
}

/**
 * An in-memory filesystem.
 *
 * `new MemoryFs({ "a.txt": "hi", src: { "main.c": "..." }, link: symlink("a.txt") })`. Mount it with
 * `preopens: { "/data": { fs } }` (or pass the plain object as `{ memory: {...} }`) and read what the
 * guest left behind with `readFile`/`toTree` afterwards. Throws `WasiError` for an entry name that is
 * empty, `.`/`..`, or contains `/` or NUL.
 */
export class MemoryFs implements Vfs {
  /** When true, every modification fails with `EROFS`. */
  readonly readOnly: boolean;
  /** Largest file size in bytes (default 4 GiB); beyond it writes fail with `EFBIG`. */
  readonly maxFileSize: number;
  /** Total bytes all files may hold (default 1 GiB); beyond it writes fail with `ENOSPC`. */
  readonly maxSize: number;
  private used = 0;
  /** The device number reported by `stat`. */
  readonly dev: bigint;
  /** The source of timestamps. */
  readonly now: () => bigint;
  private ino = 0n;
  private readonly top: MemDir;
  private static devs = 0n;

  constructor(tree: MemoryTree = {}, options: { readOnly?: boolean; now?: () => bigint; maxFileSize?: number; maxSize?: number } = {}) {
    this.readOnly = false;
    this.now = options.now ?? realtimeNs;
    this.maxFileSize = options.maxFileSize ?? 2 ** 32;
    this.maxSize = options.maxSize ?? 2 ** 30;
    this.dev = ++MemoryFs.devs;
    this.top = new MemDir(this);
    this.fill(this.top, tree, 0);
    this.readOnly = options.readOnly ?? false;
  }

  /** @internal Books `delta` bytes (negative frees); false when that would exceed `maxSize`. */
  reserve(delta: number): boolean {
    if (delta > 0 && this.used + delta > this.maxSize) return false;
    this.used += delta;
    return true;
  }

  /** Bytes held by files now. */
  get size(): number {
    return this.used;
  }

  /** @internal */
  nextIno(): bigint {
    return ++this.ino;
  }

  root(): VfsDir {
    return this.top;
  }

  /** @internal The parent of `dir`, found by search (rename's cycle check only). */
  parentOf(dir: MemDir): MemDir | undefined {
    const seek = (d: MemDir): MemDir | undefined => {
      for (const e of d.entries.values()) {
        if (e === dir) return d;
        if (e instanceof MemDir) {
          const p = seek(e);
          if (p) return p;
        }
      }
      return undefined;
    };
    return dir === this.top ? undefined : seek(this.top);
  }

  private counted(f: MemFile): MemFile {
    this.used += f.length;
    return f;
  }

  private fill(dir: MemDir, tree: MemoryTree, depth: number): void {
    if (depth > 256) throw new WasiError("memory filesystem tree is nested too deeply");
    for (const [name, v] of Object.entries(tree)) {
      if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0"))
        throw new WasiError(`invalid file name in memory filesystem: ${JSON.stringify(name)}`);
      if (typeof v === "string") dir.entries.set(name, this.counted(new MemFile(this, enc.encode(v))));
      else if (v instanceof Uint8Array) dir.entries.set(name, this.counted(new MemFile(this, v.slice())));
      else if (v instanceof MemorySymlink) dir.entries.set(name, new MemLink(this, v.target));
      else if (typeof v === "object" && v !== null) {
        const sub = new MemDir(this);
        dir.entries.set(name, sub);
        this.fill(sub, v, depth + 1);
      } else throw new WasiError(`invalid entry ${JSON.stringify(name)} in memory filesystem`);
    }
  }

  private lookup(path: string): MemNode | undefined {
    let node: MemNode = this.top;
    for (const part of path.split("/")) {
      if (part === "" || part === ".") continue;
      if (!(node instanceof MemDir)) return undefined;
      const next: MemNode | undefined = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /** The bytes of the file at `path` (relative to this filesystem's root, no symlinks followed), or undefined. */
  readFile(path: string): Uint8Array | undefined {
    const n = this.lookup(path);
    return n instanceof MemFile ? n.contents() : undefined;
  }

  /** The text of the file at `path`, or undefined. */
  readText(path: string): string | undefined {
    const b = this.readFile(path);
    return b === undefined ? undefined : new TextDecoder().decode(b);
  }

  /** Whether `path` names an entry of any kind. */
  exists(path: string): boolean {
    return this.lookup(path) !== undefined;
  }

  /** The whole filesystem as a `MemoryTree` (files as bytes). */
  toTree(): MemoryTree {
    const walk = (d: MemDir): MemoryTree => {
      const out: MemoryTree = {};
      for (const [name, e] of d.entries) {
        out[name] = e instanceof MemDir ? walk(e) : e instanceof MemLink ? new MemorySymlink(e.target) : e.contents();
      }
      return out;
    };
    return walk(this.top);
  }
}
