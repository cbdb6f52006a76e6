/**
 * Store resource limits, enforced at no run-time cost.
 *
 * The rewrite (`rewrite.ts`, asked for with `InstrumentOptions.storeResources`) turns a module's own
 * memories and tables into imports from `HOST_MODULE` (`memory<i>`, `table<i>`), keeping their
 * indices. At instantiation the store creates them itself (this file), with the store's limit as their
 * maximum: the engine's own `memory.grow` / `table.grow` then return -1 past the limit, and nothing is
 * checked while wasm runs. A module whose initial size is already over the limit fails to instantiate
 * with a `RangeError` saying which memory or table and by how much; so does an instance, memory or table
 * over the store's counts.
 *
 * What is counted: instances, and the memories and tables that instances define (memories and tables
 * the host creates with `new Memory` / `new Table` are the host's to budget). Memories that the host
 * engine cannot create (64-bit, custom page sizes) stay defined by the module and are not limited.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import type { ConvertedMemory, ConvertedTable } from "./rewrite.js";

export { memoryConvertible, tableConvertible } from "./rewrite.js";

/** The limits a store may set (the shape of `StoreLimits`). */
export interface ResourceLimits {
  readonly memorySize?: number;
  readonly tableElements?: number;
  readonly instances?: number;
  readonly tables?: number;
  readonly memories?: number;
}

const PAGE = 65536;

/** Checks `limits` (non-negative integers or absent). @throws TypeError naming the bad field. */
export function checkLimits(limits: ResourceLimits): void {
  for (const key of ["memorySize", "tableElements", "instances", "tables", "memories"] as const) {
    const v = limits[key];
    if (v !== undefined && (typeof v !== "number" || !(v >= 0) || !Number.isInteger(v) && v !== Infinity)) {
      throw new TypeError(`StoreLimits.${key} must be a non-negative integer, got ${String(v)}`);
    }
  }
}

/** What a store has already created, for the count limits. */
export interface ResourceCounts {
  readonly instances: number;
  readonly memories: number;
  readonly tables: number;
}

/** Counts the memories and tables that the modules of `infos` define. */
export function countDefined(infos: Iterable<ModuleInfo>): ResourceCounts {
  let instances = 0;
  let memories = 0;
  let tables = 0;
  for (const info of infos) {
    instances++;
    memories += info.memories.length;
    tables += info.tables.length;
  }
  return { instances, memories, tables };
}

/**
 * Checks that one more instance of `info` fits in `limits`, given what exists (`counts`).
 *
 * @throws RangeError naming the limit that would be exceeded.
 */
export function checkCounts(info: ModuleInfo, limits: ResourceLimits, counts: ResourceCounts): void {
  if (limits.instances !== undefined && counts.instances + 1 > limits.instances) {
    throw new RangeError(`instantiation: the store is limited to ${limits.instances} instance${limits.instances === 1 ? "" : "s"} and has ${counts.instances} already`);
  }
  if (limits.memories !== undefined && counts.memories + info.memories.length > limits.memories) {
    throw new RangeError(`instantiation: the module defines ${info.memories.length} memor${info.memories.length === 1 ? "y" : "ies"}, but the store is limited to ${limits.memories} and has ${counts.memories} already`);
  }
  if (limits.tables !== undefined && counts.tables + info.tables.length > limits.tables) {
    throw new RangeError(`instantiation: the module defines ${info.tables.length} table${info.tables.length === 1 ? "" : "s"}, but the store is limited to ${limits.tables} and has ${counts.tables} already`);
  }
}

/**
 * Creates the memory a rewritten module imports instead of defining, with `limits.memorySize` as its
 * maximum.
 *
 * @throws RangeError when its initial size is over the limit.
 */
export function createMemory(m: ConvertedMemory, limits: ResourceLimits): WebAssembly.Memory {
  const t = m.type;
  let max = t.max;
  if (limits.memorySize !== undefined && limits.memorySize !== Infinity) {
    const pages = Math.floor(limits.memorySize / PAGE);
    if (t.min > pages) {
      throw new RangeError(
        `instantiation: ${m.name} needs ${t.min} pages (${t.min * PAGE} bytes) initially, over the store's memory limit of ${limits.memorySize} bytes (${pages} pages)`,
      );
    }
    max = max === undefined ? pages : Math.min(max, pages);
  }
  return new WebAssembly.Memory({
    initial: t.min,
    ...(max !== undefined ? { maximum: max } : {}),
    ...(t.shared ? { shared: true } : {}),
  });
}

/**
 * The maximum size of the table the store creates for `t`: the smallest of its declared maximum and
 * `limits.tableElements`, or undefined when neither sets one.
 *
 * @throws RangeError when its initial size is over the limit.
 */
export function tableMaximum(t: ConvertedTable, limits: ResourceLimits): number | undefined {
  const type = t.type;
  let max = type.max;
  if (limits.tableElements !== undefined && limits.tableElements !== Infinity) {
    if (type.min > limits.tableElements) {
      throw new RangeError(
        `instantiation: ${t.name} needs ${type.min} elements initially, over the store's table limit of ${limits.tableElements} elements`,
      );
    }
    max = max === undefined ? limits.tableElements : Math.min(max, limits.tableElements);
  }
  return max;
}

/**
 * Creates the table a rewritten module imports instead of defining, with `max` (`tableMaximum`) as
 * its maximum.
 */
export function createTable(t: ConvertedTable, max: number | undefined): WebAssembly.Table {
  const type = t.type;
  const descriptor = {
    element: type.element === "funcref" ? "anyfunc" : "externref",
    initial: type.min,
    ...(max !== undefined ? { maximum: max } : {}),
  } as WebAssembly.TableDescriptor;
  // Elements start null (for externref tables the engine's default would be `undefined`).
  return new WebAssembly.Table(descriptor, null);
}
