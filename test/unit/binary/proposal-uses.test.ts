import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModule } from "../../../src/binary/decoder.js";
import { memory64Uses, proposalUses, type Proposal } from "../../../src/binary/proposals.js";
import { wat } from "../../helpers/wat.js";

function uses(text: string, code = true): ReadonlyMap<Proposal, { what: string; offset: number; specReason?: string }> {
  return proposalUses(decodeModule(wat(`(module ${text})`)), { code });
}

test("a WebAssembly 1.0 module uses no proposal", () => {
  const found = uses(`(memory 1) (table 2 funcref) (global $g (mut i32) (i32.const 0))
    (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.load (i32.const 0))))
    (elem (i32.const 0) $f) (data (i32.const 0) "x") (export "f" (func $f))`);
  assert.deepEqual([...found.keys()], []);
});

test("tags and throw belong to the exception design the module's other instructions use", () => {
  assert.deepEqual([...uses(`(tag $e) (func try (throw $e) catch_all end)`).keys()], ["legacy-exceptions"]);
  assert.deepEqual([...uses(`(tag $e) (func (block $h (try_table (catch_all $h) (throw $e))))`).keys()], ["exceptions"]);
  assert.deepEqual([...uses(`(tag $e) (func (throw $e))`).keys()], ["exceptions"]);
});

test("declarations are read without the code; instructions only with it", () => {
  assert.ok(uses(`(memory 1) (memory 1)`, false).has("multi-memory"));
  assert.ok(!uses(`(func return_call 0)`, false).has("tail-call"));
});

test("each use says what and where, with the spec's wording where the spec tests have one", () => {
  const bytes = wat(`(module (memory 1) (memory 1))`);
  const mm = proposalUses(decodeModule(bytes)).get("multi-memory")!;
  assert.equal(mm.specReason, "multiple memories");
  assert.equal(mm.what, "memory 1");
  assert.equal(bytes[mm.offset], 5, "the offset is the memory section's");

  const g = uses(`(global $a i32 (i32.const 1)) (global i32 (global.get $a))`).get("gc")!;
  assert.equal(g.specReason, "unknown global");

  // memory.grow with its memory index as two bytes (0x80 0x00): only multi-memory allows that.
  const grow = Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 0,
    10, 10, 1, 8, 0, 0x41, 0, 0x40, 0x80, 0x00, 0x1a, 0x0b,
  ]);
  const use = proposalUses(decodeModule(grow), { code: true }).get("multi-memory")!;
  assert.equal(use.specReason, "zero byte expected");
  assert.equal(grow[use.offset], 0x40);
});

test("stopAt ends the walk at the first use of a proposal it accepts", () => {
  const found = proposalUses(decodeModule(wat(`(module (memory 1) (memory 1) (func return_call 0))`)), {
    code: true, stopAt: (p) => p === "multi-memory",
  });
  assert.deepEqual([...found.keys()], ["multi-memory"]);
});

test("memory64Uses lists each 64-bit memory and table by its index (imports first), in the walk's order", () => {
  const info = decodeModule(wat(`(module (import "m" "t" (table 1 funcref)) (import "m" "m" (memory i64 1))
    (table i64 1 funcref) (memory 1) (memory i64 1))`));
  assert.deepEqual(memory64Uses(info).map((u) => [u.kind, u.what]), [
    ["memory", "64-bit memory 0"], ["table", "64-bit table 1"], ["memory", "64-bit memory 2"],
  ]);
  assert.equal(memory64Uses(info)[0]!.offset, info.imports[1]!.offset);
  assert.deepEqual(memory64Uses(decodeModule(wat(`(module (memory 1) (table 1 funcref))`))), []);
});
