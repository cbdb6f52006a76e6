/**
 * What one rewrite knows and every part of it reads: the decoded module and the plan, how far each
 * index space moves, the memories and tables turned into imports, which functions and tables are
 * threaded (filled in by `threading.ts`), and the index renumbering all the writers share. The parts
 * (sections, names, code, threading) take a `RewriteState` as their context; their imports go one
 * way, from `rewrite.ts` through the writers (`code-section.ts` uses `thread-calls.ts`, which and
 * `sections.ts` use `threading.ts`) down to this file, which imports none of them.
 *
 * @module
 */
import { op } from "../binary/opcodes.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { funcTypeAt } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import { OffsetMapBuilder } from "./offsets.js";
import { BodyScan, RefKind } from "./scan.js";
import type { InsnMarks } from "./insert-list.js";
import { convertedTableName, convertibleTableCount, memoryConvertible, type ConvertedMemory, type ConvertedTable, type RewritePlan } from "./plan.js";

/** The opcode id of `call` (direct calls of threaded functions pass the threaded values). */
export const CALL_ID = op("call").id;

/** The scan of the body being rewritten (see `RewriteState.scan`). */
let sharedScan: BodyScan | undefined;

/** The state of one rewrite of a module, shared by the parts that write it (see the module comment). */
export class RewriteState {
  /** The module being rewritten. */
  readonly info: ModuleInfo;
  /** What the passes ask for. */
  readonly plan: RewritePlan;
  /** The original binary (`info.bytes`). */
  readonly src: Uint8Array;
  /** How far defined functions move up (the added function imports). */
  readonly funcShift: number;
  /** How far defined globals move up (the added global imports). */
  readonly globalShift: number;
  /** Whether the threading may use tables (`chooseTables`); false on the retry without them. */
  readonly allowTables: boolean;
  /** The leading defined memories turned into imports. */
  readonly memories: ConvertedMemory[] = [];
  /** The leading defined tables turned into imports. */
  readonly tables: ConvertedTable[] = [];
  /** Shared by every rewrite (they run one at a time): grown once to the largest body seen. */
  readonly scan = (sharedScan ??= new BodyScan());
  /** The scan of constant expressions (and element entries). */
  readonly exprScan = new BodyScan();
  /** The code offset map being built. */
  readonly map: OffsetMapBuilder;
  /** The index of the first type appended to the type section (set by the type section's writer). */
  addedTypeBase = 0;
  /** For each defined function: 1 when it is threaded. */
  readonly threaded: Uint8Array;
  /** The extra values of threaded functions (value type codes); empty when no function is threaded. */
  extras: readonly number[];
  /** Types appended for threaded functions: original type index -> new type index (filled by `typeSection`). */
  readonly threadedTypes = new Map<number, number>();
  /** Function types appended to the type section after the added functions' ones: [params, results] as type codes. */
  readonly extraTypes: { params: Uint8Array; results: Uint8Array }[] = [];
  /** For each defined function: its export wrapper's index after rewriting, or -1 (see `RewritePlan.threadGlobals`). */
  readonly wrapperOf: Int32Array;
  /** The original index of each export wrapper, in order. */
  readonly wrappers: number[] = [];
  /** For each table (imported, then defined): 1 when its functions are threaded (see `chooseTables`). */
  threadedTable = new Uint8Array(0);
  /** Whether any table is threaded. */
  anyThreadedTable = false;
  /** Threaded function types by shape (`shapeOf`), for `call_indirect` through threaded tables. */
  readonly threadedByShape = new Map<string, number>();
  /** Renumbering of locals in the body being written: indices >= `localShiftFrom` move up by `localShift`. */
  localShiftFrom = 0;
  /** See `localShiftFrom`. */
  localShift = 0;
  /** A position for `readU32`, reused. */
  readonly pos = { pos: 0 };

  constructor(info: ModuleInfo, plan: RewritePlan, allowTables: boolean) {
    this.info = info;
    this.plan = plan;
    this.allowTables = allowTables;
    this.src = info.bytes;
    // About one run per 6 bytes of code with fuel (SQLite: 152k for 917 kB): room for that at once.
    this.map = new OffsetMapBuilder(plan.passes.length > 0 ? Math.max(1024, Math.ceil(info.bytes.length / 5)) : 1024);
    this.extras = plan.threading ?? [];
    this.threaded = new Uint8Array(info.functions.length);
    this.wrapperOf = new Int32Array(info.functions.length).fill(-1);
    this.funcShift = plan.funcs.length;
    this.globalShift = plan.globals.length;
  }

  /** Turns the leading convertible memories and tables into imports, as the plan asks. */
  convertResources(): void {
    const info = this.info;
    if (this.plan.importMemories) {
      for (const m of info.memories) {
        if (!memoryConvertible(m)) break;
        this.memories.push({ name: `memory${info.importedMemories + this.memories.length}`, type: m });
      }
    }
    if (this.plan.importTables) {
      const n = convertibleTableCount(info);
      for (let k = 0; k < n; k++) this.tables.push({ name: convertedTableName(info.importedTables + k), type: info.tables[k]!.type });
    }
  }

  /** Whether function or global indices move (then sections that hold them are rewritten). */
  get shifting(): boolean {
    return this.funcShift > 0 || this.globalShift > 0;
  }

  /** The original function and global index spaces' sizes. */
  get funcCount(): number {
    return this.info.importedFuncs + this.info.functions.length;
  }

  /** See `funcCount`. */
  get globalCount(): number {
    return this.info.importedGlobals + this.info.globals.length;
  }

  // ---- index renumbering ---------------------------------------------------------------------------

  /** Function `index` after rewriting. */
  func(index: number): number {
    return index >= this.info.importedFuncs ? index + this.funcShift : index;
  }

  /** Global `index` after rewriting. */
  global(index: number): number {
    return index >= this.info.importedGlobals ? index + this.globalShift : index;
  }

  /** An index immediate of kind `kind` (`RefKind`) after rewriting. */
  remap(kind: number, value: number): number {
    if (kind === RefKind.local) return value >= this.localShiftFrom ? value + this.localShift : value;
    return kind === RefKind.func ? this.func(value) : this.global(value);
  }

  /** The index that exports (and `ref.func`) of original function `index` use: its wrapper's, if any. */
  externalFunc(index: number): number {
    const i = index - this.info.importedFuncs;
    return i >= 0 && i < this.wrapperOf.length && this.wrapperOf[i]! >= 0 ? this.wrapperOf[i]! : this.func(index);
  }

  /** Whether original function `funcIndex` is threaded. */
  isThreaded(funcIndex: number): boolean {
    const i = funcIndex - this.info.importedFuncs;
    return i >= 0 && this.threaded[i] === 1;
  }

  /**
   * Refuses indices past the original index spaces: renumbered, they could land on what instrumentation
   * added and make an invalid module valid. (The runtime then reports the engine's own error.)
   */
  checkRefs(scan: BodyScan, at: number, calls?: InsnMarks): void {
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
  localRenumbering(funcIndex: number): (j: number) => number {
    const i = funcIndex - this.info.importedFuncs;
    if (i < 0 || !this.threaded[i]) return (j) => j;
    const params = funcTypeAt(this.info, this.info.functions[i]!)?.params.length ?? 0;
    const shift = this.extras.length;
    return (j) => (j >= params ? j + shift : j);
  }
}
