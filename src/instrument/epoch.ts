/**
 * The interruption pass (epoch deadlines and time limits): a check at every function entry and at the
 * top of every loop body (so once per back-edge), and nowhere else.
 *
 * Node's engine has neither shared globals nor multi-memory, so wasm cannot read the engine's epoch (a
 * SharedArrayBuffer another thread may write) or the clock by itself: it has to call the host, which
 * is far too slow to do at every check. So checks only count down, and every `period` of them the
 * imported host function `HOST_MODULE`.`check` is called. It compares the clock with the store's time
 * limit and the engine's epoch with the store's deadline, and returns the next period, or -1 to
 * interrupt. The host adapts the period so that it is consulted about every tenth of a millisecond
 * of running wasm, whatever the code does per iteration (see `host.ts`).
 *
 * The count lives where it is cheapest. Each instance defines its own countdown global (defined globals
 * are a direct load in the engine; imported ones an indirect one), decremented at function entries.
 * Each function keeps a copy in a local, taken at entry and decremented at its back-edges, which is
 * register work:
 *
 * ```wasm
 * ;; function entry
 * global.get $count  i32.const 1  i32.sub  local.tee $k  global.set $count
 * local.get $k  i32.const 0  i32.lt_s  if  (slow path)  end
 * ;; loop header
 * local.get $k  i32.const 1  i32.sub  local.tee $k  i32.const 0  i32.lt_s  if  (slow path)  end
 * ;; slow path
 * call $check  local.tee $k  i32.const 0  i32.lt_s  if  unreachable  end       ;; interrupted: trap here
 * local.get $k  global.set $count
 * ```
 *
 * Keeping the host call out of loops. A call anywhere in a loop body, even on a path that almost
 * never runs, makes the engine compile the loop much worse (it stops unrolling it and keeps values in
 * memory across the call: 1.8x on a sieve's inner loop, against 1.1x for the same check without the
 * call). So the slow path of a loop's check is moved out of the loop: the loop is wrapped in
 *
 * ```wasm
 * block $exit (type of the loop)
 *   loop $retry (type of the loop)
 *     block $slow
 *       loop $l (type of the loop)            ;; the original loop
 *         local.get $k  i32.const 1  i32.sub  local.tee $k  i32.const 0  i32.lt_s
 *         br_if $slow                         ;; leave the loop to call the host
 *         ...body...
 *       end
 *       br $exit                              ;; the loop finished: carry its results out
 *     end
 *     (slow path)                             ;; then enter the loop again at its header
 *     br $retry
 *   end
 * end
 * ```
 *
 * and every branch in the body that leaves the loop gets 3 added to its label for each wrapped loop it
 * crosses. Entering the loop again at its header is exactly what the back-edge was doing, so nothing
 * else changes. Loops that take parameters (their values would have to be carried through `$slow`),
 * and functions with exception handling or GC branches (whose labels are not renumbered here), keep
 * the slow path inside the loop instead.
 *
 * Functions that are only ever called directly (see `RewritePlan.threading`) take the count as an
 * extra parameter and return it as an extra result, so their entry check is register work too: the
 * count flows down and back up the calls instead of through the global.
 *
 * A loop whose every iteration starts (after straight-line code) with a call of a threaded function
 * needs no check: the callee's entry check counts the iteration.
 *
 * A deadline is a deadline. The host calibrates the period on time, so a step that suddenly takes much
 * longer than the ones before could run for many periods unchecked (a tight loop, then loops of 32 MiB
 * `memory.fill`). Three things bound the time between two checks:
 *
 * - Steps are weighed: a function entry or loop iteration counts 1 plus 1 per 64 instructions of the
 *   function or loop body (`weightOf`), so a long loop body is not worth the same as a tight one.
 * - Bulk memory and table instructions count by their length (1 per 32 bytes, 1 per table element),
 *   checked before they run; `memory.fill/copy/init` longer than 1 MiB run in 1 MiB chunks, each
 *   weighed and checked, with the single instruction's result and traps (`BulkOps`, in `bulk.ts`), and a
 *   `table.grow` of more than 4096 elements that will succeed runs in chunks of 4096, each after a
 *   check, and one that would make the engine reallocate the table's storage asks the host first
 *   (`BulkOps.rewriteGrow`).
 * - `memory.atomic.wait32/64` (which blocks the main thread, with no limit when its timeout is -1)
 *   waits 1 ms at a time between checks: a deadline interrupts it (`BulkOps.rewriteWait`).
 *
 * and the host shrinks the period at once in proportion when a check comes late (`host.ts`). What is
 * left is a step slower per weight than any the period was calibrated on (e.g. a loop of cache-missing
 * loads after a tight loop): it overruns by the ratio of the two times the check interval (0.1 ms).
 *
 * Back-edges of a callee's loops are not written back to the global when it returns, so between two
 * calls to the host the number of checks passed is bounded by about period x period rather than
 * period; the host's adaptation measures time, not checks, so it settles on a period that keeps the
 * interval short either way. Every unbounded execution — a loop, a recursion, a loop of calls — keeps
 * decrementing one counter, so it always reaches the host.
 *
 * As with fuel, the trap is an `unreachable` at a recorded offset, so it is known to be `interrupt`
 * from the frame alone.
 *
 * @module
 */
import { ALL_OPS, op } from "../binary/opcodes.js";
import { BulkOps, lebEnd } from "./bulk.js";
import { decrement, slowPath, type ModuleTypes } from "./interrupt-check.js";
import { FUNCTION_ENTRY_COST } from "./fuel-costs.js";
import { TrapSite } from "./offsets.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { OpClass, readLeb } from "./scan.js";
import { IntStack } from "./insert-list.js";
import { ByteSink } from "./sink.js";

const LOOP = op("loop").id;

/** The initial value of every instance's countdown. */
export const INITIAL_PERIOD = 1024;

/** Where the fuel pass keeps the fuel left, when it runs too: stored before an interrupt trap. */
export interface FuelState {
  /** The imported fuel global. */
  readonly global: number;
  /** The fuel's slot in `RewritePlan.threading`. */
  readonly slot: number;
  /**
   * What the fuel pass charged before instruction `insn` of the function being visited (see
   * `FuelBodyPass.chargeAt`): a check placed there after that charge gives it back when it interrupts
   * or leaves the loop to call the host, since none of the segment ran.
   */
  readonly chargeAt?: (insn: number) => number;
}

/** The fuel local of the function `fn` (see `FuelState`), or -1. */
export function fuelLocalOf(fn: FunctionContext, fuel: FuelState | undefined): number {
  if (fuel === undefined) return -1;
  return fn.threaded ? fn.threadParam(fuel.slot) : fn.sharedLocal("fuel", 0x7e);
}

/**
 * The weight of a loop iteration or a function entry in countdown steps: 1, plus 1 for every
 * `WEIGHT_SPAN` instructions of the loop body or function. A step then stands for a bounded amount of
 * straight-line code, so that a long loop body cannot make a period calibrated on a tight loop last
 * far longer than intended.
 */
const WEIGHT_SHIFT = 6;
function weightOf(instructions: number): number {
  return Math.min(1 + (instructions >>> WEIGHT_SHIFT), 1 << 20);
}

const BR_TABLE = op("br_table").id;
/** What this pass cares about, by instruction id. */
const K = { other: 0, open: 1, loop: 2, end: 3, br: 4, brTable: 5, unwrappable: 6, bulk: 7, wait: 8 } as const;
const KIND = new Uint8Array(ALL_OPS.length);
for (const name of ["block", "if"]) KIND[op(name).id] = K.open;
KIND[LOOP] = K.loop;
KIND[op("end").id] = K.end;
for (const name of ["br", "br_if"]) KIND[op(name).id] = K.br;
KIND[BR_TABLE] = K.brTable;
for (const name of ["memory.fill", "memory.copy", "memory.init", "table.fill", "table.copy", "table.init", "table.grow"]) KIND[op(name).id] = K.bulk;
KIND[op("memory.atomic.wait32").id] = K.wait;
KIND[op("memory.atomic.wait64").id] = K.wait;
/** Unwrappable instructions that open a block (closed by `end`), or close one (`delegate`). */
const OPENS = new Uint8Array(ALL_OPS.length);
OPENS[op("try").id] = 1;
OPENS[op("try_table").id] = 1;
const DELEGATE = op("delegate").id;
/** Instructions that can change the flow of control (anything but falling through to the next one). */
const FLOWS = new Uint8Array(ALL_OPS.length);
for (const info of ALL_OPS) if (info.control !== 0) FLOWS[info.id] = 1;
for (const name of ["br", "br_if", "br_table", "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail", "return",
  "return_call", "return_call_indirect", "return_call_ref", "unreachable", "throw", "rethrow", "throw_ref"]) {
  FLOWS[op(name).id] = 1;
}
const CALL = op("call").id;

/**
 * True when every iteration of the loop at instruction `i` calls a threaded function: its body starts
 * with straight-line code up to such a call. That function's entry check counts the iteration (the
 * count comes back from it), so the loop needs no check of its own.
 */
function coveredByCall(fn: FunctionContext, i: number): boolean {
  const { n, op: ops } = fn.scan;
  for (let j = i + 1; j < n; j++) {
    const o = ops[j]!;
    if (o === CALL && fn.callsThreaded(j)) return true;
    if (FLOWS[o]) return false;
  }
  return false;
}
// Instructions whose labels this pass does not renumber: a function with them is not wrapped.
for (const name of ["try", "catch", "catch_all", "delegate", "rethrow", "try_table", "throw_ref", "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail"]) {
  KIND[op(name).id] = K.unwrappable;
}

/**
 * Instruction counts of loop bodies, by the loop's instruction index: shared by every pass (rewrites run
 * one at a time) and grown once to the largest body seen.
 */
let loopSizes = new Int32Array(256);

/** A loop's block type has no parameters when it is empty, a value type, or a type without params. */
function loopTakesParams(bytes: Uint8Array, at: number, end: number, types: ModuleTypes): boolean {
  const b = bytes[at]!;
  if (b === 0x40 || b === 0x63 || b === 0x64 || (b >= 0x40 && b < 0x80)) return false;
  const index = readLeb(bytes, at, end); // a non-negative s33 type index
  return (types.paramCount(index) ?? 1) > 0;
}

/**
 * The interruption pass, using the module's own countdown global `countdown` and the imported host
 * function `check` (indices after rewriting).
 */
export function interruptPass(
  countdown: number,
  check: number,
  types: ModuleTypes,
  slot: number,
  fuel?: FuelState,
  /** Functions whose loops keep the slow path inside (another pass branches across them: asyncify). */
  keepInside?: (funcIndex: number) => boolean,
): BodyPass {
  const fuelGlobal = fuel?.global ?? -1;
  // Snippets by what they depend on: per kind, local and fuel local (the same for a whole body: the
  // last group of each kind is kept at hand), then by weight and refund, a small-integer key when the
  // refund is small (nearly always) so that a loop costs no string; a string otherwise. The snippets
  // are built by `build`, not by a closure per call.
  const groups = new Map<string, Map<number | string, Snippet>>();
  const lastGroup: (Map<number | string, Snippet> | undefined)[] = [];
  const lastLocal: number[] = [];
  const lastFuel: number[] = [];
  const cached = (kind: number, local: number, weight: number, fuelLocal: number, refund: number): Snippet => {
    let group = lastGroup[kind];
    if (group === undefined || lastLocal[kind] !== local || lastFuel[kind] !== fuelLocal) {
      const g = `${kind},${local},${fuelLocal}`;
      group = groups.get(g);
      if (!group) groups.set(g, (group = new Map()));
      lastGroup[kind] = group;
      lastLocal[kind] = local;
      lastFuel[kind] = fuelLocal;
    }
    // The weight is at most 2^20 (`weightOf`): with a refund below 2^9 the key is a small integer.
    const key = refund < 2 ** 9 ? refund * 2 ** 21 + weight : `${weight},${refund}`;
    let s = group.get(key);
    if (!s) group.set(key, (s = build(kind, local, weight, fuelLocal, refund)));
    return s;
  };
  const build = (kind: number, local: number, weight: number, fuelLocal: number, refund: number): Snippet => {
    switch (kind) {
      case 0: return makeEntry(local, weight, fuelLocal, refund);
      case 1: return makeBackEdge(local, weight, fuelLocal, refund);
      case 2: return makeWrappedHead(local, weight);
      default: return makeWrappedTail(local, fuelLocal, refund);
    }
  };
  /** The entry check of an unthreaded function: the count comes from the instance's global. */
  const entryFor = (local: number, weight: number, fuelLocal: number, refund: number): Snippet => cached(0, local, weight, fuelLocal, refund);
  const makeEntry = (local: number, weight: number, fuelLocal: number, refund: number): Snippet => {
    const b = new ByteSink(48);
    b.u8(0x23); b.u32(countdown); // global.get
    b.u8(0x41); b.sleb(weight); // i32.const weight
    b.u8(0x6b); // i32.sub
    b.u8(0x22); b.u32(local); // local.tee
    b.u8(0x24); b.u32(countdown); // global.set
    b.u8(0x20); b.u32(local); // local.get
    b.u8(0x41); b.u8(0x00); // i32.const 0
    b.u8(0x48); // i32.lt_s
    const unlikelyAt = b.length;
    b.u8(0x04); b.u8(0x40); // if
    const trapAt = slowPath(b, local, countdown, check, fuelLocal, fuelGlobal, refund);
    b.u8(0x0b); // end
    return { bytes: b.view().slice(), trapAt, trapKind: TrapSite.interrupt, unlikelyAt };
  };
  /** A back-edge check with its slow path inside the loop (also the entry check of a threaded function). */
  const backEdgeFor = (local: number, weight: number, fuelLocal: number, refund: number): Snippet => cached(1, local, weight, fuelLocal, refund);
  const makeBackEdge = (local: number, weight: number, fuelLocal: number, refund: number): Snippet => {
    const b = new ByteSink(48);
    decrement(b, local, weight);
    const unlikelyAt = b.length;
    b.u8(0x04); b.u8(0x40); // if
    const trapAt = slowPath(b, local, countdown, check, fuelLocal, fuelGlobal, refund);
    b.u8(0x0b); // end
    return { bytes: b.view().slice(), trapAt, trapKind: TrapSite.interrupt, unlikelyAt };
  };
  /** The back-edge check of a wrapped loop: branches to `$slow`. */
  const wrappedHeadFor = (local: number, weight: number): Snippet => cached(2, local, weight, -1, 0);
  const makeWrappedHead = (local: number, weight: number): Snippet => {
    const h = new ByteSink(16);
    decrement(h, local, weight);
    const unlikelyAt = h.length;
    h.u8(0x0d); h.u8(0x01); // br_if $slow
    return { bytes: h.view().slice(), trapAt: -1, trapKind: 0, unlikelyAt };
  };
  /**
   * The code after a wrapped loop. The loop was left at its header after the fuel pass charged the
   * body's first segment (`refund`), which did not run and is charged again when the loop is entered
   * again: given back first.
   */
  const wrappedTailFor = (local: number, fuelLocal: number, refund: number): Snippet => cached(3, local, 0, fuelLocal, refund);
  const makeWrappedTail = (local: number, fuelLocal: number, refund: number): Snippet => {
    const t = new ByteSink(48);
    t.u8(0x0c); t.u8(0x02); // br $exit
    t.u8(0x0b); // end $slow
    if (fuelLocal >= 0 && refund > 0) {
      t.u8(0x20); t.u32(fuelLocal); // local.get $fuel
      t.u8(0x42); t.sleb(refund); // i64.const refund
      t.u8(0x7c); // i64.add
      t.u8(0x21); t.u32(fuelLocal); // local.set $fuel
    }
    const trapAt = slowPath(t, local, countdown, check, fuelLocal, fuelGlobal);
    t.u8(0x0c); t.u8(0x00); // br $retry
    t.u8(0x0b); t.u8(0x0b); // end $retry, end $exit
    return { bytes: t.view().slice(), trapAt, trapKind: TrapSite.interrupt };
  };
  const heads = new Map<number, Snippet>();
  /** Where `relabel` writes each renumbered branch (copied by `replace`). */
  const scratch = new ByteSink(64);
  /** `block $exit  loop $retry  block $slow` for a loop of block type `bytes[at..end)` (shared per type). */
  const wrapHead = (bytes: Uint8Array, at: number, end: number): Snippet => {
    const key = end - at === 1 ? bytes[at]! : -1 - readLeb(bytes, at, end);
    let s = heads.get(key);
    if (!s) {
      const head = new ByteSink(24);
      head.u8(0x02); head.copy(bytes, at, end); // block $exit
      head.u8(0x03); head.copy(bytes, at, end); // loop $retry
      head.u8(0x02); head.u8(0x40); // block $slow
      s = { bytes: head.view().slice(), trapAt: -1, trapKind: 0 };
      heads.set(key, s);
    }
    return s;
  };
  const openers = new IntStack();
  // The open blocks of the body being wrapped, and the first instruction of each open wrapped loop,
  // innermost last (reused from body to body).
  const frames = new Frames();
  const loopStarts = new IntStack();
  return {
    visit(fn: FunctionContext): void {
      const { n, op: ops, start } = fn.scan;
      const bytes = fn.bytes;
      // A threaded function gets the count as a parameter and gives it back: its entry check is
      // register work, like a back-edge's.
      const local = fn.threaded ? fn.threadParam(slot) : fn.addLocal(0x7f);
      fn.threadValue(slot, local);
      const fuelLocal = fuelLocalOf(fn, fuel);
      const chargeAt = fuel?.chargeAt;
      /** The fuel charged before instruction `i` for a segment that has not run yet (see `FuelState`). */
      const refundAt = (i: number): number => (fuelLocal >= 0 && chargeAt ? chargeAt(i) : 0);
      const entryWeight = weightOf(n);
      // At the entry, the function's entry cost stays billed: it was entered.
      const entryRefund = Math.max(0, refundAt(0) - FUNCTION_ENTRY_COST);
      fn.insert(0, fn.threaded ? backEdgeFor(local, entryWeight, fuelLocal, entryRefund) : entryFor(local, entryWeight, fuelLocal, entryRefund));
      // Nothing more to do in a body without loops and bulk instructions.
      if ((fn.scan.mask & (OpClass.loop | OpClass.bulk)) === 0) return;
      let canWrap = keepInside?.(fn.funcIndex) !== true;
      let loops = 0;
      let bulk = 0;
      if (loopSizes.length < n) loopSizes = new Int32Array(Math.max(n, loopSizes.length * 2));
      openers.clear();
      for (let i = 0; i < n; i++) {
        const kind = KIND[ops[i]!]!;
        if (kind === K.other) continue;
        if (kind === K.loop) {
          loops++;
          openers.push(i);
        } else if (kind === K.open) openers.push(-1);
        else if (kind === K.end) {
          const at = openers.pop();
          if (at >= 0) loopSizes[at] = i - at;
        } else if (kind === K.unwrappable) {
          canWrap = false;
          if (OPENS[ops[i]!]) openers.push(-1);
          else if (ops[i] === DELEGATE) openers.pop();
        } else if (kind === K.bulk || kind === K.wait) bulk++;
      }
      if (loops === 0 && bulk === 0) return;
      const bulkOps = bulk > 0 ? new BulkOps(fn, types, local, countdown, check, fuelLocal, fuelGlobal) : undefined;
      if (!canWrap) {
        for (let i = 0; i < n; i++) {
          if (ops[i] === LOOP) fn.insert(i + 1, backEdgeFor(local, weightOf(loopSizes[i]!), fuelLocal, refundAt(i + 1)));
          else if (bulkOps && KIND[ops[i]!] === K.bulk) bulkOps.rewrite(i);
          else if (bulkOps && KIND[ops[i]!] === K.wait) bulkOps.rewriteWait(i);
        }
        return;
      }
      frames.reset();
      loopStarts.clear();
      let wrappedOpen = 0;
      for (let i = 0; i < n; i++) {
        const o = ops[i]!;
        const kind = KIND[o]!;
        if (kind === K.other) continue;
        if (kind === K.open) {
          frames.push(false);
        } else if (kind === K.loop) {
          const btAt = start[i]! + 1;
          const btEnd = start[i + 1]!;
          const weight = weightOf(loopSizes[i]!);
          if (weight === 1 && coveredByCall(fn, i)) {
            frames.push(false);
          } else if (loopTakesParams(bytes, btAt, btEnd, types)) {
            frames.push(false);
            fn.insert(i + 1, backEdgeFor(local, weight, fuelLocal, refundAt(i + 1)));
          } else {
            fn.insert(i, wrapHead(bytes, btAt, btEnd));
            fn.insert(i + 1, wrappedHeadFor(local, weight));
            frames.push(true);
            loopStarts.push(i);
            wrappedOpen++;
          }
        } else if (kind === K.end) {
          if (frames.pop()) {
            wrappedOpen--;
            const at = loopStarts.pop();
            fn.insert(i + 1, wrappedTailFor(local, fuelLocal, refundAt(at + 1)), at);
          }
        } else if (kind === K.bulk) {
          bulkOps!.rewrite(i);
        } else if (kind === K.wait) {
          bulkOps!.rewriteWait(i);
        } else if (wrappedOpen > 0 && (kind === K.br || kind === K.brTable)) {
          relabel(fn, i, o, frames, scratch);
        }
      }
    },
  };
}

/**
 * Open blocks of the body being rewritten, innermost last, with how many of them are wrapped loops up
 * to each depth, so that renumbering a label costs O(1) however deep the nesting (it used to walk the
 * frames it crossed, quadratic on deeply nested loops).
 */
class Frames {
  /** For each open block: the number of wrapped loops among it and the blocks around it. */
  private readonly wrappedUpTo = new IntStack();

  /** Starts a body: only the function's own block is open. */
  reset(): void {
    this.wrappedUpTo.clear();
    this.wrappedUpTo.push(0);
  }

  get depth(): number {
    return this.wrappedUpTo.length;
  }

  push(wrapped: boolean): void {
    const w = this.wrappedUpTo;
    w.push((w.length > 0 ? w.at(w.length - 1) : 0) + (wrapped ? 1 : 0));
  }

  /** Closes the innermost block; true when it was a wrapped loop. */
  pop(): boolean {
    const w = this.wrappedUpTo;
    if (w.length === 0) return false;
    const top = w.pop();
    return w.length > 0 && top > w.at(w.length - 1);
  }

  /** The label `label` renumbered for the wrapped loops it crosses (3 more labels each). */
  renumber(label: number): number {
    const w = this.wrappedUpTo;
    const top = w.length - 1;
    if (label <= 0 || top < 0) return label;
    const below = top - label;
    const crossed = w.at(top) - (below >= 0 ? w.at(below) : 0);
    return label + 3 * crossed;
  }
}

/**
 * Replaces branch `i` when one of its labels crosses a wrapped loop, written in `scratch` and copied by
 * `replace` (nothing is allocated per branch).
 */
function relabel(fn: FunctionContext, i: number, o: number, frames: Frames, b: ByteSink): void {
  const { start } = fn.scan;
  const bytes = fn.bytes;
  const at = start[i]! + 1;
  const end = start[i + 1]!;
  if (o !== BR_TABLE) {
    const label = readLeb(bytes, at, end);
    const renumbered = frames.renumber(label);
    if (renumbered === label) return;
    b.length = 0;
    b.u8(bytes[start[i]!]!);
    b.u32(renumbered);
    fn.replace(i, b.buf, 0, b.length);
    return;
  }
  const count = readLeb(bytes, at, end);
  let p = lebEnd(bytes, at);
  b.length = 0;
  b.u8(BR_TABLE_CODE);
  b.u32(count);
  let changed = false;
  for (let k = 0; k <= count; k++) {
    const label = readLeb(bytes, p, end);
    p = lebEnd(bytes, p);
    const renumbered = frames.renumber(label);
    if (renumbered !== label) changed = true;
    b.u32(renumbered);
  }
  if (changed) fn.replace(i, b.buf, 0, b.length);
}

const BR_TABLE_CODE = 0x0e;

