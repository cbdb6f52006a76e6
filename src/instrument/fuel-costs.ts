/**
 * What each instruction costs the fuel pass by default (Wasmtime's defaults: see `fuel.ts`) and how it
 * shapes the pass's straight-line segments: tables by instruction id (`OpInfo.id`), shared by the pass
 * (`fuel.ts`) and its segment graph (`fuel-segments.ts`).
 *
 * @module
 */
import { ALL_OPS, op } from "../binary/opcodes.js";
import { instructionTraps } from "../binary/traps.js";

/** Instructions that cost nothing by default. */
const FREE = new Set(["nop", "drop", "block", "loop", "end", "else", "unreachable", "return"]);

/** Instructions after which a new segment starts (control may arrive from elsewhere, or leave). */
const SPLIT_AFTER = new Set([
  "memory.fill", "memory.copy", "memory.init", "table.fill", "table.copy", "table.init", "table.grow",
  "loop", "if", "else", "end", "br_if", "call", "call_indirect", "call_ref", "catch", "catch_all", "delegate",
  "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail",
]);
/** Instructions after which code is dead (until the next `end`, `else` or `catch`). */
const DEAD_AFTER = new Set([
  "br", "br_table", "return", "unreachable", "throw", "rethrow", "throw_ref", "return_call",
  "return_call_indirect", "return_call_ref",
]);
/** Instructions that end dead code. */
const REVIVE = new Set(["else", "end", "catch", "catch_all", "delegate"]);

/** How an instruction ends or revives a segment (`FLOW`). */
export const Flow = { plain: 0, split: 1, dead: 2, revive: 3 } as const;
/** `Flow` by instruction id. */
export const FLOW = new Uint8Array(ALL_OPS.length);
for (const op of ALL_OPS) {
  FLOW[op.id] = REVIVE.has(op.name) ? Flow.revive : DEAD_AFTER.has(op.name) ? Flow.dead : SPLIT_AFTER.has(op.name) ? Flow.split : Flow.plain;
}

/** What entering a function costs (Wasmtime's "1 func" in its fuel tests). */
export const FUNCTION_ENTRY_COST = 1;

/** Fuel costs by instruction name (text format names, e.g. `"i32.add"`, `"call"`). */
export type FuelCosts = Readonly<Record<string, number>>;

/**
 * The cost of every instruction, indexed by `OpInfo.id`: the defaults, overridden by `costs`.
 *
 * @throws TypeError when `costs` names no instruction or gives a cost that is not a non-negative
 *   integer below 2^32.
 */
export function fuelCostTable(costs?: FuelCosts): Uint32Array {
  const table = new Uint32Array(ALL_OPS.length);
  for (const op of ALL_OPS) table[op.id] = FREE.has(op.name) ? 0 : 1;
  if (costs !== undefined) {
    if (costs === null || typeof costs !== "object") throw new TypeError("EngineConfig.fuelCosts must be an object mapping instruction names to costs");
    const byName = new Map<string, number[]>();
    for (const op of ALL_OPS) {
      const ids = byName.get(op.name);
      if (ids) ids.push(op.id);
      else byName.set(op.name, [op.id]);
    }
    for (const [name, cost] of Object.entries(costs)) {
      const ids = byName.get(name);
      if (!ids) throw new TypeError(`EngineConfig.fuelCosts: no instruction is named ${JSON.stringify(name)}`);
      if (!Number.isInteger(cost) || cost < 0 || cost > 0xffffffff) {
        throw new TypeError(`EngineConfig.fuelCosts: the cost of ${name} must be an integer from 0 to 2^32-1, got ${String(cost)}`);
      }
      for (const id of ids) table[id] = cost;
    }
  }
  return table;
}

/** Bits of `FLAGS`, by instruction id. */
export const F = { br: 1, open: 2, close: 4, call: 8, catch: 16, exit: 32, trap: 64, bulk: 128 } as const;
/** `F` bits by instruction id. */
export const FLAGS = new Uint8Array(ALL_OPS.length);
const flag = (names: string[], bit: number): void => {
  for (const name of names) FLAGS[op(name).id]! |= bit;
};
flag(["br", "br_if"], F.br);
flag(["block", "loop", "if", "try", "try_table"], F.open);
flag(["end", "delegate"], F.close);
flag(["call", "call_indirect", "call_ref"], F.call);
flag(["catch", "catch_all"], F.catch);
flag(["unreachable"], F.trap);
flag(["memory.fill", "memory.copy", "memory.init", "table.fill", "table.copy", "table.init", "table.grow"], F.bulk);
/** 1 for instructions that neither end a segment nor open a block: the fast path of the pass. */
export const PLAIN = new Uint8Array(ALL_OPS.length);
// Instructions before which the local copy is stored: they may leave the function.
flag(["return", "return_call", "return_call_indirect", "return_call_ref", "throw", "rethrow", "throw_ref",
  "br_table", "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail"], F.exit);
for (let id = 0; id < ALL_OPS.length; id++) PLAIN[id] = FLOW[id] === Flow.plain && (FLAGS[id]! & F.open) === 0 ? 1 : 0;
/**
 * 1 for the instructions inside a segment that the engine may stop with a trap (loads, stores,
 * divisions, truncations, null checks...): a segment holding one stores the fuel left at its start.
 * The engine-trapping instructions that end a segment (`call_indirect`, `call_ref`, bulk instructions,
 * `throw_ref`) have the fuel stored right before them anyway.
 */
export const TRAPS = new Uint8Array(ALL_OPS.length);
for (const o of ALL_OPS) TRAPS[o.id] = PLAIN[o.id] === 1 && instructionTraps(o.name) !== undefined ? 1 : 0;

