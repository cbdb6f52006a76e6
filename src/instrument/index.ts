/**
 * Binary instrumentation: rewrites a decoded module so that the engine enforces what the JS API
 * cannot — fuel, epoch deadlines and time limits, and store resource limits — before it is compiled.
 *
 * One pass per file, composed here into one rewrite (`rewrite.ts` holds the shared core):
 * - `fuel.ts`: fuel charged per straight-line segment from a store-owned global.
 * - `epoch.ts`: interruption checks at function entries and loop back-edges (epochs, time limits).
 * - `limits.ts`: the module's memories and tables become imports the store creates within its limits.
 * - `nan-canon.ts`: NaN results of float arithmetic become the canonical NaN (deterministic floats).
 *
 * `host.ts` is the other half, on the host side: the store's globals, the check function and the
 * memories and tables handed to the hidden imports. `artifact.ts` saves an instrumented module.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import { INITIAL_PERIOD, interruptPass } from "./epoch.js";
import { fuelPass } from "./fuel.js";
import { nanCanonicalizationPass } from "./nan-canon.js";
import { OffsetMap } from "./offsets.js";
import { AsyncImport, asyncifyFuncs } from "./asyncify-frame.js";
import { asyncifyPass } from "./asyncify.js";
import {
  type AddedFunc,
  type AddedGlobal,
  type BodyPass,
  type ConvertedMemory,
  type DefinedGlobal,
  type ConvertedTable,
  rewriteModule,
} from "./rewrite.js";
import { convertedTableName, convertibleTableCount, tableMaxName } from "./plan.js";

export { HOST_MODULE } from "./rewrite.js";
export { fuelCostTable, type FuelCosts } from "./fuel-costs.js";
export { OffsetMap, TrapSite } from "./offsets.js";

/** What to instrument. */
export interface InstrumentOptions {
  /** Charge fuel with these per-instruction costs (from `fuelCostTable`). */
  readonly fuelCosts?: Uint32Array;
  /** Charge bulk memory and table instructions one unit per byte or element too (default true). */
  readonly fuelBulkPerUnit?: boolean;
  /** Insert interruption checks (epoch deadlines, time limits). */
  readonly interrupt?: boolean;
  /** Turn the module's memories and tables into imports the store creates (store limits). */
  readonly storeResources?: boolean;
  /** Replace NaN results of float arithmetic by the canonical NaN. */
  readonly nanCanonicalization?: boolean;
  /** Rewrite for these async function imports (by function index) to unwind and rewind (asyncify.ts). */
  readonly asyncImports?: readonly number[];
  /**
   * With `asyncImports`: every `call_indirect` through an imported or exported table may suspend too
   * (another instance may put functions that suspend there: a component's shim table).
   */
  readonly asyncSharedTables?: boolean;
}

/** Names of the hidden imports, under `HOST_MODULE`. */
export const HostImport = { fuel: "fuel", check: "check", checkGrow: "checkGrow" } as const;

/** An instrumented module: its binary and how to relate it to the original. */
export interface Instrumented {
  /** The rewritten binary. */
  readonly bytes: Uint8Array;
  /** Rewritten code offsets -> original offsets, and the inserted trap sites. */
  readonly offsets: OffsetMap;
  /** The original module's imported function count. */
  readonly importedFuncs: number;
  /** How many function imports were added (defined functions move up by this much). */
  readonly funcShift: number;
  /** Whether the module charges fuel / checks for interruption. */
  readonly fuel: boolean;
  readonly interrupt: boolean;
  /** Memories and tables the module now imports from the store instead of defining. */
  readonly memories: readonly ConvertedMemory[];
  readonly tables: readonly ConvertedTable[];
  /** Whether the module was rewritten to unwind and rewind for async imports (asyncify.ts). */
  readonly asyncify?: boolean;
  /** With `asyncify`: for each function of the original module (imported first), 1 when it may suspend. */
  readonly asyncReaches?: Uint8Array;
  /**
   * The original index of each export wrapper (see `RewritePlan.threadGlobals`), in order: wrapper `k`
   * is engine function `importedFuncs + funcShift + definedFuncs + k`.
   */
  readonly wrappers?: readonly number[];
  /** The original module's defined function count (where the wrappers start, with the shift). */
  readonly definedFuncs?: number;
}

/**
 * Instruments `info` as `options` ask. With nothing to do, the original bytes come back untouched.
 *
 * @throws CompileError when a function body cannot be scanned.
 */
export function instrumentModule(info: ModuleInfo, options: InstrumentOptions): Instrumented {
  const globals: AddedGlobal[] = [];
  const definedGlobals: DefinedGlobal[] = [];
  const funcs: AddedFunc[] = [];
  const passes: BodyPass[] = [];
  const threading: number[] = [];
  // First, so that its code follows the float instruction before any other pass's insertions there.
  if (options.nanCanonicalization) passes.push(nanCanonicalizationPass());
  // Before fuel and interruption, so that their code at the start of a stretch the rewrite guards is
  // inside the guard (skipped when rewinding, not charged twice); after NaN canonicalization, whose
  // code must directly follow its float instruction.
  let asyncify: ReturnType<typeof asyncifyPass> | undefined;
  if (wantsAsyncify(options)) {
    const indices = { state: info.importedGlobals + globals.length, firstFunc: info.importedFuncs + funcs.length };
    globals.push({ name: AsyncImport.state, type: "i32", mutable: true });
    funcs.push(...(asyncifyFuncs() as unknown as AddedFunc[]));
    asyncify = asyncifyPass(info, new Set(options.asyncImports), () => indices, { sharedTables: options.asyncSharedTables === true });
    passes.push(asyncify);
  }
  // Imported globals first, so that the defined one's index is known: it follows every global.
  const memory64 = memoryIs64(info);
  const table64 = tableIs64(info);
  const widths = { memory64: (i: number) => memory64[i] ?? false, table64: (i: number) => table64[i] ?? false };
  const fuel = options.fuelCosts ? info.importedGlobals + globals.push({ name: HostImport.fuel, type: "i64", mutable: true }) - 1 : -1;
  // Threaded values: the interruption count (i32), then the fuel (i64).
  const countSlot = options.interrupt ? threading.push(0x7f) - 1 : -1;
  const fuelSlot = options.fuelCosts ? threading.push(0x7e) - 1 : -1;
  // Where each threaded value lives between calls: the interruption countdown, the fuel global.
  const threadGlobals: number[] = [];
  if (fuelSlot >= 0) threadGlobals[fuelSlot] = fuel;
  // The fuel pass goes first, so that where both insert before the same instruction the fuel is
  // loaded and charged before an interruption check can store it (and outside the loops that the
  // interruption pass wraps around a loop).
  const fuelBodyPass = options.fuelCosts ? fuelPass(fuel, options.fuelCosts, fuelSlot, { bulkPerUnit: options.fuelBulkPerUnit ?? true, widths, walk: !asyncify }) : undefined;
  if (fuelBodyPass) passes.push(fuelBodyPass);
  if (options.interrupt) {
    // The tables the store creates, each with the globals that let the pass split a long `table.grow`
    // into chunks a deadline can stop between (bulk.ts): its maximum (imported, `tableMaxName`, set by
    // host.ts; imported globals come first, so before the countdown's index is taken) and the engine's
    // storage capacity (defined, after the countdown), with the host's check of a growth that would
    // reallocate it.
    const grown: { max: number; element: number; capacity: number }[] = [];
    const converted = options.storeResources === true ? convertibleTableCount(info) : 0;
    for (let k = 0; k < converted; k++) {
      const max = info.importedGlobals + globals.push({ name: tableMaxName(convertedTableName(info.importedTables + k)), type: "i32", mutable: false }) - 1;
      grown.push({ max, element: info.tables[k]!.type.element === "externref" ? 0x6f : 0x70, capacity: -1 });
    }
    const countdown = info.importedGlobals + globals.length + info.globals.length + definedGlobals.length;
    definedGlobals.push({ type: "i32", mutable: true, init: INITIAL_PERIOD });
    threadGlobals[countSlot] = countdown;
    const check = info.importedFuncs + funcs.length;
    funcs.push({ name: HostImport.check, params: [], results: ["i32"] });
    for (const [k, g] of grown.entries()) {
      g.capacity = info.importedGlobals + globals.length + info.globals.length + definedGlobals.length;
      // As an i32 the bits of the u32 size (a declared minimum may be up to 2^32 - 1; compared unsigned).
      definedGlobals.push({ type: "i32", mutable: true, init: info.tables[k]!.type.min | 0 });
    }
    const checkGrow = grown.length > 0 ? info.importedFuncs + funcs.length : -1;
    if (grown.length > 0) funcs.push({ name: HostImport.checkGrow, params: ["i32"], results: ["i32"] });
    const grownAt = (i: number) => grown[i - info.importedTables];
    passes.push(interruptPass(countdown, check, {
      paramCount: (i) => (info.types[i]?.kind === "func" ? (info.types[i] as { params: readonly unknown[] }).params.length : undefined),
      ...widths,
      tableMax: (i) => grownAt(i)?.max ?? -1,
      tableElement: (i) => grownAt(i)?.element ?? 0x70,
      tableCapacity: (i) => grownAt(i)?.capacity ?? -1,
      checkGrow,
    }, countSlot, fuelBodyPass ? { global: fuel, slot: fuelSlot, chargeAt: (i) => fuelBodyPass.chargeAt(i) } : undefined, asyncify && ((f) => asyncify!.graph.reaches[f] === 1)));
  }
  const convert = options.storeResources === true && (info.memories.length > 0 || info.tables.length > 0);
  if (passes.length === 0 && !convert) {
    return { bytes: info.bytes, offsets: OffsetMap.shifted(0, 0), importedFuncs: info.importedFuncs, funcShift: 0, fuel: false, interrupt: false, memories: [], tables: [] };
  }
  const r = rewriteModule(info, {
    globals,
    definedGlobals,
    funcs,
    // Threading renumbers locals, which the rewrite's inserted code names as they are: not composed.
    threading: asyncify ? [] : threading,
    threadGlobals,
    passes,
    importMemories: options.storeResources ?? false,
    importTables: options.storeResources ?? false,
  });
  return {
    bytes: r.bytes,
    offsets: r.offsets,
    importedFuncs: r.importedFuncs,
    funcShift: r.funcShift,
    fuel: options.fuelCosts !== undefined,
    interrupt: options.interrupt ?? false,
    memories: r.memories,
    tables: r.tables,
    ...(asyncify ? { asyncify: true, asyncReaches: asyncify.graph.reaches } : {}),
    ...(r.wrappers.length > 0 ? { wrappers: r.wrappers, definedFuncs: info.functions.length } : {}),
  };
}

/** Whether `options` ask for the unwind/rewind rewrite. */
export function wantsAsyncify(options: InstrumentOptions): boolean {
  return (options.asyncImports?.length ?? 0) > 0 || options.asyncSharedTables === true;
}

/** For each memory index (imported, then defined): whether it is 64-bit. */
function memoryIs64(info: ModuleInfo): boolean[] {
  const out: boolean[] = [];
  for (const imp of info.imports) if (imp.kind === "memory") out.push(imp.type.memory64 === true);
  for (const m of info.memories) out.push(m.memory64 === true);
  return out;
}

/** For each table index (imported, then defined): whether it is 64-bit. */
function tableIs64(info: ModuleInfo): boolean[] {
  const out: boolean[] = [];
  for (const imp of info.imports) if (imp.kind === "table") out.push(imp.type.table64 === true);
  for (const t of info.tables) out.push(t.type.table64 === true);
  return out;
}

/**
 * The original index of function `engineIndex` of an instrumented module (-1 for an added import); an
 * export wrapper stands for the function it wraps.
 */
export function originalFuncIndex(m: Pick<Instrumented, "importedFuncs" | "funcShift" | "wrappers" | "definedFuncs">, engineIndex: number): number {
  if (engineIndex < m.importedFuncs) return engineIndex;
  if (engineIndex < m.importedFuncs + m.funcShift) return -1;
  const index = engineIndex - m.funcShift;
  if (m.wrappers !== undefined && m.definedFuncs !== undefined && index >= m.importedFuncs + m.definedFuncs) {
    return m.wrappers[index - m.importedFuncs - m.definedFuncs] ?? -1;
  }
  return index;
}

/** True when engine function `engineIndex` is an export wrapper (see `Instrumented.wrappers`). */
export function isWrapper(m: Pick<Instrumented, "importedFuncs" | "funcShift" | "wrappers" | "definedFuncs">, engineIndex: number): boolean {
  if (m.wrappers === undefined || m.definedFuncs === undefined) return false;
  const k = engineIndex - m.funcShift - m.importedFuncs - m.definedFuncs;
  return k >= 0 && k < m.wrappers.length;
}

/** The engine index of original function `index` (the inverse of `originalFuncIndex`). */
export function engineFuncIndex(m: Pick<Instrumented, "importedFuncs" | "funcShift">, index: number): number {
  return index < m.importedFuncs ? index : index + m.funcShift;
}
