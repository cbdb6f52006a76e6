/**
 * The rewriting core's per-body bookkeeping: the insertions and replacements each pass asks for, in
 * order, and a reusable set of instructions.
 *
 * @module
 */
import { WasmhostBug } from "../errors.js";
import type { Snippet } from "./plan.js";

/** A set of instructions of the body being rewritten (the threaded calls), cleared per body. */
export class InsnMarks {
  private marks = new Uint8Array(1024);
  /** How many are marked. */
  count = 0;
  private n = 0;

  /** Empties the set for a body of `n` instructions. */
  reset(n: number): void {
    if (this.marks.length <= n) this.marks = new Uint8Array(n * 2);
    else if (this.count > 0) this.marks.fill(0, 0, this.n + 1);
    this.count = 0;
    this.n = n;
  }

  add(insn: number): void {
    if (this.marks[insn] === 0) this.count++;
    this.marks[insn] = 1;
  }

  has(insn: number): boolean {
    return this.marks[insn] === 1;
  }
}

/**
 * Insertions and replacements of one pass (or of the core) into one body, in order. `key` is
 * `16 * insn + priority`: the core's insertions before an instruction have priority 0 (values coming
 * back from a call) or 10 (values going into a call or out of a return), pass k's are 1 + k, and a
 * replacement of the instruction is 15, after all of them.
 */
export class InsertList {
  n = 0;
  key = new Int32Array(256); // 16 * insn + priority: a body has fewer than 2^27 instructions
  mapTo = new Int32Array(256);
  snip: Snippet[] = [];

  add(key: number, snippet: Snippet, mapTo: number): void {
    if (this.n > 0 && key < this.key[this.n - 1]!) {
      throw new WasmhostBug("an instrumentation pass inserted code out of order");
    }
    if (this.n >= this.key.length) {
      const k = new Int32Array(this.key.length * 2);
      k.set(this.key);
      this.key = k;
      const m = new Int32Array(this.mapTo.length * 2);
      m.set(this.mapTo);
      this.mapTo = m;
    }
    this.key[this.n] = key;
    this.mapTo[this.n] = mapTo;
    this.snip[this.n] = snippet;
    this.n++;
  }
}
