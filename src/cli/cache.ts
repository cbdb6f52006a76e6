/**
 * The on-disk module cache of `wasmhost run --cache[=DIR]` (opt-in): a module compiled once is saved as
 * an artifact (`module.serialize()`), so that the next run of the same file with the same settings loads
 * it with `Module.deserialize` and skips decoding and instrumentation (the rewrite for fuel and
 * deadlines, the expensive part of a cold run); only the engine's own compilation remains.
 *
 * Entries are keyed by a SHA-256 of the file's content, the engine settings, the wasmhost version and
 * the JavaScript engine's version, so that any change to one of them misses. An entry that cannot be
 * read, is damaged or truncated, or was made for other settings (the artifact checks its own checksum
 * and settings) is ignored and written again; failing to write one is not an error (the run goes on
 * uncached). Entries are written to a temporary file and renamed, so that concurrent runs never read a
 * half-written one.
 *
 * The cache directory is trusted, as Wasmtime's is: an entry's instrumented code is what runs, so the
 * directory must not be writable by anyone who should not choose the code that runs under its limits.
 *
 * Layout of an entry: `MAGIC`, the module's name (u32 little-endian length, UTF-8; empty for none),
 * zero bytes up to a multiple of 4, then the artifact. The artifact is loaded in place
 * (handed over to `Module.deserialize`: the file's buffer is not copied again), which needs it 4-aligned.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Module, type Engine, type EngineConfig } from "../index.js";
import { handOver } from "../runtime/owned-bytes.js";
import { packageVersion } from "./version.js";

const utf8 = new TextEncoder();
const MAGIC = utf8.encode("wasmhost-cli-cache 2\n");
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** The default cache directory: `$XDG_CACHE_HOME/wasmhost`, else `~/.cache/wasmhost`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env["XDG_CACHE_HOME"];
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache"), "wasmhost");
}

/** The file name of the entry for `bytes` compiled by an engine made with `config`. */
export function cacheKey(bytes: Uint8Array, config: EngineConfig): string {
  const h = createHash("sha256");
  h.update(MAGIC);
  h.update(`wasmhost ${packageVersion()}\0${process.release.name} ${process.versions.node} v8 ${process.versions.v8}\0`);
  h.update(`${stableJson(config)}\0`);
  h.update(bytes);
  return `${h.digest("hex")}.wasmhost-module`;
}

/**
 * `value` as JSON with the keys of every object sorted, so that equal settings give equal text whatever
 * order they were written in. (A key list given to `JSON.stringify` would also drop nested keys.)
 */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** What `loadCached` did, for tests and diagnostics. */
export type CacheOutcome = "hit" | "miss" | "rebuilt";

/**
 * The module in `file` (its content is `bytes`), from the cache in `dir` when an entry is there and
 * sound, else compiled by `compile` and saved. `config` is what `engine` was made with (part of the key).
 */
export function loadCached(
  engine: Engine,
  config: EngineConfig,
  bytes: Uint8Array,
  dir: string,
  compile: () => Module,
): { module: Module; outcome: CacheOutcome } {
  const path = join(dir, cacheKey(bytes, config));
  let entry: Uint8Array | undefined;
  try {
    entry = readFileSync(path);
  } catch {
    entry = undefined; // no entry (or unreadable): compile
  }
  if (entry !== undefined) {
    const module = fromEntry(engine, entry);
    if (module) return { module, outcome: "hit" };
  }
  const module = compile();
  save(path, module);
  return { module, outcome: entry === undefined ? "miss" : "rebuilt" };
}

/** The module of a cache entry, or undefined when the entry is not sound (any error: it is rebuilt). */
function fromEntry(engine: Engine, entry: Uint8Array): Module | undefined {
  try {
    if (entry.length < MAGIC.length + 4 || MAGIC.some((b, i) => entry[i] !== b)) return undefined;
    const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
    const nameLength = view.getUint32(MAGIC.length, true);
    const at = MAGIC.length + 4;
    if (at + nameLength > entry.length) return undefined;
    const name = utf8Decoder.decode(entry.subarray(at, at + nameLength));
    return Module.deserialize(engine, handOver(entry.subarray(artifactStart(nameLength))), name === "" ? {} : { name });
  } catch {
    return undefined;
  }
}

/** Where the artifact starts in an entry whose name takes `nameLength` bytes: 4-aligned. */
function artifactStart(nameLength: number): number {
  return (MAGIC.length + 4 + nameLength + 3) & ~3;
}

/** Writes the entry of `module` at `path` (through a temporary file); failures are ignored. */
function save(path: string, module: Module): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    const artifact = module.serialize();
    const name = utf8.encode(module.name ?? "");
    const at = artifactStart(name.length);
    const entry = new Uint8Array(at + artifact.length);
    entry.set(MAGIC, 0);
    new DataView(entry.buffer).setUint32(MAGIC.length, name.length, true);
    entry.set(name, MAGIC.length + 4);
    entry.set(artifact, at);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(tmp, entry);
    renameSync(tmp, path);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}
