/**
 * Decoder: hostile input. Huge counts fail fast without large allocations, deep nesting cannot overflow
 * the stack, random mutations and truncations of a valid module only ever produce a `CompileError`, and
 * eager and lazy decoding agree on every input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { decodeModule } from "../../../src/binary/decoder.js";
import type { ModuleInfo } from "../../../src/binary/module-info.js";
import { CompileError } from "../../../src/errors.js";
import * as L from "../../../src/binary/limits.js";
import {
  body, bytes, custom, END, FUNCREF, I32, name, prng, S, section, u32, vec, wasm, type Part,
} from "../../helpers/wasm-bytes.js";
import { RICH, RICH_SECTIONS, sub } from "../../helpers/wasm-rich.js";

const MAX_U32 = 0xffffffff;
const TYPE0 = section(S.type, vec([[0x60, vec([]), vec([])]]));
const oneBody = (b: Uint8Array) => wasm(TYPE0, section(S.function, vec([0x00])), section(S.code, vec([b])));

/** What decoding gives: the metadata (code and names read), or the error thrown. */
type Outcome = { ok: true; info: ModuleInfo } | { ok: false; error: unknown };

function outcome(input: Uint8Array, lazy: boolean): Outcome {
  try {
    const info = decodeModule(input, { lazy });
    void info.code;
    void info.names;
    return { ok: true, info };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Asserts that a failed outcome is a CompileError with an offset inside the input (or at its end). */
function assertCompileError(o: Outcome, input: Uint8Array, what: string): void {
  if (o.ok) return;
  const e = o.error;
  assert.ok(e instanceof CompileError, `${what}: expected a CompileError, got ${e instanceof Error ? e.stack : String(e)}`);
  assert.equal(typeof e.offset, "number", `${what}: offset`);
  assert.ok(e.offset! >= 0 && e.offset! <= input.length, `${what}: offset ${e.offset} within 0..${input.length}`);
}

/**
 * Asserts that eager and lazy decoding of `input` agree: both fail with the same CompileError, or both
 * decode (with deep-equal metadata when `compare`).
 */
function assertEagerLazyAgree(input: Uint8Array, what: string, compare = true): Outcome {
  const eager = outcome(input, false);
  const lazy = outcome(input, true);
  assertCompileError(eager, input, what);
  assertCompileError(lazy, input, `${what} (lazy)`);
  assert.equal(lazy.ok, eager.ok, `${what}: eager ${eager.ok ? "decodes" : "fails"}, lazy ${lazy.ok ? "decodes" : "fails"}`);
  if (!eager.ok && !lazy.ok) {
    assert.equal((lazy.error as CompileError).message, (eager.error as CompileError).message, what);
  }
  if (compare && eager.ok && lazy.ok) assert.deepEqual(lazy.info, eager.info, what);
  return eager;
}

// ---- huge counts ------------------------------------------------------------------------------------

test("huge counts fail fast with a CompileError and allocate nothing large", { timeout: 60_000 }, () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["types", wasm(section(S.type, u32(MAX_U32))), /too many types/],
    ["functions", wasm(section(S.function, u32(MAX_U32))), /too many functions/],
    ["imports", wasm(section(S.import, u32(MAX_U32))), /too many imports/],
    ["exports", wasm(section(S.export, u32(MAX_U32))), /too many exports/],
    ["globals", wasm(section(S.global, u32(MAX_U32))), /too many globals/],
    ["tables", wasm(section(S.table, u32(MAX_U32))), /too many tables/],
    ["memories", wasm(section(S.memory, u32(MAX_U32))), /too many memories/],
    ["tags", wasm(section(S.tag, u32(MAX_U32))), /too many tags/],
    ["element segments", wasm(section(S.element, u32(MAX_U32))), /too many element segments/],
    ["elements in a segment", wasm(section(S.element, 0x01, 0x01, 0x00, u32(MAX_U32))), /too many elements/],
    ["element expressions", wasm(section(S.element, 0x01, 0x05, FUNCREF, u32(MAX_U32))), /too many elements/],
    ["data segments", wasm(section(S.data, u32(MAX_U32))), /too many data segments/],
    ["data segment bytes", wasm(section(S.data, 0x01, 0x01, u32(MAX_U32))), /unexpected end of section/],
    ["code bodies", wasm(section(S.code, u32(MAX_U32))), /too many function bodies/],
    ["parameters", wasm(section(S.type, 0x01, 0x60, u32(MAX_U32))), /too many parameters/],
    ["results", wasm(section(S.type, 0x01, 0x60, 0x00, u32(MAX_U32))), /too many results/],
    ["struct fields", wasm(section(S.type, 0x01, 0x5f, u32(MAX_U32))), /too many struct fields/],
    ["recursion group", wasm(section(S.type, 0x01, 0x4e, u32(MAX_U32))), /too many types in a recursion group/],
    ["supertypes", wasm(section(S.type, 0x01, 0x50, u32(MAX_U32))), /too many supertypes/],
    ["locals in one run", oneBody(body([[MAX_U32, I32]], END)), /too many locals/],
    ["local runs", oneBody(bytes(u32(6), u32(MAX_U32), END)), /too many local/],
    ["section size", wasm([S.type, ...u32(MAX_U32)]), /length out of bounds/],
    ["body size", wasm(TYPE0, section(S.function, vec([0])), section(S.code, 0x01, u32(MAX_U32))), /function body too large/],
    ["name length", wasm(section(S.export, 0x01, u32(MAX_U32))), /unexpected end of section/],
    ["custom section name length", wasm(section(S.custom, u32(MAX_U32))), /unexpected end of section/],
    // Counts just under the caps, with nothing after them: the reader runs out of bytes at once.
    ["functions under the cap", wasm(section(S.function, u32(L.MAX_FUNCTIONS))), /unexpected end of section/],
    ["elements under the cap", wasm(section(S.element, 0x01, 0x01, 0x00, u32(L.MAX_TABLE_SIZE))), /unexpected end of section/],
    ["types under the cap", wasm(section(S.type, u32(L.MAX_TYPES))), /unexpected end of section/],
    ["local runs under the cap", oneBody(bytes(u32(4), u32(L.MAX_FUNCTION_LOCALS), END)), /unexpected end of section|malformed value type/],
  ];
  const heapBefore = process.memoryUsage().heapUsed;
  for (const [what, input, why] of cases) {
    for (const lazy of [false, true]) {
      assert.throws(() => {
        const info = decodeModule(input, { lazy });
        void info.code;
      }, (e: unknown) => e instanceof CompileError && why.test(e.message), `${what}${lazy ? " (lazy)" : ""}`);
    }
  }
  const grown = process.memoryUsage().heapUsed - heapBefore;
  // An array sized by one of these counts would be megabytes; the whole batch stays well below that.
  assert.ok(grown < 8 * 1024 * 1024, `heap grew by ${grown} bytes`);
});

test("a name section with a huge count is ignored, not fatal", () => {
  const info = decodeModule(wasm(custom("name", sub(1, u32(MAX_U32)))));
  assert.match(info.names.malformed ?? "", /too many names/);
  const info2 = decodeModule(wasm(custom("name", sub(1, u32(L.MAX_NAMES)))));
  assert.match(info2.names.malformed ?? "", /unexpected end/);
});

// ---- deep nesting and many entries ------------------------------------------------------------------

test("deeply nested blocks in a body and long constant expressions cannot overflow the stack", () => {
  const depth = 200_000;
  const code = new Uint8Array(depth * 3 + 1);
  for (let i = 0; i < depth; i++) {
    code[2 * i] = 0x02; // block
    code[2 * i + 1] = 0x40; // []
  }
  code.fill(END, depth * 2); // one end per block, then the body's own end
  const input = oneBody(bytes(u32(code.length + 1), 0x00, code));
  for (const lazy of [false, true]) {
    const info = decodeModule(input, { lazy });
    assert.equal(info.code[0]!.code.length, code.length);
  }
  // A global initializer of 100,000 additions is read in a loop, not by recursion.
  const adds: number[] = [0x41, 0x00];
  for (let i = 0; i < 100_000; i++) adds.push(0x41, 0x01, 0x6a);
  const g = decodeModule(wasm(section(S.global, vec([[I32, 0x00, adds, END]]))));
  assert.equal(g.globals[0]!.init.bytes.length, adds.length + 1);
});

test("nested forms that the format does not nest are rejected without recursion", () => {
  // A rec group inside a rec group, and sub inside sub, repeated many times.
  const recs = new Array<number>(100_000).fill(0).flatMap(() => [0x4e, 0x01]);
  assert.throws(() => decodeModule(wasm(section(S.type, 0x01, recs))), CompileError);
  const subs = new Array<number>(100_000).fill(0).flatMap(() => [0x50, 0x00]);
  assert.throws(() => decodeModule(wasm(section(S.type, 0x01, subs))), CompileError);
  // Reference types do not nest either: (ref (ref ...)) is a malformed heap type.
  const refs = new Array<number>(100_000).fill(0x64);
  assert.throws(() => decodeModule(wasm(section(S.type, 0x01, 0x60, 0x01, refs))), CompileError);
});

test("50,000 exports and 20,000 custom sections decode (a hang guard; the linear-time rows are in bench/linear.bench.ts)", { timeout: 60_000 }, () => {
  const n = 50_000;
  const exports: Part[] = [];
  for (let i = 0; i < n; i++) exports.push([name(`e${i}`), 0x00, u32(i)]);
  const customs: Uint8Array[] = [];
  for (let i = 0; i < 20_000; i++) customs.push(custom(""));
  const input = wasm(section(S.export, vec(exports)), ...customs);
  const info = decodeModule(input);
  assert.equal(info.exports.length, n);
  assert.equal(info.exports[n - 1]!.name, `e${n - 1}`);
  assert.equal(info.customSections.length, 20_000);
  assert.equal(info.sections.length, 20_001);
});

// ---- mutations and truncations ----------------------------------------------------------------------

const INTERESTING = [0x00, 0x01, 0x0b, 0x40, 0x60, 0x70, 0x7f, 0x80, 0xff];

/** Applies one to four random edits to a copy of `base`. */
function mutate(base: Uint8Array, rand: () => number): Uint8Array {
  let b = [...base];
  const edits = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(rand() * b.length);
    switch (Math.floor(rand() * 6)) {
      case 0: b[at] = Math.floor(rand() * 256); break;
      case 1: b[at] = INTERESTING[Math.floor(rand() * INTERESTING.length)]!; break;
      case 2: b.splice(at, 0, Math.floor(rand() * 256)); break;
      case 3: b.splice(at, 1 + Math.floor(rand() * 4)); break;
      case 4: { // copy a slice elsewhere
        const len = 1 + Math.floor(rand() * 16);
        b.splice(Math.floor(rand() * b.length), 0, ...b.slice(at, at + len));
        break;
      }
      default: b[at] = b[at]! ^ (1 << Math.floor(rand() * 8)); break;
    }
    if (b.length === 0) b = [0];
  }
  return Uint8Array.from(b);
}

test("10,000 random mutations of a valid module either decode or throw a CompileError", { timeout: 300_000 }, () => {
  const rand = prng(0x5eed);
  let decoded = 0;
  let failed = 0;
  const reasons = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const input = mutate(RICH, rand);
    // Comparing whole metadata is the slow part: do it for every tenth input.
    const o = assertEagerLazyAgree(input, `mutation ${i}`, i % 10 === 0);
    if (o.ok) {
      decoded++;
      // What decoded is well-formed metadata: views inside the input, offsets in range.
      for (const c of o.info.code) assert.ok(c.codeOffset + c.code.length <= input.length, `mutation ${i}: body range`);
      for (const s of o.info.sections) assert.ok(s.offset < s.end && s.end <= input.length, `mutation ${i}: section range`);
    } else {
      failed++;
      reasons.add((o.error as CompileError).reason.replace(/[:(].*$/, "").trim().replace(/ (0x[0-9a-f]+|\d+)$/, ""));
    }
  }
  assert.equal(decoded + failed, 10_000);
  assert.ok(decoded > 100, `some mutations still decode (${decoded})`);
  assert.ok(failed > 5_000, `most mutations are malformed (${failed})`);
  assert.ok(reasons.size >= 10, `many different errors are reached (${[...reasons].join(", ")})`);
});

test("random bytes after a valid header never escape as another error type", () => {
  const rand = prng(42);
  for (let i = 0; i < 2_000; i++) {
    const len = Math.floor(rand() * 64);
    const tail = Array.from({ length: len }, () => Math.floor(rand() * 256));
    assertEagerLazyAgree(wasm(tail), `random tail ${i}`);
  }
});

test("truncating a valid module at every byte throws a CompileError, except at section boundaries", () => {
  const boundaries = new Set<number>([8]);
  let at = 8;
  for (const s of RICH_SECTIONS) boundaries.add((at += s.length));
  for (let n = 0; n < RICH.length; n++) {
    const input = RICH.subarray(0, n);
    const o = assertEagerLazyAgree(input, `truncated to ${n} bytes`);
    if (!boundaries.has(n)) {
      assert.equal(o.ok, false, `truncated to ${n} bytes should not decode`);
    }
  }
  // At a boundary the prefix is a module of its own: it decodes when its counts still agree.
  assert.equal(outcome(RICH.subarray(0, 8), false).ok, true);
  const afterFunctions = 8 + RICH_SECTIONS.slice(0, 4).reduce((sum, s) => sum + s.length, 0);
  const cut = outcome(RICH.subarray(0, afterFunctions), false);
  assert.ok(!cut.ok && (cut.error as CompileError).message.includes("function and code section have inconsistent lengths"));
});

test("every section's payload cut short (with its size fixed up) decodes or throws a CompileError", () => {
  // Shrink one section's declared size (so the module stays framed) and drop the bytes after it.
  let total = 0;
  for (const s of RICH_SECTIONS) {
    let p = 1;
    while ((s[p]! & 0x80) !== 0) p++;
    const payload = s.subarray(p + 1);
    for (let n = 0; n < payload.length; n++) {
      const input = wasm(section(s[0]!, payload.subarray(0, n)));
      assertEagerLazyAgree(input, `section ${s[0]} payload cut to ${n}`);
      total++;
    }
  }
  assert.ok(total > 300);
});
