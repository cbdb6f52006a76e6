/**
 * The shared-everything-threads proposal's `shared` annotations in the core formats: shared composite
 * types (prefix 0x65), shared abstract heap types (prefix 0x65, `(ref null (shared func))` abbreviated
 * to `0x65 0x70`), shared tables (limits flag bit 1). Text -> binary -> text round trips, the proposal
 * named by `proposalUses`, and a module using them rejected by the runtime with a `CompileError`
 * naming the proposal (no engine Node ships runs it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModule } from "../../../src/binary/decoder.js";
import { encodeModule } from "../../../src/binary/encoder.js";
import { proposalUses } from "../../../src/binary/proposals.js";
import { printModule } from "../../../src/text/print.js";
import { CompileError, Engine, Module } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const HEADER = "0061736d01000000";

// The bytes wasm-tools (jco's `parse`, 1.x) gives for the same text, recorded when this was written.
const CASES: readonly { readonly text: string; readonly bytes: string }[] = [
  { text: `(type (shared (func)))`, bytes: `${HEADER}01050165600000` },
  { text: `(table shared 1 2 (ref null (shared func)))`, bytes: `${HEADER}0406016570030102` },
  { text: `(table 1 2 (ref null (shared any)))`, bytes: `${HEADER}040601656e010102` },
  { text: `(rec (type (shared (struct))))`, bytes: `${HEADER}0106014e01655f00` },
  {
    text: `(type (shared (func (param (ref (shared func)))))) (func (type 0) (drop (ref.null (shared func))))`,
    bytes: `${HEADER}0108016560016465700003020100` + "0a08010600d065701a0b",
  },
];

test("shared types, tables and heap types assemble to the proposal's encoding", () => {
  for (const c of CASES) assert.equal(hex(wat(`(module ${c.text})`)), c.bytes, c.text);
});

test("shared forms decode, re-encode byte for byte, and print as text that assembles to the same bytes", () => {
  for (const c of CASES) {
    const bytes = Buffer.from(c.bytes, "hex");
    const info = decodeModule(bytes);
    assert.equal(hex(encodeModule(info)), c.bytes, `re-encode ${c.text}`);
    const printed = printModule(bytes);
    assert.match(printed, /shared/, c.text);
    assert.equal(hex(wat(printed)), c.bytes, `print ${c.text}:\n${printed}`);
  }
  const info = decodeModule(wat(`(module (type (shared (func))) (table shared 1 2 (ref null (shared func))))`));
  assert.equal(info.types[0]!.shared, true);
  assert.deepEqual(info.tables[0]!.type, { element: { ref: "func", nullable: true, shared: true }, table64: false, min: 1, max: 2, shared: true });
});

test("the text's `shared`-first memory form is the threads form; unshared types stay unmarked", () => {
  assert.equal(hex(wat(`(module (memory shared 1 2))`)), hex(wat(`(module (memory 1 2 shared))`)));
  const info = decodeModule(wat(`(module (type (func)) (table 1 funcref) (table 1 (ref null any)))`));
  assert.equal(info.types[0]!.shared, undefined);
  assert.equal(info.tables[0]!.type.shared, undefined);
  assert.deepEqual(info.tables[1]!.type.element, { ref: "any", nullable: true });
});

test("a shared composite type is not the implicit type of an equal unshared signature", () => {
  const info = decodeModule(wat(`(module (type (shared (func))) (func))`));
  assert.equal(info.types.length, 2);
  assert.equal(info.functions[0], 1);
});

test("malformed shared forms are CompileErrors", () => {
  // 0x65 followed by a type index instead of an abstract heap type.
  assert.throws(() => decodeModule(Buffer.from(`${HEADER}0405016500010102`, "hex")), CompileError);
  // (table shared ...) with flag 0x0a: bit 3 is no table flag.
  assert.throws(() => decodeModule(Buffer.from(`${HEADER}04050170` + "0a0001", "hex")), CompileError);
  assert.throws(() => wat(`(module (table 1 (ref null (shared 0))))`), /abstract heap type after `shared`/);
});

test("proposalUses names shared-everything-threads at each shared form", () => {
  const what = (text: string) => proposalUses(decodeModule(wat(`(module ${text})`)), { code: true }).get("shared-everything-threads")?.what;
  assert.equal(what(`(type (shared (func)))`), "shared type 0");
  assert.equal(what(`(table shared 1 2 (ref null (shared func)))`), "shared table 0");
  assert.equal(what(`(import "m" "t" (table 1 2 (ref null (shared func))))`), "(ref null (shared func)) elements of table 0");
  assert.equal(what(`(func (drop (ref.null (shared extern))))`), `ref.null with heap type ${0x6f - 0x100}`);
  assert.equal(what(`(func (result (ref null (shared any))) (ref.null (shared none)))`)?.startsWith("(ref null (shared any)) result"), true);
  assert.equal(what(`(type (func)) (table 1 funcref) (memory 1 1 shared)`), undefined);
});

const HOST_RUNS_IT = Engine.hostFeatures()["shared-everything-threads"];

test("the runtime rejects a module using them with a CompileError naming the proposal the host lacks", {
  skip: HOST_RUNS_IT && "the host engine runs shared-everything threads",
}, () => {
  assert.throws(() => new Module(new Engine(), wat(`(module (type (shared (func))))`)),
    (e: unknown) => e instanceof CompileError && e.proposal === "shared-everything-threads" && /shared type 0/.test(e.message));
  // Instrumentation rewrites tables and value types: it keeps them shared, so the engine still judges them.
  for (const config of [{ consumeFuel: true }, { consumeFuel: true, timeLimits: true }]) {
    assert.throws(() => new Module(new Engine(config), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 4, 4, 1, 0x70, 2, 0])),
      (e: unknown) => e instanceof CompileError && e.proposal === "shared-everything-threads" && /shared table 0/.test(e.message));
    assert.throws(() => new Module(new Engine(config), wat(`(module (global (mut (ref null (shared func))) (ref.null (shared func))))`)),
      (e: unknown) => e instanceof CompileError && e.proposal === "shared-everything-threads");
  }
});

test("an engine config that switches the proposal off rejects a module using it, naming it", () => {
  assert.throws(() => new Module(new Engine({ features: { "shared-everything-threads": false } }), wat(`(module (table shared 1 2 (ref null (shared func))))`)),
    (e: unknown) => e instanceof CompileError && e.proposal === "shared-everything-threads" && /shared table 0/.test(e.message) && /switches off/.test(e.message));
});
