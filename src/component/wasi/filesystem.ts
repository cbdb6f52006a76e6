/**
 * `wasi:filesystem` (types, preopens) over preview1 descriptors: each `descriptor` is a preview1
 * descriptor of the same `Wasi`, so path resolution, read-only mounts and the descriptor budget are
 * preview1's own (see ./preview1.ts). Errors are preview1 errnos mapped to `error-code` cases.
 *
 * @module
 */
import { FDFLAGS, FILETYPE, FSTFLAGS, LOOKUP_SYMLINK_FOLLOW, OFLAGS, RIGHTS, RIGHTS_ALL, RIGHTS_WRITE } from "../../wasi/defs.js";
import { ComponentError } from "../runtime/errors.js";
import { InputStream, IoError, OutputStream } from "./io.js";
import { type Calls, DATA, errorCode, type Preview1 } from "./preview1.js";
import { type FdEntry, KIND_DIR } from "../../wasi/state.js";
import type { VfsDirEntry } from "../../wasi/fs/vfs.js";

/** A `datetime` record. */
interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}
type NewTimestamp = { tag: "no-change" } | { tag: "now" } | { tag: "timestamp"; val: Datetime };
interface PathFlags {
  symlinkFollow?: boolean;
}
interface OpenFlags {
  create?: boolean;
  directory?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
}
/** `descriptor-flags` (camelCase fields, as the canonical ABI gives flags to the host). */
interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  fileIntegritySync?: boolean;
  dataIntegritySync?: boolean;
  requestedWriteSync?: boolean;
  mutateDirectory?: boolean;
}

/** preview1 `filetype` -> `descriptor-type`. */
const TYPES = ["unknown", "block-device", "character-device", "directory", "regular-file", "socket", "socket", "symbolic-link"];
const ADVICE: Record<string, number> = { normal: 0, sequential: 1, random: 2, "will-need": 3, "dont-need": 4, "no-reuse": 5 };

function fail(errno: number): never {
  throw new ComponentError(errorCode(errno));
}

/** Fails with a preview1 call's errno unless it is 0. */
function check(errno: number): void {
  if (errno !== 0) fail(errno);
}

/** `path_open` rights (as bigints, made once), indexed by `read | write << 1`. */
const OPEN_RIGHTS = [
  BigInt(RIGHTS_ALL & ~RIGHTS.FD_READ & ~RIGHTS_WRITE), BigInt(RIGHTS_ALL & ~RIGHTS_WRITE),
  BigInt(RIGHTS_ALL & ~RIGHTS.FD_READ), BigInt(RIGHTS_ALL),
];
const ALL_RIGHTS = BigInt(RIGHTS_ALL);

/** Nanoseconds as a `datetime`. */
export function datetime(ns: bigint): Datetime {
  return { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
}

/** A `new-timestamp` as preview1's (time, fstflags bits). */
function timestamp(t: NewTimestamp, set: number, now: number): [bigint, number] {
  if (t.tag === "now") return [0n, now];
  if (t.tag === "timestamp") return [t.val.seconds * 1_000_000_000n + BigInt(t.val.nanoseconds), set];
  return [0n, 0];
}

/** murmur3's 32-bit finalizer. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Reads the preview1 filestat at scratch offset 0 as a `descriptor-stat`. */
function statAt0(p1: Preview1): { type: string; linkCount: bigint; size: bigint; dataAccessTimestamp: Datetime; dataModificationTimestamp: Datetime; statusChangeTimestamp: Datetime } {
  return {
    type: TYPES[p1.u8[16]!] ?? "unknown",
    linkCount: p1.u64(24),
    size: p1.u64(32),
    dataAccessTimestamp: datetime(p1.u64(40)),
    dataModificationTimestamp: datetime(p1.u64(48)),
    statusChangeTimestamp: datetime(p1.u64(56)),
  };
}

/**
 * The metadata hash of the filestat at scratch offset 0 (device and inode), mixed in 32-bit halves
 * (no BigInt arithmetic: the adapter asks for one per directory entry it lists).
 */
function hashAt0(p1: Preview1): { lower: bigint; upper: bigint } {
  const dv = p1.dv;
  const devLo = dv.getUint32(0, true);
  const devHi = dv.getUint32(4, true);
  const inoLo = dv.getUint32(8, true);
  const inoHi = dv.getUint32(12, true);
  const a = fmix(inoLo ^ Math.imul(devLo, 0x9e3779b1));
  const b = fmix(inoHi ^ Math.imul(devHi, 0x85ebca77) ^ a);
  const c = fmix(inoLo ^ 0x27d4eb2f ^ b ^ Math.imul(devHi, 0x165667b1));
  const d = fmix(inoHi ^ devLo ^ c ^ 0x61c88647);
  dv.setUint32(0, a, true);
  dv.setUint32(4, b, true);
  dv.setUint32(8, c, true);
  dv.setUint32(12, d, true);
  return { lower: p1.u64(0), upper: p1.u64(8) };
}

/** `wasi:filesystem/types.descriptor`: a preview1 descriptor. */
export class Descriptor {
  constructor(
    private readonly p1: Preview1,
    /** The preview1 descriptor number. */
    readonly fd: number,
    private readonly flags: DescriptorFlags,
    /** False for a preopen: dropping the handle leaves the preopen open. */
    private readonly owned: boolean,
  ) {}

  /** The preview1 calls (taken each time: taking them writes gathered bytes first). */
  private get c(): Calls {
    return this.p1.c;
  }

  /** Fails unless the descriptor is open (what a preview1 call on it would find). */
  private open(): FdEntry {
    const e = this.p1.state.fds[this.fd];
    if (e === undefined) fail(8 /* EBADF */);
    return e;
  }

  /** `fd_filestat_get` into scratch offset 0. */
  private statInto0(): void {
    check(this.c.fd_filestat_get(this.fd, 0));
  }

  /** `path_filestat_get` of `path` into scratch offset 0. */
  private statPathInto0(flags: PathFlags, path: string): void {
    check(this.c.path_filestat_get(this.fd, flags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0, DATA, this.p1.putString(path), 0));
  }

  readViaStream(offset: bigint): InputStream {
    return new InputStream(this.p1, this.fd, offset);
  }
  writeViaStream(offset: bigint): OutputStream {
    return new OutputStream(this.p1, this.fd, offset);
  }
  appendViaStream(): OutputStream {
    return new OutputStream(this.p1, this.fd, -1n);
  }
  advise(offset: bigint, length: bigint, advice: string): void {
    check(this.c.fd_advise(this.fd, offset, length, ADVICE[advice] ?? 0));
  }
  syncData(): void {
    check(this.c.fd_datasync(this.fd));
  }
  sync(): void {
    check(this.c.fd_sync(this.fd));
  }
  getFlags(): DescriptorFlags {
    this.open();
    return this.flags;
  }
  getType(): string {
    return TYPES[this.open().filetype] ?? "unknown";
  }
  setSize(size: bigint): void {
    check(this.c.fd_filestat_set_size(this.fd, size));
  }
  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    const [a, af] = timestamp(atime, FSTFLAGS.ATIM, FSTFLAGS.ATIM_NOW);
    const [m, mf] = timestamp(mtime, FSTFLAGS.MTIM, FSTFLAGS.MTIM_NOW);
    check(this.c.fd_filestat_set_times(this.fd, a, m, af | mf));
  }
  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const n = Number(length > 0x7ffff000n ? 0x7ffff000n : length);
    const p1 = this.p1;
    p1.reserve(n);
    const got = p1.transfer(this.fd, p1.u8, DATA, n, offset, false);
    if (got < 0) fail(-got);
    return [p1.u8.slice(DATA, DATA + got), got < n || n === 0];
  }
  write(buffer: Uint8Array, offset: bigint): bigint {
    const put = this.p1.transfer(this.fd, buffer, 0, buffer.length, offset, true);
    if (put < 0) fail(-put);
    return BigInt(put);
  }
  readDirectory(): DirectoryEntryStream {
    if (this.open().kind !== KIND_DIR) fail(54 /* ENOTDIR */);
    return new DirectoryEntryStream(this.p1, this.fd, this);
  }
  /**
   * The entry a stream of this directory gave last, while nothing has been done since (`epoch`):
   * the preview1 adapter asks for its metadata hash right away (to make `d_ino`), which the
   * listing's device and inode answer without a second lookup, as preview1's `fd_readdir` answers
   * `d_ino` from its listing. Directories are left out (one may be a mount point, on another device).
   */
  listed: { name: string; dev: bigint; ino: bigint; epoch: number } | undefined;
  createDirectoryAt(path: string): void {
    check(this.c.path_create_directory(this.fd, DATA, this.p1.putString(path)));
  }
  stat(): ReturnType<typeof statAt0> {
    this.statInto0();
    return statAt0(this.p1);
  }
  statAt(flags: PathFlags, path: string): ReturnType<typeof statAt0> {
    this.statPathInto0(flags, path);
    return statAt0(this.p1);
  }
  setTimesAt(flags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    const [a, af] = timestamp(atime, FSTFLAGS.ATIM, FSTFLAGS.ATIM_NOW);
    const [m, mf] = timestamp(mtime, FSTFLAGS.MTIM, FSTFLAGS.MTIM_NOW);
    check(this.c.path_filestat_set_times(this.fd, flags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0, DATA, this.p1.putString(path), a, m, af | mf));
  }
  linkAt(oldFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const p1 = this.p1;
    const oldLen = p1.putString(oldPath);
    const newLen = p1.putString(newPath, DATA + oldLen);
    check(this.c.path_link(this.fd, oldFlags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0, DATA, oldLen, newDescriptor.fd, DATA + oldLen, newLen));
  }
  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    const oflags = (openFlags.create ? OFLAGS.CREAT : 0) | (openFlags.directory ? OFLAGS.DIRECTORY : 0) |
      (openFlags.exclusive ? OFLAGS.EXCL : 0) | (openFlags.truncate ? OFLAGS.TRUNC : 0);
    const rights = OPEN_RIGHTS[(flags.read ? 1 : 0) | (flags.write ? 2 : 0)]!;
    const fdflags = (flags.fileIntegritySync ? FDFLAGS.SYNC : 0) | (flags.dataIntegritySync ? FDFLAGS.DSYNC : 0) |
      (flags.requestedWriteSync ? FDFLAGS.RSYNC : 0);
    if (flags.mutateDirectory && !this.flags.mutateDirectory) fail(63 /* EPERM */);
    const len = this.p1.putString(path);
    check(this.c.path_open(this.fd, pathFlags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0, DATA, len, oflags, rights, ALL_RIGHTS, fdflags, 0));
    const fd = this.p1.u32(0);
    // A directory inherits the right to mutate from its parent; a file is as writable as asked. The
    // lifted flags are a fresh object of this call: kept as they are.
    if (this.flags.mutateDirectory === true) flags.mutateDirectory = true;
    return new Descriptor(this.p1, fd, flags, true);
  }
  readlinkAt(path: string): string {
    const p1 = this.p1;
    const len = p1.putString(path);
    const buf = DATA + len;
    p1.reserve(len + 4096);
    check(this.c.path_readlink(this.fd, DATA, len, buf, 4096, 0));
    return new TextDecoder().decode(p1.u8.subarray(buf, buf + p1.u32(0)));
  }
  removeDirectoryAt(path: string): void {
    check(this.c.path_remove_directory(this.fd, DATA, this.p1.putString(path)));
  }
  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const p1 = this.p1;
    const oldLen = p1.putString(oldPath);
    const newLen = p1.putString(newPath, DATA + oldLen);
    check(this.c.path_rename(this.fd, DATA, oldLen, newDescriptor.fd, DATA + oldLen, newLen));
  }
  symlinkAt(oldPath: string, newPath: string): void {
    const p1 = this.p1;
    const oldLen = p1.putString(oldPath);
    const newLen = p1.putString(newPath, DATA + oldLen);
    check(this.c.path_symlink(DATA, oldLen, this.fd, DATA + oldLen, newLen));
  }
  unlinkFileAt(path: string): void {
    check(this.c.path_unlink_file(this.fd, DATA, this.p1.putString(path)));
  }
  isSameObject(other: Descriptor): boolean {
    this.statInto0();
    const dev = this.p1.u64(0);
    const ino = this.p1.u64(8);
    other.statInto0();
    return dev === this.p1.u64(0) && ino === this.p1.u64(8);
  }
  metadataHash(): { lower: bigint; upper: bigint } {
    this.statInto0();
    return hashAt0(this.p1);
  }
  metadataHashAt(flags: PathFlags, path: string): { lower: bigint; upper: bigint } {
    const l = this.listed;
    if (l !== undefined) {
      this.listed = undefined;
      const p1 = this.p1;
      if (l.epoch === p1.epoch && path === l.name && !flags.symlinkFollow) {
        p1.reserve(0);
        p1.dv.setBigUint64(0, l.dev, true);
        p1.dv.setBigUint64(8, l.ino, true);
        return hashAt0(p1);
      }
    }
    this.statPathInto0(flags, path);
    return hashAt0(this.p1);
  }
  [Symbol.dispose](): void {
    if (this.owned) this.c.fd_close(this.fd);
  }
}

/**
 * `wasi:filesystem/types.directory-entry-stream`: the entries of a directory, `.` and `..` left out.
 * The directory is listed once, at the first read, as preview1's `fd_readdir` lists it at cookie 0
 * (the same checks and snapshot), but straight from the `Vfs`: the names stay strings instead of
 * going to UTF-8 in scratch memory and back.
 */
export class DirectoryEntryStream {
  private entries: readonly VfsDirEntry[] | undefined;
  /** The next entry of `entries` to give. */
  private next = 0;
  /** The directory's device (undefined if its stat failed). */
  private dev: bigint | undefined;
  constructor(
    private readonly p1: Preview1,
    private readonly fd: number,
    /** The descriptor the stream lists (told each entry, see `Descriptor.listed`). */
    private readonly dir: Descriptor,
  ) {}

  readDirectoryEntry(): { type: string; name: string } | undefined {
    const entries = (this.entries ??= this.list());
    if (this.next === entries.length) return undefined;
    const e = entries[this.next++]!;
    const dev = this.dev;
    this.dir.listed = dev !== undefined && e.ino !== 0n && e.filetype !== FILETYPE.DIRECTORY
      ? { name: e.name, dev, ino: e.ino, epoch: this.p1.epoch }
      : undefined;
    return { type: TYPES[e.filetype] ?? "unknown", name: e.name };
  }

  /** The directory's entries now (what `fd_readdir` at cookie 0 takes). */
  private list(): readonly VfsDirEntry[] {
    this.p1.flushGathered();
    const e = this.p1.state.fds[this.fd];
    if (e === undefined) fail(8 /* EBADF */);
    if (e.kind !== KIND_DIR) fail(54 /* ENOTDIR */);
    if (!(e.rightsBase & RIGHTS.FD_READDIR)) fail(76 /* ENOTCAPABLE */);
    const list = e.dir!.readdir();
    if (typeof list === "number") fail(list);
    const p1 = this.p1;
    this.dev = p1.c.fd_filestat_get(this.fd, 0) === 0 ? p1.u64(0) : undefined;
    return list;
  }
}

/** `wasi:filesystem/types` and `wasi:filesystem/preopens`, keyed by interface name. */
export function filesystemInterfaces(p1: Preview1, preopens: readonly { fd: number; path: string; readOnly: boolean }[]): Record<string, Record<string, unknown>> {
  return {
    types: {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: (err: IoError) => (err instanceof IoError ? err.code : undefined),
    },
    preopens: {
      getDirectories: () => preopens.map((p) => [new Descriptor(p1, p.fd, { read: true, mutateDirectory: !p.readOnly }, false), p.path]),
    },
  };
}
