/**
 * Differential runs of one module (issue 8): the same calls under every way of running it — plain,
 * with fuel, with epochs, with time limits, from a serialized artifact, and after the decoder ->
 * encoder and printer -> parser round trips — must give the same transcript: every result, trap code
 * and host call in order.
 *
 * Made for binaryen's fuzzer output (`wasm-opt -ttf`): it imports `fuzzing-support`.`log-*` and
 * exports `hangLimitInitializer`, which its harness calls before each export to bound loops and
 * recursion. Each other exported function is called with zeros, then with ones.
 */
import { decodeModule } from "../../src/binary/decoder.js";
import { funcTypeAt, funcTypeIndex } from "../../src/binary/module-info.js";
import { encodeModule } from "../../src/binary/encoder.js";
import { Engine, Func, Linker, Module, Store, Trap, type EngineConfig } from "../../src/index.js";
import { printModule, watToBinary } from "../../src/text/index.js";
import { HOST_MODULE, REFERENCE_COUNTER, referenceMetered } from "./fuel-reference.js";

/** One way of running a module. */
export interface Variant {
  readonly name: string;
  readonly config: EngineConfig;
  /** Load the module from `module.serialize()` instead of compiling it. */
  readonly serialized?: boolean;
  /** Transform the bytes first (round trips). */
  readonly bytes?: (bytes: Uint8Array) => Uint8Array;
}

/** Every variant compared with the plain run. */
export const VARIANTS: readonly Variant[] = [
  { name: "fuel", config: { consumeFuel: true } },
  { name: "fuel, flat bulk costs", config: { consumeFuel: true, fuelBulkPerUnit: false } },
  { name: "epochs", config: { epochInterruption: true } },
  { name: "time limit", config: { timeLimits: true } },
  { name: "fuel and time limit", config: { consumeFuel: true, timeLimits: true } },
  { name: "fuel, serialized", config: { consumeFuel: true }, serialized: true },
  { name: "time limit, serialized", config: { timeLimits: true }, serialized: true },
  { name: "plain, serialized", config: {}, serialized: true },
  { name: "decoder -> encoder", config: {}, bytes: (b) => encodeModule(decodeModule(b)) },
  { name: "printer -> parser", config: {}, bytes: (b) => watToBinary(printModule(b)) },
  { name: "printer -> parser, fuel", config: { consumeFuel: true }, bytes: (b) => watToBinary(printModule(b)) },
];

/**
 * A value as text (bigints and -0 kept apart). NaNs are all "nan": which NaN an operation returns is
 * nondeterministic in WebAssembly, and the engine's tiers differ in it.
 */
export function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    return Object.is(v, -0) ? "-0" : String(v);
  }
  if (Array.isArray(v)) return `[${v.map(show).join(",")}]`;
  if (v === null || v === undefined) return String(v);
  if (v instanceof Func) return "func";
  return typeof v;
}

/** The transcript of running `bytes` as `variant` says (see the module comment). */
export function transcript(bytes: Uint8Array, variant: Pick<Variant, "config" | "serialized" | "bytes">): string[] {
  const out: string[] = [];
  const engine = new Engine(variant.config);
  const store = new Store(engine);
  if (variant.config.consumeFuel) store.setFuel(Number.MAX_SAFE_INTEGER);
  if (variant.config.timeLimits) store.setTimeLimit(60_000);
  if (variant.config.epochInterruption) store.setEpochDeadline(1_000_000);
  const linker = new Linker(engine);
  for (const [name, type] of [["log-i32", "i32"], ["log-i64", "i64"], ["log-f32", "f32"], ["log-f64", "f64"]] as const) {
    linker.defineFunc("fuzzing-support", name, { params: [type], results: [] }, (_caller, v: unknown) => {
      out.push(`  log ${show(v)}`);
    });
  }
  const input = variant.bytes ? variant.bytes(bytes) : bytes;
  let module = new Module(engine, input);
  if (variant.serialized) module = Module.deserialize(engine, module.serialize());
  let instance;
  try {
    instance = linker.instantiate(store, module);
  } catch (e) {
    out.push(`instantiate: ${describe(e)}`);
    return out;
  }
  const reset = instance.getFunc("hangLimitInitializer");
  for (const round of [0, 1]) {
    for (const e of module.info.exports) {
      if (e.kind !== "func" || e.name === "hangLimitInitializer") continue;
      const f = instance.getFunc(e.name)!;
      const args = argsFor(f.type.params, round);
      try {
        reset?.call();
        out.push(`${e.name}(${args.map(show).join(",")}) = ${show(f.call(...args))}`);
      } catch (err) {
        out.push(`${e.name}(${args.map(show).join(",")}) ${describe(err)}`);
      }
    }
  }
  return out;
}

/** A call's failure as a transcript line shows it: the trap code, else the error's class and message. */
export function describe(e: unknown): string {
  if (e instanceof Trap) return `trap ${e.code}`;
  return `error ${(e as Error).name}: ${(e as Error).message}`;
}

/** The arguments of the calls of `transcript`'s round `round` (zeros, then ones). */
export function argsFor(params: readonly unknown[], round: number): unknown[] {
  return params.map((t) => (t === "i64" ? BigInt(round) : t === "i32" || t === "f32" || t === "f64" ? round : null));
}

/**
 * The fuel each step of `transcript`'s calls uses (instantiation, then each call with the hang limit's
 * reset before it), under `config` (which must consume fuel), with `serialized` as in `Variant`. A step
 * that overflows the stack is listed without its fuel (how deep the stack goes depends on frame sizes).
 */
export function fuelTranscript(bytes: Uint8Array, config: EngineConfig, serialized = false): string[] {
  const out: string[] = [];
  const engine = new Engine(config);
  const store = new Store(engine);
  const start = Number.MAX_SAFE_INTEGER;
  store.setFuel(start);
  if (config.timeLimits) store.setTimeLimit(60_000);
  if (config.epochInterruption) store.setEpochDeadline(1_000_000);
  const linker = new Linker(engine);
  for (const [name, type] of [["log-i32", "i32"], ["log-i64", "i64"], ["log-f32", "f32"], ["log-f64", "f64"]] as const) {
    linker.defineFunc("fuzzing-support", name, { params: [type], results: [] }, () => {});
  }
  let module = new Module(engine, bytes);
  if (serialized) module = Module.deserialize(engine, module.serialize());
  const step = (name: string, run: () => unknown): void => {
    store.setFuel(start);
    let outcome = "ok";
    try {
      run();
    } catch (e) {
      outcome = e instanceof Trap ? e.code : `error ${(e as Error).name}`;
    }
    out.push(outcome === "stack_overflow" ? `${name}: stack overflow` : `${name}: ${start - store.getFuel()}`);
  };
  let instance: ReturnType<Linker["instantiate"]> | undefined;
  step("instantiate", () => (instance = linker.instantiate(store, module)));
  if (!instance) return out;
  const reset = instance.getFunc("hangLimitInitializer");
  for (const round of [0, 1]) {
    for (const e of module.info.exports) {
      if (e.kind !== "func" || e.name === "hangLimitInitializer") continue;
      const f = instance.getFunc(e.name)!;
      step(`${e.name}#${round}`, () => {
        reset?.call();
        f.call(...argsFor(f.type.params, round));
      });
    }
  }
  return out;
}

/**
 * `fuelTranscript` of the reference meter (test/helpers/fuel-reference.ts) run on the bare WebAssembly
 * API: what the fuel of each step must be with `fuelBulkPerUnit: false`.
 */
export function referenceFuelTranscript(bytes: Uint8Array): string[] {
  const out: string[] = [];
  const counter = new WebAssembly.Global({ value: "i64", mutable: true }, 0n);
  const log = () => {};
  const imports = {
    "fuzzing-support": { "log-i32": log, "log-i64": log, "log-f32": log, "log-f64": log },
    [HOST_MODULE]: { [REFERENCE_COUNTER]: counter },
  };
  const info = decodeModule(bytes);
  const module = new WebAssembly.Module(referenceMetered(bytes) as Uint8Array<ArrayBuffer>);
  const step = (name: string, run: () => unknown): void => {
    counter.value = 0n;
    let overflow = false;
    try {
      run();
    } catch (e) {
      overflow = e instanceof RangeError;
    }
    out.push(overflow ? `${name}: stack overflow` : `${name}: ${counter.value as bigint}`);
  };
  let instance: WebAssembly.Instance | undefined;
  step("instantiate", () => (instance = new WebAssembly.Instance(module, imports)));
  if (!instance) return out;
  const exports = instance.exports as Record<string, (...args: unknown[]) => unknown>;
  const reset = exports.hangLimitInitializer;
  for (const round of [0, 1]) {
    for (const e of info.exports) {
      if (e.kind !== "func" || e.name === "hangLimitInitializer") continue;
      const type = funcTypeAt(info, funcTypeIndex(info, e.index) ?? -1);
      const params = (type?.params ?? []).map((t) => (typeof t === "string" ? t : "ref"));
      step(`${e.name}#${round}`, () => {
        reset?.();
        exports[e.name]!(...argsFor(params, round));
      });
    }
  }
  return out;
}
