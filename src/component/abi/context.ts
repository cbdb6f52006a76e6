/**
 * The lifting and lowering context (`LiftLowerContext`): a function's canonical options (memory,
 * realloc, string encoding), the instance whose handle table it uses, and the borrow scope of the call
 * in progress.
 *
 * One context belongs to one lifted or lowered function and is reused by its calls (calls into the
 * same instance cannot nest: may-enter forbids it). It caches views of the memory and renews them
 * only when the memory's buffer changed (after a `realloc` that grew it, or between calls).
 *
 * @module
 */
import type { ResourceType } from "../types.js";
import { abiTrap, cannotLeave, type AbiMessages, HOST_MESSAGES } from "./traps.js";
import type { CallScope, InstanceState } from "./handles.js";

/** A string encoding of the `string-encoding` canonical option. */
export type StringEncoding = "utf8" | "utf16" | "latin1+utf16";

/** A core `realloc` function: `(old_ptr, old_size, align, new_size) -> ptr`. */
export type Realloc = (oldPtr: number, oldSize: number, align: number, newSize: number) => number;

/** The canonical options of a `canon lift` or `canon lower`. */
export interface CanonOptions {
  readonly stringEncoding: StringEncoding;
  readonly memory?: WebAssembly.Memory | undefined;
  readonly realloc?: Realloc | undefined;
  /** `post-return` (lift only): called with the flat results once they were lifted. */
  readonly postReturn?: ((...flat: unknown[]) => unknown) | undefined;
}

/**
 * How resource handles become JS values and back. The runtime provides it (guest resources become
 * objects with methods, host resources are the host's own objects); the ABI moves handles between
 * tables and calls this only at the JS boundary.
 */
export interface ResourceBridge {
  /** The JS value for a lifted handle of `type` whose representation is `rep`. */
  toJs(type: ResourceType, rep: number, own: boolean): unknown;
  /** The representation of JS value `value` as a resource of `type`; throws a `TypeError` if it is not one. */
  fromJs(type: ResourceType, value: unknown, own: boolean): number;
}

/** Resources as plain `{ type, rep }` records: for tests and for contexts without a runtime. */
export const PLAIN_RESOURCES: ResourceBridge = {
  toJs: (type, rep) => ({ type, rep }),
  fromJs: (type, value) => {
    const v = value as { type?: unknown; rep?: unknown } | null;
    if (typeof v === "object" && v !== null && v.type === type && typeof v.rep === "number") return v.rep;
    throw new TypeError(`expected a ${type.name} resource`);
  },
};

/** The views of a context before its first `sync()` (shared: instantiation makes many contexts). */
const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);

/** The lifting and lowering context of one function. */
export class AbiContext {
  readonly stringEncoding: StringEncoding;
  readonly memory: WebAssembly.Memory | undefined;
  readonly realloc: Realloc | undefined;
  readonly instance: InstanceState;
  readonly messages: AbiMessages;
  readonly resources: ResourceBridge;
  /**
   * The encoding of the strings being lowered: `utf16` for the host's JS strings, the source
   * component's encoding when a value is copied between components (it decides the spec's `realloc`
   * sequence).
   */
  sourceEncoding: StringEncoding = "utf16";
  /** The call in progress, for borrows. */
  scope: CallScope | undefined;
  /** The (tagged) code unit count of the string `lowerString` stored last. */
  stringUnits = 0;
  /** Set while a call uses this context, so that a nested use makes its own. */
  busy = false;

  /** Bytes of the memory, renewed by `sync()`. */
  u8: Uint8Array = NO_BYTES;
  /** A view of the memory, renewed by `sync()`. */
  dv: DataView = NO_VIEW;

  constructor(
    opts: CanonOptions,
    instance: InstanceState,
    fields?: { messages?: AbiMessages; resources?: ResourceBridge },
  ) {
    this.stringEncoding = opts.stringEncoding;
    this.memory = opts.memory;
    this.realloc = opts.realloc;
    this.instance = instance;
    this.messages = fields?.messages ?? HOST_MESSAGES;
    this.resources = fields?.resources ?? PLAIN_RESOURCES;
  }

  /**
   * Renews the views if the memory's buffer changed (it grew). Call before touching memory. Growing
   * a memory detaches its old buffer, which empties the views: only then (or before the first sync,
   * or for a shared memory, whose buffer grows without detaching) is the buffer asked for, which is a
   * call into the engine.
   */
  sync(): void {
    const m = this.memory;
    if (m !== undefined && (this.u8.length === 0 || this.shared) && this.dv.buffer !== m.buffer) {
      const buffer = m.buffer as ArrayBuffer;
      this.u8 = new Uint8Array(buffer);
      this.dv = new DataView(buffer);
      this.shared = typeof SharedArrayBuffer !== "undefined" && (buffer as unknown) instanceof SharedArrayBuffer;
    }
  }

  /** Whether the memory is shared (its views are then checked against its buffer at every sync). */
  private shared = false;

  /**
   * Calls `realloc` (with may-leave cleared, so the guest cannot call out), then checks the result's
   * alignment and that `[ptr, ptr + newSize)` is in bounds. `list` picks the out-of-bounds text.
   */
  reallocate(oldPtr: number, oldSize: number, align: number, newSize: number, list: boolean): number {
    const realloc = this.realloc;
    if (realloc === undefined) throw abiTrap("no realloc function was given for this call");
    const inst = this.instance;
    if (!inst.mayLeave) throw cannotLeave();
    inst.mayLeave = false;
    let ptr: number;
    try {
      ptr = realloc(oldPtr, oldSize, align, newSize) >>> 0;
    } finally {
      inst.mayLeave = true;
    }
    if ((ptr & (align - 1)) !== 0) throw abiTrap(this.messages.reallocAlign);
    this.sync();
    if (ptr + newSize > this.u8.length) {
      throw abiTrap(list ? this.messages.reallocListBounds : this.messages.reallocStringBounds);
    }
    return ptr;
  }
}
