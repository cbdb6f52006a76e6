/**
 * Liveness of locals for the unwind/rewind rewrite (asyncify.ts): which of a function's locals
 * (parameters and declared locals) may still be read after some call that may suspend. Only those need
 * saving when the frame unwinds and restoring when it rewinds; the others are dead at every such point,
 * so whatever the restored frame holds in them (their zero default) is never read.
 *
 * A backward data-flow over the original body: a local is live before an instruction when the
 * instruction reads it (`local.get`), or when it is live after it and the instruction does not write
 * it (`local.set`, `local.tee`). The instructions after one are the next, and the targets of branches
 * (a `block`'s or `if`'s end, a `loop`'s start); `return`, `unreachable` and throws have none. The
 * result for a call at `i` is what is live before `i + 1`. A body with instructions whose control flow
 * this does not model (exception handling) gets every local live.
 *
 * @module
 */
import { ALL_OPS } from "../binary/opcodes.js";
import { readLeb } from "./scan.js";

const OP_NAME = ALL_OPS.map((o) => o.name);

/** Opcodes after which control never falls through. */
const NO_FALLTHROUGH = new Set(["br", "br_table", "return", "unreachable", "throw", "rethrow", "throw_ref", "return_call", "return_call_indirect", "return_call_ref"]);
/** Control flow not modelled here: every local counts as live. */
const UNMODELLED = new Set(["try", "catch", "catch_all", "delegate", "try_table", "br_on_cast", "br_on_cast_fail"]);

/** What the analysis needs of a body (as `BodyScan` gives it). */
export interface LivenessInput {
  /** Instruction count, the final `end` included. */
  readonly n: number;
  /** Opcode id (`ALL_OPS` index) and start offset in `bytes` of each instruction; `start[n]` is the body's end. */
  readonly ops: ArrayLike<number>;
  readonly start: ArrayLike<number>;
  readonly bytes: Uint8Array;
  /** The matching `end` of each block opener, and the `else` of an `if` (-1 for none). */
  readonly endOf: ArrayLike<number>;
  readonly elseOf: ArrayLike<number>;
  /** Parameters plus declared locals. */
  readonly locals: number;
}

/** Offset just past the LEB128 number at `p`. */
function skipLeb(bytes: Uint8Array, p: number): number {
  while ((bytes[p]! & 0x80) !== 0) p++;
  return p + 1;
}

/**
 * For each local, whether it is live right after any of the instructions `sites` (calls): a flag per
 * local, parameters first.
 */
export function liveAfter(body: LivenessInput, sites: readonly number[]): Uint8Array {
  const { n, ops, start, bytes, endOf, elseOf, locals } = body;
  const flags = new Uint8Array(locals);
  if (sites.length === 0 || locals === 0) return flags;
  const names: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const name = OP_NAME[ops[i]!]!;
    if (UNMODELLED.has(name)) return flags.fill(1);
    names[i] = name;
  }
  // Successors of each instruction: the next one unless control cannot fall through, plus branch targets.
  const targets: (number[] | undefined)[] = new Array(n);
  const labels: number[] = []; // for each enclosing block, where a branch to it goes
  const elseEnd = new Int32Array(n).fill(-1);
  const target = (depth: number): number => {
    const t = labels[labels.length - 1 - depth];
    return t === undefined ? n - 1 : t; // the function's own label: its final `end` (which has no successor)
  };
  for (let i = 0; i < n; i++) {
    const name = names[i]!;
    const p = start[i]! + 1;
    if (name === "block" || name === "if") labels.push(endOf[i]!);
    else if (name === "loop") labels.push(i);
    else if (name === "end") labels.pop();
    else if (name === "br" || name === "br_if" || name === "br_on_null" || name === "br_on_non_null") {
      targets[i] = [target(readLeb(bytes, p, start[i + 1]!))];
    } else if (name === "br_table") {
      const count = readLeb(bytes, p, start[i + 1]!);
      let q = skipLeb(bytes, p);
      const t: number[] = [];
      for (let k = 0; k <= count; k++) {
        t.push(target(readLeb(bytes, q, start[i + 1]!)));
        q = skipLeb(bytes, q);
      }
      targets[i] = t;
    }
    if (name === "if") {
      // The `if` goes to either arm; reaching the `else` from the then-arm goes to the end.
      const els = elseOf[i]!;
      if (els >= 0) elseEnd[els] = endOf[i]!;
      targets[i] = [els >= 0 ? els + 1 : endOf[i]!];
    }
  }
  const words = (locals + 31) >>> 5;
  // live[i]: live before instruction i; row n (after the body) stays empty.
  const live = new Int32Array((n + 1) * words);
  const scratch = new Int32Array(words);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      const name = names[i]!;
      scratch.fill(0);
      const final = i === n - 1;
      if (!final) {
        const next = elseEnd[i]! >= 0 ? elseEnd[i]! : NO_FALLTHROUGH.has(name) ? -1 : i + 1;
        if (next >= 0) for (let w = 0; w < words; w++) scratch[w]! |= live[next * words + w]!;
        const t = targets[i];
        if (t !== undefined) for (const s of t) for (let w = 0; w < words; w++) scratch[w]! |= live[s * words + w]!;
      }
      if (name === "local.get" || name === "local.set" || name === "local.tee") {
        const x = readLeb(bytes, start[i]! + 1, start[i + 1]!);
        if (x < locals) {
          if (name === "local.get") scratch[x >>> 5]! |= 1 << (x & 31);
          else scratch[x >>> 5]! &= ~(1 << (x & 31));
        }
      }
      const row = i * words;
      for (let w = 0; w < words; w++) {
        if (live[row + w] !== scratch[w]) {
          live[row + w] = scratch[w]!;
          changed = true;
        }
      }
    }
  }
  for (const s of sites) {
    const row = (s + 1) * words;
    for (let x = 0; x < locals; x++) if ((live[row + (x >>> 5)]! & (1 << (x & 31))) !== 0) flags[x] = 1;
  }
  return flags;
}
