/**
 * Decoder: malformed binaries. Each case checks that decoding throws a `CompileError` whose message
 * contains the spec's wording (the text `assert_malformed` expects in binary.wast / binary-leb128.wast)
 * and whose `offset` is the absolute byte offset of the fault. The bytes are our own, built by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule } from "../../../src/binary/decoder.js";
import { CompileError } from "../../../src/errors.js";
import {
  body, bytes, custom, END, EXTERNREF, FUNCREF, HEADER, I32, I64, name, rawName, S, section, u32, vec, wasm,
  type Part,
} from "../../helpers/wasm-bytes.js";

/** Decodes `input` eagerly and lazily (reading `code` and `names`), returning the error or undefined. */
function decodeError(input: Uint8Array, lazy: boolean): unknown {
  try {
    const info = decodeModule(input, { lazy });
    void info.code;
    void info.names;
    return undefined;
  } catch (e) {
    return e;
  }
}

/**
 * Asserts that `input` is malformed: a `CompileError` containing `wording`, at `offset`, the same in
 * eager and lazy mode (lazy mode may report it from the first read of `info.code`).
 */
function malformed(input: Uint8Array, wording: string, offset: number, what = wording): void {
  for (const lazy of [false, true]) {
    const e = decodeError(input, lazy);
    const label = `${what}${lazy ? " (lazy)" : ""}`;
    assert.ok(e instanceof CompileError, `${label}: expected a CompileError, got ${String(e)}`);
    assert.ok(e.message.includes(wording), `${label}: "${e.message}" should contain "${wording}"`);
    assert.equal(e.offset, offset, `${label}: offset of "${e.message}"`);
    assert.ok(e.message.endsWith(`(at offset 0x${offset.toString(16)})`), `${label}: message ends with the offset`);
  }
}

/** Asserts that `input` decodes (eagerly and lazily, code and names included). */
function wellFormed(input: Uint8Array, what: string): void {
  for (const lazy of [false, true]) {
    const e = decodeError(input, lazy);
    assert.equal(e, undefined, `${what}: ${String(e)}`);
  }
}

const raw = (...parts: Part[]) => bytes(...parts);
/** One type `[] -> []`: bytes 8..13 of a module. */
const TYPE0 = section(S.type, vec([[0x60, vec([]), vec([])]]));

// ---- header -----------------------------------------------------------------------------------------

test("a missing or wrong magic number", () => {
  malformed(raw(), "unexpected end", 0, "empty input");
  malformed(raw(0x01), "unexpected end", 1, "one byte");
  malformed(raw(0x00, 0x61, 0x73), "unexpected end", 3, "three bytes of the magic");
  const wrong: number[][] = [
    [0x61, 0x73, 0x6d, 0x00], // "asm\0"
    [0x6d, 0x73, 0x61, 0x00, 0x01, 0x00, 0x00, 0x00], // reversed
    [0x00, 0x41, 0x53, 0x4d, 0x01, 0x00, 0x00, 0x00], // upper case
    [0xef, 0xbb, 0xbf, ...HEADER], // a UTF-8 byte order mark first
    [0xff, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    [0x00, 0x81, 0xa2, 0x94, 0x01, 0x00, 0x00, 0x00], // EBCDIC
  ];
  for (const w of wrong) malformed(raw(w), "magic header not detected", 0, `magic ${w.join(",")}`);
});

test("a missing or unknown version", () => {
  malformed(raw(HEADER.slice(0, 4)), "unexpected end", 4, "no version");
  malformed(raw(HEADER.slice(0, 5)), "unexpected end", 5, "one byte of version");
  malformed(raw(HEADER.slice(0, 7)), "unexpected end", 7, "three bytes of version");
  for (const v of [[0, 0, 0, 0], [0x0d, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [2, 0, 0, 0]]) {
    malformed(raw(HEADER.slice(0, 4), v), "unknown binary version", 4, `version ${v.join(",")}`);
  }
});

// ---- section framing --------------------------------------------------------------------------------

test("malformed section ids", () => {
  for (const id of [0x0e, 0x0f, 0x7f, 0x80, 0x81, 0xff]) {
    malformed(wasm([id, 0x01, 0x00]), "malformed section id", 8, `id 0x${id.toString(16)}`);
  }
  malformed(wasm(TYPE0, [0x0e, 0x00]), "malformed section id", 14, "after a valid section");
});

test("a section cut short at the top level is an unexpected end", () => {
  for (const [input, offset] of [[wasm([S.type]), 9], [wasm([S.type, 0x80]), 10], [wasm([0x00, 0x80, 0x80]), 11]] as const) {
    malformed(input, "unexpected end", offset);
    const e = decodeError(input, false) as CompileError;
    assert.equal(e.reason, "unexpected end", "not the in-section wording");
  }
});

test("a section size past the end of the module is length out of bounds", () => {
  malformed(wasm([S.type, 0x05, 0x00]), "length out of bounds", 10);
  malformed(wasm([S.type, 0x07, 0x02, 0x60, 0x00, 0x00]), "length out of bounds", 10, "2 types declared, 1 given");
  malformed(wasm([S.custom, 0xff, 0xff, 0x03, 0x00]), "length out of bounds", 12, "custom section");
});

test("contents that end before the section does: unexpected end of section or function", () => {
  malformed(wasm(section(S.type, 0x01, 0x60, 0x01)), "unexpected end of section or function", 13, "param type missing");
  malformed(wasm(section(S.import, 0x02, name("a"), name("b"), 0x00, 0x00)),
    "unexpected end of section or function", 17, "2 imports declared, 1 given");
  malformed(wasm(section(S.table, 0x01)), "unexpected end of section or function", 11, "1 table declared, 0 given");
  malformed(wasm(section(S.memory, 0x01)), "unexpected end of section or function", 11, "1 memory declared, 0 given");
  malformed(wasm(section(S.global, 0x01, I32, 0x00, 0x41, 0x00)), "unexpected end of section or function", 15,
    "constant expression without end");
  malformed(wasm(section(S.memory, vec([[0x00, 0x01]])), section(S.data, 0x01, 0x00, 0x41, 0x03, END, 0x07, [1, 2, 3, 4, 5, 6])),
    "unexpected end of section or function", 27, "data segment 7 bytes declared, 6 given");
  malformed(wasm(section(S.export, 0x01, 0x05, 0x61)), "unexpected end of section or function", 13, "name longer than the section");
  malformed(wasm(TYPE0, section(S.function, vec([0x00])), section(S.code, 0x01, 0x05, 0x00, END)),
    "unexpected end of section or function", 24, "body longer than the code section");
  malformed(wasm(section(S.custom, 0x05, 0x61)), "unexpected end of section or function", 12, "custom section name");
});

test("contents that end before the section's size: section size mismatch", () => {
  malformed(wasm(section(S.type, 0x01, 0x60, 0x00, 0x00, 0x00)), "section size mismatch", 14, "1 type declared, 2 given");
  malformed(wasm(section(S.global, vec([[I32, 0x00, 0x41, 0x00, END]]), I32, 0x00, 0x41, 0x00, END)),
    "section size mismatch", 16, "1 global declared, 2 given");
  malformed(wasm(section(S.start, 0x00, 0x00)), "section size mismatch", 11, "start");
  malformed(wasm(section(S.dataCount, 0x00, 0x00)), "section size mismatch", 11, "data count");
  malformed(wasm(TYPE0, section(S.function, vec([0x00])), section(S.code, 0x01, 0x02, 0x00, END, 0xff)),
    "section size mismatch", 24, "a byte after the last body");
  malformed(wasm(section(S.memory, vec([[0x00, 0x01]])), section(S.data, 0x01, 0x00, 0x41, 0x00, END, 0x05, [1, 2, 3, 4, 5, 6])),
    "section size mismatch", 26, "data segment 5 bytes declared, 6 given");
});

// ---- LEB128 -----------------------------------------------------------------------------------------

test("LEB128 numbers longer than their type allows: integer representation too long", () => {
  malformed(wasm(section(S.type, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)), "integer representation too long", 14, "u32 count");
  malformed(wasm(section(S.global, 0x01, I32, 0x00, 0x41, [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], END)),
    "integer representation too long", 18, "s32 i32.const");
  malformed(wasm(section(S.global, 0x01, I64, 0x00, 0x42, new Array<number>(10).fill(0x80), 0x00, END)),
    "integer representation too long", 23, "s64 i64.const");
  malformed(wasm(section(S.start, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f)), "integer representation too long", 14, "start index");
  malformed(wasm(TYPE0, section(S.function, vec([0x00])), section(S.code, 0x01, 0x08, 0x01, [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], I32)),
    "integer representation too long", 27, "local count");
  // A limits flag is a single byte: a two-byte encoding is too long even when its value is valid.
  malformed(wasm(section(S.memory, 0x01, 0x81, 0x00, 0x00, 0x00)), "integer representation too long", 11, "memory flags 0x81 0x00");
  malformed(wasm(section(S.memory, 0x01, 0x81, 0x01, 0x00, 0x00)), "integer representation too long", 11, "memory flags 0x81 0x01");
  malformed(wasm(section(S.table, 0x01, FUNCREF, 0x81, 0x00, 0x00, 0x00)), "integer representation too long", 12, "table flags");
});

test("LEB128 numbers with bits beyond their type: integer too large", () => {
  malformed(wasm(section(S.type, 0xff, 0xff, 0xff, 0xff, 0x1f)), "integer too large", 14, "u32 bit 32");
  malformed(wasm(section(S.type, 0x80, 0x80, 0x80, 0x80, 0x70)), "integer too large", 14, "u32 high bits");
  const g32 = (leb: number[]) => wasm(section(S.global, 0x01, I32, 0x00, 0x41, leb, END));
  malformed(g32([0x80, 0x80, 0x80, 0x80, 0x70]), "integer too large", 18, "s32 positive with sign-extension bits");
  malformed(g32([0xff, 0xff, 0xff, 0xff, 0x0f]), "integer too large", 18, "s32 negative without sign-extension bits");
  malformed(g32([0x80, 0x80, 0x80, 0x80, 0x1f]), "integer too large", 18, "s32 mixed");
  const g64 = (leb: number[]) => wasm(section(S.global, 0x01, I64, 0x00, 0x42, leb, END));
  malformed(g64([...new Array<number>(9).fill(0x80), 0x01]), "integer too large", 23, "s64 10th byte 0x01");
  malformed(g64([...new Array<number>(9).fill(0xff), 0x7e]), "integer too large", 23, "s64 10th byte 0x7e");
  malformed(g64([...new Array<number>(9).fill(0xff), 0x41]), "integer too large", 23, "s64 10th byte 0x41");
  malformed(wasm(TYPE0, section(S.function, vec([0x00])), section(S.code, 0x01, 0x08, 0x01, [0x80, 0x80, 0x80, 0x80, 0x10], I32, END)),
    "integer too large", 27, "local count 2^32");
  // Limits flags outside the known bits.
  // (Table flag 2 is a shared table of shared-everything threads: shared-everything.test.ts.)
  malformed(wasm(section(S.table, 0x01, FUNCREF, 0x0a, 0x00)), "integer too large", 12, "table flags 0x0a");
  malformed(wasm(section(S.table, 0x01, FUNCREF, 0x08, 0x00)), "integer too large", 12, "table flags 8");
  malformed(wasm(section(S.memory, 0x01, 0x02)), "unexpected end", 12, "memory flags 2 at the section end");
  malformed(wasm(section(S.memory, 0x01, 0x10, 0x00)), "integer too large", 11, "memory flags 0x10");
  malformed(wasm(section(S.import, 0x01, name("m"), name("t"), 0x01, FUNCREF, 0x0b, 0x00, 0x00)),
    "integer too large", 17, "imported table flags 0x0b");
});

test("a shared memory without a maximum decodes (it is invalid, not malformed: the spec's threads suite says so)", () => {
  const info = decodeModule(wasm(section(S.memory, 0x01, 0x02, 0x00)));
  assert.deepEqual(info.memories, [{ min: 0, shared: true, memory64: false }]);
});

test("the extreme LEB128 values that fit are accepted", () => {
  const g = (type: number, op: number, leb: number[]) => wasm(section(S.global, vec([[type, 0x00, op, leb, END]])));
  const cases: Array<[string, Uint8Array]> = [
    ["s32 -1 in five bytes", g(I32, 0x41, [0xff, 0xff, 0xff, 0xff, 0x7f])],
    ["s32 min", g(I32, 0x41, [0x80, 0x80, 0x80, 0x80, 0x78])],
    ["s32 max", g(I32, 0x41, [0xff, 0xff, 0xff, 0xff, 0x07])],
    ["s64 min", g(I64, 0x42, [...new Array<number>(9).fill(0x80), 0x7f])],
    ["s64 max", g(I64, 0x42, [...new Array<number>(9).fill(0xff), 0x00])],
    ["u32 max as a start index", wasm(section(S.start, 0xff, 0xff, 0xff, 0xff, 0x0f))],
  ];
  for (const [what, input] of cases) wellFormed(input, what);
});

// ---- UTF-8 ------------------------------------------------------------------------------------------

test("names that are not valid UTF-8: malformed UTF-8 encoding at the name's first byte", () => {
  const bad: Array<[string, number[]]> = [
    ["overlong NUL", [0xc0, 0x80]],
    ["overlong two-byte", [0xc1, 0xbf]],
    ["overlong three-byte", [0xe0, 0x80, 0x80]],
    ["overlong four-byte", [0xf0, 0x80, 0x80, 0x80]],
    ["high surrogate", [0xed, 0xa0, 0x80]],
    ["low surrogate", [0xed, 0xbf, 0xbf]],
    ["truncated two-byte", [0xc3]],
    ["truncated three-byte", [0xe2, 0x82]],
    ["truncated four-byte", [0xf0, 0x9f, 0x98]],
    ["lone continuation byte", [0x80]],
    ["bad continuation byte", [0xc2, 0x41]],
    ["past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["byte 0xfe", [0xfe]],
    ["byte 0xff", [0x61, 0xff]],
    ["five-byte form", [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ];
  for (const [what, b] of bad) {
    malformed(wasm(section(S.export, 0x01, rawName(b), 0x00, 0x00)), "malformed UTF-8 encoding", 12, `export name: ${what}`);
    malformed(wasm(section(S.import, 0x01, rawName(b), name("f"), 0x00, 0x00)), "malformed UTF-8 encoding", 12, `import module: ${what}`);
    malformed(wasm(section(S.custom, rawName(b))), "malformed UTF-8 encoding", 11, `custom section name: ${what}`);
  }
  // A long name goes through a different path than a short one.
  malformed(wasm(section(S.export, 0x01, rawName([...new Array<number>(30).fill(0x61), 0xc0, 0x80]), 0x00, 0x00)),
    "malformed UTF-8 encoding", 12, "long name");
});

// ---- section order ----------------------------------------------------------------------------------

/** An empty section of each id (the start section names function 0). */
const empty = (id: number) => raw(id, 0x01, 0x00);

test("a repeated section: unexpected content after last section", () => {
  for (let id = 1; id <= 13; id++) {
    malformed(wasm(empty(id), empty(id)), "unexpected content after last section", 11, `section ${id} twice`);
  }
  malformed(wasm(empty(S.type), custom("between"), empty(S.type)), "unexpected content after last section", 21,
    "custom sections do not reset the order");
});

test("sections out of order, including where tag (13) and data count (12) belong", () => {
  // The required order, by id: type import function table memory tag global export start element
  // datacount code data.
  const order = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
  for (let i = 0; i + 1 < order.length; i++) {
    const [first, second] = [order[i]!, order[i + 1]!];
    wellFormed(wasm(empty(first), empty(second)), `${first} then ${second}`);
    malformed(wasm(empty(second), empty(first)), "unexpected content after last section", 11, `${second} then ${first}`);
  }
  malformed(wasm(empty(S.global), empty(S.tag)), "unexpected content after last section", 11, "tag after global");
  malformed(wasm(empty(S.tag), empty(S.memory)), "unexpected content after last section", 11, "memory after tag");
  malformed(wasm(empty(S.code), empty(S.dataCount)), "unexpected content after last section", 11, "data count after code");
  malformed(wasm(empty(S.dataCount), empty(S.element)), "unexpected content after last section", 11, "element after data count");
  malformed(wasm(empty(S.data), empty(S.dataCount)), "unexpected content after last section", 11, "data count after data");
  wellFormed(wasm(empty(S.memory), empty(S.tag), empty(S.global), empty(S.element), empty(S.dataCount), empty(S.code)),
    "tag and data count in place");
});

test("a repeated section is reported before the function and code counts are compared", () => {
  const input = wasm(TYPE0, section(S.function, vec([0x00, 0x00])), section(S.code, vec([body([], END)])),
    section(S.code, vec([body([], END)])));
  malformed(input, "unexpected content after last section", 25, "two code sections");
});

// ---- counts that must agree -------------------------------------------------------------------------

test("function and code section have inconsistent lengths", () => {
  malformed(wasm(TYPE0, section(S.function, vec([0, 0])), section(S.code, vec([body([], END)]))),
    "function and code section have inconsistent lengths", 21, "2 functions, 1 body");
  malformed(wasm(TYPE0, section(S.function, vec([0])), section(S.code, vec([body([], END), body([], END)]))),
    "function and code section have inconsistent lengths", 20, "1 function, 2 bodies");
  malformed(wasm(TYPE0, section(S.function, vec([0, 0]))),
    "function and code section have inconsistent lengths", 19, "functions without a code section");
  malformed(wasm(section(S.code, vec([body([], END)]))),
    "function and code section have inconsistent lengths", 10, "a code section without functions");
  wellFormed(wasm(section(S.function, vec([]))), "zero functions, no code section");
  wellFormed(wasm(section(S.code, vec([]))), "zero bodies, no function section");
});

test("data count and data section have inconsistent lengths", () => {
  const passive = [0x01, 0x00];
  malformed(wasm(section(S.dataCount, 0x03), section(S.data, vec([passive, passive]))),
    "data count and data section have inconsistent lengths", 13, "count 3, 2 segments");
  malformed(wasm(section(S.dataCount, 0x01), section(S.data, vec([passive, passive]))),
    "data count and data section have inconsistent lengths", 13, "count 1, 2 segments");
  malformed(wasm(section(S.memory, vec([[0x00, 0x01]])), section(S.dataCount, 0x01)),
    "data count and data section have inconsistent lengths", 16, "count 1, no data section");
  wellFormed(wasm(section(S.dataCount, 0x00)), "count 0, no data section");
  wellFormed(wasm(section(S.dataCount, 0x02), section(S.data, vec([passive, passive]))), "count 2, 2 segments");
});

// ---- malformed kinds and types ----------------------------------------------------------------------

test("malformed import kind", () => {
  for (const kind of [0x05, 0x06, 0x7f, 0x80]) {
    malformed(wasm(section(S.import, 0x01, 0x00, 0x00, kind)), "malformed import kind", 13, `kind 0x${kind.toString(16)}`);
    malformed(wasm(section(S.import, 0x01, 0x00, 0x00, kind, 0x00)), "malformed import kind", 13, `kind 0x${kind.toString(16)} + a byte`);
  }
});

test("malformed mutability", () => {
  malformed(wasm(section(S.global, 0x01, I32, 0x02, 0x41, 0x00, END)), "malformed mutability", 12, "global");
  malformed(wasm(section(S.global, 0x01, I32, 0xff, 0x41, 0x00, END)), "malformed mutability", 12, "global 0xff");
  malformed(wasm(section(S.import, 0x01, 0x00, 0x00, 0x03, I32, 0x02)), "malformed mutability", 15, "imported global");
  malformed(wasm(section(S.type, 0x01, 0x5e, I32, 0x02)), "malformed mutability", 13, "array field");
});

test("malformed reference type", () => {
  malformed(wasm(section(S.table, 0x01, I32, 0x00, 0x00)), "malformed reference type", 11, "table of i32");
  malformed(wasm(section(S.import, 0x01, 0x00, 0x00, 0x01, 0x40, 0x00, 0x00)), "malformed reference type", 14, "imported table");
  malformed(wasm(section(S.element, 0x01, 0x05, I32, 0x01, 0xd2, 0x00, END)), "malformed reference type", 12, "passive element segment of i32");
  malformed(wasm(section(S.element, 0x01, 0x07, 0x00, 0x00)), "malformed reference type", 12, "declarative element segment");
});

test("other malformed kinds and forms are CompileErrors at the offending byte", () => {
  malformed(wasm(section(S.type, 0x01, 0x60, 0x01, 0x01, 0x00)), "malformed value type", 13, "param type 0x01");
  malformed(wasm(section(S.type, 0x01, 0x61, 0x00, 0x00)), "malformed type form", 11, "type form 0x61");
  malformed(wasm(section(S.type, 0x01, 0x60, 0x01, 0x64, 0x40, 0x00)), "malformed heap type", 14, "negative heap type");
  malformed(wasm(section(S.export, 0x01, name("x"), 0x05, 0x00)), "malformed export kind", 13, "export kind 5");
  malformed(wasm(section(S.element, 0x01, 0x08, 0x00)), "malformed elements segment kind", 11, "element flags 8");
  malformed(wasm(section(S.element, 0x01, 0x01, 0x01, 0x00)), "malformed element kind", 12, "element kind 1");
  malformed(wasm(section(S.data, 0x01, 0x03, 0x00)), "malformed data segment kind", 11, "data flags 3");
  malformed(wasm(section(S.tag, 0x01, 0x01, 0x00)), "malformed tag attribute", 11, "tag attribute 1");
  malformed(wasm(section(S.table, 0x01, 0x40, 0x01, FUNCREF, 0x00, 0x00, 0xd0, FUNCREF, END)), "malformed table", 12, "table 0x40 0x01");
  malformed(wasm(section(S.global, 0x01, I32, 0x00, 0x20, 0x00, END)), "constant expression required", 13, "local.get in a global");
  malformed(wasm(section(S.global, 0x01, I32, 0x00, 0xff, END)), "illegal opcode", 13, "opcode 0xff in a global");
});

// ---- code bodies ------------------------------------------------------------------------------------

/** A module with one `[] -> []` function whose body is `b`: the body's size field is at offset 21. */
const oneBody = (b: Uint8Array) => wasm(TYPE0, section(S.function, vec([0x00])), section(S.code, vec([b])));

test("too many locals", () => {
  malformed(oneBody(body([[0xffffffff, I32]], END)), "too many locals", 23, "one run of 2^32-1");
  malformed(oneBody(body([[0x40000000, I32], [0x40000000, I64]], END)), "too many locals", 23, "one run of 2^30");
  // 30000 + 30000 passes the cap at the second run, whose count starts at byte 27.
  malformed(oneBody(body([[30000, I32], [30000, I64]], END)), "too many locals", 27, "two runs adding up");
  wellFormed(oneBody(body([[25000, I32], [25000, I64]], END)), "50000 locals");
  wellFormed(oneBody(body([[0, I32], [0, I64], [2, EXTERNREF]], END)), "runs of zero");
});

test("END opcode expected", () => {
  // Two bodies; the first one's last byte is `drop`, not `end`.
  const input = wasm(TYPE0, section(S.function, vec([0x00, 0x00])),
    section(S.code, vec([raw(0x04, 0x00, 0x41, 0x01, 0x1a), raw(0x05, 0x00, 0x41, 0x01, 0x1a, END)])));
  malformed(input, "END opcode expected", 27, "between two functions");
  // The same at the end of the code section: the body ended where END was expected.
  const last = oneBody(raw(0x04, 0x00, 0x41, 0x01, 0x1a));
  malformed(last, "END opcode expected", 26, "at the end");
  malformed(last, "unexpected end of section or function", 26, "at the end (the spec's wording for it)");
  malformed(oneBody(raw(0x01, 0x00)), "END opcode expected", 23, "a body with no instructions at all");
});

test("an empty body or a body cut inside its locals", () => {
  malformed(oneBody(raw(0x00)), "unexpected end of section or function", 22, "size 0");
  malformed(oneBody(raw(0x02, 0x01, 0x05)), "unexpected end of section or function", 24, "run without a type");
  malformed(oneBody(raw(0x03, 0x01, 0x01, 0x01)), "malformed value type", 24, "local of type 0x01");
});

test("the CompileError carries reason and offset as fields", () => {
  const e = decodeError(wasm([0x0e, 0x01, 0x00]), false);
  assert.ok(e instanceof CompileError);
  assert.equal(e.name, "CompileError");
  assert.equal(e.reason, "malformed section id");
  assert.equal(e.offset, 8);
  assert.equal(e.message, "malformed section id (at offset 0x8)");
});
