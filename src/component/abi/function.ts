/**
 * Functions across the canonical ABI: `canon lift` (a core function becomes a component function the
 * host or another component calls with JS values) and `canon lower` (a component function becomes a
 * core function a guest calls with flat values).
 *
 * Everything that depends on the function type is decided here once: the flattening, whether
 * parameters and results spill to memory, and the compiled lifters and lowerers of each parameter
 * and of the result. A call runs the spec's sequence: the may-enter check, lowering the arguments,
 * the core call, lifting the result, `post-return` with may-leave cleared, the borrow checks.
 *
 * A component function is a `ComponentFuncImpl`: `invoke(args, caller)` with JS values. The caller is
 * the calling instance (undefined for the host); it decides which instances are entered and whether
 * Wasmtime's host or adapter wording applies to traps.
 *
 * @module
 */
import type { ComponentFuncType, ValueType } from "../types.js";
import { AbiContext, type CanonOptions, type ResourceBridge, type StringEncoding } from "./context.js";
import { CallScope, type InstanceState } from "./handles.js";
import { fieldOffsets, flattenLift, flattenLiftAsync, flattenLowerAsync, layoutOf } from "./layout.js";
import { type Lifter, lifterOf } from "./lift.js";
import { type Lowerer, lowererOf } from "./lower.js";
import { abiTrap, cannotEnter, cannotLeave, FUSED_MESSAGES, HOST_MESSAGES, MESSAGES } from "./traps.js";
import { toTypeError } from "./values.js";
import { entryApplies, generateEntry } from "./entry.js";
import { generateHostCall, type HostTarget } from "./host-call.js";

/** A component-level function: called with JS values, returns the JS value of its result. */
export interface ComponentFuncImpl {
  readonly type: ComponentFuncType;
  /** A name for messages: the core function's, or the host definition's (`ns:pkg/iface#f`). */
  readonly name?: string;
  /** The string encoding its results are lifted from (for a lowering caller's `realloc` sequence). */
  readonly stringEncoding: StringEncoding | undefined;
  /**
   * Calls the function. `caller` is the instance calling it (undefined for the host); `encoding` is
   * the string encoding the arguments came from (`utf16` for JS strings). Results are raw: a
   * `result` is `{ tag, val? }`.
   */
  invoke(args: readonly unknown[], caller: InstanceState | undefined, encoding: StringEncoding, name?: string): unknown;
  /**
   * The host's entry: a JS function taking the arguments. `unwrap` turns a `result`'s error payload
   * into the error to throw (the result's ok value is returned); without it the result is raw.
   * `name` names the function in `TypeError`s (default: the core function's name).
   */
  hostEntry(unwrap: ((payload: unknown) => Error) | undefined, name?: string): (...args: unknown[]) => unknown;
  /** For a host function: how to call it directly, for a generated lowering (`host-call.ts`). */
  readonly host?: HostTarget;
  /**
   * Calls the function as an async call (see async.ts): guest code may wait for async host functions.
   * Present on lifted functions of an async engine and on async host functions. The caller holds the
   * store's async turn.
   */
  invokeAsync?(args: readonly unknown[], caller: InstanceState | undefined, encoding: StringEncoding, name?: string): Promise<unknown>;
  /** True for an async host function: only `invokeAsync` runs it; a guest reaches it through `lowerFunctionAsync`. */
  readonly isAsync?: boolean;
}

/** The tuple type of a parameter list, for spilling parameters to memory. */
function tupleOf(types: readonly ValueType[]): ValueType {
  return { kind: "tuple", types };
}

/** What `liftFunction` needs. */
export interface LiftSpec {
  /** The function's name, for `TypeError` messages. */
  readonly name: string;
  readonly type: ComponentFuncType;
  /** The core function (its engine errors are converted by `toTrap`). */
  readonly callee: (...flat: unknown[]) => unknown;
  readonly options: CanonOptions;
  /** The instance the function belongs to. */
  readonly instance: InstanceState;
  readonly resources?: ResourceBridge | undefined;
  /** Converts what a core call threw (an engine error becomes a `Trap`). */
  readonly toTrap?: ((e: unknown) => unknown) | undefined;
  /** The engine's function for `callee`, when calling it directly is equivalent (no call hooks). */
  readonly native?: ((...flat: unknown[]) => unknown) | undefined;
  /**
   * `async` without `callback`: the core function takes the parameters, returns nothing and delivers
   * its result by calling `task.return` before it returns (calls complete synchronously).
   */
  readonly async?: boolean;
  /** The core function called as an async call (async engines only): gives `invokeAsync`. */
  readonly calleeAsync?: ((...flat: unknown[]) => Promise<unknown>) | undefined;
}

/** The instances entered by a call into `inst` from `caller`: `inst` and its ancestors minus the caller's. */
function enteringSet(inst: InstanceState, caller: InstanceState | undefined): InstanceState[] {
  const skip = new Set<InstanceState>();
  for (let c = caller; c !== undefined; c = c.parent) skip.add(c);
  const out: InstanceState[] = [];
  for (let i: InstanceState | undefined = inst; i !== undefined; i = i.parent) if (!skip.has(i)) out.push(i);
  return out;
}

/** `canon lift`: the component function that calls core function `spec.callee`. */
export function liftFunction(spec: LiftSpec): ComponentFuncImpl {
  const { type, callee, options, instance } = spec;
  const toTrap = spec.toTrap ?? ((e: unknown) => e);
  const isAsync = spec.async === true;
  const sig = isAsync ? flattenLiftAsync(type) : flattenLift(type);
  const paramTypes = type.params.map((p) => p.type);
  const paramLowerers = paramTypes.map((t) => lowererOf(t));
  const paramOffsets: number[] = [];
  let k = 0;
  for (const t of paramTypes) {
    paramOffsets.push(k);
    k += layoutOf(t).flat.length;
  }
  const flatCount = k;
  const spill = sig.paramsInMemory ? layoutOf(tupleOf(paramTypes)) : undefined;
  const spillOffsets = fieldOffsets(type.params);
  const resultType = type.result;
  const resultLifter: Lifter | undefined = resultType ? lifterOf(resultType) : undefined;
  const resultLayout = resultType ? layoutOf(resultType) : undefined;
  const nParams = paramTypes.length;
  const selfOnly = instance.parent === undefined;
  const entered = new Map<InstanceState | undefined, InstanceState[]>();
  const contexts = {
    host: new AbiContext(options, instance, { messages: HOST_MESSAGES, ...(spec.resources ? { resources: spec.resources } : {}) }),
    fused: new AbiContext(options, instance, { messages: FUSED_MESSAGES, ...(spec.resources ? { resources: spec.resources } : {}) }),
  };
  const scope = new CallScope();

  /** may-enter: every instance entered must be enterable, and none may be poisoned. The entered set (undefined: just `instance`). */
  const enter = (caller: InstanceState | undefined): InstanceState[] | undefined => {
    if (selfOnly && caller === undefined) {
      if (!instance.mayEnter || instance.poisoned) throw cannotEnter();
      instance.mayEnter = false;
      return undefined;
    }
    let set = entered.get(caller);
    if (set === undefined) entered.set(caller, (set = enteringSet(instance, caller)));
    for (const i of set) if (!i.mayEnter || i.poisoned) throw cannotEnter();
    for (const i of set) i.mayEnter = false;
    return set;
  };
  const leave = (set: InstanceState[] | undefined): void => {
    if (set === undefined) instance.mayEnter = true;
    else for (const i of set) i.mayEnter = true;
  };
  /** The context of a call from `caller` (the function's own, or a new one when that is busy). */
  const acquire = (caller: InstanceState | undefined, encoding: StringEncoding): AbiContext => {
    let cx = caller === undefined ? contexts.host : contexts.fused;
    if (cx.busy) cx = new AbiContext(options, instance, { messages: cx.messages, resources: cx.resources });
    cx.busy = true;
    cx.sourceEncoding = encoding;
    const callScope = cx === contexts.host || cx === contexts.fused ? scope : new CallScope();
    callScope.borrows = 0;
    cx.scope = callScope;
    return cx;
  };
  const release = (cx: AbiContext): void => {
    cx.busy = false;
    cx.scope = undefined;
  };
  /** Lowers the arguments (JS values that do not fit are TypeErrors; the instance stays usable). */
  const lowerArgs = (cx: AbiContext, args: readonly unknown[], name: string): unknown[] => {
    cx.sync();
    const flat = new Array<unknown>(sig.paramsInMemory ? 1 : flatCount);
    if (spill === undefined) {
      for (let i = 0; i < nParams; i++) {
        try {
          paramLowerers[i]!.flat(cx, args[i], flat, paramOffsets[i]!);
        } catch (e) {
          throw toTypeError(e, `${name}: arg ${i}`);
        }
      }
    } else {
      const ptr = cx.reallocate(0, 0, spill.align, spill.size, true);
      for (let i = 0; i < nParams; i++) {
        try {
          paramLowerers[i]!.store(cx, args[i], ptr + spillOffsets[i]!);
        } catch (e) {
          throw toTypeError(e, `${name}: arg ${i}`);
        }
      }
      flat[0] = ptr;
    }
    return flat;
  };
  /** After an `async` (task.return) callee returned: the value it delivered. */
  const taskResult = (cx: AbiContext, outerTask: InstanceState["taskResult"]): unknown => {
    const delivered = instance.taskResult;
    instance.taskResult = outerTask;
    if (delivered === undefined) throw abiTrap(MESSAGES.noTaskReturn);
    if (cx.scope!.borrows > 0) throw abiTrap(MESSAGES.borrowsRemain);
    return delivered.value;
  };
  /** Lifts core result `r` (from the return pointer when it spilled), checks borrows, runs post-return. */
  const finish = (cx: AbiContext, r: unknown): unknown => {
    let result: unknown;
    if (resultLifter !== undefined) {
      cx.sync();
      if (sig.resultInMemory) {
        const ptr = (r as number) >>> 0;
        if ((ptr & (resultLayout!.align - 1)) !== 0) throw abiTrap(cx.messages.pointerAlign);
        if (ptr + resultLayout!.size > cx.u8.length) throw abiTrap(cx.messages.pointerBounds);
        result = resultLifter.load(cx, ptr);
      } else {
        scratch[0] = r;
        result = resultLifter.flat(cx, scratch, 0);
      }
    }
    if (cx.scope!.borrows > 0) throw abiTrap(MESSAGES.borrowsRemain);
    const post = options.postReturn;
    if (post !== undefined) {
      instance.mayLeave = false;
      try {
        if (resultLifter === undefined) post();
        else post(r);
      } catch (e) {
        throw toTrap(e);
      } finally {
        instance.mayLeave = true;
      }
    }
    return result;
  };
  /**
   * What a failed call throws: anything that unwound guest code (the callee, realloc, post-return)
   * leaves the instance in an unknown state; a JS argument that did not fit (a TypeError before the
   * call) does not.
   */
  const fail = (e: unknown, set: InstanceState[] | undefined, enteredGuest: boolean): unknown => {
    if (enteredGuest || !(e instanceof TypeError)) for (const i of set ?? [instance]) i.poisoned = true;
    return toTrap(e);
  };
  const checkCount = (args: readonly unknown[], name: string): void => {
    if (args.length !== nParams) {
      throw new TypeError(`${name}: expected ${nParams} argument${nParams === 1 ? "" : "s"}, got ${args.length}`);
    }
  };

  const invoke = (args: readonly unknown[], caller: InstanceState | undefined, encoding: StringEncoding, name = spec.name): unknown => {
    checkCount(args, name);
    const set = enter(caller);
    const cx = acquire(caller, encoding);
    let entered_ = false;
    try {
      const flat = lowerArgs(cx, args, name);
      entered_ = true;
      if (isAsync) {
        const outerTask = instance.taskResult;
        const outerAsync = instance.inAsyncTask;
        instance.taskResult = undefined;
        instance.inAsyncTask = true;
        try {
          callee(...flat);
        } catch (e) {
          throw toTrap(e);
        } finally {
          instance.inAsyncTask = outerAsync;
        }
        return taskResult(cx, outerTask);
      }
      let r: unknown;
      try {
        r = callee(...flat);
      } catch (e) {
        throw toTrap(e);
      }
      return finish(cx, r);
    } catch (e) {
      throw fail(e, set, entered_);
    } finally {
      release(cx);
      leave(set);
    }
  };
  const calleeAsync = spec.calleeAsync;
  const invokeAsync = calleeAsync === undefined
    ? undefined
    : async (args: readonly unknown[], caller: InstanceState | undefined, encoding: StringEncoding, name = spec.name): Promise<unknown> => {
        checkCount(args, name);
        const set = enter(caller);
        const cx = acquire(caller, encoding);
        let entered_ = false;
        try {
          const flat = lowerArgs(cx, args, name);
          entered_ = true;
          if (isAsync) {
            const outerTask = instance.taskResult;
            const outerAsync = instance.inAsyncTask;
            instance.taskResult = undefined;
            instance.inAsyncTask = true;
            try {
              await calleeAsync(...flat);
            } finally {
              instance.inAsyncTask = outerAsync;
            }
            return taskResult(cx, outerTask);
          }
          return finish(cx, await calleeAsync(...flat));
        } catch (e) {
          throw fail(e, set, entered_);
        } finally {
          release(cx);
          leave(set);
        }
      };
  const generic = (unwrap: ((payload: unknown) => Error) | undefined, name: string) =>
    unwrap === undefined || resultType?.kind !== "result"
      ? (...args: unknown[]) => invoke(args, undefined, "utf16", name)
      : (...args: unknown[]) => {
          const r = invoke(args, undefined, "utf16", name) as { tag: string; val?: unknown };
          if (r.tag === "err") throw unwrap(r.val);
          return r.val;
        };
  const hostEntry = (unwrap: ((payload: unknown) => Error) | undefined, name = spec.name) => {
    if (!entryApplies(type, sig.paramsInMemory, isAsync, selfOnly)) return generic(unwrap, name);
    const fast = generateEntry({
      name,
      type,
      instance,
      cx: contexts.host,
      core: spec.native ?? callee,
      toTrap,
      postReturn: options.postReturn,
      resultInMemory: sig.resultInMemory,
      unwrap: resultType?.kind === "result" ? unwrap : undefined,
    });
    return fast ?? generic(unwrap, name);
  };
  return { type, name: spec.name, stringEncoding: options.stringEncoding, invoke, hostEntry, ...(invokeAsync ? { invokeAsync } : {}) };
}

const scratch: unknown[] = [undefined];

/** What `lowerFunction` needs. */
export interface LowerSpec {
  /** The function's name, for messages. */
  readonly name: string;
  readonly type: ComponentFuncType;
  /** The component function the guest calls. */
  readonly callee: ComponentFuncImpl;
  readonly options: CanonOptions;
  /** The instance whose core code calls the lowered function. */
  readonly instance: InstanceState;
  readonly resources?: ResourceBridge | undefined;
  /** Whether the callee is another component's lifted function (Wasmtime's adapter wording). */
  readonly fused?: boolean;
  /**
   * `async` lowering: the core function returns the subtask status; the callee always completes
   * during the call here, so it is `RETURNED` (2) with the result stored at the result pointer.
   */
  readonly async?: boolean;
}

/** `Subtask.State.RETURNED`. */
const RETURNED = 2;

/**
 * `canon lower`: the core function that calls component function `spec.callee`. A host function gets
 * generated code (host-call.ts) where code generation is allowed; the generic closure is then made
 * only if a nested call ever needs it.
 */
export function lowerFunction(spec: LowerSpec): (...flat: unknown[]) => unknown {
  const host = spec.callee.host;
  if (host !== undefined && spec.async !== true) {
    const sig = flattenLift(spec.type);
    if (!sig.paramsInMemory) {
      const messages = spec.fused ? FUSED_MESSAGES : HOST_MESSAGES;
      const cx = new AbiContext(spec.options, spec.instance, { messages, ...(spec.resources ? { resources: spec.resources } : {}) });
      cx.sourceEncoding = "utf8"; // how a host's strings are lowered (see genericLowered)
      let generic: ((...flat: unknown[]) => unknown) | undefined;
      const slow = (...flat: unknown[]): unknown => (generic ??= genericLowered(spec))(...flat);
      const fast = generateHostCall({ name: spec.name, type: spec.type, target: host, instance: spec.instance, cx, scope: new CallScope(), resultInMemory: sig.resultInMemory, slow });
      if (fast !== undefined) return fast;
    }
  }
  return genericLowered(spec);
}

/** `canon lower` as closures that do the work generically (any type, no code generation). */
function genericLowered(spec: LowerSpec): (...flat: unknown[]) => unknown {
  const { type, callee, options, instance } = spec;
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
  const spill = sig.paramsInMemory ? layoutOf(tupleOf(paramTypes)) : undefined;
  const spillLifter = spill ? lifterOf(tupleOf(paramTypes)) : undefined;
  const resultType = type.result;
  const resultLowerer: Lowerer | undefined = resultType ? lowererOf(resultType) : undefined;
  const resultLayout = resultType ? layoutOf(resultType) : undefined;
  // The result pointer: the extra last parameter (sync lowering of a spilled result, or async).
  const retptrIndex = isAsync ? sig.params.length - 1 : sig.params.length;
  const nParams = paramTypes.length;
  const messages = spec.fused ? FUSED_MESSAGES : HOST_MESSAGES;
  const base = new AbiContext(options, instance, { messages, ...(spec.resources ? { resources: spec.resources } : {}) });
  const baseScope = new CallScope();
  const out: unknown[] = [undefined];
  const myEncoding = options.stringEncoding;

  return function lowered(...flat: unknown[]): unknown {
    if (!instance.mayLeave) throw cannotLeave();
    let cx = base;
    let scope = baseScope;
    if (cx.busy) {
      cx = new AbiContext(options, instance, { messages, resources: base.resources });
      scope = new CallScope();
    }
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
      const result = callee.invoke(args, instance, myEncoding);
      scope.releaseLenders();
      if (resultLowerer === undefined) return isAsync ? RETURNED : undefined;
      // A host function's strings are lowered as a UTF-8 host (Wasmtime) lowers them: one allocation of
      // the exact size. Guests whose import realloc cannot grow a block (the WASI preview1 adapter's
      // bump allocator) depend on it.
      cx.sourceEncoding = callee.stringEncoding ?? "utf8";
      cx.sync();
      try {
        if (sig.resultInMemory) {
          const ptr = (flat[retptrIndex] as number) >>> 0;
          if ((ptr & (resultLayout!.align - 1)) !== 0) throw abiTrap(cx.messages.pointerAlign);
          if (ptr + resultLayout!.size > cx.u8.length) throw abiTrap(cx.messages.pointerBounds);
          resultLowerer.store(cx, result, ptr);
          return isAsync ? RETURNED : undefined;
        }
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

/**
 * A host function as a component function: `fn` takes and returns JS values. When the result type
 * is a `result`, `fn` returns the ok value and signals the error case by throwing a
 * `ComponentError` (its `payload` is the error value). `how.method` names the member a resource
 * method calls on its first argument (`fn` then does the same, for the generic path); `how.lendBytes`
 * lets `list<u8>` arguments be views of guest memory valid during the call (see host-call.ts).
 */
export function hostFunction(
  type: ComponentFuncType,
  fn: (...args: unknown[]) => unknown,
  isComponentError: (e: unknown) => e is { payload: unknown },
  name?: string,
  how?: { readonly method?: string | undefined; readonly lendBytes?: boolean | undefined },
): ComponentFuncImpl {
  const wrapsResult = type.result?.kind === "result";
  const invoke = (args: readonly unknown[]): unknown => {
    if (!wrapsResult) return fn(...args);
    try {
      return { tag: "ok", val: fn(...args) };
    } catch (e) {
      if (isComponentError(e)) return { tag: "err", val: e.payload };
      throw e;
    }
  };
  const host: HostTarget = { fn, method: how?.method, isError: isComponentError, lendBytes: how?.lendBytes };
  return { type, ...(name !== undefined ? { name } : {}), stringEncoding: undefined, invoke, hostEntry: () => (...args: unknown[]) => invoke(args), host };
}
