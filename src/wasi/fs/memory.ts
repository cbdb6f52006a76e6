/**
 * `MemoryFs`: an in-memory filesystem (browser-safe) with files, directories, hard links, symlinks and
 * nanosecond timestamps, built from a plain object.
 *
 * Directory nodes and file nodes are their own handles (`MemDir` is a `VfsDir`, `MemFile` a `VfsFile`),
 * so walking a path allocates nothing. A removed directory keeps working as a handle but refuses to
 * gain entries (`ENOENT`), as on POSIX.
 *
 * The size budget (`maxSize`) counts everything a guest can make the host hold, not only file bytes:
 * every node (file, directory, symlink) costs `MemoryFs.NODE_COST` bytes, every directory entry (a
 * name, so each hard link too) `MemoryFs.ENTRY_COST` plus the name's UTF-8 length, and a symlink its
 * target's UTF-8 length. Names are at most `MemoryFs.MAX_NAME` bytes and symlink targets
 * `MemoryFs.MAX_TARGET` (`ENAMETOOLONG`); a target may not climb above the root (`ENOTCAPABLE`, the
 * rule of host directories, see `leadingClimbs`). So a guest cannot fill the host's heap with empty files,
 * directories, links or long symlink targets: a 1 MiB budget holds about five thousand of them.
 *
 * @module
 */
import { WasiError } from "../../errors.js";
import { ERRNO, FILETYPE } from "../defs.js";
import { realtimeNs } from "../clock.js";
import { leadingClimbs } from "./resolve.js";
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

/** Budget bytes charged per node (file, directory, symlink): about what the host keeps for one. */
const NODE_COST = 128;
/** Budget bytes charged per directory entry, on top of the name's UTF-8 length. */
const ENTRY_COST = 64;
/** Longest entry name, in UTF-8 bytes (Linux's NAME_MAX). */
const MAX_NAME = 255;
/** Longest symlink target, in UTF-8 bytes (Linux's PATH_MAX). */
const MAX_TARGET = 4096;

/** The UTF-8 length of `s` without encoding it. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/** What one directory entry named `name` costs. */
function entryCost(name: string): number {
  return ENTRY_COST + utf8Length(name);
}

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
  /** The target's UTF-8 length. */
  readonly bytes: number;
  constructor(fs: MemoryFs, readonly target: string) {
    super(fs);
    this.bytes = utf8Length(target);
  }
  byteSize(): number {
    return this.bytes;
  }
}

/** What node `n` costs the budget besides its entries and a file's data. */
function nodeCost(n: MemNode): number {
  return n instanceof MemLink ? NODE_COST + n.bytes : NODE_COST;
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
    if (this.nlink > 0n || this.opens > 0 || this.released) return;
    this.released = true;
    this.fs.reserve(-this.length - NODE_COST);
    this.length = 0;
    this.data = new Uint8Array(0);
  }
  private released = false;
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
  /** The directory holding this one (directories have exactly one name), undefined for the root. */
  parent: MemDir | undefined = undefined;
  /** How many entries are directories (for `nlink`). */
  private subdirs = 0;
  byteSize(): number {
    return 4096;
  }
  override stat(): VfsStat {
    const s = super.stat();
    s.nlink = 2n + BigInt(this.subdirs);
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
      const err = this.charge(name, NODE_COST);
      if (err) return err;
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
  /**
   * Books a new entry `name` plus `extra` bytes (its node's cost, 0 for a hard link) against the
   * budget: 0, or `ENAMETOOLONG`/`ENOSPC` (nothing booked then).
   */
  charge(name: string, extra: number): number {
    const cost = entryCost(name);
    if (cost - ENTRY_COST > MAX_NAME) return ERRNO.NAMETOOLONG;
    return this.fs.reserve(cost + extra) ? 0 : ERRNO.NOSPC;
  }
  /** Binds `name` to `node` (already charged). */
  add(name: string, node: MemNode): void {
    this.entries.set(name, node);
    if (node instanceof MemDir) {
      node.parent = this;
      this.subdirs++;
    }
    this.mtim = this.ctim = this.fs.now();
  }
  /** Unbinds `name` (bound to `node`) and gives its entry's cost back. */
  private drop(name: string, node: MemNode): void {
    this.unbind(name, node);
    this.fs.reserve(-entryCost(name));
  }
  /** Unbinds `name` (bound to `node`), keeping its cost booked. */
  private unbind(name: string, node: MemNode): void {
    this.entries.delete(name);
    if (node instanceof MemDir) this.subdirs--;
    this.mtim = this.ctim = this.fs.now();
  }
  /** `node` lost a name: when it has none left, its node cost (a file: once closed) is given back. */
  private unlinked(node: MemNode): void {
    if (node instanceof MemFile) {
      node.nlink--;
      if (node.nlink === 0n) node.release();
    } else if (node instanceof MemLink) {
      node.nlink--;
      if (node.nlink === 0n) this.fs.reserve(-nodeCost(node));
    } else {
      node.removed = true;
      node.parent = undefined;
      this.fs.reserve(-NODE_COST);
    }
  }
  private writable(name: string): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    if (this.removed) return ERRNO.NOENT;
    return this.entries.has(name) ? ERRNO.EXIST : 0;
  }
  mkdirAt(name: string): number {
    const err = this.writable(name) || this.charge(name, NODE_COST);
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
    this.drop(name, e);
    this.unlinked(e);
    return 0;
  }
  unlinkAt(name: string): number {
    if (this.fs.readOnly) return ERRNO.ROFS;
    const e = this.entries.get(name);
    if (e === undefined) return ERRNO.NOENT;
    if (e instanceof MemDir) return ERRNO.ISDIR;
    e.ctim = this.fs.now();
    this.drop(name, e);
    this.unlinked(e);
    return 0;
  }
  symlinkAt(target: string, name: string): number {
    const bytes = utf8Length(target);
    if (bytes > MAX_TARGET) return ERRNO.NAMETOOLONG;
    // The same rule as a host directory: a target may not climb above the root (see leadingClimbs).
    const climbs = leadingClimbs(target);
    if (climbs < 0) return ERRNO.NOTCAPABLE;
    let depth = 0;
    for (let d = this.parent; d !== undefined && depth < climbs; d = d.parent) depth++;
    if (climbs > depth) return ERRNO.NOTCAPABLE;
    const err = this.writable(name) || this.charge(name, NODE_COST + bytes);
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
    const err = toDir.writable(toName) || toDir.charge(toName, 0);
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
      for (let d: MemDir | undefined = toDir; d !== undefined; d = d.parent) if (d === e) return ERRNO.INVAL;
      if (old !== undefined) {
        if (!(old instanceof MemDir)) return ERRNO.NOTDIR;
        if (old.entries.size > 0) return ERRNO.NOTEMPTY;
      }
    } else if (old instanceof MemDir) return ERRNO.ISDIR;
    // The entry changes name: book the difference (a longer name may no longer fit).
    if (utf8Length(toName) > MAX_NAME) return ERRNO.NAMETOOLONG;
    if (!this.fs.reserve(entryCost(toName) - entryCost(name))) return ERRNO.NOSPC;
    if (old !== undefined) {
      toDir.drop(toName, old);
      toDir.unlinked(old);
    }
    this.unbind(name, e);
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
  /**
   * The budget in bytes (default 1 GiB): file data plus the costs of nodes, names and symlink targets
   * (see the module comment); beyond it writes and creations fail with `ENOSPC`. The tree given to the
   * constructor is counted too, but never refused.
   */
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

  /** Bytes counted against `maxSize` now: file data plus the per-node and per-entry costs. */
  get size(): number {
    return this.used;
  }

  /** Budget bytes each node (file, directory, symlink) costs. */
  static readonly NODE_COST = NODE_COST;
  /** Budget bytes each directory entry costs on top of its name's UTF-8 length. */
  static readonly ENTRY_COST = ENTRY_COST;
  /** Longest entry name in UTF-8 bytes; longer gives `ENAMETOOLONG`. */
  static readonly MAX_NAME = MAX_NAME;
  /** Longest symlink target in UTF-8 bytes; longer gives `ENAMETOOLONG`. */
  static readonly MAX_TARGET = MAX_TARGET;

  /** @internal */
  nextIno(): bigint {
    return ++this.ino;
  }

  root(): VfsDir {
    return this.top;
  }


  private fill(dir: MemDir, tree: MemoryTree, depth: number): void {
    if (depth > 256) throw new WasiError("memory filesystem tree is nested too deeply");
    for (const [name, v] of Object.entries(tree)) {
      if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0"))
        throw new WasiError(`invalid file name in memory filesystem: ${JSON.stringify(name)}`);
      if (utf8Length(name) > MAX_NAME) throw new WasiError(`file name longer than ${MAX_NAME} bytes in memory filesystem: ${JSON.stringify(name.slice(0, 40))}...`);
      let node: MemNode;
      if (typeof v === "string") node = new MemFile(this, enc.encode(v));
      else if (v instanceof Uint8Array) node = new MemFile(this, v.slice());
      else if (v instanceof MemorySymlink) node = new MemLink(this, v.target);
      else if (typeof v === "object" && v !== null) node = new MemDir(this);
      else throw new WasiError(`invalid entry ${JSON.stringify(name)} in memory filesystem`);
      this.used += entryCost(name) + nodeCost(node) + (node instanceof MemFile ? node.length : 0);
      dir.add(name, node);
      if (node instanceof MemDir) this.fill(node, v as MemoryTree, depth + 1);
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
