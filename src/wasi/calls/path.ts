/**
 * The `path_*` calls. Every path goes through `resolvePath` (src/wasi/fs/resolve.ts), which keeps it
 * inside the directory descriptor it is relative to; this file adds rights, read-only mounts and the
 * POSIX errno of each case.
 *
 * `path_open` intersects the requested rights with the directory's inheriting rights (as wasi-libc
 * expects) rather than failing. On a read-only mount, creating, truncating or asking for the write right
 * gives `EROFS`. An existing directory becomes a directory descriptor (file rights dropped); asking to
 * write (`FD_WRITE` or `APPEND`) or truncate it is `EISDIR`, with or without `O_DIRECTORY`, as open(2)
 * and Wasmtime answer; `O_DIRECTORY` with `O_CREAT`, `O_EXCL` or `O_TRUNC` is `EINVAL`, as in Wasmtime.
 *
 * @module
 */
import {
  ERRNO, FDFLAGS, FILETYPE, LOOKUP_SYMLINK_FOLLOW, OFLAGS, RIGHTS, RIGHTS_DIR, RIGHTS_FILE,
} from "../defs.js";
import { MAX_PATH, release, resolvePath, type Resolved } from "../fs/resolve.js";
import { isErrno } from "../fs/vfs.js";
import { FdEntry, KIND_DIR, KIND_FILE, type WasiState } from "../state.js";
import { timesFrom } from "./fd.js";
import type { HostFn, Preview } from "./preview.js";

/** `createFast`'s answer for "take the general path". */
const SLOW = -1;

/** The `path_*` calls of one namespace. */
export function pathCalls(s: WasiState, pv: Preview): Record<string, HostFn> {
  const FS = pv.filestat;

  /** The directory entry for `fd` with `right`, or an errno. */
  function dirFd(fd: number, right: number): FdEntry | number {
    const e = s.fds[fd >>> 0];
    if (e === undefined) return ERRNO.BADF;
    if (e.kind !== KIND_DIR) return ERRNO.NOTDIR;
    if (!(e.rightsBase & right)) return ERRNO.NOTCAPABLE;
    return e;
  }

  /** Reads the path and resolves it under the directory `fd`. */
  function walk(fd: number, right: number, ptr: number, len: number, follow: boolean): [FdEntry, Resolved] | number {
    s.sync();
    const e = dirFd(fd, right);
    if (isErrno(e)) return e;
    // Refused before decoding: a guest cannot make the host copy a huge string.
    if (!s.inBounds(ptr >>> 0, len >>> 0)) return ERRNO.FAULT;
    if (len >>> 0 > MAX_PATH) return ERRNO.NAMETOOLONG;
    const path = s.readString(ptr, len);
    if (isErrno(path)) return path;
    const r = resolvePath(e.dir!, path, follow);
    if (isErrno(r)) return r;
    return [e, r];
  }

  function ro(e: FdEntry): boolean {
    return e.mount !== null && e.mount.readOnly;
  }

  /**
   * `path_open` with `O_CREAT` (the common "create or open a file" case) without looking the last
   * component up first: open it straight away with create semantics. A symlink (`ELOOP`) or a
   * directory (`EISDIR`) there sends the call down the general path, which handles them. Saves one
   * stat per open on a host directory.
   */
  function createFast(fd: number, ptr: number, len: number, oflags: number, rightsBase: bigint, rightsInh: bigint, fdflags: number, outPtr: number): number {
    const w = walk(fd, RIGHTS.PATH_OPEN, ptr, len, false);
    if (isErrno(w)) return w;
    const [parent, r] = w;
    try {
      if (r.name === "." || r.trailingSlash || ro(parent)) return SLOW;
      if (!s.inBounds(outPtr, 4)) return ERRNO.FAULT;
      if (oflags & ~15 || fdflags & ~31) return ERRNO.INVAL;
      if (!(parent.rightsBase & RIGHTS.PATH_CREATE_FILE)) return ERRNO.NOTCAPABLE;
      if (!s.canAllocFd()) return ERRNO.MFILE;
      const trunc = (oflags & OFLAGS.TRUNC) !== 0;
      if (trunc && !(parent.rightsBase & RIGHTS.PATH_FILESTAT_SET_SIZE)) return ERRNO.NOTCAPABLE;
      const inh = parent.rightsInh;
      const base = Number(BigInt.asUintN(30, rightsBase)) & inh & RIGHTS_FILE;
      const inheriting = Number(BigInt.asUintN(30, rightsInh)) & inh;
      const f = r.dir.openFileAt(r.name, {
        create: true, exclusive: (oflags & OFLAGS.EXCL) !== 0, truncate: trunc,
        read: (base & RIGHTS.FD_READ) !== 0 || (base & RIGHTS.FD_WRITE) === 0,
        write: (base & RIGHTS.FD_WRITE) !== 0,
      });
      if (isErrno(f)) return f === ERRNO.LOOP || f === ERRNO.ISDIR ? SLOW : f;
      const entry = new FdEntry(KIND_FILE, FILETYPE.REGULAR_FILE, base, inheriting, fdflags, f, null, parent.mount, null, null);
      s.dv.setUint32(outPtr, s.allocFd(entry), true);
      return 0;
    } finally {
      release(r);
    }
  }

  return {
    path_open(
      fd: number, dirflags: number, ptr: number, len: number, oflags: number,
      rightsBase: bigint, rightsInh: bigint, fdflags: number, outPtr: number,
    ): number {
      outPtr >>>= 0;
      if ((oflags & (OFLAGS.CREAT | OFLAGS.DIRECTORY)) === OFLAGS.CREAT) {
        const fast = createFast(fd, ptr, len, oflags, rightsBase, rightsInh, fdflags, outPtr);
        if (fast !== SLOW) return fast;
      }
      const w = walk(fd, RIGHTS.PATH_OPEN, ptr, len, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if (isErrno(w)) return w;
      const [parent, r] = w;
      try {
        if (!s.inBounds(outPtr, 4)) return ERRNO.FAULT;
        if (oflags & ~15 || fdflags & ~31) return ERRNO.INVAL;
        if (oflags & OFLAGS.DIRECTORY && oflags & (OFLAGS.CREAT | OFLAGS.EXCL | OFLAGS.TRUNC)) return ERRNO.INVAL;
        if (!s.canAllocFd()) return ERRNO.MFILE;
        const create = (oflags & OFLAGS.CREAT) !== 0;
        const excl = (oflags & OFLAGS.EXCL) !== 0;
        const trunc = (oflags & OFLAGS.TRUNC) !== 0;
        const wantDir = (oflags & OFLAGS.DIRECTORY) !== 0 || r.trailingSlash;
        if (create && !(parent.rightsBase & RIGHTS.PATH_CREATE_FILE)) return ERRNO.NOTCAPABLE;
        if (trunc && !(parent.rightsBase & RIGHTS.PATH_FILESTAT_SET_SIZE)) return ERRNO.NOTCAPABLE;
        const inh = parent.rightsInh;
        let base = Number(BigInt.asUintN(30, rightsBase)) & inh;
        const inheriting = Number(BigInt.asUintN(30, rightsInh)) & inh;
        const writeAsked = (base & RIGHTS.FD_WRITE) !== 0 || (fdflags & FDFLAGS.APPEND) !== 0;
        const readOnly = ro(parent);

        const st = r.stat !== undefined ? r.stat : r.name === "." ? r.dir.stat() : r.dir.statAt(r.name);
        const exists = !isErrno(st);
        if (!exists && st !== ERRNO.NOENT) return st;
        if (exists && create && excl) return ERRNO.EXIST;

        if (exists && st.filetype === FILETYPE.DIRECTORY) {
          // Asking to write a directory is EISDIR, as open(2) says. Other file rights are dropped
          // (wasi-libc asks for every right that does not contradict the access mode).
          if (trunc || writeAsked) return ERRNO.ISDIR;
          const d = r.name === "." ? r.dir.reopen() : r.dir.openDirAt(r.name);
          if (isErrno(d)) return d;
          base &= RIGHTS_DIR;
          const entry = new FdEntry(KIND_DIR, FILETYPE.DIRECTORY, base, inheriting, fdflags, null, d, parent.mount, null, null);
          s.dv.setUint32(outPtr, s.allocFd(entry), true);
          return 0;
        }
        if (exists && st.filetype === FILETYPE.SYMBOLIC_LINK) return wantDir ? ERRNO.NOTDIR : ERRNO.LOOP;
        if (wantDir) {
          if (exists) return ERRNO.NOTDIR;
          return create && r.trailingSlash ? ERRNO.ISDIR : ERRNO.NOENT;
        }
        if (!exists && !create) return ERRNO.NOENT;
        // Only regular files open as files: a device or FIFO a host put there could block or leak.
        if (exists && st.filetype !== FILETYPE.REGULAR_FILE) return ERRNO.NOTSUP;
        if (readOnly && ((create && !exists) || trunc || writeAsked)) return ERRNO.ROFS;
        base &= RIGHTS_FILE;
        const f = r.dir.openFileAt(r.name, {
          create, exclusive: excl, truncate: trunc,
          read: (base & RIGHTS.FD_READ) !== 0 || (base & RIGHTS.FD_WRITE) === 0,
          write: (base & RIGHTS.FD_WRITE) !== 0,
        });
        if (isErrno(f)) return f;
        const ft = exists ? st.filetype : FILETYPE.REGULAR_FILE;
        const entry = new FdEntry(KIND_FILE, ft, base, inheriting, fdflags, f, null, parent.mount, null, null);
        s.dv.setUint32(outPtr, s.allocFd(entry), true);
        return 0;
      } finally {
        release(r);
      }
    },

    path_filestat_get(fd: number, flags: number, ptr: number, len: number, out: number): number {
      out >>>= 0;
      const w = walk(fd, RIGHTS.PATH_FILESTAT_GET, ptr, len, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if (isErrno(w)) return w;
      const r = w[1];
      try {
        if (!s.inBounds(out, FS.SIZE)) return ERRNO.FAULT;
        const st = r.stat !== undefined ? r.stat : r.name === "." ? r.dir.stat() : r.dir.statAt(r.name);
        if (isErrno(st)) return st;
        if (r.trailingSlash && st.filetype !== FILETYPE.DIRECTORY) return ERRNO.NOTDIR;
        s.writeStat(out, st, FS);
        return 0;
      } finally {
        release(r);
      }
    },

    path_filestat_set_times(fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number): number {
      const w = walk(fd, RIGHTS.PATH_FILESTAT_SET_TIMES, ptr, len, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if (isErrno(w)) return w;
      const [e, r] = w;
      try {
        const t = timesFrom(s, atim, mtim, fst);
        if (isErrno(t)) return t;
        if (ro(e)) return ERRNO.ROFS;
        return r.name === "." ? r.dir.setTimes(t) : r.dir.setTimesAt(r.name, t);
      } finally {
        release(r);
      }
    },

    path_create_directory(fd: number, ptr: number, len: number): number {
      const w = walk(fd, RIGHTS.PATH_CREATE_DIRECTORY, ptr, len, false);
      if (isErrno(w)) return w;
      const [e, r] = w;
      try {
        if (r.name === ".") return ERRNO.EXIST;
        if (ro(e)) return ERRNO.ROFS;
        return r.dir.mkdirAt(r.name);
      } finally {
        release(r);
      }
    },

    path_remove_directory(fd: number, ptr: number, len: number): number {
      const w = walk(fd, RIGHTS.PATH_REMOVE_DIRECTORY, ptr, len, false);
      if (isErrno(w)) return w;
      const [e, r] = w;
      try {
        if (r.name === ".") return ERRNO.INVAL;
        if (ro(e)) return ERRNO.ROFS;
        return r.dir.rmdirAt(r.name);
      } finally {
        release(r);
      }
    },

    path_unlink_file(fd: number, ptr: number, len: number): number {
      const w = walk(fd, RIGHTS.PATH_UNLINK_FILE, ptr, len, false);
      if (isErrno(w)) return w;
      const [e, r] = w;
      try {
        if (r.name === ".") return ERRNO.ISDIR;
        if (ro(e)) return ERRNO.ROFS;
        if (r.trailingSlash) {
          const st = r.dir.statAt(r.name);
          if (isErrno(st)) return st;
          return st.filetype === FILETYPE.DIRECTORY ? ERRNO.ISDIR : ERRNO.NOTDIR;
        }
        return r.dir.unlinkAt(r.name);
      } finally {
        release(r);
      }
    },

    path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number): number {
      buf >>>= 0;
      bufLen >>>= 0;
      usedPtr >>>= 0;
      const w = walk(fd, RIGHTS.PATH_READLINK, ptr, len, false);
      if (isErrno(w)) return w;
      const r = w[1];
      try {
        if (!s.inBounds(buf, bufLen) || !s.inBounds(usedPtr, 4)) return ERRNO.FAULT;
        if (r.name === ".") return ERRNO.INVAL;
        const target = r.dir.readlinkAt(r.name);
        if (isErrno(target)) return target;
        // A short buffer gets the target truncated, as readlink(2) does.
        const { written } = new TextEncoder().encodeInto(target, s.u8.subarray(buf, buf + bufLen));
        s.dv.setUint32(usedPtr, written, true);
        return 0;
      } finally {
        release(r);
      }
    },

    path_symlink(oldPtr: number, oldLen: number, fd: number, ptr: number, len: number): number {
      s.sync();
      if (!s.inBounds(oldPtr >>> 0, oldLen >>> 0)) return ERRNO.FAULT;
      if (oldLen >>> 0 > MAX_PATH) return ERRNO.NAMETOOLONG;
      const target = s.readString(oldPtr, oldLen);
      if (isErrno(target)) return target;
      const w = walk(fd, RIGHTS.PATH_SYMLINK, ptr, len, false);
      if (isErrno(w)) return w;
      const [e, r] = w;
      try {
        if (target.includes("\0")) return ERRNO.INVAL;
        if (target.length === 0) return ERRNO.NOENT;
        // An absolute target could only ever point out of the sandbox (for other host processes too).
        if (target.charCodeAt(0) === 47) return ERRNO.NOTCAPABLE;
        if (r.name === ".") return ERRNO.EXIST;
        if (ro(e)) return ERRNO.ROFS;
        if (r.trailingSlash) {
          const st = r.dir.statAt(r.name);
          return isErrno(st) ? ERRNO.NOENT : ERRNO.EXIST;
        }
        return r.dir.symlinkAt(target, r.name);
      } finally {
        release(r);
      }
    },

    path_link(oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
      const a = walk(oldFd, RIGHTS.PATH_LINK_SOURCE, oldPtr, oldLen, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      if (isErrno(a)) return a;
      try {
        const b = walk(newFd, RIGHTS.PATH_LINK_TARGET, newPtr, newLen, false);
        if (isErrno(b)) return b;
        try {
          if (a[0].mount?.vfs !== b[0].mount?.vfs) return ERRNO.XDEV;
          if (a[1].name === ".") return ERRNO.PERM;
          if (b[1].name === ".") return ERRNO.EXIST;
          if (ro(b[0])) return ERRNO.ROFS;
          if (a[1].trailingSlash || b[1].trailingSlash) {
            const st = a[1].dir.statAt(a[1].name);
            if (isErrno(st)) return st;
            if (st.filetype !== FILETYPE.DIRECTORY) return ERRNO.NOTDIR;
          }
          return a[1].dir.linkAt(a[1].name, b[1].dir, b[1].name);
        } finally {
          release(b[1]);
        }
      } finally {
        release(a[1]);
      }
    },

    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
      const a = walk(fd, RIGHTS.PATH_RENAME_SOURCE, oldPtr, oldLen, false);
      if (isErrno(a)) return a;
      try {
        const b = walk(newFd, RIGHTS.PATH_RENAME_TARGET, newPtr, newLen, false);
        if (isErrno(b)) return b;
        try {
          if (a[0].mount?.vfs !== b[0].mount?.vfs) return ERRNO.XDEV;
          if (a[1].name === "." || b[1].name === ".") return ERRNO.BUSY;
          if (ro(a[0]) || ro(b[0])) return ERRNO.ROFS;
          if (a[1].trailingSlash || b[1].trailingSlash) {
            const st = a[1].dir.statAt(a[1].name);
            if (isErrno(st)) return st;
            if (st.filetype !== FILETYPE.DIRECTORY) return ERRNO.NOTDIR;
          }
          return a[1].dir.renameAt(a[1].name, b[1].dir, b[1].name);
        } finally {
          release(b[1]);
        }
      } finally {
        release(a[1]);
      }
    },
  };
}
