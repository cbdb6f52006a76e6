/**
 * `Tag`: an exception tag (exception-handling proposal), created by the host or exported by an instance.
 *
 * @module
 */
import type { TagType, ValType } from "../types.js";
import { Store } from "./store.js";
import { checkArg, checkObject, isValType, jsApiValueType } from "./values.js";

/** The engine's tag constructor (exception handling); absent on engines without it. */
const NativeTag = (WebAssembly as unknown as { Tag?: new (t: { parameters: string[] }) => object }).Tag;

/** An exception tag: its type is the types of the values an exception carries. */
export class Tag {
  /** The store the tag belongs to. */
  readonly store: Store;
  /** The engine's tag object. */
  readonly native: object;
  /** The tag's type. */
  readonly type: TagType;

  /** Creates a tag with payload types `type.params`. @throws TypeError when the engine has no tags. */
  constructor(store: Store, type: TagType, native?: object) {
    checkArg(store, Store, "new Tag", "store");
    checkObject(type, "new Tag", "type");
    if (!Array.isArray(type.params) || !type.params.every(isValType)) throw new TypeError("new Tag: type.params must be a list of value types");
    this.store = store;
    this.type = Object.freeze({ params: Object.freeze([...type.params]) as readonly ValType[] });
    if (native === undefined) {
      if (!NativeTag) throw new TypeError("new Tag: this engine does not support exception tags");
      native = new NativeTag({ parameters: type.params.map(jsApiValueType) });
    }
    this.native = native;
  }
}
