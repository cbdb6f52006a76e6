/**
 * Per-instance state the canonical ABI reads and changes: the handle table of resources, the
 * may-enter and may-leave flags, and the borrow scope of a call (`CanonicalABI.md`, "Runtime State").
 *
 * A handle table is an array whose slot 0 stays unused and whose freed slots are reused last-freed
 * first, so handle indices are exactly the spec's (guests and the test suites observe them).
 *
 * @module
 */
import type { ResourceType } from "../types.js";
import type { ResourceBridge } from "./context.js";
import { abiTrap, MESSAGES } from "./traps.js";

/** The calls of one component instance that are in progress, as a borrow scope: borrows lent to it. */
export class CallScope {
  /** Borrow handles created in the callee's table for this call and not yet dropped. */
  borrows = 0;
  /**
   * Handles of the caller lent to the callee for this call: the first `lent` entries (their `lends`
   * drop at the end). A count rather than the array's length: resetting a length costs more than a call.
   */
  readonly lenders: (ResourceHandle | undefined)[] = [];
  lent = 0;

  /** Lends `h` for this call. */
  lend(h: ResourceHandle): void {
    h.lends++;
    this.lenders[this.lent++] = h;
  }

  /** Ends the call's lending: the caller may drop its lent handles again. */
  releaseLenders(): void {
    const n = this.lent;
    if (n === 0) return;
    const lenders = this.lenders;
    for (let i = 0; i < n; i++) {
      lenders[i]!.lends--;
      lenders[i] = undefined;
    }
    this.lent = 0;
  }
}

/** One entry of a handle table: a resource's representation and how the table holds it. */
export class ResourceHandle {
  readonly type: ResourceType;
  readonly rep: number;
  readonly own: boolean;
  /** For a borrow handle: the call it was lent for. */
  readonly scope: CallScope | undefined;
  /** For an own handle: how many calls in progress borrow it. */
  lends = 0;

  constructor(type: ResourceType, rep: number, own: boolean, scope?: CallScope) {
    this.type = type;
    this.rep = rep;
    this.own = own;
    this.scope = scope;
  }
}

/** The most handles one table holds (`Table.MAX_LENGTH`). */
export const MAX_TABLE_LENGTH = 2 ** 28 - 1;

/** A component instance's handle table (`Table`): slot 0 unused, freed slots reused LIFO. */
export class HandleTable {
  private readonly array: (ResourceHandle | undefined)[] = [undefined];
  private readonly free: number[] = [];

  /** Adds `h` and returns its index. */
  add(h: ResourceHandle): number {
    const i = this.free.pop();
    if (i !== undefined) {
      this.array[i] = h;
      return i;
    }
    if (this.array.length > MAX_TABLE_LENGTH) throw abiTrap(MESSAGES.tableFull);
    this.array.push(h);
    return this.array.length - 1;
  }

  /** The handle at `i`; traps `unknown handle index i` when there is none. */
  get(i: number): ResourceHandle {
    const h = i > 0 ? this.array[i] : undefined;
    if (h === undefined) throw abiTrap(MESSAGES.unknownHandle(i));
    return h;
  }

  /** The handle at `i` of type `type`, checked as `get` does and for its type. */
  getTyped(i: number, type: ResourceType): ResourceHandle {
    const h = this.get(i);
    if (h.type !== type) throw abiTrap(MESSAGES.wrongHandleType(i, isGuestDefined(type), isGuestDefined(h.type)));
    return h;
  }

  /** Removes and returns the handle at `i`. */
  remove(i: number): ResourceHandle {
    const h = this.get(i);
    this.array[i] = undefined;
    this.free.push(i);
    return h;
  }

  /** The handles in the table, for diagnostics and tests. */
  get size(): number {
    return this.array.length - 1 - this.free.length;
  }
}

/** What the runtime knows about a resource type: who implements it and how to destroy its values. */
export interface ResourceImpl {
  /** The instance that defined the type (`canon resource.new` lives there), or undefined for the host. */
  readonly instance: InstanceState | undefined;
  /**
   * The destructor called when an own handle is dropped, given the representation and the instance
   * dropping it (undefined for the host): from another instance it enters the defining one.
   */
  readonly dtor: ((rep: number, caller: InstanceState | undefined) => void) | undefined;
}

const impls = new WeakMap<ResourceType, ResourceImpl>();

/** Records who implements resource type `type`. */
export function defineResourceImpl(type: ResourceType, impl: ResourceImpl): void {
  impls.set(type, impl);
}

/** Who implements resource type `type`, if the runtime recorded it. */
export function resourceImpl(type: ResourceType): ResourceImpl | undefined {
  return impls.get(type);
}

function isGuestDefined(type: ResourceType): boolean {
  const impl = impls.get(type);
  return impl ? impl.instance !== undefined : type.defined;
}

/** A component instance's state that the canonical ABI checks and changes. */
export class InstanceState {
  readonly handles = new HandleTable();
  /** False while a call into the instance is in progress (no re-entrance). */
  mayEnter = true;
  /** False while `realloc` or `post-return` run: the instance may not call out. */
  mayLeave = true;
  /** The enclosing instance, for nested components (entering a child enters its ancestors). */
  readonly parent: InstanceState | undefined;
  /** Set once a trap left the instance in an unknown state; every later call traps. */
  poisoned = false;
  /**
   * The result an async-lifted export delivered with `task.return` during the current call
   * (`undefined` while none was delivered).
   */
  taskResult: { readonly value: unknown } | undefined;
  /** Whether an async-lifted call (which may call `task.return`) is in progress. */
  inAsyncTask = false;
  /** `context.get`/`context.set` slots of the current task. */
  readonly context: number[] = [0, 0];
  /** `backpressure.inc`/`dec` counter. */
  backpressure = 0;

  /**
   * The resource bridge of the instance's store (set by instantiation): a host resource's destructor
   * releases its representation there, so that one host resource type serves every store.
   */
  resources: ResourceBridge | undefined;

  constructor(parent?: InstanceState, resources?: ResourceBridge) {
    this.parent = parent;
    this.resources = resources;
  }
}
