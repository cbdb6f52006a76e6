/**
 * The one instruction table of wasmhost: every instruction's text name, binary opcode (prefix and
 * code), immediates and, for memory instructions, natural alignment. The decoder, the instruction
 * cursor, the encoder, the text parser and the printer all read it; nothing else lists instructions.
 *
 * Covers WebAssembly 2.0 (including SIMD and bulk memory / reference types), tail calls, legacy and
 * new exception handling, threads, typed function references, GC, relaxed SIMD, multi-memory and
 * memory64 (the last two through the memarg encoding, see `Imm.memarg`).
 *
 * Lookup is O(1) both ways: `opByName(name)` and `opByCode(prefix, code)`.
 *
 * @module
 */

/**
 * The kinds of immediate an instruction carries, in binary order. Values are small integers so that
 * the cursor can `switch` on them.
 */
export const Imm = {
  /** Block type: empty (0x40), a value type, or an s33 type index. */
  blockType: 1,
  /** A label index (u32). */
  label: 2,
  /** `br_table`: a vector of label indices, then the default label. */
  brTable: 3,
  funcIdx: 4,
  typeIdx: 5,
  tableIdx: 6,
  /** A memory index (u32). `memory.size`/`memory.grow` carry one (a zero byte in 2.0). */
  memIdx: 7,
  globalIdx: 8,
  localIdx: 9,
  elemIdx: 10,
  dataIdx: 11,
  tagIdx: 12,
  /**
   * Memory argument: u32 alignment exponent whose bit 6 says a memory index (u32) follows
   * (multi-memory), then the offset (u64 LEB, memory64).
   */
  memarg: 13,
  i32: 14,
  i64: 15,
  f32: 16,
  f64: 17,
  v128: 18,
  /** A lane index (one byte). */
  lane: 19,
  /** `i8x16.shuffle`: 16 lane indices (one byte each). */
  shuffle: 20,
  /** A heap type (s33: negative for abstract heap types, else a type index). */
  heapType: 21,
  /** `select t*`: a vector of value types. */
  selectTypes: 22,
  /** A struct field index (u32). */
  fieldIdx: 23,
  /** `br_on_cast` flags (one byte: bit 0 source nullable, bit 1 target nullable). */
  castFlags: 24,
  /** `try_table` catch clauses: a vector of (kind byte, [tag], label). */
  catches: 25,
  /** A zero byte (`atomic.fence`). */
  zeroByte: 26,
  /** A plain u32 count (`array.new_fixed`). */
  u32: 27,
} as const;

/** One immediate kind (a value of `Imm`). */
export type ImmKind = (typeof Imm)[keyof typeof Imm];

/** How an instruction affects block structure (for printers and instrumentation passes). */
export const Control = {
  none: 0,
  /** Opens a block: `block`, `loop`, `if`, `try`, `try_table`. */
  open: 1,
  /** Separates parts of a block: `else`, `catch`, `catch_all`. */
  middle: 2,
  /** Closes a block: `end`, `delegate`. */
  close: 3,
} as const;

/** Everything the table knows about one instruction. */
export interface OpInfo {
  /** The text-format name, e.g. `i32.load`. */
  readonly name: string;
  /** The prefix byte (0xFB, 0xFC, 0xFD, 0xFE), or `undefined` for single-byte opcodes. */
  readonly prefix: number | undefined;
  /** The opcode byte, or the u32 after the prefix. */
  readonly code: number;
  /** The immediates, in binary order. */
  readonly imms: readonly ImmKind[];
  /** log2 of the natural alignment for memory instructions; -1 otherwise. */
  readonly align: number;
  /** Block structure role (a value of `Control`). */
  readonly control: number;
  /** A dense index unique to this instruction (0 .. `ALL_OPS.length - 1`). */
  readonly id: number;
}

const I = Imm;
type Row = readonly [code: number, name: string, imms?: readonly ImmKind[], align?: number];

const single: Row[] = [
  [0x00, "unreachable"],
  [0x01, "nop"],
  [0x02, "block", [I.blockType]],
  [0x03, "loop", [I.blockType]],
  [0x04, "if", [I.blockType]],
  [0x05, "else"],
  [0x06, "try", [I.blockType]],
  [0x07, "catch", [I.tagIdx]],
  [0x08, "throw", [I.tagIdx]],
  [0x09, "rethrow", [I.label]],
  [0x0a, "throw_ref"],
  [0x0b, "end"],
  [0x0c, "br", [I.label]],
  [0x0d, "br_if", [I.label]],
  [0x0e, "br_table", [I.brTable]],
  [0x0f, "return"],
  [0x10, "call", [I.funcIdx]],
  [0x11, "call_indirect", [I.typeIdx, I.tableIdx]],
  [0x12, "return_call", [I.funcIdx]],
  [0x13, "return_call_indirect", [I.typeIdx, I.tableIdx]],
  [0x14, "call_ref", [I.typeIdx]],
  [0x15, "return_call_ref", [I.typeIdx]],
  [0x18, "delegate", [I.label]],
  [0x19, "catch_all"],
  [0x1a, "drop"],
  [0x1b, "select"],
  [0x1c, "select", [I.selectTypes]],
  [0x1f, "try_table", [I.blockType, I.catches]],
  [0x20, "local.get", [I.localIdx]],
  [0x21, "local.set", [I.localIdx]],
  [0x22, "local.tee", [I.localIdx]],
  [0x23, "global.get", [I.globalIdx]],
  [0x24, "global.set", [I.globalIdx]],
  [0x25, "table.get", [I.tableIdx]],
  [0x26, "table.set", [I.tableIdx]],
  [0x28, "i32.load", [I.memarg], 2],
  [0x29, "i64.load", [I.memarg], 3],
  [0x2a, "f32.load", [I.memarg], 2],
  [0x2b, "f64.load", [I.memarg], 3],
  [0x2c, "i32.load8_s", [I.memarg], 0],
  [0x2d, "i32.load8_u", [I.memarg], 0],
  [0x2e, "i32.load16_s", [I.memarg], 1],
  [0x2f, "i32.load16_u", [I.memarg], 1],
  [0x30, "i64.load8_s", [I.memarg], 0],
  [0x31, "i64.load8_u", [I.memarg], 0],
  [0x32, "i64.load16_s", [I.memarg], 1],
  [0x33, "i64.load16_u", [I.memarg], 1],
  [0x34, "i64.load32_s", [I.memarg], 2],
  [0x35, "i64.load32_u", [I.memarg], 2],
  [0x36, "i32.store", [I.memarg], 2],
  [0x37, "i64.store", [I.memarg], 3],
  [0x38, "f32.store", [I.memarg], 2],
  [0x39, "f64.store", [I.memarg], 3],
  [0x3a, "i32.store8", [I.memarg], 0],
  [0x3b, "i32.store16", [I.memarg], 1],
  [0x3c, "i64.store8", [I.memarg], 0],
  [0x3d, "i64.store16", [I.memarg], 1],
  [0x3e, "i64.store32", [I.memarg], 2],
  [0x3f, "memory.size", [I.memIdx]],
  [0x40, "memory.grow", [I.memIdx]],
  [0x41, "i32.const", [I.i32]],
  [0x42, "i64.const", [I.i64]],
  [0x43, "f32.const", [I.f32]],
  [0x44, "f64.const", [I.f64]],
  [0xd0, "ref.null", [I.heapType]],
  [0xd1, "ref.is_null"],
  [0xd2, "ref.func", [I.funcIdx]],
  [0xd3, "ref.eq"],
  [0xd4, "ref.as_non_null"],
  [0xd5, "br_on_null", [I.label]],
  [0xd6, "br_on_non_null", [I.label]],
];

/** Appends rows with no immediates for consecutive codes starting at `first`. */
function plain(rows: Row[], first: number, names: string): void {
  let code = first;
  for (const name of names.trim().split(/\s+/)) {
    if (name !== "-") rows.push([code, name]);
    code++;
  }
}

plain(single, 0x45, `
  i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
  i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
  f32.eq f32.ne f32.lt f32.gt f32.le f32.ge
  f64.eq f64.ne f64.lt f64.gt f64.le f64.ge
  i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
  i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
  i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
  i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
  f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt f32.add f32.sub f32.mul f32.div
  f32.min f32.max f32.copysign
  f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt f64.add f64.sub f64.mul f64.div
  f64.min f64.max f64.copysign
  i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
  i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
  f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
  f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
  i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64
  i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s
`);

const fc: Row[] = [
  [8, "memory.init", [I.dataIdx, I.memIdx]],
  [9, "data.drop", [I.dataIdx]],
  [10, "memory.copy", [I.memIdx, I.memIdx]],
  [11, "memory.fill", [I.memIdx]],
  [12, "table.init", [I.elemIdx, I.tableIdx]],
  [13, "elem.drop", [I.elemIdx]],
  [14, "table.copy", [I.tableIdx, I.tableIdx]],
  [15, "table.grow", [I.tableIdx]],
  [16, "table.size", [I.tableIdx]],
  [17, "table.fill", [I.tableIdx]],
];
plain(fc, 0, `
  i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
  i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u
`);

const fb: Row[] = [
  [0, "struct.new", [I.typeIdx]],
  [1, "struct.new_default", [I.typeIdx]],
  [2, "struct.get", [I.typeIdx, I.fieldIdx]],
  [3, "struct.get_s", [I.typeIdx, I.fieldIdx]],
  [4, "struct.get_u", [I.typeIdx, I.fieldIdx]],
  [5, "struct.set", [I.typeIdx, I.fieldIdx]],
  [6, "array.new", [I.typeIdx]],
  [7, "array.new_default", [I.typeIdx]],
  [8, "array.new_fixed", [I.typeIdx, I.u32]],
  [9, "array.new_data", [I.typeIdx, I.dataIdx]],
  [10, "array.new_elem", [I.typeIdx, I.elemIdx]],
  [11, "array.get", [I.typeIdx]],
  [12, "array.get_s", [I.typeIdx]],
  [13, "array.get_u", [I.typeIdx]],
  [14, "array.set", [I.typeIdx]],
  [15, "array.len"],
  [16, "array.fill", [I.typeIdx]],
  [17, "array.copy", [I.typeIdx, I.typeIdx]],
  [18, "array.init_data", [I.typeIdx, I.dataIdx]],
  [19, "array.init_elem", [I.typeIdx, I.elemIdx]],
  // 20/22 take a non-nullable target, 21/23 a nullable one; the text spells both `ref.test (ref null? ht)`.
  [20, "ref.test", [I.heapType]],
  [21, "ref.test", [I.heapType]],
  [22, "ref.cast", [I.heapType]],
  [23, "ref.cast", [I.heapType]],
  [24, "br_on_cast", [I.castFlags, I.label, I.heapType, I.heapType]],
  [25, "br_on_cast_fail", [I.castFlags, I.label, I.heapType, I.heapType]],
  [26, "any.convert_extern"],
  [27, "extern.convert_any"],
  [28, "ref.i31"],
  [29, "i31.get_s"],
  [30, "i31.get_u"],
];

const fd: Row[] = [
  [0, "v128.load", [I.memarg], 4],
  [1, "v128.load8x8_s", [I.memarg], 3],
  [2, "v128.load8x8_u", [I.memarg], 3],
  [3, "v128.load16x4_s", [I.memarg], 3],
  [4, "v128.load16x4_u", [I.memarg], 3],
  [5, "v128.load32x2_s", [I.memarg], 3],
  [6, "v128.load32x2_u", [I.memarg], 3],
  [7, "v128.load8_splat", [I.memarg], 0],
  [8, "v128.load16_splat", [I.memarg], 1],
  [9, "v128.load32_splat", [I.memarg], 2],
  [10, "v128.load64_splat", [I.memarg], 3],
  [11, "v128.store", [I.memarg], 4],
  [12, "v128.const", [I.v128]],
  [13, "i8x16.shuffle", [I.shuffle]],
  [21, "i8x16.extract_lane_s", [I.lane]],
  [22, "i8x16.extract_lane_u", [I.lane]],
  [23, "i8x16.replace_lane", [I.lane]],
  [24, "i16x8.extract_lane_s", [I.lane]],
  [25, "i16x8.extract_lane_u", [I.lane]],
  [26, "i16x8.replace_lane", [I.lane]],
  [27, "i32x4.extract_lane", [I.lane]],
  [28, "i32x4.replace_lane", [I.lane]],
  [29, "i64x2.extract_lane", [I.lane]],
  [30, "i64x2.replace_lane", [I.lane]],
  [31, "f32x4.extract_lane", [I.lane]],
  [32, "f32x4.replace_lane", [I.lane]],
  [33, "f64x2.extract_lane", [I.lane]],
  [34, "f64x2.replace_lane", [I.lane]],
  [84, "v128.load8_lane", [I.memarg, I.lane], 0],
  [85, "v128.load16_lane", [I.memarg, I.lane], 1],
  [86, "v128.load32_lane", [I.memarg, I.lane], 2],
  [87, "v128.load64_lane", [I.memarg, I.lane], 3],
  [88, "v128.store8_lane", [I.memarg, I.lane], 0],
  [89, "v128.store16_lane", [I.memarg, I.lane], 1],
  [90, "v128.store32_lane", [I.memarg, I.lane], 2],
  [91, "v128.store64_lane", [I.memarg, I.lane], 3],
  [92, "v128.load32_zero", [I.memarg], 2],
  [93, "v128.load64_zero", [I.memarg], 3],
];
plain(fd, 14, `
  i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat
`);
plain(fd, 35, `
  i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u
  i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u
  i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u
  f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge
  f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge
  v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true
`);
plain(fd, 94, `
  f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
  i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
  f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest
  i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u
  i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil f64x2.floor
  i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc i8x16.avgr_u
  i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u
  i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u
  i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask
  i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u
  i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u
  i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u
  i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u f64x2.nearest i16x8.mul
  i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u - i16x8.avgr_u
  i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u
  i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - -
  i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u
  i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - - i32x4.mul
  i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
  i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
  i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - -
  i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u
  i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - - i64x2.mul
  i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
  i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
  f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div
  f32x4.min f32x4.max f32x4.pmin f32x4.pmax
  f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div
  f64x2.min f64x2.max f64x2.pmin f64x2.pmax
  i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
  i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u
  i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
  i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero
  f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd
  i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect
  f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max
  i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s
`);

const fe: Row[] = [
  [0x00, "memory.atomic.notify", [I.memarg], 2],
  [0x01, "memory.atomic.wait32", [I.memarg], 2],
  [0x02, "memory.atomic.wait64", [I.memarg], 3],
  [0x03, "atomic.fence", [I.zeroByte]],
];
{
  const loads: [string, number][] = [
    ["i32.atomic.load", 2], ["i64.atomic.load", 3], ["i32.atomic.load8_u", 0], ["i32.atomic.load16_u", 1],
    ["i64.atomic.load8_u", 0], ["i64.atomic.load16_u", 1], ["i64.atomic.load32_u", 2],
    ["i32.atomic.store", 2], ["i64.atomic.store", 3], ["i32.atomic.store8", 0], ["i32.atomic.store16", 1],
    ["i64.atomic.store8", 0], ["i64.atomic.store16", 1], ["i64.atomic.store32", 2],
  ];
  let code = 0x10;
  for (const [name, align] of loads) fe.push([code++, name, [I.memarg], align]);
  for (const op of ["add", "sub", "and", "or", "xor", "xchg", "cmpxchg"]) {
    const shapes: [string, number][] = [
      [`i32.atomic.rmw.${op}`, 2], [`i64.atomic.rmw.${op}`, 3], [`i32.atomic.rmw8.${op}_u`, 0],
      [`i32.atomic.rmw16.${op}_u`, 1], [`i64.atomic.rmw8.${op}_u`, 0], [`i64.atomic.rmw16.${op}_u`, 1],
      [`i64.atomic.rmw32.${op}_u`, 2],
    ];
    for (const [name, align] of shapes) fe.push([code++, name, [I.memarg], align]);
  }
}

function controlOf(prefix: number | undefined, code: number): number {
  if (prefix !== undefined) return Control.none;
  switch (code) {
    case 0x02: case 0x03: case 0x04: case 0x06: case 0x1f: return Control.open;
    case 0x05: case 0x07: case 0x19: return Control.middle;
    case 0x0b: case 0x18: return Control.close;
    default: return Control.none;
  }
}

const NO_IMMS: readonly ImmKind[] = Object.freeze([]);

/** Every instruction, ordered by prefix then code; `ALL_OPS[op.id] === op`. */
export const ALL_OPS: readonly OpInfo[] = (() => {
  const out: OpInfo[] = [];
  const groups: [number | undefined, Row[]][] = [[undefined, single], [0xfb, fb], [0xfc, fc], [0xfd, fd], [0xfe, fe]];
  for (const [prefix, rows] of groups) {
    rows.sort((a, b) => a[0] - b[0]);
    for (const [code, name, imms, align] of rows) {
      out.push(Object.freeze({
        name,
        prefix,
        code,
        imms: imms ? Object.freeze(imms.slice()) : NO_IMMS,
        align: align ?? -1,
        control: controlOf(prefix, code),
        id: out.length,
      }));
    }
  }
  return Object.freeze(out);
})();

const SINGLE: (OpInfo | undefined)[] = new Array(256).fill(undefined);
const BY_PREFIX: (OpInfo | undefined)[][] = [];
const BY_NAME = new Map<string, OpInfo>();
for (const op of ALL_OPS) {
  if (op.prefix === undefined) SINGLE[op.code] = op;
  else {
    const table = (BY_PREFIX[op.prefix] ??= []);
    table[op.code] = op;
  }
  // The first entry of a name is the one the text names: `select` without types, `ref.test (ref ht)`.
  if (!BY_NAME.has(op.name)) BY_NAME.set(op.name, op);
}

/** The instruction named `name` in the text format, or `undefined`. */
export function opByName(name: string): OpInfo | undefined {
  return BY_NAME.get(name);
}

/** The instruction with this opcode, or `undefined`. `prefix` is `undefined` for single-byte opcodes. */
export function opByCode(prefix: number | undefined, code: number): OpInfo | undefined {
  if (prefix === undefined) return SINGLE[code];
  const table = BY_PREFIX[prefix];
  return table === undefined ? undefined : table[code];
}

/** The single-byte instruction with this opcode, or `undefined` (a prefix byte is not an instruction). */
export function opBySingleByte(code: number): OpInfo | undefined {
  return SINGLE[code];
}

/** True when `byte` introduces a prefixed opcode (0xFB, 0xFC, 0xFD, 0xFE). */
export function isPrefix(byte: number): boolean {
  return byte >= 0xfb && byte <= 0xfe;
}

/** The `OpInfo` for a known name; throws on a typo (for use by other modules' constants). */
export function op(name: string): OpInfo {
  const found = BY_NAME.get(name);
  if (found === undefined) throw new Error(`no instruction named ${name}`);
  return found;
}

/** Frequently used opcodes, named. */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  try: 0x06,
  catch: 0x07,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  delegate: 0x18,
  catchAll: 0x19,
  tryTable: 0x1f,
  localGet: 0x20,
  globalGet: 0x23,
  i32Const: 0x41,
  i64Const: 0x42,
  f32Const: 0x43,
  f64Const: 0x44,
  refNull: 0xd0,
  refFunc: 0xd2,
} as const;

/**
 * Abstract heap types with their binary code (a single byte, also their s33 value + 0x80) and the
 * text names of the heap type and of its nullable reference-type abbreviation.
 */
export const ABS_HEAP_TYPES: readonly { readonly name: string; readonly code: number; readonly ref: string }[] = [
  { name: "func", code: 0x70, ref: "funcref" },
  { name: "extern", code: 0x6f, ref: "externref" },
  { name: "any", code: 0x6e, ref: "anyref" },
  { name: "eq", code: 0x6d, ref: "eqref" },
  { name: "i31", code: 0x6c, ref: "i31ref" },
  { name: "struct", code: 0x6b, ref: "structref" },
  { name: "array", code: 0x6a, ref: "arrayref" },
  { name: "exn", code: 0x69, ref: "exnref" },
  { name: "noexn", code: 0x74, ref: "nullexnref" },
  { name: "nofunc", code: 0x73, ref: "nullfuncref" },
  { name: "noextern", code: 0x72, ref: "nullexternref" },
  { name: "none", code: 0x71, ref: "nullref" },
];
