/**
 * The straight-line segments of one body as the fuel pass charges them (`SegmentGraph`), and what trap
 * handling gives back from them when the engine traps inside a segment (`fuelAdjustAt`).
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import { ALL_OPS, op } from "../binary/opcodes.js";
import { bodyAt } from "../binary/traps.js";
import { F, FLAGS, FLOW, Flow, FUNCTION_ENTRY_COST, TRAPS } from "./fuel-costs.js";
import { BodyScan, lastLebEnd, OpClass, readLeb } from "./scan.js";
import { IntStack } from "./insert-list.js";

/** Reused by `fuelAdjustAt`. */
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
