/**
 * `wasi:filesystem` (types, preopens) over preview1 descriptors: each `descriptor` is a preview1
 * descriptor of the same `Wasi`, so path resolution, read-only mounts and the descriptor budget are
 * preview1's own (see ./preview1.ts). Errors are preview1 errnos mapped to `error-code` cases.
 *
 * @module
 */
import { FDFLAGS, FSTFLAGS, LOOKUP_SYMLINK_FOLLOW, OFLAGS, RIGHTS, RIGHTS_ALL, RIGHTS_WRITE } from "../../wasi/defs.js";
import { ComponentError } from "../runtime/errors.js";
import { InputStream, IoError, OutputStream } from "./io.js";
import { DATA, errorCode, type Preview1 } from "./preview1.js";

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

/** A 64-bit mix (SplitMix64's finalizer), for `metadata-hash`. */
function mix(x: bigint): bigint {
  x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
  x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
  return x ^ (x >> 31n);
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

/** The metadata hash of the filestat at scratch offset 0 (device and inode). */
function hashAt0(p1: Preview1): { lower: bigint; upper: bigint } {
  const dev = p1.u64(0);
  const ino = p1.u64(8);
  return { lower: mix(ino ^ mix(dev)), upper: mix(dev ^ mix(ino + 1n)) };
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

  /** Calls the preview1 function `name` on this descriptor; fails with its errno. */
  private call(name: string, ...args: (number | bigint)[]): void {
    const errno = this.p1.fn(name)(this.fd, ...args);
    if (errno !== 0) fail(errno);
  }

  /** Puts `path` at the data area and calls path function `name` as `(fd, ...before, ptr, len, ...after)`. */
  private path(name: string, path: string, before: (number | bigint)[], after: (number | bigint)[] = []): void {
    const len = this.p1.putString(path);
    this.call(name, ...before, DATA, len, ...after);
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
    this.call("fd_advise", offset, length, ADVICE[advice] ?? 0);
  }
  syncData(): void {
    this.call("fd_datasync");
  }
  sync(): void {
    this.call("fd_sync");
  }
  getFlags(): DescriptorFlags {
    this.call("fd_filestat_get", 0); // a closed or bad descriptor fails here
    return { ...this.flags };
  }
  getType(): string {
    this.call("fd_filestat_get", 0);
    return TYPES[this.p1.u8[16]!] ?? "unknown";
  }
  setSize(size: bigint): void {
    this.call("fd_filestat_set_size", size);
  }
  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    const [a, af] = timestamp(atime, FSTFLAGS.ATIM, FSTFLAGS.ATIM_NOW);
    const [m, mf] = timestamp(mtime, FSTFLAGS.MTIM, FSTFLAGS.MTIM_NOW);
    this.call("fd_filestat_set_times", a, m, af | mf);
  }
  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const n = Number(length > 0x7ffff000n ? 0x7ffff000n : length);
    const p1 = this.p1;
    p1.reserve(n);
    this.call("fd_pread", p1.iovec(n), 1, offset, 8);
    const got = p1.u32(8);
    return [p1.u8.slice(DATA, DATA + got), got < n || n === 0];
  }
  write(buffer: Uint8Array, offset: bigint): bigint {
    const p1 = this.p1;
    p1.putBytes(buffer);
    this.call("fd_pwrite", p1.iovec(buffer.length), 1, offset, 8);
    return BigInt(p1.u32(8));
  }
  readDirectory(): DirectoryEntryStream {
    this.call("fd_filestat_get", 0);
    if (this.p1.u8[16] !== 3) fail(54 /* ENOTDIR */);
    return new DirectoryEntryStream(this.p1, this.fd);
  }
  createDirectoryAt(path: string): void {
    this.path("path_create_directory", path, []);
  }
  stat(): ReturnType<typeof statAt0> {
    this.call("fd_filestat_get", 0);
    return statAt0(this.p1);
  }
  statAt(flags: PathFlags, path: string): ReturnType<typeof statAt0> {
    this.path("path_filestat_get", path, [flags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0], [0]);
    return statAt0(this.p1);
  }
  setTimesAt(flags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    const [a, af] = timestamp(atime, FSTFLAGS.ATIM, FSTFLAGS.ATIM_NOW);
    const [m, mf] = timestamp(mtime, FSTFLAGS.MTIM, FSTFLAGS.MTIM_NOW);
    this.path("path_filestat_set_times", path, [flags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0], [a, m, af | mf]);
  }
  linkAt(oldFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const p1 = this.p1;
    const oldLen = p1.putString(oldPath);
    const newLen = p1.putString(newPath, DATA + oldLen);
    this.call("path_link", oldFlags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0, DATA, oldLen, newDescriptor.fd, DATA + oldLen, newLen);
  }
  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    const oflags = (openFlags.create ? OFLAGS.CREAT : 0) | (openFlags.directory ? OFLAGS.DIRECTORY : 0) |
      (openFlags.exclusive ? OFLAGS.EXCL : 0) | (openFlags.truncate ? OFLAGS.TRUNC : 0);
    let rights = RIGHTS_ALL;
    if (!flags.read) rights &= ~RIGHTS.FD_READ;
    if (!flags.write) rights &= ~RIGHTS_WRITE;
    const fdflags = (flags.fileIntegritySync ? FDFLAGS.SYNC : 0) | (flags.dataIntegritySync ? FDFLAGS.DSYNC : 0) |
      (flags.requestedWriteSync ? FDFLAGS.RSYNC : 0);
    if (flags.mutateDirectory && !this.flags.mutateDirectory) fail(63 /* EPERM */);
    this.path("path_open", path, [pathFlags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0], [oflags, BigInt(rights), BigInt(RIGHTS_ALL), fdflags, 0]);
    const fd = this.p1.u32(0);
    // A directory inherits the right to mutate from its parent; a file is as writable as asked.
    return new Descriptor(this.p1, fd, { ...flags, mutateDirectory: flags.mutateDirectory === true || this.flags.mutateDirectory === true }, true);
  }
  readlinkAt(path: string): string {
    const p1 = this.p1;
    const len = p1.putString(path);
    const buf = DATA + len;
    p1.reserve(len + 4096);
    this.call("path_readlink", DATA, len, buf, 4096, 0);
    return new TextDecoder().decode(p1.u8.subarray(buf, buf + p1.u32(0)));
  }
  removeDirectoryAt(path: string): void {
    this.path("path_remove_directory", path, []);
  }
  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const p1 = this.p1;
    const oldLen = p1.putString(oldPath);
    const newLen = p1.putString(newPath, DATA + oldLen);
    this.call("path_rename", DATA, oldLen, newDescriptor.fd, DATA + oldLen, newLen);
  }
  symlinkAt(oldPath: string, newPath: string): void {
    const p1 = this.p1;
    const oldLen = p1.putString(oldPath);
    const newLen = p1.putString(newPath, DATA + oldLen);
    const errno = p1.fn("path_symlink")(DATA, oldLen, this.fd, DATA + oldLen, newLen);
    if (errno !== 0) fail(errno);
  }
  unlinkFileAt(path: string): void {
    this.path("path_unlink_file", path, []);
  }
  isSameObject(other: Descriptor): boolean {
    this.call("fd_filestat_get", 0);
    const dev = this.p1.u64(0);
    const ino = this.p1.u64(8);
    other.call("fd_filestat_get", 0);
    return dev === this.p1.u64(0) && ino === this.p1.u64(8);
  }
  metadataHash(): { lower: bigint; upper: bigint } {
    this.call("fd_filestat_get", 0);
    return hashAt0(this.p1);
  }
  metadataHashAt(flags: PathFlags, path: string): { lower: bigint; upper: bigint } {
    this.path("path_filestat_get", path, [flags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0], [0]);
    return hashAt0(this.p1);
  }
  [Symbol.dispose](): void {
    if (this.owned) this.p1.fn("fd_close")(this.fd);
  }
}

/** How many bytes of entries one `fd_readdir` fetches. */
const READDIR_BUFFER = 16384;

/** `wasi:filesystem/types.directory-entry-stream`: the entries of a directory, `.` and `..` left out. */
export class DirectoryEntryStream {
  private cookie = 0n;
  private readonly pending: { type: string; name: string }[] = [];
  private end = false;
  constructor(
    private readonly p1: Preview1,
    private readonly fd: number,
  ) {}

  readDirectoryEntry(): { type: string; name: string } | undefined {
    while (this.pending.length === 0 && !this.end) this.fill();
    return this.pending.shift();
  }

  /** Fetches the next batch of entries from `fd_readdir`. */
  private fill(): void {
    const p1 = this.p1;
    p1.reserve(READDIR_BUFFER);
    const errno = p1.fn("fd_readdir")(this.fd, DATA, READDIR_BUFFER, this.cookie, 0);
    if (errno !== 0) fail(errno);
    const used = p1.u32(0);
    let at = DATA;
    const stop = DATA + used;
    let complete = 0;
    const dec = new TextDecoder();
    while (at + 24 <= stop) {
      const next = p1.u64(at);
      const namlen = p1.u32(at + 16);
      const type = p1.u8[at + 20]!;
      if (at + 24 + namlen > stop) break; // cut short: fetched again from its cookie
      const name = dec.decode(p1.u8.subarray(at + 24, at + 24 + namlen));
      if (name !== "." && name !== "..") this.pending.push({ type: TYPES[type] ?? "unknown", name });
      this.cookie = next;
      at += 24 + namlen;
      complete++;
    }
    if (used < READDIR_BUFFER) this.end = true;
    else if (complete === 0) fail(61 /* EOVERFLOW: one name larger than the buffer */);
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
