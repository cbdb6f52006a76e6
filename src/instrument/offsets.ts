/**
 * Where instrumented code came from: a map from byte offsets of the rewritten binary back to offsets of
 * the original one, and the offsets of the `unreachable` instructions the passes inserted, each with
 * the trap it stands for. Trap handling uses both: a frame's offset is reported in the user's binary,
 * and a trap at one of the recorded `unreachable`s is an `out_of_fuel` or `interrupt`, not a user trap.
 *
 * The map is a sorted list of runs. A copy run maps `[newAt, next run)` one to one onto the original
 * from `origAt`; an inserted run (code a pass added, or an immediate that was re-encoded) maps every
 * byte to `origAt`, the original instruction it stands before or belongs to.
 *
 * @module
 */
import { grown } from "./grown.js";

/** What an inserted `unreachable` means. */
export const TrapSite = { none: 0, outOfFuel: 1, interrupt: 2 } as const;

/** Builds an `OffsetMap` run by run (offsets must be added in increasing order). */
export class OffsetMapBuilder {
  private n = 0;
  private newAt: Int32Array;
  private origAt: Int32Array;
  private copy: Uint8Array;

  /** `capacity`: the number of runs expected (the arrays grow past it by doubling). */
  constructor(capacity = 1024) {
    this.newAt = new Int32Array(capacity);
    this.origAt = new Int32Array(capacity);
    this.copy = new Uint8Array(capacity);
  }

  private ntraps = 0;
  private trapOffsets = new Int32Array(256);
  private trapKinds = new Uint8Array(256);

  /** Records an inserted `unreachable` at `newAt` standing for `kind` (offsets must increase). */
  trap(newAt: number, kind: number): void {
    if (this.ntraps === this.trapOffsets.length) {
      const o = new Int32Array(this.ntraps * 2);
      o.set(this.trapOffsets);
      this.trapOffsets = o;
      const k = new Uint8Array(this.ntraps * 2);
      k.set(this.trapKinds);
      this.trapKinds = k;
    }
    this.trapOffsets[this.ntraps] = newAt;
    this.trapKinds[this.ntraps++] = kind;
  }

  /** From `newAt` on, bytes are copied from the original starting at `origAt`. */
  copyRun(newAt: number, origAt: number): void {
    this.push(newAt, origAt, 1);
  }

  /** From `newAt` on, bytes were inserted before (or stand for) the original instruction at `origAt`. */
  insertRun(newAt: number, origAt: number): void {
    this.push(newAt, origAt, 0);
  }

  private push(newAt: number, origAt: number, copy: number): void {
    const last = this.n - 1;
    if (last >= 0 && this.newAt[last] === newAt) {
      this.origAt[last] = origAt;
      this.copy[last] = copy;
      return;
    }
    if (this.n === this.newAt.length) {
      this.newAt = grown(this.newAt, this.n * 2);
      this.origAt = grown(this.origAt, this.n * 2);
      this.copy = grown(this.copy, this.n * 2);
    }
    this.newAt[this.n] = newAt;
    this.origAt[this.n] = origAt;
    this.copy[this.n] = copy;
    this.n++;
  }

  /** The finished map, with every new offset moved by `base` (the rewritten code section's position). */
  build(base: number): OffsetMap {
    return new OffsetMap(this.newAt, this.origAt, this.copy, new TrapSites(this.trapOffsets, this.trapKinds, this.ntraps), this.n, base);
  }
}

/** Maps offsets of a rewritten binary's code back to the original binary (see the module comment). */
export class OffsetMap {
  constructor(
    /** Start of each run in the rewritten binary, increasing. */
    readonly newAt: Int32Array,
    /** Original offset of each run's first byte. */
    readonly origAt: Int32Array,
    /** 1 for copy runs, 0 for inserted runs. */
    readonly copy: Uint8Array,
    /** Offsets of inserted `unreachable`s (like `newAt`, before adding `base`), with their `TrapSite`. */
    readonly traps: TrapSites,
    /** How many runs the arrays hold (they may be longer). */
    readonly count: number = newAt.length,
    /** Added to every `newAt` (the rewritten code section's position). */
    readonly base: number = 0,
  ) {}

  /** The identity map shifted by `delta` (a rewrite that moved the code section without changing it). */
  static shifted(codeStart: number, delta: number): OffsetMap {
    return new OffsetMap(Int32Array.of(codeStart + delta), Int32Array.of(codeStart), Uint8Array.of(1), new TrapSites(new Int32Array(0), new Uint8Array(0), 0));
  }

  /** The original offset of rewritten offset `at` (offsets before the first run are returned as they are). */
  original(absolute: number): number {
    const runs = this.newAt;
    const at = absolute - this.base;
    let lo = 0;
    let hi = this.count - 1;
    if (hi < 0 || at < runs[0]!) return absolute;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (runs[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return this.copy[lo] ? this.origAt[lo]! + (at - runs[lo]!) : this.origAt[lo]!;
  }

  /** The `TrapSite` of rewritten offset `at` (`TrapSite.none` for the user's own code). */
  trapAt(at: number): number {
    return this.traps.at(at - this.base);
  }
}

/** Inserted trap sites: increasing offsets, each with its `TrapSite`. */
export class TrapSites {
  constructor(
    readonly offsets: Int32Array,
    readonly kinds: Uint8Array,
    readonly count: number,
  ) {}

  /** The `TrapSite` at `offset`, or `TrapSite.none`. */
  at(offset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.offsets[mid]!;
      if (v === offset) return this.kinds[mid]!;
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return TrapSite.none;
  }
}
