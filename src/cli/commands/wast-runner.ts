/**
 * The `.wast` runner (used by `wasmhost wast`, the spec-suite tests and the browser page, so it uses no
 * Node.js module: the caller reads the script): executes the directives of `src/text/wast.ts` against
 * the public runtime API (Engine, Module, Store, Linker, Instance, Func, Global, Table, Memory), with the
 * `spectest` host module (wast-spectest.ts), NaN patterns and reference results (wast-values.ts). Values JS cannot carry exactly (v128, NaN
 * payloads) go through a generated wrapper module, one per signature, that takes floats as their bits
 * and v128 as four i32 lanes, calls the export, and stores the results to its memory.
 *
 * Each command is named `file:line`. A command whose module the engine cannot compile because the module
 * uses a proposal the engine lacks (feature probing, see wast-checks.ts) is "unsupported" when the suite
 * allows it (the 3.0 suite); otherwise it fails. Each assertion accepts only the outcome the spec means
 * (wast-checks.ts): a `LinkError`, a `Trap` of the right code, the engine's wasm exception.
 *
 * @module
 */
import {
  Engine, Func, Global, Instance, LinkError, Linker, Memory, Module, Store,
} from "../../index.js";
import type { EngineConfig, FuncType, ValType } from "../../index.js";
import { funcTypeAt, funcTypeIndex } from "../../binary/module-info.js";
import { parseWast, watToBinary } from "../../text/index.js";
import type { WastAction, WastConst, WastDirective, WastExpected, WastModule } from "../../text/wast.js";
import {
  addCounts, CheckFailure, checkTrap, describeThrown, isWasmException, missingFeatures, rejectedByEngine,
  type MergeCounts,
} from "./wast-checks.js";
import { defineSpectest } from "./wast-spectest.js";
import { describeExpected, describeValue, isNaN32, isNaN64, matches, needsExact, toJs } from "./wast-values.js";

/** Outcome counts of one file (or a sum of files). */
export interface RunResult {
  passed: number;
  failed: number;
  unsupported: number;
  /** Commands on the expected-failures list that failed as expected. */
  expectedFailures: number;
  /** `file:line: what` for each failure. */
  failures: string[];
  /**
   * `assert_malformed` commands that failed as expected but whose error message does not contain the
   * spec's text (informational: the spec asks only for a failure).
   */
  messageMismatches: string[];
  /** Uses of each engine trap merge the runner accepted (see `TRAP_MERGES` in wast-checks.ts). */
  trapMerges: MergeCounts;
}

/** Options of `runWastFile`. */
export interface RunOptions {
  /** Count commands whose modules the engine rejects as unsupported instead of failed. */
  readonly allowUnsupported?: boolean;
  /** `file:line` keys expected to fail (with reasons); a listed command that passes is a failure. */
  readonly expectedFailures?: ReadonlyMap<string, string>;
  /** Also print each module and check print -> parse gives the same bytes. */
  readonly roundTrip?: (bytes: Uint8Array, where: string) => string | undefined;
  /** Do not fail a run when a listed expected failure passes (engine features changed by flags). */
  readonly lenientExpectedFailures?: boolean;
  /** How the file is named in `file:line` keys (default: its base name). */
  readonly label?: string;
  /**
   * The engine's settings (default none): runs the script under instrumentation. With `consumeFuel`
   * the store gets all the fuel it can hold.
   */
  readonly engineConfig?: EngineConfig;
  /** Fuel each directive (module, instantiation, action, assertion) starts with; enables fuel. */
  readonly fuel?: bigint;
  /** Time limit in ms of each call into wasm (actions, start functions); enables time limits. */
  readonly timeoutMs?: number;
}

class Unsupported extends Error {}
const Failure = CheckFailure;

/** A `RunResult` with nothing counted yet. */
export function emptyRunResult(): RunResult {
  return { passed: 0, failed: 0, unsupported: 0, expectedFailures: 0, failures: [], messageMismatches: [], trapMerges: new Map() };
}

/** Adds the counts, failures and merges of `r` to `total`. */
export function addRunResult(total: RunResult, r: RunResult): void {
  total.passed += r.passed;
  total.failed += r.failed;
  total.unsupported += r.unsupported;
  total.expectedFailures += r.expectedFailures;
  total.failures.push(...r.failures);
  total.messageMismatches.push(...r.messageMismatches);
  addCounts(total.trapMerges, r.trapMerges);
}

/**
 * Runs one `.wast` script, given as its text. `fileName` names it in parse errors and (unless
 * `options.label` is given) in `file:line` keys.
 */
export function runWastScript(text: string, fileName: string, options: RunOptions = {}): RunResult {
  const file = options.label ?? fileName;
  const result = emptyRunResult();
  let script;
  try {
    script = parseWast(text, { file: fileName });
  } catch (e) {
    result.failed++;
    result.failures.push(`${file}: script does not parse: ${(e as Error).message}`);
    return result;
  }
  const ctx = new Context(file, options, (line, m) => result.messageMismatches.push(`${file}:${line}: ${m}`), result.trapMerges);
  const record = (line: number, outcome: "pass" | "unsupported" | Error) => {
    const key = `${file}:${line}`;
    const expected = options.expectedFailures?.get(key);
    if (outcome === "unsupported") {
      result.unsupported++;
      return;
    }
    if (expected !== undefined) {
      if (outcome === "pass" && options.lenientExpectedFailures) {
        result.passed++;
      } else if (outcome === "pass") {
        result.failed++;
        result.failures.push(`${key}: listed as an expected failure (${expected}) but passes: remove it from the list`);
      } else {
        result.expectedFailures++;
      }
      return;
    }
    if (outcome === "pass") result.passed++;
    else {
      result.failed++;
      result.failures.push(`${key}: ${outcome.message.split("\n").slice(0, 3).join(" | ")}`);
    }
  };
  const run = (d: WastDirective) => {
    if (d.type === "thread" || d.type === "wait") {
      // Threads need a Worker per thread; no suite uses them yet, and skipping one would hide its checks.
      record(d.line, new Failure(`${d.type} directives are not implemented by this runner`));
      return;
    }
    try {
      ctx.directive(d);
      record(d.line, "pass");
    } catch (e) {
      if (e instanceof Unsupported) record(d.line, options.allowUnsupported ? "unsupported" : new Failure(`unsupported: ${e.message}`));
      else record(d.line, e instanceof Error ? e : new Error(String(e)));
    }
  };
  for (const d of script.directives) run(d);
  return result;
}

class Context {
  readonly engine: Engine;
  readonly store: Store;
  readonly linker: Linker;
  current: Instance | "unsupported" | undefined;
  readonly named = new Map<string, Instance | "unsupported">();
  readonly definitions = new Map<string, Module | "unsupported">();
  private readonly wrappers = new Map<string, Module>();
  private scratchMemory: Memory | undefined;
  /** Names registered for modules the engine could not compile. */
  private readonly unsupportedNames = new Set<string>();

  constructor(
    readonly file: string,
    readonly options: RunOptions,
    private readonly mismatch: (line: number, message: string) => void,
    private readonly merges: MergeCounts,
  ) {
    this.engine = new Engine({
      ...options.engineConfig,
      ...(options.fuel !== undefined ? { consumeFuel: true } : {}),
      ...(options.timeoutMs !== undefined ? { timeLimits: true } : {}),
    });
    this.store = new Store(this.engine);
    if (options.engineConfig?.consumeFuel) this.store.setFuel(Number.MAX_SAFE_INTEGER);
    if (options.timeoutMs !== undefined) this.store.setTimeLimit(options.timeoutMs);
    this.linker = new Linker(this.engine);
    this.linker.allowShadowing = true;
    defineSpectest(this.store, this.linker);
  }

  directive(d: WastDirective): void {
    if (this.options.fuel !== undefined) this.store.setFuel(this.options.fuel);
    const m = "module" in d && typeof d.module === "object" ? d.module : undefined;
    if (m && m.form === "text" && m.bytes && this.options.roundTrip) {
      const problem = this.options.roundTrip(m.bytes, `${this.file}:${d.line}`);
      if (problem) throw new Failure(`round trip: ${problem}`);
    }
    switch (d.type) {
      case "module": return this.moduleDirective(d.module, d.line);
      case "module_instance": {
        const def = d.module !== undefined ? this.definitions.get(d.module) : undefined;
        if (def === undefined) throw new Failure(`unknown module definition $${d.module}`);
        if (def === "unsupported") {
          this.setCurrent(d.instance, "unsupported");
          throw new Unsupported("module definition not compiled");
        }
        this.setCurrent(d.instance, this.linker.instantiate(this.store, def));
        return;
      }
      case "register": {
        const inst = d.module !== undefined ? this.named.get(d.module) : this.current;
        if (inst === undefined) throw new Failure(`register: no module ${d.module ?? ""}`);
        if (inst === "unsupported") {
          this.unsupportedNames.add(d.as);
          throw new Unsupported("module not compiled");
        }
        this.linker.defineInstance(this.store, d.as, inst);
        return;
      }
      case "action":
        this.action(d.action);
        return;
      case "assert_return": {
        const { values, exact } = this.invokeForValues(d.action, d.expected);
        if (values.length !== d.expected.length) throw new Failure(`expected ${d.expected.length} results, got ${values.length}`);
        d.expected.forEach((e, i) => {
          if (!matches(e, values[i], exact[i])) {
            throw new Failure(`result ${i}: expected ${describeExpected(e)}, got ${describeValue(values[i], exact[i])}`);
          }
        });
        return;
      }
      case "assert_trap": {
        if (d.module) {
          const module = this.compileModule(d.module);
          this.expectTrap(() => this.instantiate(module), d.text);
          return;
        }
        this.expectTrap(() => this.action(d.action!), d.text);
        return;
      }
      case "assert_exhaustion":
        this.expectTrap(() => this.action(d.action), d.text);
        return;
      case "assert_exception": {
        try {
          this.action(d.action);
        } catch (e) {
          if (e instanceof Unsupported) throw e;
          if (isWasmException(e)) return;
          throw new Failure(`expected a wasm exception, got ${describeThrown(e)}`);
        }
        throw new Failure("expected a wasm exception, got a normal return");
      }
      case "assert_invalid": case "assert_malformed": {
        const m = d.module;
        if (m.error) {
          // The text did not assemble: that is the rejection only if it is for the reason expected.
          if (!m.error.reason.includes(d.text)) {
            throw new Failure(`expected "${d.text}", the text failed to assemble for another reason: ${m.error.reason}`);
          }
          return;
        }
        if (d.type === "assert_malformed" && m.form !== "binary") {
          throw new Failure(`malformed text assembled, expected "${d.text}"`);
        }
        if (!m.bytes) throw new Failure("no module bytes");
        try {
          new Module(this.engine, m.bytes);
        } catch (e) {
          this.unsupportedIfFeatureGap(m.bytes, e, "cannot tell whether it is rejected for the reason expected");
          if (d.type === "assert_malformed" && !(e as Error).message.includes(d.text)) {
            this.mismatch(d.line, `expected "${d.text}", got "${(e as Error).message.split("\n")[0]}"`);
          }
          return;
        }
        throw new Failure(`module compiled, expected "${d.text}"`);
      }
      case "assert_malformed_custom": case "assert_invalid_custom": {
        // A malformed or invalid custom annotation/section: rejecting the module passes; an
        // implementation may also ignore custom sections, which counts as unsupported.
        const m = d.module;
        if (m.error) return;
        try {
          new Module(this.engine, m.bytes!);
        } catch {
          return;
        }
        throw new Unsupported(`custom section checks (${d.text}) are not implemented`);
      }
      case "assert_unlinkable": {
        const module = this.compileModule(d.module);
        try {
          this.instantiate(module);
        } catch (e) {
          if (e instanceof Unsupported) throw e;
          if (e instanceof LinkError) return;
          throw new Failure(`expected a LinkError ("${d.text}"), got ${describeThrown(e)}`);
        }
        throw new Failure(`module instantiated, expected a LinkError ("${d.text}")`);
      }
      case "assert_uninstantiable": {
        // Linking succeeds; initialization (a segment out of bounds) or the start function traps.
        const module = this.compileModule(d.module);
        this.expectTrap(() => this.instantiate(module), d.text);
        return;
      }
    }
  }

  /** Instantiates `module`; a link failure caused by an import from a module the engine could not compile is unsupported. */
  private instantiate(module: Module): Instance {
    try {
      return this.linker.instantiate(this.store, module);
    } catch (e) {
      if (this.options.allowUnsupported && module.imports.some((i) => this.unsupportedNames.has(i.module))) {
        throw new Unsupported(`imports from a module the engine could not compile: ${(e as Error).message}`);
      }
      throw e;
    }
  }

  private setCurrent(name: string | undefined, inst: Instance | "unsupported"): void {
    this.current = inst;
    if (name !== undefined) this.named.set(name, inst);
  }

  private compileModule(m: WastModule): Module {
    if (m.error) throw new Failure(`module does not assemble: ${m.error.message}`);
    try {
      return new Module(this.engine, m.bytes!);
    } catch (e) {
      this.unsupportedIfFeatureGap(m.bytes!, e, (e as Error).message.split("\n")[0]!);
      throw e;
    }
  }

  /**
   * Throws `Unsupported` when the suite allows it, the engine rejected `bytes` (`e`) and the module uses
   * a proposal the engine lacks.
   */
  private unsupportedIfFeatureGap(bytes: Uint8Array, e: unknown, what: string): void {
    if (!this.options.allowUnsupported || !rejectedByEngine(e)) return;
    const missing = missingFeatures(bytes);
    if (missing.length) throw new Unsupported(`the engine lacks ${missing.join(", ")}: ${what}`);
  }

  private expectTrap(fn: () => unknown, text: string): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof Unsupported) throw e;
      checkTrap(e, text, this.merges);
      return;
    }
    throw new Failure(`expected trap "${text}", returned normally`);
  }

  private moduleDirective(m: WastModule, line: number): void {
    let module: Module;
    try {
      module = this.compileModule(m);
    } catch (e) {
      if (m.definition && m.name !== undefined) this.definitions.set(m.name, "unsupported");
      else this.setCurrent(m.name, "unsupported");
      throw e;
    }
    if (m.definition) {
      if (m.name !== undefined) this.definitions.set(m.name, module);
      return;
    }
    let inst: Instance;
    try {
      inst = this.instantiate(module);
    } catch (e) {
      if (e instanceof Unsupported) this.setCurrent(m.name, "unsupported");
      throw e;
    }
    this.setCurrent(m.name, inst);
  }

  private instanceFor(a: WastAction): Instance {
    const inst = a.module !== undefined ? this.named.get(a.module) : this.current;
    if (inst === undefined) throw new Failure(`no module ${a.module ?? "(current)"}`);
    if (inst === "unsupported") throw new Unsupported("module not compiled");
    return inst;
  }

  /** Runs an action; returns its results as JS values. */
  action(a: WastAction): unknown[] {
    return this.invokeForValues(a, undefined).values;
  }

  /**
   * Runs an action. Values that JS cannot carry exactly (v128, NaN payloads) go through a wrapper and
   * come back as bytes in `exact` (little-endian, 4, 8 or 16 bytes).
   */
  private invokeForValues(a: WastAction, expected: readonly WastExpected[] | undefined): { values: unknown[]; exact: (Uint8Array | undefined)[] } {
    const inst = this.instanceFor(a);
    if (a.kind === "get") {
      const g = inst.getGlobal(a.name);
      if (!g) throw new Failure(`no global export "${a.name}"`);
      const t = g.type.content;
      if (t === "f32" || t === "f64") {
        // Read through a wrapper to keep NaN bits: a tiny module that imports the global.
        const bytes = this.globalBits(g, t);
        return { values: [g.value], exact: [bytes] };
      }
      if (t === "v128") return { values: [undefined], exact: [this.globalBits(g, t)] };
      return { values: [g.value], exact: [undefined] };
    }
    const func = inst.getFunc(a.name);
    if (!func) throw new Failure(`no function export "${a.name}"`);
    const exn = exnResult(inst, a.name);
    if (exn !== undefined) return this.callExnWrapped(func, exn, a.args);
    const type = func.type;
    const needsWrapper = type.params.includes("v128") || type.results.includes("v128") ||
      a.args.some((x) => (x.type === "f32" && isNaN32(x.bits)) || (x.type === "f64" && isNaN64(x.bits))) ||
      (expected !== undefined && expected.some(needsExact));
    if (needsWrapper && !type.params.some((p) => p !== "i32" && p !== "i64" && p !== "f32" && p !== "f64" && p !== "v128" && p !== "externref" && p !== "funcref")) {
      return this.callWrapped(func, type, a.args);
    }
    const args = a.args.map(toJs);
    const r = func.call(...args);
    const values = type.results.length === 0 ? [] : type.results.length === 1 ? [r] : (r as unknown[]);
    return { values, exact: values.map(() => undefined) };
  }

  /**
   * Calls a function whose one result is an exception reference, which the JS API cannot carry: a
   * wrapper tests it for null inside wasm. The result is `null` or `EXN` (some exception).
   */
  private callExnWrapped(func: Func, exn: { params: readonly ValType[]; result: string }, args: readonly WastConst[]): { values: unknown[]; exact: (Uint8Array | undefined)[] } {
    const params = exn.params.join(" ");
    const text = `(module (import "t" "f" (func $f (param ${params}) (result ${exn.result})))
      (func (export "run") (param ${params}) (result i32)
        (ref.is_null (call $f ${exn.params.map((_, i) => `(local.get ${i})`).join(" ")}))))`;
    const inst = this.wrapperInstance(text, (l) => l.define("t", "f", func));
    const isNull = inst.getFunc("run")!.call(...args.map(toJs));
    return { values: [isNull ? null : EXN], exact: [undefined] };
  }

  private globalBits(g: Global, t: "f32" | "f64" | "v128"): Uint8Array {
    const text = `(module (import "t" "g" (global $g ${t})) (import "t" "m" (memory 1))
      (func (export "run") (${t}.store (i32.const 0) (global.get $g))))`;
    const inst = this.wrapperInstance(text, (l) => l.define("t", "g", g));
    inst.getFunc("run")!.call();
    return this.scratch().read(0, t === "f32" ? 4 : t === "f64" ? 8 : 16);
  }

  private wrapperInstance(text: string, define: (l: Linker) => void): Instance {
    let module = this.wrappers.get(text);
    if (!module) {
      module = new Module(this.engine, watToBinary(text));
      this.wrappers.set(text, module);
    }
    const linker = new Linker(this.engine);
    linker.define("t", "m", this.scratch());
    define(linker);
    return linker.instantiate(this.store, module);
  }

  /**
   * The one memory every wrapper writes its results to. One per script rather than one per wrapper
   * instance: the store keeps its instances, and an engine reserves address space for each memory
   * (Chromium's V8 runs out after a few hundred, where a script makes thousands of wrapped calls).
   */
  private scratch(): Memory {
    return (this.scratchMemory ??= new Memory(this.store, { min: 1 }));
  }

  private callWrapped(func: Func, type: FuncType, args: readonly WastConst[]): { values: unknown[]; exact: (Uint8Array | undefined)[] } {
    // The wrapper depends on the signature only (so it is compiled once per signature): floats come in
    // as their bits (i32/i64) and v128 as four i32 lanes, and are reinterpreted inside.
    const sig = `(param ${type.params.join(" ")}) (result ${type.results.join(" ")})`;
    const passed: unknown[] = [];
    const passedTypes: string[] = [];
    const take = (t: string, v: unknown) => {
      passed.push(v);
      passedTypes.push(t);
      return `(local.get ${passed.length - 1})`;
    };
    const pushes = type.params.map((t, i) => {
      const x = args[i];
      if (x === undefined) throw new Failure(`missing argument ${i}`);
      switch (t) {
        case "f32": return `(f32.reinterpret_i32 ${take("i32", x.type === "f32" ? x.bits | 0 : 0)})`;
        case "f64": return `(f64.reinterpret_i64 ${take("i64", x.type === "f64" ? BigInt.asIntN(64, x.bits) : 0n)})`;
        case "v128": {
          if (x.type !== "v128") throw new Failure("v128 parameter needs a v128 argument");
          const dv = new DataView(x.bytes.buffer, x.bytes.byteOffset, 16);
          let e = `(i32x4.splat ${take("i32", dv.getInt32(0, true))})`;
          for (let k = 1; k < 4; k++) e = `(i32x4.replace_lane ${k} ${e} ${take("i32", dv.getInt32(k * 4, true))})`;
          return e;
        }
        default: return take(t as string, toJs(x));
      }
    });
    const results = type.results;
    const locals = results.map((r, i) => `(local $r${i} ${r})`).join(" ");
    const sets = results.map((_, i) => `(local.set $r${results.length - 1 - i})`).join(" ");
    const outs: string[] = [];
    const refResults: ValType[] = [];
    results.forEach((r, i) => {
      if (r === "i32" || r === "i64" || r === "f32" || r === "f64" || r === "v128") {
        outs.push(`(${r}.store (i32.const ${i * 16}) (local.get $r${i}))`);
      } else {
        outs.push(`(local.get $r${i})`);
        refResults.push(r);
      }
    });
    const text = `(module (import "t" "f" (func $f ${sig})) (import "t" "m" (memory 1))
      (func (export "run") (param ${passedTypes.join(" ")}) (result ${refResults.join(" ")}) ${locals}
        ${pushes.join(" ")} (call $f) ${sets} ${outs.join(" ")}))`;
    const inst = this.wrapperInstance(text, (l) => l.define("t", "f", func));
    const r = inst.getFunc("run")!.call(...passed);
    const refs = refResults.length === 0 ? [] : refResults.length === 1 ? [r] : (r as unknown[]);
    const mem = this.scratch();
    const values: unknown[] = [];
    const exact: (Uint8Array | undefined)[] = [];
    let refAt = 0;
    results.forEach((t, i) => {
      if (t === "i32") { values.push(mem.getI32(i * 16)); exact.push(undefined); }
      else if (t === "i64") { values.push(mem.getI64(i * 16)); exact.push(undefined); }
      else if (t === "f32" || t === "f64" || t === "v128") {
        const bytes = mem.read(i * 16, t === "f32" ? 4 : t === "f64" ? 8 : 16);
        values.push(t === "f32" ? mem.getF32(i * 16) : t === "f64" ? mem.getF64(i * 16) : undefined);
        exact.push(bytes);
      } else {
        values.push(refs[refAt++]);
        exact.push(undefined);
      }
    });
    return { values, exact };
  }
}

/** Stands for a non-null exception reference returned by a function (see `callExnWrapped`). */
const EXN = Object.freeze({ exnref: true });

/**
 * For an exported function whose only result is an exception reference (`exnref`, `nullexnref`) and
 * whose parameters are 2.0 types: its parameters and the result's text type. Otherwise `undefined`.
 */
function exnResult(inst: Instance, name: string): { params: ValType[]; result: string } | undefined {
  const info = inst.module.info;
  const exp = info.exports.find((e) => e.kind === "func" && e.name === name);
  if (!exp) return undefined;
  const type = funcTypeAt(info, funcTypeIndex(info, exp.index) ?? -1);
  const result = type?.results.length === 1 ? type.results[0] : undefined;
  if (!type || typeof result !== "object" || (result.ref !== "exn" && result.ref !== "noexn")) return undefined;
  if (!type.params.every((p) => typeof p === "string")) return undefined;
  return { params: type.params as ValType[], result: `(ref ${result.nullable ? "null " : ""}${result.ref})` };
}
