/**
 * Which instructions the engine itself can stop with a trap, and with which trap codes: read by trap
 * handling (the code of a trap whose message is ambiguous) and by the fuel pass (the fuel left must be
 * in the store's global wherever the engine may trap).
 *
 * @module
 */
import type { TrapCode } from "../errors.js";
import type { FunctionBody, ModuleInfo } from "./module-info.js";

/**
 * What an instruction can trap with: the codes its traps may have (the first is the one to assume
 * when the engine's message names none of them) and, for null references, the spec's wording of
 * which reference was null.
 */
export interface InstructionTraps {
  readonly codes: readonly TrapCode[];
  readonly nullDetail?: string;
}

const MEMORY: InstructionTraps = { codes: ["memory_out_of_bounds"] };
const ATOMIC: InstructionTraps = { codes: ["memory_out_of_bounds", "heap_misaligned"] };
const TABLE: InstructionTraps = { codes: ["table_out_of_bounds"] };
const STRUCT: InstructionTraps = { codes: ["null_reference"], nullDetail: "null structure reference" };
const ARRAY: InstructionTraps = { codes: ["null_reference", "array_out_of_bounds"], nullDetail: "null array reference" };
const ARRAY_SEGMENT: InstructionTraps = {
  codes: ["null_reference", "array_out_of_bounds", "memory_out_of_bounds", "table_out_of_bounds"],
  nullDetail: "null array reference",
};
const FUNCTION_REF: InstructionTraps = { codes: ["null_reference"], nullDetail: "null function reference" };
const INDIRECT: InstructionTraps = { codes: ["bad_signature", "indirect_call_to_null", "table_out_of_bounds"] };
const TRUNC: InstructionTraps = { codes: ["bad_conversion_to_integer", "integer_overflow"] };

/** The traps of an instruction, by its name; `undefined` for instructions that cannot trap. */
export function instructionTraps(name: string): InstructionTraps | undefined {
  switch (name) {
    case "unreachable": return { codes: ["unreachable"] };
    case "i32.div_s": case "i64.div_s": return { codes: ["integer_division_by_zero", "integer_overflow"] };
    case "i32.div_u": case "i64.div_u": case "i32.rem_s": case "i64.rem_s": case "i32.rem_u": case "i64.rem_u":
      return { codes: ["integer_division_by_zero"] };
    case "call_indirect": case "return_call_indirect": return INDIRECT;
    case "call_ref": case "return_call_ref": return FUNCTION_REF;
    case "ref.as_non_null": return { codes: ["null_reference"] };
    case "throw_ref": return { codes: ["null_reference"], nullDetail: "null exception reference" };
    case "i31.get_s": case "i31.get_u": return { codes: ["null_reference"], nullDetail: "null i31 reference" };
    case "ref.cast": case "ref.cast_null": return { codes: ["cast_failure"] };
    case "memory.fill": case "memory.copy": case "memory.init": return MEMORY;
    case "table.get": case "table.set": case "table.fill": case "table.copy": case "table.init": return TABLE;
    case "array.new": case "array.new_default": case "array.new_fixed": return { codes: ["allocation_too_large"] };
    case "array.new_data": case "array.new_elem": case "array.init_data": case "array.init_elem": return ARRAY_SEGMENT;
  }
  if (name === "struct.new" || name === "struct.new_default") return undefined;
  if (name.startsWith("struct.")) return STRUCT;
  if (name.startsWith("array.")) return ARRAY;
  if (/^i(32|64)\.trunc_f(32|64)_[su]$/.test(name)) return TRUNC;
  if (/\.atomic\.|^memory\.atomic/.test(name)) return ATOMIC;
  if (/^(?:[if](32|64)|v128)\.(load|store)/.test(name)) return MEMORY;
  return undefined;
}

/**
 * The function body of `info` holding the binary offset `offset` (where a trap's frame points), or
 * `undefined` when no body does. Bodies are in offset order: a binary search.
 */
export function bodyAt(info: ModuleInfo, offset: number): FunctionBody | undefined {
  const code = info.code;
  let lo = 0;
  let hi = code.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (code[mid]!.codeOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const body = code[lo];
  return body && offset >= body.codeOffset && offset < body.codeOffset + body.code.length ? body : undefined;
}
