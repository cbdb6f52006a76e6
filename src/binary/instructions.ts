/**
 * A fast, allocation-free cursor over an instruction sequence: a function body's code or a constant
 * expression. Each `next()` decodes one instruction and leaves its `OpInfo`, its start offset and its
 * immediates in reusable fields of the cursor; nothing is allocated per instruction (64-bit and float
 * literals are decoded on demand by getters).
 *
 * Which fields are meaningful depends on `op.imms` (see `Imm` in opcodes.ts):
 * - index immediates (label, func, type, table, mem, global, local, elem, data, tag, field, u32) fill
 *   `idx0`, `idx1`, `idx2` in binary order (e.g. `call_indirect`: `idx0` type, `idx1` table;
 *   `struct.get`: `idx0` type, `idx1` field; `br_on_cast`: `idx0` label);
 * - `blockType`: the s33 value (-64 empty, -1..-5 i32..v128, -16/-17 funcref/externref, ..., >= 0 a
 *   type index); for `(ref null? ht)` it is -29 (nullable) or -28 and `blockHeap` holds the heap type;
 * - `memarg`: `memAlign` (exponent), `memIndex`, `memOffset` (a number; exact below 2^53);
 * - literals: `i32`, the getters `i64`, `f32Bits`, `f64Bits`; `valueAt` is where a literal's bytes start
 *   (v128 and shuffle lanes are the 16 bytes there);
 * - `lane`, `castFlags`, `heap0`/`heap1` (heap types), `brTargets`/`brCount` (default last),
 *   `catchKinds`/`catchTags`/`catchLabels`/`catchCount`, `selectCount` (types at `valueAt`).
 *
 * Errors are `CompileError`s with the absolute byte offset and the spec's wording.
 *
 * @module
 */
import { LebReader } from "./leb-reader.js";
import { Imm, opByCode, type OpInfo } from "./opcodes.js";

const EMPTY = new Uint8Array(0);

/** Decodes instructions one by one from `bytes[pos..end)`; offsets are reported as `base + index`. */
export class InstrCursor extends LebReader {
  /** The current instruction. */
  op!: OpInfo;
  /** Index in `bytes` of the current instruction's first byte. */
  start = 0;
  /** Index in `bytes` of the first immediate byte (just after the opcode). */
  immStart = 0;

  /** The first index immediate (see the module comment for which immediates fill which field). */
  idx0 = 0;
  /** The second index immediate. */
  idx1 = 0;
  /** The third index immediate. */
  idx2 = 0;
  /** The block type as an s33 value (-64 empty, negative value types, else a type index). */
  blockType = -64;
  /** The heap type of a `(ref null? ht)` block type or value type just read. */
  blockHeap = 0;
  /** The memarg's alignment exponent. */
  memAlign = 0;
  /** The memarg's memory index (0 unless bit 6 of the alignment field was set). */
  memIndex = 0;
  /** The memarg's offset (exact below 2^53; see `memOffsetExact`). */
  memOffset = 0;
  /** The `i32.const` literal. */
  i32 = 0;
  /** Index in `bytes` where a literal (i64/f32/f64/v128/shuffle) or a `select` type vector starts. */
  valueAt = 0;
  /** A lane index. */
  lane = 0;
  /** `br_on_cast` flags. */
  castFlags = 0;
  /** The first heap type immediate (s33 value). */
  heap0 = 0;
  /** The second heap type immediate (`br_on_cast`). */
  heap1 = 0;
  /** `br_table`: number of targets including the default (the last one). */
  brCount = 0;
  /** `br_table` targets; reused between instructions. */
  brTargets = new Uint32Array(16);
  /** `try_table`: number of catch clauses. */
  catchCount = 0;
  /** `try_table` clause kinds (0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref). */
  catchKinds = new Uint8Array(4);
  /** `try_table` clause tags (for kinds 0 and 1). */
  catchTags = new Uint32Array(4);
  /** `try_table` clause labels. */
  catchLabels = new Uint32Array(4);
  /** `select t*`: number of value types (they start at `valueAt`). */
  selectCount = 0;

  constructor(bytes?: Uint8Array, pos = 0, end = bytes?.length ?? 0, base = 0) {
    super(bytes ?? EMPTY, pos, end);
    this.base = base;
  }

  /** Points the cursor at `bytes[pos..end)`, whose index 0 is at absolute offset `base`. */
  reset(bytes: Uint8Array, pos = 0, end = bytes.length, base = 0): this {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.base = base;
    return this;
  }

  /** Absolute offset of the current instruction. */
  get offset(): number {
    return this.base + this.start;
  }

  /** Index just past the current instruction (equal to `pos` after `next()`). */
  get immEnd(): number {
    return this.pos;
  }

  /**
   * Decodes the next instruction. Returns false (and decodes nothing) when the sequence is exhausted.
   */
  next(): boolean {
    const bytes = this.bytes;
    if (this.pos >= this.end) return false;
    const start = this.pos;
    this.start = start;
    const b = bytes[this.pos++]!;
    let op: OpInfo | undefined;
    if (b >= 0xfb && b <= 0xfe) {
      if (this.pos >= this.end) this.fail("unexpected end");
      const code = this.u32();
      op = opByCode(b, code);
      if (op === undefined) this.fail("illegal opcode", start);
    } else {
      op = opByCode(undefined, b);
      if (op === undefined) this.fail("illegal opcode", start);
    }
    this.op = op;
    this.immStart = this.pos;
    const imms = op.imms;
    let slot = 0;
    let heaps = 0;
    for (let i = 0; i < imms.length; i++) {
      switch (imms[i]) {
        case Imm.label: case Imm.funcIdx: case Imm.typeIdx: case Imm.tableIdx: case Imm.memIdx:
        case Imm.globalIdx: case Imm.localIdx: case Imm.elemIdx: case Imm.dataIdx: case Imm.tagIdx:
        case Imm.fieldIdx: case Imm.u32: {
          const v = this.u32();
          if (slot === 0) this.idx0 = v;
          else if (slot === 1) this.idx1 = v;
          else this.idx2 = v;
          slot++;
          break;
        }
        case Imm.blockType: this.readBlockType(); break;
        case Imm.brTable: this.readBrTable(); break;
        case Imm.memarg: this.readMemarg(); break;
        case Imm.i32: this.i32 = this.s32(); break;
        case Imm.i64: this.valueAt = this.pos; this.skipS64(); break;
        case Imm.f32: this.valueAt = this.pos; this.skip(4); break;
        case Imm.f64: this.valueAt = this.pos; this.skip(8); break;
        case Imm.v128: case Imm.shuffle: this.valueAt = this.pos; this.skip(16); break;
        case Imm.lane: this.lane = this.u8(); break;
        case Imm.heapType: {
          const h = this.heapType();
          if (heaps++ === 0) this.heap0 = h; else this.heap1 = h;
          break;
        }
        case Imm.selectTypes: {
          const n = this.u32();
          this.selectCount = n;
          this.valueAt = this.pos;
          for (let j = 0; j < n; j++) this.valType();
          break;
        }
        case Imm.castFlags: this.castFlags = this.u8(); break;
        case Imm.catches: this.readCatches(); break;
        case Imm.zeroByte: {
          const at = this.pos;
          if (this.u8() !== 0) this.fail("malformed fence: zero byte expected", at);
          break;
        }
      }
    }
    return true;
  }

  // ---- immediates -------------------------------------------------------------------------------

  private readBlockType(): void {
    const at = this.pos;
    const b = this.u8();
    if (b === 0x40) { this.blockType = -64; return; }
    if (b === 0x63 || b === 0x64) { this.blockType = b - 0x80; this.blockHeap = this.heapType(); return; }
    if (b === 0x65) { this.pos = at; this.blockType = -29; this.blockHeap = this.heapType(); return; } // (ref null (shared ht))
    if (isSimpleValType(b)) { this.blockType = b - 0x80; return; }
    this.pos = at;
    const t = this.s33();
    if (t < 0) this.fail("malformed block type", at);
    this.blockType = t;
  }

  private readBrTable(): void {
    const at = this.pos;
    const n = this.u32();
    if (n > this.end - this.pos) this.fail("unexpected end", at);
    if (n + 1 > this.brTargets.length) this.brTargets = new Uint32Array(Math.max(n + 1, this.brTargets.length * 2));
    const targets = this.brTargets;
    for (let i = 0; i <= n; i++) targets[i] = this.u32();
    this.brCount = n + 1;
  }

  private readMemarg(): void {
    const at = this.pos;
    let align = this.u32();
    if (align & 0x40) {
      align &= ~0x40;
      this.memIndex = this.u32();
    } else {
      this.memIndex = 0;
    }
    if (align >= 64) this.fail("malformed memop flags", at);
    this.memAlign = align;
    this.memOffset = this.u64();
  }

  private readCatches(): void {
    const n = this.u32();
    if (n > this.end - this.pos) this.fail("unexpected end");
    if (n > this.catchKinds.length) {
      const size = Math.max(n, this.catchKinds.length * 2);
      this.catchKinds = new Uint8Array(size);
      this.catchTags = new Uint32Array(size);
      this.catchLabels = new Uint32Array(size);
    }
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const kind = this.u8();
      if (kind > 3) this.fail("malformed catch clause", at);
      this.catchKinds[i] = kind;
      this.catchTags[i] = kind < 2 ? this.u32() : 0;
      this.catchLabels[i] = this.u32();
    }
    this.catchCount = n;
  }

  /**
   * Reads a heap type as its s33 value (negative: abstract, code - 0x80; a shared abstract type of
   * shared-everything threads, `0x65 code`, is code - 0x100: see `SHARED_HEAP_OFFSET`).
   */
  heapType(): number {
    const at = this.pos;
    const v = this.s33();
    if (v === SHARED_PREFIX_S33) {
      const h = this.s33();
      if (h >= 0 || !isAbstractHeapCode(h + 0x80)) this.fail("malformed heap type", at);
      return h - SHARED_HEAP_OFFSET;
    }
    if (v < 0 && !isAbstractHeapCode(v + 0x80)) this.fail("malformed heap type", at);
    return v;
  }

  /** Reads (and checks) one value type; returns its first byte's s33 value (see `blockType`). */
  valType(): number {
    const at = this.pos;
    const b = this.u8();
    if (b === 0x63 || b === 0x64) { this.blockHeap = this.heapType(); return b - 0x80; }
    if (b === 0x65) { this.pos = at; this.blockHeap = this.heapType(); return -29; } // (ref null (shared ht))
    if (isSimpleValType(b)) return b - 0x80;
    return this.fail("malformed value type", at);
  }

  // ---- literal getters ------------------------------------------------------------------------

  /** The `i64.const` literal. */
  get i64(): bigint {
    let result = 0n;
    let shift = 0n;
    const bytes = this.bytes;
    for (let p = this.valueAt; ; p++) {
      const b = bytes[p]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40 && shift < 64n) result -= 1n << shift;
        return BigInt.asIntN(64, result);
      }
    }
  }

  /** The `f32.const` literal's bits (u32). */
  get f32Bits(): number {
    const b = this.bytes;
    const p = this.valueAt;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** The `f64.const` literal's bits (u64). */
  get f64Bits(): bigint {
    const b = this.bytes;
    const p = this.valueAt;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  // ---- primitive reads --------------------------------------------------------------------------

  private skipS64(): void {
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail("integer representation too long", this.pos - 1);
        if (b !== 0 && b !== 0x7f) this.fail("integer too large", this.pos - 1);
      }
      if ((b & 0x80) === 0) return;
    }
  }

  /** An unsigned LEB128 u64 as a number (exact below 2^53, rounded above). */
  u64(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail("integer representation too long", this.pos - 1);
        if (b & 0x7e) this.fail("integer too large", this.pos - 1);
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return result;
    }
    /* c8 ignore next */
    return this.fail("integer representation too long");
  }

  /** The memarg offset as an exact bigint (re-reads the LEB just decoded; for memory64 printing). */
  memOffsetExact(): bigint {
    if (this.memOffset <= Number.MAX_SAFE_INTEGER) return BigInt(this.memOffset);
    // Find the offset LEB: it is the last LEB of the memarg, ending before any lane byte.
    const bytes = this.bytes;
    let p = this.immStart;
    const align = readU32At(bytes, p);
    p = align.next;
    if (align.value & 0x40) p = readU32At(bytes, p).next;
    let result = 0n;
    let shift = 0n;
    for (;; p++) {
      const b = bytes[p]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
  }
}

function readU32At(bytes: Uint8Array, p: number): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[p++]!;
    result |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) === 0 || shift >= 35) return { value: result >>> 0, next: p };
  }
}

/** True for the one-byte value types: numbers, v128 and the abstract reference abbreviations. */
export function isSimpleValType(b: number): boolean {
  return (b >= 0x7b && b <= 0x7f) || isAbstractHeapCode(b);
}

/** The s33 value of the `shared` heap type prefix byte 0x65 (shared-everything threads). */
const SHARED_PREFIX_S33 = 0x65 - 0x80;

/**
 * What `InstrCursor.heapType` subtracts from a shared abstract heap type's s33 value: `(shared func)`
 * reads as 0x70 - 0x100, below every unshared abstract type (which are above -0x80).
 */
export const SHARED_HEAP_OFFSET = 0x80;

/** True for the byte code of an abstract heap type (0x69..0x74). */
export function isAbstractHeapCode(b: number): boolean {
  return b >= 0x69 && b <= 0x74;
}

/**
 * Skips an instruction sequence from `pos` to its terminating `end` at depth 0 (a constant expression
 * or a whole body) and returns the index just past it. Throws "unexpected end" if the bytes run out.
 */
export function skipExpression(cursor: InstrCursor): number {
  let depth = 0;
  while (cursor.next()) {
    const c = cursor.op.control;
    if (c === 1) depth++;
    else if (c === 3) {
      if (depth === 0) return cursor.pos;
      depth--;
    }
  }
  return cursor.fail("unexpected end");
}
