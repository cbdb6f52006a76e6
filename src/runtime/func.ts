/**
 * `Func`: a WebAssembly function (exported by an instance) or a host function, and the two adapters
 * of the host boundary:
 *
 * - host -> wasm (`Func.call`, `Func.typed`): checks the arguments, converts `Func` references, calls
 *   the engine function, and turns an engine trap into a `Trap`. The typed adapter is specialized by
 *   arity so that a call allocates nothing.
 * - wasm -> host (`bindHost`): the JS function handed to the engine for a host import; it passes the
 *   `Caller` first and checks that the result has the declared shape.
 *
 * @module
 */
import { formatValType, formatValTypes, type FuncType, type ValType } from "../types.js";
import type { Caller } from "./caller.js";
import { Store } from "./store.js";
import { noteHostError, toTrap } from "./trap.js";
import { Trap } from "../errors.js";
import {
  checkArg,
  checkFuncType,
  describeValue,
  isNullable,
  jsTypeOf,
  refKindOf,
  sameList,
  valTypeCode,
  type WasmParams,
  type WasmResults,
} from "./values.js";
import { hostToWasmAdapter, wasmToHostAdapter } from "./adapters.js";
import { V128 } from "./v128.js";
import { hasV128, loweredCaller, raisedFunction } from "./v128-bridge.js";
import { reexportModuleBytes } from "./prepare.js";
import { AsyncError } from "../errors.js";
import { asyncHostImport, callAsync, typedAsync } from "./async-call.js";

/** A host function: receives the caller, then the wasm arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HostFunc<T = any> = (caller: Caller<T>, ...args: any[]) => unknown;

/** A host function that takes the wasm arguments only (no caller): handed to the engine as it is. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawHostFunc = (...args: any[]) => unknown;

/** Engine function objects we have seen, and their `Func`: keeps function identity across the boundary. */
const funcOfNative = new WeakMap<object, Func>();

/** The `Func` already known for an engine function, if any. */
export function knownFunc(native: object): Func | undefined {
  return funcOfNative.get(native);
}

/** Records that engine function `native` is `func` (several engine functions may stand for one Func). */
export function rememberFunc(native: object, func: Func): void {
  funcOfNative.set(native, func);
}

/**
 * A function: exported by an instance, or defined by the host with `Func.wrap`. Functions are
 * first-class: a `Func` can be stored in a table, passed as a `funcref` and returned from wasm, and the
 * same wasm function always comes back as the same `Func` object.
 */
export class Func {
  /** The store the function belongs to. */
  readonly store: Store;
  private nativeFunc: ((...args: never[]) => unknown) | undefined;
  /** The function's name, for messages: the export name, or "host function". */
  readonly name: string;
  /** For host functions: the host code. */
  readonly host: HostFunc | RawHostFunc | undefined;
  /** For host functions: true when `host` takes no caller argument. */
  readonly raw: boolean;
  /** True for an async host function (`Linker.defineFuncAsync`, `Func.wrapAsync`): it returns a Promise. */
  readonly isAsync: boolean;
  private readonly funcType: FuncType;
  private dynamicCall: ((...args: unknown[]) => unknown) | undefined;

  /** @internal Use `Func.wrap`, or get functions from an instance. */
  constructor(
    store: Store,
    type: FuncType,
    native: ((...args: never[]) => unknown) | undefined,
    name: string,
    host?: { fn: HostFunc | RawHostFunc; raw: boolean; async?: boolean },
  ) {
    checkArg(store, Store, "new Func", "store");
    this.store = store;
    this.funcType = type;
    this.nativeFunc = native;
    this.name = name;
    this.host = host?.fn;
    this.raw = host?.raw ?? false;
    this.isAsync = host?.async ?? false;
    if (native) rememberFunc(native, this);
  }

  /**
   * The engine's function object. For a host function this is a genuine wasm function wrapping the
   * host code, made on first use (only references and tables need it; imports call the host code).
   */
  get native(): (...args: never[]) => unknown {
    if (!this.nativeFunc) {
      this.nativeFunc = wasmFunctionForHost(this);
      rememberFunc(this.nativeFunc, this);
    }
    return this.nativeFunc;
  }

  /**
   * Defines a host function in `store`. `fn` receives a `Caller` and then the arguments, and returns
   * nothing, one value, or an array of values when the type has several results.
   *
   * The result is a real wasm function: it can be stored in tables and passed as a `funcref`. Its
   * `Caller` reaches no instance exports when it is called through a table or reference rather than as
   * an import (`caller.getExport` returns `undefined` then).
   *
   * @throws TypeError if `type` is not a valid function type or `fn` is not a function.
   */
  static wrap<T, const P extends readonly ValType[], const R extends readonly ValType[]>(
    store: Store<T>,
    type: { readonly params: P; readonly results: R },
    fn: (caller: Caller<T>, ...args: WasmParams<P>) => WasmResults<R> | unknown,
  ): Func {
    checkArg(store, Store, "Func.wrap", "store");
    const checked = checkFuncType(type, "Func.wrap");
    if (typeof fn !== "function") throw new TypeError(`Func.wrap: expected a function, got ${describeValue(fn)}`);
    return makeHostFunc(store as Store, checked, fn as HostFunc, false, "host function");
  }

  /**
   * Defines an async host function in `store` (see `Linker.defineFuncAsync`): `fn` returns a Promise of
   * what `Func.wrap`'s function returns. Only async calls may reach it.
   *
   * @throws AsyncError `"not_enabled"` unless the engine has `asyncSupport`; TypeError as `Func.wrap`.
   */
  static wrapAsync<T, const P extends readonly ValType[], const R extends readonly ValType[]>(
    store: Store<T>,
    type: { readonly params: P; readonly results: R },
    fn: (caller: Caller<T>, ...args: WasmParams<P>) => Promise<WasmResults<R> | unknown>,
  ): Func {
    checkArg(store, Store, "Func.wrapAsync", "store");
    if (store.engine.asyncMechanism === undefined) {
      throw new AsyncError("not_enabled", "Func.wrapAsync: the engine has no async support; create it with new Engine({ asyncSupport: true })");
    }
    const checked = checkFuncType(type, "Func.wrapAsync");
    if (typeof fn !== "function") throw new TypeError(`Func.wrapAsync: expected a function, got ${describeValue(fn)}`);
    return makeHostFunc(store as Store, checked, fn as HostFunc, false, "async host function", true);
  }

  /**
   * Calls a function reference as wasm's `call_ref` does: `ref` may be the null reference (a `funcref`
   * read from a table, a global or a host function's parameter), and calling it is a `Trap` with code
   * `"indirect_call_to_null"`, as in Wasmtime, rather than a `TypeError` from `null.call`.
   *
   * @throws Trap `"indirect_call_to_null"` when `ref` is null; TypeError when it is not a `Func`;
   *   otherwise what `ref.call(...args)` throws.
   */
  static callRef(ref: Func | null, ...args: unknown[]): unknown {
    if (ref === null || ref === undefined) throw new Trap("indirect_call_to_null", [], { detail: "the function reference is null" });
    checkArg(ref, Func, "Func.callRef", "ref");
    return ref.call(...args);
  }

  /** The function's type. */
  get type(): FuncType {
    return this.funcType;
  }

  /**
   * Calls the function with checked arguments: their number and types must match `type`. Returns
   * `undefined`, the single result, or an array of results.
   *
   * `call` is an adapter specialized for the function's signature (made on first use), so
   * `func.call(a, b)` allocates nothing per call; it can be detached (`const f = func.call`).
   *
   * @throws TypeError naming the function and the parameter on a wrong argument.
   * @throws Trap when the function traps; a host function's error is rethrown as the same object.
   */
  get call(): (...args: unknown[]) => unknown {
    return (this.dynamicCall ??= makeTypedCall(this));
  }

  /**
   * A typed JS function calling this one: `func.typed(["i32", "i32"], ["i32"])` has type
   * `(a: number, b: number) => number`. The adapter is specialized for the signature and allocates
   * nothing per call.
   *
   * @throws TypeError if the types differ from the function's type.
   */
  typed<const P extends readonly ValType[], const R extends readonly ValType[]>(
    params: P,
    results: R,
  ): (...args: WasmParams<P>) => WasmResults<R> {
    const t = this.funcType;
    if (!Array.isArray(params) || !Array.isArray(results) || !sameList(t.params, params) || !sameList(t.results, results)) {
      throw new TypeError(
        `function ${this.name} has type (${t.params.join(", ")}) -> (${t.results.join(", ")}), ` +
          `not (${Array.isArray(params) ? params.join(", ") : describeValue(params)}) -> (${Array.isArray(results) ? results.join(", ") : describeValue(results)})`,
      );
    }
    // The signature is the function's own: one adapter serves every request (the same object each time).
    return this.call as (...args: WasmParams<P>) => WasmResults<R>;
  }

  /**
   * Calls the function asynchronously: wasm may call async host functions, and waits for their
   * Promises while the event loop runs. Arguments are checked as in `call`. Async calls on one store run
   * one at a time (a second waits for the first); time spent awaiting does not count against a time limit.
   *
   * @throws (rejects with) AsyncError `"not_enabled"` unless the engine has `asyncSupport`; otherwise
   *   what `call` throws: TypeError for bad arguments, `Trap`, a host function's error.
   */
  callAsync(...args: unknown[]): Promise<unknown> {
    return callAsync(this, args);
  }

  /**
   * The function as a typed async JS function (see `typed` and `callAsync`).
   *
   * @throws TypeError if the types differ from the function's type; AsyncError `"not_enabled"`
   *   unless the engine has `asyncSupport`.
   */
  typedAsync<const P extends readonly ValType[], const R extends readonly ValType[]>(
    params: P,
    results: R,
  ): (...args: WasmParams<P>) => Promise<WasmResults<R>> {
    this.typed(params, results);
    return typedAsync(this) as (...args: WasmParams<P>) => Promise<WasmResults<R>>;
  }
}

// ---- host functions ------------------------------------------------------------------------------

/** Compiled re-export modules, one per signature (see `reexportModuleBytes`). */
const reexportModules = new Map<string, WebAssembly.Module>();

/** Makes a host `Func`; see `Func.native` for how it becomes a wasm function when needed. */
export function makeHostFunc(store: Store, type: FuncType, fn: HostFunc | RawHostFunc, raw: boolean, name: string, isAsync = false): Func {
  return new Func(store, type, undefined, name, { fn, raw, async: isAsync });
}

/** A genuine wasm function calling host function `func`: a tiny module re-exporting the host code. */
function wasmFunctionForHost(func: Func): (...args: never[]) => unknown {
  const type = func.type;
  const store = func.store;
  if (hasV128(type.params) || hasV128(type.results)) {
    // The bridge's export is a genuine wasm function of the host function's type already.
    const host = func.host!;
    const call = func.raw ? (args: unknown[]) => (host as RawHostFunc)(...args) : (args: unknown[]) => (host as HostFunc)(store.unboundCaller(), ...args);
    return v128HostFunction(call, type, func.name, store);
  }
  const key = `${formatValTypes(type.params)}->${formatValTypes(type.results)}`;
  if (func.isAsync) {
    // Under JSPI the re-export module imports the Suspending wrapper: wasm calling the reference waits.
    const imported = asyncHostImport(func, store.unboundCaller(), `${func.name} (as a function reference)`);
    return new WebAssembly.Instance(reexportModule(key, type), { h: { f: imported as () => unknown } }).exports.f as (...args: never[]) => unknown;
  }
  const module = reexportModule(key, type);
  // Reached through a reference, a host function has the store's caller, but no instance.
  const bound = func.raw ? (func.host as RawHostFunc) : bindHost(func.host as HostFunc, store.unboundCaller(), type, func.name, store);
  const instance = new WebAssembly.Instance(module, { h: { f: bound } });
  return instance.exports.f as (...args: never[]) => unknown;
}

/** The compiled re-export module of a signature (see `reexportModuleBytes`). */
function reexportModule(key: string, type: FuncType): WebAssembly.Module {
  let module = reexportModules.get(key);
  if (!module) {
    module = new WebAssembly.Module(reexportModuleBytes(type.params.map(valTypeCode), type.results.map(valTypeCode)) as Uint8Array<ArrayBuffer>);
    reexportModules.set(key, module);
  }
  return module;
}

/**
 * The JS function handed to the engine for a host import: it calls `fn(caller, ...args)` and checks the
 * result's shape. Signatures without funcref parameters and with at most one result get a generated
 * adapter (adapters.ts) that allocates nothing per call.
 */
export function bindHost(fn: HostFunc, caller: Caller, type: FuncType, name: string, store: Store): (...args: never[]) => unknown {
  const params = type.params;
  const results = type.results;
  if (hasV128(params) || hasV128(results)) return v128HostFunction((args) => fn(caller, ...args), type, name, store);
  const check = resultChecker(results, name, store);
  const hasFuncref = params.some(isFuncKind);
  if (!hasFuncref && results.length <= 1 && !results.some(isFuncKind)) {
    const generated = wasmToHostAdapter(params, results[0], fn as (...args: unknown[]) => unknown, caller, noteHostError, (r) => {
      check(r);
      throw new TypeError(`host function ${name}: bad result ${describeValue(r)}`);
    });
    if (generated) return generated;
  }
  // The generic path: funcref parameters, several results, or no code generation allowed. It notes
  // where an error leaves the host code (see `noteHostError`).
  return (...args: unknown[]) => {
    try {
      if (hasFuncref) for (let i = 0; i < params.length; i++) if (isFuncKind(params[i]!)) args[i] = funcFromWasm(store, args[i]);
      return check(fn(caller, ...args));
    } catch (e) {
      throw noteHostError(e);
    }
  };
}

/** Checks and converts a host function's return value for the engine. */
/** @internal */
export function resultChecker(results: readonly ValType[], name: string, store: Store): (r: unknown) => unknown {
  if (results.length === 0) return () => undefined;
  if (results.length === 1) return singleResultChecker(results[0]!, name, store, "");
  const each = results.map((t, i) => singleResultChecker(t, name, store, ` result ${i}`));
  const n = results.length;
  return (r: unknown) => {
    if (!Array.isArray(r) || r.length !== n) {
      throw new TypeError(`host function ${name} must return an array of ${n} results (${results.join(", ")}), got ${Array.isArray(r) ? `an array of ${r.length}` : describeValue(r)}`);
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = each[i]!(r[i]);
    return out;
  };
}

function singleResultChecker(t: ValType, name: string, store: Store, which: string): (r: unknown) => unknown {
  const js = jsTypeOf(t);
  if (js === "number") {
    return (r) => {
      if (typeof r !== "number") throw new TypeError(`host function ${name}${which}: expected a number for ${t}, got ${describeValue(r)}`);
      return r;
    };
  }
  if (js === "bigint") {
    return (r) => {
      if (typeof r !== "bigint") throw new TypeError(`host function ${name}${which}: expected a bigint for i64, got ${describeValue(r)}`);
      return r;
    };
  }
  const kind = refKindOf(t);
  if (kind === "func") {
    const nullable = isNullable(t);
    return (r) => {
      if (r === null && !nullable) throw new TypeError(`host function ${name}${which}: expected a Func for ${formatValType(t)}, got null`);
      return funcToWasm(store, r, `host function ${name}${which}`);
    };
  }
  if (kind === "exn") return () => exnError(`host function ${name}${which}`);
  if (t === "v128") {
    return (r) => {
      if (!(r instanceof V128)) throw new TypeError(`host function ${name}${which}: expected a V128 for v128, got ${describeValue(r)}`);
      return r;
    };
  }
  return (r) => r; // externref: any value
}

// ---- host -> wasm ----------------------------------------------------------------------------------

/** Converts a `Func | null` for the engine, checking its store. */
export function funcToWasm(store: Store, v: unknown, what: string): unknown {
  if (v === null) return null;
  if (v instanceof Func) {
    if (v.store !== store) throw new TypeError(`${what}: the Func belongs to a different Store`);
    return v.native;
  }
  throw new TypeError(`${what}: expected a Func or null for funcref, got ${describeValue(v)}`);
}

/** Converts an engine function reference (or null) into a `Func` of `store`. */
export function funcFromWasm(store: Store, v: unknown): Func | null {
  if (v === null || v === undefined) return null;
  return knownFunc(v as object) ?? store.funcFromNative(v as (...args: never[]) => unknown);
}

function argError(func: Func, i: number, t: ValType, v: unknown): TypeError {
  const expected =
    t === "i64" ? "a bigint" : refKindOf(t) === "func" ? (isNullable(t) ? "a Func or null" : "a Func") : t === "v128" ? "a V128" : "a number";
  return new TypeError(`${func.name}: parameter ${i} (${formatValType(t)}) expects ${expected}, got ${describeValue(v)}`);
}

/** @internal */
export function arityError(func: Func, n: number): TypeError {
  const t = func.type;
  return new TypeError(`${func.name}: expected ${t.params.length} argument${t.params.length === 1 ? "" : "s"} (${t.params.join(", ")}), got ${n}`);
}

/** Converts one argument for the engine, or throws a TypeError naming the function and parameter. */
/** @internal */
export function convertArg(func: Func, i: number, t: ValType, v: unknown): unknown {
  switch (t) {
    case "i32":
    case "f32":
    case "f64":
      if (typeof v !== "number") throw argError(func, i, t, v);
      return v;
    case "i64":
      if (typeof v !== "bigint") throw argError(func, i, t, v);
      return v;
    case "v128":
      if (!(v instanceof V128)) throw argError(func, i, t, v);
      return v;
  }
  switch (refKindOf(t)) {
    case "func":
      if (v === null ? !isNullable(t) : !(v instanceof Func)) throw argError(func, i, t, v);
      return funcToWasm(func.store, v, `${func.name}: parameter ${i}`);
    case "exn":
      return exnError(`${func.name}: parameter ${i}`);
    default:
      return v; // externref: any value; GC references: the engine checks and converts
  }
}

/** A function-reference type: its values are `Func | null` on the host side. */
/** @internal */
export function isFuncKind(t: ValType): boolean {
  return refKindOf(t) === "func";
}

function exnError(what: string): never {
  throw new TypeError(`${what}: exnref values cannot cross the host boundary (catch the exception in wasm, or let it reach the host as an Exception)`);
}

/** Converts the engine's results: funcrefs become Funcs; several results are an array already. */
/** @internal */
export function resultConverter(func: Func): ((r: unknown) => unknown) | undefined {
  const results = func.type.results;
  if (!results.some(isFuncKind)) return undefined;
  const store = func.store;
  if (results.length === 1) return (r) => funcFromWasm(store, r);
  return (r) => {
    const arr = r as unknown[];
    for (let i = 0; i < results.length; i++) if (isFuncKind(results[i]!)) arr[i] = funcFromWasm(store, arr[i]);
    return arr;
  };
}

/** What a host -> wasm adapter calls: the engine function, or for host functions the bound host code. */
function callTarget(func: Func): (...args: unknown[]) => unknown {
  if (func.host === undefined) return func.native as (...args: unknown[]) => unknown;
  if (func.isAsync) {
    return () => {
      throw new AsyncError("sync_call", `${func.name} is an async host function: call it with callAsync`, func.name);
    };
  }
  if (func.raw) return func.host as (...args: unknown[]) => unknown;
  return bindHost(func.host as HostFunc, func.store.unboundCaller(), func.type, func.name, func.store) as (...args: unknown[]) => unknown;
}

/**
 * A typed adapter: checks the argument count and each argument's JS type, then calls the engine function
 * inside a try/catch that turns traps into `Trap`s. Simple signatures get a generated adapter with
 * literal `typeof` checks (adapters.ts), which allocates nothing per call.
 */
function makeTypedCall(func: Func): (...args: unknown[]) => unknown {
  if (func.type.results.some((r) => refKindOf(r) === "exn")) return () => exnError(`${func.name}: its result`);
  if (hasV128(func.type.params) || hasV128(func.type.results)) return v128Call(func);
  const params = func.type.params;
  const convert = resultConverter(func);
  const target = callTarget(func);
  const store = func.store;
  if (!params.some(isFuncKind) && !params.some((p) => refKindOf(p) === "exn") && !convert && !store.hasCallHooks) {
    const bad = (args: IArguments): never => {
      if (args.length !== params.length) throw arityError(func, args.length);
      for (let i = 0; i < params.length; i++) convertArg(func, i, params[i]!, args[i]);
      throw new TypeError(`${func.name}: bad arguments`);
    };
    const fuel = store.instrumentation.fuel;
    const generated = hostToWasmAdapter(params, target, fuel ? (e) => toTrap(e, fuel) : toTrap, bad);
    if (generated) return generated;
  }
  // The generic path: conversions, call hooks, or no code generation allowed.
  return (...args: unknown[]) => {
    if (args.length !== params.length) throw arityError(func, args.length);
    for (let i = 0; i < args.length; i++) args[i] = convertArg(func, i, params[i]!, args[i]);
    let r: unknown;
    store.enterWasm();
    try {
      r = target(...args);
    } catch (e) {
      throw toTrap(e, store.instrumentation.fuel);
    } finally {
      store.exitWasm();
    }
    return convert ? convert(r) : r;
  };
}

// ---- v128 (see v128-bridge.ts) -------------------------------------------------------------------

/**
 * The host -> wasm adapter of a signature with v128s: the arguments go through the bridge as four i32
 * lanes per v128, the results come back the same way.
 */
function v128Call(func: Func): (...args: unknown[]) => unknown {
  const { params, results } = func.type;
  const store = func.store;
  const lowered = loweredCaller(params, results, func.native);
  return (...args: unknown[]) => {
    if (args.length !== params.length) throw arityError(func, args.length);
    const flat: unknown[] = [];
    for (let i = 0; i < params.length; i++) {
      const v = convertArg(func, i, params[i]!, args[i]);
      if (v instanceof V128) flat.push(v.lane32(0), v.lane32(1), v.lane32(2), v.lane32(3));
      else flat.push(v);
    }
    let r: unknown;
    store.enterWasm();
    try {
      r = lowered(...flat);
    } catch (e) {
      throw toTrap(e, store.instrumentation.fuel);
    } finally {
      store.exitWasm();
    }
    return raiseValues(results, r, store);
  };
}

/** The number of values `types` takes with each v128 as four lanes. */
function loweredCount(types: readonly ValType[]): number {
  let n = 0;
  for (const t of types) n += t === "v128" ? 4 : 1;
  return n;
}

/**
 * The values of `types` from their lowered form `r` (what the engine returned: nothing, one value, or
 * an array): v128s from four lanes, funcrefs as `Func`s. Returns nothing, one value, or an array.
 */
function raiseValues(types: readonly ValType[], r: unknown, store: Store): unknown {
  const flat = loweredCount(types) === 1 ? [r] : (r as unknown[]);
  const out: unknown[] = [];
  let j = 0;
  for (const t of types) {
    if (t === "v128") {
      out.push(V128.fromLanes32(flat[j] as number, flat[j + 1] as number, flat[j + 2] as number, flat[j + 3] as number));
      j += 4;
    } else {
      out.push(isFuncKind(t) ? funcFromWasm(store, flat[j]) : flat[j]);
      j += 1;
    }
  }
  return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
}

/**
 * A wasm function of `type` (which has v128s) calling host code `call(args)`: the bridge hands the
 * host code V128 values and takes its checked results back as lanes.
 */
function v128HostFunction(call: (args: unknown[]) => unknown, type: FuncType, name: string, store: Store): (...args: never[]) => unknown {
  const { params, results } = type;
  const check = resultChecker(results, name, store);
  const lowered = (...low: unknown[]): unknown => {
    try {
      const raised = raiseValues(params, low, store);
      const args = params.length === 1 ? [raised] : ((raised ?? []) as unknown[]);
      const r = check(call(args));
      const values = results.length === 1 ? [r] : ((r ?? []) as unknown[]);
      const flat: unknown[] = [];
      for (const v of values) {
        if (v instanceof V128) flat.push(v.lane32(0), v.lane32(1), v.lane32(2), v.lane32(3));
        else flat.push(v);
      }
      return flat.length === 0 ? undefined : flat.length === 1 ? flat[0] : flat;
    } catch (e) {
      throw noteHostError(e);
    }
  };
  return raisedFunction(params, results, lowered as (...args: never[]) => unknown);
}

