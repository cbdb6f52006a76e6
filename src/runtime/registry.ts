/**
 * Maps the engine's names for compiled modules back to our metadata, so that stack frames can be
 * named. Every module we compile gets a module name in the binary handed to the engine (see
 * `prepare.ts`): the original name (or "wasm") followed by a fingerprint of the binary. The engine
 * prints it in frame locations as `wasm://wasm/<name>-<hash>`.
 *
 * The name is a function of the bytes, so compiling the same bytes twice gives the engine the same
 * bytes twice, and its compilation cache works as it does for the bare API. Different binaries with
 * the same fingerprint are told apart when a frame is resolved: the frame's function must exist and
 * contain the frame's offset (`resolveFrameModule`).
 *
 * Entries are held weakly: a module that is garbage-collected frees its entry. Compiling the very same
 * bytes again (the same array, under the same given name) reuses the live entry instead of adding one:
 * the engine gives both modules the same code, so their frames read the same, and a `WeakRef` made per
 * compile would keep every such module alive until the current job ends (a loop that compiles one
 * binary many times would hold them all).
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";

/** A registered module and the name its user gave it, if any. */
interface Entry {
  readonly ref: WeakRef<ModuleInfo>;
  readonly givenName: string | undefined;
}

const byName = new Map<string, Entry[]>();
let registrations = 0;

/**
 * A fingerprint of `bytes`: every byte of binaries up to 64 KiB, and 4096 evenly spread words plus the
 * last 4 KiB of larger ones, so that it costs microseconds even for large modules.
 */
export function fingerprint(bytes: Uint8Array): string {
  const n = bytes.length;
  let h1 = 0x811c9dc5 ^ n;
  let h2 = 0x01000193 ^ Math.imul(n, 0x9e3779b1);
  if (n <= 65536) {
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      h1 = Math.imul(h1 ^ b, 0x01000193);
      h2 = Math.imul(h2 ^ b, 0x5bd1e995) ^ (h2 >>> 13);
    }
  } else {
    const stride = Math.floor((n - 4096) / 4096);
    for (let i = 0, p = 0; i < 4096; i++, p += stride) {
      const w = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 13);
    }
    for (let p = n - 4096; p < n; p++) {
      const b = bytes[p]!;
      h1 = Math.imul(h1 ^ b, 0x01000193);
      h2 = Math.imul(h2 ^ b, 0x5bd1e995) ^ (h2 >>> 13);
    }
  }
  return (h1 >>> 0).toString(36) + (h2 >>> 0).toString(36);
}

/**
 * The engine-visible module name for `info`, derived from `givenName` (else its name section's name,
 * `sectionName`) and its bytes; registers `info` under it unless a live module of the same bytes and
 * given name is registered already.
 */
export function registerModuleName(givenName: string | undefined, sectionName: string | undefined, info: ModuleInfo): string {
  const base = (givenName ?? sectionName ?? "wasm").replace(/[^A-Za-z0-9_.$]/g, "_").slice(0, 64) || "wasm";
  const name = `${base}~${fingerprint(info.bytes)}`;
  let list = byName.get(name);
  if (!list) byName.set(name, (list = []));
  for (const e of list) {
    if (e.givenName === givenName && e.ref.deref()?.bytes === info.bytes) return name;
  }
  list.push({ ref: new WeakRef(info), givenName });
  if (++registrations % 1024 === 0) sweep();
  return name;
}

/** The live modules the engine calls `name` (usually one). */
export function modulesNamed(name: string): ModuleInfo[] {
  const out: ModuleInfo[] = [];
  for (const e of byName.get(name) ?? []) {
    const info = e.ref.deref();
    if (info) out.push(info);
  }
  return out;
}

function sweep(): void {
  for (const [k, list] of byName) {
    const live = list.filter((e) => e.ref.deref() !== undefined);
    if (live.length === 0) byName.delete(k);
    else byName.set(k, live);
  }
}
