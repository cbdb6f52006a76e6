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
 * Marks an entry of an `InsertList` whose bytes are in the list's arena (`InsertList.addBytes`); it
 * records no trap.
 */
export const IN_ARENA: Snippet = { bytes: new Uint8Array(0), trapAt: -1, trapKind: 0 };

/**
 * Insertions and replacements of one pass (or of the core) into one body, in order. `key` is
 * `16 * insn + priority`: the core's insertions before an instruction have priority 0 (values coming
 * back from a call) or 10 (values going into a call or out of a return), pass k's are 1 + k, and a
 * replacement of the instruction is 15, after all of them.
 *
 * Nothing is allocated per entry: cached snippets are referenced, and bytes made for one instruction
 * (a renumbered branch) are copied into one arena per list, reused from body to body, and referenced by
 * offset and length. (An object or a typed array per replacement made the rewrite of a body of 40k
 * relabelled branches spend most of its time in the garbage collector, copying them between
 * generations.)
 */
export class InsertList {
  n = 0;
  key = new Int32Array(256); // 16 * insn + priority: a body has fewer than 2^27 instructions
  mapTo = new Int32Array(256);
  snip: Snippet[] = [];
  /** For entries of `IN_ARENA`: where their bytes are in `arena`, and how many. */
  at = new Int32Array(256);
  len = new Int32Array(256);
  /** Bytes of the entries added by `addBytes` for the body being rewritten. */
  arena = new Uint8Array(1024);
  arenaLength = 0;

  /** The most entries any body had since `release`. */
  private used = 0;

  /** Empties the list for the next body (keeping its buffers). */
  reset(): void {
    if (this.n > this.used) this.used = this.n;
    this.n = 0;
    this.arenaLength = 0;
  }

  /** Empties the list after a module, keeping its buffers but no snippet (nor what a snippet holds). */
  release(): void {
    this.reset();
    this.snip.fill(IN_ARENA, 0, this.used);
    this.used = 0;
  }

  add(key: number, snippet: Snippet, mapTo: number): void {
    if (this.n > 0 && key < this.key[this.n - 1]!) {
      throw new WasmhostBug("an instrumentation pass inserted code out of order");
    }
    if (this.n >= this.key.length) this.grow();
    this.key[this.n] = key;
    this.mapTo[this.n] = mapTo;
    this.snip[this.n] = snippet;
    this.n++;
  }

  /** Adds `bytes[from..to)`, copied (the caller may reuse `bytes` at once), as an entry with no trap. */
  addBytes(key: number, bytes: Uint8Array, from: number, to: number, mapTo: number): void {
    const length = to - from;
    const at = this.arenaLength;
    if (at + length > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, at + length));
      a.set(this.arena.subarray(0, at));
      this.arena = a;
    }
    const arena = this.arena;
    if (length < 32) for (let k = 0; k < length; k++) arena[at + k] = bytes[from + k]!;
    else arena.set(bytes.subarray(from, to), at);
    this.arenaLength = at + length;
    this.add(key, IN_ARENA, mapTo);
    this.at[this.n - 1] = at;
    this.len[this.n - 1] = length;
  }

  private grow(): void {
    const size = this.key.length * 2;
    const key = new Int32Array(size);
    key.set(this.key);
    this.key = key;
    const mapTo = new Int32Array(size);
    mapTo.set(this.mapTo);
    this.mapTo = mapTo;
    const at = new Int32Array(size);
    at.set(this.at);
    this.at = at;
    const len = new Int32Array(size);
    len.set(this.len);
    this.len = len;
  }
}

/**
 * A stack of integers in a typed array that keeps its room from body to body (a JS array emptied by
 * `length = 0` gives its storage back, and regrowing it on a deep body allocated again every time).
 */
export class IntStack {
  private data = new Int32Array(64);
  /** How many values are on the stack. */
  length = 0;

  /** Empties the stack, keeping its room. */
  clear(): void {
    this.length = 0;
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }

  /** Removes and returns the top value; -1 when the stack is empty. */
  pop(): number {
    return this.length > 0 ? this.data[--this.length]! : -1;
  }

  /** The value at depth `i` from the bottom (0 <= i < length). */
  at(i: number): number {
    return this.data[i]!;
  }

  /** Overwrites the value at depth `i` from the bottom (0 <= i < length). */
  set(i: number, v: number): void {
    this.data[i] = v;
  }
}
