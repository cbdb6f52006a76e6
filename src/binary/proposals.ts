/**
 * Which WebAssembly proposals a decoded module uses: its types, imports, memories, tables, tags,
 * constant expressions and every instruction of its code are checked against the proposal that
 * introduced them. (A second memory counts as multi-memory whether or not code names it.) Together with the engine's feature probe (src/runtime/features.ts) this tells a
 * module the engine cannot compile for lack of a feature from one it rejects for another reason.
 *
 * The answer is what the module's bytes need, not what they mean: a `(ref null func)` spelled with the
 * typed-references encoding counts as function-references even though `funcref` says the same.
 *
 * @module
 */
import { InstrCursor } from "./instructions.js";
import type { ConstExpr, HeapType, ModuleInfo, ValueType } from "./module-info.js";

/**
 * A WebAssembly proposal, by the name of its repository in the WebAssembly organisation
 * (`legacy-exceptions` is the first exception-handling design, with `try`/`catch`/`delegate`;
 * `exceptions` is the current one, with `try_table` and `exnref`).
 */
export type Proposal =
  | "sign-extension"
  | "saturating-conversions"
  | "multi-value"
  | "bulk-memory"
  | "reference-types"
  | "simd"
  | "relaxed-simd"
  | "threads"
  | "tail-call"
  | "legacy-exceptions"
  | "exceptions"
  | "function-references"
  | "gc"
  | "extended-const"
  | "memory64"
  | "multi-memory"
  | "custom-page-sizes";

/** The proposals `info` uses (see the module comment). */
export function proposalsUsed(info: ModuleInfo): Set<Proposal> {
  const used = new Set<Proposal>();
  const scan = new Scan(used);
  for (const t of info.types) {
    if (t.kind !== "func" || t.supertypes.length > 0 || t.explicitSub || !t.final) used.add("gc");
    if (t.kind === "func") {
      if (t.results.length > 1) used.add("multi-value");
      for (const v of t.params) scan.valueType(v);
      for (const v of t.results) scan.valueType(v);
    } else if (t.kind === "struct") {
      for (const f of t.fields) scan.storage(f.storage);
    } else {
      scan.storage(t.element.storage);
    }
  }
  if (info.recGroups.some((g) => g.explicit)) used.add("gc");
  scan.gcTypes = new Set(info.types.flatMap((t, i) => (t.kind === "func" ? [] : [i])));
  scan.importedGlobals = info.importedGlobals;

  let memories = info.memories.length;
  for (const imp of info.imports) {
    switch (imp.kind) {
      case "memory": memories++; scan.memory(imp.type); break;
      case "table": scan.table(imp.type); break;
      case "global": scan.valueType(imp.type.content); break;
      case "tag": used.add("legacy-exceptions"); break;
      case "func": break;
    }
  }
  if (memories > 1) used.add("multi-memory");
  for (const m of info.memories) scan.memory(m);
  const tables = info.importedTables + info.tables.length;
  if (tables > 1) used.add("reference-types");
  for (const t of info.tables) {
    scan.table(t.type);
    if (t.init) {
      used.add("function-references");
      scan.constExpr(t.init);
    }
  }
  if (info.tags.length > 0) used.add("legacy-exceptions");
  for (const g of info.globals) {
    scan.valueType(g.type.content);
    scan.constExpr(g.init);
  }
  for (const e of info.elements) {
    if (e.mode !== "active" || e.table !== 0 || e.items.kind === "expressions") used.add("bulk-memory");
    if (e.elementType !== "funcref") scan.valueType(e.elementType);
    if (e.offsetExpr) scan.constExpr(e.offsetExpr);
    if (e.items.kind === "expressions") for (const x of e.items.exprs) scan.constExpr(x);
  }
  for (const d of info.data) {
    if (d.mode === "passive") used.add("bulk-memory");
    if (d.offsetExpr) scan.constExpr(d.offsetExpr);
  }
  for (const body of info.code) {
    for (const l of body.locals) scan.valueType(l.type);
    scan.code(body.code, 0, body.code.length, body.codeOffset);
  }
  return used;
}

/** Abstract heap types of the GC proposal (the others are func/extern, and exn/noexn of exceptions). */
const GC_HEAP_TYPES: ReadonlySet<HeapType> = new Set<HeapType>(["any", "eq", "i31", "struct", "array", "none", "nofunc", "noextern"]);

/** s33 values of abstract heap type bytes, as `InstrCursor.heapType()` returns them. */
const HEAP_FUNC = 0x70 - 0x80;
const HEAP_EXTERN = 0x6f - 0x80;
const HEAP_EXN = 0x69 - 0x80;
const HEAP_NOEXN = 0x74 - 0x80;

class Scan {
  /** Type indices of struct and array types (a reference to one is GC). */
  gcTypes: ReadonlySet<number> = new Set();
  /** How many globals are imported (a constant expression may read those in every version). */
  importedGlobals = 0;
  private readonly cursor = new InstrCursor();

  constructor(private readonly used: Set<Proposal>) {}

  valueType(t: ValueType): void {
    if (t === "v128") this.used.add("simd");
    else if (t === "funcref" || t === "externref") this.used.add("reference-types");
    else if (typeof t === "object") {
      this.used.add("reference-types");
      if (!t.nullable || typeof t.ref === "number") this.used.add("function-references");
      this.heap(t.ref);
    }
  }

  storage(s: ValueType | "i8" | "i16"): void {
    if (s !== "i8" && s !== "i16") this.valueType(s);
  }

  private heap(h: HeapType): void {
    if (typeof h === "number") {
      this.used.add("function-references");
      if (this.gcTypes.has(h)) this.used.add("gc");
    } else if (h === "exn" || h === "noexn") this.used.add("exceptions");
    else if (GC_HEAP_TYPES.has(h)) this.used.add("gc");
  }

  /** A heap type as the instruction cursor reads it (an s33: negative for abstract types). */
  private heapCode(h: number): void {
    if (h >= 0) this.heap(h);
    else if (h === HEAP_EXN || h === HEAP_NOEXN) this.used.add("exceptions");
    else if (h !== HEAP_FUNC && h !== HEAP_EXTERN) this.used.add("gc");
  }

  memory(m: { readonly shared: boolean; readonly memory64: boolean; readonly pageSizeLog2?: number }): void {
    if (m.shared) this.used.add("threads");
    if (m.memory64) this.used.add("memory64");
    if (m.pageSizeLog2 !== undefined) this.used.add("custom-page-sizes");
  }

  table(t: { readonly element: ValueType; readonly table64: boolean }): void {
    if (t.table64) this.used.add("memory64");
    if (t.element !== "funcref") this.valueType(t.element); // funcref tables are 1.0
  }

  constExpr(e: ConstExpr): void {
    const c = this.cursor.reset(e.bytes, 0, e.bytes.length, e.offset);
    while (c.next()) {
      const op = c.op;
      // Arithmetic in a constant expression: i32/i64 add, sub, mul.
      if (op.prefix === undefined && ((op.code >= 0x6a && op.code <= 0x6c) || (op.code >= 0x7c && op.code <= 0x7e))) {
        this.used.add("extended-const");
      } else if (op.prefix === undefined && op.code === 0x23 && c.idx0 >= this.importedGlobals) {
        // global.get of a global the module defines: allowed in constant expressions since GC.
        this.used.add("gc");
      } else this.instruction(c);
    }
  }

  code(bytes: Uint8Array, start: number, end: number, base: number): void {
    const c = this.cursor.reset(bytes, start, end, base);
    while (c.next()) this.instruction(c);
  }

  private instruction(c: InstrCursor): void {
    const op = c.op;
    const used = this.used;
    switch (op.prefix) {
      case 0xfb: used.add("gc"); return;
      case 0xfe: used.add("threads"); return;
      case 0xfd: used.add(op.code >= 0x100 ? "relaxed-simd" : "simd"); return;
      case 0xfc:
        // 0-7 saturating truncations; 8-14 memory/table init, copy, fill, drop; 15-17 table.grow/size/fill.
        used.add(op.code <= 7 ? "saturating-conversions" : op.code <= 14 ? "bulk-memory" : "reference-types");
        return;
    }
    switch (op.code) {
      case 0x02: case 0x03: case 0x04: case 0x06: case 0x1f:
        if (c.blockType >= 0) used.add("multi-value");
        else if (c.blockType === 0x63 - 0x80 || c.blockType === 0x64 - 0x80) {
          used.add("function-references");
          this.heapCode(c.blockHeap);
        } else if (c.blockType === 0x7b - 0x80) used.add("simd");
        if (op.code === 0x06) used.add("legacy-exceptions");
        if (op.code === 0x1f) used.add("exceptions");
        return;
      case 0x07: case 0x08: case 0x09: case 0x18: case 0x19: used.add("legacy-exceptions"); return;
      case 0x0a: used.add("exceptions"); return;
      case 0x12: case 0x13: used.add("tail-call"); return;
      case 0x14: used.add("function-references"); return;
      case 0x15: used.add("tail-call"); used.add("function-references"); return;
      case 0x1c: used.add("reference-types"); return;
      case 0x25: case 0x26: case 0xd0: case 0xd1: case 0xd2:
        used.add("reference-types");
        if (op.code === 0xd0) this.heapCode(c.heap0);
        return;
      case 0xd3: used.add("gc"); return;
      case 0xd4: case 0xd5: case 0xd6: used.add("function-references"); return;
    }
    if (op.code >= 0xc0 && op.code <= 0xc4) used.add("sign-extension");
  }
}
