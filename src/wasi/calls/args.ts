/**
 * `args_*` and `environ_*`.
 *
 * Guest memory for `args_get(argv, argv_buf)` with args `["ab", "é"]` (sizes in UTF-8 bytes, which
 * `args_sizes_get` reports as argc = 2, buf size = 3 + 3 = 6):
 * ```
 * argv:     [argv_buf+0 u32][argv_buf+3 u32]
 * argv_buf: 'a' 'b' 0 | 0xC3 0xA9 0
 * ```
 *
 * @module
 */
import { ERRNO } from "../defs.js";
import type { WasiState } from "../state.js";
import type { HostFn } from "./preview.js";

function sizesGet(s: WasiState, list: readonly Uint8Array[], countPtr: number, sizePtr: number): number {
  s.sync();
  countPtr >>>= 0;
  sizePtr >>>= 0;
  if (!s.inBounds(countPtr, 4) || !s.inBounds(sizePtr, 4)) return ERRNO.FAULT;
  let size = 0;
  for (const a of list) size += a.length;
  s.dv.setUint32(countPtr, list.length, true);
  s.dv.setUint32(sizePtr, size, true);
  return 0;
}

function listGet(s: WasiState, list: readonly Uint8Array[], ptrs: number, buf: number): number {
  s.sync();
  ptrs >>>= 0;
  buf >>>= 0;
  let size = 0;
  for (const a of list) size += a.length;
  if (!s.inBounds(ptrs, list.length * 4) || !s.inBounds(buf, size)) return ERRNO.FAULT;
  let at = buf;
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    s.dv.setUint32(ptrs + i * 4, at, true);
    s.u8.set(a, at);
    at += a.length;
  }
  return 0;
}

/** The four argument/environment calls. */
export function argsCalls(s: WasiState): Record<string, HostFn> {
  return {
    args_sizes_get: (c: number, z: number) => sizesGet(s, s.args, c, z),
    args_get: (p: number, b: number) => listGet(s, s.args, p, b),
    environ_sizes_get: (c: number, z: number) => sizesGet(s, s.env, c, z),
    environ_get: (p: number, b: number) => listGet(s, s.env, p, b),
  };
}
