/**
 * `Global`: a global variable, created by the host or exported by an instance.
 *
 * @module
 */
import type { GlobalType, ValType } from "../types.js";
import { funcFromWasm, funcToWasm } from "./func.js";
import { V128 } from "./v128.js";
import { newV128Global, v128GlobalAccess, type V128GlobalAccess } from "./v128-bridge.js";
import { Store } from "./store.js";
import { checkArg, checkObject, describeValue, isValType, jsApiValueType, jsTypeOf } from "./values.js";

/** A global variable. Reading `value` gives its current value; setting it requires a mutable global. */
export class Global {
  /** The store the global belongs to. */
  readonly store: Store;
  /** The engine's global object. */
  readonly native: WebAssembly.Global;
  /** The global's type. */
  readonly type: GlobalType;
  private v128Access: V128GlobalAccess | undefined;

  /**
   * Creates a global of `type` holding `value` (a number, bigint for i64, `Func | null` for funcref).
   *
   * @throws TypeError when the type is malformed or the value has the wrong type (a `V128` for v128).
   */
  constructor(store: Store, type: GlobalType, value: unknown, native?: WebAssembly.Global) {
    checkArg(store, Store, "new Global", "store");
    checkObject(type, "new Global", "type");
    if (!isValType(type.content)) throw new TypeError(`new Global: type.content must be a value type, got ${describeValue(type?.content)}`);
    this.store = store;
    this.type = Object.freeze({ content: type.content, mutable: !!type.mutable });
    if (native === undefined && type.content === "v128") {
      // The JS API cannot make a v128 global: a module defines it.
      if (!(value instanceof V128)) throw new TypeError(`new Global: a v128 global holds a V128, got ${describeValue(value)}`);
      native = newV128Global(!!type.mutable, [value.lane32(0), value.lane32(1), value.lane32(2), value.lane32(3)]);
    } else if (native === undefined) {
      const descriptor = { value: jsApiValueType(type.content), mutable: !!type.mutable } as WebAssembly.GlobalDescriptor;
      native = new WebAssembly.Global(descriptor, toGlobalValue(store, type.content, value, "new Global"));
    }
    this.native = native;
  }

  /** The current value. */
  get value(): unknown {
    if (this.type.content === "v128") {
      const [a, b, c, d] = this.v128().get();
      return V128.fromLanes32(a, b, c, d);
    }
    const v = this.native.value;
    return this.type.content === "funcref" ? funcFromWasm(this.store, v) : v;
  }

  /** Sets the value. @throws TypeError on an immutable global or a value of the wrong type. */
  set value(v: unknown) {
    if (!this.type.mutable) throw new TypeError(`Global.value: cannot set an immutable ${this.type.content} global`);
    if (this.type.content === "v128") {
      if (!(v instanceof V128)) throw new TypeError(`Global.value: a v128 global holds a V128, got ${describeValue(v)}`);
      this.v128().set(v.lane32(0), v.lane32(1), v.lane32(2), v.lane32(3));
      return;
    }
    this.native.value = toGlobalValue(this.store, this.type.content, v, "Global.value");
  }

  /** The bridge reading and writing a v128 global (the JS API cannot). */
  private v128(): V128GlobalAccess {
    return (this.v128Access ??= v128GlobalAccess(this.native, this.type.mutable));
  }
}

function toGlobalValue(store: Store, t: ValType, v: unknown, what: string): unknown {
  const js = jsTypeOf(t);
  if (js !== undefined) {
    if (typeof v !== js) throw new TypeError(`${what}: a ${t} global holds a ${js}, got ${describeValue(v)}`);
    return v;
  }
  if (t === "funcref") return funcToWasm(store, v ?? null, what);
  return v;
}
