/**
 * The async adapters of the host boundary (see async.ts for the rules): `func.callAsync`, typed async
 * functions, and the import handed to the engine for an async host function.
 *
 * @module
 */
import { AsyncError } from "../errors.js";
import type { Caller } from "./caller.js";
import { jspiImport, promisingOf, requireAsync, runActiveCall, runAsyncCall } from "./async.js";
import {
  arityError,
  convertArg,
  funcFromWasm,
  isFuncKind,
  resultChecker,
  resultConverter,
  type Func,
  type HostFunc,
  type RawHostFunc,
} from "./func.js";
import { noteHostError, toTrap } from "./trap.js";
import { rewriteImport, runRewound, type RewriteContext } from "./async-rewrite.js";
import type { Store } from "./store.js";

/**
 * The import the engine gets for async host function `func` called with `caller` (named `name` in
 * errors): a JSPI `Suspending`, or for the rewrite a function that starts the unwind.
 *
 * @param rewrite For the rewrite mechanism, the instance whose rewritten code calls the import.
 * @throws AsyncError `"unsupported"` under the rewrite when there is no such instance (the function is
 *   used as a function reference: only JSPI can suspend through code that was not rewritten).
 */
export function asyncHostImport(func: Func, caller: Caller, name: string, rewrite?: RewriteContext): unknown {
  const store = func.store;
  const type = func.type;
  const fn: HostFunc = func.raw ? (_c, ...args) => (func.host as RawHostFunc)(...args) : (func.host as HostFunc);
  const params = type.params;
  const hasFuncref = params.some(isFuncKind);
  const convertParams = hasFuncref
    ? (args: unknown[]): void => {
        for (let i = 0; i < params.length; i++) if (isFuncKind(params[i]!)) args[i] = funcFromWasm(store, args[i]);
      }
    : (): void => {};
  const check = resultChecker(type.results, name, store);
  if (requireAsync(store, name) === "jspi") return jspiImport(fn, caller, type, name, store, convertParams, check, noteHostError);
  if (!rewrite) {
    throw new AsyncError("unsupported", `async host function ${name}: under the rewrite mechanism an async host function can only be called as an import of a module (not through a function reference or table); JSPI has no such limit`, name);
  }
  return rewriteImport(fn, caller, name, store, rewrite, convertParams, check, type);
}

/** `func.callAsync(...args)`. */
export function callAsync(func: Func, args: unknown[]): Promise<unknown> {
  try {
    return typedAsync(func)(...args);
  } catch (e) {
    return Promise.reject(e);
  }
}

const typedCache = new WeakMap<Func, (...args: unknown[]) => Promise<unknown>>();

/**
 * The async adapter of `func` (one per function): checks the arguments, then runs the call as the
 * store's async call.
 *
 * @throws AsyncError `"not_enabled"` unless the engine has `asyncSupport`.
 */
export function typedAsync(func: Func): (...args: unknown[]) => Promise<unknown> {
  const cached = typedCache.get(func);
  if (cached) return cached;
  const store = func.store;
  const mechanism = requireAsync(store, `${func.name}: callAsync`);
  const { params, results } = func.type;
  if (params.includes("v128") || results.includes("v128")) {
    throw new AsyncError("unsupported", `${func.name}: async calls of functions with v128 parameters or results are not supported`);
  }
  const convert = resultConverter(func) ?? ((r: unknown) => r);
  const convertArgs = (args: unknown[]): unknown[] => {
    if (args.length !== params.length) throw arityError(func, args.length);
    const out = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) out[i] = convertArg(func, i, params[i]!, args[i]);
    return out;
  };
  let adapter: (...args: unknown[]) => Promise<unknown>;
  if (func.host !== undefined) {
    // A host function called from the host: await it directly (a sync one is just called).
    const caller = store.unboundCaller();
    const host = func.host;
    const check = resultChecker(results, func.name, store);
    adapter = async (...args) => {
      convertArgs(args); // checks only: the host function takes Funcs as they are
      let r = func.raw ? (host as RawHostFunc)(...args) : (host as HostFunc)(caller, ...args);
      if (r instanceof Promise) r = await r;
      check(r);
      return r;
    };
  } else if (mechanism === "jspi") {
    const target = promisingOf(func.native);
    adapter = async (...args) => {
      const wasmArgs = convertArgs(args);
      return runAsyncCall(store, undefined, async () => {
        try {
          return convert(await target(...wasmArgs));
        } catch (e) {
          throw toTrap(e, store.instrumentation.fuel);
        }
      });
    };
  } else {
    const target = func.native as (...args: unknown[]) => unknown;
    adapter = async (...args) => {
      const wasmArgs = convertArgs(args);
      return convert(await runRewound(store, target, wasmArgs));
    };
  }
  typedCache.set(func, adapter);
  return adapter;
}

/**
 * Runs an instance's start function `run` as an async call (`instantiateAsync` on an async engine), so
 * that it may call async host functions.
 */
export async function runStartAsync(instance: { readonly store: Store }, run: () => unknown): Promise<void> {
  const store = instance.store;
  if (store.engine.asyncMechanism === "jspi") {
    const target = promisingOf(run);
    await runAsyncCall(store, undefined, async () => {
      try {
        await target();
      } catch (e) {
        throw toTrap(e, store.instrumentation.fuel);
      }
    });
  } else {
    await runRewound(store, run, []);
  }
}

/**
 * Calls wasm function `func` with engine values `wasmArgs` as an async call, for a caller that holds
 * the store's async turn already (`inAsyncTurn`; a component export does: it lowers its arguments and
 * lifts its result around this call). The result is the engine's; what the call threw is a `Trap` or
 * the host's error.
 */
export function callInTurn(func: Func, wasmArgs: unknown[]): Promise<unknown> {
  const store = func.store;
  if (requireAsync(store, `${func.name}: callAsync`) === "jspi") {
    const target = promisingOf(func.native);
    return runActiveCall(store, undefined, async () => {
      try {
        return await target(...wasmArgs);
      } catch (e) {
        throw toTrap(e);
      }
    });
  }
  return runRewound(store, func.native as (...args: unknown[]) => unknown, wasmArgs, true);
}
