/**
 * The fuel pass: every executed instruction costs fuel, with Wasmtime's default costs so that the same
 * module and calls consume the same fuel as in Wasmtime: 1 per instruction (`nop`, `drop`, `block`,
 * `loop`, `end`, `else`, `unreachable` and `return` are free), 1 per function entered (so an export
 * calling a host function costs 2), and bulk memory and table instructions (`memory.fill/copy/init`,
 * `table.fill/copy/init`, `table.grow`) 1 more per byte or element, charged before they run
 * (`FuelPassOptions.bulkPerUnit`; off, they cost their flat 1).
 *
 * Checks. As in Wasmtime, fuel is checked only where unbounded work can start: at function entries
 * and loop headers (every run that does not end passes one of them again and again), and, for bulk
 * instructions charged by length, after the length is charged and before the instruction runs (one
 * instruction can touch gigabytes). Every other segment only subtracts, so the segments after the last
 * check may run past zero: a call can complete with the fuel below zero, which the store reads as 0
 * (`getFuel`), and the next function entry or loop header traps. How far past zero a call gets is
 * bounded by the code between two checks: straight-line code with no loop, including any host calls
 * in it (a host function called past zero runs, and reads 0). Running out at a check traps
 * `out_of_fuel` and leaves 0. The fuel consumed by calls that complete is Wasmtime's; a check charges
 * the segment it starts before comparing (Wasmtime compares what ran before the header), so which
 * iteration of a loop traps can differ from Wasmtime's by a segment. Checking in every segment (the
 * first version) made the instrumented SQLite 2.25 MB against 1.03 MB plain; checking at these points
 * only, 1.63 MB (1.61 MB with the early stores below).
 *
 * Segments. Fuel is charged per straight-line segment, not per instruction. A segment starts at the
 * function entry and after every instruction that can change the flow of control (`loop`, `if`,
 * `else`, `end`, branches, calls, `catch`...) or whose cost depends on its operands (bulk
 * instructions), and is charged, before it runs, with the sum of its instructions' costs. A segment
 * contains no join point, so when its first instruction runs all of it runs (unless something traps):
 * the fuel left after a call returns is exact. Segments end after every call, so that fuel is charged
 * in execution order across calls. Code after an unconditional branch is dead until the next
 * `end`/`else` and is not charged.
 *
 * Where fuel lives. The store owns the fuel left: an imported mutable i64 global
 * (`HOST_MODULE`.`fuel`) shared by all its instances, which the host reads and sets directly. Reading
 * an imported global is an indirect load in the engine, so each function works on a copy in a local
 * (`$fuel`) and writes it back wherever the global must be right:
 *
 * - loaded from the global at entry and after every call (the callee, or a host function, changed it);
 * - stored to the global before every call (so a host function reads exactly what was used so far,
 *   and a stack overflow, which the engine raises as the callee is entered, finds it there; calls of
 *   threaded functions too), before every exit (`return`, the final `end`, a branch out of the
 *   function, `throw`, tail calls), before every `unreachable` and bulk instruction, and by the
 *   interruption pass before it traps `interrupt`;
 * - stored after calls of threaded functions and right after the charge of join points (a loop header
 *   a branch targets, the end of a block a branch targets, the end of an `if`), where a segment that
 *   the engine may trap in (loads, stores, divisions, truncations, `table.get`, null checks...:
 *   `binary/traps.ts`) needs it (`SegmentGraph`).
 *
 * A segment that stores at its start (after its charge) needs no store before its last instruction:
 * nothing in a segment changes the local, so the global already holds the same value there. So a
 * segment ending with a call or `unreachable` that is not a check stores at its start, in one snippet
 * with its charge (`SegmentGraph.early`; 2 bytes less per call, and the start is where a trap's walk
 * in it stops). Not in modules rewritten for async imports, whose rewinds skip code.
 *
 * So every exit bills what ran: returns, host calls and host errors, `unreachable`, interrupts,
 * running out and engine traps. For an engine trap, the global holds the fuel left at the last point of
 * the path where it is right; from there to the trapping instruction the path is unique, so trap
 * handling rescans the original body and sets the global to that value minus the charges along the
 * path, plus what the trapping segment was charged for instructions after the trapping one
 * (`fuelAdjustAt`; nothing is recorded per instruction). The stores are the price of exactness: a loop
 * that touches memory stores once per iteration, one store of a register; on SQLite about half the
 * segments that can trap store (16,860 of 32,039; storing in all of them was the first version), and
 * a global the module defines instead of the imported one was measured no faster (sieve: 1.30x
 * against 1.27x plain). Modules rewritten for async imports, and functions with
 * exception handling, `br_on_*` or tail calls, are not walked: every segment that can trap stores.
 *
 * A charge of `c` is register work; at a check, only the out-of-fuel path touches the global:
 *
 * ```wasm
 * local.get $fuel  i64.const c  i64.sub  local.set $fuel                   ;; most segments
 * local.get $fuel  i64.const c  i64.sub  local.tee $fuel  global.set $fuel_g  ;; ... that store
 * local.get $fuel  i64.const c  i64.sub  local.tee $fuel  i64.const 0  i64.lt_s  ;; a check
 * if  i64.const 0  global.set $fuel_g  unreachable  end   ;; trap here, none left
 * ```
 *
 * A loop header whose segment costs nothing (`loop loop ...`) still checks (`local.get $fuel
 * i64.const 0 i64.lt_s if ...`), so that no loop runs on below zero whatever the costs.
 *
 * Functions that are only ever called directly (see `RewritePlan.threading`) take the fuel as an extra
 * parameter and return it as an extra result instead, so that a call costs no load and one store
 * before it (for a stack overflow), plus one after it where a trap's walk needs it.
 *
 * The pass builds the body's `SegmentGraph` (one walk over its instructions) and then inserts segment by
 * segment from it: the graph records each segment's charge, its last instruction and the blocks open
 * there. A body with no control flow, call or bulk instruction (`NOT_STRAIGHT`) is one segment, charged
 * without a graph.
 *
 * The recorded `unreachable` makes the engine's trap identifiable as `out_of_fuel` from its frame
 * offset alone, with no host call; the frame points at the first instruction of the checked segment
 * (or at the bulk instruction).
 *
 * @module
 */
import { bulkTouches64, NO_64_BIT, type IndexWidths } from "./bulk.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { ALL_OPS, op } from "../binary/opcodes.js";
import { bodyAt, instructionTraps } from "../binary/traps.js";
import { TrapSite } from "./offsets.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { BodyScan, lastLebEnd, NOT_STRAIGHT, OpClass, readLeb } from "./scan.js";
import { IntStack } from "./insert-list.js";
import { ByteSink } from "./sink.js";

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

const Flow = { plain: 0, split: 1, dead: 2, revive: 3 } as const;
const FLOW = new Uint8Array(ALL_OPS.length);
for (const op of ALL_OPS) {
  FLOW[op.id] = REVIVE.has(op.name) ? Flow.revive : DEAD_AFTER.has(op.name) ? Flow.dead : SPLIT_AFTER.has(op.name) ? Flow.split : Flow.plain;
}

/** What entering a function costs (Wasmtime's "1 func" in its fuel tests). */
export const FUNCTION_ENTRY_COST = 1;

/** Options of the fuel pass beyond the per-instruction costs. */
export interface FuelPassOptions {
  /**
   * Charge bulk memory and table instructions one unit per byte or element they touch, on top of
   * their own cost (default true, as Wasmtime does); false charges their flat cost only.
   */
  readonly bulkPerUnit?: boolean;
  /** Which memories and tables are 64-bit (their bulk instructions are charged their flat cost). */
  readonly widths?: IndexWidths;
  /**
   * Walk segment paths at trap time (`SegmentGraph`; default true); false stores the fuel in every
   * segment that can trap (for modules rewritten for async imports, whose rewinds skip code).
   */
  readonly walk?: boolean;
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

/** Bits of `FLAGS`, by instruction id. */
const F = { br: 1, open: 2, close: 4, call: 8, catch: 16, exit: 32, trap: 64, bulk: 128 } as const;
const FLAGS = new Uint8Array(ALL_OPS.length);
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
const PLAIN = new Uint8Array(ALL_OPS.length);
// Instructions before which the local copy is stored: they may leave the function.
flag(["return", "return_call", "return_call_indirect", "return_call_ref", "throw", "rethrow", "throw_ref",
  "br_table", "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail"], F.exit);
/** Fixed snippets of one pass instance (they depend on the global's and the local's indices). */
class FuelSnippets {
  private readonly charges = new Map<number, Snippet>();
  readonly load: Snippet;
  readonly store: Snippet;

  constructor(private readonly global: number, private readonly local: number) {
    const load = new ByteSink(12);
    load.u8(0x23); load.u32(global); // global.get
    load.u8(0x21); load.u32(local); // local.set
    this.load = { bytes: load.view().slice(), trapAt: -1, trapKind: 0 };
    const store = new ByteSink(12);
    store.u8(0x20); store.u32(local); // local.get
    store.u8(0x24); store.u32(global); // global.set
    this.store = { bytes: store.view().slice(), trapAt: -1, trapKind: 0 };
  }

  private readonly small: (Snippet | undefined)[] = [];
  private readonly perUnit = new Map<number, Snippet>();

  /**
   * The charge of a bulk instruction's length (on top of the stack, an i32 kept there), one unit per
   * byte or element, through the i32 local `temp`.
   */
  chargeLength(temp: number): Snippet {
    let s = this.perUnit.get(temp);
    if (!s) {
      const b = new ByteSink(40);
      b.u8(0x22); b.u32(temp); // local.tee $n
      b.u8(0x20); b.u32(this.local); // local.get $fuel
      b.u8(0x20); b.u32(temp); // local.get $n
      b.u8(0xad); // i64.extend_i32_u
      b.u8(0x7d); // i64.sub
      b.u8(0x22); b.u32(this.local); // local.tee $fuel
      b.u8(0x42); b.u8(0x00); // i64.const 0
      b.u8(0x53); // i64.lt_s
      b.u8(0x04); b.u8(0x40); // if
      b.u8(0x42); b.u8(0x00); // i64.const 0
      b.u8(0x24); b.u32(this.global); // global.set
      const trapAt = b.length;
      b.u8(0x00); // unreachable
      b.u8(0x0b); // end
      this.perUnit.set(temp, (s = { bytes: b.view().slice(), trapAt, trapKind: TrapSite.outOfFuel }));
    }
    return s;
  }

  /**
   * The charge of `cost` at a check point (a function entry or a loop header), as `Charge` says:
   * checked, subtracting only, or subtracting and storing the fuel left in the global.
   */
  charge(cost: number, how: Charge): Snippet {
    const key = cost * 3 + how;
    if (key < 768) return (this.small[key] ??= this.makeCharge(cost, how));
    let s = this.charges.get(key);
    if (!s) this.charges.set(key, (s = this.makeCharge(cost, how)));
    return s;
  }

  private makeCharge(cost: number, how: Charge): Snippet {
    const b = new ByteSink(40);
    b.u8(0x20); b.u32(this.local); // local.get
    if (how === Charge.checked && cost === 0) {
      // A loop header charged nothing: only the check, so that no loop runs on with negative fuel.
    } else {
      b.u8(0x42); b.sleb(cost); // i64.const
      b.u8(0x7d); // i64.sub
      if (how === Charge.spend) {
        b.u8(0x21); b.u32(this.local); // local.set
        return { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
      }
      b.u8(0x22); b.u32(this.local); // local.tee
      if (how === Charge.spendAndStore) {
        b.u8(0x24); b.u32(this.global); // global.set
        return { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
      }
    }
    b.u8(0x42); b.u8(0x00); // i64.const 0
    b.u8(0x53); // i64.lt_s
    b.u8(0x04); b.u8(0x40); // if
    b.u8(0x42); b.u8(0x00); // i64.const 0
    b.u8(0x24); b.u32(this.global); // global.set: none left
    const trapAt = b.length;
    b.u8(0x00); // unreachable
    b.u8(0x0b); // end
    return { bytes: b.view().slice(), trapAt, trapKind: TrapSite.outOfFuel };
  }
}

/** How a segment's charge is inserted (see `FuelSnippets.charge`). */
const Charge = { checked: 0, spend: 1, spendAndStore: 2 } as const;
type Charge = (typeof Charge)[keyof typeof Charge];

for (let id = 0; id < ALL_OPS.length; id++) PLAIN[id] = FLOW[id] === Flow.plain && (FLAGS[id]! & F.open) === 0 ? 1 : 0;
/**
 * 1 for the instructions inside a segment that the engine may stop with a trap (loads, stores,
 * divisions, truncations, null checks...): a segment holding one stores the fuel left at its start.
 * The engine-trapping instructions that end a segment (`call_indirect`, `call_ref`, bulk instructions,
 * `throw_ref`) have the fuel stored right before them anyway.
 */
const TRAPS = new Uint8Array(ALL_OPS.length);
for (const o of ALL_OPS) TRAPS[o.id] = PLAIN[o.id] === 1 && instructionTraps(o.name) !== undefined ? 1 : 0;

/** The fuel pass, and what it charged where in the function it visited last. */
export interface FuelBodyPass extends BodyPass {
  /**
   * The charge inserted before instruction `insn` of the function visited last (0 for none): the cost
   * of the segment starting there, plus the entry's for instruction 0. The interruption pass, which
   * visits the same function next, gives it back when it interrupts there (nothing of it ran).
   */
  chargeAt(insn: number): number;
}

/** The fuel pass, charging the imported global `fuelGlobal` with the costs of `costs` (see the module comment). */
export function fuelPass(fuelGlobal: number, costs: Uint32Array, slot: number, options: FuelPassOptions = {}): FuelBodyPass {
  const perUnit = options.bulkPerUnit ?? true;
  const widths = options.widths ?? NO_64_BIT;
  const byLocal = new Map<number, FuelSnippets>();
  const walk = options.walk ?? true;
  // Shared by every pass instance (rewrites run one at a time): grown once to the largest body seen.
  const graph = (passGraph ??= new SegmentGraph());
  return {
    chargeAt(insn: number): number {
      return insn < charged.length ? charged[insn]! : 0;
    },
    visit(fn: FunctionContext): void {
      // A threaded function gets the fuel as a parameter and gives it back: no loads, no exit stores.
      const threaded = fn.threaded;
      const local = threaded ? fn.threadParam(slot) : fn.sharedLocal("fuel", 0x7e);
      fn.threadValue(slot, local);
      let snippets = byLocal.get(local);
      if (!snippets) byLocal.set(local, (snippets = new FuelSnippets(fuelGlobal, local)));
      const { n, op: ops, start } = fn.scan;
      const bytes = fn.bytes;
      if (charged.length <= n) charged = new Float64Array(Math.max(n + 1, charged.length * 2));
      else charged.fill(0, 0, n + 1);
      if (!threaded) fn.insert(0, snippets.load);
      if ((fn.scan.mask & NOT_STRAIGHT) === 0 && n > 0 && ops[n - 1] === END_ID) {
        // One straight-line segment, ending with the body's `end` (most small functions): what the
        // general walk below inserts for it, without building its graph.
        let cost = FUNCTION_ENTRY_COST;
        for (let i = 0; i < n; i++) cost += costs[ops[i]!]!;
        fn.insert(0, snippets.charge(cost, Charge.checked));
        charged[0] = cost;
        if (!walk && fn.scan.mask & OpClass.traps) fn.insert(0, snippets.store);
        if (!threaded) fn.insert(n - 1, snippets.store);
        return;
      }
      graph.build(ops, start, n, bytes, costs, walk, fn.scan.mask);
      // Segment by segment (the graph has their charges, ends and depths: no second walk of every
      // instruction). Entering a function costs one unit, as in Wasmtime (so an export calling the
      // host costs 2): the graph's first charge includes it.
      const count = graph.count;
      const { first, charge, endAt, depthAt } = graph;
      let temp = -1;
      for (let seg = 0; seg < count; seg++) {
        const segStart = first[seg]!;
        const acc = charge[seg]!; // 0 in dead code
        const dead = graph.dead[seg] === 1;
        // Checked at the function's entry and at loop headers only (see the module comment).
        const check = !dead && (seg === 0 || ops[endAt[seg - 1]!] === LOOP_ID);
        const stores = graph.stores(seg);
        if (check) {
          fn.insert(segStart, snippets.charge(acc, Charge.checked));
          if (stores) fn.insert(segStart, snippets.store);
        } else if (acc > 0) {
          fn.insert(segStart, snippets.charge(acc, stores ? Charge.spendAndStore : Charge.spend));
        } else if (stores) fn.insert(segStart, snippets.store);
        charged[segStart] = acc;
        // Only for a body without its final `end`: the segment ends with no instruction of its own.
        if (seg === count - 1 && graph.trailing) break;
        // The segment ends with instruction i: what goes before i.
        const i = endAt[seg]!;
        const o = ops[i]!;
        const flags = FLAGS[o]!;
        const flow = FLOW[o]!;
        const direct = flags & F.call && fn.callsThreaded(i);
        if (!dead && flags & F.bulk && perUnit && !bulkTouches64(bytes, start[i]!, start[i + 1]!, o, widths)) {
          if (temp < 0) temp = fn.addLocal(0x7f);
          fn.insert(i, snippets.chargeLength(temp));
        }
        // Before a call, `unreachable` or an exit, the global must hold the fuel left: it does already
        // when the segment stored at its start (after its charge, and nothing in it changes the local;
        // not in modules rewritten for async imports, whose rewinds skip code).
        const stored = stores && walk;
        if (!dead && (flags & F.bulk || (direct && !stored))) fn.insert(i, snippets.store);
        if (!dead && !direct && !stored) {
          if (flags & (F.call | F.trap)) fn.insert(i, snippets.store);
          else if (!threaded && (flags & F.exit || i === n - 1)) fn.insert(i, snippets.store);
          else if (!threaded && flags & F.br && readLeb(bytes, start[i]! + 1, start[i + 1]!) === depthAt[seg]) fn.insert(i, snippets.store);
        }
        const deadAfter = flow === Flow.dead ? true : flow === Flow.revive ? false : dead;
        if (!deadAfter && i + 1 < n && flags & (F.call | F.catch) && !direct) fn.insert(i + 1, snippets.load);
        // After a threaded callee returns, the global is where trap handling starts a walk (see `SegmentGraph`).
        if (!deadAfter && i + 1 < n && direct && graph.walked && graph.isNeeded(seg + 1)) fn.insert(i + 1, snippets.store);
      }
    },
  };
}


/**
 * What the fuel pass charged before each instruction of the function it visited last (`chargeAt`):
 * shared by every pass (rewrites run one at a time), grown once to the largest body seen.
 */
let charged = new Float64Array(256);

/** Reused by every fuel pass (created on first use: the class is declared below). */
let passGraph: SegmentGraph | undefined;

/** Reused by `fuelAdjustAt` (created on first use: the class is declared below). */
let adjustScan: BodyScan | undefined;
let adjustGraph: SegmentGraph | undefined;

/**
 * What trap handling adds to the store's fuel global when the engine traps at `offset` (an offset in
 * the original binary `info`, instrumented with `costs`; `walk` as `FuelPassOptions.walk`), so that it
 * holds the fuel left after exactly what ran, the trapping instruction included: the global may hold
 * the fuel left at an earlier point of the path (`SegmentGraph`), after charging the whole trapping
 * segment. Runs only when a trap is converted: the body is scanned again.
 */
export function fuelAdjustAt(info: ModuleInfo, offset: number, costs: Uint32Array, walk: boolean): number {
  const body = bodyAt(info, offset);
  if (!body) return 0;
  try {
    const scan = (adjustScan ??= new BodyScan());
    const graph = (adjustGraph ??= new SegmentGraph());
    scan.scan(body.code, 0, body.code.length);
    const at = offset - body.codeOffset;
    let insn = -1;
    for (let l = 0, h = scan.n - 1; l <= h;) {
      const mid = (l + h) >> 1;
      const v = scan.start[mid]!;
      if (v === at) {
        insn = mid;
        break;
      }
      if (v < at) l = mid + 1;
      else h = mid - 1;
    }
    if (insn < 0) return 0;
    graph.build(scan.op, scan.start, scan.n, body.code, costs, walk);
    return graph.adjustAt(insn, scan.op, costs, scan.n);
  } catch {
    return 0;
  }
}

/** How the fuel left is known at the start of a segment (see `SegmentGraph`). */
const Seg = { plain: 0, join: 1, before: 2 } as const;
/** Instructions after which a function's segments are not walked (every trapping segment stores instead). */
const UNWALKED = new Uint8Array(ALL_OPS.length);
for (const name of ["try", "catch", "catch_all", "delegate", "try_table", "throw", "rethrow", "throw_ref",
  "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail", "return_call", "return_call_indirect", "return_call_ref"]) {
  UNWALKED[op(name).id] = 1;
}
const IF = op("if").id;
const END_ID = op("end").id;
const ELSE = op("else").id;
const LOOP_ID = op("loop").id;
const BR_TABLE = op("br_table").id;
/** Block kinds on the graph builder's control stack. */
const Ctl = { block: 0, loop: 1, if: 2 } as const;

/**
 * The segments of one body as the fuel pass charges them, and where the fuel left is in the store's
 * global, so that trap handling can say what ran before an engine trap without a store in every
 * segment that can trap.
 *
 * Every segment start is one of:
 * - `before`: the global holds the fuel left before the segment's charge: the function's entry (the
 *   caller stored it before the call, or the host set it), after a call (loaded back, or stored after
 *   a call of a threaded function), after a bulk instruction (stored before it);
 * - `join`: control may arrive from several places (a loop header that a branch targets, the end of a
 *   block that a branch targets, the end of an `if`): the segment stores the fuel left after its
 *   charge, when the function has any instruction the engine may trap at;
 * - `plain`: control arrives from one segment only, `pred` (the fall-through of `br_if`, the start of
 *   `then` or `else`, the end of a block no branch targets, the end of a loop).
 *
 * So from a trapping instruction, the path back to the last `before` or `join` start is unique, and
 * its charges are constants. Functions with exception handling, `br_on_*` or tail calls, and modules
 * rewritten for async imports, are not walked: there every segment is a `join`, stored when it holds
 * an instruction that can trap (`exact` false).
 */
export class SegmentGraph {
  count = 0;
  first = new Int32Array(64);
  charge = new Float64Array(64);
  kind = new Uint8Array(64);
  pred = new Int32Array(64);
  dead = new Uint8Array(64);
  traps = new Uint8Array(64);
  /**
   * For each segment: 1 when it ends with a call or `unreachable`, before which the fuel left is
   * stored, and is not a check: it stores at its start instead, merged with its charge (the global
   * holds the same value there, since nothing in between reads or writes it).
   */
  early = new Uint8Array(64);
  /** For each segment: 1 when it is where the walk from some segment that can trap stops. */
  needed = new Uint8Array(64);
  /** Whether paths are walked (see the class comment). */
  walked = false;
  /** For each segment: the instruction that ends it, and the number of blocks open there. */
  endAt = new Int32Array(64);
  depthAt = new Int32Array(64);
  /** True when the last segment ends with the body, not with an instruction ending segments (no final `end`). */
  trailing = false;
  private targeted = new Uint8Array(64);
  private stopOf = new Int32Array(64);
  private readonly ctlKind = new IntStack();
  private readonly ctlAt = new IntStack();
  private readonly ctlSeg = new IntStack();

  /** Whether segment `s` stores the fuel left after its charge. */
  stores(s: number): boolean {
    if (this.dead[s]) return false;
    if (this.early[s]) return true;
    if (!this.walked) return this.traps[s] === 1;
    return this.kind[s] === Seg.join && this.needed[s] === 1;
  }

  /** Whether the global must hold the fuel left at the start of segment `s` (see `SegmentGraph`). */
  isNeeded(s: number): boolean {
    return this.needed[s] === 1;
  }

  /** The segment holding instruction `insn`. */
  segmentOf(insn: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.first[mid]! <= insn) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Builds the graph of the `n` scanned instructions `ops` (starting at `start` in `bytes`) with costs
   * `costs`; `walk` false: every segment is a join (see the class comment).
   */
  build(ops: Uint16Array, start: Int32Array, n: number, bytes: Uint8Array, costs: Uint32Array, walk: boolean, mask = -1): void {
    if (this.first.length < n + 2) this.grow(Math.max(n + 2, this.first.length * 2));
    let walked = walk;
    // The scan's classes say when there is nothing to look for (`mask` -1: unknown, look).
    if (walk && mask & OpClass.unusual) {
      for (let i = 0; i < n; i++) {
        if (UNWALKED[ops[i]!]) {
          walked = false;
          break;
        }
      }
    }
    this.walked = walked;
    // Which blocks a branch targets (by the index of the instruction opening them), found by the walk
    // below as it meets the branches (a block's end comes after them; a loop's header segment, which
    // comes before, is made a join then).
    const targeted = this.targeted;
    if (walked) targeted.fill(0, 0, n);
    const branches = walked && (mask & OpClass.branch) !== 0;
    const ctlKind = this.ctlKind;
    const ctlAt = this.ctlAt;
    const ctlSeg = this.ctlSeg;
    ctlKind.clear();
    ctlAt.clear();
    ctlSeg.clear();
    let count = 0;
    let segStart = 0;
    let acc = FUNCTION_ENTRY_COST;
    let traps = 0;
    let dead = false;
    let nextKind: number = Seg.before;
    let nextPred = -1;
    // Whether the next segment is checked: the function's entry, and each loop header.
    let checked = true;
    const close = (end: number): number => {
      const k = count++;
      this.first[k] = segStart;
      this.endAt[k] = end;
      this.depthAt[k] = ctlKind.length;
      this.charge[k] = dead ? 0 : acc;
      this.dead[k] = dead ? 1 : 0;
      this.traps[k] = !dead && traps ? 1 : 0;
      this.early[k] = walk && !dead && !checked && FLAGS[ops[end]!]! & (F.call | F.trap) ? 1 : 0;
      this.kind[k] = walked ? nextKind : Seg.join;
      this.pred[k] = nextPred;
      segStart = end + 1;
      checked = ops[end] === LOOP_ID;
      acc = 0;
      traps = 0;
      return k;
    };
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      if (!dead) {
        acc += costs[o]!;
        traps |= TRAPS[o]!;
      }
      const flags = FLAGS[o]!;
      if (flags & F.open) {
        ctlKind.push(o === LOOP_ID ? Ctl.loop : o === IF ? Ctl.if : Ctl.block);
        ctlAt.push(i);
        ctlSeg.push(-1);
      }
      const flow = FLOW[o]!;
      if (flow === Flow.plain) continue;
      const k = close(i);
      nextKind = Seg.plain;
      nextPred = k;
      if (flags & (F.call | F.catch | F.bulk)) nextKind = Seg.before;
      else if (o === LOOP_ID) ctlSeg.set(ctlSeg.length - 1, k + 1); // the header: a join if a branch targets it
      else if (o === IF) ctlSeg.set(ctlSeg.length - 1, k);
      else if (o === ELSE) nextPred = ctlSeg.length > 0 ? ctlSeg.at(ctlSeg.length - 1) : -1;
      else if (flags & F.close) {
        const kind = ctlKind.pop();
        const opened = ctlAt.pop();
        ctlSeg.pop();
        if (kind === Ctl.if || (kind === Ctl.block && opened >= 0 && targeted[opened])) nextKind = Seg.join;
      }
      if (branches && (flags & F.br || o === BR_TABLE)) this.markTargets(bytes, start[i]! + 1, start[i + 1]!, o === BR_TABLE);
      if (flow === Flow.dead) dead = true;
      else if (flow === Flow.revive) dead = false;
    }
    this.trailing = segStart < n || count === 0;
    if (this.trailing) close(n - 1);
    this.count = count;
    // Where each segment's walk stops (preds come earlier, so one pass in order does it), and which
    // stops a segment that can trap reaches: only those need the global right.
    const needed = this.needed;
    needed.fill(0, 0, count);
    const stopOf = this.stopOf;
    for (let k = 0; k < count; k++) {
      const p = this.pred[k]!;
      stopOf[k] = this.kind[k] !== Seg.plain || p < 0 || this.early[k] ? k : stopOf[p]!;
      if (this.traps[k]) needed[stopOf[k]!] = 1;
    }
  }

  /**
   * Marks what the branch with labels at `bytes[p..to)` targets (a `br_table`'s several when `table`):
   * a block's opening instruction in `targeted`, a loop's header segment as a join.
   */
  private markTargets(bytes: Uint8Array, p: number, to: number, table: boolean): void {
    const ctlKind = this.ctlKind;
    const depth = ctlKind.length;
    let labels = 1;
    if (table) {
      labels = readLeb(bytes, p, to) + 1;
      p = lastLebEnd();
    }
    for (let k = 0; k < labels; k++) {
      const label = readLeb(bytes, p, to);
      p = lastLebEnd();
      if (label >= depth) continue; // the function's own label
      const at = depth - 1 - label;
      if (ctlKind.at(at) === Ctl.loop) this.kind[this.ctlSeg.at(at)] = Seg.join;
      else this.targeted[this.ctlAt.at(at)] = 1;
    }
  }

  /**
   * What to add to the fuel global when the engine traps at instruction `insn` so that it holds the
   * fuel left after exactly what ran (the trapping instruction included); 0 where the global is
   * exact already (instructions that store right before them).
   */
  adjustAt(insn: number, ops: Uint16Array, costs: Uint32Array, n: number): number {
    if (!TRAPS[ops[insn]!]) return 0;
    const s0 = this.segmentOf(insn);
    // Charged for the rest of the trapping segment, which did not run.
    let refund = 0;
    for (let i = insn + 1; i < n; i++) {
      refund += costs[ops[i]!]!;
      if (FLOW[ops[i]!] !== Flow.plain) break;
    }
    let total = 0;
    let s = s0;
    for (let guard = 0; guard <= this.count && s >= 0; guard++) {
      if (this.dead[s]) return 0;
      total += this.charge[s]!;
      if (this.stores(s)) return refund - (total - this.charge[s]!);
      if (this.kind[s] === Seg.before) return refund - total;
      s = this.pred[s]!;
    }
    return 0;
  }

  private grow(size: number): void {
    this.first = new Int32Array(size);
    this.endAt = new Int32Array(size);
    this.depthAt = new Int32Array(size);
    this.charge = new Float64Array(size);
    this.kind = new Uint8Array(size);
    this.pred = new Int32Array(size);
    this.dead = new Uint8Array(size);
    this.traps = new Uint8Array(size);
    this.early = new Uint8Array(size);
    this.targeted = new Uint8Array(size);
    this.needed = new Uint8Array(size);
    this.stopOf = new Int32Array(size);
  }
}
