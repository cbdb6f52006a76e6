/**
 * `wasmhost run FILE [--invoke NAME [ARGS...]] [--dir HOST[::GUEST]] [--dir-ro HOST[::GUEST]]
 * [--env K=V] [--fuel N] [--timeout MS] [--cache[=DIR]] [-- PROGRAM_ARGS...]`
 *
 * Without `--invoke`, runs the WASI command's `_start` with the process's stdio and exits with the
 * guest's exit code. With `--invoke`, calls the export with arguments parsed by its parameter types
 * and prints each result on its own line (a reactor's `_initialize` runs first).
 *
 * `--cache` keeps the compiled (instrumented) module of a core module in an on-disk cache (`../cache.ts`;
 * default directory `$XDG_CACHE_HOME/wasmhost` or `~/.cache/wasmhost`), so that the next run of the same
 * file with the same settings skips decoding and instrumentation.
 *
 * A component (binary or `(component ...)` text) runs as a WASI 0.2 command: its `wasi:cli/run`, with
 * the same flags, filesystem and limits (`--invoke` is for core modules).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { isComponentBinary, isComponentText } from "../../component/detect.js";
import { Engine, Linker, Store, type Func, type ValType } from "../../index.js";
import { moduleFromFileBytes } from "../../runtime/module.js";
import { Wasi, type PreopenOption } from "../../wasi/index.js";
import { hostStdin } from "../../host/node-fs.js";
import { defaultCacheDir, loadCached } from "../cache.js";
import type { CliIO } from "../io.js";
import { UsageError } from "../io.js";
import { hasWasmMagic } from "../../binary/decoder.js";

/** The parsed command line of `run`. */
export interface RunOptions {
  file: string;
  invoke?: string;
  invokeArgs: string[];
  dirs: { host: string; guest: string; readOnly: boolean }[];
  env: Record<string, string>;
  fuel?: bigint;
  timeoutMs?: number;
  /** The module cache's directory (`--cache[=DIR]`), or undefined for no cache. */
  cacheDir?: string;
  programArgs: string[];
}

/** Parses `run`'s arguments. @throws UsageError on a malformed command line. */
export function parseRunArgs(argv: readonly string[]): RunOptions {
  const opts: RunOptions = { file: "", invokeArgs: [], dirs: [], env: {}, programArgs: [] };
  let file: string | undefined;
  let inInvoke = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--") {
      opts.programArgs = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith("--")) {
      inInvoke = false;
      if (arg === "--cache" || arg.startsWith("--cache=")) {
        const dir = arg === "--cache" ? defaultCacheDir() : arg.slice("--cache=".length);
        if (dir === "") throw new UsageError("--cache=DIR needs a directory");
        opts.cacheDir = dir;
        continue;
      }
      switch (arg) {
        case "--invoke":
          opts.invoke = value();
          inInvoke = true;
          break;
        case "--dir":
        case "--dir-ro": {
          const spec = value();
          const parts = spec.split("::");
          // "A::B::C" could be A -> B::C or A::B -> C: refused rather than guessed.
          if (parts.length > 2) throw new UsageError(`${arg} takes HOST[::GUEST] with one "::", got ${JSON.stringify(spec)} (ambiguous)`);
          const [host, guest] = parts.length === 2 ? (parts as [string, string]) : [spec, spec];
          if (!host || !guest) throw new UsageError(`${arg} takes HOST[::GUEST], got ${JSON.stringify(spec)}`);
          opts.dirs.push({ host, guest, readOnly: arg === "--dir-ro" });
          break;
        }
        case "--env": {
          const kv = value();
          const eq = kv.indexOf("=");
          if (eq <= 0) throw new UsageError(`--env takes K=V, got ${JSON.stringify(kv)}`);
          opts.env[kv.slice(0, eq)] = kv.slice(eq + 1);
          break;
        }
        case "--fuel": {
          const v = value();
          if (!/^\d+$/.test(v)) throw new UsageError(`--fuel takes a non-negative integer, got ${JSON.stringify(v)}`);
          opts.fuel = BigInt(v);
          break;
        }
        case "--timeout": {
          const v = value();
          if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--timeout takes a positive number of milliseconds, got ${JSON.stringify(v)}`);
          opts.timeoutMs = Number(v);
          break;
        }
        default:
          throw new UsageError(`unknown option ${arg}`);
      }
      continue;
    }
    if (file === undefined) file = arg;
    else if (inInvoke) opts.invokeArgs.push(arg);
    else throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (program arguments go after --)`);
  }
  if (file === undefined) throw new UsageError("missing FILE");
  opts.file = file;
  return opts;
}

/** Parses a command-line value as a wasm value of type `t`. */
export function parseValue(text: string, t: ValType, what: string): number | bigint {
  switch (t) {
    case "i32": {
      if (!/^[-+]?(0x[0-9a-f_]+|[0-9_]+)$/i.test(text)) throw new UsageError(`${what}: ${JSON.stringify(text)} is not an i32`);
      const v = BigInt(text.replace(/_/g, "").replace(/^\+/, "").replace(/^-0x/i, "-0x"));
      if (v < -(2n ** 31n) || v >= 2n ** 32n) throw new UsageError(`${what}: ${text} is out of range for i32`);
      return Number(BigInt.asIntN(32, v));
    }
    case "i64": {
      if (!/^[-+]?(0x[0-9a-f_]+|[0-9_]+)$/i.test(text)) throw new UsageError(`${what}: ${JSON.stringify(text)} is not an i64`);
      const neg = text.startsWith("-");
      const v = BigInt(text.replace(/_/g, "").replace(/^[-+]/, "")) * (neg ? -1n : 1n);
      if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new UsageError(`${what}: ${text} is out of range for i64`);
      return BigInt.asIntN(64, v);
    }
    case "f32":
    case "f64": {
      const lower = text.toLowerCase();
      const v = lower === "nan" ? NaN : lower === "inf" || lower === "+inf" ? Infinity : lower === "-inf" ? -Infinity : Number(text);
      if (Number.isNaN(v) && lower !== "nan") throw new UsageError(`${what}: ${JSON.stringify(text)} is not a number`);
      return t === "f32" ? Math.fround(v) : v;
    }
    default:
      throw new UsageError(`${what}: a ${t} cannot be given on the command line`);
  }
}

/** Renders a result for printing. */
export function formatValue(v: unknown, t: ValType): string {
  if (t === "f32" || t === "f64") {
    const n = v as number;
    return Number.isNaN(n) ? "nan" : n === Infinity ? "inf" : n === -Infinity ? "-inf" : Object.is(n, -0) ? "-0" : String(n);
  }
  if (t === "funcref") return v === null ? "null" : `<func ${(v as Func).name}>`;
  if (t === "externref") return v === null ? "null" : String(v);
  return String(v);
}

const WASI_MODULES = new Set(["wasi_snapshot_preview1", "wasi_unstable"]);

/** The `run` command. */
export default async function run(argv: string[], io: CliIO): Promise<number> {
  const opts = parseRunArgs(argv);
  const config = {
    ...(opts.fuel !== undefined ? { consumeFuel: true } : {}),
    ...(opts.timeoutMs !== undefined ? { timeLimits: true } : {}),
  };
  const engine = new Engine(config);
  const store = new Store(engine);
  applyLimits(store, opts);
  const preopens: Record<string, PreopenOption> = {};
  for (const d of opts.dirs) preopens[d.guest] = { host: d.host, readOnly: d.readOnly };
  const wasi = new Wasi({
    args: [basename(opts.file), ...opts.programArgs],
    env: opts.env,
    stdin: hostStdin,
    stdout: "inherit",
    stderr: "inherit",
    preopens,
  });
  const bytes = readFileSync(opts.file);
  if (isComponentBinary(bytes) || (!hasWasmMagic(bytes) && isComponentText(bytes.toString("utf8")))) {
    if (opts.invoke !== undefined) throw new UsageError(`${opts.file} is a component: --invoke calls a core module's export; a component runs its wasi:cli/run`);
    // The component toolchain is loaded only for a component (half the CLI's modules: ~60 ms to load).
    const { Component, ComponentLinker } = await import("../../component/index.js");
    const component = isComponentBinary(bytes) ? new Component(engine, bytes) : Component.fromText(engine, bytes.toString("utf8"));
    const clinker = new ComponentLinker(engine).defineWasi(wasi);
    return wasi.start(clinker.instantiate(store, component));
  }
  const module = opts.cacheDir === undefined
    ? moduleFromFileBytes(engine, bytes, opts.file)
    : loadCached(engine, config, bytes, opts.cacheDir, () => moduleFromFileBytes(engine, bytes, opts.file)).module;
  const linker = new Linker(engine);
  if (module.imports.some((i) => WASI_MODULES.has(i.module))) linker.defineWasi(wasi);
  linker.defineUnknownImportsAsTraps(module);
  const instance = linker.instantiate(store, module);

  if (opts.invoke === undefined) {
    if (!instance.getFunc("_start")) {
      const names = module.exports.filter((e) => e.type.kind === "func").map((e) => e.name);
      throw new UsageError(`${opts.file} has no _start function; choose one with --invoke NAME (functions: ${names.join(", ") || "none"})`);
    }
    return wasi.start(instance);
  }
  // A WASI reactor is initialized (which binds its memory and store) even without `_initialize`.
  if (!instance.getFunc("_start") && instance.getMemory("memory") && module.imports.some((i) => WASI_MODULES.has(i.module))) wasi.initialize(instance);
  const func = instance.getFunc(opts.invoke);
  if (!func) {
    const names = module.exports.filter((e) => e.type.kind === "func").map((e) => e.name);
    throw new UsageError(`${opts.file} exports no function ${JSON.stringify(opts.invoke)} (functions: ${names.join(", ") || "none"})`);
  }
  const { params, results } = func.type;
  if (opts.invokeArgs.length !== params.length) {
    throw new UsageError(`${opts.invoke} takes ${params.length} argument${params.length === 1 ? "" : "s"} (${params.join(", ")}), got ${opts.invokeArgs.length}`);
  }
  const args = opts.invokeArgs.map((text, i) => parseValue(text, params[i]!, `${opts.invoke} parameter ${i}`));
  const result = func.call(...args);
  const values = results.length === 1 ? [result] : results.length === 0 ? [] : (result as unknown[]);
  for (let i = 0; i < results.length; i++) io.out(`${formatValue(values[i], results[i]!)}\n`);
  return 0;
}

/** Applies --fuel and --timeout through the store's limits API. */
function applyLimits(store: Store, opts: RunOptions): void {
  const s = store as Store & { setFuel?: (n: bigint | number) => void; setTimeLimit?: (ms: number) => void };
  if (opts.fuel !== undefined) {
    if (typeof s.setFuel !== "function") throw new UsageError("--fuel is not supported by this build");
    s.setFuel(opts.fuel);
  }
  if (opts.timeoutMs !== undefined) {
    if (typeof s.setTimeLimit !== "function") throw new UsageError("--timeout is not supported by this build");
    s.setTimeLimit(opts.timeoutMs);
  }
}
