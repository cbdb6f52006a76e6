/**
 * Decoder: every section of a hand-built binary decoded into the right metadata, the name section,
 * and lazy decoding. Inputs are built byte by byte (test/helpers/wasm-bytes.ts) so that the tests pin
 * down the exact encoding.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeModule } from "../../../src/binary/decoder.js";
import { decodeNameSection, readModuleName } from "../../../src/binary/names.js";
import { CompileError } from "../../../src/errors.js";
import type { ModuleInfo } from "../../../src/binary/module-info.js";
import { body, bytes, custom, END, HEADER, name, S, section, u32, vec, wasm, type Part } from "../../helpers/wasm-bytes.js";
import { nameMap, RICH_SECTIONS, sub } from "../../helpers/wasm-rich.js";

/** Asserts that `info.bytes[offset..]` starts with `expected` (an offset really points at its thing). */
function assertAt(info: ModuleInfo, offset: number, expected: Part, what: string): void {
  const want = bytes(expected);
  assert.deepEqual([...info.bytes.subarray(offset, offset + want.length)], [...want], `${what} at offset ${offset}`);
}

const list = (b: Uint8Array) => [...b];

const richSections = RICH_SECTIONS;
const rich = wasm(...richSections);


test("a header alone is an empty module", () => {
  const info = decodeModule(wasm());
  assert.equal(info.version, 1);
  assert.deepEqual(
    [info.types, info.imports, info.functions, info.tables, info.memories, info.globals, info.exports,
      info.elements, info.code, info.data, info.tags, info.customSections, info.sections],
    [[], [], [], [], [], [], [], [], [], [], [], [], []],
  );
  assert.equal(info.start, undefined);
  assert.equal(info.dataCount, undefined);
  assert.equal(info.names.module, undefined);
  assert.equal(info.names.functions.size, 0);
});

test("section offsets, payload offsets and ends match the bytes", () => {
  const info = decodeModule(rich);
  assert.equal(info.sections.length, richSections.length);
  let at = HEADER.length;
  richSections.forEach((s, i) => {
    const got = info.sections[i]!;
    assert.equal(got.offset, at, `section ${i} offset`);
    assert.equal(got.id, s[0]);
    assert.equal(got.end, at + s.length, `section ${i} end`);
    // The payload starts after the id byte and the size's LEB128.
    let p = at + 1;
    while ((rich[p]! & 0x80) !== 0) p++;
    assert.equal(got.payloadOffset, p + 1, `section ${i} payload`);
    at += s.length;
  });
  assert.equal(at, rich.length);
  assert.deepEqual(info.sections.filter((s) => s.id === 0).map((s) => s.name), ["first", "mid", "name", "last"]);
  assert.equal(info.sections.find((s) => s.id === 1)!.name, undefined);
});

test("function types keep several parameters and results", () => {
  const info = decodeModule(rich);
  assert.deepEqual(info.types[0], {
    kind: "func", params: ["i32", "i64"], results: ["f32", "f64", "v128"], final: true, supertypes: [], explicitSub: false,
  });
  assert.deepEqual(info.types[1], { kind: "func", params: [], results: [], final: true, supertypes: [], explicitSub: false });
});

test("GC types: recursion groups, struct and array fields, sub and sub final, typed references", () => {
  const info = decodeModule(rich);
  assert.equal(info.types.length, 7);
  assert.deepEqual(info.types[2], {
    kind: "struct",
    fields: [{ storage: "i32", mutable: false }, { storage: "i8", mutable: true }],
    final: true, supertypes: [], explicitSub: false,
  });
  assert.deepEqual(info.types[3], {
    kind: "array", element: { storage: "i16", mutable: true }, final: true, supertypes: [], explicitSub: false,
  });
  assert.deepEqual(info.types[4], {
    kind: "func", params: ["funcref"], results: [], final: false, supertypes: [0], explicitSub: true,
  });
  assert.deepEqual(info.types[5], {
    kind: "array", element: { storage: { ref: "extern", nullable: false }, mutable: false },
    final: true, supertypes: [], explicitSub: true,
  });
  assert.deepEqual(info.types[6], {
    kind: "func",
    params: [{ ref: 0, nullable: false }, { ref: "any", nullable: true }],
    results: [{ ref: 0, nullable: true }],
    final: true, supertypes: [], explicitSub: false,
  });
  assert.deepEqual(info.recGroups, [
    { first: 0, count: 1, explicit: false },
    { first: 1, count: 1, explicit: false },
    { first: 2, count: 2, explicit: true },
    { first: 4, count: 1, explicit: false },
    { first: 5, count: 1, explicit: false },
    { first: 6, count: 1, explicit: false },
  ]);
});

test("every abstract heap type decodes by its one-byte code", () => {
  const codes: Array<[number, string]> = [
    [0x6e, "any"], [0x6d, "eq"], [0x6c, "i31"], [0x6b, "struct"], [0x6a, "array"], [0x69, "exn"],
    [0x71, "none"], [0x73, "nofunc"], [0x72, "noextern"], [0x74, "noexn"],
  ];
  const info = decodeModule(wasm(section(S.type, vec([
    [0x60, vec(codes.map(([c]) => c)), vec(codes.map(([c]) => [0x64, c]))],
  ]))));
  const t = info.types[0]!;
  assert.equal(t.kind, "func");
  if (t.kind !== "func") return;
  assert.deepEqual(t.params, codes.map(([, ref]) => ({ ref, nullable: true })));
  assert.deepEqual(t.results, codes.map(([, ref]) => ({ ref, nullable: false })));
});

test("imports of all five kinds with their limits and flags", () => {
  const info = decodeModule(rich);
  const strip = info.imports.map(({ offset: _, ...rest }) => rest);
  assert.deepEqual(strip, [
    { module: "env", name: "f", kind: "func", typeIndex: 1 },
    { module: "env", name: "t", kind: "table", type: { element: "funcref", table64: false, min: 1, max: 10 } },
    { module: "env", name: "t64", kind: "table", type: { element: "externref", table64: true, min: 2 ** 33 } },
    { module: "env", name: "m", kind: "memory", type: { min: 1, shared: false, memory64: false } },
    { module: "env", name: "sm", kind: "memory", type: { min: 1, max: 65536, shared: true, memory64: false } },
    { module: "env", name: "m64", kind: "memory", type: { min: 2 ** 40, max: 2 ** 48, shared: false, memory64: true } },
    { module: "env", name: "g", kind: "global", type: { content: "i64", mutable: true } },
    { module: "env", name: "e", kind: "tag", typeIndex: 1 },
    { module: "env", name: "ps", kind: "memory", type: { min: 0, shared: false, memory64: false, pageSizeLog2: 0 } },
  ]);
  for (const imp of info.imports) assertAt(info, imp.offset, name(imp.module), `import ${imp.name}`);
  assert.deepEqual(
    [info.importedFuncs, info.importedTables, info.importedMemories, info.importedGlobals, info.importedTags],
    [1, 2, 4, 1, 1],
  );
});

test("functions, tables (with the explicit-initializer form), memories and tags", () => {
  const info = decodeModule(rich);
  assert.deepEqual(info.functions, [1, 0, 1]);
  assert.equal(info.tables.length, 2);
  assert.deepEqual(info.tables[0], { type: { element: "funcref", table64: false, min: 2 } });
  const t1 = info.tables[1]!;
  assert.deepEqual(t1.type, { element: { ref: "func", nullable: false }, table64: false, min: 1 });
  assert.deepEqual(list(t1.init!.bytes), [0xd2, 0x00, END]);
  assertAt(info, t1.init!.offset, [0xd2, 0x00, END], "table initializer");
  assert.deepEqual(info.memories, [
    { min: 1, max: 2, shared: false, memory64: false },
    { min: 1, shared: false, memory64: true },
  ]);
  assert.deepEqual(info.tags, [{ typeIndex: 1 }]);
});

test("globals keep their constant expressions as views with absolute offsets", () => {
  const info = decodeModule(rich);
  const expected: Array<[string, boolean, number[]]> = [
    ["i32", false, [0x41, 42, END]],
    ["i64", true, [0x42, 0x7b, END]],
    ["f32", false, [0x43, 0, 0, 0x80, 0x3f, END]],
    ["f64", false, [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, END]],
    ["funcref", false, [0xd0, 0x70, END]],
    ["funcref", false, [0xd2, 2, END]],
    ["i32", false, [0x41, 1, 0x41, 2, 0x6a, END]],
    ["v128", false, [0xfd, 12, ...new Array<number>(16).fill(7), END]],
  ];
  assert.equal(info.globals.length, expected.length);
  info.globals.forEach((g, i) => {
    const [content, mutable, expr] = expected[i]!;
    assert.deepEqual(g.type, { content, mutable });
    assert.deepEqual(list(g.init.bytes), expr);
    assertAt(info, g.init.offset, expr, `global ${i} init`);
    assert.equal(g.init.bytes.buffer, info.bytes.buffer, "a view, not a copy");
  });
});

test("exports of every kind, multi-byte indices, and the start function", () => {
  const info = decodeModule(rich);
  assert.deepEqual(info.exports.map(({ offset: _, ...e }) => e), [
    { name: "run", kind: "func", index: 1 },
    { name: "tab", kind: "table", index: 0 },
    { name: "mem", kind: "memory", index: 0 },
    { name: "glob", kind: "global", index: 0 },
    { name: "tag", kind: "tag", index: 0 },
    { name: "f200", kind: "func", index: 200 },
  ]);
  for (const e of info.exports) assertAt(info, e.offset, name(e.name), `export ${e.name}`);
  assert.equal(info.start, 1);
});

test("element segments in all eight forms", () => {
  const info = decodeModule(rich);
  const seg = info.elements.map((e) => ({
    mode: e.mode, table: e.table, flags: e.flags, elementType: e.elementType,
    offsetExpr: e.offsetExpr ? list(e.offsetExpr.bytes) : undefined,
    items: e.items.kind === "functions" ? e.items.indices : e.items.exprs.map((x) => list(x.bytes)),
    kind: e.items.kind,
  }));
  assert.deepEqual(seg, [
    { mode: "active", table: 0, flags: 0, elementType: "funcref", offsetExpr: [0x41, 0, END], items: [0, 1], kind: "functions" },
    { mode: "passive", table: 0, flags: 1, elementType: "funcref", offsetExpr: undefined, items: [2], kind: "functions" },
    { mode: "active", table: 1, flags: 2, elementType: "funcref", offsetExpr: [0x41, 1, END], items: [0], kind: "functions" },
    { mode: "declarative", table: 0, flags: 3, elementType: "funcref", offsetExpr: undefined, items: [1], kind: "functions" },
    { mode: "active", table: 0, flags: 4, elementType: "funcref", offsetExpr: [0x41, 2, END],
      items: [[0xd2, 0, END], [0xd0, 0x70, END]], kind: "expressions" },
    { mode: "passive", table: 0, flags: 5, elementType: "externref", offsetExpr: undefined,
      items: [[0xd0, 0x6f, END]], kind: "expressions" },
    { mode: "active", table: 2, flags: 6, elementType: "funcref", offsetExpr: [0x41, 3, END],
      items: [[0xd2, 1, END]], kind: "expressions" },
    { mode: "declarative", table: 0, flags: 7, elementType: "funcref", offsetExpr: undefined,
      items: [[0xd2, 2, END]], kind: "expressions" },
  ]);
  for (const e of info.elements) {
    assertAt(info, e.offset, [e.flags], "segment start");
    if (e.offsetExpr) assertAt(info, e.offsetExpr.offset, e.offsetExpr.bytes, "segment offset expression");
    if (e.items.kind === "expressions") for (const x of e.items.exprs) assertAt(info, x.offset, x.bytes, "element expression");
  }
  // Passive and declarative segments have no offset expression property at all.
  assert.equal("offsetExpr" in info.elements[1]!, false);
});

test("code bodies: local runs, local count, code views ending in end, absolute code offsets", () => {
  const info = decodeModule(rich);
  assert.equal(info.dataCount, 3);
  assert.equal(info.code.length, 3);
  const [b0, b1, b2] = info.code;
  assert.deepEqual(b0!.locals, []);
  assert.equal(b0!.localCount, 0);
  assert.deepEqual(list(b0!.code), [END]);
  assert.deepEqual(b1!.locals, [{ count: 2, type: "i32" }, { count: 1, type: "f64" }, { count: 0, type: "i64" }]);
  assert.equal(b1!.localCount, 3);
  assert.deepEqual(list(b1!.code), [0x00, END]);
  assert.deepEqual(b2!.locals, [{ count: 3, type: "funcref" }]);
  assert.equal(b2!.localCount, 3);
  assert.deepEqual(list(b2!.code), [0x01, 0x01, END]);
  const codeSec = info.sections.find((s) => s.id === S.code)!;
  // The first body's size field follows the section's count byte.
  assert.equal(b0!.offset, codeSec.payloadOffset + 1);
  for (const b of info.code) {
    assert.equal(b.code[b.code.length - 1], END);
    assertAt(info, b.codeOffset, b.code, "body code");
    assert.equal(b.code.buffer, info.bytes.buffer);
    assert.equal(b.code.byteOffset - info.bytes.byteOffset, b.codeOffset);
    // The size field at `offset` covers everything up to the end of the code.
    assert.equal(info.bytes[b.offset], b.codeOffset + b.code.length - b.offset - 1);
  }
  assert.equal(b2!.codeOffset + b2!.code.length, codeSec.end);
});

test("data segments in all three forms", () => {
  const info = decodeModule(rich);
  const d = info.data.map((s) => ({
    mode: s.mode, memory: s.memory, explicitMemory: s.explicitMemory, init: list(s.init),
    offsetExpr: s.offsetExpr ? list(s.offsetExpr.bytes) : undefined,
  }));
  assert.deepEqual(d, [
    { mode: "active", memory: 0, explicitMemory: false, init: [0x68, 0x69], offsetExpr: [0x41, 16, END] },
    { mode: "passive", memory: 0, explicitMemory: false, init: [1, 2, 3], offsetExpr: undefined },
    { mode: "active", memory: 1, explicitMemory: true, init: [], offsetExpr: [0x41, 0, END] },
  ]);
  for (const s of info.data) {
    assertAt(info, s.offset, [s.explicitMemory ? 2 : s.mode === "passive" ? 1 : 0], "data segment start");
    if (s.offsetExpr) assertAt(info, s.offsetExpr.offset, s.offsetExpr.bytes, "data offset expression");
  }
});

test("custom sections: name, payload view, position and the section they follow", () => {
  const info = decodeModule(rich);
  const cs = info.customSections.map((c) => ({ name: c.name, data: list(c.data), after: c.after }));
  assert.equal(cs.length, 4);
  assert.deepEqual(cs[0], { name: "first", data: [1, 2, 3], after: 0 });
  assert.deepEqual(cs[1], { name: "mid", data: [], after: S.function });
  assert.equal(cs[2]!.name, "name");
  assert.equal(cs[2]!.after, S.data);
  assert.deepEqual(cs[3], { name: "last", data: [0xff], after: S.data });
  for (const c of info.customSections) {
    assert.equal(info.bytes[c.offset], 0, "offset points at the id byte");
    assert.equal(c.data.buffer, info.bytes.buffer);
  }
});

test("the name section: module, functions, locals and the extended subsections", () => {
  const info = decodeModule(rich);
  const n = info.names;
  assert.equal(n.malformed, undefined);
  assert.equal(n.module, "mod");
  assert.deepEqual([...n.functions], [[0, "imported_f"], [1, "run"], [3, "third"]]);
  assert.deepEqual([...n.locals].map(([f, m]) => [f, [...m]]), [[1, [[0, "a"], [1, "b"]]], [2, [[0, "r"]]]]);
  assert.deepEqual([...n.labels].map(([f, m]) => [f, [...m]]), [[1, [[0, "L0"]]]]);
  assert.deepEqual([...n.types], [[0, "sig"], [2, "point"]]);
  assert.deepEqual([...n.tables], [[0, "tab"]]);
  assert.deepEqual([...n.memories], [[0, "mem"]]);
  assert.deepEqual([...n.globals], [[0, "counter"]]);
  assert.deepEqual([...n.elements], [[4, "exprs"]]);
  assert.deepEqual([...n.data], [[1, "passive"]]);
  assert.deepEqual([...n.fields].map(([t, m]) => [t, [...m]]), [[2, [[0, "x"], [1, "y"]]]]);
  assert.deepEqual([...n.tags], [[0, "oops"]]);
});

test("only the first name section counts; a later one is just a custom section", () => {
  const info = decodeModule(wasm(custom("name", sub(0, name("one"))), custom("name", sub(0, name("two")))));
  assert.equal(info.names.module, "one");
  assert.equal(info.customSections.length, 2);
});

test("names are UTF-8, including a leading byte order mark and astral characters", () => {
  const names = ["\u{feff}bom", "caf\u00e9", "\u{1f600}", "", "a".repeat(40), "\u0000"];
  const info = decodeModule(wasm(section(S.export, vec(names.map((n, i) => [name(n), 0x00, u32(i)])))));
  assert.deepEqual(info.exports.map((e) => e.name), names);
});

test("non-minimal LEB128 encodings are accepted where the spec allows them", () => {
  const info = decodeModule(wasm(
    section(S.memory, vec([[0x01, [0x82, 0x80, 0x80, 0x80, 0x00], [0x82, 0x00]]])),
    [0x00, 0x8a, 0x00, ...name("x"), 1, 2, 3, 4, 5, 6, 7, 8], // custom section, size 10 in two bytes
  ));
  assert.deepEqual(info.memories, [{ min: 2, max: 2, shared: false, memory64: false }]);
  assert.equal(info.customSections[0]!.name, "x");
  assert.equal(info.customSections[0]!.data.length, 8);
});

test("a Buffer from Node's pool (non-zero byteOffset) decodes with offsets relative to the view", () => {
  const pooled = Buffer.from(rich);
  const base = decodeModule(rich);
  const info = decodeModule(pooled);
  assert.equal(info.sections.length, base.sections.length);
  assert.deepEqual(info.sections, base.sections);
  assert.deepEqual(info.customSections.map((c) => list(c.data)), base.customSections.map((c) => list(c.data)));
  assert.deepEqual(info.code.map((c) => c.codeOffset), base.code.map((c) => c.codeOffset));
  assert.equal(info.names.module, "mod");
  // A view in the middle of a bigger buffer behaves the same.
  const big = new Uint8Array(rich.length + 100);
  big.set(rich, 37);
  const mid = decodeModule(big.subarray(37, 37 + rich.length));
  assert.deepEqual(mid.sections, base.sections);
  assert.deepEqual(list(mid.code[2]!.code), [0x01, 0x01, END]);
});

test("decoding leaves the input untouched", () => {
  const input = rich.slice();
  decodeModule(input);
  decodeModule(input, { lazy: true }).code.length;
  assert.deepEqual(input, rich);
});

test("a non-Uint8Array argument is a TypeError that says what it got", () => {
  assert.throws(() => decodeModule(rich.buffer as unknown as Uint8Array), (e: unknown) =>
    e instanceof TypeError && /ArrayBuffer/.test(e.message));
  assert.throws(() => decodeModule(null as unknown as Uint8Array), (e: unknown) =>
    e instanceof TypeError && /null/.test(e.message));
});

// ---- malformed name sections are ignored ---------------------------------------------------------

const withNames = (...subsections: Part[]) =>
  wasm(section(S.type, vec([[0x60, vec([]), vec([])]])), section(S.function, vec([0])),
    section(S.code, vec([body([], END)])), custom("name", ...subsections));

test("a malformed name section is ignored and names.malformed says why", () => {
  const cases: Array<[string, Part[], RegExp]> = [
    ["a truncated subsection", [sub(0, name("m")), [1, 5, 1, 0]], /length out of bounds|unexpected end/],
    ["subsections out of order", [sub(1, nameMap([[0, "f"]])), sub(0, name("m"))], /out of order/],
    ["a repeated subsection", [sub(1, nameMap([[0, "f"]])), sub(1, nameMap([[0, "g"]]))], /out of order/],
    ["invalid UTF-8 in a name", [sub(1, vec([[0, 2, 0xc0, 0x80]]))], /malformed UTF-8 encoding/],
    ["a subsection with bytes left over", [sub(0, name("m"), 0)], /size mismatch/],
    ["a name map count past the end", [sub(1, 0xff, 0xff, 0x03, 0, 0)], /unexpected end/],
    ["an over-long LEB128 index", [sub(1, vec([[0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0]]))], /integer representation too long/],
    ["a missing subsection size", [[0x00]], /unexpected end/],
  ];
  for (const [what, subs, why] of cases) {
    const info = decodeModule(withNames(...subs));
    assert.equal(info.code.length, 1, what);
    assert.match(info.names.malformed ?? "", why, what);
    const lazy = decodeModule(withNames(...subs), { lazy: true });
    assert.equal(lazy.names.malformed, info.names.malformed, `${what} (lazy)`);
  }
});

test("a malformed name section keeps the subsections decoded before the fault", () => {
  const info = decodeModule(withNames(sub(0, name("kept")), sub(1, nameMap([[0, "f"]])), [2, 9, 1]));
  assert.equal(info.names.module, "kept");
  assert.deepEqual([...info.names.functions], [[0, "f"]]);
  assert.ok(info.names.malformed);
});

test("an empty name section has no names and is not malformed", () => {
  const info = decodeModule(withNames());
  assert.equal(info.names.malformed, undefined);
  assert.equal(info.names.module, undefined);
  assert.equal(info.names.functions.size, 0);
});

test("readModuleName reads only the first subsection and gives undefined for anything else", () => {
  assert.equal(readModuleName(bytes(sub(0, name("calc")), sub(1, 0xff))), "calc");
  assert.equal(readModuleName(bytes(sub(1, nameMap([[0, "f"]])))), undefined, "no module subsection");
  assert.equal(readModuleName(bytes()), undefined, "empty payload");
  assert.equal(readModuleName(bytes(0x00, 0x09, name("m"))), undefined, "size past the end");
  assert.equal(readModuleName(bytes(sub(0, 0x02, 0xc0, 0x80))), undefined, "malformed UTF-8");
  assert.equal(readModuleName(bytes(sub(0, name("\u{feff}m")))), "\u{feff}m");
});

test("decodeNameSection reads a window of a larger buffer", () => {
  const payload = bytes(sub(0, name("w")), sub(1, nameMap([[7, "seven"]])));
  const big = bytes([0xff, 0xff, 0xff], payload, [0xff]);
  const names = decodeNameSection(big, 3, 3 + payload.length);
  assert.equal(names.module, "w");
  assert.deepEqual([...names.functions], [[7, "seven"]]);
  assert.equal(names.malformed, undefined);
  // The byte after the window is not read: including it makes the section malformed.
  assert.ok(decodeNameSection(big, 3, big.length).malformed);
});

// ---- lazy decoding ---------------------------------------------------------------------------------

test("lazy decoding gives the same metadata as eager decoding", () => {
  const eager = decodeModule(rich);
  const lazy = decodeModule(rich, { lazy: true });
  assert.deepEqual(lazy, eager);
  // Once read, the lazy properties are plain, stable values.
  assert.equal(lazy.code, lazy.code);
  assert.equal(lazy.names, lazy.names);
  assert.deepEqual(Object.keys(lazy).sort(), Object.keys(eager).sort());
});

test("lazy decoding defers a malformed body's CompileError to the first read of info.code", () => {
  const bad = wasm(
    section(S.type, vec([[0x60, vec([]), vec([])]])),
    section(S.function, vec([0, 0])),
    section(S.code, vec([body([], END), body([[1, 0x01]], END)])), // local of type 0x01
    custom("name", sub(0, name("still-here"))),
  );
  let eagerError: CompileError | undefined;
  try {
    decodeModule(bad);
  } catch (e) {
    eagerError = e as CompileError;
  }
  assert.ok(eagerError instanceof CompileError);
  assert.match(eagerError.message, /malformed value type/);

  const lazy = decodeModule(bad, { lazy: true });
  assert.deepEqual(lazy.functions, [0, 0]);
  assert.equal(lazy.names.module, "still-here");
  for (let i = 0; i < 2; i++) {
    assert.throws(() => lazy.code, (e: unknown) =>
      e instanceof CompileError && e.message === eagerError!.message && e.offset === eagerError!.offset);
  }
});

test("lazy decoding still checks section framing, order and counts up front", () => {
  const cases: Part[][] = [
    [section(S.function, vec([0]))], // function without code
    [section(S.code, vec([body([], END)]))], // code without function
    [section(S.code, vec([])), section(S.function, vec([]))], // order
    [[S.code, 10, 1, 2, 0]], // section longer than the module
  ];
  for (const c of cases) {
    assert.throws(() => decodeModule(wasm(...c), { lazy: true }), CompileError);
  }
});

test("lazy decoding of a module without code or names gives empty values", () => {
  const info = decodeModule(wasm(), { lazy: true });
  assert.deepEqual(info.code, []);
  assert.equal(info.names.functions.size, 0);
});
