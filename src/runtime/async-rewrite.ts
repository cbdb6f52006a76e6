/**
 * The host side of the unwind/rewind rewrite (src/instrument/asyncify.ts has the module side).
 *
 * A rewritten instance imports a state global (normal, unwinding, rewinding) and functions that push
 * and pop values on a stack (async-saver.ts). When an async host function returns, its import (made here)
 * keeps the Promise, sets the state to unwinding and returns placeholder results; every rewritten
 * frame then saves its locals and where it stopped, and returns. The async call (`runRewound`) sees the
 * state, awaits the Promise, sets the state to rewinding and calls the same export again: each frame
 * restores itself and goes straight back to the call it stopped in, until the import is reached again
 * and returns the settled value (or throws the rejection).
 *
 * @module
 */
import { AsyncError, WasmhostBug } from "../errors.js";
import type { FuncType, ValType } from "../types.js";
import { AsyncFault, AsyncImport, AsyncState } from "../instrument/asyncify-frame.js";
import type { Caller } from "./caller.js";
import { beginWait, endWait, runActiveCall, runAsyncCall, suspendableCall } from "./async.js";
import type { HostFunc } from "./func.js";
import type { Store } from "./store.js";
import { newSaver, type Saver } from "./async-saver.js";
import { noteHostError, toTrap } from "./trap.js";

/**
 * The rewrite's state of one store. Every rewritten instance of the store shares it (one state
 * global, one stack of saved values), so that a suspension crosses instances: a rewritten module
 * treats a function import that is another rewritten instance's export that may suspend as an async
 * import (instance.ts), and each instance on the path unwinds in turn, then rewinds in order.
 */
export interface RewriteContext {
  /** The state global the rewritten code reads. */
  readonly state: WebAssembly.Global;
  /** Where unwinding frames save values, and rewinding ones pop them. */
  readonly saver: Saver;
  /** The Promise the unwind waits for. */
  pending: Promise<unknown> | undefined;
  /** How it settled, handed to the import when the rewind reaches it. */
  settled: { readonly ok: boolean; readonly value: unknown } | undefined;
  /** The import that started the unwind: the rewind must reach the same one. */
  unwoundBy: object | undefined;
  /** The rewrite's hidden imports (`rewriteImports`). */
  readonly imports: Record<string, unknown>;
}

const byStore = new WeakMap<Store, RewriteContext>();

/** The rewrite context of `store` (made on first use). */
export function storeRewriteContext(store: Store): RewriteContext {
  let ctx = byStore.get(store);
  if (!ctx) {
    const state = new WebAssembly.Global({ value: "i32", mutable: true }, AsyncState.normal);
    const partial = { state, saver: newSaver(), pending: undefined, settled: undefined, unwoundBy: undefined };
    ctx = Object.assign(partial, { imports: {} as Record<string, unknown> }) as RewriteContext;
    Object.assign(ctx.imports, rewriteImports(ctx));
    byStore.set(store, ctx);
  }
  return ctx;
}

/** Engine functions that may unwind: exports (and start functions) of rewritten instances that can reach an async import. */
const suspending = new WeakSet<object>();

/** Records that engine function `native` may unwind (see `suspending`). */
export function markSuspending(native: object): void {
  suspending.add(native);
}

/** Whether engine function `native` is a rewritten function that may unwind. */
export function maySuspend(native: unknown): boolean {
  return typeof native === "function" && suspending.has(native);
}

/** The error for code the rewrite did not prepare running in the middle of an unwind or rewind. */
function unpreparedError(what: string): AsyncError {
  return new AsyncError(
    "unsupported",
    `${what}: the wait would cross wasm code that the async rewrite did not prepare (a function reached through a table or reference it could not foresee, such as another instance's function put in a table); use JSPI, or call the function that may suspend through an import`,
  );
}

/** The rewrite's hidden imports for the instances of a store with context `ctx`. */
function rewriteImports(ctx: RewriteContext): Record<string, unknown> {
  const saver = ctx.saver;
  const ns: Record<string, unknown> = { [AsyncImport.state]: ctx.state, ...saver.imports };
  ns[AsyncImport.checkCallee] = (now: unknown): void => {
    if (saver.loadFuncref() !== now) {
      throw new AsyncError(
        "table_changed",
        "a table element that wasm was calling through call_indirect was changed while wasm waited for an async host function; the call cannot resume (change tables only while no async call waits, or use JSPI)",
      );
    }
  };
  ns[AsyncImport.fault] = (code: number): void => {
    throw unpreparedError(code === AsyncFault.enteredUnwinding ? "a function that may suspend was called while wasm was unwinding" : "a call that may suspend did not resume");
  };
  return ns;
}

/** Placeholder results an unwinding import returns (the rewritten caller discards them). */
function placeholder(results: readonly ValType[]): unknown {
  const one = (t: ValType): unknown => (t === "i64" ? 0n : t === "i32" || t === "f32" || t === "f64" ? 0 : null);
  return results.length === 0 ? undefined : results.length === 1 ? one(results[0]!) : results.map(one);
}

/** The import of async host function `fn` for a rewritten instance (see the module comment). */
export function rewriteImport(
  fn: HostFunc,
  caller: Caller,
  name: string,
  store: Store,
  context: RewriteContext,
  convertParams: (args: unknown[]) => void,
  check: (r: unknown) => unknown,
  type: FuncType,
): (...args: unknown[]) => unknown {
  const dummy = placeholder(type.results);
  const self = (...args: unknown[]): unknown => {
    const state = context.state.value;
    if (state !== AsyncState.normal) {
      if (state !== AsyncState.rewinding || context.unwoundBy !== self) {
        throw unpreparedError(`async host function ${name} was called while wasm was ${state === AsyncState.rewinding ? "resuming another wait" : "unwinding"}`);
      }
      context.state.value = AsyncState.normal;
      context.unwoundBy = undefined;
      const settled = context.settled;
      context.settled = undefined;
      if (!settled) throw new WasmhostBug(`the rewind reached async import ${name} with nothing settled`);
      if (!settled.ok) throw noteHostError(settled.value);
      return settled.value;
    }
    let result: unknown;
    try {
      suspendableCall(store, name);
      convertParams(args);
      result = fn(caller, ...args);
    } catch (e) {
      throw noteHostError(e);
    }
    context.pending = Promise.resolve(result).then(check);
    context.unwoundBy = self;
    context.state.value = AsyncState.unwinding;
    return dummy;
  };
  return self;
}

/**
 * Runs `target(...args)` (a wasm function, or an instance's start function) as the store's async call
 * under the rewrite: each time it unwinds, awaits the pending Promise and calls it again to rewind.
 * `inTurn`: the caller already holds the store's async turn (`inAsyncTurn`).
 */
export function runRewound(store: Store, target: (...args: unknown[]) => unknown, args: unknown[], inTurn = false): Promise<unknown> {
  const ctx = storeRewriteContext(store);
  return (inTurn ? runActiveCall : runAsyncCall)(store, target, async (call) => {
    for (;;) {
      let r: unknown;
      try {
        r = target(...args);
      } catch (e) {
        reset(ctx);
        throw toTrap(e, store.instrumentation.fuel);
      }
      const state = ctx.state.value;
      if (state !== AsyncState.unwinding || !maySuspend(target)) {
        if (state !== AsyncState.normal || ctx.saver.depth() !== 0) {
          // Only code the rewrite did not prepare gets here: a rewind that reached no async import,
          // or an unwind through a function that was not rewritten.
          reset(ctx);
          throw unpreparedError(state === AsyncState.unwinding ? "wasm unwound through a function that cannot resume" : "a call that may suspend did not resume");
        }
        return r;
      }
      ctx.state.value = AsyncState.normal;
      const pending = ctx.pending!;
      ctx.pending = undefined;
      beginWait(store, call);
      try {
        ctx.settled = { ok: true, value: await pending };
      } catch (e) {
        ctx.settled = { ok: false, value: e };
      }
      endWait(store, call);
      ctx.state.value = AsyncState.rewinding;
    }
  });
}

function reset(ctx: RewriteContext): void {
  ctx.state.value = AsyncState.normal;
  ctx.saver.reset();
  ctx.pending = undefined;
  ctx.settled = undefined;
  ctx.unwoundBy = undefined;
}
