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
import { op } from "../binary/opcodes.js";
import { F, FLAGS, FLOW, Flow, FUNCTION_ENTRY_COST } from "./fuel-costs.js";
import { SegmentGraph } from "./fuel-segments.js";
import { TrapSite } from "./offsets.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { NOT_STRAIGHT, OpClass, readLeb } from "./scan.js";
import { ByteSink } from "./sink.js";

const END_ID = op("end").id;
const LOOP_ID = op("loop").id;

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
      const unlikelyAt = b.length;
      b.u8(0x04); b.u8(0x40); // if
      b.u8(0x42); b.u8(0x00); // i64.const 0
      b.u8(0x24); b.u32(this.global); // global.set
      const trapAt = b.length;
      b.u8(0x00); // unreachable
      b.u8(0x0b); // end
      this.perUnit.set(temp, (s = { bytes: b.view().slice(), trapAt, trapKind: TrapSite.outOfFuel, unlikelyAt }));
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
    const unlikelyAt = b.length;
    b.u8(0x04); b.u8(0x40); // if
    b.u8(0x42); b.u8(0x00); // i64.const 0
    b.u8(0x24); b.u32(this.global); // global.set: none left
    const trapAt = b.length;
    b.u8(0x00); // unreachable
    b.u8(0x0b); // end
    return { bytes: b.view().slice(), trapAt, trapKind: TrapSite.outOfFuel, unlikelyAt };
  }
}

/** How a segment's charge is inserted (see `FuelSnippets.charge`). */
const Charge = { checked: 0, spend: 1, spendAndStore: 2 } as const;
type Charge = (typeof Charge)[keyof typeof Charge];

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

/** Reused by every fuel pass (created on first use). */
let passGraph: SegmentGraph | undefined;

