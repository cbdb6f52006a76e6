/**
 * Binary encoders of the rewriting core: value, table and memory types, and name maps copied or
 * written with their indices renumbered.
 *
 * @module
 */
import { ABS_HEAP_TYPES } from "../binary/opcodes.js";
import type { MemoryDesc, TableDesc, ValueType } from "../binary/module-info.js";
import { ByteSink, readU32 } from "./sink.js";

/** The one-byte codes of the value types a rewrite writes by name. */
export const VAL_CODE: Readonly<Record<string, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f };
const HEAP_CODE = new Map(ABS_HEAP_TYPES.map((h) => [h.name, h.code]));

/** Writes a value type in its binary form. */
export function valueType(out: ByteSink, t: ValueType): void {
  if (typeof t === "string") {
    out.u8(VAL_CODE[t]!);
    return;
  }
  out.u8(t.nullable ? 0x63 : 0x64);
  if (typeof t.ref === "number") out.sleb(t.ref);
  else {
    if (t.shared === true) out.u8(0x65); // a shared abstract heap type (shared-everything threads)
    out.u8(HEAP_CODE.get(t.ref)!);
  }
}

/** Writes a table type. */
export function tableType(out: ByteSink, t: TableDesc): void {
  valueType(out, t.element);
  out.u8((t.max !== undefined ? 1 : 0) | (t.shared === true ? 2 : 0) | (t.table64 ? 4 : 0));
  out.u64(t.min);
  if (t.max !== undefined) out.u64(t.max);
}

/** Writes a memory type. */
export function memoryType(out: ByteSink, m: MemoryDesc): void {
  out.u8((m.max !== undefined ? 1 : 0) | (m.shared ? 2 : 0) | (m.memory64 ? 4 : 0) | (m.pageSizeLog2 !== undefined ? 8 : 0));
  out.u64(m.min);
  if (m.max !== undefined) out.u64(m.max);
  if (m.pageSizeLog2 !== undefined) out.u32(m.pageSizeLog2);
}

/** Copies the name map at `src[from..to)`, renumbering its indices (the names' bytes are copied as they are). */
export function rawNameMap(out: ByteSink, src: Uint8Array, from: number, to: number, index: (i: number) => number): void {
  const pos = { pos: 0 };
  const count = readU32(src, from, pos);
  out.u32(count);
  let p = pos.pos;
  for (let k = 0; k < count && p < to; k++) {
    const i = readU32(src, p, pos);
    out.u32(index(i));
    const lenAt = pos.pos;
    const len = readU32(src, lenAt, pos);
    out.copy(src, lenAt, pos.pos + len);
    p = pos.pos + len;
  }
}

/** Writes a name map, renumbering its indices. */
export function nameMap(out: ByteSink, names: ReadonlyMap<number, string>, index: (i: number) => number): void {
  out.u32(names.size);
  for (const [i, name] of names) {
    out.u32(index(i));
    out.name(name);
  }
}

/** Writes an indirect name map (local or label names), renumbering both levels of indices. */
export function indirectNameMap(
  out: ByteSink,
  names: ReadonlyMap<number, ReadonlyMap<number, string>>,
  index: (i: number) => number,
  innerIndex: (i: number) => (j: number) => number = () => (j) => j,
): void {
  out.u32(names.size);
  for (const [i, inner] of names) {
    out.u32(index(i));
    nameMap(out, inner, innerIndex(i));
  }
}
