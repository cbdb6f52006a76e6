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

/** What an inserted `unreachable` means. */
export const TrapSite = { none: 0, outOfFuel: 1, interrupt: 2 } as const;

/** Builds an `OffsetMap` run by run (offsets must be added in increasing order). */
export class OffsetMapBuilder {
  private newAt: number[] = [];
  private origAt: number[] = [];
  private copy: number[] = [];
  /** Inserted `unreachable`s: new offset -> TrapSite. */
  readonly traps = new Map<number, number>();

  /** From `newAt` on, bytes are copied from the original starting at `origAt`. */
  copyRun(newAt: number, origAt: number): void {
    this.push(newAt, origAt, 1);
  }

  /** From `newAt` on, bytes were inserted before (or stand for) the original instruction at `origAt`. */
  insertRun(newAt: number, origAt: number): void {
    this.push(newAt, origAt, 0);
  }

  private push(newAt: number, origAt: number, copy: number): void {
    const last = this.newAt.length - 1;
    if (last >= 0 && this.newAt[last] === newAt) {
      this.origAt[last] = origAt;
      this.copy[last] = copy;
      return;
    }
    this.newAt.push(newAt);
    this.origAt.push(origAt);
    this.copy.push(copy);
  }

  /** The finished map, with every new offset moved by `base` (the rewritten code section's position). */
  build(base: number): OffsetMap {
    const n = this.newAt.length;
    const newAt = new Int32Array(n);
    const origAt = new Int32Array(n);
    const copy = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      newAt[i] = this.newAt[i]! + base;
      origAt[i] = this.origAt[i]!;
      copy[i] = this.copy[i]!;
    }
    const traps = new Map<number, number>();
    for (const [at, kind] of this.traps) traps.set(at + base, kind);
    return new OffsetMap(newAt, origAt, copy, traps);
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
    /** Offsets of inserted `unreachable`s in the rewritten binary, with their `TrapSite`. */
    readonly traps: ReadonlyMap<number, number>,
  ) {}

  /** The identity map shifted by `delta` (a rewrite that moved the code section without changing it). */
  static shifted(codeStart: number, delta: number): OffsetMap {
    return new OffsetMap(Int32Array.of(codeStart + delta), Int32Array.of(codeStart), Uint8Array.of(1), new Map());
  }

  /** The original offset of rewritten offset `at` (offsets before the first run are returned as they are). */
  original(at: number): number {
    const runs = this.newAt;
    let lo = 0;
    let hi = runs.length - 1;
    if (hi < 0 || at < runs[0]!) return at;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (runs[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return this.copy[lo] ? this.origAt[lo]! + (at - runs[lo]!) : this.origAt[lo]!;
  }

  /** The `TrapSite` of rewritten offset `at` (`TrapSite.none` for the user's own code). */
  trapAt(at: number): number {
    return this.traps.get(at) ?? TrapSite.none;
  }
}
