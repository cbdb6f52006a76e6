/**
 * Bulk memory and table instructions under the passes that weigh them by their length: which ones
 * touch a 64-bit memory or table (their length operands are i64 there, so fuel's per-unit charge and
 * the interruption pass's chunking leave them as they are and charge or check their flat cost), and
 * the interruption pass's rewrite of them (`BulkOps`): weighed, split into checked chunks, and
 * `memory.atomic.wait` in checked slices.
 *
 * @module
 */
import { op } from "../binary/opcodes.js";
import { TrapSite } from "./offsets.js";
import type { FunctionContext, Snippet } from "./plan.js";
import { decrement, slowPath, type ModuleTypes } from "./interrupt-check.js";
import { readLeb } from "./scan.js";
import { ByteSink } from "./sink.js";

const MEMORY_FILL = op("memory.fill").id;
const MEMORY_COPY = op("memory.copy").id;
const MEMORY_INIT = op("memory.init").id;
const TABLE_FILL = op("table.fill").id;
const TABLE_COPY = op("table.copy").id;
const TABLE_INIT = op("table.init").id;
const TABLE_GROW = op("table.grow").id;

/** Whether memory or table `index` is 64-bit, by index space. */
export interface IndexWidths {
  memory64(index: number): boolean;
  table64(index: number): boolean;
}

/** Every memory and table 32-bit. */
export const NO_64_BIT: IndexWidths = { memory64: () => false, table64: () => false };

/** The end of the LEB128 number at `p`. */
export function lebEnd(bytes: Uint8Array, p: number): number {
  while (bytes[p]! & 0x80) p++;
  return p + 1;
}

/**
 * True when bulk instruction `bytes[at..end)` (instruction id `o`, after its 0xfc prefix and
 * sub-opcode) touches a 64-bit memory or table, so that some of its operands are i64.
 */
export function bulkTouches64(bytes: Uint8Array, at: number, end: number, o: number, widths: IndexWidths): boolean {
  const p = lebEnd(bytes, at + 1); // past the prefix and the sub-opcode
  switch (o) {
    case MEMORY_FILL:
      return widths.memory64(readLeb(bytes, p, end));
    case MEMORY_COPY:
      return widths.memory64(readLeb(bytes, p, end)) || widths.memory64(readLeb(bytes, lebEnd(bytes, p), end));
    case MEMORY_INIT:
      return widths.memory64(readLeb(bytes, lebEnd(bytes, p), end)); // data index, then memory
    case TABLE_FILL:
    case TABLE_GROW:
      return widths.table64(readLeb(bytes, p, end));
    case TABLE_COPY:
      return widths.table64(readLeb(bytes, p, end)) || widths.table64(readLeb(bytes, lebEnd(bytes, p), end));
    case TABLE_INIT:
      return widths.table64(readLeb(bytes, lebEnd(bytes, p), end)); // element index, then table
    default:
      return false;
  }
}

/**
 * Bulk memory and table instructions take time in proportion to their length, so each one is weighed
 * before it runs: the countdown goes down by one step per `BYTES_PER_STEP` bytes (per element for
 * tables), and a check comes first if that crosses zero. `memory.fill`, `memory.copy` and
 * `memory.init` longer than `CHUNK` bytes are done in chunks of `CHUNK`, each weighed and checked, so
 * that even a 4 GiB copy returns control to the deadline check every `CHUNK` bytes. The result is the
 * same as the single instruction's: a zero-length instruction at the far end of both ranges traps
 * first exactly when the whole one would (bounds are checked before anything is written), and a copy
 * to a higher address goes from the end down so that overlapping ranges copy as `memmove` does.
 */
const CHUNK = 1 << 20;
/** The longest a `memory.atomic.wait` waits between two deadline checks: 1 ms. */
const WAIT_SLICE_NS = 1_000_000;
const BYTES_PER_STEP_LOG2 = 5;
const ELEMENTS_PER_STEP_LOG2 = 0;
/** The elements a chunk of a split `table.grow` adds (a fraction of a millisecond of the engine's work; see `rewriteGrow`). */
const GROW_CHUNK = 4096;

export class BulkOps {
  private d = -1;
  private x = -1;
  private n = -1;
  private c = -1;
  private t = -1;
  /** Locals holding a `table.grow`'s initial value, by element type byte. */
  private readonly refs = new Map<number, number>();

  constructor(
    private readonly fn: FunctionContext,
    private readonly types: ModuleTypes,
    private readonly k: number,
    private readonly countdown: number,
    private readonly check: number,
    private readonly fuelLocal: number,
    private readonly fuelGlobal: number,
  ) {}

  /** Weighs (and for long memory operations, splits) bulk instruction `i`. */
  rewrite(i: number): void {
    const fn = this.fn;
    const { op: ops, start } = fn.scan;
    const o = ops[i]!;
    const bytes = fn.bytes;
    const at = start[i]!;
    const end = start[i + 1]!;
    // On a 64-bit memory or table the length is an i64: such instructions are left as they are.
    if (bulkTouches64(bytes, at, end, o, this.types)) return;
    if (this.n < 0) this.n = fn.addLocal(0x7f);
    const traps: number[] = [];
    const b = new ByteSink(160);
    const memory = o === MEMORY_FILL || o === MEMORY_COPY || o === MEMORY_INIT;
    if (o === TABLE_GROW && this.rewriteGrow(i, b, traps)) return;
    if (!memory) {
      // Other table instructions: at most the engine's table size limit of elements; weighed, not split.
      b.u8(0x22); b.u32(this.n); // local.tee $n (the length is on top of the stack)
      this.checkDynamic(b, ELEMENTS_PER_STEP_LOG2, traps);
      fn.insert(i, this.snippet(b, traps));
      return;
    }
    if (this.d < 0) {
      this.d = fn.addLocal(0x7f);
      this.x = fn.addLocal(0x7f);
    }
    const { d, x, n } = this;
    const advances = o !== MEMORY_FILL; // the source offset moves with the destination
    const instr = (): void => b.copy(bytes, at, end);
    const get = (l: number): void => { b.u8(0x20); b.u32(l); };
    const set = (l: number): void => { b.u8(0x21); b.u32(l); };
    const i32 = (v: number): void => { b.u8(0x41); b.sleb(v | 0); };
    set(n); set(x); set(d);
    b.u8(0x02); b.u8(0x40); // block $done
    get(n); i32(CHUNK); b.u8(0x4b); // i32.gt_u
    b.u8(0x04); b.u8(0x40); // if (long)
    // A range that wraps around 2^32 is out of bounds: the instruction itself traps.
    get(d); get(n); b.u8(0x6a); get(d); b.u8(0x49); // i32.add i32.lt_u
    if (advances) { get(x); get(n); b.u8(0x6a); get(x); b.u8(0x49); b.u8(0x72); } // ... i32.or
    b.u8(0x04); b.u8(0x40); get(d); get(x); get(n); instr(); b.u8(0x0c); b.u8(0x02); b.u8(0x0b); // if op br $done end
    // Zero-length at the end of both ranges: traps exactly when the whole instruction would.
    get(d); get(n); b.u8(0x6a);
    if (advances) { get(x); get(n); b.u8(0x6a); } else get(x);
    i32(0); instr();
    const forward = (): void => {
      b.u8(0x03); b.u8(0x40); // loop
      this.checkConst(b, CHUNK >>> BYTES_PER_STEP_LOG2, traps);
      get(d); get(x); i32(CHUNK); instr();
      get(d); i32(CHUNK); b.u8(0x6a); set(d);
      if (advances) { get(x); i32(CHUNK); b.u8(0x6a); set(x); }
      get(n); i32(CHUNK); b.u8(0x6b); b.u8(0x22); b.u32(n); // local.tee $n
      i32(CHUNK); b.u8(0x4b); b.u8(0x0d); b.u8(0x00); // i32.gt_u br_if 0
      b.u8(0x0b);
    };
    if (o === MEMORY_COPY) {
      // To a higher address: from the end down, so that the source is read before it is overwritten.
      get(d); get(x); b.u8(0x4b); // i32.gt_u
      b.u8(0x04); b.u8(0x40); // if
      b.u8(0x03); b.u8(0x40); // loop
      this.checkConst(b, CHUNK >>> BYTES_PER_STEP_LOG2, traps);
      get(n); i32(CHUNK); b.u8(0x6b); set(n);
      get(d); get(n); b.u8(0x6a); get(x); get(n); b.u8(0x6a); i32(CHUNK); instr();
      get(n); i32(CHUNK); b.u8(0x4b); b.u8(0x0d); b.u8(0x00); // br_if 0
      b.u8(0x0b); // end loop
      b.u8(0x05); // else
      forward();
      b.u8(0x0b); // end if
    } else {
      forward();
    }
    b.u8(0x0b); // end if (long)
    this.checkDynamic(b, BYTES_PER_STEP_LOG2, traps);
    get(d); get(x); get(n); instr();
    b.u8(0x0b); // end $done
    fn.replace(i, this.snippet(b, traps));
  }

  /**
   * `table.grow` of a table the store creates. The engine takes time for a grow in two ways, and
   * neither may outrun a deadline:
   *
   * - In proportion to the elements added (about 0.06 us each in chunks on Node 20, more in one
   *   piece): a grow of more than `GROW_CHUNK` elements runs in chunks of `GROW_CHUNK`, each after a
   *   deadline check.
   * - In proportion to the table, when its storage is full and the engine reallocates all of it (V8:
   *   to the larger of the new size and twice the old capacity, at most the maximum; 82-99 ms for
   *   one to a million elements measured on Node 20). A check cannot split that step, so it is announced before: the
   *   module keeps the engine's capacity in its own global (`tableCapacity`, the table's initial
   *   size at first), and a chunk that would go past it first calls the host's `checkGrow` with the
   *   new capacity, which interrupts there and then when the deadline would pass during the
   *   reallocation (the host's estimate per element, `host.ts`).
   *
   * The whole grow must succeed or fail as one, so it is split only when every chunk will succeed:
   * when the elements asked for fit under the table's maximum (the global `tableMax`, which the store
   * sets to the smallest of the declared maximum, its `tableElements` limit and the engine's limit).
   * Otherwise the single instruction runs, weighed as before: it fails at once, returning -1, without
   * growing or reallocating. The result is the old size, as the single instruction's. Returns false,
   * writing nothing, for a table without a known maximum.
   */
  private rewriteGrow(i: number, b: ByteSink, traps: number[]): boolean {
    const fn = this.fn;
    const bytes = fn.bytes;
    const at = fn.scan.start[i]!;
    const end = fn.scan.start[i + 1]!;
    const table = readLeb(bytes, lebEnd(bytes, at + 1), end);
    const max = this.types.tableMax?.(table) ?? -1;
    const capacity = this.types.tableCapacity?.(table) ?? -1;
    const checkGrow = this.types.checkGrow ?? -1;
    if (max < 0 || capacity < 0 || checkGrow < 0) return false;
    if (this.d < 0) {
      this.d = fn.addLocal(0x7f);
      this.x = fn.addLocal(0x7f);
    }
    if (this.c < 0) {
      this.c = fn.addLocal(0x7f);
      this.t = fn.addLocal(0x7f);
    }
    const element = this.types.tableElement?.(table) ?? 0x70;
    let ref = this.refs.get(element);
    if (ref === undefined) this.refs.set(element, (ref = fn.addLocal(element)));
    const { d: old, x: k, n, c, t } = this;
    const get = (l: number): void => { b.u8(0x20); b.u32(l); };
    const set = (l: number): void => { b.u8(0x21); b.u32(l); };
    const i32 = (v: number): void => { b.u8(0x41); b.sleb(v | 0); };
    const global = (g: number): void => { b.u8(0x23); b.u32(g); };
    const size = (): void => { b.u8(0xfc); b.u32(16); b.u32(table); }; // table.size
    const grow = (): void => b.copy(bytes, at, end);
    /** Leaves the larger (`gt_u`) or smaller (`lt_u`) of locals `p` and `q` in `p`. */
    const pick = (p: number, q: number, cmp: number): void => { get(p); get(q); get(p); get(q); b.u8(cmp); b.u8(0x1b); set(p); };
    set(n); set(ref);
    b.u8(0x02); b.u8(0x7f); // block $done (result i32)
    // Fails whole (more than the maximum allows): the single instruction, weighed by its length.
    get(n); global(max); size(); b.u8(0x6b); b.u8(0x4b); // n > max - size (i32.sub i32.gt_u)
    b.u8(0x04); b.u8(0x40); // if
    this.checkDynamic(b, ELEMENTS_PER_STEP_LOG2, traps);
    get(ref); get(n); grow(); b.u8(0x0c); b.u8(0x01); // br $done
    b.u8(0x0b); // end if
    size(); set(old);
    b.u8(0x03); b.u8(0x40); // loop $chunks
    get(n); i32(GROW_CHUNK); get(n); i32(GROW_CHUNK); b.u8(0x49); b.u8(0x1b); set(k); // k = min(n, chunk)
    size(); get(k); b.u8(0x6a); b.u8(0x22); b.u32(c); global(capacity); b.u8(0x4b); // (c = size + k) > capacity
    b.u8(0x04); b.u8(0x40); // if: the engine reallocates the table's storage
    global(capacity); i32(1); b.u8(0x74); set(t); pick(c, t, 0x4b); // c = max(size + k, 2 * capacity)
    global(max); set(t); pick(c, t, 0x49); // c = min(c, max)
    get(c);
    traps.push(slowPath(b, this.k, this.countdown, checkGrow, this.fuelLocal, this.fuelGlobal));
    get(c); b.u8(0x24); b.u32(capacity); // global.set $capacity
    b.u8(0x05); // else
    get(k); i32(GROW_CHUNK); b.u8(0x46); // i32.eq: a whole chunk asks the host, a last one is weighed
    b.u8(0x04); b.u8(0x40);
    // A chunk costs about as much time as tens of thousands of the steps a period counts: weighing it
    // would leave many chunks between two checks.
    traps.push(slowPath(b, this.k, this.countdown, this.check, this.fuelLocal, this.fuelGlobal));
    b.u8(0x05);
    this.checkDynamic(b, ELEMENTS_PER_STEP_LOG2, traps, k);
    b.u8(0x0b); // end if
    b.u8(0x0b); // end if (reallocates)
    get(ref); get(k); grow(); b.u8(0x1a); // drop
    get(n); get(k); b.u8(0x6b); b.u8(0x22); b.u32(n); b.u8(0x0d); b.u8(0x00); // n -= k; br_if $chunks
    b.u8(0x0b); // end loop
    get(old);
    b.u8(0x0b); // end $done
    fn.replace(i, this.snippet(b, traps));
    return true;
  }

  /**
   * `memory.atomic.wait32/64` waits at most `WAIT_SLICE_NS` at a time, then asks the host whether the
   * deadline has passed (trapping `interrupt` if so) and waits again for what is left of its timeout
   * (an infinite timeout, -1, waits slice after slice). A wake-up between two slices is not lost when,
   * as the threads proposal's protocols do, the notifier changed the value first: the next slice then
   * sees another value and the instruction reports 0 ("woken") rather than 1 ("not-equal"), which it
   * reports only from its first slice.
   */
  rewriteWait(i: number): void {
    const fn = this.fn;
    const { op: ops, start } = fn.scan;
    const bytes = fn.bytes;
    const at = start[i]!;
    const end = start[i + 1]!;
    const memarg = lebEnd(bytes, at + 1);
    // The memory index is in the memarg when bit 6 of its alignment field is set (multi-memory).
    const align = readLeb(bytes, memarg, end);
    const memory = align & 0x40 ? readLeb(bytes, lebEnd(bytes, memarg), end) : 0;
    if (this.types.memory64(memory)) return;
    const wide = ops[i] === op("memory.atomic.wait64").id;
    const a = this.fn.addLocal(0x7f);
    const e = this.fn.addLocal(wide ? 0x7e : 0x7f);
    const t = this.fn.addLocal(0x7e);
    const r = this.fn.addLocal(0x7f);
    const again = this.fn.addLocal(0x7f);
    const traps: number[] = [];
    const b = new ByteSink(128);
    const get = (l: number): void => { b.u8(0x20); b.u32(l); };
    const set = (l: number): void => { b.u8(0x21); b.u32(l); };
    set(t); set(e); set(a);
    b.u8(0x41); b.u8(0x00); set(again); // i32.const 0  local.set $again
    b.u8(0x02); b.u8(0x7f); // block $done (result i32)
    b.u8(0x03); b.u8(0x40); // loop $retry
    get(a); get(e);
    // This slice: the timeout left, or a slice if that is longer (or infinite: negative, huge unsigned).
    get(t); b.u8(0x42); b.sleb(WAIT_SLICE_NS); b.u8(0x56); // i64.gt_u
    b.u8(0x04); b.u8(0x7e); b.u8(0x42); b.sleb(WAIT_SLICE_NS); b.u8(0x05); get(t); b.u8(0x0b); // if (result i64) slice else t end
    b.copy(bytes, at, end); // the wait itself
    b.u8(0x22); b.u32(r); // local.tee $r
    b.u8(0x41); b.u8(0x02); b.u8(0x47); // i32.const 2  i32.ne
    b.u8(0x04); b.u8(0x40); // if: woken or not-equal
    b.u8(0x41); b.u8(0x00); get(r); // 0 or r:
    get(again); get(r); b.u8(0x41); b.u8(0x01); b.u8(0x46); b.u8(0x71); b.u8(0x1b); // again & (r == 1)  select
    b.u8(0x0c); b.u8(0x02); // br $done
    b.u8(0x0b);
    // Timed out for this slice: done if that was the whole (finite) timeout.
    get(t); b.u8(0x42); b.u8(0x00); b.u8(0x59); // i64.ge_s 0
    b.u8(0x04); b.u8(0x40);
    get(t); b.u8(0x42); b.sleb(WAIT_SLICE_NS); b.u8(0x58); // i64.le_u
    b.u8(0x04); b.u8(0x40); b.u8(0x41); b.u8(0x02); b.u8(0x0c); b.u8(0x03); b.u8(0x0b); // if i32.const 2 br $done end
    get(t); b.u8(0x42); b.sleb(WAIT_SLICE_NS); b.u8(0x7d); set(t); // t -= slice
    b.u8(0x0b);
    // Ask the host (interrupts here when the deadline has passed), then wait again.
    traps.push(slowPath(b, this.k, this.countdown, this.check, this.fuelLocal, this.fuelGlobal));
    b.u8(0x41); b.u8(0x01); set(again);
    b.u8(0x0c); b.u8(0x00); // br $retry
    b.u8(0x0b); // end loop
    b.u8(0x00); // unreachable (the loop only leaves through $done)
    b.u8(0x0b); // end $done
    fn.replace(i, this.snippet(b, traps));
  }

  /** The snippet of `b` with its recorded traps. */
  private snippet(b: ByteSink, traps: readonly number[]): Snippet {
    return { bytes: b.view().slice(), trapAt: traps[0] ?? -1, trapKind: TrapSite.interrupt, ...(traps.length > 1 ? { moreTraps: traps.slice(1) } : {}) };
  }

  /** Countdown minus `weight`; the slow path when it crosses zero. */
  private checkConst(b: ByteSink, weight: number, traps: number[]): void {
    decrement(b, this.k, weight);
    this.slow(b, traps);
  }

  /** Countdown minus `$length >> shift` (`$n` by default); the slow path when it crosses zero. */
  private checkDynamic(b: ByteSink, shift: number, traps: number[], length = this.n): void {
    b.u8(0x20); b.u32(this.k); // local.get $k
    b.u8(0x20); b.u32(length); // local.get $length
    if (shift > 0) { b.u8(0x41); b.u8(shift); b.u8(0x76); } // i32.const shift  i32.shr_u
    b.u8(0x6b); // i32.sub
    b.u8(0x22); b.u32(this.k); // local.tee $k
    b.u8(0x41); b.u8(0x00); // i32.const 0
    b.u8(0x48); // i32.lt_s
    this.slow(b, traps);
  }

  private slow(b: ByteSink, traps: number[]): void {
    b.u8(0x04); b.u8(0x40); // if
    traps.push(slowPath(b, this.k, this.countdown, this.check, this.fuelLocal, this.fuelGlobal));
    b.u8(0x0b); // end
  }
}
