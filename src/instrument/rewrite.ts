/**
 * The re-encoding core shared by every instrumentation pass: decoded module in, rewritten binary out.
 *
 * What passes may ask for (a `RewritePlan`):
 * - **Host imports** appended to the import section, from the hidden module `HOST_MODULE`: globals
 *   (fuel, the interrupt countdown), functions (the interrupt check), and the module's own memories and
 *   tables turned into imports (so that the store creates them, with the store's limits as maximum).
 * - **Body insertions**: code inserted before chosen instructions of each defined function, plus extra
 *   locals. A pass sees one scanned body at a time (`FunctionContext`) and calls `insert`.
 *
 * Index spaces. Appended global and function imports come after the original imports of their kind, so
 * every defined global and function moves up by the number added; the core renumbers them everywhere
 * they appear: `call`, `return_call`, `ref.func`, `global.get/set` in bodies, constant expressions of
 * globals, tables, elements and data, element function lists, exports, the start section and the name
 * section (function, local, label and global names follow their functions). Memories and tables turned
 * into imports are the leading defined ones, appended after the original imports of their kind, so their
 * indices do not change and nothing refers to them differently.
 *
 * Speed. Bodies are not re-encoded instruction by instruction: the core copies the original bytes
 * between insertion points and re-encodes only the index immediates that change. Sections that nothing
 * touches are copied whole. Function sizes are written as padded 5-byte LEB128s so that a body is
 * written once, in place, and its size patched afterwards.
 *
 * @module
 */
import { ABS_HEAP_TYPES } from "../binary/opcodes.js";
import type { ConstExpr, MemoryDesc, ModuleInfo, TableDesc, ValueType } from "../binary/module-info.js";
import { funcTypeAt, SectionId } from "../binary/module-info.js";
import { CompileError, WasmhostBug } from "../errors.js";
import { OffsetMap, OffsetMapBuilder } from "./offsets.js";
import { BodyScan, readLeb, RefKind } from "./scan.js";
import { ByteSink, readU32 } from "./sink.js";

/** The module name of every import the instrumentation adds (no real module is called this). */
export const HOST_MODULE = "\u0000wasmhost:instrument";

/** A global imported from the host. */
export interface AddedGlobal {
  readonly name: string;
  readonly type: "i32" | "i64";
  readonly mutable: boolean;
}

/** A global the rewritten module defines (appended after its own globals: no index moves). */
export interface DefinedGlobal {
  readonly type: "i32" | "i64";
  readonly mutable: boolean;
  /** The initial value (an i32.const / i64.const). */
  readonly init: number;
}

/** A function imported from the host. */
export interface AddedFunc {
  readonly name: string;
  readonly params: readonly ("i32" | "i64")[];
  readonly results: readonly ("i32" | "i64")[];
}

/** Code to insert: its bytes, and the offset of an `unreachable` in it that a pass wants recorded. */
export interface Snippet {
  readonly bytes: Uint8Array;
  /** Offset of the recorded `unreachable` within `bytes`, or -1. */
  readonly trapAt: number;
  /** The `TrapSite` of that `unreachable`. */
  readonly trapKind: number;
}

/** What a pass sees of one defined function while it is rewritten. */
export interface FunctionContext {
  /** The function's index in the original module. */
  readonly funcIndex: number;
  /** The module's bytes (`scan` offsets point into them), for passes that read immediates. */
  readonly bytes: Uint8Array;
  /** Number of parameters (locals start after them). */
  readonly paramCount: number;
  /** The scanned instructions of the body. */
  readonly scan: BodyScan;
  /**
   * Inserts `snippet` before instruction `insn` (calls must come in nondecreasing `insn` order). Frames
   * in the inserted code map to the original offset of instruction `mapTo` (default `insn`).
   */
  insert(insn: number, snippet: Snippet, mapTo?: number): void;
  /**
   * Replaces instruction `insn` by `bytes` (for instance to renumber a branch's labels). It comes after
   * every insertion before `insn`, from any pass, and in the same order as insertions.
   */
  replace(insn: number, bytes: Uint8Array): void;
  /** Declares a new local of value type `typeCode` (one byte, e.g. 0x7f for i32) and returns its index. */
  addLocal(typeCode: number): number;
}

/** A pass over function bodies. */
export interface BodyPass {
  /** Called once per defined function, in order. */
  visit(fn: FunctionContext): void;
}

/** Everything a composition of passes asks of the core. */
export interface RewritePlan {
  readonly globals: readonly AddedGlobal[];
  /** Globals to define, after the module's own. */
  readonly definedGlobals: readonly DefinedGlobal[];
  readonly funcs: readonly AddedFunc[];
  /** Turn the module's leading convertible defined memories into imports named `memory<i>`. */
  readonly importMemories: boolean;
  /** Turn the module's leading convertible defined tables into imports named `table<i>`. */
  readonly importTables: boolean;
  readonly passes: readonly BodyPass[];
}

/** A memory or table the rewritten module imports instead of defining. */
export interface ConvertedMemory {
  readonly name: string;
  readonly type: MemoryDesc;
}

/** A table the rewritten module imports instead of defining. */
export interface ConvertedTable {
  readonly name: string;
  readonly type: TableDesc;
}

/** The result of `rewriteModule`. */
export interface Rewritten {
  readonly bytes: Uint8Array;
  /** Original function imports; added functions take indices from here, defined ones move up by `funcShift`. */
  readonly importedFuncs: number;
  readonly funcShift: number;
  readonly globalShift: number;
  /** Rewritten offsets -> original offsets, and the inserted trap sites. */
  readonly offsets: OffsetMap;
  readonly memories: readonly ConvertedMemory[];
  readonly tables: readonly ConvertedTable[];
}

const RANKS: Readonly<Record<number, number>> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

const VAL_CODE: Readonly<Record<string, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f };
const HEAP_CODE = new Map(ABS_HEAP_TYPES.map((h) => [h.name, h.code]));

/** True when memory `m` can be created by the host (JS API): a 32-bit memory with 64 KiB pages. */
export function memoryConvertible(m: MemoryDesc): boolean {
  return !m.memory64 && m.pageSizeLog2 === undefined;
}

/** True when table `t` can be created by the host: funcref or externref, 32-bit, no initializer. */
export function tableConvertible(t: { type: TableDesc; init?: ConstExpr }): boolean {
  return (t.type.element === "funcref" || t.type.element === "externref") && !t.type.table64 && t.init === undefined;
}

/**
 * Rewrites `info` as `plan` asks (see the module comment).
 *
 * @throws CompileError when a function body cannot be scanned (truncated or unknown instruction).
 */
export function rewriteModule(info: ModuleInfo, plan: RewritePlan): Rewritten {
  return new Rewriter(info, plan).run();
}

class Rewriter {
  private readonly info: ModuleInfo;
  private readonly plan: RewritePlan;
  private readonly src: Uint8Array;
  private readonly funcShift: number;
  private readonly globalShift: number;
  private readonly memories: ConvertedMemory[] = [];
  private readonly tables: ConvertedTable[] = [];
  private readonly scan = new BodyScan();
  private readonly exprScan = new BodyScan();
  private readonly map = new OffsetMapBuilder();
  private addedTypeBase = 0;

  constructor(info: ModuleInfo, plan: RewritePlan) {
    this.info = info;
    this.plan = plan;
    this.src = info.bytes;
    this.funcShift = plan.funcs.length;
    this.globalShift = plan.globals.length;
    this.scan.typeLimit = info.types.length;
    if (plan.importMemories) {
      for (const m of info.memories) {
        if (!memoryConvertible(m)) break;
        this.memories.push({ name: `memory${info.importedMemories + this.memories.length}`, type: m });
      }
    }
    if (plan.importTables) {
      for (const t of info.tables) {
        if (!tableConvertible(t)) break;
        this.tables.push({ name: `table${info.importedTables + this.tables.length}`, type: t.type });
      }
    }
  }

  private get shifting(): boolean {
    return this.funcShift > 0 || this.globalShift > 0;
  }

  run(): Rewritten {
    const info = this.info;
    const out = new ByteSink(this.src.length * (this.plan.passes.length > 0 ? 2 : 1) + 4096);
    out.copy(this.src, 0, 8);
    const pending: [number, () => void][] = [];
    const addedImports = this.plan.globals.length + this.plan.funcs.length + this.memories.length + this.tables.length;
    const hasType = info.sections.some((s) => s.id === SectionId.type);
    const hasImport = info.sections.some((s) => s.id === SectionId.import);
    if (!hasType && this.plan.funcs.length > 0) pending.push([RANKS[SectionId.type]!, () => this.typeSection(out)]);
    if (!hasImport && addedImports > 0) pending.push([RANKS[SectionId.import]!, () => this.importSection(out)]);
    if (!info.sections.some((s) => s.id === SectionId.global) && this.plan.definedGlobals.length > 0) {
      pending.push([RANKS[SectionId.global]!, () => this.globalSection(out)]);
    }
    let codeBase = -1;
    let codeMoved = 0;
    const flush = (rank: number): void => {
      while (pending.length > 0 && pending[0]![0] < rank) pending.shift()![1]();
    };
    for (const s of info.sections) {
      if (s.id !== SectionId.custom) flush(RANKS[s.id]!);
      switch (s.id) {
        case SectionId.type:
          if (this.plan.funcs.length > 0) this.typeSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.import:
          if (addedImports > 0) this.importSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.table:
          if (this.tables.length > 0) this.tableSection(out);
          else if (this.shifting) this.tableSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.memory:
          if (this.memories.length > 0) this.memorySection(out);
          else this.copySection(out, s);
          break;
        case SectionId.global:
          if (this.shifting || this.plan.definedGlobals.length > 0) this.globalSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.export:
          if (this.shifting) this.exportSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.start: {
          const body = new ByteSink(8);
          body.u32(this.func(info.start!));
          out.section(SectionId.start, body);
          break;
        }
        case SectionId.element:
          if (this.shifting) this.elementSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.code:
          if (this.shifting || this.plan.passes.length > 0) {
            codeBase = this.codeSection(out);
          } else {
            codeMoved = out.length - s.offset;
            this.copySection(out, s);
          }
          break;
        case SectionId.data:
          if (this.globalShift > 0) this.dataSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.custom:
          if (s.name === "name" && this.shifting && info.names.malformed === undefined) this.nameSection(out, s.payloadOffset, s.end);
          else this.copySection(out, s);
          break;
        default:
          this.copySection(out, s);
      }
    }
    flush(100);
    const codeSection = info.sections.find((s) => s.id === SectionId.code);
    const offsets = codeBase >= 0
      ? this.map.build(codeBase)
      : OffsetMap.shifted(codeSection ? codeSection.offset : 0, codeMoved);
    return {
      bytes: out.view(),
      importedFuncs: info.importedFuncs,
      funcShift: this.funcShift,
      globalShift: this.globalShift,
      offsets,
      memories: this.memories,
      tables: this.tables,
    };
  }

  // ---- index renumbering ---------------------------------------------------------------------------

  private func(index: number): number {
    return index >= this.info.importedFuncs ? index + this.funcShift : index;
  }

  private global(index: number): number {
    return index >= this.info.importedGlobals ? index + this.globalShift : index;
  }

  private remap(kind: number, value: number): number {
    return kind === RefKind.func ? this.func(value) : this.global(value);
  }

  /**
   * Refuses indices past the original index spaces: renumbered, they could land on what instrumentation
   * added and make an invalid module valid. (The runtime then reports the engine's own error.)
   */
  private checkRefs(scan: BodyScan, at: number): void {
    for (let k = 0; k < scan.nrefs; k++) {
      const v = scan.refValue[k]!;
      if (scan.refKind[k] === RefKind.func ? v >= this.funcCount : v >= this.globalCount) {
        throw new CompileError(`unknown ${scan.refKind[k] === RefKind.func ? "function" : "global"} ${v}`, at);
      }
    }
  }

  private get funcCount(): number {
    return this.info.importedFuncs + this.info.functions.length;
  }

  private get globalCount(): number {
    return this.info.importedGlobals + this.info.globals.length;
  }

  // ---- sections ----------------------------------------------------------------------------------

  private copySection(out: ByteSink, s: { offset: number; end: number }): void {
    out.copy(this.src, s.offset, s.end);
  }

  /** Payload bytes of section `id` after its leading count, and the count; undefined if absent. */
  private vecPayload(id: number): { count: number; from: number; to: number } | undefined {
    const s = this.info.sections.find((x) => x.id === id);
    if (!s) return undefined;
    const pos = { pos: 0 };
    const count = readU32(this.src, s.payloadOffset, pos);
    return { count, from: pos.pos, to: s.end };
  }

  private typeSection(out: ByteSink): void {
    const body = new ByteSink(64);
    const old = this.vecPayload(SectionId.type);
    const oldGroups = this.info.recGroups.length;
    this.addedTypeBase = this.info.types.length;
    body.u32(oldGroups + this.plan.funcs.length);
    if (old) body.copy(this.src, old.from, old.to);
    for (const f of this.plan.funcs) {
      body.u8(0x60);
      body.u32(f.params.length);
      for (const p of f.params) body.u8(VAL_CODE[p]!);
      body.u32(f.results.length);
      for (const r of f.results) body.u8(VAL_CODE[r]!);
    }
    out.section(SectionId.type, body);
  }

  private importSection(out: ByteSink): void {
    const body = new ByteSink(128);
    const old = this.vecPayload(SectionId.import);
    const added = this.plan.globals.length + this.plan.funcs.length + this.memories.length + this.tables.length;
    body.u32((old?.count ?? 0) + added);
    if (old) body.copy(this.src, old.from, old.to);
    for (const g of this.plan.globals) {
      body.name(HOST_MODULE);
      body.name(g.name);
      body.u8(0x03);
      body.u8(VAL_CODE[g.type]!);
      body.u8(g.mutable ? 1 : 0);
    }
    this.plan.funcs.forEach((f, i) => {
      body.name(HOST_MODULE);
      body.name(f.name);
      body.u8(0x00);
      body.u32(this.addedTypeBase + i);
    });
    for (const m of this.memories) {
      body.name(HOST_MODULE);
      body.name(m.name);
      body.u8(0x02);
      memoryType(body, m.type);
    }
    for (const t of this.tables) {
      body.name(HOST_MODULE);
      body.name(t.name);
      body.u8(0x01);
      tableType(body, t.type);
    }
    out.section(SectionId.import, body);
  }

  private tableSection(out: ByteSink): void {
    const rest = this.info.tables.slice(this.tables.length);
    if (rest.length === 0) return;
    const body = new ByteSink(32);
    body.u32(rest.length);
    for (const t of rest) {
      if (t.init) {
        body.u8(0x40);
        body.u8(0x00);
        tableType(body, t.type);
        this.constExpr(body, t.init);
      } else {
        tableType(body, t.type);
      }
    }
    out.section(SectionId.table, body);
  }

  private memorySection(out: ByteSink): void {
    const rest = this.info.memories.slice(this.memories.length);
    if (rest.length === 0) return;
    const body = new ByteSink(32);
    body.u32(rest.length);
    for (const m of rest) memoryType(body, m);
    out.section(SectionId.memory, body);
  }

  private globalSection(out: ByteSink): void {
    const body = new ByteSink(this.info.globals.length * 8 + 8);
    body.u32(this.info.globals.length + this.plan.definedGlobals.length);
    for (const g of this.info.globals) {
      valueType(body, g.type.content);
      body.u8(g.type.mutable ? 1 : 0);
      this.constExpr(body, g.init);
    }
    for (const g of this.plan.definedGlobals) {
      body.u8(VAL_CODE[g.type]!);
      body.u8(g.mutable ? 1 : 0);
      body.u8(g.type === "i32" ? 0x41 : 0x42);
      body.sleb(g.init);
      body.u8(0x0b);
    }
    out.section(SectionId.global, body);
  }

  private exportSection(out: ByteSink): void {
    const body = new ByteSink(this.info.exports.length * 12 + 8);
    body.u32(this.info.exports.length);
    const KIND: Readonly<Record<string, number>> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };
    for (const e of this.info.exports) {
      if (e.kind === "func" ? e.index >= this.funcCount : e.kind === "global" && e.index >= this.globalCount) {
        throw new CompileError(`unknown ${e.kind === "func" ? "function" : "global"} ${e.index}`, e.offset);
      }
      body.name(e.name);
      body.u8(KIND[e.kind]!);
      body.u32(e.kind === "func" ? this.func(e.index) : e.kind === "global" ? this.global(e.index) : e.index);
    }
    out.section(SectionId.export, body);
  }

  private elementSection(out: ByteSink): void {
    const body = new ByteSink(64);
    body.u32(this.info.elements.length);
    for (const seg of this.info.elements) {
      const flags = seg.flags;
      body.u32(flags);
      if (seg.mode === "active" && flags & 2) body.u32(seg.table);
      if (seg.offsetExpr) this.constExpr(body, seg.offsetExpr);
      if (flags & 3) {
        if (flags & 4) valueType(body, seg.elementType);
        else body.u8(0x00);
      }
      if (seg.items.kind === "functions") {
        body.u32(seg.items.indices.length);
        for (const f of seg.items.indices) body.u32(this.func(f));
      } else {
        body.u32(seg.items.exprs.length);
        for (const e of seg.items.exprs) this.constExpr(body, e);
      }
    }
    out.section(SectionId.element, body);
  }

  private dataSection(out: ByteSink): void {
    const body = new ByteSink(64);
    body.u32(this.info.data.length);
    for (const d of this.info.data) {
      const flags = d.mode === "passive" ? 1 : d.explicitMemory ? 2 : 0;
      body.u32(flags);
      if (flags === 2) body.u32(d.memory);
      if (d.offsetExpr) this.constExpr(body, d.offsetExpr);
      body.u32(d.init.length);
      body.bytes(d.init);
    }
    out.section(SectionId.data, body);
  }

  /** Writes a constant expression with its function and global indices renumbered. */
  private constExpr(body: ByteSink, expr: ConstExpr): void {
    const scan = this.exprScan;
    const start = expr.offset;
    const end = start + expr.bytes.length;
    scan.scan(this.src, start, end);
    this.checkRefs(scan, start);
    let cursor = start;
    for (let k = 0; k < scan.nrefs; k++) {
      const v = scan.refValue[k]!;
      const nv = this.remap(scan.refKind[k]!, v);
      if (nv === v) continue;
      body.copy(this.src, cursor, scan.refAt[k]!);
      body.u32(nv);
      cursor = scan.refEnd[k]!;
    }
    body.copy(this.src, cursor, end);
  }

  /** Rewrites the name section: function, local, label and global names follow their indices. */
  private nameSection(out: ByteSink, from: number, to: number): void {
    const names = this.info.names;
    const body = new ByteSink(to - from + 64);
    const src = this.src;
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
      if (id === 1) nameMap(sub, names.functions, (i) => this.func(i));
      else if (id === 2) indirectNameMap(sub, names.locals, (i) => this.func(i));
      else if (id === 3) indirectNameMap(sub, names.labels, (i) => this.func(i));
      else if (id === 7) nameMap(sub, names.globals, (i) => this.global(i));
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

  // ---- code ----------------------------------------------------------------------------------------

  /** Writes the code section; returns the offset of its payload in `out`. */
  private codeSection(out: ByteSink): number {
    const info = this.info;
    out.u8(SectionId.code);
    const sizeAt = out.u32Padded(0);
    const base = out.length;
    // Bodies are written straight into `out`; map offsets are recorded relative to `base`.
    const lists = this.plan.passes.map(() => new InsertList());
    const extraLocals: number[] = [];
    let funcIndex = 0;
    let paramCount = 0;
    let localBase = 0;
    let currentPass = 0;
    const ctx: FunctionContext = {
      get funcIndex() { return funcIndex; },
      get paramCount() { return paramCount; },
      bytes: this.src,
      scan: this.scan,
      insert: (insn, snippet, mapTo) => lists[currentPass]!.add(insn * 2, snippet, mapTo ?? insn),
      replace: (insn, bytes) => lists[currentPass]!.add(insn * 2 + 1, { bytes, trapAt: -1, trapKind: 0 }, insn),
      addLocal: (typeCode) => {
        extraLocals.push(typeCode);
        return localBase + extraLocals.length - 1;
      },
    };
    out.u32(info.code.length);
    for (let i = 0; i < info.code.length; i++) {
      const body = info.code[i]!;
      funcIndex = info.importedFuncs + i;
      paramCount = funcTypeAt(info, info.functions[i]!)?.params.length ?? 0;
      localBase = paramCount + body.localCount;
      extraLocals.length = 0;
      const codeEnd = body.codeOffset + body.code.length;
      this.scan.localLimit = localBase;
      this.scan.scan(this.src, body.codeOffset, codeEnd);
      this.checkRefs(this.scan, body.codeOffset);
      for (let k = 0; k < lists.length; k++) {
        lists[k]!.n = 0;
        currentPass = k;
        this.plan.passes[k]!.visit(ctx);
      }
      const bodySizeAt = out.u32Padded(0);
      const bodyStart = out.length;
      // Local declarations: the original runs, then the passes' extra locals.
      const pos = this.pos;
      readU32(this.src, body.offset, pos); // the body size
      const headerStart = pos.pos;
      if (extraLocals.length === 0) {
        out.copy(this.src, headerStart, body.codeOffset);
      } else {
        const runs = readU32(this.src, headerStart, pos);
        out.u32(runs + extraLocals.length);
        out.copy(this.src, pos.pos, body.codeOffset);
        for (const t of extraLocals) {
          out.u32(1);
          out.u8(t);
        }
      }
      this.writeCode(out, base, body.codeOffset, codeEnd, lists);
      out.patchU32(bodySizeAt, out.length - bodyStart);
    }
    out.patchU32(sizeAt, out.length - base);
    return base;
  }

  /** Copies code `[from, to)` into `out`, inserting the passes' snippets and renumbering indices. */
  private heads = new Int32Array(8);
  private readonly pos = { pos: 0 };

  private writeCode(out: ByteSink, base: number, from: number, to: number, lists: InsertList[]): void {
    const scan = this.scan;
    const src = this.src;
    const map = this.map;
    if (this.heads.length < lists.length) this.heads = new Int32Array(lists.length);
    const heads = this.heads;
    heads.fill(0);
    let ref = 0;
    const nrefs = this.shifting ? scan.nrefs : 0;
    let cursor = from;
    map.copyRun(out.length - base, from);
    for (;;) {
      // The next event: the earliest insertion or replacement (by instruction, insertions first, then
      // pass order), or renumbered immediate.
      let best = -1;
      let bestKey = Infinity;
      let bestAt = Infinity;
      for (let k = 0; k < lists.length; k++) {
        const l = lists[k]!;
        const h = heads[k]!;
        if (h < l.n && l.key[h]! < bestKey) {
          bestKey = l.key[h]!;
          bestAt = scan.start[bestKey >>> 1]!;
          best = k;
        }
      }
      while (ref < nrefs && (scan.refAt[ref]! < cursor || this.remap(scan.refKind[ref]!, scan.refValue[ref]!) === scan.refValue[ref]!)) ref++;
      if (ref < nrefs && scan.refAt[ref]! < bestAt) {
        const at = scan.refAt[ref]!;
        out.copy(src, cursor, at);
        const insnStart = scan.start[scan.refInsn[ref]!]!;
        map.insertRun(out.length - base, insnStart);
        out.u32(this.remap(scan.refKind[ref]!, scan.refValue[ref]!));
        cursor = scan.refEnd[ref]!;
        map.copyRun(out.length - base, cursor);
        ref++;
        continue;
      }
      if (best < 0) break;
      const l = lists[best]!;
      const h = heads[best]!;
      const snippet = l.snip[h]!;
      const mapTo = scan.start[l.mapTo[h]!]!;
      heads[best]!++;
      out.copy(src, cursor, bestAt);
      cursor = bestAt;
      map.insertRun(out.length - base, mapTo);
      if (snippet.trapAt >= 0) map.traps.set(out.length - base + snippet.trapAt, snippet.trapKind);
      out.bytes(snippet.bytes);
      if (bestKey & 1) cursor = scan.start[(bestKey >>> 1) + 1]!; // a replacement: skip the original
      map.copyRun(out.length - base, cursor);
    }
    out.copy(src, cursor, to);
  }
}

/**
 * Insertions and replacements of one pass into one body, in order. `key` is `2 * insn` for an
 * insertion before instruction `insn` and `2 * insn + 1` for a replacement of it.
 */
class InsertList {
  n = 0;
  key = new Float64Array(256);
  mapTo = new Int32Array(256);
  snip: Snippet[] = [];

  add(key: number, snippet: Snippet, mapTo: number): void {
    if (this.n > 0 && key < this.key[this.n - 1]!) {
      throw new WasmhostBug("an instrumentation pass inserted code out of order");
    }
    if (this.n >= this.key.length) {
      const k = new Float64Array(this.key.length * 2);
      k.set(this.key);
      this.key = k;
      const m = new Int32Array(this.mapTo.length * 2);
      m.set(this.mapTo);
      this.mapTo = m;
    }
    this.key[this.n] = key;
    this.mapTo[this.n] = mapTo;
    this.snip[this.n] = snippet;
    this.n++;
  }
}

// ---- type encoders -----------------------------------------------------------------------------------

/** Writes a value type in its binary form. */
export function valueType(out: ByteSink, t: ValueType): void {
  if (typeof t === "string") {
    out.u8(VAL_CODE[t]!);
    return;
  }
  out.u8(t.nullable ? 0x63 : 0x64);
  if (typeof t.ref === "number") out.sleb(t.ref);
  else out.u8(HEAP_CODE.get(t.ref)!);
}

function tableType(out: ByteSink, t: TableDesc): void {
  valueType(out, t.element);
  out.u8((t.max !== undefined ? 1 : 0) | (t.table64 ? 4 : 0));
  out.u64(t.min);
  if (t.max !== undefined) out.u64(t.max);
}

function memoryType(out: ByteSink, m: MemoryDesc): void {
  out.u8((m.max !== undefined ? 1 : 0) | (m.shared ? 2 : 0) | (m.memory64 ? 4 : 0) | (m.pageSizeLog2 !== undefined ? 8 : 0));
  out.u64(m.min);
  if (m.max !== undefined) out.u64(m.max);
  if (m.pageSizeLog2 !== undefined) out.u32(m.pageSizeLog2);
}

function nameMap(out: ByteSink, names: ReadonlyMap<number, string>, index: (i: number) => number): void {
  out.u32(names.size);
  for (const [i, name] of names) {
    out.u32(index(i));
    out.name(name);
  }
}

function indirectNameMap(out: ByteSink, names: ReadonlyMap<number, ReadonlyMap<number, string>>, index: (i: number) => number): void {
  out.u32(names.size);
  for (const [i, inner] of names) {
    out.u32(index(i));
    nameMap(out, inner, (j) => j);
  }
}

/** Reads the u32 LEB128 at `bytes[at]` (exported for passes that inspect immediates). */
export function u32At(bytes: Uint8Array, at: number): number {
  return readLeb(bytes, at, bytes.length);
}
