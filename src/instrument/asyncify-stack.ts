/**
 * The async rewrite's model of the operand stack (see `asyncify.ts`): the types of the values on it
 * between a block's start and a call that may suspend, which the rewrite keeps in locals across the
 * call. Tracked instruction by instruction at one block level; anything it cannot tell (an unknown
 * instruction, a type it cannot save) makes it give up (`null`), and the rewrite then refuses a
 * suspension point there.
 *
 * @module
 */
import type { ModuleInfo, ValueType } from "../binary/module-info.js";
import { funcTypeAt } from "../binary/module-info.js";
import { readLeb } from "./scan.js";

/** Value types the rewrite can save and restore (through the host), by type code. */
export const SAVABLE: Readonly<Record<string, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, funcref: 0x70, externref: 0x6f };
/** Value type names by type code (the inverse of `SAVABLE`). */
export const TYPE_NAME: Readonly<Record<number, string>> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x70: "funcref", 0x6f: "externref" };

/** What the stack model needs of the function being rewritten. */
export interface StackSite {
  readonly info: ModuleInfo;
  /** The module's bytes, and the offset of every instruction of the body in them (one more at the end). */
  readonly bytes: Uint8Array;
  readonly start: Int32Array;
  /** Type codes of every local, parameters first. */
  readonly localTypes: readonly number[];
  /** The parameter and result types of the call at instruction `i`. */
  callType(i: number): { params: readonly ValueType[]; results: readonly ValueType[] };
}

/** Whether instruction `name` leaves the stack polymorphic (`br`, `return`, `unreachable`...). */
export function endsStack(name: string): boolean {
  return plainEffect(name).ends === true;
}

/** How an instruction moves the operand stack at its own block level (nested blocks count as one). */
interface Effect {
  /** Values popped and pushed; NaN when unknown (the rewrite then refuses a suspension point after it). */
  readonly pop: number;
  readonly push: number;
  /** True for branches that leave the stack polymorphic (`br`, `return`, `unreachable`, ...). */
  readonly ends?: boolean;
}

const UNARY = /^(i32|i64|f32|f64)\.(eqz|clz|ctz|popcnt|abs|neg|sqrt|ceil|floor|trunc|nearest|wrap_i64|extend_i32_[su]|extend(8|16|32)_s|trunc_(sat_)?f(32|64)_[su]|convert_i(32|64)_[su]|demote_f64|promote_f32|reinterpret_[fi](32|64)|load(8|16|32)?(_[su])?)$/;
const BINARY = /^(i32|i64|f32|f64)\.(add|sub|mul|div(_[su])?|rem_[su]|and|or|xor|shl|shr_[su]|rotl|rotr|eq|ne|lt(_[su])?|gt(_[su])?|le(_[su])?|ge(_[su])?|min|max|copysign)$/;
const STORE = /^(i32|i64|f32|f64)\.store(8|16|32)?$/;

const effects = new Map<string, Effect>();

/** The effect of a plain instruction by name (calls and blocks are handled by the caller). */
function plainEffect(name: string): Effect {
  let e = effects.get(name);
  if (e === undefined) effects.set(name, (e = effectOf(name)));
  return e;
}

/** What a numeric or comparison instruction pushes, by name (undefined: not one). */
const numericResults = new Map<string, number | undefined>();

function numericResult(name: string): number | undefined {
  if (numericResults.has(name)) return numericResults.get(name);
  const code = name === "ref.is_null" || /\.(eqz|eq|ne|lt|gt|le|ge)(_[su])?$/.test(name) ? 0x7f : /^(i32|i64|f32|f64)\./.test(name) ? SAVABLE[name.slice(0, 3)] : undefined;
  numericResults.set(name, code);
  return code;
}

function effectOf(name: string): Effect {
  if (name.endsWith(".const") || name === "local.get" || name === "global.get" || name === "memory.size" || name === "ref.null" || name === "ref.func" || name === "table.size") return { pop: 0, push: 1 };
  if (UNARY.test(name) || name === "memory.grow" || name === "ref.is_null" || name === "table.get" || name === "local.tee") return { pop: 1, push: 1 };
  if (BINARY.test(name)) return { pop: 2, push: 1 };
  if (STORE.test(name) || name === "table.set") return { pop: 2, push: 0 };
  if (name === "local.set" || name === "global.set" || name === "drop" || name === "br_if") return { pop: 1, push: 0 };
  if (name === "select") return { pop: 3, push: 1 };
  if (name === "nop") return { pop: 0, push: 0 };
  if (name === "memory.fill" || name === "memory.copy" || name === "memory.init" || name === "table.copy" || name === "table.init" || name === "table.fill") return { pop: 3, push: 0 };
  if (name === "data.drop" || name === "elem.drop") return { pop: 0, push: 0 };
  if (name === "table.grow") return { pop: 2, push: 1 };
  if (name === "br" || name === "br_table" || name === "return" || name === "unreachable" || name === "throw" || name === "rethrow" || name === "throw_ref") return { pop: 0, push: 0, ends: true };
  return { pop: NaN, push: NaN };
}

/** The operand stack after a block (as a unit) that holds no site; `poly`: the stack is polymorphic below its known values. */
export function stackAfterBlock(f: StackSite, stack: number[] | null, i: number, name: string, poly: boolean): number[] | null {
  if (stack === null) return null;
  const bytes = f.bytes;
  const p = f.start[i]! + 1;
  const b = bytes[p]!;
  const rest = stack.slice(0, Math.max(0, stack.length - (name === "if" ? 1 : 0)));
  if (b === 0x40) return rest;
  if (TYPE_NAME[b] !== undefined) return [...rest, b];
  const t = funcTypeAt(f.info, readLeb(bytes, p, f.start[i + 1]!));
  if (!t || (t.params.length > rest.length && !poly)) return null;
  const out = rest.slice(0, Math.max(0, rest.length - t.params.length));
  for (const r of t.results) {
    const code = typeof r === "string" ? SAVABLE[r] : undefined;
    if (code === undefined) return null;
    out.push(code);
  }
  return out;
}

/** The operand stack after plain instruction `i` (null when the rewrite cannot tell); `poly` as for `stackAfterBlock`. */
export function stackAfterPlain(f: StackSite, stack: number[] | null, i: number, name: string, poly: boolean): number[] | null {
  if (stack === null) return null;
  let pushed: number[];
  if (name === "call" || name === "call_indirect") {
    const t = f.callType(i);
    if (stack.length < t.params.length && !poly) return null;
    stack.length = Math.max(0, stack.length - t.params.length);
    for (const r of t.results) {
      const code = typeof r === "string" ? SAVABLE[r] : undefined;
      if (code === undefined) return null;
      stack.push(code);
    }
    return stack;
  }
  const e = plainEffect(name);
  if (e.ends) return null;
  if (Number.isNaN(e.pop) || (stack.length < e.pop && !poly)) return null;
  if (e.push === 0) pushed = [];
  else if (name === "local.get" || name === "local.tee") {
    const code = f.localTypes[immediate(f, i)];
    if (code === undefined) return null;
    pushed = [code];
  } else if (name === "global.get") {
    const code = savableGlobalType(f.info, immediate(f, i));
    if (code === undefined) return null;
    pushed = [code];
  } else if (name === "select") {
    if (stack.length < 2) return null;
    pushed = [stack[stack.length - 2]!];
  } else if (name === "ref.func") {
    pushed = [0x70];
  } else if (name === "ref.null") {
    const heap = f.bytes[f.start[i]! + 1];
    if (heap !== 0x70 && heap !== 0x6f) return null;
    pushed = [heap];
  } else if (name === "memory.size" || name === "memory.grow" || name === "table.size" || name === "table.grow") {
    if (f.info.memories.some((m) => m.memory64) || f.info.imports.some((m) => m.kind === "memory" && m.type.memory64)) return null;
    pushed = [0x7f];
  } else {
    const code = numericResult(name);
    if (code === undefined) return null;
    pushed = [code];
  }
  // In place: the region owns its stack array.
  stack.length = Math.max(0, stack.length - e.pop);
  for (const c of pushed) stack.push(c);
  return stack;
}

/** The type code of global `g`, if the rewrite can save it. */
function savableGlobalType(info: ModuleInfo, g: number): number | undefined {
  let t: ValueType | undefined;
  if (g < info.importedGlobals) {
    let k = 0;
    for (const imp of info.imports) {
      if (imp.kind !== "global") continue;
      if (k++ === g) t = imp.type.content;
    }
  } else {
    t = info.globals[g - info.importedGlobals]?.type.content;
  }
  return typeof t === "string" ? SAVABLE[t] : undefined;
}

/** The first immediate of instruction `i` (a LEB128). */
function immediate(f: StackSite, i: number): number {
  return readLeb(f.bytes, f.start[i]! + 1, f.start[i + 1]!);
}
