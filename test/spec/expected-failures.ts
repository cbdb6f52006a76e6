/**
 * Spec commands expected to fail, each with its reason: `suite-path:line` -> why. The runner fails a run in
 * which a listed command passes, so the list only shrinks as the engine or wasmhost improves: remove an
 * entry when its cause is fixed.
 *
 * "runtime:" reasons are wasmhost runtime issues reported to its owner; "engine:" reasons are the host
 * engine's, and apply only on engines that lack the proposal named (`expectedFailures()` picks them).
 */
import { Engine } from "../../src/index.js";

const OLD_TEST = "test predates reference types: several tables are valid in WebAssembly 2.0, which V8 implements";
const MULTI_MEMORY = "engine: V8 without multi-memory (Node 20) cannot compile the module that would write this memory or table, so its segments never land";

const TEXT_OFFSET_U64 = "text grammar: wasmhost reads memarg offsets as u64 (3.0, memory64), so a 32-bit memory's offset of 2^32 assembles and " +
  "fails validation (the 3.0 suite's \"offset out of range\"); the 2.0 suite wanted the text itself rejected";
const ENGINE_LIMIT = "engine: V8 rejects a valid module whose declared size exceeds its implementation limits (tables of 10 million " +
  "elements, memories of 2^18 64-bit pages); the spec lets an implementation limit sizes";
const LIMITS_BEYOND_2_53 = "runtime: the decoder keeps limits as JS numbers, exact below 2^53, and rejects larger 64-bit limits that memory64 allows";

/** `suite-path:line` -> reason, on every engine. */
export const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map<string, string>([
  ["testsuite-wasm-2.0/proposals/threads/imports.wast:309", OLD_TEST],
  ["testsuite-wasm-2.0/proposals/threads/imports.wast:313", OLD_TEST],
  ["testsuite-wasm-2.0/proposals/threads/imports.wast:317", OLD_TEST],
  ["testsuite-wasm-2.0/address.wast:213", TEXT_OFFSET_U64],
  ["testsuite-wasm-2.0/simd_address.wast:143", TEXT_OFFSET_U64],
  ["testsuite-wasm-2.0/simd_address.wast:151", TEXT_OFFSET_U64],
  ["testsuite/proposals/threads/imports.wast:309", OLD_TEST],
  ["testsuite/proposals/threads/imports.wast:313", OLD_TEST],
  ["testsuite/proposals/threads/imports.wast:317", OLD_TEST],
  ["testsuite/memory64.wast:8", ENGINE_LIMIT],
  ["testsuite/memory64.wast:9", ENGINE_LIMIT],
  ["testsuite/table64.wast:9", LIMITS_BEYOND_2_53],
  ["testsuite/table64.wast:10", LIMITS_BEYOND_2_53],
]);

/** `suite-path:line` -> reason, on engines without multi-memory. */
const WITHOUT_MULTI_MEMORY: ReadonlyMap<string, string> = new Map<string, string>([
  ["testsuite/linking0.wast:42", MULTI_MEMORY],
  ["testsuite/load1.wast:25", MULTI_MEMORY],
  ["testsuite/load1.wast:26", MULTI_MEMORY],
  ["testsuite/load1.wast:27", MULTI_MEMORY],
  ["testsuite/load1.wast:28", MULTI_MEMORY],
  ["testsuite/load1.wast:29", MULTI_MEMORY],
]);

const CANNOT_BLOCK = "engine: a browser's main thread cannot block, so memory.atomic.wait32/64 throws (\"Atomics.wait cannot be " +
  "called in this context\") even where the value differs and the spec expects 1 (not-equal) without blocking";

/** `suite-path:line` -> reason, where the running thread cannot block (a browser's main thread). */
const WITHOUT_BLOCKING: ReadonlyMap<string, string> = new Map<string, string>([
  ["testsuite-wasm-2.0/proposals/threads/atomic.wast:434", CANNOT_BLOCK],
  ["testsuite-wasm-2.0/proposals/threads/atomic.wast:435", CANNOT_BLOCK],
  ["testsuite/proposals/threads/atomic.wast:434", CANNOT_BLOCK],
  ["testsuite/proposals/threads/atomic.wast:435", CANNOT_BLOCK],
]);

/**
 * `(module (memory 1 1 shared) (func (export "w") (result i32)
 *   (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const 0))))`: returns 1 (not-equal) where the
 * thread may block, throws where it may not.
 */
const WAIT_NOT_EQUAL = Uint8Array.from([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  1, 5, 1, 0x60, 0, 1, 0x7f, // type: () -> i32
  3, 2, 1, 0, // function 0: type 0
  5, 4, 1, 0x03, 1, 1, // memory 1 1 shared
  7, 5, 1, 1, 0x77, 0, 0, // export "w" func 0
  10, 14, 1, 12, 0, 0x41, 0, 0x41, 1, 0x42, 0, 0xfe, 0x01, 0x02, 0x00, 0x0b, // code
]);

/** Whether this thread may block in `memory.atomic.wait` (true where the engine lacks threads: nothing to wait on). */
function threadCanBlock(): boolean {
  let wait: () => unknown;
  try {
    wait = new WebAssembly.Instance(new WebAssembly.Module(WAIT_NOT_EQUAL)).exports["w"] as () => unknown;
  } catch {
    return true;
  }
  try {
    return wait() === 1;
  } catch {
    return false;
  }
}

/** `(module (table 0xffff_ffff funcref))`: older engines compile it, newer ones enforce their table size limit. */
const HUGE_TABLE = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 4, 8, 1, 0x70, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]);

/** The expected failures on the engine running this process. */
export function expectedFailures(): ReadonlyMap<string, string> {
  const out = new Map(EXPECTED_FAILURES);
  if (!Engine.hostFeatures()["multi-memory"]) for (const [k, v] of WITHOUT_MULTI_MEMORY) out.set(k, v);
  if (!WebAssembly.validate(HUGE_TABLE)) out.set("testsuite/table.wast:9", ENGINE_LIMIT);
  if (!threadCanBlock()) for (const [k, v] of WITHOUT_BLOCKING) out.set(k, v);
  return out;
}
