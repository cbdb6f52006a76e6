/**
 * The name section, rewritten so that names follow their indices: function and global names are
 * renumbered, local names follow the threaded functions' extra parameters, export wrappers are named
 * as the functions they wrap, and label names are dropped when the passes add blocks.
 *
 * @module
 */
import { SectionId } from "../binary/module-info.js";
import { ByteSink, readU32 } from "./sink.js";
import { indirectNameMap, rawNameMap } from "./encode.js";
import type { RewriteState } from "./rewrite-state.js";

/** Rewrites the name section (payload `src[from..to)`): function, local, label and global names follow their indices. */
export function nameSection(st: RewriteState, out: ByteSink, from: number, to: number): void {
  const names = st.info.names;
  const body = new ByteSink(to - from + 64);
  const src = st.src;
  const pos = { pos: 0 };
  // The payload starts with the section's own name ("name").
  const nameLen = readU32(src, from, pos);
  body.copy(src, from, pos.pos + nameLen);
  let p = pos.pos + nameLen;
  while (p < to) {
    const start = p;
    const id = src[p++]!;
    const size = readU32(src, p, pos);
    p = pos.pos + size;
    const sub = new ByteSink(size + 16);
    if (id === 1 && st.wrappers.length > 0) {
      if (!rawFunctionNames(st, sub, pos.pos, p)) {
        sub.length = 0;
        functionNames(st, sub);
      }
    }
    else if (id === 1) rawNameMap(sub, src, pos.pos, p, (i) => st.func(i));
    else if (id === 2) indirectNameMap(sub, names.locals, (i) => st.func(i), (f) => st.localRenumbering(f));
    else if (id === 3) {
      // Label names are numbered by the blocks of a body, and the passes add blocks: rather than
      // wrong names, none (the engine does not use them).
      if (st.plan.passes.length > 0) continue;
      indirectNameMap(sub, names.labels, (i) => st.func(i));
    }
    else if (id === 7) rawNameMap(sub, src, pos.pos, p, (i) => st.global(i));
    else {
      body.copy(src, start, p);
      continue;
    }
    body.u8(id);
    body.u32(sub.length);
    body.copy(sub.buf, 0, sub.length);
  }
  out.section(SectionId.custom, body);
}

/**
 * The function names with export wrappers, copied from the name map at `src[from..to)` (each wrapper
 * named as its function, after every other name); false when the map's indices are not increasing
 * (then `functionNames` sorts them).
 */
function rawFunctionNames(st: RewriteState, out: ByteSink, from: number, to: number): boolean {
  const src = st.src;
  const pos = st.pos;
  const count = readU32(src, from, pos);
  const first = pos.pos;
  const wrapped: number[] = []; // index, [from, to) of the wrapped functions' names
  const importedFuncs = st.info.importedFuncs;
  const wrapperOf = st.wrapperOf;
  let last = -1;
  let written = 0;
  for (let p = first, k = 0; k < count && p < to; k++, written++) {
    const i = readU32(src, p, pos);
    if (i <= last) return false;
    last = i;
    const nameAt = pos.pos;
    const len = readU32(src, nameAt, pos);
    p = pos.pos + len;
    const d = i - importedFuncs;
    if (d >= 0 && d < wrapperOf.length && wrapperOf[d]! >= 0) wrapped.push(i, nameAt, p);
  }
  out.u32(written + wrapped.length / 3);
  for (let p = first, k = 0; k < written; k++) {
    const i = readU32(src, p, pos);
    out.u32(st.func(i));
    const nameAt = pos.pos;
    const len = readU32(src, nameAt, pos);
    p = pos.pos + len;
    out.copy(src, nameAt, p);
  }
  for (let k = 0; k < wrapped.length; k += 3) {
    out.u32(st.externalFunc(wrapped[k]!));
    out.copy(src, wrapped[k + 1]!, wrapped[k + 2]!);
  }
  return true;
}

/** The function names with export wrappers: each wrapper is named as its function. */
function functionNames(st: RewriteState, out: ByteSink): void {
  const names = st.info.names.functions;
  const wrapped = st.wrappers.filter((f) => names.has(f));
  out.u32(names.size + wrapped.length);
  for (const i of [...names.keys()].sort((a, b) => a - b)) {
    out.u32(st.func(i));
    out.name(names.get(i)!);
  }
  for (const f of wrapped) {
    out.u32(st.externalFunc(f));
    out.name(names.get(f)!);
  }
}
