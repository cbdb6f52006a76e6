/**
 * The fuel pass: every executed instruction costs fuel (1 by default; `nop`, `drop`, `block`, `loop`,
 * `end`, `else`, `unreachable` and `return` are free, as in Wasmtime), and running out traps
 * `out_of_fuel`.
 *
 * Fuel is charged per straight-line segment, not per instruction. A segment starts at the function
 * entry and after every instruction that can change the flow of control (`loop`, `if`, `else`, `end`,
 * branches, calls, `catch`...) and is charged, before it runs, with the sum of its instructions' costs.
 * A segment never contains a join point, so when its first instruction runs all of it runs, unless
 * something traps: the fuel left after a call returns is exact. Segments also end after every call, so
 * that a host function reading the fuel sees exactly what its caller has used so far, and so that
 * fuel used in a callee is not charged to code after the call before it runs. Code after an
 * unconditional branch is dead until the next `end`/`else` and is not charged.
 *
 * The fuel left lives in an imported mutable i64 global (`HOST_MODULE`.`fuel`) that the store owns and
 * that all its instances share; the host reads and writes it directly. A charge of `c` is:
 *
 * ```wasm
 * global.get $fuel  i64.const c  i64.lt_s  if  unreachable  end       ;; out of fuel: trap here
 * global.get $fuel  i64.const c  i64.sub   global.set $fuel
 * ```
 *
 * The recorded `unreachable` makes the engine's trap identifiable as `out_of_fuel` from its frame
 * offset alone, with no host call; the frame points at the segment's first instruction. A charge that
 * does not fit leaves the fuel as it was (less than `c`).
 *
 * @module
 */
import { ALL_OPS } from "../binary/opcodes.js";
import { TrapSite } from "./offsets.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { ByteSink } from "./sink.js";

/** Instructions that cost nothing by default. */
const FREE = new Set(["nop", "drop", "block", "loop", "end", "else", "unreachable", "return"]);

/** Instructions after which a new segment starts (control may arrive from elsewhere, or leave). */
const SPLIT_AFTER = new Set([
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

const Flow = { plain: 0, split: 1, dead: 2, revive: 3 } as const;
const FLOW = new Uint8Array(ALL_OPS.length);
for (const op of ALL_OPS) {
  FLOW[op.id] = REVIVE.has(op.name) ? Flow.revive : DEAD_AFTER.has(op.name) ? Flow.dead : SPLIT_AFTER.has(op.name) ? Flow.split : Flow.plain;
}

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

/** The fuel pass, charging the imported global `fuelGlobal` with the costs of `costs` (see the module comment). */
export function fuelPass(fuelGlobal: number, costs: Uint32Array): BodyPass {
  const snippets = new Map<number, Snippet>();
  const charge = (cost: number): Snippet => {
    let s = snippets.get(cost);
    if (!s) {
      const b = new ByteSink(32);
      b.u8(0x23); b.u32(fuelGlobal); // global.get
      b.u8(0x42); b.sleb(cost); // i64.const
      b.u8(0x53); // i64.lt_s
      b.u8(0x04); b.u8(0x40); // if
      const trapAt = b.length;
      b.u8(0x00); // unreachable
      b.u8(0x0b); // end
      b.u8(0x23); b.u32(fuelGlobal);
      b.u8(0x42); b.sleb(cost);
      b.u8(0x7d); // i64.sub
      b.u8(0x24); b.u32(fuelGlobal); // global.set
      s = { bytes: b.view().slice(), trapAt, trapKind: TrapSite.outOfFuel };
      snippets.set(cost, s);
    }
    return s;
  };
  return {
    visit(fn: FunctionContext): void {
      const { n, op } = fn.scan;
      let segStart = 0;
      let acc = 0;
      let dead = false;
      for (let i = 0; i < n; i++) {
        const o = op[i]!;
        if (!dead) acc += costs[o]!;
        const flow = FLOW[o]!;
        if (flow === Flow.plain) continue;
        if (!dead && acc > 0) fn.insert(segStart, charge(acc));
        acc = 0;
        segStart = i + 1;
        if (flow === Flow.dead) dead = true;
        else if (flow === Flow.revive) dead = false;
      }
      if (!dead && acc > 0) fn.insert(segStart, charge(acc)); // only for a body without its final `end`
    },
  };
}
