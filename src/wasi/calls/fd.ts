/**
 * The `fd_*` calls.
 *
 * `fd_read`/`fd_write` read the guest's iovec array in place (`ciovec = { buf: u32 @0, buf_len: u32 @4 }`),
 * check every iovec before touching data, and pass the memory's own Uint8Array with offsets to the
 * filesystem or stream: no per-call objects. The file offset lives in the descriptor (`FdEntry.pos`);
 * appends go to the current size. Errno choices: a descriptor without the read/write right gives `EBADF`
 * (as POSIX), other missing rights `ENOTCAPABLE`; a file operation on a stream gives `ESPIPE`, on a
 * directory `EBADF` (`EISDIR` for read/write).
 *
 * `fd_readdir` lists `.` and `..` first; the listing is taken when the cookie is 0 and kept on the
 * descriptor, so cookies (entry index + 1) stay valid across calls. An entry that does not fit is written
 * truncated to fill the buffer exactly, which tells libc to retry with a bigger one.
 *
 * @module
 */
import {
  ADVICE_MAX, DIRENT_SIZE, ERRNO, FDFLAGS, FDSTAT_SIZE, FILETYPE, FSTFLAGS, PREOPENTYPE_DIR, RIGHTS, RIGHTS_ALL,
} from "../defs.js";
import { isErrno, type VfsTimes } from "../fs/vfs.js";
import { KIND_DIR, KIND_FILE, KIND_INPUT, KIND_OUTPUT, type FdEntry, type WasiState } from "../state.js";
import type { HostFn, Preview } from "./preview.js";

const enc = new TextEncoder();
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const direntScratch = new Uint8Array(DIRENT_SIZE);
const direntView = new DataView(direntScratch.buffer);
/**
 * The most bytes one `fd_read`/`fd_write` moves (Linux's MAX_RW_COUNT): the count fits the guest's
 * 32-bit `ssize_t`, so totals never wrap; more is a short read or write, which libc continues.
 */
export const MAX_IO = 0x7ffff000;
/** Between iovecs, the store's deadline is checked after one this large, or every 64. */
const DEADLINE_STRIDE = 1 << 16;

/** Converts fst flags and times to `VfsTimes`, or returns an errno. */
export function timesFrom(s: WasiState, atim: bigint, mtim: bigint, fst: number): VfsTimes | number {
  if (fst & ~15) return ERRNO.INVAL;
  if ((fst & FSTFLAGS.ATIM) && (fst & FSTFLAGS.ATIM_NOW)) return ERRNO.INVAL;
  if ((fst & FSTFLAGS.MTIM) && (fst & FSTFLAGS.MTIM_NOW)) return ERRNO.INVAL;
  let now = -1n;
  if (fst & (FSTFLAGS.ATIM_NOW | FSTFLAGS.MTIM_NOW)) now = s.nowNs(0);
  return {
    atim: fst & FSTFLAGS.ATIM_NOW ? now : fst & FSTFLAGS.ATIM ? BigInt.asUintN(64, atim) : null,
    mtim: fst & FSTFLAGS.MTIM_NOW ? now : fst & FSTFLAGS.MTIM ? BigInt.asUintN(64, mtim) : null,
  };
}

/** Checks that iovecs `[iovs, iovs + n*8)` and every buffer they name lie in memory. */
function iovecsOk(s: WasiState, iovs: number, n: number): boolean {
  if (!s.inBounds(iovs, n * 8)) return false;
  const dv = s.dv;
  const size = s.u8.length;
  for (let i = 0; i < n; i++) {
    const p = dv.getUint32(iovs + i * 8, true);
    const l = dv.getUint32(iovs + i * 8 + 4, true);
    if (p + l > size) return false;
  }
  return true;
}

/** Reads `[p, p + l)` of `u8` from `e` (a stream, or a file at `at`, -1 for its offset): the count, or -errno. */
function readOne(s: WasiState, e: FdEntry, u8: Uint8Array, p: number, l: number, at: number): number {
  if (e.kind === KIND_INPUT) {
    const got = e.input!.read(u8, p, l, s.remainingMs());
    if (got >= 0) return got;
    // The callback gave nothing within the time left: the deadline, or the end of input.
    s.checkDeadline();
    e.input!.end();
    return 0;
  }
  const got = e.file!.read(u8, p, l, at < 0 ? e.pos : at);
  if (got > 0 && at < 0) e.pos += got;
  return got;
}

function readInto(s: WasiState, e: FdEntry, iovs: number, n: number, position: number): number {
  const dv = s.dv;
  const u8 = s.u8;
  let total = 0;
  for (let i = 0; i < n && total < MAX_IO; i++) {
    const p = dv.getUint32(iovs + i * 8, true);
    let l = dv.getUint32(iovs + i * 8 + 4, true);
    if (l === 0) continue;
    if (l > MAX_IO - total) l = MAX_IO - total;
    if (i > 0 && (l >= DEADLINE_STRIDE || (i & 63) === 0)) s.checkDeadline();
    const got = readOne(s, e, u8, p, l, position < 0 ? -1 : position + total);
    if (got < 0) return total > 0 ? total : got;
    total += got;
    if (got < l) break;
  }
  return total;
}

/** Writes `[p, p + l)` of `u8` to file descriptor `e` at `at` (-1: at its offset): the count, or -errno. */
function writeFileOne(e: FdEntry, u8: Uint8Array, p: number, l: number, at: number): number {
  const where = at < 0 ? e.pos : at;
  if (where + l > Number.MAX_SAFE_INTEGER) return -ERRNO.FBIG;
  const put = e.file!.write(u8, p, l, where);
  if (put > 0 && at < 0) e.pos += put;
  return put;
}

/** Before a sequential write to a file: an `O_APPEND` descriptor moves to the end. 0, or -errno. */
function appendPosition(e: FdEntry, position: number): number {
  if (position < 0 && e.flags & FDFLAGS.APPEND) {
    const size = e.file!.size();
    if (size < 0) return size;
    e.pos = size;
  }
  return 0;
}

/** After a write of `total` bytes to a file: O_SYNC / O_DSYNC / O_RSYNC make it reach storage first. */
function syncAfterWrite(e: FdEntry, total: number): number {
  if (e.flags & (FDFLAGS.SYNC | FDFLAGS.DSYNC | FDFLAGS.RSYNC)) {
    const r = e.file!.sync((e.flags & FDFLAGS.SYNC) === 0);
    if (r !== 0 && total === 0) return -r;
  }
  return total;
}

/** Most iovecs, and most bytes, one `fd_write` to a chunk-taking stream gathers into one chunk. */
const GATHER_IOVECS = 16;
const GATHER_BYTES = 1 << 16;

/**
 * The `n` iovecs at `iovs` copied into one new array (libc's stdout writes its buffer and the rest of
 * the data as two), or null when they hold more than `GATHER_BYTES`.
 */
function gather(dv: DataView, u8: Uint8Array, iovs: number, n: number): Uint8Array | null {
  let total = 0;
  for (let i = 0; i < n; i++) total += dv.getUint32(iovs + i * 8 + 4, true);
  if (total > GATHER_BYTES) return null;
  const chunk = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const p = dv.getUint32(iovs + i * 8, true);
    const l = dv.getUint32(iovs + i * 8 + 4, true);
    if (l < 64) for (let j = 0; j < l; j++) chunk[at + j] = u8[p + j]!;
    else chunk.set(u8.subarray(p, p + l), at);
    at += l;
  }
  return chunk;
}

function writeFrom(s: WasiState, e: FdEntry, iovs: number, n: number, position: number): number {
  const dv = s.dv;
  const u8 = s.u8;
  let total = 0;
  if (e.kind === KIND_OUTPUT) {
    const out = e.output!;
    if (n > 1 && n <= GATHER_IOVECS && out.takesChunks) {
      const chunk = gather(dv, u8, iovs, n);
      if (chunk !== null) return chunk.length === 0 ? 0 : out.writeChunk(chunk);
    }
    for (let i = 0; i < n && total < MAX_IO; i++) {
      const p = dv.getUint32(iovs + i * 8, true);
      let l = dv.getUint32(iovs + i * 8 + 4, true);
      if (l === 0) continue;
      if (l > MAX_IO - total) l = MAX_IO - total;
      const put = out.write(u8, p, l);
      if (put < 0) return total > 0 ? total : put;
      total += put;
      if (put < l) break;
      if (l >= DEADLINE_STRIDE || (i & 63) === 63) s.checkDeadline();
    }
    return total;
  }
  const appended = appendPosition(e, position);
  if (appended < 0) return appended;
  for (let i = 0; i < n && total < MAX_IO; i++) {
    const p = dv.getUint32(iovs + i * 8, true);
    let l = dv.getUint32(iovs + i * 8 + 4, true);
    if (l === 0) continue;
    if (l > MAX_IO - total) l = MAX_IO - total;
    if (i > 0 && (l >= DEADLINE_STRIDE || (i & 63) === 0)) s.checkDeadline();
    const put = writeFileOne(e, u8, p, l, position < 0 ? -1 : position + total);
    if (put < 0) return total > 0 ? total : put;
    total += put;
    if (put < l) break;
  }
  return syncAfterWrite(e, total);
}

/**
 * The checks `fd_read`/`fd_write` (`offset` null) and `fd_pread`/`fd_pwrite` make of descriptor `fd`
 * once the memory they name is known good: its entry, or an errno.
 */
function ioEntry(s: WasiState, e: FdEntry, offset: bigint | null, write: boolean): FdEntry | number {
  if (e.kind === KIND_DIR) return write ? ERRNO.BADF : ERRNO.ISDIR;
  if (!(e.rightsBase & (write ? RIGHTS.FD_WRITE : RIGHTS.FD_READ))) return ERRNO.BADF;
  if (offset !== null) {
    if (e.kind !== KIND_FILE) return ERRNO.SPIPE;
    if (!(e.rightsBase & RIGHTS.FD_SEEK)) return ERRNO.NOTCAPABLE;
    if (BigInt.asUintN(64, offset) > MAX_SAFE) return ERRNO.INVAL;
  }
  if (write && e.mount !== null && e.mount.readOnly) return ERRNO.ROFS;
  return e;
}

/**
 * `fd_read`/`fd_write` (`offset` null) or `fd_pread`/`fd_pwrite` of one buffer, `[at, at + len)` of
 * `buf`, which need not be in the bound memory: the same checks, errnos and descriptor updates. The
 * WASI 0.2 host moves stream data this way, straight between the guest's memory and the file or pipe.
 * Returns the byte count, or -errno.
 */
export function transferBytes(s: WasiState, fd: number, buf: Uint8Array, at: number, len: number, offset: bigint | null, write: boolean): number {
  const e = s.fds[fd >>> 0];
  if (e === undefined) return -ERRNO.BADF;
  const ok = ioEntry(s, e, offset, write);
  if (isErrno(ok)) return -ok;
  if (len > MAX_IO) len = MAX_IO;
  const position = offset === null ? -1 : Number(BigInt.asUintN(64, offset));
  if (!write) return len === 0 ? 0 : readOne(s, e, buf, at, len, position);
  if (e.kind === KIND_OUTPUT) return len === 0 ? 0 : e.output!.write(buf, at, len);
  const appended = appendPosition(e, position);
  if (appended < 0) return appended;
  if (len === 0) return 0;
  const put = writeFileOne(e, buf, at, len, position);
  return put < 0 ? put : syncAfterWrite(e, put);
}

/** The `fd_*` calls of one namespace. */
export function fdCalls(s: WasiState, pv: Preview): Record<string, HostFn> {
  const FS = pv.filestat;

  function rw(fd: number, iovs: number, n: number, outPtr: number, offset: bigint | null, write: boolean): number {
    s.sync();
    const e = s.fds[fd >>> 0];
    if (e === undefined) return ERRNO.BADF;
    iovs >>>= 0;
    n >>>= 0;
    outPtr >>>= 0;
    if (!s.inBounds(outPtr, 4) || !iovecsOk(s, iovs, n)) return ERRNO.FAULT;
    const ok = ioEntry(s, e, offset, write);
    if (isErrno(ok)) return ok;
    const position = offset === null ? -1 : Number(BigInt.asUintN(64, offset));
    const r = write ? writeFrom(s, e, iovs, n, position) : readInto(s, e, iovs, n, position);
    if (r < 0) return -r;
    s.dv.setUint32(outPtr, r, true);
    return 0;
  }

  /** The entry of a regular-file descriptor holding `right`, or an errno. */
  function fileFd(fd: number, right: number): FdEntry | number {
    const e = s.fds[fd >>> 0];
    if (e === undefined) return ERRNO.BADF;
    if (e.kind === KIND_DIR) return ERRNO.BADF;
    if (e.kind !== KIND_FILE) return ERRNO.SPIPE;
    if (right !== 0 && !(e.rightsBase & right)) return ERRNO.NOTCAPABLE;
    return e;
  }

  return {
    fd_read: (fd: number, iovs: number, n: number, nread: number) => rw(fd, iovs, n, nread, null, false),
    fd_write: (fd: number, iovs: number, n: number, nw: number) => rw(fd, iovs, n, nw, null, true),
    fd_pread: (fd: number, iovs: number, n: number, off: bigint, nread: number) => rw(fd, iovs, n, nread, off, false),
    fd_pwrite: (fd: number, iovs: number, n: number, off: bigint, nw: number) => rw(fd, iovs, n, nw, off, true),

    fd_seek(fd: number, offset: bigint, whence: number, outPtr: number): number {
      s.sync();
      outPtr >>>= 0;
      const e = fileFd(fd, 0);
      if (isErrno(e)) return e;
      if (!s.inBounds(outPtr, 8)) return ERRNO.FAULT;
      const isTell = offset === 0n && whence === pv.whenceCur;
      if (!(e.rightsBase & (isTell ? RIGHTS.FD_SEEK | RIGHTS.FD_TELL : RIGHTS.FD_SEEK))) return ERRNO.NOTCAPABLE;
      let base: number;
      if (whence === pv.whenceSet) base = 0;
      else if (whence === pv.whenceCur) base = e.pos;
      else if (whence === pv.whenceEnd) {
        base = e.file!.size();
        if (base < 0) return -base;
      } else return ERRNO.INVAL;
      const off = BigInt.asIntN(64, offset);
      const next = base + Number(off);
      if (next < 0 || off > MAX_SAFE || next > Number.MAX_SAFE_INTEGER) return ERRNO.INVAL;
      e.pos = next;
      s.dv.setBigUint64(outPtr, BigInt(next), true);
      return 0;
    },

    fd_tell(fd: number, outPtr: number): number {
      s.sync();
      outPtr >>>= 0;
      const e = fileFd(fd, RIGHTS.FD_TELL);
      if (isErrno(e)) return e;
      if (!s.inBounds(outPtr, 8)) return ERRNO.FAULT;
      s.dv.setBigUint64(outPtr, BigInt(e.pos), true);
      return 0;
    },

    fd_close(fd: number): number {
      const e = s.fds[fd >>> 0];
      if (e === undefined) return ERRNO.BADF;
      e.close();
      s.freeFd(fd >>> 0);
      return 0;
    },

    fd_renumber(from: number, to: number): number {
      from >>>= 0;
      to >>>= 0;
      const a = s.fds[from];
      const b = s.fds[to];
      if (a === undefined || b === undefined) return ERRNO.BADF;
      if (from === to) return 0;
      b.close();
      s.fds[to] = a;
      s.freeFd(from);
      return 0;
    },

    fd_sync: (fd: number) => syncFd(fd, false),
    fd_datasync: (fd: number) => syncFd(fd, true),

    fd_fdstat_get(fd: number, ptr: number): number {
      s.sync();
      ptr >>>= 0;
      const e = s.fds[fd >>> 0];
      if (e === undefined) return ERRNO.BADF;
      if (!s.inBounds(ptr, FDSTAT_SIZE)) return ERRNO.FAULT;
      const dv = s.dv;
      s.u8.fill(0, ptr, ptr + FDSTAT_SIZE);
      dv.setUint8(ptr, e.filetype);
      dv.setUint16(ptr + 2, e.flags, true);
      dv.setUint32(ptr + 8, e.rightsBase, true);
      dv.setUint32(ptr + 16, e.rightsInh, true);
      return 0;
    },

    fd_fdstat_set_flags(fd: number, flags: number): number {
      const e = s.fds[fd >>> 0];
      if (e === undefined) return ERRNO.BADF;
      if (flags & ~31) return ERRNO.INVAL;
      if (!(e.rightsBase & RIGHTS.FD_FDSTAT_SET_FLAGS)) return ERRNO.NOTCAPABLE;
      e.flags = flags & 0xffff;
      return 0;
    },

    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
      const e = s.fds[fd >>> 0];
      if (e === undefined) return ERRNO.BADF;
      const b = BigInt.asUintN(64, base);
      const i = BigInt.asUintN(64, inheriting);
      if (b > BigInt(RIGHTS_ALL) || i > BigInt(RIGHTS_ALL)) return ERRNO.NOTCAPABLE;
      const bn = Number(b);
      const inh = Number(i);
      if (bn & ~e.rightsBase || inh & ~e.rightsInh) return ERRNO.NOTCAPABLE;
      e.rightsBase = bn;
      e.rightsInh = inh;
      return 0;
    },

    fd_filestat_get(fd: number, ptr: number): number {
      s.sync();
      ptr >>>= 0;
      const e = s.fds[fd >>> 0];
      if (e === undefined) return ERRNO.BADF;
      if (!s.inBounds(ptr, FS.SIZE)) return ERRNO.FAULT;
      if (!(e.rightsBase & RIGHTS.FD_FILESTAT_GET)) return ERRNO.NOTCAPABLE;
      if (e.kind === KIND_INPUT || e.kind === KIND_OUTPUT) {
        s.u8.fill(0, ptr, ptr + FS.SIZE);
        s.dv.setUint8(ptr + FS.TYPE, e.filetype);
        return 0;
      }
      const st = e.kind === KIND_FILE ? e.file!.stat() : e.dir!.stat();
      if (isErrno(st)) return st;
      s.writeStat(ptr, st, FS);
      return 0;
    },

    fd_filestat_set_size(fd: number, size: bigint): number {
      const e = fileFd(fd, RIGHTS.FD_FILESTAT_SET_SIZE);
      if (isErrno(e)) return e === ERRNO.SPIPE ? ERRNO.INVAL : e;
      if (e.mount!.readOnly) return ERRNO.ROFS;
      const n = BigInt.asUintN(64, size);
      if (n > MAX_SAFE) return ERRNO.FBIG;
      return e.file!.setSize(Number(n));
    },

    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number): number {
      const e = s.fds[fd >>> 0];
      if (e === undefined) return ERRNO.BADF;
      if (!(e.rightsBase & RIGHTS.FD_FILESTAT_SET_TIMES)) return ERRNO.NOTCAPABLE;
      const t = timesFrom(s, atim, mtim, fst);
      if (isErrno(t)) return t;
      if (e.mount?.readOnly) return ERRNO.ROFS;
      if (e.kind === KIND_FILE) return e.file!.setTimes(t);
      if (e.kind === KIND_DIR) return e.dir!.setTimes(t);
      return 0;
    },

    fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): number {
      const e = fileFd(fd, RIGHTS.FD_ADVISE);
      if (isErrno(e)) return e;
      return advice < 0 || advice > ADVICE_MAX ? ERRNO.INVAL : 0;
    },

    fd_allocate(fd: number, offset: bigint, len: bigint): number {
      const e = fileFd(fd, RIGHTS.FD_ALLOCATE);
      if (isErrno(e)) return e;
      const o = BigInt.asUintN(64, offset);
      const l = BigInt.asUintN(64, len);
      if (l === 0n) return ERRNO.INVAL;
      if (o + l > MAX_SAFE) return ERRNO.FBIG;
      if (e.mount!.readOnly) return ERRNO.ROFS;
      const size = e.file!.size();
      if (size < 0) return -size;
      const end = Number(o + l);
      return end > size ? e.file!.setSize(end) : 0;
    },

    fd_prestat_get(fd: number, ptr: number): number {
      s.sync();
      ptr >>>= 0;
      const e = s.fds[fd >>> 0];
      if (e === undefined || e.preopen === null) return ERRNO.BADF;
      if (!s.inBounds(ptr, 8)) return ERRNO.FAULT;
      s.dv.setUint32(ptr, PREOPENTYPE_DIR, true);
      s.dv.setUint32(ptr + 4, e.preopen.length, true);
      return 0;
    },

    fd_prestat_dir_name(fd: number, ptr: number, len: number): number {
      s.sync();
      ptr >>>= 0;
      len >>>= 0;
      const e = s.fds[fd >>> 0];
      if (e === undefined || e.preopen === null) return ERRNO.BADF;
      if (!s.inBounds(ptr, len)) return ERRNO.FAULT;
      if (len < e.preopen.length) return ERRNO.NAMETOOLONG;
      s.u8.set(e.preopen, ptr);
      return 0;
    },

    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number): number {
      s.sync();
      buf >>>= 0;
      bufLen >>>= 0;
      usedPtr >>>= 0;
      const e = s.fds[fd >>> 0];
      if (e === undefined) return ERRNO.BADF;
      if (e.kind !== KIND_DIR) return ERRNO.NOTDIR;
      if (!(e.rightsBase & RIGHTS.FD_READDIR)) return ERRNO.NOTCAPABLE;
      if (!s.inBounds(buf, bufLen) || !s.inBounds(usedPtr, 4)) return ERRNO.FAULT;
      const c = BigInt.asUintN(64, cookie);
      if (e.listing === null || c === 0n) {
        const self = e.dir!.stat();
        if (isErrno(self)) return self;
        const list = e.dir!.readdir();
        if (isErrno(list)) return list;
        const names = [enc.encode("."), enc.encode("..")];
        const inos = [self.ino, self.ino];
        const types: number[] = [FILETYPE.DIRECTORY, FILETYPE.DIRECTORY];
        for (const d of list) {
          names.push(enc.encode(d.name));
          inos.push(d.ino);
          types.push(d.filetype);
        }
        e.listing = { names, inos, types };
      }
      const L = e.listing;
      let used = 0;
      for (let i = c > BigInt(L.names.length) ? L.names.length : Number(c); i < L.names.length && used < bufLen; i++) {
        const name = L.names[i]!;
        direntView.setBigUint64(0, BigInt(i + 1), true);
        direntView.setBigUint64(8, L.inos[i]!, true);
        direntView.setUint32(16, name.length, true);
        direntView.setUint32(20, L.types[i]!, true);
        const h = Math.min(DIRENT_SIZE, bufLen - used);
        s.u8.set(h === DIRENT_SIZE ? direntScratch : direntScratch.subarray(0, h), buf + used);
        used += h;
        const m = Math.min(name.length, bufLen - used);
        if (m > 0) s.u8.set(m === name.length ? name : name.subarray(0, m), buf + used);
        used += m;
      }
      s.dv.setUint32(usedPtr, used, true);
      return 0;
    },
  };

  function syncFd(fd: number, dataOnly: boolean): number {
    const e = s.fds[fd >>> 0];
    if (e === undefined) return ERRNO.BADF;
    if (e.kind === KIND_INPUT || e.kind === KIND_OUTPUT) return ERRNO.INVAL;
    if (!(e.rightsBase & (dataOnly ? RIGHTS.FD_DATASYNC : RIGHTS.FD_SYNC))) return ERRNO.NOTCAPABLE;
    return e.kind === KIND_FILE ? e.file!.sync(dataOnly) : e.dir!.sync();
  }
}
