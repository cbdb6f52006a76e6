/**
 * The host's entry into a lifted function, generated as code per function type: `exports.add(1, 2)`
 * checks its arguments with literal `typeof`/integer tests, converts scalars inline, calls the core
 * function with explicit arguments and lifts a scalar result inline; compound parameters and results
 * go through their compiled lowerers and lifters (`lower.ts`, `lift.ts`). Nothing is allocated per
 * call beyond what the values themselves need.
 *
 * Only the shape of the code depends on the type; every value is passed in as an argument. Where code
 * generation is forbidden (a strict Content-Security-Policy) `generateEntry` returns undefined and the
 * caller uses the closure path (`ComponentFuncImpl.invoke`), which does the same work generically.
 *
 * @module
 */
import type { ComponentFuncType, PrimitiveKind, ValueType } from "../types.js";
import type { AbiContext } from "./context.js";
import type { InstanceState } from "./handles.js";
import { layoutOf } from "./layout.js";
import { lifterOf } from "./lift.js";
import { lowererOf } from "./lower.js";
import { abiTrap, cannotEnter } from "./traps.js";
import { toTypeError } from "./values.js";

/**
 * Checks of scalar values, given the value's name: true when the value does not fit. (64-bit ranges
 * are compared with literals: `BigInt.asUintN(64, a) !== a` can allocate a BigInt per check.)
 */
export const SCALAR_CHECKS: Partial<Record<PrimitiveKind, (a: string) => string>> = {
  bool: (a) => `typeof ${a} !== "boolean"`,
  u8: (a) => `(${a} & 0xff) !== ${a}`,
  s8: (a) => `((${a} << 24) >> 24) !== ${a}`,
  u16: (a) => `(${a} & 0xffff) !== ${a}`,
  s16: (a) => `((${a} << 16) >> 16) !== ${a}`,
  u32: (a) => `(${a} >>> 0) !== ${a}`,
  s32: (a) => `(${a} | 0) !== ${a}`,
  u64: (a) => `typeof ${a} !== "bigint" || ${a} < 0n || ${a} > 0xffffffffffffffffn`,
  s64: (a) => `typeof ${a} !== "bigint" || ${a} < -0x8000000000000000n || ${a} > 0x7fffffffffffffffn`,
  f32: (a) => `typeof ${a} !== "number"`,
  f64: (a) => `typeof ${a} !== "number"`,
};

/** Inline lifting of a scalar core result `r`. */
const SCALAR_RESULTS: Partial<Record<PrimitiveKind, string>> = {
  bool: `r !== 0`,
  u8: `r & 0xff`,
  s8: `(r << 24) >> 24`,
  u16: `r & 0xffff`,
  s16: `(r << 16) >> 16`,
  u32: `r >>> 0`,
  s32: `r | 0`,
  u64: `BigInt.asUintN(64, r)`,
  s64: `r`,
  f32: `(r === r ? r : NaN)`,
  f64: `(r === r ? r : NaN)`,
};

function hasHandles(t: ValueType | undefined): boolean {
  if (t === undefined) return false;
  switch (t.kind) {
    case "own":
    case "borrow":
    case "stream":
    case "future":
    case "error-context":
      return true;
    case "list":
      return hasHandles(t.element);
    case "record":
      return t.fields.some((f) => hasHandles(f.type));
    case "tuple":
      return t.types.some(hasHandles);
    case "variant":
      return t.cases.some((c) => hasHandles(c.type));
    case "option":
      return hasHandles(t.type);
    case "result":
      return hasHandles(t.ok) || hasHandles(t.err);
    case "map":
      return hasHandles(t.key) || hasHandles(t.value);
    default:
      return false;
  }
}

/** Whether `generateEntry` can make a fast entry for a function of this type. */
export function entryApplies(type: ComponentFuncType, paramsInMemory: boolean, isAsync: boolean, selfOnly: boolean): boolean {
  return selfOnly && !isAsync && !paramsInMemory && !type.params.some((p) => hasHandles(p.type)) && !hasHandles(type.result);
}

/** What a generated entry works with. */
export interface EntryParts {
  readonly name: string;
  readonly type: ComponentFuncType;
  readonly instance: InstanceState;
  /** The host context of the function (HOST messages, `utf16` source). */
  readonly cx: AbiContext;
  /** The core function: the engine's function when no call hooks apply. */
  readonly core: (...flat: unknown[]) => unknown;
  readonly toTrap: (e: unknown) => unknown;
  readonly postReturn: ((...flat: unknown[]) => unknown) | undefined;
  readonly resultInMemory: boolean;
  /** `result<T, E>` results return `T` or throw `makeError(E)`. */
  readonly unwrap: ((payload: unknown) => Error) | undefined;
}

type Factory = (...deps: unknown[]) => (...args: unknown[]) => unknown;
const factories = new Map<string, Factory | null>();

/** The generated entry for a function of `parts.type`, or undefined where code generation is forbidden. */
export function generateEntry(parts: EntryParts): ((...args: unknown[]) => unknown) | undefined {
  const { type } = parts;
  const n = type.params.length;
  const names = type.params.map((_, i) => `a${i}`);
  const checks: string[] = [];
  const lowering: string[] = [];
  const coreArgs: string[] = [];
  let flatAt = 0;
  let usesMemory = false;
  type.params.forEach((p, i) => {
    const check = SCALAR_CHECKS[p.type.kind as PrimitiveKind];
    if (check !== undefined) {
      checks.push(`if (${check(`a${i}`)}) bad(${i}, a${i});`);
      coreArgs.push(p.type.kind === "bool" ? `(a${i} ? 1 : 0)` : `a${i}`);
      flatAt++;
      return;
    }
    usesMemory = true;
    lowering.push(`try { L[${i}](cx, a${i}, flat, ${flatAt}); } catch (e) { throw toTypeError(e, where[${i}]); }`);
    const width = layoutOf(p.type).flat.length;
    for (let k = 0; k < width; k++) coreArgs.push(`flat[${flatAt + k}]`);
    flatAt += width;
  });
  const result = type.result;
  let lift = "";
  let value = "undefined";
  if (result !== undefined) {
    const inline = parts.resultInMemory ? undefined : SCALAR_RESULTS[result.kind as PrimitiveKind];
    if (inline !== undefined) value = inline;
    else if (parts.resultInMemory) {
      const l = layoutOf(result);
      lift =
        `cx.sync(); const p = r >>> 0;\n` +
        `    if ((p & ${l.align - 1}) !== 0) throw abiTrap(cx.messages.pointerAlign);\n` +
        `    if (p + ${l.size} > cx.u8.length) throw abiTrap(cx.messages.pointerBounds);\n` +
        `    const v = R.load(cx, p);`;
      value = "v";
    } else {
      lift = `cx.sync(); scratch[0] = r; const v = R.flat(cx, scratch, 0);`;
      value = "v";
    }
  }
  const post = parts.postReturn === undefined ? "" : result === undefined ? `postReturn();` : `postReturn(r);`;
  const ret = parts.unwrap !== undefined ? `const out = ${value}; if (out.tag === "err") throw unwrap(out.val); return out.val;` : `return ${value};`;
  const body =
    `return function (${names.join(", ")}) {\n` +
    `  if (arguments.length !== ${n}) badCount(arguments.length);\n` +
    `  if (!inst.mayEnter || inst.poisoned) throw cannotEnter();\n` +
    (checks.length ? `  ${checks.join("\n  ")}\n` : "") +
    `  inst.mayEnter = false;\n` +
    `  let entered = false;\n` +
    `  try {\n` +
    (usesMemory ? `    cx.sync();\n    ${lowering.join("\n    ")}\n` : "") +
    `    entered = true;\n` +
    `    const r = core(${coreArgs.join(", ")});\n` +
    (lift ? `    ${lift}\n` : "") +
    (post ? `    inst.mayLeave = false;\n    try { ${post} } finally { inst.mayLeave = true; }\n` : "") +
    `    ${ret}\n` +
    `  } catch (e) {\n` +
    `    if (entered || !(e instanceof TypeError)) inst.poisoned = true;\n` +
    `    throw toTrap(e);\n` +
    `  } finally {\n` +
    `    inst.mayEnter = true;\n` +
    `  }\n` +
    `};`;
  let factory = factories.get(body);
  if (factory === undefined) {
    try {
      factory = new Function(
        "inst", "cx", "core", "toTrap", "postReturn", "L", "R", "flat", "scratch", "where", "bad", "badCount",
        "toTypeError", "abiTrap", "cannotEnter", "unwrap",
        `"use strict";\n${body}`,
      ) as Factory;
    } catch {
      factory = null; // code generation is not allowed here
    }
    factories.set(body, factory);
  }
  if (factory === null) return undefined;
  const lowerers = type.params.map((p) => lowererOf(p.type).flat);
  const where = type.params.map((_, i) => `${parts.name}: arg ${i}`);
  const bad = (i: number, v: unknown): never => {
    try {
      lowererOf(type.params[i]!.type).flat(parts.cx, v, [], 0);
    } catch (e) {
      throw toTypeError(e, where[i]!);
    }
    throw new TypeError(`${where[i]}: bad argument`);
  };
  const badCount = (got: number): never => {
    throw new TypeError(`${parts.name}: expected ${n} argument${n === 1 ? "" : "s"}, got ${got}`);
  };
  return factory(
    parts.instance, parts.cx, parts.core, parts.toTrap, parts.postReturn, lowerers,
    result === undefined ? undefined : lifterOf(result), new Array<unknown>(flatAt), [undefined], where, bad, badCount,
    toTypeError, abiTrap, cannotEnter, parts.unwrap,
  );
}
