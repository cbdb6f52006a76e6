/**
 * The re-encoding core shared by every instrumentation pass: decoded module in, rewritten binary out.
 * This file is its entry: it decides which sections are written again and which are copied whole (a
 * section that nothing touches is copied), in the order the binary format wants, and composes the
 * parts, which depend on one another one way only, down to the state they share:
 * - `rewrite-state.ts`: what one rewrite knows (module, plan, shifts, threading decisions) and the
 *   index renumbering;
 * - `threading.ts`: which functions and tables are threaded, and their types;
 * - `sections.ts`: every section but the code and the names; `name-section.ts`: the names;
 * - `code-section.ts`: the bodies, with the passes' insertions; `thread-calls.ts`: the core's own
 *   insertions for threading, and the export wrappers.
 * The plan's types are in `plan.ts`, the encoders in `encode.ts`, the insertion lists in
 * `insert-list.ts`.
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
 * Threading (see `threading.ts`): functions that can only be called directly, exported functions
 * (through wrappers) and the functions of tables only the module's own `call_indirect`s use get the
 * passes' per-call state as extra parameters and results instead of through globals. A module that
 * turns out to need more care is rewritten again without threaded tables (`WithoutThreadedTables`),
 * or without threading at all (`WithoutThreading`).
 *
 * Speed. The scan records which classes of instructions a body holds (`OpClass`), so that the core and
 * the passes skip the walks a body gives them nothing to do in; how bodies are copied and patched
 * rather than re-encoded is in `code-section.ts`.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import { SectionId } from "../binary/module-info.js";
import { checkTypeReferences } from "./type-refs.js";
import { OffsetMap } from "./offsets.js";
import { ByteSink } from "./sink.js";
import { valueType } from "./encode.js";
import {
  HOST_MODULE,
  memoryConvertible,
  tableConvertible,
  type RewritePlan,
  type Rewritten,
} from "./plan.js";
import { RewriteState } from "./rewrite-state.js";
import { chooseThreaded } from "./threading.js";
import { ThreadCalls, WithoutThreadedTables, WithoutThreading } from "./thread-calls.js";
import { CodeWriter } from "./code-section.js";
import { BRANCH_HINT_SECTION } from "./branch-hints.js";
import { nameSection } from "./name-section.js";
import {
  copySection,
  dataSection,
  elementSection,
  exportSection,
  functionSection,
  globalSection,
  importSection,
  memorySection,
  startSection,
  tableSection,
  typeSection,
} from "./sections.js";

// The plan's types, for the passes (they import them from here, with the core).
export { HOST_MODULE, memoryConvertible, tableConvertible, valueType };
export type { AddedFunc, AddedGlobal, BodyPass, ConvertedMemory, ConvertedTable, DefinedGlobal, FunctionContext, RewritePlan, Rewritten, Snippet } from "./plan.js";

/** The order of the sections (by id): the rank the binary format gives each. */
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

/** One rewrite of a module: decides what is threaded, then writes the sections in order. */
class Rewriter {
  private readonly st: RewriteState;

  constructor(info: ModuleInfo, plan: RewritePlan, allowTables: boolean) {
    const st = (this.st = new RewriteState(info, plan, allowTables));
    if (st.extras.length > 0) chooseThreaded(st);
    st.scan.typeLimit = info.types.length;
    checkTypeReferences(info);
    st.convertResources();
  }

  /** Writes the rewritten module: each section rewritten, copied or (when the plan needs it) added. */
  run(): Rewritten {
    const st = this.st;
    const info = st.info;
    // Fuel more than doubles the code (SQLite: 1.03 MB to 2.31 MB): room for that at once.
    const out = new ByteSink(Math.ceil(st.src.length * (st.plan.passes.length > 0 ? 2.5 : 1)) + 4096);
    out.copy(st.src, 0, 8);
    const pending: [number, () => void][] = [];
    const addedImports = st.plan.globals.length + st.plan.funcs.length + st.memories.length + st.tables.length;
    const hasType = info.sections.some((s) => s.id === SectionId.type);
    const hasImport = info.sections.some((s) => s.id === SectionId.import);
    const threading = st.threaded.includes(1);
    if (!hasType && (st.plan.funcs.length > 0 || threading)) pending.push([RANKS[SectionId.type]!, () => typeSection(st, out)]);
    if (!hasImport && addedImports > 0) pending.push([RANKS[SectionId.import]!, () => importSection(st, out)]);
    if (!info.sections.some((s) => s.id === SectionId.global) && st.plan.definedGlobals.length > 0) {
      pending.push([RANKS[SectionId.global]!, () => globalSection(st, out)]);
    }
    let codeBase = -1;
    let codeMoved = 0;
    const rewritesCode = st.shifting || st.plan.passes.length > 0;
    const flush = (rank: number): void => {
      while (pending.length > 0 && pending[0]![0] < rank) pending.shift()![1]();
    };
    for (const s of info.sections) {
      if (s.id !== SectionId.custom) flush(RANKS[s.id]!);
      switch (s.id) {
        case SectionId.type:
          if (st.plan.funcs.length > 0 || threading) typeSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.function:
          if (threading) functionSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.import:
          if (addedImports > 0) importSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.table:
          if (st.tables.length > 0) tableSection(st, out);
          else if (st.shifting) tableSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.memory:
          if (st.memories.length > 0) memorySection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.global:
          if (st.shifting || st.plan.definedGlobals.length > 0 || st.wrappers.length > 0) globalSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.export:
          if (st.shifting || st.wrappers.length > 0) exportSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.start:
          startSection(st, out);
          break;
        case SectionId.element:
          if (st.shifting || st.wrappers.length > 0) elementSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.code:
          if (rewritesCode) {
            const sectionAt = out.length;
            const writer = new CodeWriter(st, new ThreadCalls(st));
            codeBase = writer.write(out);
            // The hints must come before the code section, which is known only once written: moved up.
            const hints = writer.hints.section();
            if (hints) {
              out.insert(sectionAt, hints);
              codeBase += hints.length;
            }
          } else {
            codeMoved = out.length - s.offset;
            copySection(st, out, s);
          }
          break;
        case SectionId.data:
          if (st.globalShift > 0) dataSection(st, out);
          else copySection(st, out, s);
          break;
        case SectionId.custom:
          if (s.name === "name" && st.shifting && info.names.malformed === undefined) nameSection(st, out, s.payloadOffset, s.end);
          else if (s.name === BRANCH_HINT_SECTION && rewritesCode) continue; // its offsets would be stale (branch-hints.ts)
          else copySection(st, out, s);
          break;
        default:
          copySection(st, out, s);
      }
    }
    flush(100);
    const codeSection = info.sections.find((s) => s.id === SectionId.code);
    const offsets = codeBase >= 0
      ? st.map.build(codeBase)
      : OffsetMap.shifted(codeSection ? codeSection.offset : 0, codeMoved);
    return {
      bytes: out.view(),
      importedFuncs: info.importedFuncs,
      funcShift: st.funcShift,
      globalShift: st.globalShift,
      offsets,
      memories: st.memories,
      tables: st.tables,
      wrappers: st.wrappers,
    };
  }
}
