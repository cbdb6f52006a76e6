/**
 * A guest's call into a host function, generated as code per function type (the `canon lower` of a
 * host function; `entry.ts` is the opposite direction). The engine calls the generated function with
 * explicit flat parameters; scalars are lifted inline (`p0 >>> 0`), compound parameters through their
 * compiled lifters (`lift.ts`) from one reused array; the host function is called with explicit
 * arguments (a resource method as `self[member](...)`); a `result<T, E>` result is stored straight at
 * the result pointer: `ok` from the returned value, `err` from a thrown `ComponentError`'s payload,
 * with no `{ tag, val }` object in between. Nothing is allocated per call beyond what the values
 * themselves need.
 *
 * A host function may also ask for its `list<u8>` parameters as views of the guest's memory instead of
 * copies (`HostTarget.lendBytes`): the view is valid during the call only, which the WASI host (its
 * writes copy the bytes into a file or pipe at once) is written for.
 *
 * Only the shape of the code depends on the type; every value is passed in as an argument. Where code
 * generation is forbidden (a strict Content-Security-Policy) `generateHostCall` returns undefined and
 * the caller keeps the closure path of `lowerFunction`, which does the same work generically.
 *
 * @module
 */
import type { ComponentFuncType, PrimitiveKind, ValueType } from "../types.js";
import type { AbiContext } from "./context.js";
import type { CallScope, InstanceState } from "./handles.js";
import { layoutOf, MAX_BYTE_LENGTH, variantLayoutOf } from "./layout.js";
import { lifterOf } from "./lift.js";
import { lowererOf } from "./lower.js";
import { abiTrap, cannotLeave, MESSAGES } from "./traps.js";
import { toTypeError, ValueError } from "./values.js";
import { SCALAR_CHECKS } from "./entry.js";

/** How a host function is called, for the generated lowering. */
export interface HostTarget {
  /** The function taking the lifted arguments (for a method: the resource object first). */
  readonly fn: (...args: unknown[]) => unknown;
  /** For a resource method: the member called on the first argument with the others (`fn` is not used). */
  readonly method?: string | undefined;
  /** Whether an error thrown by the function is the `err` case of its `result` (its `payload`). */
  readonly isError: (e: unknown) => e is { payload: unknown };
  /** `list<u8>` parameters arrive as views of guest memory, valid during the call only. */
  readonly lendBytes?: boolean | undefined;
}

/** Inline lifting of a scalar flat parameter `p`. */
const SCALAR_LIFTS: Partial<Record<PrimitiveKind, (p: string) => string>> = {
  bool: (p) => `${p} !== 0`,
  u8: (p) => `${p} & 0xff`,
  s8: (p) => `(${p} << 24) >> 24`,
  u16: (p) => `${p} & 0xffff`,
  s16: (p) => `(${p} << 16) >> 16`,
  u32: (p) => `${p} >>> 0`,
  s32: (p) => `${p} | 0`,
  u64: (p) => `BigInt.asUintN(64, ${p})`,
  s64: (p) => `${p}`,
  f32: (p) => `(${p} === ${p} ? ${p} : NaN)`,
  f64: (p) => `(${p} === ${p} ? ${p} : NaN)`,
};

/** What a generated host call works with. */
export interface HostCallParts {
  readonly name: string;
  readonly type: ComponentFuncType;
  readonly target: HostTarget;
  readonly instance: InstanceState;
  /** The lowered function's own context (its sourceEncoding already set for the results). */
  readonly cx: AbiContext;
  readonly scope: CallScope;
  /** Whether the result is stored at a result pointer (the extra last parameter). */
  readonly resultInMemory: boolean;
  /** The generic lowered function, for a call that finds the context busy (a nested call). */
  readonly slow: (...flat: unknown[]) => unknown;
}

type Factory = (...deps: unknown[]) => (...flat: unknown[]) => unknown;
/**
 * The compiled factories, by function name, then by body. Looked up once per lowered host function of
 * every instantiation: a key of name and body together (a fresh string of a kilobyte or two) cost a
 * hash of all of it per lookup, the largest part of `generateHostCall`; the short name is hashed, and
 * the body compared with the few bodies of that name (usually one), which reads no more than equality.
 */
const factories = new Map<string, { readonly body: string; readonly factory: Factory | null }[]>();

function isBytes(t: ValueType): boolean {
  return t.kind === "list" && t.length === undefined && t.element.kind === "u8";
}

/** What a generated host call of one function type and name is made of: the same for every instance. */
interface HostCallPlan {
  readonly factory: Factory;
  readonly lifters: readonly unknown[];
  readonly tmpSize: number;
  readonly okStore: unknown;
  readonly errStore: unknown;
  readonly resultStore: unknown;
  readonly resultFlat: unknown;
}

/**
 * Plans by function type object, then by name and how it is called. Type objects are shared by the
 * instantiations of a component (runtime/resolve.ts), so the code of a component's host calls is
 * put together once, not per instantiation; `null` where code generation is forbidden.
 */
const plans = new WeakMap<ComponentFuncType, Map<string, HostCallPlan | null>>();

/** The generated lowering of a host call, or undefined where code generation is forbidden. */
export function generateHostCall(parts: HostCallParts): ((...flat: unknown[]) => unknown) | undefined {
  const { type, target } = parts;
  let byName = plans.get(type);
  if (byName === undefined) plans.set(type, (byName = new Map()));
  const key = `${target.method !== undefined ? "m" : "f"}${target.lendBytes === true ? "l" : "c"}${parts.resultInMemory ? "r" : "v"}${parts.name}`;
  let plan = byName.get(key);
  if (plan === undefined) byName.set(key, (plan = planHostCall(parts)));
  if (plan === null) return undefined;
  const { cx, name } = parts;
  const resultFlat = plan.resultFlat;
  /** A `list<u8>` as a view of guest memory, after `load_list_from_range`'s checks. */
  const bytes = (ptr: number, len: number): Uint8Array => {
    const u8 = cx.u8;
    if (len > MAX_BYTE_LENGTH && ptr + len <= u8.length) throw abiTrap(MESSAGES.listTooLong);
    if (ptr + len > u8.length) throw abiTrap(cx.messages.listBounds);
    return u8.subarray(ptr, ptr + len);
  };
  const resultError = (e: unknown, step: string): unknown =>
    toTypeError(e instanceof ValueError && step !== "" ? e.within(step) : e, `${name}: result`);
  /** A scalar result that does not fit: the lowerer's own `TypeError`. */
  const badResult = (v: unknown): never => {
    try {
      (resultFlat as (c: AbiContext, x: unknown, o: unknown[], at: number) => void)(cx, v, [], 0);
    } catch (e) {
      throw resultError(e, "");
    }
    throw new TypeError(`${name}: result: bad value`);
  };
  return plan.factory(
    parts.instance, cx, parts.scope, parts.slow, target.fn, target.method, target.isError, plan.lifters,
    new Array<unknown>(plan.tmpSize), bytes, plan.okStore, plan.errStore, plan.resultStore, resultFlat, [undefined], resultError, abiTrap, cannotLeave, badResult,
  );
}

/** Puts together the code of a host call (see `HostCallPlan`), or null where code generation is forbidden. */
function planHostCall(parts: HostCallParts): HostCallPlan | null {
  const { type, target } = parts;
  const lines: string[] = [];
  const args: string[] = [];
  const flatNames: string[] = [];
  const lifters: unknown[] = [];
  let at = 0;
  let tmpSize = 0;
  type.params.forEach((p, i) => {
    const width = layoutOf(p.type).flat.length;
    const names = Array.from({ length: width }, (_, k) => `p${at + k}`);
    flatNames.push(...names);
    at += width;
    const scalar = SCALAR_LIFTS[p.type.kind as PrimitiveKind];
    if (scalar !== undefined) {
      args.push(scalar(names[0]!));
      return;
    }
    if (target.lendBytes === true && isBytes(p.type)) {
      lines.push(`const a${i} = bytes(${names[0]} >>> 0, ${names[1]} >>> 0);`);
      args.push(`a${i}`);
      return;
    }
    lifters[i] = lifterOf(p.type).flat;
    tmpSize = Math.max(tmpSize, width);
    lines.push(`${names.map((n, k) => `tmp[${k}] = ${n};`).join(" ")} const a${i} = L[${i}](cx, tmp, 0);`);
    args.push(`a${i}`);
  });
  const retptr = parts.resultInMemory ? "rp" : undefined;
  if (retptr !== undefined) flatNames.push(retptr);
  const call = target.method !== undefined
    ? `${args[0] ?? "undefined"}[member](${args.slice(1).join(", ")})`
    : `fn(${args.join(", ")})`;
  const result = type.result;
  const wraps = result?.kind === "result";
  let onOk = "return;";
  let onErr = "";
  let okStore: unknown;
  let errStore: unknown;
  let resultStore: unknown;
  let resultFlat: unknown;
  if (result !== undefined && parts.resultInMemory) {
    const l = layoutOf(result);
    const check =
      `cx.sync(); rp >>>= 0;\n` +
      `      if ((rp & ${l.align - 1}) !== 0) throw abiTrap(cx.messages.pointerAlign);\n` +
      `      if (rp + ${l.size} > cx.u8.length) throw abiTrap(cx.messages.pointerBounds);\n      `;
    if (wraps) {
      const v = variantLayoutOf(result);
      const disc = (d: number) => (v.discriminantSize === 1 ? `cx.u8[rp] = ${d};` : v.discriminantSize === 2 ? `cx.dv.setUint16(rp, ${d}, true);` : `cx.dv.setUint32(rp, ${d}, true);`);
      okStore = result.ok !== undefined ? lowererOf(result.ok).store : undefined;
      errStore = result.err !== undefined ? lowererOf(result.err).store : undefined;
      onOk = `try {\n      ${check}${disc(0)}${okStore ? ` okStore(cx, v, rp + ${v.payloadOffset});` : ""}\n    } catch (e) { throw resultError(e, ".val"); }\n    return;`;
      onErr = `try {\n      ${check}${disc(1)}${errStore ? ` errStore(cx, e.payload, rp + ${v.payloadOffset});` : ""}\n    } catch (e2) { throw resultError(e2, ".val"); }\n    return;`;
    } else {
      resultStore = lowererOf(result).store;
      onOk = `try {\n      ${check}resultStore(cx, v, rp);\n    } catch (e) { throw resultError(e, ""); }\n    return;`;
    }
  } else if (result !== undefined) {
    resultFlat = lowererOf(result).flat;
    const lowerFlat = (value: string) => `try { resultFlat(cx, ${value}, out, 0); } catch (e2) { throw resultError(e2, ""); }\n    return out[0];`;
    if (wraps) {
      onOk = lowerFlat(result.ok !== undefined ? `{ tag: "ok", val: v }` : `{ tag: "ok" }`);
      onErr = lowerFlat(result.err !== undefined ? `{ tag: "err", val: e.payload }` : `{ tag: "err" }`);
    } else onOk = lowerFlat("v");
  }
  // A function of scalars (clocks, random numbers) touches neither memory nor handles: no context.
  const scalarCheck = result === undefined ? undefined : SCALAR_CHECKS[result.kind as PrimitiveKind];
  const scalarOnly = lines.length === 0 && !parts.resultInMemory && (result === undefined || scalarCheck !== undefined);
  if (scalarOnly && result !== undefined) resultFlat = lowererOf(result).flat;
  const scalarResult = !scalarOnly ? "" : result === undefined ? "return;" : result.kind === "bool" ? `if (typeof v !== "boolean") badResult(v);\n  return v ? 1 : 0;`
    : `if (${scalarCheck!("v")}) badResult(v);\n  return ${result.kind === "f32" ? "Math.fround(v)" : "v"};`;
  const body = scalarOnly
    ? `return function (${flatNames.join(", ")}) {\n` +
      `  if (!inst.mayLeave) throw cannotLeave();\n` +
      `  const v = ${call};\n` +
      `  ${scalarResult}\n` +
      `};`
    : `return function (${flatNames.join(", ")}) {\n` +
    `  if (!inst.mayLeave) throw cannotLeave();\n` +
    `  if (cx.busy) return slow(${flatNames.join(", ")});\n` +
    `  cx.busy = true;\n` +
    `  cx.scope = scope;\n` +
    `  try {\n` +
    `    cx.sync();\n` +
    (lines.length ? `    ${lines.join("\n    ")}\n` : "") +
    (wraps
      ? `    let v;\n    try { v = ${call}; } catch (e) {\n      if (!isError(e)) throw e;\n      if (scope.lent !== 0) scope.releaseLenders();\n      ${onErr}\n    }\n`
      : `    const v = ${call};\n`) +
    `    if (scope.lent !== 0) scope.releaseLenders();\n` +
    `    ${onOk}\n` +
    `  } finally {\n` +
    `    if (scope.lent !== 0) scope.releaseLenders();\n` +
    `    cx.busy = false;\n` +
    `    cx.scope = undefined;\n` +
    `  }\n` +
    `};`;
  // One factory per function name too: the closures a factory makes share its type feedback, so
  // functions of one shape but different callees (every `borrow<descriptor>` method) would make each
  // other's calls polymorphic.
  let byBody = factories.get(parts.name);
  if (byBody === undefined) factories.set(parts.name, (byBody = []));
  let factory = byBody.find((f) => f.body === body)?.factory;
  if (factory === undefined) {
    try {
      factory = new Function(
        "inst", "cx", "scope", "slow", "fn", "member", "isError", "L", "tmp", "bytes", "okStore", "errStore",
        "resultStore", "resultFlat", "out", "resultError", "abiTrap", "cannotLeave", "badResult",
        `"use strict"; // ${parts.name.replace(/[\r\n\u2028\u2029]/g, " ")}\n${body}`,
      ) as Factory;
    } catch {
      factory = null; // code generation is not allowed here
    }
    byBody.push({ body, factory });
  }
  if (factory === null) return null;
  return { factory, lifters, tmpSize, okStore, errStore, resultStore, resultFlat };
}
