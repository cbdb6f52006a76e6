/**
 * What differs between `wasi_snapshot_preview1` and `wasi_unstable` (preview0) for the calls: struct
 * layouts and the `whence` numbering. Each call group is built once per namespace with one of these.
 *
 * @module
 */
import { FILESTAT0, FILESTAT1, SUBSCRIPTION0, SUBSCRIPTION1, WHENCE0, WHENCE1, type FilestatLayout, type SubscriptionLayout } from "../defs.js";

/** The layout choices of one WASI namespace. */
export interface Preview {
  readonly version: 0 | 1;
  readonly filestat: FilestatLayout;
  readonly subscription: SubscriptionLayout;
  readonly whenceSet: number;
  readonly whenceCur: number;
  readonly whenceEnd: number;
}

/** `wasi_snapshot_preview1`. */
export const PREVIEW1: Preview = { version: 1, filestat: FILESTAT1, subscription: SUBSCRIPTION1, whenceSet: WHENCE1.SET, whenceCur: WHENCE1.CUR, whenceEnd: WHENCE1.END };
/** `wasi_unstable`. */
export const PREVIEW0: Preview = { version: 0, filestat: FILESTAT0, subscription: SUBSCRIPTION0, whenceSet: WHENCE0.SET, whenceCur: WHENCE0.CUR, whenceEnd: WHENCE0.END };

/** A raw WASI host function: wasm arguments in (i32 number, i64 bigint), errno out. */
export type HostFn = (...args: any[]) => number | void;
