/**
 * Test fixture: a hand-built binary with one of everything, shared by the decoder tests (section by
 * section checks, mutation and truncation tests).
 */
import {
  body, bytes, custom, END, EXTERNREF, F32, F64, FUNCREF, I32, i32Const, I64, name, S, section, sleb, u32, u64,
  V128, vec, wasm, type Part,
} from "./wasm-bytes.js";

const typeSection = section(S.type, vec([
  [0x60, vec([I32, I64]), vec([F32, F64, V128])], // 0: multi-value
  [0x60, vec([]), vec([])], // 1: [] -> []
  [0x4e, vec([ // rec group: types 2 and 3
    [0x5f, vec([[I32, 0x00], [0x78, 0x01]])], // 2: struct { i32, mut i8 }
    [0x5e, 0x77, 0x01], // 3: array (mut i16)
  ])],
  [0x50, vec([0x00]), 0x60, vec([[0x63, FUNCREF]]), vec([])], // 4: sub 0 (func (param (ref null func)))
  [0x4f, vec([]), 0x5e, [0x64, EXTERNREF], 0x00], // 5: sub final (array (ref extern))
  [0x60, vec([[0x64, 0x00], 0x6e]), vec([[0x63, 0x00]])], // 6: (ref 0) anyref -> (ref null 0)
]));

const importSection = section(S.import, vec([
  [name("env"), name("f"), 0x00, u32(1)],
  [name("env"), name("t"), 0x01, FUNCREF, 0x01, u32(1), u32(10)],
  [name("env"), name("t64"), 0x01, EXTERNREF, 0x04, u64(2n ** 33n)],
  [name("env"), name("m"), 0x02, 0x00, u32(1)],
  [name("env"), name("sm"), 0x02, 0x03, u32(1), u32(65536)],
  [name("env"), name("m64"), 0x02, 0x05, u64(2n ** 40n), u64(2n ** 48n)],
  [name("env"), name("g"), 0x03, I64, 0x01],
  [name("env"), name("e"), 0x04, 0x00, u32(1)],
  [name("env"), name("ps"), 0x02, 0x08, u32(0), u32(0)],
]));

const functionSection = section(S.function, vec([u32(1), u32(0), u32(1)]));
const tableSection = section(S.table, vec([
  [FUNCREF, 0x00, u32(2)],
  [0x40, 0x00, [0x64, FUNCREF], 0x00, u32(1), [0xd2, 0x00, END]],
]));
const memorySection = section(S.memory, vec([[0x01, u32(1), u32(2)], [0x04, u64(1)]]));
const tagSection = section(S.tag, vec([[0x00, u32(1)]]));
const globalSection = section(S.global, vec([
  [I32, 0x00, i32Const(42)],
  [I64, 0x01, 0x42, sleb(-5n), END],
  [F32, 0x00, 0x43, [0x00, 0x00, 0x80, 0x3f], END],
  [F64, 0x00, 0x44, [0, 0, 0, 0, 0, 0, 0xf0, 0x3f], END],
  [FUNCREF, 0x00, 0xd0, FUNCREF, END],
  [FUNCREF, 0x00, 0xd2, u32(2), END],
  [I32, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, END], // extended-const i32.add
  [V128, 0x00, 0xfd, u32(12), new Uint8Array(16).fill(7), END],
]));
const exportSection = section(S.export, vec([
  [name("run"), 0x00, u32(1)],
  [name("tab"), 0x01, u32(0)],
  [name("mem"), 0x02, u32(0)],
  [name("glob"), 0x03, u32(0)],
  [name("tag"), 0x04, u32(0)],
  [name("f200"), 0x00, u32(200)],
]));
const startSection = section(S.start, u32(1));
const elementSection = section(S.element, vec([
  [0x00, i32Const(0), vec([u32(0), u32(1)])],
  [0x01, 0x00, vec([u32(2)])],
  [0x02, u32(1), i32Const(1), 0x00, vec([u32(0)])],
  [0x03, 0x00, vec([u32(1)])],
  [0x04, i32Const(2), vec([[0xd2, 0x00, END], [0xd0, FUNCREF, END]])],
  [0x05, EXTERNREF, vec([[0xd0, EXTERNREF, END]])],
  [0x06, u32(2), i32Const(3), FUNCREF, vec([[0xd2, 0x01, END]])],
  [0x07, FUNCREF, vec([[0xd2, 0x02, END]])],
]));
const dataCountSection = section(S.dataCount, u32(3));
const codeSection = section(S.code, vec([
  body([], END),
  body([[2, I32], [1, F64], [0, I64]], 0x00, END),
  body([[3, [0x63, FUNCREF]]], 0x01, 0x01, END),
]));
const dataSection = section(S.data, vec([
  [0x00, i32Const(16), vec([0x68, 0x69])],
  [0x01, vec([1, 2, 3])],
  [0x02, u32(1), i32Const(0), vec([])],
]));

/** Name subsection: id, size, payload. */
export const sub = (id: number, ...payload: Part[]) => {
  const b = bytes(...payload);
  return bytes(id, u32(b.length), b);
};
/** A name map: (index, name) pairs. */
export const nameMap = (entries: Array<[number, string]>) => vec(entries.map(([i, n]) => [u32(i), name(n)]));
/** An indirect name map: (outer index, name map) pairs. */
export const indirectMap = (entries: Array<[number, Array<[number, string]>]>) =>
  vec(entries.map(([i, m]) => [u32(i), nameMap(m)]));

const nameSection = custom(
  "name",
  sub(0, name("mod")),
  sub(1, nameMap([[0, "imported_f"], [1, "run"], [3, "third"]])),
  sub(2, indirectMap([[1, [[0, "a"], [1, "b"]]], [2, [[0, "r"]]]])),
  sub(3, indirectMap([[1, [[0, "L0"]]]])),
  sub(4, nameMap([[0, "sig"], [2, "point"]])),
  sub(5, nameMap([[0, "tab"]])),
  sub(6, nameMap([[0, "mem"]])),
  sub(7, nameMap([[0, "counter"]])),
  sub(8, nameMap([[4, "exprs"]])),
  sub(9, nameMap([[1, "passive"]])),
  sub(10, indirectMap([[2, [[0, "x"], [1, "y"]]]])),
  sub(11, nameMap([[0, "oops"]])),
  sub(12, [0xde, 0xad]), // an unknown subsection: skipped
);

/**
 * The sections of a module with one of everything: every section id, GC types, all import kinds, all
 * eight element segment forms, the three data forms, custom sections before, between and after, and a
 * name section with every subsection. Structurally well-formed (not meant to validate).
 */
export const RICH_SECTIONS: readonly Uint8Array[] = [
  custom("first", 1, 2, 3),
  typeSection, importSection, functionSection,
  custom("mid"),
  tableSection, memorySection, tagSection, globalSection, exportSection, startSection, elementSection,
  dataCountSection, codeSection, dataSection, nameSection,
  custom("last", 0xff),
];
/** `RICH_SECTIONS` as one module. */
export const RICH: Uint8Array = wasm(...RICH_SECTIONS);
