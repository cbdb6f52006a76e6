/**
 * Precompiled artifacts: a module saved after instrumentation, so that loading it again skips the
 * rewrite (only the engine's own compilation remains).
 *
 * Layout (all integers little-endian u32):
 *
 * ```text
 * "\0wasmhost-artifact"      magic (18 bytes)
 * version                     ARTIFACT_VERSION: the layout and the instrumentation passes' version
 * length, settings            UTF-8 JSON: what the engine instruments for (`settingsOf`)
 * length, original            the module's original binary
 * length, instrumented        the instrumented binary (length 0: the module is used as it is)
 * length, metadata            UTF-8 JSON: what instrumentation did (shifts, store-created memories...)
 * length, offsets             the offset map's runs: new offsets, original offsets (Int32), copy flags
 * length, traps               the inserted trap sites: (offset, kind) Int32 pairs
 * checksum                    of everything before it
 * ```
 *
 * What is not stored: the decoded metadata of the two binaries. The decoder's lazy pass (section
 * headers only; function bodies and names are framed on first use) reads an 8 MB module in about 2 ms,
 * while a stored JSON copy of the same metadata was 40 MB and took 1.5 s to read back (measured): the
 * cheapest "decoded metadata" is the binary itself. Loading therefore costs two lazy decodes, the
 * runtime's preparation and the engine's compile; the rewrite, the expensive part, is skipped.
 *
 * An artifact made by an engine with other instrumentation settings, by another version of these
 * passes, or damaged in any byte, is refused with a `CompileError` saying which.
 *
 * @module
 */
import { decodeModule, hasWasmMagic } from "../binary/decoder.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import type { InstrumentOptions, Instrumented } from "./index.js";
import { OffsetMap, TrapSites } from "./offsets.js";

const MAGIC = new TextEncoder().encode("\u0000wasmhost-artifact");
/** Bump when the layout or what the passes emit changes: older artifacts are then refused. */
export const ARTIFACT_VERSION = 6;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** What an artifact holds. */
export interface ArtifactContents {
  /** The original module's metadata (its `bytes` is the original binary). */
  readonly info: ModuleInfo;
  /** What instrumentation did, with the decoded instrumented binary; undefined when nothing. */
  readonly instrumented: (Instrumented & { readonly engineInfo: ModuleInfo }) | undefined;
}

/** The instrumentation settings an artifact must match, as a canonical string. */
export function settingsOf(options: InstrumentOptions): string {
  return JSON.stringify({
    consumeFuel: options.fuelCosts !== undefined,
    fuelCosts: options.fuelCosts ? fnv(new Uint8Array(options.fuelCosts.buffer, options.fuelCosts.byteOffset, options.fuelCosts.byteLength)).toString(16) : null,
    fuelBulkPerUnit: options.fuelCosts !== undefined && options.fuelBulkPerUnit !== false,
    interruption: options.interrupt === true,
    storeResources: options.storeResources === true,
    ...(options.nanCanonicalization === true ? { nanCanonicalization: true } : {}),
  });
}

/** Writes an artifact of `contents` for an engine with `options`. */
export function writeArtifact(contents: ArtifactContents, options: InstrumentOptions): Uint8Array {
  const { info, instrumented } = contents;
  const empty = new Uint8Array(0);
  const offsets = instrumented?.offsets;
  const meta = instrumented
    ? {
        importedFuncs: instrumented.importedFuncs,
        funcShift: instrumented.funcShift,
        fuel: instrumented.fuel,
        interrupt: instrumented.interrupt,
        memories: instrumented.memories,
        tables: instrumented.tables,
        base: offsets!.base,
        ...(instrumented.wrappers ? { wrappers: instrumented.wrappers, definedFuncs: instrumented.definedFuncs } : {}),
      }
    : null;
  let runs = empty;
  let traps = empty;
  if (offsets) {
    const n = offsets.count;
    const r = new Uint8Array(n * 9);
    const dv = new DataView(r.buffer);
    if (LITTLE_ENDIAN) {
      new Int32Array(r.buffer, 0, n).set(offsets.newAt.subarray(0, n));
      new Int32Array(r.buffer, n * 4, n).set(offsets.origAt.subarray(0, n));
    } else {
      for (let i = 0; i < n; i++) {
        dv.setInt32(i * 4, offsets.newAt[i]!, true);
        dv.setInt32(n * 4 + i * 4, offsets.origAt[i]!, true);
      }
    }
    r.set(offsets.copy.subarray(0, n), n * 8);
    runs = r;
    const sites = offsets.traps;
    const t = new Uint8Array(sites.count * 8);
    const tv = new DataView(t.buffer);
    for (let k = 0; k < sites.count; k++) {
      tv.setInt32(k * 8, sites.offsets[k]!, true);
      tv.setInt32(k * 8 + 4, sites.kinds[k]!, true);
    }
    traps = t;
  }
  const parts = [utf8.encode(settingsOf(options)), info.bytes, instrumented ? instrumented.bytes : empty, utf8.encode(JSON.stringify(meta)), runs, traps];
  let size = MAGIC.length + 4 + 4;
  for (const p of parts) size += 4 + p.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let at = MAGIC.length;
  view.setUint32(at, ARTIFACT_VERSION, true);
  at += 4;
  for (const p of parts) {
    view.setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  view.setUint32(at, checksum(out, at), true);
  return out;
}

/**
 * Reads an artifact written by `writeArtifact` for an engine with `options`. The contents keep views
 * into `bytes` (copied once if they do not start 4-aligned: the checksum reads them a word at a time):
 * the caller hands them over.
 *
 * @throws CompileError when the bytes are not an artifact, are damaged, or were made for other settings.
 */
export function readArtifact(bytes: Uint8Array, options: InstrumentOptions): ArtifactContents {
  const fail = (why: string): never => {
    throw new CompileError(`invalid artifact: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("expected the artifact's bytes as a Uint8Array");
  if (bytes.length < MAGIC.length + 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(hasWasmMagic(bytes)
      ? "this is a WebAssembly binary, not an artifact (compile it with new Module)"
      : "not a wasmhost artifact (bad magic)");
  }
  const own = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const view = new DataView(own.buffer, own.byteOffset, own.byteLength);
  const version = view.getUint32(MAGIC.length, true);
  if (version !== ARTIFACT_VERSION) fail(`made by artifact version ${version}; this wasmhost reads version ${ARTIFACT_VERSION}`);
  const end = own.length - 4;
  if (view.getUint32(end, true) !== checksum(own, end)) fail("checksum mismatch (the artifact is damaged or truncated)");
  let at = MAGIC.length + 4;
  const part = (): Uint8Array => {
    if (at + 4 > end) fail("truncated");
    const len = view.getUint32(at, true);
    if (at + 4 + len > end) fail("truncated");
    const p = own.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    return p;
  };
  const settings = utf8Decoder.decode(part());
  const expected = settingsOf(options);
  if (settings !== expected) {
    fail(`made by an engine with other instrumentation settings (${describeSettings(settings)}); this engine has ${describeSettings(expected)}`);
  }
  const original = part();
  const instrumentedBytes = part();
  let meta: null | Record<string, unknown>;
  try {
    meta = JSON.parse(utf8Decoder.decode(part())) as typeof meta;
  } catch (e) {
    return fail(`unreadable metadata (${(e as Error).message})`);
  }
  const runs = part();
  const trapBytes = part();
  try {
    const info = decodeModule(original, { lazy: true });
    let instrumented: ArtifactContents["instrumented"];
    if (meta) {
      const n = runs.length / 9;
      if (!Number.isInteger(n)) throw new TypeError("inconsistent offset map");
      // Little-endian Int32s: on a little-endian host (every engine wasm runs on in practice) a copy of
      // their bytes is the array, with no loop over 100,000s of runs.
      const newAt = int32s(runs, 0, n);
      const origAt = int32s(runs, n * 4, n);
      const copy = runs.slice(n * 8, n * 9);
      const count = Math.floor(trapBytes.length / 8);
      const pairs = int32s(trapBytes, 0, count * 2);
      const trapOffsets = new Int32Array(count);
      const trapKinds = new Uint8Array(count);
      for (let k = 0; k < count; k++) {
        trapOffsets[k] = pairs[2 * k]!;
        trapKinds[k] = pairs[2 * k + 1]!;
      }
      const traps = new TrapSites(trapOffsets, trapKinds, count);
      instrumented = {
        bytes: instrumentedBytes,
        engineInfo: decodeModule(instrumentedBytes, { lazy: true }),
        importedFuncs: meta.importedFuncs as number,
        funcShift: meta.funcShift as number,
        fuel: meta.fuel as boolean,
        interrupt: meta.interrupt as boolean,
        memories: meta.memories as Instrumented["memories"],
        tables: meta.tables as Instrumented["tables"],
        ...(Array.isArray(meta.wrappers) ? { wrappers: meta.wrappers as number[], definedFuncs: meta.definedFuncs as number } : {}),
        offsets: new OffsetMap(newAt, origAt, copy, traps, n, meta.base as number),
      };
    }
    return { info, instrumented };
  } catch (e) {
    return fail(`malformed contents (${(e as Error).message})`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;

/** The `count` little-endian Int32s at `bytes[at..]` as a new array. */
function int32s(bytes: Uint8Array, at: number, count: number): Int32Array {
  const from = bytes.byteOffset + at;
  if (LITTLE_ENDIAN) return new Int32Array(bytes.buffer.slice(from, from + count * 4));
  const view = new DataView(bytes.buffer, from, count * 4);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function describeSettings(json: string): string {
  try {
    const s = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(s).filter(([, v]) => v !== false && v !== null).map(([k, v]) => (v === true ? k : `${k} ${String(v)}`)).join(", ") || "no instrumentation";
  } catch {
    return "unreadable settings";
  }
}

/** FNV-1a over bytes (for the settings fingerprint). */
function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** A 32-bit checksum of `bytes[0..length)` (`bytes` must start 4-aligned), a word at a time. */
function checksum(bytes: Uint8Array, length: number): number {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, length >>> 2);
  let h1 = 0x811c9dc5 ^ length;
  let h2 = 0x01000193;
  // Four words a step: a cold process runs this loop before it is optimized (a 3 MB artifact is
  // 800,000 words), so fewer steps matter.
  const n = words.length;
  const n4 = n - (n & 3);
  let i = 0;
  for (; i < n4; i += 4) {
    const a = words[i]!;
    const b = words[i + 1]!;
    const c = words[i + 2]!;
    const d = words[i + 3]!;
    h1 = Math.imul(h1 ^ a, 0x01000193);
    h2 = Math.imul(h2 + a, 0x5bd1e995) ^ (h2 >>> 15);
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 + b, 0x5bd1e995) ^ (h2 >>> 15);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 + c, 0x5bd1e995) ^ (h2 >>> 15);
    h1 = Math.imul(h1 ^ d, 0x01000193);
    h2 = Math.imul(h2 + d, 0x5bd1e995) ^ (h2 >>> 15);
  }
  for (; i < n; i++) {
    const w = words[i]!;
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 + w, 0x5bd1e995) ^ (h2 >>> 15);
  }
  for (let i = words.length * 4; i < length; i++) h1 = Math.imul(h1 ^ bytes[i]!, 0x01000193);
  return (h1 ^ h2) >>> 0;
}
