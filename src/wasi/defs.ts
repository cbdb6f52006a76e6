/**
 * WASI preview1 (`wasi_snapshot_preview1`) and preview0 (`wasi_unstable`) constants and struct layouts,
 * written from the witx definitions. Plain `const` numbers (not TS enums) so that the hot paths compare
 * small integers. Every struct is drawn with its byte offsets.
 *
 * @module
 */

/** The errno values, exactly as numbered in the preview1 `errno` enum (preview0 uses the same numbers). */
export const ERRNO = {
  SUCCESS: 0, TOOBIG: 1, ACCES: 2, ADDRINUSE: 3, ADDRNOTAVAIL: 4, AFNOSUPPORT: 5, AGAIN: 6, ALREADY: 7,
  BADF: 8, BADMSG: 9, BUSY: 10, CANCELED: 11, CHILD: 12, CONNABORTED: 13, CONNREFUSED: 14, CONNRESET: 15,
  DEADLK: 16, DESTADDRREQ: 17, DOM: 18, DQUOT: 19, EXIST: 20, FAULT: 21, FBIG: 22, HOSTUNREACH: 23,
  IDRM: 24, ILSEQ: 25, INPROGRESS: 26, INTR: 27, INVAL: 28, IO: 29, ISCONN: 30, ISDIR: 31, LOOP: 32,
  MFILE: 33, MLINK: 34, MSGSIZE: 35, MULTIHOP: 36, NAMETOOLONG: 37, NETDOWN: 38, NETRESET: 39,
  NETUNREACH: 40, NFILE: 41, NOBUFS: 42, NODEV: 43, NOENT: 44, NOEXEC: 45, NOLCK: 46, NOLINK: 47,
  NOMEM: 48, NOMSG: 49, NOPROTOOPT: 50, NOSPC: 51, NOSYS: 52, NOTCONN: 53, NOTDIR: 54, NOTEMPTY: 55,
  NOTRECOVERABLE: 56, NOTSOCK: 57, NOTSUP: 58, NOTTY: 59, NXIO: 60, OVERFLOW: 61, OWNERDEAD: 62,
  PERM: 63, PIPE: 64, PROTO: 65, PROTONOSUPPORT: 66, PROTOTYPE: 67, RANGE: 68, ROFS: 69, SPIPE: 70,
  SRCH: 71, STALE: 72, TIMEDOUT: 73, TXTBSY: 74, XDEV: 75, NOTCAPABLE: 76,
} as const;

/** The lowercase errno name of a number (`8` -> `"badf"`), for messages and `WasiError.errno`. */
export function errnoName(errno: number): string {
  for (const [k, v] of Object.entries(ERRNO)) if (v === errno) return k === "TOOBIG" ? "2big" : k.toLowerCase();
  return `errno ${errno}`;
}

/** `filetype`: u8. */
export const FILETYPE = {
  UNKNOWN: 0, BLOCK_DEVICE: 1, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4, SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6, SYMBOLIC_LINK: 7,
} as const;

/** `fdflags`: u16. */
export const FDFLAGS = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
/** `oflags`: u16. */
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
/** `lookupflags`: u32. */
export const LOOKUP_SYMLINK_FOLLOW = 1;
/** `fstflags`: u16. */
export const FSTFLAGS = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
/** `clockid`: u32. */
export const CLOCK = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 } as const;
/** `eventtype`: u8. */
export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
/** `subclockflags`: u16. */
export const SUBCLOCK_ABSTIME = 1;
/** `eventrwflags`: u16. */
export const EVENT_FD_READWRITE_HANGUP = 1;
/** `advice`: u8, values 0..5 (normal, sequential, random, willneed, dontneed, noreuse). */
export const ADVICE_MAX = 5;
/** `preopentype`: u8; only directories exist. */
export const PREOPENTYPE_DIR = 0;
/** `whence` in preview1: set, cur, end. */
export const WHENCE1 = { SET: 0, CUR: 1, END: 2 } as const;
/** `whence` in preview0 (`wasi_unstable`): cur, end, set (a different order). */
export const WHENCE0 = { CUR: 0, END: 1, SET: 2 } as const;
/** The highest `signal` number (`sigsys` = 30 in both previews). */
export const SIGNAL_MAX = 30;

/**
 * `rights`: u64, but every defined bit is below 2^30, so wasmhost keeps rights as a JS number (the upper
 * half of the guest's u64 is ignored).
 */
export const RIGHTS = {
  FD_DATASYNC: 1 << 0, FD_READ: 1 << 1, FD_SEEK: 1 << 2, FD_FDSTAT_SET_FLAGS: 1 << 3, FD_SYNC: 1 << 4,
  FD_TELL: 1 << 5, FD_WRITE: 1 << 6, FD_ADVISE: 1 << 7, FD_ALLOCATE: 1 << 8,
  PATH_CREATE_DIRECTORY: 1 << 9, PATH_CREATE_FILE: 1 << 10, PATH_LINK_SOURCE: 1 << 11,
  PATH_LINK_TARGET: 1 << 12, PATH_OPEN: 1 << 13, FD_READDIR: 1 << 14, PATH_READLINK: 1 << 15,
  PATH_RENAME_SOURCE: 1 << 16, PATH_RENAME_TARGET: 1 << 17, PATH_FILESTAT_GET: 1 << 18,
  PATH_FILESTAT_SET_SIZE: 1 << 19, PATH_FILESTAT_SET_TIMES: 1 << 20, FD_FILESTAT_GET: 1 << 21,
  FD_FILESTAT_SET_SIZE: 1 << 22, FD_FILESTAT_SET_TIMES: 1 << 23, PATH_SYMLINK: 1 << 24,
  PATH_REMOVE_DIRECTORY: 1 << 25, PATH_UNLINK_FILE: 1 << 26, POLL_FD_READWRITE: 1 << 27,
  SOCK_SHUTDOWN: 1 << 28, SOCK_ACCEPT: 1 << 29,
} as const;

const R = RIGHTS;
/** Every right a regular file can carry. */
export const RIGHTS_FILE =
  R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_TELL | R.FD_WRITE |
  R.FD_ADVISE | R.FD_ALLOCATE | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_SIZE | R.FD_FILESTAT_SET_TIMES |
  R.POLL_FD_READWRITE;
/** Every right a directory can carry. */
export const RIGHTS_DIR =
  R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_DATASYNC | R.PATH_CREATE_DIRECTORY | R.PATH_CREATE_FILE |
  R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET | R.PATH_OPEN | R.FD_READDIR | R.PATH_READLINK |
  R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET | R.PATH_FILESTAT_GET | R.PATH_FILESTAT_SET_SIZE |
  R.PATH_FILESTAT_SET_TIMES | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_TIMES | R.PATH_SYMLINK |
  R.PATH_REMOVE_DIRECTORY | R.PATH_UNLINK_FILE;
/** The rights of stdin. */
export const RIGHTS_STDIN = R.FD_READ | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE | R.FD_FDSTAT_SET_FLAGS;
/** The rights of stdout and stderr. */
export const RIGHTS_STDOUT = R.FD_WRITE | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE | R.FD_FDSTAT_SET_FLAGS;
/** Rights that modify the filesystem: refused with `EROFS` on a read-only mount. */
export const RIGHTS_WRITE = R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE | R.FD_DATASYNC;
/** All defined rights. */
export const RIGHTS_ALL = (1 << 30) - 1;

/**
 * `ciovec` / `iovec` (8 bytes): `buf: u32 @0`, `buf_len: u32 @4`.
 *
 * `fdstat` (24 bytes):
 * ```
 * 0        1  2        4        8                16               24
 * |filetype|..|fs_flags|........|rights_base u64 |rights_inh u64  |
 * ```
 */
export const FDSTAT_SIZE = 24;

/**
 * `filestat`, preview1 (64 bytes):
 * ```
 * 0       8       16   17      24       32      40      48      56      64
 * |dev u64|ino u64|type|.......|nlink u64|size u64|atim   |mtim   |ctim   |
 * ```
 * preview0 (56 bytes): `nlink` is a u32 at 20, so `size` moves to 24, `atim` 32, `mtim` 40, `ctim` 48.
 */
export const FILESTAT1 = { SIZE: 64, DEV: 0, INO: 8, TYPE: 16, NLINK: 24, NLINK_U32: false, FSIZE: 32, ATIM: 40, MTIM: 48, CTIM: 56 } as const;
/** `filestat` in preview0 (`wasi_unstable`), see `FILESTAT1`. */
export const FILESTAT0 = { SIZE: 56, DEV: 0, INO: 8, TYPE: 16, NLINK: 20, NLINK_U32: true, FSIZE: 24, ATIM: 32, MTIM: 40, CTIM: 48 } as const;
/** A filestat layout. */
export type FilestatLayout = typeof FILESTAT1 | typeof FILESTAT0;

/**
 * `dirent` header (24 bytes, the name follows unterminated), same in both previews:
 * `d_next u64 @0`, `d_ino u64 @8`, `d_namlen u32 @16`, `d_type u8 @20`.
 */
export const DIRENT_SIZE = 24;

/**
 * `subscription`: `userdata u64 @0`, tag `u8 @8`, then the union body at 16.
 * preview1 (48 bytes): clock = `id u32 @16`, `timeout u64 @24`, `precision u64 @32`, `flags u16 @40`.
 * preview0 (56 bytes): clock has an extra `identifier u64 @16`, so `id @24`, `timeout @32`,
 * `precision @40`, `flags @48`. fd_read/fd_write = `fd u32 @16` in both.
 *
 * `event` (32 bytes, both): `userdata u64 @0`, `error u16 @8`, `type u8 @10`, `nbytes u64 @16`,
 * `flags u16 @24`.
 */
export const SUBSCRIPTION1 = { SIZE: 48, CLOCK_ID: 16, TIMEOUT: 24, FLAGS: 40 } as const;
/** `subscription` in preview0, see `SUBSCRIPTION1`. */
export const SUBSCRIPTION0 = { SIZE: 56, CLOCK_ID: 24, TIMEOUT: 32, FLAGS: 48 } as const;
/** A subscription layout. */
export type SubscriptionLayout = typeof SUBSCRIPTION1 | typeof SUBSCRIPTION0;
/** `event` size in bytes. */
export const EVENT_SIZE = 32;
