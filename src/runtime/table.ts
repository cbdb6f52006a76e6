/**
 * `Table`: a table of references, created by the host or exported by an instance.
 *
 * @module
 */
import type { RefType, TableType } from "../types.js";
import { funcFromWasm, funcToWasm } from "./func.js";
import { Store } from "./store.js";
import { checkArg, checkObject, describeValue } from "./values.js";

/** A table of function references (`Func | null`) or external references (any JS value). */
export class Table {
  /** The store the table belongs to. */
  readonly store: Store;
  /** The engine's table object. */
  readonly native: WebAssembly.Table;
  private readonly element: RefType;
  private readonly max: number | undefined;

  /**
   * Creates a table of `type` with every element set to `init` (default null). When the store limits
   * table size (`limits.tableElements`), the table's maximum is at most that many elements.
   *
   * @throws TypeError / RangeError on a malformed type or an `init` of the wrong kind.
   */
  constructor(store: Store, type: TableType, init: unknown = null, native?: WebAssembly.Table) {
    checkArg(store, Store, "new Table", "store");
    checkObject(type, "new Table", "type");
    if ((type.element !== "funcref" && type.element !== "externref")) {
      throw new TypeError(`new Table: type.element must be "funcref" or "externref", got ${describeValue(type?.element)}`);
    }
    this.store = store;
    this.element = type.element;
    if (native === undefined) {
      const limit = store.limits.tableElements;
      if (limit !== undefined && limit !== Infinity) {
        if (type.min > limit) throw new RangeError(`new Table: ${type.min} elements is over the store's table limit of ${limit} elements`);
        if (type.max === undefined || type.max > limit) type = { ...type, max: limit };
      }
    }
    this.max = type.max;
    if (native === undefined) {
      if (!Number.isInteger(type.min) || type.min < 0) throw new RangeError(`new Table: min must be a non-negative integer, got ${describeValue(type.min)}`);
      if (type.max !== undefined && (!Number.isInteger(type.max) || type.max < type.min)) {
        throw new RangeError(`new Table: max (${String(type.max)}) must be an integer >= min (${type.min})`);
      }
      const descriptor = {
        element: type.element === "funcref" ? "anyfunc" : "externref",
        initial: type.min,
        ...(type.max !== undefined ? { maximum: type.max } : {}),
      } as WebAssembly.TableDescriptor;
      native = new WebAssembly.Table(descriptor, this.toWasm(init, "new Table") as never);
    }
    this.native = native;
  }

  /** The table's type, with `min` its current size. */
  get type(): TableType {
    return { element: this.element, min: this.size, ...(this.max !== undefined ? { max: this.max } : {}) };
  }

  /** The current number of elements. */
  get size(): number {
    return this.native.length;
  }

  /** Element `index`. @throws RangeError when out of bounds. */
  get(index: number): unknown {
    this.checkIndex(index, "get");
    const v = this.native.get(index);
    return this.element === "funcref" ? funcFromWasm(this.store, v) : v;
  }

  /** Sets element `index`. @throws RangeError when out of bounds; TypeError for a value of the wrong kind. */
  set(index: number, value: unknown): void {
    this.checkIndex(index, "set");
    this.native.set(index, this.toWasm(value, "Table.set") as never);
  }

  /** Grows the table by `delta` elements set to `init`, returning the previous size. @throws RangeError past the max. */
  grow(delta: number, init: unknown = null): number {
    if (!Number.isInteger(delta) || delta < 0) throw new RangeError(`Table.grow: delta must be a non-negative integer, got ${describeValue(delta)}`);
    const before = this.size;
    try {
      return (this.native.grow as (d: number, v?: unknown) => number)(delta, this.toWasm(init, "Table.grow"));
    } catch (e) {
      if (e instanceof TypeError) throw e;
      throw new RangeError(`Table.grow: cannot grow from ${before} by ${delta} elements${this.max !== undefined ? ` (max ${this.max})` : ""}`, { cause: e });
    }
  }

  private checkIndex(index: number, what: string): void {
    if (typeof index !== "number") throw new TypeError(`Table.${what}: index must be a number, got ${describeValue(index)}`);
    if (!Number.isInteger(index) || index < 0 || index >= this.native.length) {
      throw new RangeError(`Table.${what}: index ${typeof index === "number" ? index : describeValue(index)} is out of bounds of table of ${this.native.length} elements`);
    }
  }

  private toWasm(v: unknown, what: string): unknown {
    return this.element === "funcref" ? funcToWasm(this.store, v ?? null, what) : v;
  }
}
