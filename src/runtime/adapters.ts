/**
 * Signature-specialized adapters for the host boundary, generated as code.
 *
 * The engine optimizes `typeof x !== "number"` against a literal into a cheap type check, but not a
 * comparison with a type name held in a variable; a generic adapter therefore costs several times
 * more per call than the call itself. So for each signature we generate the adapter's source with
 * literal checks and compile it once (cached by signature). Where code generation is forbidden
 * (a browser page with a strict Content-Security-Policy), `compileAdapter` returns `undefined` and the
 * callers use their generic closures instead.
 *
 * Only the shape of the code depends on the signature; every value (the target function, the error
 * helpers) is passed in as an argument, never spliced into the source.
 *
 * @module
 */
import { formatValType, formatValTypes, type ValType } from "../types.js";

type Factory = (...deps: unknown[]) => (...args: unknown[]) => unknown;

const cache = new Map<string, Factory | null>();

function compile(key: string, params: string[], body: string): Factory | undefined {
  let factory = cache.get(key);
  if (factory === undefined) {
    try {
      factory = new Function(...params, `"use strict";\n${body}`) as Factory;
    } catch {
      factory = null; // code generation is not allowed here
    }
    cache.set(key, factory);
  }
  return factory ?? undefined;
}

/** The `typeof` a parameter of type `t` must have, or undefined when any value is accepted. */
function jsCheck(t: ValType): string | undefined {
  return t === "i64" ? "bigint" : t === "i32" || t === "f32" || t === "f64" ? "number" : undefined;
}

/**
 * A host -> wasm adapter: `function (a0, ..., an) { checks; try { return target(...) } catch (e) {
 * throw toTrap(e) } }`. `bad(arguments)` is called when the count or a type is wrong and must throw.
 * Only for parameters without conversions (numbers, bigints, externref).
 */
export function hostToWasmAdapter(
  params: readonly ValType[],
  target: (...args: unknown[]) => unknown,
  toTrap: (e: unknown) => unknown,
  bad: (args: IArguments) => never,
): ((...args: unknown[]) => unknown) | undefined {
  const names = params.map((_, i) => `a${i}`);
  const checks = [`arguments.length !== ${params.length}`];
  params.forEach((p, i) => {
    const js = jsCheck(p);
    if (js) checks.push(`typeof a${i} !== "${js}"`);
  });
  const key = `h2w:${formatValTypes(params)}`;
  const factory = compile(
    key,
    ["target", "toTrap", "bad"],
    `return function (${names.join(", ")}) {\n` +
      `  if (${checks.join(" || ")}) bad(arguments);\n` +
      `  try { return target(${names.join(", ")}); } catch (e) { throw toTrap(e); }\n};`,
  );
  return factory?.(target, toTrap, bad);
}

/**
 * A wasm -> host adapter for a host function with at most one result: calls `fn(caller, ...)`, checks
 * the result's type with a literal `typeof`, and lets `noteError` see an error leaving the host code.
 * `badResult(r)` must throw. Only for parameters without conversions (no funcref).
 */
export function wasmToHostAdapter(
  params: readonly ValType[],
  result: ValType | undefined,
  fn: (...args: unknown[]) => unknown,
  caller: unknown,
  noteError: (e: unknown) => unknown,
  badResult: (r: unknown) => never,
): ((...args: unknown[]) => unknown) | undefined {
  const names = params.map((_, i) => `a${i}`);
  const call = `fn(${["caller", ...names].join(", ")})`;
  const js = result === undefined ? undefined : jsCheck(result);
  let body: string;
  if (result === undefined) body = `${call}; return undefined;`;
  else if (js) body = `const r = ${call}; if (typeof r !== "${js}") badResult(r); return r;`;
  else if (result === "externref") body = `return ${call};`;
  else return undefined; // funcref results need conversion: the generic path handles them
  const key = `w2h:${formatValTypes(params)}->${result === undefined ? "" : formatValType(result)}`;
  const factory = compile(
    key,
    ["fn", "caller", "noteError", "badResult"],
    `return function (${names.join(", ")}) {\n  try { ${body} } catch (e) { throw noteError(e); }\n};`,
  );
  return factory?.(fn, caller, noteError, badResult);
}
