/**
 * Resources as JS values.
 *
 * - A guest-defined resource (one a component defines and exports) becomes an object whose prototype
 *   carries the resource's methods (`counter.inc()`), made by `ComponentInstance` from the
 *   `[method]`/`[static]`/`[constructor]` exports, and `[Symbol.dispose]()`, which drops an owned
 *   resource (its destructor runs in the defining instance). Passing an owned object to a function
 *   taking `own<R>` moves it: the object is dead afterwards. A borrowed object (a host function's
 *   `borrow<R>` parameter) is valid during the call only and does not drop on dispose.
 * - A host-defined resource (a class or `{ drop }` given to `ComponentLinker`) is the host's own
 *   object; the guest holds a handle to a number that stands for it in this store. When the guest
 *   drops its last own handle, `drop(object)` (or the object's `[Symbol.dispose]`) runs.
 *
 * Safety net: an owned guest resource object that is garbage-collected without being disposed has
 * its destructor run by a `FinalizationRegistry`, later, from an empty JS stack (never during a
 * call), unless its instance trapped since. Dispose explicitly (`using`, `[Symbol.dispose]()`) for
 * prompt release: collection may take arbitrarily long, or never happen.
 *
 * @module
 */
import type { ResourceType } from "../types.js";
import type { ResourceBridge } from "../abi/context.js";
import { resourceImpl } from "../abi/handles.js";
import { mismatch } from "../abi/values.js";

/** The state of a guest resource object. */
interface GuestState {
  readonly type: ResourceType;
  readonly rep: number;
  readonly own: boolean;
  /** Dropped, or moved into a guest (an own passed as an argument). */
  dead: boolean;
}

const states = new WeakMap<object, GuestState>();

function dropGuest(state: GuestState): void {
  if (state.dead || !state.own) return;
  state.dead = true;
  resourceImpl(state.type)?.dtor?.(state.rep, undefined);
}

const collected = new FinalizationRegistry<GuestState>((state) => {
  try {
    dropGuest(state);
  } catch {
    // The defining instance trapped or is busy: the representation is lost with it.
  }
});

/** The prototype every guest resource object inherits: `[Symbol.dispose]`. */
const base: object = Object.create(Object.prototype, {
  [Symbol.dispose]: {
    value(this: object): void {
      const state = states.get(this);
      if (state === undefined || state.dead) return;
      collected.unregister(state);
      dropGuest(state);
    },
  },
});

const prototypes = new WeakMap<ResourceType, object>();
const names = new WeakMap<ResourceType, string>();

/** Records the name a resource type is exported under, for messages. */
export function nameResource(type: ResourceType, name: string): void {
  names.set(type, name);
}

function nameOf(type: ResourceType): string {
  return names.get(type) ?? type.name;
}

/** The prototype of guest resource objects of `type` (methods are added to it by the instance). */
export function prototypeOf(type: ResourceType): object {
  let p = prototypes.get(type);
  if (p === undefined) prototypes.set(type, (p = Object.create(base) as object));
  return p;
}

/** The representation of a live guest resource object of `type`, or undefined. */
function guestRep(value: unknown, type: ResourceType, own: boolean): number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const state = states.get(value);
  if (state === undefined || state.type !== type || state.dead) return undefined;
  if (own) {
    if (!state.own) return undefined;
    state.dead = true; // moved into the callee
    collected.unregister(state);
  }
  return state.rep;
}

/** The resource bridge of one store: guest resource objects, and host objects numbered. */
export class StoreResources implements ResourceBridge {
  private readonly reps = new Map<unknown, number>();
  private readonly objects: unknown[] = [];

  toJs(type: ResourceType, rep: number, own: boolean): unknown {
    if (resourceImpl(type)?.instance === undefined) return this.objects[rep];
    const obj = Object.create(prototypeOf(type)) as object;
    const state: GuestState = { type, rep, own, dead: false };
    states.set(obj, state);
    if (own) collected.register(obj, state, state);
    return obj;
  }

  /** @throws ValueError (a TypeError at the function boundary) when `value` is not such a resource. */
  fromJs(type: ResourceType, value: unknown, own: boolean): number {
    const impl = resourceImpl(type);
    if (impl?.instance !== undefined) {
      const rep = guestRep(value, type, own);
      if (rep === undefined) mismatch(`a live ${own ? "owned " : ""}${nameOf(type)} resource`, value);
      return rep;
    }
    if (typeof value !== "object" || value === null) mismatch(`a ${nameOf(type)} resource object`, value);
    let rep = this.reps.get(value);
    if (rep === undefined) {
      rep = this.objects.length;
      this.objects.push(value);
      this.reps.set(value, rep);
    }
    return rep;
  }

  /** The host object numbered `rep`, forgotten (the guest dropped its last handle). */
  release(rep: number): unknown {
    const obj = this.objects[rep];
    this.reps.delete(obj);
    this.objects[rep] = undefined;
    return obj;
  }
}
