/**
 * Async host functions and async calls into wasm (Wasmtime's `func_wrap_async` / `call_async`).
 *
 * An async host function returns a Promise; wasm that calls it waits for it, while the event loop runs,
 * as if the import were synchronous. Two mechanisms serve one API:
 *
 * - **JSPI** (`WebAssembly.Suspending` / `WebAssembly.promising`), where the host engine has it: the
 *   import is wrapped in `Suspending`, the export called through `promising`; the engine switches stacks.
 * - **the rewrite** (src/instrument/asyncify*.ts), elsewhere: the module is rewritten so that the
 *   functions that can reach an async import save their state and return (unwind) when the import
 *   returns a Promise, and resume where they stopped (rewind) once it settles.
 *
 * Rules shared by both, checked here:
 * - Only an async call (`callAsync`, `getTypedFuncAsync`, `instantiateAsync`) may wait. A synchronous
 *   call that reaches an async host function throws `AsyncError` with code `"sync_call"` — also when a
 *   host function called synchronously inside an async call re-enters wasm that reaches one.
 * - Async calls on one store run one at a time: a second `callAsync` waits until the first settles
 *   (a store is single-threaded state, as `&mut Store` is in Wasmtime). One started by a host function
 *   while the call runs it is refused (`AsyncError` `"unsupported"`): it would wait for the call that
 *   waits for it. One started after an async host function's first await cannot be told apart from an
 *   unrelated call, and waits: an async host function must not await an async call of its own store.
 * - Time spent awaiting a host Promise is not guest time: a time limit counts only the time wasm runs.
 *   Fuel and epochs are untouched by awaiting (the epoch may advance meanwhile, and is checked when wasm
 *   resumes). While a call waits, the store is idle: synchronous calls may run in it.
 *
 * @module
 */
import { AsyncError, WasmhostBug } from "../errors.js";
import type { FuncType } from "../types.js";
import type { Caller } from "./caller.js";
import type { Store } from "./store.js";
import type { HostFunc } from "./func.js";

/** How async host functions suspend wasm. */
export type AsyncMechanism = "jspi" | "rewrite";

interface JspiApi {
  Suspending: new (fn: (...args: never[]) => unknown) => object;
  promising: (fn: (...args: never[]) => unknown) => (...args: unknown[]) => Promise<unknown>;
}

/** The host engine's JSPI, when it has the standard API (Node ≥ 25, Chromium ≥ 137). */
export function hostJspi(): JspiApi | undefined {
  const wa = WebAssembly as unknown as Partial<JspiApi>;
  return typeof wa.Suspending === "function" && typeof wa.promising === "function" ? (wa as JspiApi) : undefined;
}

/** The state of async calls of one store. */
interface AsyncState {
  /** Settles when the last queued async call has finished: the next one starts after it. */
  queue: Promise<unknown>;
  /** The async call running (not waiting) now, if any. */
  active: ActiveCall | undefined;
}

/** One async call into wasm. */
export interface ActiveCall {
  /** `store.wasmDepth` inside the call: an async import is reachable only at this depth. */
  depth: number;
  /** True while the call awaits a host Promise (the store is idle then). */
  waiting: boolean;
  /** What the call runs (an instance, or the function called). */
  readonly instance: object | undefined;
}

const states = new WeakMap<Store, AsyncState>();

function stateOf(store: Store): AsyncState {
  let s = states.get(store);
  if (!s) states.set(store, (s = { queue: Promise.resolve(), active: undefined }));
  return s;
}

/** @throws AsyncError `"not_enabled"` unless `store`'s engine has async support. */
export function requireAsync(store: Store, what: string): AsyncMechanism {
  const m = store.engine.asyncMechanism;
  if (m === undefined) throw new AsyncError("not_enabled", `${what}: the engine has no async support; create it with new Engine({ asyncSupport: true })`);
  return m;
}

/**
 * Runs `body` as the store's async call once earlier ones have finished. `body` gets the call's
 * record; it runs inside `enterWasm`/`exitWasm`.
 */
export function runAsyncCall<R>(store: Store, instance: object | undefined, body: (call: ActiveCall) => Promise<R> | R): Promise<R> {
  return inAsyncTurn(store, () => runActiveCall(store, instance, body));
}

/**
 * Runs `body` once the store's earlier async calls have finished, and makes later ones wait for it:
 * `runAsyncCall`'s queue alone, for a caller that does more than one wasm call in its turn (a
 * component export lowers its arguments, calls the core function with `runActiveCall`, then lifts
 * the result and runs post-return).
 */
export async function inAsyncTurn<R>(store: Store, body: () => Promise<R> | R): Promise<R> {
  const state = stateOf(store);
  const active = state.active;
  if (active !== undefined && !active.waiting) {
    // Started by host code that the running async call is running now (a host function, or the part of
    // an async host function before its first await): queued, it would wait for the call that waits for it.
    throw new AsyncError(
      "unsupported",
      "callAsync: cannot start an async call from inside a host function of an async call in the same store: it would wait for that call, which waits for it (call it after the outer call, or in another store)",
    );
  }
  const previous = state.queue;
  let done!: () => void;
  state.queue = new Promise<void>((resolve) => (done = resolve));
  try {
    await previous;
    return await body();
  } finally {
    done();
  }
}

/** `runAsyncCall` without the queue: the caller holds the store's turn (`inAsyncTurn`). */
export async function runActiveCall<R>(store: Store, instance: object | undefined, body: (call: ActiveCall) => Promise<R> | R): Promise<R> {
  if (store.wasmDepth !== 0) {
    // Started from inside a host function of a synchronous call: that call cannot wait for us.
    throw new AsyncError("unsupported", "callAsync: cannot start an async call while a synchronous call into wasm is running in the same store (call it from outside, or make the host function async)");
  }
  const state = stateOf(store);
  const call: ActiveCall = { depth: store.wasmDepth + 1, waiting: false, instance };
  store.enterWasm();
  state.active = call;
  try {
    return await body(call);
  } finally {
    state.active = undefined;
    if (!call.waiting) store.exitWasm();
  }
}

/**
 * The async call that an async host function called now may suspend, or throws `AsyncError`
 * `"sync_call"` naming `name` when the function was reached from a synchronous call.
 */
export function suspendableCall(store: Store, name: string): ActiveCall {
  const call = stateOf(store).active;
  if (call === undefined || call.waiting || store.wasmDepth !== call.depth) {
    throw new AsyncError(
      "sync_call",
      `async host function ${name} was called from a synchronous call into wasm; call the export with callAsync or getTypedFuncAsync (or instantiate with instantiateAsync)`,
      name,
    );
  }
  return call;
}

/** Marks `call` as waiting: the store is idle and the time awaiting is not guest time. */
export function beginWait(store: Store, call: ActiveCall): void {
  if (call.waiting) throw new WasmhostBug("an async call began waiting twice");
  call.waiting = true;
  store.instrumentation.pause();
  store.exitWasm();
}

/** Marks `call` as running again (its Promise settled). */
export function endWait(store: Store, call: ActiveCall): void {
  if (!call.waiting) return;
  call.waiting = false;
  store.wasmDepth++;
  store.instrumentation.resume();
  stateOf(store).active = call;
}

/**
 * The import the engine gets for async host function `fn` under JSPI: a `WebAssembly.Suspending`
 * whose function checks that it may wait, calls `fn`, and hands the engine a Promise of the checked
 * result (the engine suspends wasm until it settles).
 */
export function jspiImport(
  fn: HostFunc,
  caller: Caller,
  type: FuncType,
  name: string,
  store: Store,
  convertParams: (args: unknown[]) => void,
  checkResult: (r: unknown) => unknown,
  noteHostError: (e: unknown) => unknown,
): object {
  const jspi = hostJspi();
  if (!jspi) throw new WasmhostBug("JSPI import made on an engine without JSPI");
  void type;
  const wrapper = (...args: unknown[]): unknown => {
    let call: ActiveCall;
    let result: unknown;
    try {
      call = suspendableCall(store, name);
      convertParams(args);
      result = fn(caller, ...args);
    } catch (e) {
      throw noteHostError(e);
    }
    beginWait(store, call);
    return Promise.resolve(result).then(
      (r) => {
        endWait(store, call);
        return checkResult(r);
      },
      (e: unknown) => {
        endWait(store, call);
        throw e;
      },
    );
  };
  return new jspi.Suspending(wrapper as (...args: never[]) => unknown);
}

const promisingCache = new WeakMap<object, (...args: unknown[]) => Promise<unknown>>();

/** `WebAssembly.promising(native)`, made once per engine function. */
export function promisingOf(native: (...args: never[]) => unknown): (...args: unknown[]) => Promise<unknown> {
  let p = promisingCache.get(native);
  if (!p) {
    p = hostJspi()!.promising(native);
    promisingCache.set(native, p);
  }
  return p;
}
