/**
 * Which WebAssembly proposals the running engine (V8 in Node.js, or the browser's engine) compiles,
 * found by asking it: each proposal has a tiny module that uses it and nothing newer, and the proposal
 * counts as supported when `WebAssembly.validate` accepts that module. Nothing here reads version
 * numbers, flags or error messages, so the answer follows the engine whatever enabled or disabled a
 * feature (`--experimental-wasm-*` flags, a browser's settings).
 *
 * The probe modules are written out byte by byte (not assembled by wasmhost) so that a bug in the
 * encoder cannot change the answer.
 *
 * @module
 */

import type { Proposal } from "../binary/proposals.js";

export type { Proposal };

/** Whether the engine supports each proposal. */
export type EngineFeatures = { readonly [P in Proposal]: boolean };

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** 16 zero bytes: a `v128.const` immediate. */
const V128_ZERO = new Array<number>(16).fill(0);

/** A section: id, size, contents (contents must stay below 128 bytes so the size is one LEB byte). */
function section(id: number, contents: readonly number[]): number[] {
  return [id, contents.length, ...contents];
}

/**
 * A module with the function types `types` (each a list of bytes after 0x60) followed by the raw type
 * entry `moreTypes`, one function of type 0 whose body (locals and code, without the final `end`) is
 * `body`, and `extra` sections placed between the function and code sections (memory, global: 5, 6).
 */
function moduleWithFunc(
  types: readonly (readonly number[])[], body: readonly number[], extra: readonly number[] = [], moreTypes: readonly number[] = [],
): number[] {
  const count = types.length + (moreTypes.length ? 1 : 0);
  const typeSec = section(1, [count, ...types.flatMap((t) => [0x60, ...t]), ...moreTypes]);
  const code = [...body, 0x0b];
  return [...HEADER, ...typeSec, ...section(3, [1, 0]), ...extra, ...section(10, [1, code.length, ...code])];
}

/** `() -> ()` */
const VOID: readonly number[] = [0, 0];
/** `() -> v128` */
const TO_V128: readonly number[] = [0, 1, 0x7b];

/** The probe module of each proposal: valid exactly when the engine supports the proposal. */
const PROBES: { readonly [P in Proposal]: readonly number[] } = {
  // i32.const 0; i32.extend8_s; drop
  "sign-extension": moduleWithFunc([VOID], [0, 0x41, 0, 0xc0, 0x1a]),
  // f32.const 0; i32.trunc_sat_f32_s; drop
  "saturating-conversions": moduleWithFunc([VOID], [0, 0x43, 0, 0, 0, 0, 0xfc, 0x00, 0x1a]),
  // () -> (i32 i32): i32.const 0; i32.const 0
  "multi-value": moduleWithFunc([[0, 2, 0x7f, 0x7f]], [0, 0x41, 0, 0x41, 0]),
  // (memory 1); i32.const 0 (x3); memory.copy 0 0
  "bulk-memory": moduleWithFunc([VOID], [0, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0a, 0, 0], section(5, [1, 0x00, 1])),
  // local externref; local.get 0; ref.is_null; drop
  "reference-types": moduleWithFunc([VOID], [1, 1, 0x6f, 0x20, 0, 0xd1, 0x1a]),
  // v128.const 0
  "simd": moduleWithFunc([TO_V128], [0, 0xfd, 0x0c, ...V128_ZERO]),
  // v128.const 0; v128.const 0; i8x16.relaxed_swizzle
  "relaxed-simd": moduleWithFunc([TO_V128], [0, 0xfd, 0x0c, ...V128_ZERO, 0xfd, 0x0c, ...V128_ZERO, 0xfd, 0x80, 0x02]),
  // (memory 1 1 shared); i32.const 0; i32.atomic.load; drop
  "threads": moduleWithFunc([VOID], [0, 0x41, 0, 0xfe, 0x10, 2, 0, 0x1a], section(5, [1, 0x03, 1, 1])),
  // return_call 0
  "tail-call": moduleWithFunc([VOID], [0, 0x12, 0]),
  // try; catch_all; end
  "legacy-exceptions": moduleWithFunc([VOID], [0, 0x06, 0x40, 0x19, 0x0b]),
  // try_table (no catch clauses); end
  "exceptions": moduleWithFunc([VOID], [0, 0x1f, 0x40, 0, 0x0b]),
  // ref.null func; ref.as_non_null; drop (final opcodes: V8's early drafts numbered these differently)
  "function-references": moduleWithFunc([VOID], [0, 0xd0, 0x70, 0xd4, 0x1a]),
  // (type (func)) (type $s (struct)); struct.new $s; drop
  // (The engine's early GC drafts used other opcodes: only the final encoding counts.)
  "gc": moduleWithFunc([VOID], [0, 0xfb, 0x00, 1, 0x1a], [], [0x5f, 0]),
  // (global i32 (i32.add (i32.const 1) (i32.const 2)))
  "extended-const": [...HEADER, ...section(6, [1, 0x7f, 0, 0x41, 1, 0x41, 2, 0x6a, 0x0b])],
  // (table i64 1 funcref) (memory i64 1): both halves of the proposal (engines shipped 64-bit
  // memories before 64-bit tables, and a module of the proposal may use either)
  "memory64": [...HEADER, ...section(4, [1, 0x70, 0x04, 1]), ...section(5, [1, 0x04, 1])],
  // (memory 1) (memory 1)
  "multi-memory": [...HEADER, ...section(5, [2, 0x00, 1, 0x00, 1])],
  // (memory 1 (pagesize 1))
  "custom-page-sizes": [...HEADER, ...section(5, [1, 0x08, 1, 0])],
  // (type (shared (func)))
  "shared-everything-threads": [...HEADER, ...section(1, [1, 0x65, 0x60, 0, 0])],
};

/** Every proposal `engineFeatures` reports on, in the order of `Proposal`. */
export const PROPOSALS: readonly Proposal[] = Object.keys(PROBES) as Proposal[];

/** The probe module of `proposal` (for tests: it must be valid wherever the proposal is implemented). */
export function featureProbe(proposal: Proposal): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(PROBES[proposal]);
}

/** Asks the engine now, without the cache of `engineFeatures`. */
export function probeEngineFeatures(): EngineFeatures {
  const out = {} as { [P in Proposal]: boolean };
  for (const p of PROPOSALS) out[p] = WebAssembly.validate(featureProbe(p));
  return Object.freeze(out);
}

let cached: EngineFeatures | undefined;

/**
 * Which proposals the running engine supports. Probed once per process, on the first call: engine
 * flags changed afterwards (e.g. `v8.setFlagsFromString`) are not seen; `probeEngineFeatures` asks again.
 */
export function engineFeatures(): EngineFeatures {
  return (cached ??= probeEngineFeatures());
}

/** Which halves of the memory64 proposal the running engine has (`engineFeatures().memory64` is both). */
export interface Memory64Parts {
  readonly memories: boolean;
  readonly tables: boolean;
}

let cachedParts: Memory64Parts | undefined;

/**
 * The halves of memory64 the running engine has, probed once per process: engines shipped 64-bit
 * memories before 64-bit tables (Node 22 has the memories only), so a module that uses only the half
 * the engine has is not missing the proposal.
 */
export function memory64Parts(): Memory64Parts {
  return (cachedParts ??= Object.freeze({
    // (memory i64 1)
    memories: WebAssembly.validate(Uint8Array.from([...HEADER, ...section(5, [1, 0x04, 1])])),
    // (table i64 1 funcref)
    tables: WebAssembly.validate(Uint8Array.from([...HEADER, ...section(4, [1, 0x70, 0x04, 1])])),
  }));
}
