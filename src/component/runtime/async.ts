/**
 * Async calls of component functions (`ComponentFunc.callAsync`, API.md "Async host functions and
 * calls"): the call takes the store's async turn (async calls on one store run one after the other,
 * as core `callAsync`s do), lowers the arguments, calls the core function as an async call (JSPI or
 * the rewrite, see src/runtime/async.ts), then lifts the result and runs post-return
 * (`ComponentFuncImpl.invokeAsync`, src/component/abi/function.ts).
 *
 * @module
 */
import { AsyncError } from "../../errors.js";
import { inAsyncTurn, requireAsync } from "../../runtime/async.js";
import type { Store } from "../../runtime/store.js";
import type { ComponentFuncImpl } from "../abi/function.js";
import { makeComponentError } from "./errors.js";

/** `ComponentFunc.callAsync`: calls `impl` with JS values `args` as the store's async call. */
export async function callComponentAsync(impl: ComponentFuncImpl, store: Store | undefined, args: unknown[], name: string | undefined): Promise<unknown> {
  const what = `${name ?? impl.name ?? "component function"}: callAsync`;
  if (store === undefined) throw new AsyncError("unsupported", `${what}: the function is not bound to a store`);
  requireAsync(store, what);
  const invokeAsync = impl.invokeAsync;
  return inAsyncTurn(store, async () => {
    // A function without an async form (a host function re-exported, a stub) runs as a synchronous call.
    const r = invokeAsync === undefined ? impl.invoke(args, undefined, "utf16", name) : await invokeAsync(args, undefined, "utf16", name);
    if (impl.type.result?.kind !== "result") return r;
    const out = r as { tag: string; val?: unknown };
    if (out.tag === "err") throw makeComponentError(out.val);
    return out.val;
  });
}
