/**
 * The interruption pass (epoch deadlines and time limits): a check at every function entry and at the
 * top of every loop body (so once per back-edge), and nowhere else.
 *
 * Node's engine has neither shared globals nor multi-memory, so wasm cannot read the engine's epoch (a
 * SharedArrayBuffer another thread may write) or the clock by itself: it has to call the host, which
 * is far too slow to do at every check. So checks only count down, and every `period` of them the
 * imported host function `HOST_MODULE`.`check` is called. It compares the clock with the store's time
 * limit and the engine's epoch with the store's deadline, and returns the next period, or -1 to
 * interrupt. The host adapts the period so that it is consulted about every quarter of a millisecond
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
import { TrapSite } from "./offsets.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { readLeb } from "./scan.js";
import { ByteSink } from "./sink.js";

const LOOP = op("loop").id;

/** The initial value of every instance's countdown. */
export const INITIAL_PERIOD = 1024;

function slowPath(b: ByteSink, local: number, countdown: number, check: number): number {
  b.u8(0x10); b.u32(check); // call $check
  b.u8(0x22); b.u32(local); // local.tee $k
  b.u8(0x41); b.u8(0x00); // i32.const 0
  b.u8(0x48); // i32.lt_s
  b.u8(0x04); b.u8(0x40); // if
  const trapAt = b.length;
  b.u8(0x00); // unreachable
  b.u8(0x0b); // end
  b.u8(0x20); b.u32(local); // local.get $k
  b.u8(0x24); b.u32(countdown); // global.set $count
  return trapAt;
}

const BR_TABLE = op("br_table").id;
/** What this pass cares about, by instruction id. */
const K = { other: 0, open: 1, loop: 2, end: 3, br: 4, brTable: 5, unwrappable: 6 } as const;
const KIND = new Uint8Array(ALL_OPS.length);
for (const name of ["block", "if"]) KIND[op(name).id] = K.open;
KIND[LOOP] = K.loop;
KIND[op("end").id] = K.end;
for (const name of ["br", "br_if"]) KIND[op(name).id] = K.br;
KIND[BR_TABLE] = K.brTable;
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

/** A loop's block type has no parameters when it is empty, a value type, or a type without params. */
function loopTakesParams(bytes: Uint8Array, at: number, end: number, types: ModuleTypes): boolean {
  const b = bytes[at]!;
  if (b === 0x40 || b === 0x63 || b === 0x64 || (b >= 0x40 && b < 0x80)) return false;
  const index = readLeb(bytes, at, end); // a non-negative s33 type index
  return (types.paramCount(index) ?? 1) > 0;
}

/** What the pass needs to know of the module's types. */
export interface ModuleTypes {
  /** The number of parameters of function type `index`, or undefined when it is not one. */
  paramCount(index: number): number | undefined;
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
  /** Functions whose loops keep the slow path inside (another pass branches across them: asyncify). */
  keepInside?: (funcIndex: number) => boolean,
): BodyPass {
  const entries = new Map<number, Snippet>();
  const backEdges = new Map<number, Snippet>();
  const wrapped = new Map<number, { head: Snippet; tail: Snippet }>();
  const entryFor = (local: number): Snippet => {
    let s = entries.get(local);
    if (!s) {
      const b = new ByteSink(48);
      b.u8(0x23); b.u32(countdown); // global.get
      b.u8(0x41); b.u8(0x01); // i32.const 1
      b.u8(0x6b); // i32.sub
      b.u8(0x22); b.u32(local); // local.tee
      b.u8(0x24); b.u32(countdown); // global.set
      b.u8(0x20); b.u32(local); // local.get
      b.u8(0x41); b.u8(0x00); // i32.const 0
      b.u8(0x48); // i32.lt_s
      b.u8(0x04); b.u8(0x40); // if
      const trapAt = slowPath(b, local, countdown, check);
      b.u8(0x0b); // end
      s = { bytes: b.view().slice(), trapAt, trapKind: TrapSite.interrupt };
      entries.set(local, s);
    }
    return s;
  };
  /** A back-edge check with its slow path inside the loop. */
  const backEdgeFor = (local: number): Snippet => {
    let s = backEdges.get(local);
    if (!s) {
      const b = new ByteSink(48);
      decrement(b, local);
      b.u8(0x04); b.u8(0x40); // if
      const trapAt = slowPath(b, local, countdown, check);
      b.u8(0x0b); // end
      s = { bytes: b.view().slice(), trapAt, trapKind: TrapSite.interrupt };
      backEdges.set(local, s);
    }
    return s;
  };
  /** A back-edge check of a wrapped loop (branches to `$slow`), and the code after the loop. */
  const wrappedFor = (local: number): { head: Snippet; tail: Snippet } => {
    let w = wrapped.get(local);
    if (!w) {
      const h = new ByteSink(16);
      decrement(h, local);
      h.u8(0x0d); h.u8(0x01); // br_if $slow
      const t = new ByteSink(48);
      t.u8(0x0c); t.u8(0x02); // br $exit
      t.u8(0x0b); // end $slow
      const trapAt = slowPath(t, local, countdown, check);
      t.u8(0x0c); t.u8(0x00); // br $retry
      t.u8(0x0b); t.u8(0x0b); // end $retry, end $exit
      w = {
        head: { bytes: h.view().slice(), trapAt: -1, trapKind: 0 },
        tail: { bytes: t.view().slice(), trapAt, trapKind: TrapSite.interrupt },
      };
      wrapped.set(local, w);
    }
    return w;
  };
  const heads = new Map<number, Snippet>();
  const branchCache: BranchCache = { branches: new Map(), scratch: new ByteSink(64) };
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
  return {
    visit(fn: FunctionContext): void {
      const { n, op: ops, start } = fn.scan;
      const bytes = fn.bytes;
      // A threaded function gets the count as a parameter and gives it back: its entry check is
      // register work, like a back-edge's.
      const local = fn.threaded ? fn.threadParam(slot) : fn.addLocal(0x7f);
      fn.threadValue(slot, local);
      fn.insert(0, fn.threaded ? backEdgeFor(local) : entryFor(local));
      let canWrap = keepInside?.(fn.funcIndex) !== true;
      let loops = 0;
      for (let i = 0; i < n; i++) {
        const kind = KIND[ops[i]!]!;
        if (kind === K.loop) loops++;
        else if (kind === K.unwrappable) canWrap = false;
      }
      if (loops === 0) return;
      if (!canWrap) {
        for (let i = 0; i < n; i++) if (ops[i] === LOOP) fn.insert(i + 1, backEdgeFor(local));
        return;
      }
      const frames = new Frames();
      // The first instruction of each open wrapped loop, innermost last.
      const loopStarts: number[] = [];
      let wrappedOpen = 0;
      const w = wrappedFor(local);
      for (let i = 0; i < n; i++) {
        const o = ops[i]!;
        const kind = KIND[o]!;
        if (kind === K.other) continue;
        if (kind === K.open) {
          frames.push(false);
        } else if (kind === K.loop) {
          const btAt = start[i]! + 1;
          const btEnd = start[i + 1]!;
          if (coveredByCall(fn, i)) {
            frames.push(false);
          } else if (loopTakesParams(bytes, btAt, btEnd, types)) {
            frames.push(false);
            fn.insert(i + 1, backEdgeFor(local));
          } else {
            fn.insert(i, wrapHead(bytes, btAt, btEnd));
            fn.insert(i + 1, w.head);
            frames.push(true);
            loopStarts.push(i);
            wrappedOpen++;
          }
        } else if (kind === K.end) {
          if (frames.pop()) {
            wrappedOpen--;
            fn.insert(i + 1, w.tail, loopStarts.pop()!);
          }
        } else if (wrappedOpen > 0 && (kind === K.br || kind === K.brTable)) {
          relabel(fn, i, o, frames, branchCache);
        }
      }
    },
  };
}

/** `local.get $k  i32.const 1  i32.sub  local.tee $k  i32.const 0  i32.lt_s` */
function decrement(b: ByteSink, local: number): void {
  b.u8(0x20); b.u32(local);
  b.u8(0x41); b.u8(0x01);
  b.u8(0x6b);
  b.u8(0x22); b.u32(local);
  b.u8(0x41); b.u8(0x00);
  b.u8(0x48);
}

/**
 * Open blocks of the body being rewritten, innermost last, with how many of them are wrapped loops up
 * to each depth, so that renumbering a label costs O(1) however deep the nesting (it used to walk the
 * frames it crossed, quadratic on deeply nested loops).
 */
class Frames {
  /** For each open block: the number of wrapped loops among it and the blocks around it. */
  private wrappedUpTo: number[] = [0];

  get depth(): number {
    return this.wrappedUpTo.length;
  }

  push(wrapped: boolean): void {
    const w = this.wrappedUpTo;
    w.push(w[w.length - 1]! + (wrapped ? 1 : 0));
  }

  /** Closes the innermost block; true when it was a wrapped loop. */
  pop(): boolean {
    const w = this.wrappedUpTo;
    const top = w.pop()!;
    return w.length > 0 && top > w[w.length - 1]!;
  }

  /** The label `label` renumbered for the wrapped loops it crosses (3 more labels each). */
  renumber(label: number): number {
    const w = this.wrappedUpTo;
    const top = w.length - 1;
    if (label <= 0) return label;
    const below = top - label;
    const crossed = w[top]! - (below >= 0 ? w[below]! : 0);
    return label + 3 * crossed;
  }
}

/** Replaces branch `i` when one of its labels crosses a wrapped loop. */
/** Replacement branches of one pass, shared (typed arrays are slow to create one by one). */
interface BranchCache {
  /** `br`/`br_if` by 256 * label + opcode. */
  readonly branches: Map<number, Uint8Array>;
  readonly scratch: ByteSink;
}

function relabel(fn: FunctionContext, i: number, o: number, frames: Frames, cache: BranchCache): void {
  const { start } = fn.scan;
  const bytes = fn.bytes;
  const at = start[i]! + 1;
  const end = start[i + 1]!;
  if (o !== BR_TABLE) {
    const label = readLeb(bytes, at, end);
    const renumbered = frames.renumber(label);
    if (renumbered === label) return;
    const key = renumbered * 256 + bytes[start[i]!]!;
    let replacement = cache.branches.get(key);
    if (!replacement) {
      const b = cache.scratch;
      b.length = 0;
      b.u8(bytes[start[i]!]!);
      b.u32(renumbered);
      cache.branches.set(key, (replacement = b.view().slice()));
    }
    fn.replace(i, replacement);
    return;
  }
  const count = readLeb(bytes, at, end);
  let p = lebEndAfter(bytes, at);
  const b = cache.scratch;
  b.length = 0;
  b.u8(BR_TABLE_CODE);
  b.u32(count);
  let changed = false;
  for (let k = 0; k <= count; k++) {
    const label = readLeb(bytes, p, end);
    p = lebEndAfter(bytes, p);
    const renumbered = frames.renumber(label);
    if (renumbered !== label) changed = true;
    b.u32(renumbered);
  }
  if (changed) fn.replace(i, b.view().slice());
}

const BR_TABLE_CODE = 0x0e;

function lebEndAfter(bytes: Uint8Array, p: number): number {
  while (bytes[p]! & 0x80) p++;
  return p + 1;
}
