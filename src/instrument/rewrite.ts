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
 * Threading. Passes keep their per-call state (fuel left, interruption count) in locals, written to
 * globals around calls. For functions that can only be called directly — not exported, not declared
 * for reference (a valid module can `ref.func` nothing else), not the start function — the core
 * instead appends that state to their parameters and results (new types, renumbered locals and local
 * names), passes it at every `call` of them and takes it back after, and wraps their body in a block
 * of their results, so that a branch to the function's label and `return` still carry just the
 * original results before the state is appended. A recursive function then costs no memory access per
 * call at all. Tail calls and exception handling would need more care; a module using them is
 * rewritten again without threading (`WithoutThreading`).
 *
 * Two more kinds of functions are threaded. An exported function is threaded too, and its export (and
 * any `ref.func` of it) goes to a thin wrapper of the original type appended after the defined
 * functions, which passes the state from its globals and stores what comes back
 * (`RewritePlan.threadGlobals`): an exported recursive function recurses threaded. And the functions
 * of a table that only the module's own `call_indirect`s use (`chooseTables`: defined, not exported,
 * filled by active segments, never read or changed by a body) are threaded, as are the calls through
 * it, with the state under the table index; anything else referring to one of them gets its wrapper.
 * Frames of a wrapper right outside its function's body are left out of backtraces (runtime/trap.ts).
 *
 * Speed. Bodies are not re-encoded instruction by instruction: the core copies the original bytes
 * between insertion points as whole blocks and patches, in place, the index immediates that change (a
 * new index that fits in the old one's bytes is written padded to the same length, so offsets stay one
 * to one; one that does not cuts the block). The scan records which classes of instructions a body
 * holds (`OpClass`), so that the core and the passes skip the walks a body gives them nothing to do
 * in. Snippets are cached by number keys (nothing is built per body). Sections that nothing touches
 * are copied whole. Function sizes are written as padded 5-byte LEB128s so that a body is written
 * once, in place, and its size patched afterwards. The plan's types are in `plan.ts`, the encoders in
 * `encode.ts`, the insertion lists in `insert-list.ts`.
 *
 * @module
 */
import { ALL_OPS, op } from "../binary/opcodes.js";
import type { ConstExpr, ModuleInfo, ValueType } from "../binary/module-info.js";
import { funcTypeAt, SectionId } from "../binary/module-info.js";
import { CompileError, WasmhostBug } from "../errors.js";
import { checkTypeReferences } from "./type-refs.js";
import { OffsetMap, OffsetMapBuilder } from "./offsets.js";
import { BodyScan, OpClass, readLeb, RefKind } from "./scan.js";
import { ByteSink, readU32 } from "./sink.js";
import { indirectNameMap, memoryType, nameMap, rawNameMap, tableType, VAL_CODE, valueType } from "./encode.js";
import { IN_ARENA, InsertList, InsnMarks } from "./insert-list.js";
import {
  HOST_MODULE,
  memoryConvertible,
  tableConvertible,
  convertedTableName,
  type ConvertedMemory,
  type ConvertedTable,
  type FunctionContext,
  type RewritePlan,
  type Rewritten,
  type Snippet,
} from "./plan.js";

// The plan's types, for the passes (they import them from here, with the core).
export { HOST_MODULE, memoryConvertible, tableConvertible, valueType };
export type { AddedFunc, AddedGlobal, BodyPass, ConvertedMemory, ConvertedTable, DefinedGlobal, FunctionContext, RewritePlan, Rewritten, Snippet } from "./plan.js";

/** The most parameters and locals a function may have in the host engine (V8's limit). */
const MAX_ENGINE_LOCALS = 50_000;

/** The scan of the body being rewritten (see `Rewriter.scan`). */
let sharedScan: BodyScan | undefined;
/** The insertion lists of the code section being written (see `Rewriter.codeSection`). */
const listPool: InsertList[] = [];

/** Thrown inside the rewriter when a module needs the rewrite without threading (tail calls, exceptions). */
class WithoutThreading extends Error {}
/** Thrown inside the rewriter when a body reads or changes a threaded table (`table.get`, `table.set`...). */
class WithoutThreadedTables extends Error {}

const RANKS: Readonly<Record<number, number>> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };


/**
 * Rewrites `info` as `plan` asks (see the module comment).
 *
 * @throws CompileError when a function body cannot be scanned (truncated or unknown instruction).
 */
export function rewriteModule(info: ModuleInfo, plan: RewritePlan): Rewritten {
  if (!plan.threading?.length) return new Rewriter(info, plan, false).run();
  try {
    try {
      return new Rewriter(info, plan, true).run();
    } catch (e) {
      if (!(e instanceof WithoutThreadedTables)) throw e;
      return new Rewriter(info, plan, false).run();
    }
  } catch (e) {
    if (!(e instanceof WithoutThreading)) throw e;
    return new Rewriter(info, { ...plan, threading: [] }, false).run();
  }
}

/** Instructions that make a module keep the unthreaded rewrite: tail calls, exception handling. */
const NO_THREADING = new Uint8Array(ALL_OPS.length);
for (const name of ["return_call", "return_call_indirect", "return_call_ref", "try", "catch", "catch_all", "delegate", "throw", "rethrow", "throw_ref", "try_table", "br_on_cast", "br_on_cast_fail"]) {
  NO_THREADING[op(name).id] = 1;
}
/** For an immediate of `len` bytes (1 to 4), the values that fit in it. */
const FITS = [0, 2 ** 7, 2 ** 14, 2 ** 21, 2 ** 28];
/** How the threading walk reads block structure: 1 opens a block, 2 ends one, 3 branches, 4 is `br_table`. */
const STRUCTURE = new Uint8Array(ALL_OPS.length);
for (const name of ["block", "loop", "if"]) STRUCTURE[op(name).id] = 1;
STRUCTURE[op("end").id] = 2;
for (const name of ["br", "br_if", "br_on_null", "br_on_non_null"]) STRUCTURE[op(name).id] = 3;
STRUCTURE[op("br_table").id] = 4;
const CALL_ID = op("call").id;
const CALL_INDIRECT_ID = op("call_indirect").id;
const RETURN_ID = op("return").id;
/** Table instructions by their table immediates' positions: 1 the first, 2 the second, 3 both. */
const TABLE_ACCESS = new Uint8Array(ALL_OPS.length);
for (const name of ["table.get", "table.set", "table.grow", "table.fill"]) TABLE_ACCESS[op(name).id] = 1;
TABLE_ACCESS[op("table.init").id] = 2; // table.init elem table
TABLE_ACCESS[op("table.copy").id] = 3; // table.copy dst src

class Rewriter {
  private readonly info: ModuleInfo;
  private readonly plan: RewritePlan;
  private readonly src: Uint8Array;
  private readonly funcShift: number;
  private readonly globalShift: number;
  private readonly memories: ConvertedMemory[] = [];
  private readonly tables: ConvertedTable[] = [];
  /** Shared by every rewrite (they run one at a time): grown once to the largest body seen. */
  private readonly scan = (sharedScan ??= new BodyScan());
  private readonly exprScan = new BodyScan();
  private readonly map: OffsetMapBuilder;
  private addedTypeBase = 0;
  /** For each defined function: 1 when it is threaded. */
  private readonly threaded: Uint8Array;
  /** The extra values of threaded functions (value type codes); empty when no function is threaded. */
  private extras: readonly number[];
  /** Types appended for threaded functions: original type index -> new type index (filled by `typeSection`). */
  private readonly threadedTypes = new Map<number, number>();
  /** Function types appended to the type section after the added functions' ones: [params, results] as type codes. */
  private readonly extraTypes: { params: Uint8Array; results: Uint8Array }[] = [];
  /** For each defined function: its export wrapper's index after rewriting, or -1 (see `RewritePlan.threadGlobals`). */
  private readonly wrapperOf: Int32Array;
  /** The original index of each export wrapper, in order. */
  private readonly wrappers: number[] = [];
  /** For each table (imported, then defined): 1 when its functions are threaded (see `chooseTables`). */
  private threadedTable = new Uint8Array(0);
  private anyThreadedTable = false;
  /** The threaded calls of the body being written. */
  private readonly threadedCalls = new InsnMarks();
  /** Threaded function types by shape (`shapeOf`), for `call_indirect` through threaded tables. */
  private readonly threadedByShape = new Map<string, number>();
  /** Renumbering of locals in the body being written: indices >= `localShiftFrom` move up by `localShift`. */
  private localShiftFrom = 0;
  private localShift = 0;

  constructor(info: ModuleInfo, plan: RewritePlan, private readonly allowTables: boolean) {
    this.info = info;
    this.plan = plan;
    this.src = info.bytes;
    // About one run per 6 bytes of code with fuel (SQLite: 152k for 917 kB): room for that at once.
    this.map = new OffsetMapBuilder(plan.passes.length > 0 ? Math.max(1024, Math.ceil(info.bytes.length / 5)) : 1024);
    this.extras = plan.threading ?? [];
    this.threaded = new Uint8Array(info.functions.length);
    this.wrapperOf = new Int32Array(info.functions.length).fill(-1);
    this.funcShift = plan.funcs.length;
    if (this.extras.length > 0) this.chooseThreaded();
    this.globalShift = plan.globals.length;
    this.scan.typeLimit = info.types.length;
    checkTypeReferences(info);
    if (plan.importMemories) {
      for (const m of info.memories) {
        if (!memoryConvertible(m)) break;
        this.memories.push({ name: `memory${info.importedMemories + this.memories.length}`, type: m });
      }
    }
    if (plan.importTables) {
      for (const t of info.tables) {
        if (!tableConvertible(t)) break;
        this.tables.push({ name: convertedTableName(info.importedTables + this.tables.length), type: t.type });
      }
    }
  }

  /**
   * Threads the functions that can only be called directly: not exported, not declared for reference
   * (element segments, global and table initializers: a valid module can `ref.func` nothing else), not
   * the start function, and with a type whose values the rewrite can encode.
   */
  private chooseThreaded(): void {
    const info = this.info;
    const funcs = info.importedFuncs + info.functions.length;
    // By function index: 1 referenced, 2 exported, 4 in a threaded table (flags, not sets: 40k+ functions).
    const REFERENCED = 1;
    const EXPORTED = 2;
    const IN_TABLE = 4;
    const flags = new Uint8Array(funcs);
    const mark = (f: number, bit: number): void => {
      if (f >= 0 && f < funcs) flags[f]! |= bit;
    };
    for (const e of info.exports) if (e.kind === "func") mark(e.index, EXPORTED);
    // Exported functions get a wrapper when the plan says where the values live between calls.
    const wrap = this.plan.threadGlobals?.length === this.extras.length;
    if (info.start !== undefined) mark(info.start, REFERENCED);
    if (wrap && this.allowTables) this.chooseTables((f) => mark(f, IN_TABLE));
    const exprs: ConstExpr[] = [];
    for (const seg of info.elements) {
      if (this.threadsSegment(seg)) continue; // its functions are in a threaded table
      if (seg.items.kind === "functions") for (const f of seg.items.indices) mark(f, REFERENCED);
      else exprs.push(...seg.items.exprs);
    }
    for (const g of info.globals) exprs.push(g.init);
    for (const t of info.tables) if (t.init) exprs.push(t.init);
    for (const e of exprs) {
      this.exprScan.scan(this.src, e.offset, e.offset + e.bytes.length);
      for (let k = 0; k < this.exprScan.nrefs; k++) if (this.exprScan.refKind[k] === RefKind.func) mark(this.exprScan.refValue[k]!, REFERENCED);
    }
    let any = false;
    const simpleType = new Int8Array(info.types.length).fill(-1);
    for (let i = 0; i < info.functions.length; i++) {
      const t = info.functions[i]!;
      let simple = simpleType[t] === 1;
      if (simpleType[t] === -1) {
        const type = info.types[t];
        simple = type?.kind === "func" && type.params.every(isSimple) && type.results.every(isSimple);
        simpleType[t] = simple ? 1 : 0;
      }
      const f = info.importedFuncs + i;
      const fl = flags[f]!;
      const referenced = (fl & REFERENCED) !== 0 || (!wrap && (fl & EXPORTED) !== 0);
      if (fl & IN_TABLE || (simple && !referenced)) {
        this.threaded[i] = 1;
        any = true;
        // A function of a threaded table referenced in any other way is referenced through a wrapper.
        if (fl & EXPORTED || (fl & IN_TABLE && fl & REFERENCED)) {
          this.wrapperOf[i] = info.importedFuncs + this.funcShift + info.functions.length + this.wrappers.length;
          this.wrappers.push(f);
        }
      }
    }
    if (!any) this.extras = [];
  }

  /**
   * Chooses the tables whose functions are threaded, so that `call_indirect` through them passes the
   * values as a direct call does: defined funcref tables, not exported, filled only by active segments
   * of defined functions of simple types (none the start function), in a module whose types are plain
   * function types (each its own recursion group, final: structurally equal types are then the same,
   * so giving every function of a shape and every call of that shape the same extra values keeps which
   * calls match). A body that reads or changes such a table (`table.get/set/grow/fill/copy/init`)
   * makes the module rewritten again without threaded tables (`WithoutThreadedTables`). Gives each
   * function of the chosen tables to `add`.
   */
  private chooseTables(add: (f: number) => void): void {
    const info = this.info;
    const tables = info.importedTables + info.tables.length;
    const ok = new Uint8Array(tables);
    const plain = info.types.every((t) => t.kind === "func" && t.final && t.supertypes.length === 0) && info.recGroups.every((g) => g.count === 1);
    if (!plain) return;
    info.tables.forEach((t, j) => {
      if (t.type.element === "funcref" && !t.type.table64 && t.init === undefined) ok[info.importedTables + j] = 1;
    });
    for (const e of info.exports) if (e.kind === "table" && e.index < tables) ok[e.index] = 0;
    const simpleType = new Int8Array(info.types.length).fill(-1);
    const simple = (f: number): boolean => {
      if (f < info.importedFuncs || f === info.start) return false;
      const t = info.functions[f - info.importedFuncs];
      if (t === undefined) return false;
      if (simpleType[t] === -1) {
        const type = info.types[t];
        simpleType[t] = type?.kind === "func" && type.params.every(isSimple) && type.results.every(isSimple) ? 1 : 0;
      }
      return simpleType[t] === 1;
    };
    for (const seg of info.elements) {
      if (seg.mode !== "active" || seg.table >= tables || !ok[seg.table]) continue;
      const fs = this.segmentFuncs(seg);
      if (fs === undefined || !fs.every(simple)) ok[seg.table] = 0;
    }
    this.threadedTable = ok;
    this.anyThreadedTable = ok.includes(1);
    for (const seg of info.elements) if (this.threadsSegment(seg)) for (const f of this.segmentFuncs(seg)!) add(f);
  }

  /** True when `seg` is an active segment of a threaded table (its entries are threaded bodies). */
  private threadsSegment(seg: ModuleInfo["elements"][number]): boolean {
    return seg.mode === "active" && this.threadedTable[seg.table] === 1;
  }

  /** The functions of segment `seg` (`ref.null` entries left out), or undefined when an entry is another expression. */
  private segmentFuncs(seg: ModuleInfo["elements"][number]): readonly number[] | undefined {
    if (seg.items.kind === "functions") return seg.items.indices;
    const out: number[] = [];
    for (const e of seg.items.exprs) {
      const b = e.bytes;
      if (b.length >= 3 && b[0] === 0xd0 && b[b.length - 1] === 0x0b && b.length <= 4) continue; // ref.null t
      if (b[0] !== 0xd2 || b[b.length - 1] !== 0x0b) return undefined;
      this.exprScan.scan(this.src, e.offset, e.offset + b.length);
      if (this.exprScan.n !== 2 || this.exprScan.nrefs !== 1) return undefined;
      out.push(this.exprScan.refValue[0]!);
    }
    return out;
  }

  /** The index that exports (and `ref.func`) of original function `index` use: its wrapper's, if any. */
  private externalFunc(index: number): number {
    const i = index - this.info.importedFuncs;
    return i >= 0 && i < this.wrapperOf.length && this.wrapperOf[i]! >= 0 ? this.wrapperOf[i]! : this.func(index);
  }

  private isThreaded(funcIndex: number): boolean {
    const i = funcIndex - this.info.importedFuncs;
    return i >= 0 && this.threaded[i] === 1;
  }

  private get shifting(): boolean {
    return this.funcShift > 0 || this.globalShift > 0;
  }

  run(): Rewritten {
    const info = this.info;
    // Fuel more than doubles the code (SQLite: 1.03 MB to 2.31 MB): room for that at once.
    const out = new ByteSink(Math.ceil(this.src.length * (this.plan.passes.length > 0 ? 2.5 : 1)) + 4096);
    out.copy(this.src, 0, 8);
    const pending: [number, () => void][] = [];
    const addedImports = this.plan.globals.length + this.plan.funcs.length + this.memories.length + this.tables.length;
    const hasType = info.sections.some((s) => s.id === SectionId.type);
    const hasImport = info.sections.some((s) => s.id === SectionId.import);
    const threading = this.threaded.includes(1);
    if (!hasType && (this.plan.funcs.length > 0 || threading)) pending.push([RANKS[SectionId.type]!, () => this.typeSection(out)]);
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
          if (this.plan.funcs.length > 0 || threading) this.typeSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.function:
          if (threading) this.functionSection(out);
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
          if (this.shifting || this.plan.definedGlobals.length > 0 || this.wrappers.length > 0) this.globalSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.export:
          if (this.shifting || this.wrappers.length > 0) this.exportSection(out);
          else this.copySection(out, s);
          break;
        case SectionId.start: {
          const body = new ByteSink(8);
          body.u32(this.func(info.start!));
          out.section(SectionId.start, body);
          break;
        }
        case SectionId.element:
          if (this.shifting || this.wrappers.length > 0) this.elementSection(out);
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
      wrappers: this.wrappers,
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
    if (kind === RefKind.local) return value >= this.localShiftFrom ? value + this.localShift : value;
    return kind === RefKind.func ? this.func(value) : this.global(value);
  }

  /**
   * Refuses indices past the original index spaces: renumbered, they could land on what instrumentation
   * added and make an invalid module valid. (The runtime then reports the engine's own error.)
   */
  private checkRefs(scan: BodyScan, at: number, calls?: InsnMarks): void {
    const funcCount = this.funcCount;
    const globalCount = this.globalCount;
    const { refValue, refKind } = scan;
    for (let k = 0; k < scan.nrefs; k++) {
      const kind = refKind[k]!;
      if (kind === RefKind.local) continue;
      const v = refValue[k]!;
      if (kind === RefKind.func ? v >= funcCount : v >= globalCount) {
        throw new CompileError(`unknown ${scan.refKind[k] === RefKind.func ? "function" : "global"} ${v}`, at);
      }
      // Direct calls of threaded functions pass the values along.
      if (calls !== undefined && kind === RefKind.func && scan.op[scan.refInsn[k]!] === CALL_ID && this.isThreaded(v)) calls.add(scan.refInsn[k]!);
    }
  }

  /** How the locals of function `funcIndex` are renumbered (a threaded function's extra parameters come first). */
  private localRenumbering(funcIndex: number): (j: number) => number {
    const i = funcIndex - this.info.importedFuncs;
    if (i < 0 || !this.threaded[i]) return (j) => j;
    const params = funcTypeAt(this.info, this.info.functions[i]!)?.params.length ?? 0;
    const shift = this.extras.length;
    return (j) => (j >= params ? j + shift : j);
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
    this.planThreadedTypes();
    body.u32(oldGroups + this.plan.funcs.length + this.extraTypes.length);
    if (old) body.copy(this.src, old.from, old.to);
    for (const f of this.plan.funcs) {
      body.u8(0x60);
      body.u32(f.params.length);
      for (const p of f.params) body.u8(VAL_CODE[p]!);
      body.u32(f.results.length);
      for (const r of f.results) body.u8(VAL_CODE[r]!);
    }
    for (const t of this.extraTypes) {
      body.u8(0x60);
      body.u32(t.params.length);
      body.bytes(t.params);
      body.u32(t.results.length);
      body.bytes(t.results);
    }
    out.section(SectionId.type, body);
  }

  /** Decides the types appended for threaded functions (and their bodies' block types). */
  private planThreadedTypes(): void {
    const info = this.info;
    const base = this.addedTypeBase + this.plan.funcs.length;
    const extras = Uint8Array.from(this.extras);
    const add = (params: Uint8Array, results: Uint8Array): number => {
      this.extraTypes.push({ params, results });
      return base + this.extraTypes.length - 1;
    };
    for (let i = 0; i < info.functions.length; i++) {
      if (!this.threaded[i]) continue;
      const t = info.functions[i]!;
      if (this.threadedTypes.has(t)) continue;
      const type = info.types[t] as { params: readonly ValueType[]; results: readonly ValueType[] };
      const params = Uint8Array.from([...type.params.map((v) => VAL_CODE[v as string]!), ...extras]);
      const results = Uint8Array.from([...type.results.map((v) => VAL_CODE[v as string]!), ...extras]);
      this.threadedTypes.set(t, add(params, results));
      this.threadedByShape.set(shapeOf(type), this.threadedTypes.get(t)!);
      // The body is wrapped in a block of the original results; several of them need a type.
      if (type.results.length > 1) this.threadedTypes.set(-1 - t, add(new Uint8Array(0), results.subarray(0, type.results.length)));
    }
  }

  private functionSection(out: ByteSink): void {
    const info = this.info;
    const body = new ByteSink(info.functions.length * 2 + 8);
    body.u32(info.functions.length + this.wrappers.length);
    for (let i = 0; i < info.functions.length; i++) {
      const t = info.functions[i]!;
      body.u32(this.threaded[i] ? this.threadedTypes.get(t)! : t);
    }
    for (const f of this.wrappers) body.u32(info.functions[f - info.importedFuncs]!);
    out.section(SectionId.function, body);
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
      body.u32(e.kind === "func" ? this.externalFunc(e.index) : e.kind === "global" ? this.global(e.index) : e.index);
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
      // A threaded table holds the threaded bodies; anything else refers to their wrappers.
      const inside = this.threadsSegment(seg);
      if (seg.items.kind === "functions") {
        body.u32(seg.items.indices.length);
        for (const f of seg.items.indices) body.u32(inside ? this.func(f) : this.externalFunc(f));
      } else {
        body.u32(seg.items.exprs.length);
        for (const e of seg.items.exprs) this.constExpr(body, e, !inside);
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
  private constExpr(body: ByteSink, expr: ConstExpr, external = true): void {
    const scan = this.exprScan;
    const start = expr.offset;
    const end = start + expr.bytes.length;
    scan.scan(this.src, start, end);
    this.checkRefs(scan, start);
    let cursor = start;
    for (let k = 0; k < scan.nrefs; k++) {
      const v = scan.refValue[k]!;
      const nv = external && scan.refKind[k] === RefKind.func ? this.externalFunc(v) : this.remap(scan.refKind[k]!, v);
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
      if (id === 1 && this.wrappers.length > 0) {
        if (!this.rawFunctionNames(sub, pos.pos, p)) {
          sub.length = 0;
          this.functionNames(sub);
        }
      }
      else if (id === 1) rawNameMap(sub, src, pos.pos, p, (i) => this.func(i));
      else if (id === 2) indirectNameMap(sub, names.locals, (i) => this.func(i), (f) => this.localRenumbering(f));
      else if (id === 3) {
        // Label names are numbered by the blocks of a body, and the passes add blocks: rather than
        // wrong names, none (the engine does not use them).
        if (this.plan.passes.length > 0) continue;
        indirectNameMap(sub, names.labels, (i) => this.func(i));
      }
      else if (id === 7) rawNameMap(sub, src, pos.pos, p, (i) => this.global(i));
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
  private rawFunctionNames(out: ByteSink, from: number, to: number): boolean {
    const src = this.src;
    const pos = this.pos;
    const count = readU32(src, from, pos);
    const first = pos.pos;
    const wrapped: number[] = []; // index, [from, to) of the wrapped functions' names
    const importedFuncs = this.info.importedFuncs;
    const wrapperOf = this.wrapperOf;
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
      out.u32(this.func(i));
      const nameAt = pos.pos;
      const len = readU32(src, nameAt, pos);
      p = pos.pos + len;
      out.copy(src, nameAt, p);
    }
    for (let k = 0; k < wrapped.length; k += 3) {
      out.u32(this.externalFunc(wrapped[k]!));
      out.copy(src, wrapped[k + 1]!, wrapped[k + 2]!);
    }
    return true;
  }

  /** The function names with export wrappers: each wrapper is named as its function. */
  private functionNames(out: ByteSink): void {
    const names = this.info.names.functions;
    const wrapped = this.wrappers.filter((f) => names.has(f));
    out.u32(names.size + wrapped.length);
    for (const i of [...names.keys()].sort((a, b) => a - b)) {
      out.u32(this.func(i));
      out.name(names.get(i)!);
    }
    for (const f of wrapped) {
      out.u32(this.externalFunc(f));
      out.name(names.get(f)!);
    }
  }

  // ---- code ----------------------------------------------------------------------------------------

  /** Writes the code section; returns the offset of its payload in `out`. */
  private codeSection(out: ByteSink): number {
    // List 0 holds the core's own insertions (threading); list k + 1 those of pass k. They come from
    // a pool shared by every rewrite (rewrites run one at a time), so that their buffers, grown to the
    // largest body seen, are not allocated again for every module.
    while (listPool.length < this.plan.passes.length + 1) listPool.push(new InsertList());
    const lists = listPool.slice(0, this.plan.passes.length + 1);
    try {
      return this.codeSectionWith(out, lists);
    } finally {
      for (const l of lists) l.release();
    }
  }

  private codeSectionWith(out: ByteSink, lists: InsertList[]): number {
    const info = this.info;
    out.u8(SectionId.code);
    const sizeAt = out.u32Padded(0);
    const base = out.length;
    // Bodies are written straight into `out`; map offsets are recorded relative to `base`.
    const extraLocals: number[] = [];
    const values: number[] = [];
    const threadedCalls = this.threadedCalls;
    // Locals shared between passes, by key (a pass or two ask: a list beats a map cleared per body).
    const sharedKeys: string[] = [];
    const sharedLocals: number[] = [];
    let funcIndex = 0;
    let paramCount = 0;
    let localBase = 0;
    let currentPass = 0;
    let threaded = false;
    const ctx: FunctionContext = {
      get funcIndex() { return funcIndex; },
      get paramCount() { return paramCount; },
      get threaded() { return threaded; },
      bytes: this.src,
      scan: this.scan,
      insert: (insn, snippet, mapTo) => lists[currentPass + 1]!.add(insn * 16 + 1 + currentPass, snippet, mapTo ?? insn),
      replace: (insn, r, from, to) => {
        const list = lists[currentPass + 1]!;
        if (r instanceof Uint8Array) list.addBytes(insn * 16 + 15, r, from ?? 0, to ?? r.length, insn);
        else list.add(insn * 16 + 15, r, insn);
      },
      get addedLocals() { return extraLocals; },
      addLocal: (typeCode) => {
        extraLocals.push(typeCode);
        return localBase + extraLocals.length - 1;
      },
      sharedLocal: (key, typeCode) => {
        const k = sharedKeys.indexOf(key);
        if (k >= 0) return sharedLocals[k]!;
        extraLocals.push(typeCode);
        sharedKeys.push(key);
        return sharedLocals[sharedLocals.push(localBase + extraLocals.length - 1) - 1]!;
      },
      isThreaded: (f) => this.isThreaded(f),
      callsThreaded: (insn) => threadedCalls.has(insn),
      threadParam: (slot) => paramCount + slot,
      threadValue: (slot, local) => {
        values[slot] = local;
      },
    };
    out.u32(info.code.length + this.wrappers.length);
    for (let i = 0; i < info.code.length; i++) {
      const body = info.code[i]!;
      funcIndex = info.importedFuncs + i;
      paramCount = funcTypeAt(info, info.functions[i]!)?.params.length ?? 0;
      threaded = this.threaded[i] === 1;
      const shift = threaded ? this.extras.length : 0;
      this.localShiftFrom = paramCount;
      this.localShift = shift;
      localBase = paramCount + shift + body.localCount;
      extraLocals.length = 0;
      sharedKeys.length = 0;
      sharedLocals.length = 0;
      values.length = 0;
      const codeEnd = body.codeOffset + body.code.length;
      this.scan.localLimit = paramCount + body.localCount;
      // Only declared locals move (the threaded values come after the parameters).
      this.scan.recordLocals = shift > 0 && body.localCount > 0;
      this.scan.localFrom = paramCount;
      this.scan.scan(this.src, body.codeOffset, codeEnd);
      threadedCalls.reset(this.scan.n);
      this.checkRefs(this.scan, body.codeOffset, this.extras.length > 0 ? threadedCalls : undefined);
      if (this.extras.length > 0 && this.anyThreadedTable && this.threadedByShape.size > 0 && this.scan.mask & (OpClass.callIndirect | OpClass.tableAccess)) {
        this.indirectCalls(threadedCalls);
      }
      for (let k = 0; k < lists.length; k++) lists[k]!.reset();
      for (let k = 0; k < this.plan.passes.length; k++) {
        currentPass = k;
        this.plan.passes[k]!.visit(ctx);
      }
      if (this.extras.length > 0) this.threadCalls(lists[0]!, threaded, values, info.functions[i]!, threadedCalls, ctx.addLocal);
      const locals = paramCount + shift + body.localCount + extraLocals.length;
      if (locals > MAX_ENGINE_LOCALS && paramCount + body.localCount <= MAX_ENGINE_LOCALS) {
        throw new CompileError(
          `function ${funcIndex} has ${paramCount + body.localCount} parameters and locals; instrumentation (fuel, interruption) needs ${locals - paramCount - body.localCount} more, past the engine's limit of ${MAX_ENGINE_LOCALS}: compile it without instrumentation, or with fewer locals`,
          body.offset,
        );
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
    for (const f of this.wrappers) this.writeWrapper(out, base, f);
    out.patchU32(sizeAt, out.length - base);
    return base;
  }

  /**
   * The export wrapper of threaded function `f`: its parameters and the threaded values from their
   * globals go to the threaded body; the values coming back are stored, the results returned. Its code
   * maps to the start of `f`'s body (frames in it stand for `f`; see `Rewritten.wrappers`).
   */
  private writeWrapper(out: ByteSink, base: number, f: number): void {
    const info = this.info;
    const i = f - info.importedFuncs;
    const globals = this.plan.threadGlobals!;
    const params = funcTypeAt(info, info.functions[i]!)?.params.length ?? 0;
    const sizeAt = out.u32Padded(0);
    const bodyStart = out.length;
    this.map.insertRun(out.length - base, info.code[i]!.codeOffset);
    out.u8(0); // no locals
    for (let p = 0; p < params; p++) {
      out.u8(0x20); // local.get
      out.u32(p);
    }
    for (const g of globals) {
      out.u8(0x23); // global.get
      out.u32(g);
    }
    out.u8(0x10); // call
    out.u32(this.func(f));
    for (let k = globals.length - 1; k >= 0; k--) {
      out.u8(0x24); // global.set
      out.u32(globals[k]!);
    }
    out.u8(0x0b);
    out.patchU32(sizeAt, out.length - bodyStart);
  }

  /** `threadedByShape` of each type index's shape (-1: none), filled as `indirectCalls` meets them. */
  private readonly threadedByType = new Map<number, number>();

  /** `call_indirect` type of each threaded indirect call of the body being written, by instruction. */
  private readonly indirectTypes = new Map<number, number>();

  /**
   * Finds the `call_indirect`s of the body just scanned through threaded tables with a threaded shape
   * (added to `calls`, their new type in `indirectTypes`); refuses bodies that access threaded tables.
   */
  private indirectCalls(calls: InsnMarks): void {
    const { n, op: ops, start } = this.scan;
    const bytes = this.src;
    const tables = this.threadedTable;
    this.indirectTypes.clear();
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      const access = TABLE_ACCESS[o]!;
      if (o !== CALL_INDIRECT_ID && access === 0) continue;
      const end = start[i + 1]!;
      let p = start[i]! + 1;
      if (bytes[start[i]!] === 0xfc) p = lebEndAt(bytes, p); // table.init/copy/grow/fill: a prefixed opcode
      const first = readLeb(bytes, p, end);
      while (bytes[p]! & 0x80) p++;
      p++;
      if (o === CALL_INDIRECT_ID) {
        const table = readLeb(bytes, p, end);
        const type = this.info.types[first];
        if (tables[table] !== 1 || type?.kind !== "func") continue;
        // The threaded type of this type's shape, by type index (a shape is a string: made once per type).
        let threaded = this.threadedByType.get(first);
        if (threaded === undefined) {
          threaded = this.threadedByShape.get(shapeOf(type as { params: readonly ValueType[]; results: readonly ValueType[] })) ?? -1;
          this.threadedByType.set(first, threaded);
        }
        if (threaded < 0) continue;
        calls.add(i);
        this.indirectTypes.set(i, threaded);
        continue;
      }
      const second = access === 1 ? -1 : readLeb(bytes, p, end);
      if ((access !== 2 && tables[first] === 1) || (access !== 1 && tables[second] === 1)) throw new WithoutThreadedTables();
    }
  }

  /**
   * The core's insertions for threading in the body just scanned: threaded callees get the values as
   * extra arguments and hand them back; a threaded function wraps its body in a block of its results
   * (so that branches to the function's label still carry just those) and returns the values after them.
   */
  private threadCalls(list: InsertList, threaded: boolean, values: readonly number[], typeIndex: number, calls: InsnMarks, addLocal: (typeCode: number) => number): void {
    let indirectTemp = -1;
    const scan = this.scan;
    const { n, op: ops } = scan;
    if (values.length !== this.extras.length) throw new WasmhostBug("a pass did not say where its threaded value lives");
    const push = this.valueSnippet(values, 0);
    const pop = this.valueSnippet(values, 1);
    if (threaded) list.add(0, this.bodyBlock(typeIndex), 0);
    const bytes = this.src;
    let depth = 0;
    // Nothing to look at in a body without calls, returns and (in a threaded one) branches.
    const mask = OpClass.unusual | OpClass.call | OpClass.callIndirect | (threaded ? OpClass.return | OpClass.branch : 0);
    for (let i = (scan.mask & mask) === 0 ? n : 0; i < n; i++) {
      const o = ops[i]!;
      if (NO_THREADING[o]) throw new WithoutThreading();
      if (threaded) {
        // The body's block adds a label: a branch past the function's own must stay invalid.
        const st = STRUCTURE[o]!;
        if (st === 1) depth++;
        else if (st === 2) depth--;
        else if (st === 3) {
          if (readLeb(bytes, scan.start[i]! + 1, scan.start[i + 1]!) > depth) throw new CompileError("unknown label", scan.start[i]);
        } else if (st === 4) {
          let p = scan.start[i]! + 1;
          const end = scan.start[i + 1]!;
          const count = readLeb(bytes, p, end);
          while (bytes[p]! & 0x80) p++;
          p++;
          for (let k = 0; k <= count; k++) {
            if (readLeb(bytes, p, end) > depth) throw new CompileError("unknown label", scan.start[i]);
            while (bytes[p]! & 0x80) p++;
            p++;
          }
        }
      }
      if (o === CALL_ID) {
        if (calls.has(i)) {
          list.add(i * 16 + 10, push, i);
          list.add((i + 1) * 16, pop, i);
        }
      } else if (o === CALL_INDIRECT_ID && calls.has(i)) {
        // The values go under the table index: it waits in a local meanwhile.
        if (indirectTemp < 0) indirectTemp = addLocal(0x7f);
        list.add(i * 16 + 10, this.indirectPush(values, indirectTemp), i);
        list.add(i * 16 + 15, this.threadedIndirect(this.indirectTypes.get(i)!, bytes, lebEndAt(bytes, scan.start[i]! + 1), scan.start[i + 1]!), i);
        list.add((i + 1) * 16, pop, i);
      } else if (o === RETURN_ID && threaded) {
        list.add(i * 16 + 10, push, i);
      }
    }
    if (threaded) list.add(n * 16, this.valueSnippet(values, 2), n - 1);
  }

  /** `call_indirect` of the threaded type `type` through the table whose index is `bytes[from..to)`, by both. */
  private readonly indirects = new Map<number, Snippet>();
  private threadedIndirect(type: number, bytes: Uint8Array, from: number, to: number): Snippet {
    const table = readLeb(bytes, from, to);
    const key = type * 2 ** 32 + table;
    let s = this.indirects.get(key);
    if (!s) {
      const b = new ByteSink(12);
      b.u8(0x11);
      b.u32(type);
      b.copy(bytes, from, to); // the table index, as it was encoded
      this.indirects.set(key, (s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 }));
    }
    return s;
  }

  /** The block a threaded body of type `typeIndex` is wrapped in (`block` of its results), by type. */
  private readonly bodyBlocks: Snippet[] = [];
  private bodyBlock(typeIndex: number): Snippet {
    let s = this.bodyBlocks[typeIndex];
    if (!s) {
      const type = this.info.types[typeIndex] as { results: readonly ValueType[] };
      const b = new ByteSink(8);
      b.u8(0x02); // block
      if (type.results.length === 0) b.u8(0x40);
      else if (type.results.length === 1) valueType(b, type.results[0]!);
      else b.sleb(this.threadedTypes.get(-1 - typeIndex)!); // a block type index is an s33 (64 would read as 0x40, empty)
      this.bodyBlocks[typeIndex] = s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
    }
    return s;
  }

  private readonly valueSnippets = new Map<string | number, Snippet>();

  /** Before a threaded `call_indirect`: `local.set $temp`, `local.get` of each value, `local.get $temp`. */
  private indirectPush(values: readonly number[], temp: number): Snippet {
    const v0 = values[0] ?? 0;
    const v1 = values.length > 1 ? values[1]! + 1 : 0;
    const key = values.length <= 2 && temp < 2 ** 17 && v0 < 2 ** 17 && v1 < 2 ** 17
      ? -1 - ((temp * 2 ** 17 + v0) * 2 ** 17 + v1) // negative: apart from `valueSnippet`'s keys
      : `i${temp}:${values.join(",")}`;
    let s = this.valueSnippets.get(key);
    if (!s) {
      const b = new ByteSink(16);
      b.u8(0x21);
      b.u32(temp);
      for (const v of values) {
        b.u8(0x20);
        b.u32(v);
      }
      b.u8(0x20);
      b.u32(temp);
      s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
      this.valueSnippets.set(key, s);
    }
    return s;
  }

  /**
   * `local.get` of each value in order (`kind` 0), `local.set` of each in reverse order (1), or the
   * `local.get`s and an `end` (2: the end of a threaded body).
   */
  private valueSnippet(values: readonly number[], kind: 0 | 1 | 2): Snippet {
    // A number for the usual one or two values (no string built per body).
    const v0 = values[0] ?? 0;
    const v1 = values.length > 1 ? values[1]! + 1 : 0;
    const key = values.length <= 2 && v0 < 2 ** 21 && v1 < 2 ** 21 ? (v0 * 2 ** 21 + v1) * 4 + kind : `${kind}:${values.join(",")}`;
    let s = this.valueSnippets.get(key);
    if (!s) {
      const b = new ByteSink(12);
      if (kind === 1) {
        for (let k = values.length - 1; k >= 0; k--) {
          b.u8(0x21);
          b.u32(values[k]!);
        }
      } else {
        for (const v of values) {
          b.u8(0x20);
          b.u32(v);
        }
        if (kind === 2) b.u8(0x0b); // end of the function (the original `end` closed the block)
      }
      s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
      this.valueSnippets.set(key, s);
    }
    return s;
  }

  /** Copies code `[from, to)` into `out`, inserting the passes' snippets and renumbering indices. */
  private heads = new Int32Array(8);
  private readonly active: InsertList[] = [];
  private readonly pos = { pos: 0 };

  private writeCode(out: ByteSink, base: number, from: number, to: number, lists: InsertList[]): void {
    const scan = this.scan;
    const src = this.src;
    const map = this.map;
    const start = scan.start;
    if (this.heads.length < lists.length) this.heads = new Int32Array(lists.length);
    const heads = this.heads;
    // Only the lists with something in them take part in the merge below.
    const active = this.active;
    let nactive = 0;
    for (let k = 0; k < lists.length; k++) {
      const l = lists[k]!;
      if (l.n > 0) {
        heads[nactive] = 0;
        active[nactive++] = l;
      }
    }
    // Renumbering, inlined (most immediates are locals of threaded functions).
    const { refAt, refEnd, refKind, refValue, refInsn } = scan;
    const nrefs = this.shifting || this.localShift > 0 ? scan.nrefs : 0;
    const importedFuncs = this.info.importedFuncs;
    const importedGlobals = this.info.importedGlobals;
    const funcShift = this.funcShift;
    const globalShift = this.globalShift;
    const localFrom = this.localShiftFrom;
    const localShift = this.localShift;
    const wrapperOf = this.wrappers.length > 0 ? this.wrapperOf : undefined;
    const ops = scan.op;
    let ref = 0;
    let cursor = from;
    map.copyRun(out.length - base, from);
    for (;;) {
      // The next insertion or replacement (by instruction, insertions first, then pass order).
      let best = -1;
      let bestKey = 0x7fffffff; // past every key (an int: the keys are 16 * insn + priority)
      let bestAt = to;
      for (let k = 0; k < nactive; k++) {
        const l = active[k]!;
        const h = heads[k]!;
        if (h < l.n && l.key[h]! < bestKey) {
          bestKey = l.key[h]!;
          bestAt = start[bestKey >>> 4]!;
          best = k;
        }
      }
      // The original bytes up to it, copied as one block, then the renumbered immediates in it
      // patched in place: one whose new value fits in the bytes of the old one (nearly all: indices
      // move up by a few) is written padded to the same length, so the offsets stay one to one and the
      // map needs no run. One that does not fit cuts the block there, and the copy resumes after it.
      if (bestAt > cursor) {
        let blockFrom = cursor;
        let outFrom = out.length;
        out.copy(src, cursor, bestAt);
        for (; ref < nrefs; ref++) {
          const at = refAt[ref]!;
          if (at >= bestAt) break;
          if (at < blockFrom) continue; // inside a replaced instruction
          const v = refValue[ref]!;
          const kind = refKind[ref]!;
          let nv = kind === RefKind.local ? (v >= localFrom ? v + localShift : v)
            : kind === RefKind.func ? (v >= importedFuncs ? v + funcShift : v)
            : v >= importedGlobals ? v + globalShift : v;
          // Only a direct call enters a wrapped function's threaded body; a reference is to its wrapper.
          if (wrapperOf !== undefined && kind === RefKind.func && v >= importedFuncs && wrapperOf[v - importedFuncs]! >= 0 && ops[refInsn[ref]!] !== CALL_ID) {
            nv = wrapperOf[v - importedFuncs]!;
          }
          if (nv === v) continue;
          const end = refEnd[ref]!;
          const len = end - at;
          if (len === 5 || nv < FITS[len]!) {
            const buf = out.buf;
            let w = outFrom + (at - blockFrom);
            for (let k = 1; k < len; k++) {
              buf[w++] = (nv & 0x7f) | 0x80;
              nv >>>= 7;
            }
            buf[w] = nv;
            continue;
          }
          out.length = outFrom + (at - blockFrom);
          map.insertRun(out.length - base, start[refInsn[ref]!]!);
          out.u32(nv);
          map.copyRun(out.length - base, end);
          blockFrom = end;
          outFrom = out.length;
          out.copy(src, end, bestAt);
        }
        cursor = bestAt;
      }
      if (best < 0) break;
      const l = active[best]!;
      const h = heads[best]!;
      const snippet = l.snip[h]!;
      const mapTo = start[l.mapTo[h]!]!;
      heads[best]!++;
      map.insertRun(out.length - base, mapTo);
      if (snippet === IN_ARENA) {
        const at = l.at[h]!;
        out.copy(l.arena, at, at + l.len[h]!);
      } else {
        if (snippet.trapAt >= 0) map.trap(out.length - base + snippet.trapAt, snippet.trapKind);
        if (snippet.moreTraps) for (const t of snippet.moreTraps) map.trap(out.length - base + t, snippet.trapKind);
        out.bytes(snippet.bytes);
      }
      if ((bestKey & 15) === 15) cursor = start[(bestKey >>> 4) + 1]!; // a replacement: skip the original
      map.copyRun(out.length - base, cursor);
    }
  }
}

/** A plain function type's shape: its parameter and result types (simple ones, see `isSimple`). */
function shapeOf(type: { readonly params: readonly ValueType[]; readonly results: readonly ValueType[] }): string {
  return `${type.params.join(",")}>${type.results.join(",")}`;
}

/** The position after the LEB128 at `p`. */
function lebEndAt(bytes: Uint8Array, p: number): number {
  while (bytes[p]! & 0x80) p++;
  return p + 1;
}

/** Whether a value type can be a threaded function's parameter or result (numbers and the 2.0 references). */
function isSimple(t: ValueType): boolean {
  return typeof t === "string";
}

