/** Test helper: for each WebAssembly proposal, module fields (text format) that use it. */
import type { Proposal } from "../../src/binary/proposals.js";

/** A module using each proposal (and, apart from what it builds on, nothing newer). */
export const USES: { readonly [P in Proposal]: string } = {
  "sign-extension": `(func (drop (i32.extend8_s (i32.const 0))))`,
  "saturating-conversions": `(func (drop (i32.trunc_sat_f32_s (f32.const 0))))`,
  "multi-value": `(func (result i32 i32) (i32.const 0) (i32.const 0))`,
  "bulk-memory": `(func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))) (memory 1)`,
  "reference-types": `(func (local externref) (drop (ref.is_null (local.get 0))))`,
  "simd": `(func (result v128) (v128.const i64x2 0 0))`,
  "relaxed-simd": `(func (result v128) (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (v128.const i64x2 0 0)))`,
  "threads": `(func (drop (i32.atomic.load (i32.const 0)))) (memory 1 1 shared)`,
  "tail-call": `(func return_call 0)`,
  "legacy-exceptions": `(tag $e) (func try (throw $e) catch_all end)`,
  "exceptions": `(tag $e) (func (block $h (try_table (catch_all $h) (throw $e))))`,
  "function-references": `(func (drop (ref.as_non_null (ref.null func))))`,
  "gc": `(type (struct)) (func (drop (struct.new 0)))`,
  "extended-const": `(global i32 (i32.add (i32.const 1) (i32.const 2)))`,
  "memory64": `(memory i64 1)`,
  "multi-memory": `(memory 1) (memory 1)`,
  "custom-page-sizes": `(memory 1 (pagesize 1))`,
};

