/**
 * A hostile WASI guest in WAT, for the limit tests and the attack measurements (bench/attacks.ts): each
 * export repeats one attack on the WASI side with arguments from the host, and reports the errno that
 * stopped it (0 when every step succeeded) with the count of steps that succeeded at `COUNT`.
 *
 * Memory layout: 0x0 poll subscription, 0x40 event, 0x80 nevents/nwritten, `COUNT` (0x90), 0x400 the
 * 8-hex-digit entry name, 0x1000 a symlink target / path of up to 1 MiB, `BUF` (2 MiB) a 1 MiB data
 * buffer, `IOVS` (3 MiB) the iovec array (up to 131072 iovecs).
 */
import { wat } from "./wat.js";

/** Where the guest stores how many steps succeeded (u32). */
export const COUNT = 0x90;
/** Where a write's or read's byte count lands (u32). */
export const NBYTES = 0x80;
/** The symlink target / long path area. */
export const TEXT = 0x1000;

/** Operation codes of `many`. */
export const OP = { mkdir: 0, createFile: 1, link: 2, symlink: 3, open: 4 } as const;

const source = `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 64 65536)

  ;; random_get of len bytes at ptr.
  (func (export "random") (param $ptr i32) (param $len i32) (result i32)
    (call $random (local.get $ptr) (local.get $len)))

  ;; One monotonic clock subscription of ns nanoseconds; the errno of poll_oneoff.
  (func (export "sleep") (param $ns i64) (result i32)
    (i64.store (i32.const 0) (i64.const 7))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (local.get $ns))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0))
    (call $poll (i32.const 0) (i32.const 0x40) (i32.const 1) (i32.const 0x80)))

  ;; fd_write (or fd_read) of n iovecs, each the same len bytes at 0x200000; count at 0x80.
  (func $iovecs (param $n i32) (param $len i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (i32.const 0x300000) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0x200000))
      (i32.store (i32.add (i32.const 0x300004) (i32.shl (local.get $i) (i32.const 3))) (local.get $len))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func (export "write_many") (param $fd i32) (param $n i32) (param $len i32) (result i32)
    (call $iovecs (local.get $n) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0x300000) (local.get $n) (i32.const 0x80)))
  (func (export "read_many") (param $fd i32) (param $n i32) (param $len i32) (result i32)
    (call $iovecs (local.get $n) (local.get $len))
    (call $fd_read (local.get $fd) (i32.const 0x300000) (local.get $n) (i32.const 0x80)))

  ;; Writes i as 8 hex digits at 0x400.
  (func $name (param $i i32)
    (local $k i32) (local $d i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (i32.const 8)))
      (local.set $d (i32.and (i32.shr_u (local.get $i) (i32.shl (i32.sub (i32.const 7) (local.get $k)) (i32.const 2))) (i32.const 15)))
      (i32.store8 (i32.add (i32.const 0x400) (local.get $k))
        (i32.add (local.get $d) (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $d) (i32.const 10)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next))))

  ;; Repeats operation op n times in directory dirfd (names from the counter; "target" at 0x1000 for
  ;; links, a target of tlen bytes at 0x1000 for symlinks; "f" for open). Stops at the first errno.
  (func (export "many") (param $op i32) (param $dirfd i32) (param $n i32) (param $tlen i32) (result i32)
    (local $i i32) (local $e i32)
    (i32.store (i32.const 0x90) (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $name (local.get $i))
      (block $op
        (if (i32.eq (local.get $op) (i32.const 0)) (then
          (local.set $e (call $mkdir (local.get $dirfd) (i32.const 0x400) (i32.const 8))) (br $op)))
        (if (i32.eq (local.get $op) (i32.const 1)) (then
          (local.set $e (call $path_open (local.get $dirfd) (i32.const 0) (i32.const 0x400) (i32.const 8) (i32.const 1)
            (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 0x84)))
          (if (i32.eqz (local.get $e)) (then (drop (call $fd_close (i32.load (i32.const 0x84))))))
          (br $op)))
        (if (i32.eq (local.get $op) (i32.const 2)) (then
          (local.set $e (call $link (local.get $dirfd) (i32.const 0) (i32.const 0x1000) (local.get $tlen)
            (local.get $dirfd) (i32.const 0x400) (i32.const 8))) (br $op)))
        (if (i32.eq (local.get $op) (i32.const 3)) (then
          (local.set $e (call $symlink (i32.const 0x1000) (local.get $tlen) (local.get $dirfd) (i32.const 0x400) (i32.const 8))) (br $op)))
        (local.set $e (call $path_open (local.get $dirfd) (i32.const 0) (i32.const 0x1000) (local.get $tlen) (i32.const 0)
          (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x84))))
      (br_if $done (local.get $e))
      (i32.store (i32.const 0x90) (i32.add (i32.load (i32.const 0x90)) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $e))
)`;

let bytes: Uint8Array | undefined;
/** The hostile guest's binary. */
export function hostileWasi(): Uint8Array {
  return (bytes ??= wat(source));
}
