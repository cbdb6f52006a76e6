/**
 * `Exception`: a WebAssembly exception (exception handling) as the host sees it — its tag and payload.
 *
 * An exception thrown by wasm that no wasm handler catches reaches the host as an `Exception`; a host
 * function can throw one (new, or one it caught) back into wasm, where `catch`/`try_table` handlers
 * see it as an exception of its tag. The same wasm exception is always the same `Exception` object.
 *
 * @module
 */
import { formatValTypes } from "../types.js";
import { funcFromWasm, funcToWasm } from "./func.js";
import type { Store } from "./store.js";
import { knownTags, Tag } from "./tag.js";
import { checkArg, describeValue, jsTypeOf, refKindOf } from "./values.js";

/** The engine's exception class (absent on engines without exception handling). */
interface NativeException {
  is(tag: object): boolean;
  getArg(tag: object, index: number): unknown;
  readonly stack?: string;
}
const NativeException = (WebAssembly as unknown as { Exception?: new (tag: object, payload: unknown[], options?: { traceStack?: boolean }) => NativeException }).Exception;

/** Our `Exception` of each engine exception seen. */
const ofNative = new WeakMap<object, Exception>();

/**
 * A WebAssembly exception: a tag and the values it carries. Throw it from a host function to raise
 * it in wasm; catch it around a call to get what wasm threw.
 */
export class Exception extends Error {
  /**
   * The exception's tag, or `undefined` when wasm threw it with a tag the host has never seen (one
   * the module neither exports nor imports): its payload cannot be read then.
   */
  readonly tag: Tag | undefined;
  /** The payload, one value per parameter of the tag's type (`undefined` when the tag is unknown). */
  readonly payload: readonly unknown[] | undefined;
  /** @internal The engine's exception object. */
  readonly native: object;

  /**
   * A new exception of `tag` carrying `payload` (values as the tag's parameter types say: numbers,
   * bigints for i64, `Func | null` for function references, ...).
   *
   * @throws TypeError when `tag` is not a Tag, the payload has the wrong length or a value of the
   *   wrong type, or the engine has no exception handling.
   */
  constructor(tag: Tag, payload: readonly unknown[]);
  /** @internal */
  constructor(tag: Tag | undefined, payload: readonly unknown[] | undefined, native: object);
  constructor(tag: Tag | undefined, payload: readonly unknown[] | undefined, native?: object) {
    if (native === undefined) {
      checkArg(tag, Tag, "new Exception", "tag");
      if (!Array.isArray(payload)) throw new TypeError(`new Exception: payload must be an array, got ${describeValue(payload)}`);
      const params = tag.type.params;
      if (payload.length !== params.length) {
        throw new TypeError(`new Exception: the tag takes ${params.length} value${params.length === 1 ? "" : "s"} ${formatValTypes(params)}, got ${payload.length}`);
      }
      if (!NativeException) throw new TypeError("new Exception: this engine does not support exception handling");
      const values = payload.map((v, i) => {
        const t = params[i]!;
        const js = jsTypeOf(t);
        if (js !== undefined && typeof v !== js) throw new TypeError(`new Exception: payload[${i}] (${String(t)}) expects a ${js}, got ${describeValue(v)}`);
        return refKindOf(t) === "func" ? funcToWasm(tag.store, v ?? null, `new Exception: payload[${i}]`) : v;
      });
      native = new NativeException(tag.native, values, { traceStack: true });
    }
    super(tag ? `wasm exception of tag ${formatValTypes(tag.type.params)}` : "wasm exception of a tag unknown to the host");
    this.name = "Exception";
    this.tag = tag;
    this.payload = payload === undefined ? undefined : Object.freeze([...payload]);
    this.native = native;
    ofNative.set(native, this);
  }

  /** True when the exception is of `tag`. */
  is(tag: Tag): boolean {
    checkArg(tag, Tag, "Exception.is", "tag");
    return (this.native as NativeException).is(tag.native);
  }
}

/** True when `e` is an exception of the engine (thrown by wasm, or ours on its way through wasm). */
export function isNativeException(e: unknown): e is object {
  return NativeException !== undefined && e instanceof NativeException;
}

/**
 * The `Exception` for an engine exception: the same object each time; its tag is found among the tags
 * the host has seen. `store` is where function references in the payload belong (the calling store).
 */
export function exceptionOf(native: object, store: Store | undefined): Exception {
  const known = ofNative.get(native);
  if (known) return known;
  const e = native as NativeException;
  for (const tag of knownTags()) {
    if (!e.is(tag.native)) continue;
    const payload = tag.type.params.map((t, i) => {
      const v = e.getArg(tag.native, i);
      return refKindOf(t) === "func" ? funcFromWasm(store ?? tag.store, v) : v;
    });
    return new Exception(tag, payload, native);
  }
  return new Exception(undefined, undefined, native);
}

/** What a host function's error becomes on its way into wasm: our `Exception`s become the engine's. */
export function toWasmError(e: unknown): unknown {
  return e instanceof Exception ? e.native : e;
}
