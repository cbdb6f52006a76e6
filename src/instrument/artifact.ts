/**
 * Precompiled artifacts: a module saved after decoding and instrumentation, so that loading it again
 * skips both (only the engine's own compilation remains).
 *
 * Layout (all integers little-endian u32):
 *
 * ```text
 * "\0wasmhost-artifact"      magic (18 bytes)
 * version                     ARTIFACT_VERSION: the layout and the instrumentation passes' version
 * length, settings            UTF-8 JSON: what the engine instruments for (`settingsOf`)
 * length, original            the module's original binary
 * length, instrumented        the instrumented binary (length 0: the module is used as it is)
 * length, metadata            UTF-8 JSON: the decoded metadata of both binaries and the instrumentation maps
 * checksum                    FNV-1a of everything before it
 * ```
 *
 * Decoded metadata is written as JSON in which byte views of a binary are `{"$v": [offset, length]}`
 * into that binary and maps are `{"$m": [[key, value], ...]}`, so reading it back rebuilds the very
 * `ModuleInfo` the decoder produced, with views into the artifact's copy of the binaries.
 *
 * An artifact made by an engine with other instrumentation settings, by another version of these
 * passes, or damaged in any byte, is refused with a `CompileError` saying which.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import type { InstrumentOptions, Instrumented } from "./index.js";
import { OffsetMap } from "./offsets.js";

const MAGIC = new TextEncoder().encode("\u0000wasmhost-artifact");
/** Bump when the layout or what the passes emit changes: older artifacts are then refused. */
export const ARTIFACT_VERSION = 1;

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
    interruption: options.interrupt === true,
    storeResources: options.storeResources === true,
  });
}

/** Writes an artifact of `contents` for an engine with `options`. */
export function writeArtifact(contents: ArtifactContents, options: InstrumentOptions): Uint8Array {
  const { info, instrumented } = contents;
  const meta = {
    info: encodeInfo(info),
    instrumented: instrumented
      ? {
          engineInfo: encodeInfo(instrumented.engineInfo),
          importedFuncs: instrumented.importedFuncs,
          funcShift: instrumented.funcShift,
          fuel: instrumented.fuel,
          interrupt: instrumented.interrupt,
          memories: instrumented.memories,
          tables: instrumented.tables,
          offsets: encodeOffsets(instrumented.offsets),
        }
      : null,
  };
  const parts = [utf8.encode(settingsOf(options)), info.bytes, instrumented ? instrumented.bytes : new Uint8Array(0), utf8.encode(JSON.stringify(meta))];
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
  view.setUint32(at, fnv(out.subarray(0, at)), true);
  return out;
}

/**
 * Reads an artifact written by `writeArtifact` for an engine with `options`.
 *
 * @throws CompileError when the bytes are not an artifact, are damaged, or were made for other settings.
 */
export function readArtifact(bytes: Uint8Array, options: InstrumentOptions): ArtifactContents {
  const fail = (why: string): never => {
    throw new CompileError(`invalid artifact: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("expected the artifact's bytes as a Uint8Array");
  if (bytes.length < MAGIC.length + 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d
      ? "this is a WebAssembly binary, not an artifact (compile it with new Module)"
      : "not a wasmhost artifact (bad magic)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(MAGIC.length, true);
  if (version !== ARTIFACT_VERSION) fail(`made by artifact version ${version}; this wasmhost reads version ${ARTIFACT_VERSION}`);
  const end = bytes.length - 4;
  if (view.getUint32(end, true) !== fnv(bytes.subarray(0, end))) fail("checksum mismatch (the artifact is damaged or truncated)");
  let at = MAGIC.length + 4;
  const part = (): Uint8Array => {
    if (at + 4 > end) fail("truncated");
    const len = view.getUint32(at, true);
    if (at + 4 + len > end) fail("truncated");
    // A copy, so that the module does not keep the caller's buffer (which it may reuse) alive.
    const p = bytes.slice(at + 4, at + 4 + len);
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
  let meta: { info: unknown; instrumented: null | Record<string, unknown> };
  try {
    meta = JSON.parse(utf8Decoder.decode(part())) as typeof meta;
  } catch (e) {
    return fail(`unreadable metadata (${(e as Error).message})`);
  }
  try {
    const info = decodeInfo(meta.info, original);
    let instrumented: ArtifactContents["instrumented"];
    if (meta.instrumented) {
      const m = meta.instrumented;
      instrumented = {
        bytes: instrumentedBytes,
        engineInfo: decodeInfo(m.engineInfo, instrumentedBytes),
        importedFuncs: m.importedFuncs as number,
        funcShift: m.funcShift as number,
        fuel: m.fuel as boolean,
        interrupt: m.interrupt as boolean,
        memories: m.memories as Instrumented["memories"],
        tables: m.tables as Instrumented["tables"],
        offsets: decodeOffsets(m.offsets),
      };
    }
    return { info, instrumented };
  } catch (e) {
    if (e instanceof CompileError) throw e;
    return fail(`malformed metadata (${(e as Error).message})`);
  }
}

function describeSettings(json: string): string {
  try {
    const s = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(s).filter(([, v]) => v !== false && v !== null).map(([k, v]) => (v === true ? k : `${k} ${String(v)}`)).join(", ") || "no instrumentation";
  } catch {
    return "unreadable settings";
  }
}

/** FNV-1a, 32 bits. */
function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

// ---- metadata as JSON ---------------------------------------------------------------------------

function encodeInfo(info: ModuleInfo): unknown {
  const out: Record<string, unknown> = {};
  // `code` and `names` may be lazy getters: reading them decodes them now.
  for (const key of new Set([...Object.keys(info), "code", "names"])) {
    if (key === "bytes") continue;
    out[key] = encodeValue((info as unknown as Record<string, unknown>)[key], info.bytes);
  }
  return out;
}

function encodeValue(v: unknown, base: Uint8Array): unknown {
  if (v instanceof Uint8Array) {
    if (v.buffer === base.buffer && v.byteOffset >= base.byteOffset && v.byteOffset + v.length <= base.byteOffset + base.length) {
      return { $v: [v.byteOffset - base.byteOffset, v.length] };
    }
    return { $u: Array.from(v) };
  }
  if (v instanceof Map) return { $m: [...v].map(([k, x]) => [k, encodeValue(x, base)]) };
  if (Array.isArray(v)) return v.map((x) => encodeValue(x, base));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeValue(x, base);
    return out;
  }
  return v;
}

function decodeInfo(json: unknown, bytes: Uint8Array): ModuleInfo {
  if (json === null || typeof json !== "object") throw new TypeError("metadata is not an object");
  const info = decodeValue(json, bytes) as Record<string, unknown>;
  info.bytes = bytes;
  return info as unknown as ModuleInfo;
}

function decodeValue(v: unknown, base: Uint8Array): unknown {
  if (Array.isArray(v)) return v.map((x) => decodeValue(x, base));
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.$v)) {
      const [start, len] = o.$v as [number, number];
      if (!(start >= 0 && len >= 0 && start + len <= base.length)) throw new TypeError("a byte range lies outside its binary");
      return base.subarray(start, start + len);
    }
    if (Array.isArray(o.$u)) return Uint8Array.from(o.$u as number[]);
    if (Array.isArray(o.$m)) return new Map((o.$m as [unknown, unknown][]).map(([k, x]) => [k, decodeValue(x, base)]));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeValue(x, base);
    return out;
  }
  return v;
}

function encodeOffsets(m: OffsetMap): unknown {
  return {
    newAt: Array.from(m.newAt.subarray(0, m.count)),
    origAt: Array.from(m.origAt.subarray(0, m.count)),
    copy: Array.from(m.copy.subarray(0, m.count)),
    traps: [...m.traps],
    base: m.base,
  };
}

function decodeOffsets(json: unknown): OffsetMap {
  const o = json as { newAt: number[]; origAt: number[]; copy: number[]; traps: [number, number][]; base: number };
  if (!Array.isArray(o.newAt) || o.newAt.length !== o.origAt.length || o.newAt.length !== o.copy.length) {
    throw new TypeError("inconsistent offset map");
  }
  return new OffsetMap(Int32Array.from(o.newAt), Int32Array.from(o.origAt), Uint8Array.from(o.copy), new Map(o.traps), o.newAt.length, o.base);
}
