/**
 * Validation of canonical definitions (`canon`): lifting and lowering (the core signature the
 * Canonical ABI's flattening fixes, and the options each needs), resource built-ins, and the async,
 * thread and error-context built-ins (index checks and their core signatures).
 *
 * @module
 */
import type { ComponentFuncType } from "../types.js";
import type { CanonDef, CanonOption } from "./ast.js";
import { formatFuncSig, sameFuncSig, type CoreFuncSig } from "./core-sigs.js";
import { flatLength, flattenFuncType, needsMemory } from "./flatten.js";
import type { Scope } from "./validate.js";

/** The prefix of the reason of a `CompileError` for a feature wasmhost does not implement. */
export const UNSUPPORTED = "unsupported:";

export function checkCanon(v: Scope, c: CanonDef): void {
  const s = v.spaces;
  switch (c.kind) {
    case "lift": {
      const core = v.get(s.coreFuncs, c.func!, "core function");
      const t = v.get(s.types, c.type!, "type");
      if (t.kind !== "func") v.fail(`type index ${c.type} is not a function type`);
      const ft = t.type;
      const opts = checkOptions(v, c.options ?? [], "lift");
      const async = opts.async;
      if (!async) {
        const expected = flattenFuncType(ft, "lift", opts.memory64 ? "i64" : "i32");
        if (!sameFuncSig(core, expected)) {
          v.fail(`lowered function type \`${formatFuncSig(expected)}\` does not match the core function's type \`${formatFuncSig(core)}\``);
        }
        const paramsNeed = ft.params.some((p) => needsMemory(p.type)) || countFlat(ft) > 16;
        const resultNeeds = ft.result !== undefined && (needsMemory(ft.result) || countFlatResult(ft) > 1);
        if ((paramsNeed || resultNeeds) && opts.memory === undefined) v.fail("canonical option `memory` is required");
        if (paramsNeed && opts.realloc === undefined) v.fail("canonical option `realloc` is required");
        if (opts.postReturn !== undefined) {
          const pr = v.get(s.coreFuncs, opts.postReturn, "core function");
          if (!sameFuncSig(pr, { params: expected.results, results: [] })) v.fail("canonical option `post-return` uses a core function with an incorrect signature");
        }
      } else if (opts.postReturn !== undefined) {
        v.fail("cannot specify post-return function in async");
      }
      s.funcs.push(ft);
      return;
    }
    case "lower": {
      const ft = v.get(s.funcs, c.func!, "func");
      const opts = checkOptions(v, c.options ?? [], "lower");
      if (opts.postReturn !== undefined) v.fail("canonical option `post-return` is not allowed in `canon lower`");
      const flat = flattenFuncType(ft, "lower", opts.memory64 ? "i64" : "i32");
      const paramsNeed = ft.params.some((p) => needsMemory(p.type)) || countFlat(ft) > 16;
      const resultNeeds = ft.result !== undefined && (needsMemory(ft.result) || countFlatResult(ft) > 1);
      if ((paramsNeed || resultNeeds) && opts.memory === undefined) v.fail("canonical option `memory` is required");
      if (ft.result !== undefined && needsMemory(ft.result) && opts.realloc === undefined) v.fail("canonical option `realloc` is required");
      s.coreFuncs.push(opts.async ? { params: flat.params, results: ["i32"] } : flat);
      return;
    }
    case "resource.new":
    case "resource.rep":
    case "resource.drop":
    case "resource.drop async": {
      const t = v.get(s.types, c.type!, "type");
      if (t.kind !== "resource") v.fail(`type index ${c.type} is not a resource type`);
      if (c.kind !== "resource.drop" && c.kind !== "resource.drop async" && !v.definedResources.has(t.type)) {
        v.fail(`type index ${c.type} is not a local resource`);
      }
      const rep = t.rep ?? "i32";
      s.coreFuncs.push(
        c.kind === "resource.drop" || c.kind === "resource.drop async" ? { params: ["i32"], results: [] }
          : c.kind === "resource.new" ? { params: [rep], results: ["i32"] } : { params: ["i32"], results: [rep] },
      );
      return;
    }
    default:
      checkBuiltin(v, c);
  }
}

/** The async, thread and error-context built-ins: index checks and their core signature. */
function checkBuiltin(v: Scope, c: CanonDef): void {
  const s = v.spaces;
  if (c.type !== undefined) v.get(s.types, c.type, "type");
  if (c.memory !== undefined) v.get(s.coreMemories, c.memory, "core memory");
  if (c.table !== undefined) v.get(s.coreTables, c.table, "core table");
  if (c.coreType !== undefined) v.get(s.coreTypes, c.coreType, "core type");
  if (c.options) checkOptions(v, c.options, "lower");
  if (c.result !== undefined && c.result !== null) v.valType(c.result);
  if (c.kind === "context.get" || c.kind === "context.set") {
    const t = c.valType ?? "i32";
    if (t !== "i32" && t !== "i64") v.fail("context slots hold `i32` or `i64`");
    // Slots belong to the component instance: one width per slot within a component.
    const prev = v.contextTypes.get(c.index ?? 0);
    if (prev !== undefined && prev !== t) v.fail("type must match previous context type");
    v.contextTypes.set(c.index ?? 0, t);
    s.coreFuncs.push(c.kind === "context.get" ? { params: [], results: [t] } : { params: [t], results: [] });
    return;
  }
  if (c.kind === "task.return") {
    const result = c.result === undefined || c.result === null ? undefined : v.valType(c.result);
    const flat = flattenFuncType({ params: result ? [{ name: "r", type: result }] : [] }, "lower");
    s.coreFuncs.push({ params: flat.params, results: [] });
    return;
  }
  let sig = BUILTIN_SIGS[c.kind] ?? { params: [], results: [] };
  if ((c.kind === "waitable-set.wait" || c.kind === "waitable-set.poll") && c.memory !== undefined && s.coreMemories[c.memory]!.memory64) {
    sig = { params: ["i32", "i64"], results: ["i32"] };
  }
  s.coreFuncs.push(sig);
}

function checkOptions(v: Scope, options: readonly CanonOption[], context: "lift" | "lower") {
  let encoding: string | undefined;
  let memory: number | undefined;
  let realloc: number | undefined;
  let postReturn: number | undefined;
  let callback: number | undefined;
  let async = false;
  let memory64 = false;
  for (const o of options) {
    if (o.kind !== "memory") continue;
    const m = v.get(v.spaces.coreMemories, o.index, "core memory");
    if (m.shared) v.fail("mismatch in the shared flag for memories: canonical option `memory` cannot be shared");
    if (m.memory64 && v.options.features?.cm64 === false) v.fail("64-bit memories require the `cm64` feature to be enabled");
    memory64 = m.memory64;
  }
  for (const o of options) {
    switch (o.kind) {
      case "utf8": case "utf16": case "latin1+utf16":
        if (encoding !== undefined) v.fail(`canonical encoding option \`${o.kind}\` conflicts with option \`${encoding}\``);
        encoding = o.kind;
        break;
      case "memory": {
        if (memory !== undefined) v.fail("canonical option `memory` is specified more than once");
        memory = o.index;
        break;
      }
      case "realloc": {
        if (realloc !== undefined) v.fail("canonical option `realloc` is specified more than once");
        const f = v.get(v.spaces.coreFuncs, o.index, "core function");
        realloc = o.index;
        const p = memory64 ? "i64" : "i32";
        if (!sameFuncSig(f, { params: [p, p, p, p], results: [p] })) v.fail("canonical option `realloc` uses a core function with an incorrect signature");
        break;
      }
      case "post-return":
        if (postReturn !== undefined) v.fail("canonical option `post-return` is specified more than once");
        if (context === "lower") v.fail("canonical option `post-return` is not allowed in `canon lower`");
        v.get(v.spaces.coreFuncs, o.index, "core function");
        postReturn = o.index;
        break;
      case "async":
        if (async) v.fail("canonical option `async` is specified more than once");
        async = true;
        break;
      case "callback":
        if (callback !== undefined) v.fail("canonical option `callback` is specified more than once");
        v.get(v.spaces.coreFuncs, o.index, "core function");
        callback = o.index;
        break;
      case "core-type":
        v.get(v.spaces.coreTypes, o.index, "core type");
        break;
      case "gc":
        // The GC-based canonical ABI (a separate proposal) lowers to GC types; neither validation
        // nor the runtime implements it.
        v.fail(`${UNSUPPORTED} the \`gc\` canonical option (GC-based canonical ABI)`);
    }
  }
  if (callback !== undefined && !async) v.fail("cannot specify callback without async");
  if (callback !== undefined && context === "lower") v.fail("cannot specify callback in `canon lower`");
  if (realloc !== undefined && memory === undefined) v.fail("canonical option `memory` is required");
  return { encoding, memory, realloc, postReturn, callback, async, memory64 };
}


const BUILTIN_SIGS: Readonly<Record<string, CoreFuncSig>> = {
  "backpressure.inc": { params: [], results: [] },
  "backpressure.dec": { params: [], results: [] },
  "backpressure.set": { params: ["i32"], results: [] },
  "task.cancel": { params: [], results: [] },
  "subtask.cancel": { params: ["i32"], results: ["i32"] },
  "subtask.drop": { params: ["i32"], results: [] },
  "stream.new": { params: [], results: ["i64"] },
  "future.new": { params: [], results: ["i64"] },
  "stream.read": { params: ["i32", "i32", "i32"], results: ["i32"] },
  "stream.write": { params: ["i32", "i32", "i32"], results: ["i32"] },
  "future.read": { params: ["i32", "i32"], results: ["i32"] },
  "future.write": { params: ["i32", "i32"], results: ["i32"] },
  "stream.cancel-read": { params: ["i32"], results: ["i32"] },
  "stream.cancel-write": { params: ["i32"], results: ["i32"] },
  "future.cancel-read": { params: ["i32"], results: ["i32"] },
  "future.cancel-write": { params: ["i32"], results: ["i32"] },
  "stream.drop-readable": { params: ["i32"], results: [] },
  "stream.drop-writable": { params: ["i32"], results: [] },
  "future.drop-readable": { params: ["i32"], results: [] },
  "future.drop-writable": { params: ["i32"], results: [] },
  "error-context.new": { params: ["i32", "i32"], results: ["i32"] },
  "error-context.debug-message": { params: ["i32", "i32"], results: [] },
  "error-context.drop": { params: ["i32"], results: [] },
  "waitable-set.new": { params: [], results: ["i32"] },
  "waitable-set.wait": { params: ["i32", "i32"], results: ["i32"] },
  "waitable-set.poll": { params: ["i32", "i32"], results: ["i32"] },
  "waitable-set.drop": { params: ["i32"], results: [] },
  "waitable.join": { params: ["i32", "i32"], results: [] },
  "thread.index": { params: [], results: ["i32"] },
  "thread.new-indirect": { params: ["i32", "i32"], results: ["i32"] },
  "thread.resume-later": { params: ["i32"], results: [] },
  "thread.suspend": { params: [], results: ["i32"] },
  "thread.yield": { params: [], results: ["i32"] },
  "thread.suspend-then-resume": { params: ["i32"], results: ["i32"] },
  "thread.yield-then-resume": { params: ["i32"], results: ["i32"] },
  "thread.suspend-then-promote": { params: ["i32"], results: ["i32"] },
  "thread.yield-then-promote": { params: ["i32"], results: ["i32"] },
  "thread.available-parallelism": { params: [], results: ["i32"] },
};

/** Flat parameter count, capped just past the spilling limit. */
function countFlat(ft: ComponentFuncType): number {
  return flatLength(ft.params.map((p) => p.type), 17);
}

/** Flat result count, capped just past the limit of one. */
function countFlatResult(ft: ComponentFuncType): number {
  return ft.result ? flatLength([ft.result], 2) : 0;
}

