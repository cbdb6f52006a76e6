/**
 * What instrumentation passes and the rewriting core say to each other (`rewrite.ts` does the work):
 * the plan a composition of passes hands the core, what a pass sees of each function body and may
 * insert, and what the rewrite gives back.
 *
 * @module
 */
import type { BodyScan } from "./scan.js";
import type { OffsetMap } from "./offsets.js";
import type { ConstExpr, MemoryDesc, ModuleInfo, TableDesc } from "../binary/module-info.js";

/** The module name of every import the instrumentation adds (no real module is called this). */
export const HOST_MODULE = "\u0000wasmhost:instrument";

/** A global imported from the host. */
export interface AddedGlobal {
  readonly name: string;
  readonly type: "i32" | "i64";
  readonly mutable: boolean;
}

/** A global the rewritten module defines (appended after its own globals: no index moves). */
export interface DefinedGlobal {
  readonly type: "i32" | "i64";
  readonly mutable: boolean;
  /** The initial value (an i32.const / i64.const). */
  readonly init: number;
}

/** A function imported from the host. */
export interface AddedFunc {
  readonly name: string;
  readonly params: readonly ("i32" | "i64")[];
  readonly results: readonly ("i32" | "i64")[];
}

/** Code to insert: its bytes, and the offset of an `unreachable` in it that a pass wants recorded. */
export interface Snippet {
  readonly bytes: Uint8Array;
  /** Offset of the recorded `unreachable` within `bytes`, or -1. */
  readonly trapAt: number;
  /** The `TrapSite` of that `unreachable`. */
  readonly trapKind: number;
  /** Offsets of more recorded `unreachable`s of the same kind, for snippets with several. */
  readonly moreTraps?: readonly number[];
  /**
   * Offset within `bytes` of the `if` or `br_if` that enters the snippet's slow path (a check that
   * failed), or undefined: the rewritten module hints it to engines as unlikely (`branch-hints.ts`).
   */
  readonly unlikelyAt?: number;
}

/** What a pass sees of one defined function while it is rewritten. */
export interface FunctionContext {
  /** The function's index in the original module. */
  readonly funcIndex: number;
  /** The module's bytes (`scan` offsets point into them), for passes that read immediates. */
  readonly bytes: Uint8Array;
  /** Number of parameters (locals start after them). */
  readonly paramCount: number;
  /** The scanned instructions of the body. */
  readonly scan: BodyScan;
  /**
   * Inserts `snippet` before instruction `insn` (calls must come in nondecreasing `insn` order). Frames
   * in the inserted code map to the original offset of instruction `mapTo` (default `insn`).
   */
  insert(insn: number, snippet: Snippet, mapTo?: number): void;
  /**
   * Replaces instruction `insn` by `bytes[from..to)` (default: all of them; for instance to renumber a
   * branch's labels). It comes after every insertion before `insn`, from any pass, and in the same
   * order as insertions. The bytes are copied at once, so a pass may build every replacement in one
   * scratch buffer. A `Snippet` may be given instead of bytes (its bytes are read when the body is
   * written).
   */
  replace(insn: number, bytes: Uint8Array | Snippet, from?: number, to?: number): void;
  /** Declares a new local of value type `typeCode` (one byte, e.g. 0x7f for i32) and returns its index. */
  addLocal(typeCode: number): number;
  /**
   * The local that passes share under `key` in this function (declared with `typeCode` by the first
   * pass that asks): e.g. the fuel left, which the interruption pass stores before it traps.
   */
  sharedLocal(key: string, typeCode: number): number;
  /**
   * The type codes of the locals added to this function so far by every pass, in index order (a live
   * view: read it when a snippet's bytes are read, after every pass has visited, to see them all).
   */
  readonly addedLocals: readonly number[];
  /** True when this function is threaded: it receives and returns the plan's `threading` values. */
  readonly threaded: boolean;
  /** True when original function `funcIndex` is threaded (calls to it pass the values along). */
  isThreaded(funcIndex: number): boolean;
  /** True when instruction `insn` is a `call` of a threaded function. */
  callsThreaded(insn: number): boolean;
  /** In a threaded function, the parameter holding value `slot` of `RewritePlan.threading`. */
  threadParam(slot: number): number;
  /** Says which local holds value `slot` in this function (passed to threaded callees, returned by threaded functions). */
  threadValue(slot: number, local: number): void;
}

/** A pass over function bodies. */
export interface BodyPass {
  /** Called once per defined function, in order. */
  visit(fn: FunctionContext): void;
}

/** Everything a composition of passes asks of the core. */
export interface RewritePlan {
  readonly globals: readonly AddedGlobal[];
  /** Globals to define, after the module's own. */
  readonly definedGlobals: readonly DefinedGlobal[];
  readonly funcs: readonly AddedFunc[];
  /** Turn the module's leading convertible defined memories into imports named `memory<i>`. */
  readonly importMemories: boolean;
  /** Turn the module's leading convertible defined tables into imports named `table<i>`. */
  readonly importTables: boolean;
  readonly passes: readonly BodyPass[];
  /**
   * Values (by value type code, e.g. 0x7e for i64) that functions only called directly — not exported,
   * not referenced, not the start function — take as extra parameters and give back as extra results,
   * so that they stay in registers across calls instead of going through globals (see the module
   * comment). Passes say which local holds each value with `threadValue`.
   */
  readonly threading?: readonly number[];
  /**
   * For each value of `threading`, the global (index after rewriting) it lives in for unthreaded code.
   * Given, exported functions are threaded too: the export becomes a thin wrapper (appended after
   * every defined function, of the original type) that passes the globals to the threaded body and
   * stores what comes back, so that calls inside the module, recursion included, stay threaded.
   */
  readonly threadGlobals?: readonly number[];
}

/** A memory or table the rewritten module imports instead of defining. */
export interface ConvertedMemory {
  readonly name: string;
  readonly type: MemoryDesc;
}

/** The hidden import that replaces the module's own table `index` (see `RewritePlan.importTables`). */
export function convertedTableName(index: number): string {
  return `table${index}`;
}

/**
 * How many of `info`'s defined tables `RewritePlan.importTables` turns into imports: the leading ones
 * the host can create (`tableConvertible`).
 */
export function convertibleTableCount(info: Pick<ModuleInfo, "tables">): number {
  let n = 0;
  while (n < info.tables.length && tableConvertible(info.tables[n]!)) n++;
  return n;
}

/**
 * The hidden immutable i32 global holding the maximum size of converted table `tableName`: the
 * smallest of its declared maximum, the store's `tableElements` and the engine's table size limit.
 * Imported by modules with interruption checks, which split long `table.grow`s with it (epoch.ts).
 */
export function tableMaxName(tableName: string): string {
  return `${tableName}.max`;
}

/** A table the rewritten module imports instead of defining. */
export interface ConvertedTable {
  readonly name: string;
  readonly type: TableDesc;
}

/** The result of `rewriteModule`. */
export interface Rewritten {
  readonly bytes: Uint8Array;
  /** Original function imports; added functions take indices from here, defined ones move up by `funcShift`. */
  readonly importedFuncs: number;
  readonly funcShift: number;
  readonly globalShift: number;
  /** Rewritten offsets -> original offsets, and the inserted trap sites. */
  readonly offsets: OffsetMap;
  readonly memories: readonly ConvertedMemory[];
  readonly tables: readonly ConvertedTable[];
  /** The original index of each export wrapper, in order; they follow every defined function. */
  readonly wrappers: readonly number[];
}

/** True when memory `m` can be created by the host (JS API): a 32-bit memory with 64 KiB pages. */
export function memoryConvertible(m: MemoryDesc): boolean {
  return !m.memory64 && m.pageSizeLog2 === undefined;
}

/** True when table `t` can be created by the host: funcref or externref, 32-bit, no initializer. */
export function tableConvertible(t: { type: TableDesc; init?: ConstExpr }): boolean {
  return (t.type.element === "funcref" || t.type.element === "externref") && !t.type.table64 && t.type.shared !== true && t.init === undefined;
}
