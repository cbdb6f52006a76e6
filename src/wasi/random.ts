/**
 * Random bytes for `random_get`: the host's cryptographic generator by default, or `seededRandom(seed)`
 * for deterministic runs.
 *
 * @module
 */
import { WasiError } from "../errors.js";

/** Fills `buf` with random bytes. */
export type WasiRandom = (buf: Uint8Array) => void;

/** The host's cryptographic generator (`crypto.getRandomValues`, in chunks of 64 KiB). */
export function hostRandom(buf: Uint8Array): void {
  const c = (globalThis as { crypto?: { getRandomValues(b: Uint8Array): unknown } }).crypto;
  if (c === undefined) throw new WasiError("no crypto.getRandomValues on this host: pass a `random` option");
  for (let i = 0; i < buf.length; i += 65536) c.getRandomValues(buf.subarray(i, Math.min(buf.length, i + 65536)));
}

/**
 * A deterministic generator (SplitMix64) seeded with `seed`: the same seed gives the same bytes.
 * Not cryptographic; for tests and reproducible runs.
 */
export function seededRandom(seed: number | bigint = 0): WasiRandom {
  let state = BigInt.asUintN(64, BigInt(seed));
  let word = 0n;
  let left = 0;
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      if (left === 0) {
        state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
        let z = state;
        z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
        z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
        word = z ^ (z >> 31n);
        left = 8;
      }
      buf[i] = Number(word & 0xffn);
      word >>= 8n;
      left--;
    }
  };
}
