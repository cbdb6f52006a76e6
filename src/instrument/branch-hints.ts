/**
 * Branch hints for a rewritten module: the `metadata.code.branch_hint` custom section of the
 * branch-hinting proposal, marking the `if` or `br_if` that enters each check's slow path (fuel ran
 * out, the interrupt countdown reached zero) as unlikely. Engines that read the section lay those paths
 * out of line and keep the hot path's values in registers (V8 does by default in Node 26; in Node 20-24
 * its `--experimental-wasm-branch-hinting` is off); others ignore it. Measured on Node 26 (2026-12-03): fib(25) under time limits 1.18x -> 1.12-1.13x the plain
 * run; SQLite's time-limit row about 1.10x -> 1.07x (noisy).
 *
 * Layout (custom section, before the code section):
 *
 * ```text
 * vec(funcidx  vec(offset: u32  size: u32 = 1  hint: 0x00 unlikely | 0x01 likely))
 * ```
 *
 * Functions in increasing index, offsets increasing within each; an offset counts from the start of the
 * function's body (its local declarations, just after the body's size).
 *
 * An input's own hints would point at the wrong bytes once its bodies are rewritten: the rewrite drops
 * that section (hints only ever change speed) and writes this one.
 *
 * @module
 */
import { ByteSink } from "./sink.js";

/** The custom section's name. */
export const BRANCH_HINT_SECTION = "metadata.code.branch_hint";

/** Collects the hints of a code section as it is written, function by function. */
export class BranchHints {
  /** Per hinted function: its index, then the number of its hints (patched when the next one starts). */
  private readonly funcs: number[] = [];
  /** Every hint's offset, in order. */
  private offsets = new Int32Array(1024);
  private n = 0;
  /** `funcs` index of the current function's hint count, or -1 while it has none. */
  private countAt = -1;
  private current = -1;

  /** Hints from now on belong to function `funcIndex` (functions come in increasing index order). */
  startFunction(funcIndex: number): void {
    this.current = funcIndex;
    this.countAt = -1;
  }

  /** The branch at `offset` in the current function's body is unlikely taken (offsets must increase). */
  unlikely(offset: number): void {
    if (this.countAt < 0) {
      this.funcs.push(this.current, 0);
      this.countAt = this.funcs.length - 1;
    }
    this.funcs[this.countAt]!++;
    if (this.n === this.offsets.length) {
      const next = new Int32Array(this.n * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.offsets[this.n++] = offset;
  }

  /** The whole custom section (id, size, name, payload), or undefined when there is no hint. */
  section(): Uint8Array | undefined {
    if (this.n === 0) return undefined;
    const payload = new ByteSink(16 + this.n * 4);
    payload.name(BRANCH_HINT_SECTION);
    payload.u32(this.funcs.length / 2);
    let k = 0;
    for (let f = 0; f < this.funcs.length; f += 2) {
      payload.u32(this.funcs[f]!);
      const count = this.funcs[f + 1]!;
      payload.u32(count);
      for (const end = k + count; k < end; k++) {
        payload.u32(this.offsets[k]!);
        payload.u8(1); // the hint's size
        payload.u8(0); // unlikely
      }
    }
    const out = new ByteSink(payload.length + 6);
    out.section(0, payload);
    return out.view();
  }
}
