/**
 * What `component new --adapt` needs to know about, and change in, an adapter's core module.
 *
 * - **Reachability** (`reachableFunctions`): which functions can run from a set of roots (the adapter
 *   exports the main module uses, the exports the component lifts, element segments, the start
 *   function). An adapter import that no reachable function calls is not imported by the component:
 *   it is satisfied by a stub that traps (it can never be called), so a program that only prints
 *   does not make its component import the file system. Nothing in the adapter is renumbered.
 * - **The adapter's stack** (`addStackAllocation`): an adapter built like the preview1 adapter has a
 *   shadow stack pointer `__stack_pointer` initialised to 0 and an `allocation_state` global, and
 *   expects its embedder to allocate the stack lazily (the protocol of `wit-component`: state 0 means
 *   not allocated, 1 allocating, 2 done). We append a function that does so, through the adapter's
 *   own `cabi_realloc` import (64 KiB, the stack pointer at its end), and call it first thing in every
 *   exported function. The function is appended after all others, so no index moves.
 *
 * @module
 */
import { concatBytes, u32Leb } from "../../binary/encoder.js";
import type { ModuleInfo } from "../../binary/module-info.js";
import { SectionId } from "../../binary/module-info.js";
import { CompileError } from "../../errors.js";
import { BodyScan, RefKind } from "../../instrument/scan.js";

/** The size of the stack given to an adapter that allocates one (as `wit-component` does: one page). */
export const ADAPTER_STACK_SIZE = 65536;

/** Every function reachable from `roots` (function indices, imported ones included). */
export function reachableFunctions(info: ModuleInfo, roots: Iterable<number>): Set<number> {
  const seen = new Set<number>();
  const work: number[] = [];
  const add = (f: number): void => {
    if (!seen.has(f)) {
      seen.add(f);
      work.push(f);
    }
  };
  const scan = new BodyScan();
  const scanRefs = (from: number, to: number): void => {
    scan.scan(info.bytes, from, to);
    for (let k = 0; k < scan.nrefs; k++) if (scan.refKind[k] === RefKind.func) add(scan.refValue[k]!);
  };
  for (const r of roots) add(r);
  if (info.start !== undefined) add(info.start);
  // What a table or a global can hold can be called indirectly: every function an element segment
  // or a constant expression names is a root.
  for (const e of info.elements) {
    if (e.items.kind === "functions") e.items.indices.forEach(add);
    else for (const x of e.items.exprs) scanRefs(x.offset, x.offset + x.bytes.length);
  }
  for (const g of info.globals) scanRefs(g.init.offset, g.init.offset + g.init.bytes.length);
  while (work.length) {
    const f = work.pop()!;
    const body = info.code[f - info.importedFuncs];
    if (body) scanRefs(body.codeOffset, body.codeOffset + body.code.length);
  }
  return seen;
}

function sleb32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** The globals of the lazy stack protocol, when the adapter uses it. */
export interface StackGlobals {
  readonly stackPointer: number;
  readonly allocationState: number;
}

/**
 * The adapter's stack globals when it needs its stack allocated (a mutable i32 `__stack_pointer`
 * initialised to 0), or `undefined` when it needs nothing.
 *
 * @throws CompileError when it needs a stack but has no `allocation_state` global to allocate it with.
 */
export function stackGlobals(info: ModuleInfo): StackGlobals | undefined {
  const byName = new Map<string, number>();
  for (const [index, name] of info.names.globals) byName.set(name, index);
  const sp = byName.get("__stack_pointer");
  if (sp === undefined || sp < info.importedGlobals) return undefined;
  const g = info.globals[sp - info.importedGlobals]!;
  const zero = g.init.bytes[0] === 0x41 && g.init.bytes[1] === 0x00;
  if (!g.type.mutable || g.type.content !== "i32" || !zero) return undefined;
  const state = byName.get("allocation_state");
  const s = state === undefined || state < info.importedGlobals ? undefined : info.globals[state - info.importedGlobals];
  if (state === undefined || !s || !s.type.mutable || s.type.content !== "i32") {
    throw new CompileError("the adapter's `__stack_pointer` starts at 0 but it has no mutable i32 `allocation_state` global through which its stack can be allocated");
  }
  return { stackPointer: sp, allocationState: state };
}

/**
 * The adapter with a stack allocator appended and called at the start of every exported function
 * (see the module comment). `realloc` is the function index of its `cabi_realloc` import.
 */
export function addStackAllocation(info: ModuleInfo, globals: StackGlobals, realloc: number): Uint8Array {
  const bytes = info.bytes;
  const allocator = info.importedFuncs + info.functions.length;
  let typeIndex = info.types.findIndex((t) => t.kind === "func" && t.params.length === 0 && t.results.length === 0 && t.final && t.supertypes.length === 0);
  const appendType = typeIndex < 0;
  if (appendType) typeIndex = info.types.length;

  const state = u32Leb(globals.allocationState);
  const i32 = (n: number): number[] => [0x41, ...sleb32(n)];
  const body = [
    0x00, // no locals
    0x23, ...state, 0x45, 0x04, 0x40, // if allocation_state == 0
    ...i32(1), 0x24, ...state,
    ...i32(0), ...i32(0), ...i32(8), ...i32(ADAPTER_STACK_SIZE), 0x10, ...u32Leb(realloc),
    ...i32(ADAPTER_STACK_SIZE), 0x6a, 0x24, ...u32Leb(globals.stackPointer),
    ...i32(2), 0x24, ...state,
    0x0b, 0x0b,
  ];
  const call = [0x10, ...u32Leb(allocator)];
  const exported = new Set(info.exports.filter((e) => e.kind === "func").map((e) => e.index));

  const parts: (Uint8Array | number[])[] = [bytes.subarray(0, 8)];
  const section = (id: number, payload: (Uint8Array | number[])[]): void => {
    const size = payload.reduce((n, p) => n + p.length, 0);
    parts.push([id, ...u32Leb(size)], ...payload);
  };
  const countOf = (payloadOffset: number): { count: number; after: number } => {
    let count = 0;
    let shift = 0;
    let p = payloadOffset;
    for (;;) {
      const b = bytes[p++]!;
      count += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return { count, after: p };
    }
  };
  let sawType = false;
  let sawFunction = false;
  let sawCode = false;
  for (const s of info.sections) {
    if (s.id === SectionId.type && appendType) {
      const { count, after } = countOf(s.payloadOffset);
      section(SectionId.type, [u32Leb(count + 1), bytes.subarray(after, s.end), [0x60, 0x00, 0x00]]);
      sawType = true;
    } else if (s.id === SectionId.function) {
      const { count, after } = countOf(s.payloadOffset);
      section(SectionId.function, [u32Leb(count + 1), bytes.subarray(after, s.end), u32Leb(typeIndex)]);
      sawFunction = true;
    } else if (s.id === SectionId.code) {
      const payload: (Uint8Array | number[])[] = [u32Leb(info.code.length + 1)];
      info.code.forEach((b, i) => {
        const locals = bytes.subarray(countOf(b.offset).after, b.codeOffset);
        if (exported.has(info.importedFuncs + i)) {
          payload.push(u32Leb(locals.length + call.length + b.code.length), locals, call, b.code);
        } else {
          payload.push(bytes.subarray(b.offset, b.codeOffset + b.code.length));
        }
      });
      payload.push(u32Leb(body.length), body);
      section(SectionId.code, payload);
      sawCode = true;
    } else {
      parts.push(bytes.subarray(s.offset, s.end));
    }
  }
  if ((appendType && !sawType) || !sawFunction || !sawCode) {
    throw new CompileError("the adapter has no type, function or code section to add its stack allocator to");
  }
  return concatBytes(parts);
}
