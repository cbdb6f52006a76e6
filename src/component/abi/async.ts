/**
 * Async host functions across the canonical ABI (`ComponentLinker`'s `funcAsync`): the host function
 * returns a Promise, and the guest that calls it waits for it as if the import were synchronous.
 *
 * A guest reaches an async host function through `lowerFunctionAsync`: the core import it calls lifts
 * the arguments from guest memory at once (before anything else can change that memory), awaits the
 * host's Promise, then lowers the result into the guest (calling its `realloc`, storing through the
 * result pointer) and hands the flat result back. The core machinery (src/runtime/async*.ts) makes
 * that Promise-returning import suspend the guest: a JSPI `Suspending` import, or the unwind/rewind
 * rewrite of the core module that imports it. The lowering keeps its context (memory views, borrow
 * scope) to itself across the wait: another call in the meantime uses its own.
 *
 * @module
 */
import { AsyncError } from "../../errors.js";
import type { ComponentFuncType, ValueType } from "../types.js";
import { AbiContext } from "./context.js";
import type { ComponentFuncImpl, LowerSpec } from "./function.js";
import { CallScope } from "./handles.js";
import { flattenLift, flattenLowerAsync, layoutOf } from "./layout.js";
import { lifterOf } from "./lift.js";
import { lowererOf } from "./lower.js";
import { abiTrap, cannotLeave, FUSED_MESSAGES, HOST_MESSAGES } from "./traps.js";
import { toTypeError } from "./values.js";

/** `Subtask.State.RETURNED`, what an `async` lowering returns once the callee has returned. */
const RETURNED = 2;

/**
 * An async host function as a component function: `fn` takes JS values and returns a Promise of the
 * result (a `result<T, E>` resolves to `T` or rejects with a `ComponentError` whose `payload` is `E`).
 * Only `invokeAsync` runs it; `invoke` (a synchronous call) throws `AsyncError` `"sync_call"`.
 */
export function hostFunctionAsync(
  type: ComponentFuncType,
  fn: (...args: unknown[]) => unknown,
  isComponentError: (e: unknown) => e is { payload: unknown },
  name = "async host function",
): ComponentFuncImpl {
  const wrapsResult = type.result?.kind === "result";
  const syncCall = (): never => {
    throw new AsyncError("sync_call", `async host function ${name} was called synchronously; call the component's export with callAsync`, name);
  };
  const invokeAsync = async (args: readonly unknown[]): Promise<unknown> => {
    if (!wrapsResult) return await fn(...args);
    try {
      return { tag: "ok", val: await fn(...args) };
    } catch (e) {
      if (isComponentError(e)) return { tag: "err", val: e.payload };
      throw e;
    }
  };
  return { type, name, stringEncoding: undefined, invoke: syncCall, hostEntry: () => syncCall, invokeAsync, isAsync: true };
}

/**
 * `canon lower` of an async host function (`spec.callee.isAsync`): the core function, to be made an
 * async host function of the core instance, that lifts the guest's arguments, awaits the callee and
 * returns (a Promise of) the lowered result.
 */
export function lowerFunctionAsync(spec: LowerSpec): (...flat: unknown[]) => Promise<unknown> {
  const { type, callee, options, instance } = spec;
  const invokeAsync = callee.invokeAsync;
  if (invokeAsync === undefined) throw new TypeError(`${spec.name}: not an async function`);
  const isAsync = spec.async === true;
  const sig = isAsync ? flattenLowerAsync(type) : flattenLift(type);
  const paramTypes = type.params.map((p) => p.type);
  const paramLifters = paramTypes.map((t) => lifterOf(t));
  const paramOffsets: number[] = [];
  let k = 0;
  for (const t of paramTypes) {
    paramOffsets.push(k);
    k += layoutOf(t).flat.length;
  }
  const tuple: ValueType = { kind: "tuple", types: paramTypes };
  const spill = sig.paramsInMemory ? layoutOf(tuple) : undefined;
  const spillLifter = spill ? lifterOf(tuple) : undefined;
  const resultType = type.result;
  const resultLowerer = resultType ? lowererOf(resultType) : undefined;
  const resultLayout = resultType ? layoutOf(resultType) : undefined;
  const retptrIndex = isAsync ? sig.params.length - 1 : sig.params.length;
  const nParams = paramTypes.length;
  const messages = spec.fused ? FUSED_MESSAGES : HOST_MESSAGES;
  const resources = spec.resources;
  const myEncoding = options.stringEncoding;

  return async function loweredAsync(...flat: unknown[]): Promise<unknown> {
    if (!instance.mayLeave) throw cannotLeave();
    // A context of its own: the call keeps it across the wait.
    const cx = new AbiContext(options, instance, { messages, ...(resources ? { resources } : {}) });
    const scope = new CallScope();
    cx.busy = true;
    cx.scope = scope;
    try {
      cx.sync();
      let args: unknown[];
      if (spill === undefined) {
        args = new Array<unknown>(nParams);
        for (let i = 0; i < nParams; i++) args[i] = paramLifters[i]!.flat(cx, flat, paramOffsets[i]!);
      } else {
        const ptr = (flat[0] as number) >>> 0;
        if ((ptr & (spill.align - 1)) !== 0) throw abiTrap(cx.messages.pointerAlign);
        if (ptr + spill.size > cx.u8.length) throw abiTrap(cx.messages.pointerBounds);
        args = spillLifter!.load(cx, ptr) as unknown[];
      }
      const result = await invokeAsync(args, instance, myEncoding);
      scope.releaseLenders();
      if (resultLowerer === undefined) return isAsync ? RETURNED : undefined;
      cx.sourceEncoding = callee.stringEncoding ?? "utf8";
      cx.sync(); // the memory may have grown while the guest waited
      try {
        if (sig.resultInMemory) {
          const ptr = (flat[retptrIndex] as number) >>> 0;
          if ((ptr & (resultLayout!.align - 1)) !== 0) throw abiTrap(cx.messages.pointerAlign);
          if (ptr + resultLayout!.size > cx.u8.length) throw abiTrap(cx.messages.pointerBounds);
          resultLowerer.store(cx, result, ptr);
          return isAsync ? RETURNED : undefined;
        }
        const out: unknown[] = [undefined];
        resultLowerer.flat(cx, result, out, 0);
        return out[0];
      } catch (e) {
        throw toTypeError(e, `${spec.name}: result`);
      }
    } finally {
      scope.releaseLenders();
      cx.busy = false;
      cx.scope = undefined;
    }
  };
}
