/**
 * The building blocks of the interruption checks (`epoch.ts`), shared with the split bulk instructions
 * (`bulk.ts`): counting a step down, and the slow path that asks the host whether to go on.
 *
 * @module
 */
import type { ByteSink } from "./sink.js";

/** What the pass needs to know of the module: its types, tables, and the host's table-growth check. */
export interface ModuleTypes {
  /** The number of parameters of function type `index`, or undefined when it is not one. */
  paramCount(index: number): number | undefined;
  /** True when memory `index` is a 64-bit memory (its bulk operations and waits are left as they are). */
  memory64(index: number): boolean;
  /** True when table `index` is a 64-bit table (its bulk operations are left as they are). */
  table64(index: number): boolean;
  /**
   * The global holding table `index`'s maximum size, for a table the store creates, else -1 (its
   * `table.grow` is weighed but not split). Absent: no table has one.
   */
  tableMax?(index: number): number;
  /** The element type byte of a table with `tableMax` (0x70 funcref, 0x6f externref). */
  tableElement?(index: number): number;
  /**
   * The module's own mutable global tracking the engine's storage capacity of a table with `tableMax`
   * (see `BulkOps.rewriteGrow`).
   */
  tableCapacity?(index: number): number;
  /**
   * The host function a `table.grow` calls, with the storage capacity it is about to make the engine
   * allocate, before it does (`HostImport.checkGrow`); -1 when no table has `tableMax`.
   */
  readonly checkGrow?: number;
}

/**
 * The slow path: ask the host for the next period; on -1 store the fuel left (so that what ran is
 * billed: `refund` more than the local holds when the fuel pass charged, just before the check, for a
 * segment that then did not run) and trap. Returns the offset of the `unreachable`.
 */
export function slowPath(b: ByteSink, local: number, countdown: number, check: number, fuelLocal: number, fuelGlobal: number, refund = 0): number {
  b.u8(0x10); b.u32(check); // call $check
  b.u8(0x22); b.u32(local); // local.tee $k
  b.u8(0x41); b.u8(0x00); // i32.const 0
  b.u8(0x48); // i32.lt_s
  b.u8(0x04); b.u8(0x40); // if
  if (fuelLocal >= 0) {
    b.u8(0x20); b.u32(fuelLocal); // local.get $fuel
    if (refund > 0) {
      b.u8(0x42); b.sleb(refund); // i64.const refund
      b.u8(0x7c); // i64.add
    }
    b.u8(0x24); b.u32(fuelGlobal); // global.set $fuel_g
  }
  const trapAt = b.length;
  b.u8(0x00); // unreachable
  b.u8(0x0b); // end
  b.u8(0x20); b.u32(local); // local.get $k
  b.u8(0x24); b.u32(countdown); // global.set $count
  return trapAt;
}

/** `local.get $k  i32.const weight  i32.sub  local.tee $k  i32.const 0  i32.lt_s` */
export function decrement(b: ByteSink, local: number, weight: number): void {
  b.u8(0x20); b.u32(local);
  b.u8(0x41); b.sleb(weight);
  b.u8(0x6b);
  b.u8(0x22); b.u32(local);
  b.u8(0x41); b.u8(0x00);
  b.u8(0x48);
}
