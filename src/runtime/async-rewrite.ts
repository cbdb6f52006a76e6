/**
 * The host side of the unwind/rewind rewrite (src/instrument/asyncify.ts has the module side).
 *
 * A rewritten instance imports a state global (normal, unwinding, rewinding) and functions that push
 * and pop values on a stack kept here. When an async host function returns, its import (made here)
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
import { AsyncImport, AsyncState } from "../instrument/asyncify.js";
import type { Caller } from "./caller.js";
import { beginWait, endWait, runActiveCall, runAsyncCall, suspendableCall } from "./async.js";
import type { Func, HostFunc } from "./func.js";
import type { Store } from "./store.js";
import { noteHostError, toTrap } from "./trap.js";

/** The rewrite's state of one instance. */
export interface RewriteContext {
  /** Identifies the instance (its Caller, which exists before the engine's instance does). */
  readonly key: object;
  /** The state global the rewritten code reads. */
  readonly state: WebAssembly.Global;
  /** Values saved by unwinding frames, popped by rewinding ones. */
  readonly stack: unknown[];
  /** The Promise the unwind waits for. */
  pending: Promise<unknown> | undefined;
  /** How it settled, handed to the import when the rewind reaches it. */
  settled: { readonly ok: boolean; readonly value: unknown } | undefined;
}

const byCaller = new WeakMap<object, RewriteContext>();

/** The context made for the instance of `caller`, if it was rewritten. */
export function rewriteContextFor(caller: object): RewriteContext | undefined {
  return byCaller.get(caller);
}

/** A new context for an instance about to be made, keyed by its `Caller`. */
export function newRewriteContext(key: object): RewriteContext {
  const ctx: RewriteContext = { key, state: new WebAssembly.Global({ value: "i32", mutable: true }, AsyncState.normal), stack: [], pending: undefined, settled: undefined };
  byCaller.set(key, ctx);
  return ctx;
}

/** The rewrite's hidden imports for an instance with context `ctx`. */
export function rewriteImports(ctx: RewriteContext): Record<string, unknown> {
  const stack = ctx.stack;
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new WasmhostBug("the async rewrite restored more values than it saved");
    return stack.pop();
  };
  const ns: Record<string, unknown> = { [AsyncImport.state]: ctx.state };
  for (const t of ["i32", "i64", "f32", "f64", "funcref", "externref"] as const) {
    ns[AsyncImport.save(t)] = push;
    ns[AsyncImport.load(t)] = pop;
  }
  ns[AsyncImport.checkCallee] = (now: unknown): void => {
    if (pop() !== now) {
      throw new AsyncError(
        "table_changed",
        "a table element that wasm was calling through call_indirect was changed while wasm waited for an async host function; the call cannot resume (change tables only while no async call waits, or use JSPI)",
      );
    }
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
  return (...args: unknown[]): unknown => {
    if (context.state.value === AsyncState.rewinding) {
      context.state.value = AsyncState.normal;
      const settled = context.settled;
      context.settled = undefined;
      if (!settled) throw new WasmhostBug(`the rewind reached async import ${name} with nothing settled`);
      if (!settled.ok) throw noteHostError(settled.value);
      return settled.value;
    }
    let result: unknown;
    try {
      const call = suspendableCall(store, name);
      if (call.instance !== context.key) {
        throw new AsyncError(
          "unsupported",
          `async host function ${name} was reached through another instance's export; the rewrite mechanism can only suspend calls that start in the instance importing it (JSPI has no such limit)`,
          name,
        );
      }
      convertParams(args);
      result = fn(caller, ...args);
    } catch (e) {
      throw noteHostError(e);
    }
    context.pending = Promise.resolve(result).then(check);
    context.state.value = AsyncState.unwinding;
    return dummy;
  };
}

/** Which instance's rewrite context an exported function belongs to (`null`: not rewritten). */
const contextOfFunc = new WeakMap<Func, RewriteContext | null>();

function contextOf(func: Func): RewriteContext | null {
  let ctx = contextOfFunc.get(func);
  if (ctx === undefined) {
    ctx = null;
    for (const instance of func.store.instances) {
      if (Object.values(instance.native.exports).includes(func.native)) {
        ctx = rewriteContextOf(instance) ?? null;
        break;
      }
    }
    contextOfFunc.set(func, ctx);
  }
  return ctx;
}

/** Instances (engine instances) and their contexts. */
const byInstance = new WeakMap<object, RewriteContext>();

/** Records that `instance` (ours) has context `ctx`. */
export function bindRewriteContext(instance: object, ctx: RewriteContext): void {
  byInstance.set(instance, ctx);
}

/** The rewrite context of `instance`, if it was rewritten. */
export function rewriteContextOf(instance: object): RewriteContext | undefined {
  return byInstance.get(instance);
}

/**
 * Runs `target(...args)` (wasm function `func`, or an instance's start function with `ctx`) as the
 * store's async call under the rewrite: each time it unwinds, awaits the pending Promise and calls it
 * again to rewind. `inTurn`: the caller already holds the store's async turn (`inAsyncTurn`).
 */
export function runRewound(
  func: Func | undefined,
  target: (...args: unknown[]) => unknown,
  args: unknown[],
  given?: RewriteContext,
  store?: Store,
  inTurn = false,
): Promise<unknown> {
  const ctx = given ?? (func ? contextOf(func) : null);
  const s = func?.store ?? store;
  if (!s) throw new WasmhostBug("an async call without a store");
  return runRewoundIn(s, ctx, target, args, inTurn);
}

function runRewoundIn(store: Store, ctx: RewriteContext | null, target: (...args: unknown[]) => unknown, args: unknown[], inTurn: boolean): Promise<unknown> {
  return (inTurn ? runActiveCall : runAsyncCall)(store, ctx?.key ?? target, async (call) => {
    for (;;) {
      let r: unknown;
      try {
        r = target(...args);
      } catch (e) {
        if (ctx) reset(ctx);
        throw toTrap(e, store.instrumentation.fuel);
      }
      if (!ctx || ctx.state.value !== AsyncState.unwinding) {
        if (ctx && (ctx.stack.length !== 0 || ctx.state.value !== AsyncState.normal)) {
          reset(ctx);
          throw new WasmhostBug("the async rewrite left saved state behind");
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
  ctx.stack.length = 0;
  ctx.pending = undefined;
  ctx.settled = undefined;
}
