/**
 * What the spec runner (`wast.ts`) accepts as the outcome each assertion asks for, kept strict: the
 * trap a spec text means, the few engine merges of trap codes (each with its reason, counted per run),
 * the engine's wasm exception, and when a module counts as "unsupported" (it uses a proposal the engine
 * lacks, found by feature probing, never by reading an error message).
 *
 * @module
 */
import { decodeModule } from "../../binary/decoder.js";
import type { Proposal } from "../../binary/proposals.js";
import { CompileError, TRAP_MESSAGES, Trap, type TrapCode } from "../../errors.js";
import { Exception, Func } from "../../index.js";
import { missingHostUses } from "../../runtime/feature-check.js";

/**
 * Proposals `bytes` uses that the running engine does not support (the first one found, and memory64
 * only when the module uses a half of it the engine lacks); empty when it lacks none, or when the bytes
 * do not decode: a module our decoder rejects is not a feature gap.
 */
export function missingFeatures(bytes: Uint8Array): Proposal[] {
  try {
    return missingHostUses(decodeModule(bytes)).map((u) => u.proposal);
  } catch {
    return [];
  }
}

/** True when the engine (not wasmhost's decoder) rejected the module: its `CompileError` wraps the engine's. */
export function rejectedByEngine(e: unknown): boolean {
  return e instanceof CompileError && e.cause instanceof WebAssembly.CompileError;
}

/** The engine's exception class (exception handling), absent on engines without it. */
const WasmException = (WebAssembly as unknown as { Exception?: abstract new (...args: never[]) => object }).Exception;

/** True when `e` is an exception thrown by wasm code (`throw`), as `assert_exception` expects. */
export function isWasmException(e: unknown): boolean {
  // Calls through the API deliver wasm exceptions as wasmhost's `Exception` (holding the engine's).
  return e instanceof Exception || (WasmException !== undefined && e instanceof WasmException);
}

/**
 * The trap code meant by a spec trap text whose wording differs from the code's message (texts equal
 * to or contained in a code's message, like "integer divide by zero", need no entry).
 */
const SPEC_TRAP_CODES: Readonly<Record<string, TrapCode>> = {
  "undefined element": "table_out_of_bounds",
  "uninitialized element": "indirect_call_to_null",
  "null function reference": "null_reference",
  "null structure reference": "null_reference",
  "null array reference": "null_reference",
  "null i31 reference": "null_reference",
  "null exception reference": "null_reference",
  "out of bounds table access": "table_out_of_bounds",
  "out of bounds data segment access": "memory_out_of_bounds",
  "out of bounds elem segment access": "table_out_of_bounds",
};

/** An engine merge: the engine reports two spec traps alike, so the code of one must stand for both. */
interface TrapMerge {
  /** The spec's trap text. */
  readonly text: string;
  /** The code the engine's shared message maps to. */
  readonly code: TrapCode;
  /** Why the engine cannot tell them apart. */
  readonly reason: string;
}

/** Every merge the runner accepts. Each use is counted and printed with the run's totals. */
export const TRAP_MERGES: readonly TrapMerge[] = [
  {
    text: "uninitialized element",
    code: "bad_signature",
    reason: "V8 reports a call through a null table entry and a signature mismatch with one message, \"null function or function signature mismatch\"",
  },
  {
    text: "integer overflow",
    code: "bad_conversion_to_integer",
    reason: "V8 reports a float-to-integer truncation of NaN and of an out-of-range value with one message, \"float unrepresentable in integer range\"",
  },
  {
    text: "out of bounds array access",
    code: "table_out_of_bounds",
    reason: "V8 checks the element segment's bounds before the array's in array.init_elem, so when a length exceeds both it reports \"element segment out of bounds\"",
  },
];

/** Uses of each engine merge, by `text -> code`. */
export type MergeCounts = Map<string, number>;

/** Adds the counts of `more` to `into`. */
export function addCounts(into: MergeCounts, more: MergeCounts): void {
  for (const [k, n] of more) into.set(k, (into.get(k) ?? 0) + n);
}

/** One line per merge used: how often, and the engine's reason. */
export function describeMerges(merges: MergeCounts): string[] {
  return [...merges].map(([key, n]) => {
    const reason = TRAP_MERGES.find((m) => key === mergeKey(m))?.reason ?? "";
    return `trap merge accepted ${n}x: ${key} (${reason})`;
  });
}

function mergeKey(m: TrapMerge): string {
  return `"${m.text}" reported as ${m.code}`;
}

/** Why an assertion failed (the runner reports the message with the command's `file:line`). */
export class CheckFailure extends Error {}

/**
 * Checks that `e` is the trap the spec text `text` means: the trap code's message contains the text,
 * the text names the code (`SPEC_TRAP_CODES`), or an engine merge applies (counted in `merges`).
 * @throws CheckFailure otherwise.
 */
export function checkTrap(e: unknown, text: string, merges: MergeCounts): void {
  if (!(e instanceof Trap)) {
    throw new CheckFailure(`expected trap "${text}", got ${describeThrown(e)}`);
  }
  // Some texts carry a detail after the spec's words ("uninitialized element 2").
  const names = (spec: string) => text === spec || text.startsWith(`${spec} `);
  if (TRAP_MESSAGES[e.code].includes(text)) return;
  if (Object.entries(SPEC_TRAP_CODES).some(([spec, code]) => code === e.code && names(spec))) return;
  const merge = TRAP_MERGES.find((m) => m.code === e.code && names(m.text));
  if (merge) {
    const key = mergeKey(merge);
    merges.set(key, (merges.get(key) ?? 0) + 1);
    return;
  }
  throw new CheckFailure(`expected trap "${text}", got ${e.code}: ${e.message.split("\n")[0]}`);
}

/** `ClassName: first line of the message` of anything thrown. */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message.split("\n")[0]}`;
  return `${typeof e} ${String(e)}`;
}

/**
 * Whether `v`, a reference a call returned to JS, is of the kind an `assert_return` of the GC suite
 * expects. An i31 reaches JS as a number; structs and arrays as opaque objects (the engine's own, so never
 * a `Func` or a host value of the script); `ref.any` and `ref` accept any non-null reference.
 * Structs and arrays are not told apart from JS (both are opaque): `ref.struct` and `ref.array` accept
 * either kind of GC object.
 */
export function matchesGcRef(kind: string, v: unknown, isHostValue: (v: object) => boolean): boolean {
  if (v === null || v === undefined) return false;
  switch (kind) {
    case "ref.i31": return typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 30) && v < 2 ** 30;
    case "ref.struct": case "ref.array": return isGcObject(v, isHostValue);
    case "ref.eq": return matchesGcRef("ref.i31", v, isHostValue) || isGcObject(v, isHostValue);
    case "ref.exn": return isWasmException(v) || (typeof v === "object" && !isHostValue(v));
    case "ref.any": case "ref": return true;
    default: return false;
  }
}

function isGcObject(v: unknown, isHostValue: (v: object) => boolean): boolean {
  return typeof v === "object" && v !== null && !isHostValue(v) && !(v instanceof Func) && !(v instanceof Error);
}
