/**
 * The runner of component `.wast` scripts: executes the directives of `src/component/text/wast.ts`.
 *
 * What it checks itself: that every component assembles, decodes, re-encodes byte for byte and
 * validates; that `assert_malformed` units fail to assemble or decode and `assert_invalid` units
 * fail to validate. What needs running a component (instances, `invoke`, `assert_return`,
 * `assert_trap`, `assert_unlinkable`, `assert_uninstantiable`) goes through a `ComponentScriptHost`;
 * without one those directives are counted as "not run", never as passed.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { CliIO } from "../io.js";
import { basename } from "node:path";
import { CompileError, WatError } from "../../errors.js";
import { decodeComponent } from "../../component/binary/decoder.js";
import { encodeComponent } from "../../component/binary/encoder.js";
import { type ComponentFeatures, UNSUPPORTED, validateComponent } from "../../component/binary/validate.js";
import { decodeModule } from "../../binary/decoder.js";
import { missingFeatures } from "./wast-checks.js";
import {
  componentValuesEqual,
  parseComponentWast,
  type ComponentAction,
  type ComponentValue,
  type WastUnit,
} from "../../component/text/wast.js";

/**
 * What running components takes: implemented by the component runtime. Methods may return promises.
 * `instantiate` receives a unit that already validated; a failure to link or instantiate throws (any
 * error); a trap throws an error whose message contains the trap's text.
 */
export interface ComponentScriptHost {
  /**
   * Instantiates a component (or core module) binary; `name` is the script's `$name` for it, and
   * `features` the feature switches the script asks for (`scriptFeatures`).
   */
  instantiate(bytes: Uint8Array, kind: "component" | "module", name: string | undefined, features?: ComponentFeatures): Promise<ComponentScriptInstance> | ComponentScriptInstance;
  /** Makes an instance's exports available to later instantiations under `as` (`register`). */
  register?(instance: ComponentScriptInstance, as: string): void;
}

/** A running instance as the script runner sees it. */
export interface ComponentScriptInstance {
  /** Calls an exported function with typed values; returns its results as typed values. */
  invoke(name: string, args: readonly ComponentValue[]): Promise<readonly ComponentValue[]> | readonly ComponentValue[];
}

/** Outcome counts of one script (or a sum of scripts). */
export interface ComponentRunResult {
  passed: number;
  failed: number;
  unsupported: number;
  /** Directives that need a component runtime and had none. */
  notRun: number;
  /** `file:line: what` for each failure. */
  failures: string[];
}

/** Options of `runComponentWastFile`. */
export interface ComponentRunOptions {
  /** Runs components; without it, execution directives count as `notRun`. */
  readonly host?: ComponentScriptHost;
  /** How the file is named in `file:line` keys (default: its base name). */
  readonly label?: string;
}

/** An empty result. */
export function emptyComponentResult(): ComponentRunResult {
  return { passed: 0, failed: 0, unsupported: 0, notRun: 0, failures: [] };
}

/** Runs one component script file. */
export async function runComponentWastFile(file: string, options: ComponentRunOptions = {}): Promise<ComponentRunResult> {
  return runComponentWast(readFileSync(file, "utf8"), options.label ?? basename(file), options.host);
}

/** What compiling a unit gave: the bytes, or the stage that failed and why. */
type Compiled =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly stage: "text" | "decode" | "validate" | "engine" | "unsupported" | "round-trip"; readonly error: Error };

/** Assembles (when text), decodes, round-trips and validates a unit. */
export function compileUnit(unit: WastUnit, features: ComponentFeatures = {}): Compiled {
  if (unit.error !== undefined) return { ok: false, stage: "text", error: unit.error };
  const bytes = unit.bytes!;
  if (unit.kind === "module") {
    try {
      decodeModule(bytes);
      const why = engineValidate(bytes);
      if (why !== undefined) return { ok: false, stage: why.startsWith(ENGINE_REJECTS) ? "engine" : "validate", error: new CompileError(why) };
      return { ok: true, bytes };
    } catch (e) {
      return { ok: false, stage: "decode", error: e as Error };
    }
  }
  let info;
  try {
    info = decodeComponent(bytes);
  } catch (e) {
    if (e instanceof CompileError) return { ok: false, stage: "decode", error: e };
    throw e;
  }
  const again = encodeComponent(info);
  if (!sameBytes(again, bytes)) {
    return { ok: false, stage: "round-trip", error: new Error(`decode -> encode differs (${bytes.length} -> ${again.length} bytes)`) };
  }
  try {
    validateComponent(info, { validateCoreModule: engineValidate, features });
  } catch (e) {
    if (e instanceof CompileError && e.reason.startsWith(`invalid core module: ${ENGINE_REJECTS}`)) return { ok: false, stage: "engine", error: e };
    if (e instanceof CompileError && e.reason.startsWith(UNSUPPORTED)) return { ok: false, stage: "unsupported", error: e };
    if (e instanceof CompileError) return { ok: false, stage: "validate", error: e };
    throw e;
  }
  return { ok: true, bytes };
}

const ENGINE_REJECTS = "the engine rejects the module";

/**
 * Core module code validation by the engine. A rejection of a module that uses a proposal the engine
 * lacks (custom page sizes, exnref; found by feature probing) counts as unsupported, not failed; any
 * other rejection is the module's: invalid.
 */
function engineValidate(bytes: Uint8Array): string | undefined {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return undefined;
  const missing = missingFeatures(bytes);
  return missing.length > 0 ? `${ENGINE_REJECTS}: it uses ${missing.join(", ")}, which the engine lacks` : "the engine finds the core module invalid";
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The feature switches a script asks for in its first line, as wasm-tools' component tests write it
 * (`;; RUN: wast ... -f cm64,cm-nested-names,shared-everything-threads`; `--features=-x` turns one
 * off): from wasm-tools' defaults (cm64, nested names and shared-everything threads off) when the
 * script has a RUN line, wasmhost's defaults otherwise.
 */
export function scriptFeatures(text: string): ComponentFeatures {
  const first = /^;;\s*RUN(?:\[[^\]]*\])?:(.*)$/m.exec(text.slice(0, text.indexOf("\n") >>> 0));
  if (!first) return {};
  const on = new Set<string>();
  const args = first[1]!.trim().split(/\s+/);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const list = a === "-f" || a === "--features" ? args[++i] : a.startsWith("--features=") ? a.slice(11) : undefined;
    for (const f of list?.split(",") ?? []) {
      if (f.startsWith("-")) on.delete(f.slice(1));
      else if (f) on.add(f);
    }
  }
  return { cm64: on.has("cm64"), nestedNames: on.has("cm-nested-names"), sharedEverythingThreads: on.has("shared-everything-threads") };
}

/** Runs a component script's text. */
export async function runComponentWast(text: string, label: string, host?: ComponentScriptHost): Promise<ComponentRunResult> {
  const result = emptyComponentResult();
  const features = scriptFeatures(text);
  const fail = (line: number, what: string) => {
    result.failed++;
    result.failures.push(`${label}:${line}: ${what}`);
  };
  let script;
  try {
    script = parseComponentWast(text, { file: label });
  } catch (e) {
    fail(e instanceof WatError ? e.line : 0, `script does not parse: ${(e as Error).message.split("\n")[0]}`);
    return result;
  }
  const definitions = new Map<string, { bytes: Uint8Array; kind: "component" | "module" }>();
  const instances = new Map<string, ComponentScriptInstance>();
  let current: ComponentScriptInstance | undefined;
  let lastDefinition: { bytes: Uint8Array; kind: "component" | "module" } | undefined;
  // Units that could not run here (a feature the engine or wasmhost lacks), by name, and whether the
  // current one is such: what runs on them is unsupported too, not failed.
  const unsupportedNames = new Set<string>();
  let currentUnsupported = false;
  const onUnsupported = (action: ComponentAction | undefined): boolean =>
    action !== undefined && (action.instance !== undefined ? unsupportedNames.has(action.instance) : current === undefined && currentUnsupported);

  const instantiate = async (bytes: Uint8Array, kind: "component" | "module", name: string | undefined) => {
    const inst = await host!.instantiate(bytes, kind, name, features);
    current = inst;
    currentUnsupported = false;
    if (name !== undefined) instances.set(name, inst);
    return inst;
  };
  const invoke = async (action: ComponentAction) => {
    const inst = action.instance !== undefined ? instances.get(action.instance) : current;
    if (inst === undefined) throw new Error(`no instance ${action.instance ?? "(current)"}`);
    return inst.invoke(action.name, action.args);
  };

  for (const d of script.directives) {
    const line = d.line;
    try {
      switch (d.type) {
        case "unit": {
          const c = compileUnit(d.unit, features);
          if (!c.ok && (c.stage === "engine" || c.stage === "unsupported")) {
            result.unsupported++;
            if (d.unit.name !== undefined) unsupportedNames.add(d.unit.name);
            if (!d.unit.definition) {
              current = undefined;
              currentUnsupported = true;
            }
            break;
          }
          if (!c.ok) {
            fail(line, `${d.unit.kind} does not compile (${c.stage}): ${firstLine(c.error)}`);
            break;
          }
          const def = { bytes: c.bytes, kind: d.unit.kind };
          lastDefinition = def;
          if (d.unit.name !== undefined) definitions.set(d.unit.name, def);
          if (d.unit.definition) {
            result.passed++;
            break;
          }
          if (!host) {
            // Compiled and validated (counted), but instantiating needs the runtime.
            result.passed++;
            result.notRun++;
            break;
          }
          await instantiate(c.bytes, d.unit.kind, d.unit.name);
          result.passed++;
          break;
        }
        case "instance": {
          const def = d.component !== undefined ? definitions.get(d.component) : lastDefinition;
          if (!host) {
            result.notRun++;
            break;
          }
          if (def === undefined && d.component !== undefined && unsupportedNames.has(d.component)) {
            result.unsupported++;
            if (d.instance !== undefined) unsupportedNames.add(d.instance);
            current = undefined;
            currentUnsupported = true;
            break;
          }
          if (def === undefined) {
            fail(line, `unknown component definition ${d.component ?? "(last)"}`);
            break;
          }
          await instantiate(def.bytes, def.kind, d.instance);
          result.passed++;
          break;
        }
        case "register": {
          if (!host) {
            result.notRun++;
            break;
          }
          const inst = d.instance !== undefined ? instances.get(d.instance) : current;
          if (inst === undefined || host.register === undefined) {
            result.unsupported++;
            break;
          }
          host.register(inst, d.as);
          result.passed++;
          break;
        }
        case "action": {
          if (!host) {
            result.notRun++;
            break;
          }
          if (onUnsupported(d.action)) {
            result.unsupported++;
            break;
          }
          await invoke(d.action);
          result.passed++;
          break;
        }
        case "assert_return": {
          if (!host) {
            result.notRun++;
            break;
          }
          if (onUnsupported(d.action)) {
            result.unsupported++;
            break;
          }
          const got = await invoke(d.action);
          if (got.length !== d.expected.length || !got.every((v, i) => componentValuesEqual(v, d.expected[i]!))) {
            fail(line, `assert_return: got ${JSON.stringify(got, bigints)}, expected ${JSON.stringify(d.expected, bigints)}`);
          } else {
            result.passed++;
          }
          break;
        }
        case "assert_trap": {
          if (!host) {
            result.notRun++;
            break;
          }
          if (onUnsupported(d.action)) {
            result.unsupported++;
            break;
          }
          try {
            if (d.unit !== undefined) {
              const c = compileUnit(d.unit, features);
              if (!c.ok) throw c.error;
              await instantiate(c.bytes, d.unit.kind, d.unit.name);
            } else {
              await invoke(d.action!);
            }
            fail(line, `assert_trap: expected a trap "${d.text}", got none`);
          } catch (e) {
            const message = (e as Error).message;
            if (message.includes(d.text)) result.passed++;
            else fail(line, `assert_trap: expected "${d.text}", got ${firstLine(e as Error)}`);
          }
          break;
        }
        case "assert_malformed": {
          const c = compileUnit(d.unit, features);
          if (!c.ok && c.stage === "unsupported") {
            result.unsupported++;
            break;
          }
          if (c.ok) fail(line, `assert_malformed: ${d.unit.kind} compiled, expected "${d.text}"`);
          else if (c.stage === "round-trip") fail(line, `assert_malformed: ${firstLine(c.error)}`);
          else result.passed++;
          break;
        }
        case "assert_invalid": {
          const c = compileUnit(d.unit, features);
          if (!c.ok && c.stage === "unsupported") {
            result.unsupported++;
            break;
          }
          if (c.ok) fail(line, `assert_invalid: ${d.unit.kind} validated, expected "${d.text}"`);
          else if (c.stage === "text") fail(line, `assert_invalid: text does not assemble: ${firstLine(c.error)}`);
          else if (c.stage === "round-trip") fail(line, `assert_invalid: ${firstLine(c.error)}`);
          else result.passed++;
          break;
        }
        case "assert_unlinkable":
        case "assert_uninstantiable": {
          const c = compileUnit(d.unit, features);
          if (!c.ok) {
            fail(line, `${d.type}: does not compile (${c.stage}): ${firstLine(c.error)}`);
            break;
          }
          if (!host) {
            result.notRun++;
            break;
          }
          try {
            await instantiate(c.bytes, d.unit.kind, d.unit.name);
            fail(line, `${d.type}: instantiated, expected "${d.text}"`);
          } catch {
            result.passed++;
          }
          break;
        }
        case "unknown":
          result.unsupported++;
          break;
      }
    } catch (e) {
      fail(line, `${d.type}: ${firstLine(e as Error)}`);
    }
  }
  return result;
}

function firstLine(e: Error): string {
  return String(e?.message ?? e).split("\n")[0]!;
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}` : value;
}

/** True when a script's text holds component directives (so the component runner runs it). */
export function isComponentScript(text: string): boolean {
  return /^\s*\((?:component\b|assert_\w+\s*\(\s*component\b)/m.test(text);
}

/**
 * `wasmhost wast` for component scripts: runs each file with the component runner and prints the
 * counts like the core runner does, plus the directives not run for want of a component runtime.
 */
export async function componentWastCommand(files: readonly string[], io: CliIO, verbose: boolean, host?: ComponentScriptHost): Promise<number> {
  const total = emptyComponentResult();
  for (const file of files) {
    const r = await runComponentWastFile(file, host ? { host } : {});
    total.passed += r.passed;
    total.failed += r.failed;
    total.unsupported += r.unsupported;
    total.notRun += r.notRun;
    for (const f of r.failures) io.err(`FAIL ${f}\n`);
    if (verbose || files.length === 1 || r.failed) {
      io.out(`${file}: ${r.passed} passed, ${r.failed} failed, ${r.unsupported} unsupported, ${r.notRun} not run (needs component runtime)\n`);
    }
  }
  if (files.length > 1) {
    io.out(`total: ${total.passed} passed, ${total.failed} failed, ${total.unsupported} unsupported, ${total.notRun} not run\n`);
  }
  return total.failed ? 1 : 0;
}
