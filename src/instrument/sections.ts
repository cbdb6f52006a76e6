/**
 * The sections around the code, written again with what the plan adds and the indices renumbered:
 * types (the added functions' and the threaded functions' types appended), functions, imports (the
 * host globals, functions, memories and tables appended), tables, memories, globals, exports, the
 * start function, elements and data, and their constant expressions. Each writer appends one whole
 * section to `out`; `rewrite.ts` decides which sections are written again and which copied.
 *
 * @module
 */
import type { ConstExpr } from "../binary/module-info.js";
import { SectionId } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import { RefKind } from "./scan.js";
import { ByteSink, readU32 } from "./sink.js";
import { memoryType, tableType, VAL_CODE, valueType } from "./encode.js";
import { HOST_MODULE } from "./plan.js";
import type { RewriteState } from "./rewrite-state.js";
import { planThreadedTypes, threadsSegment } from "./threading.js";

/** Copies section `s` (header and payload) unchanged. */
export function copySection(st: RewriteState, out: ByteSink, s: { offset: number; end: number }): void {
  out.copy(st.src, s.offset, s.end);
}

/** Payload bytes of section `id` after its leading count, and the count; undefined if absent. */
function vecPayload(st: RewriteState, id: number): { count: number; from: number; to: number } | undefined {
  const s = st.info.sections.find((x) => x.id === id);
  if (!s) return undefined;
  const pos = { pos: 0 };
  const count = readU32(st.src, s.payloadOffset, pos);
  return { count, from: pos.pos, to: s.end };
}

/** The type section: the original recursion groups, then the added functions' types and the threaded ones. */
export function typeSection(st: RewriteState, out: ByteSink): void {
  const body = new ByteSink(64);
  const old = vecPayload(st, SectionId.type);
  const oldGroups = st.info.recGroups.length;
  st.addedTypeBase = st.info.types.length;
  planThreadedTypes(st);
  body.u32(oldGroups + st.plan.funcs.length + st.extraTypes.length);
  if (old) body.copy(st.src, old.from, old.to);
  for (const f of st.plan.funcs) {
    body.u8(0x60);
    body.u32(f.params.length);
    for (const p of f.params) body.u8(VAL_CODE[p]!);
    body.u32(f.results.length);
    for (const r of f.results) body.u8(VAL_CODE[r]!);
  }
  for (const t of st.extraTypes) {
    body.u8(0x60);
    body.u32(t.params.length);
    body.bytes(t.params);
    body.u32(t.results.length);
    body.bytes(t.results);
  }
  out.section(SectionId.type, body);
}

/** The function section: threaded functions get their threaded types, and the export wrappers follow. */
export function functionSection(st: RewriteState, out: ByteSink): void {
  const info = st.info;
  const body = new ByteSink(info.functions.length * 2 + 8);
  body.u32(info.functions.length + st.wrappers.length);
  for (let i = 0; i < info.functions.length; i++) {
    const t = info.functions[i]!;
    body.u32(st.threaded[i] ? st.threadedTypes.get(t)! : t);
  }
  for (const f of st.wrappers) body.u32(info.functions[f - info.importedFuncs]!);
  out.section(SectionId.function, body);
}

/** The import section: the original imports, then the host's globals, functions, memories and tables. */
export function importSection(st: RewriteState, out: ByteSink): void {
  const body = new ByteSink(128);
  const old = vecPayload(st, SectionId.import);
  const added = st.plan.globals.length + st.plan.funcs.length + st.memories.length + st.tables.length;
  body.u32((old?.count ?? 0) + added);
  if (old) body.copy(st.src, old.from, old.to);
  for (const g of st.plan.globals) {
    body.name(HOST_MODULE);
    body.name(g.name);
    body.u8(0x03);
    body.u8(VAL_CODE[g.type]!);
    body.u8(g.mutable ? 1 : 0);
  }
  st.plan.funcs.forEach((f, i) => {
    body.name(HOST_MODULE);
    body.name(f.name);
    body.u8(0x00);
    body.u32(st.addedTypeBase + i);
  });
  for (const m of st.memories) {
    body.name(HOST_MODULE);
    body.name(m.name);
    body.u8(0x02);
    memoryType(body, m.type);
  }
  for (const t of st.tables) {
    body.name(HOST_MODULE);
    body.name(t.name);
    body.u8(0x01);
    tableType(body, t.type);
  }
  out.section(SectionId.import, body);
}

/** The table section without the tables turned into imports (none at all when no table is left). */
export function tableSection(st: RewriteState, out: ByteSink): void {
  const rest = st.info.tables.slice(st.tables.length);
  if (rest.length === 0) return;
  const body = new ByteSink(32);
  body.u32(rest.length);
  for (const t of rest) {
    if (t.init) {
      body.u8(0x40);
      body.u8(0x00);
      tableType(body, t.type);
      constExpr(st, body, t.init);
    } else {
      tableType(body, t.type);
    }
  }
  out.section(SectionId.table, body);
}

/** The memory section without the memories turned into imports (none at all when no memory is left). */
export function memorySection(st: RewriteState, out: ByteSink): void {
  const rest = st.info.memories.slice(st.memories.length);
  if (rest.length === 0) return;
  const body = new ByteSink(32);
  body.u32(rest.length);
  for (const m of rest) memoryType(body, m);
  out.section(SectionId.memory, body);
}

/** The global section: the original globals (initializers renumbered), then the plan's defined ones. */
export function globalSection(st: RewriteState, out: ByteSink): void {
  const body = new ByteSink(st.info.globals.length * 8 + 8);
  body.u32(st.info.globals.length + st.plan.definedGlobals.length);
  for (const g of st.info.globals) {
    valueType(body, g.type.content);
    body.u8(g.type.mutable ? 1 : 0);
    constExpr(st, body, g.init);
  }
  for (const g of st.plan.definedGlobals) {
    body.u8(VAL_CODE[g.type]!);
    body.u8(g.mutable ? 1 : 0);
    body.u8(g.type === "i32" ? 0x41 : 0x42);
    body.sleb(g.init);
    body.u8(0x0b);
  }
  out.section(SectionId.global, body);
}

/** The export section, renumbered: an exported threaded function is exported as its wrapper. */
export function exportSection(st: RewriteState, out: ByteSink): void {
  const body = new ByteSink(st.info.exports.length * 12 + 8);
  body.u32(st.info.exports.length);
  const KIND: Readonly<Record<string, number>> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };
  for (const e of st.info.exports) {
    if (e.kind === "func" ? e.index >= st.funcCount : e.kind === "global" && e.index >= st.globalCount) {
      throw new CompileError(`unknown ${e.kind === "func" ? "function" : "global"} ${e.index}`, e.offset);
    }
    body.name(e.name);
    body.u8(KIND[e.kind]!);
    body.u32(e.kind === "func" ? st.externalFunc(e.index) : e.kind === "global" ? st.global(e.index) : e.index);
  }
  out.section(SectionId.export, body);
}

/** The start section, renumbered. */
export function startSection(st: RewriteState, out: ByteSink): void {
  const body = new ByteSink(8);
  body.u32(st.func(st.info.start!));
  out.section(SectionId.start, body);
}

/** The element section, renumbered. */
export function elementSection(st: RewriteState, out: ByteSink): void {
  const body = new ByteSink(64);
  body.u32(st.info.elements.length);
  for (const seg of st.info.elements) {
    const flags = seg.flags;
    body.u32(flags);
    if (seg.mode === "active" && flags & 2) body.u32(seg.table);
    if (seg.offsetExpr) constExpr(st, body, seg.offsetExpr);
    if (flags & 3) {
      if (flags & 4) valueType(body, seg.elementType);
      else body.u8(0x00);
    }
    // A threaded table holds the threaded bodies; anything else refers to their wrappers.
    const inside = threadsSegment(st, seg);
    if (seg.items.kind === "functions") {
      body.u32(seg.items.indices.length);
      for (const f of seg.items.indices) body.u32(inside ? st.func(f) : st.externalFunc(f));
    } else {
      body.u32(seg.items.exprs.length);
      for (const e of seg.items.exprs) constExpr(st, body, e, !inside);
    }
  }
  out.section(SectionId.element, body);
}

/** The data section, its offset expressions renumbered. */
export function dataSection(st: RewriteState, out: ByteSink): void {
  const body = new ByteSink(64);
  body.u32(st.info.data.length);
  for (const d of st.info.data) {
    const flags = d.mode === "passive" ? 1 : d.explicitMemory ? 2 : 0;
    body.u32(flags);
    if (flags === 2) body.u32(d.memory);
    if (d.offsetExpr) constExpr(st, body, d.offsetExpr);
    body.u32(d.init.length);
    body.bytes(d.init);
  }
  out.section(SectionId.data, body);
}

/** Writes a constant expression with its function and global indices renumbered. */
function constExpr(st: RewriteState, body: ByteSink, expr: ConstExpr, external = true): void {
  const scan = st.exprScan;
  const src = st.src;
  const start = expr.offset;
  const end = start + expr.bytes.length;
  scan.scan(src, start, end);
  st.checkRefs(scan, start);
  let cursor = start;
  for (let k = 0; k < scan.nrefs; k++) {
    const v = scan.refValue[k]!;
    const nv = external && scan.refKind[k] === RefKind.func ? st.externalFunc(v) : st.remap(scan.refKind[k]!, v);
    if (nv === v) continue;
    body.copy(src, cursor, scan.refAt[k]!);
    body.u32(nv);
    cursor = scan.refEnd[k]!;
  }
  body.copy(src, cursor, end);
}
