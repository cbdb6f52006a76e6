/**
 * Which functions and tables a rewrite threads, and the function types it appends for them. Decided
 * once per module, before anything is written: the results are left in the `RewriteState` (`threaded`,
 * `wrapperOf`, `wrappers`, `threadedTable`, then `threadedTypes`, `extraTypes`, `threadedByShape`) for
 * the section and code writers (the insertions themselves are in `thread-calls.ts`).
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
 * @module
 */
import type { ConstExpr, ModuleInfo, ValueType } from "../binary/module-info.js";
import { RefKind } from "./scan.js";
import { VAL_CODE } from "./encode.js";
import type { RewriteState } from "./rewrite-state.js";

/**
 * Threads the functions that can only be called directly: not exported, not declared for reference
 * (element segments, global and table initializers: a valid module can `ref.func` nothing else), not
 * the start function, and with a type whose values the rewrite can encode.
 */
export function chooseThreaded(st: RewriteState): void {
  const info = st.info;
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
  const wrap = st.plan.threadGlobals?.length === st.extras.length;
  if (info.start !== undefined) mark(info.start, REFERENCED);
  if (wrap && st.allowTables) chooseTables(st, (f) => mark(f, IN_TABLE));
  const exprs: ConstExpr[] = [];
  for (const seg of info.elements) {
    if (threadsSegment(st, seg)) continue; // its functions are in a threaded table
    if (seg.items.kind === "functions") for (const f of seg.items.indices) mark(f, REFERENCED);
    else exprs.push(...seg.items.exprs);
  }
  for (const g of info.globals) exprs.push(g.init);
  for (const t of info.tables) if (t.init) exprs.push(t.init);
  for (const e of exprs) {
    st.exprScan.scan(st.src, e.offset, e.offset + e.bytes.length);
    for (let k = 0; k < st.exprScan.nrefs; k++) if (st.exprScan.refKind[k] === RefKind.func) mark(st.exprScan.refValue[k]!, REFERENCED);
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
      st.threaded[i] = 1;
      any = true;
      // A function of a threaded table referenced in any other way is referenced through a wrapper.
      if (fl & EXPORTED || (fl & IN_TABLE && fl & REFERENCED)) {
        st.wrapperOf[i] = info.importedFuncs + st.funcShift + info.functions.length + st.wrappers.length;
        st.wrappers.push(f);
      }
    }
  }
  if (!any) st.extras = [];
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
function chooseTables(st: RewriteState, add: (f: number) => void): void {
  const info = st.info;
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
    const fs = segmentFuncs(st, seg);
    if (fs === undefined || !fs.every(simple)) ok[seg.table] = 0;
  }
  st.threadedTable = ok;
  st.anyThreadedTable = ok.includes(1);
  for (const seg of info.elements) if (threadsSegment(st, seg)) for (const f of segmentFuncs(st, seg)!) add(f);
}

/** True when `seg` is an active segment of a threaded table (its entries are threaded bodies). */
export function threadsSegment(st: RewriteState, seg: ModuleInfo["elements"][number]): boolean {
  return seg.mode === "active" && st.threadedTable[seg.table] === 1;
}

/** The functions of segment `seg` (`ref.null` entries left out), or undefined when an entry is another expression. */
function segmentFuncs(st: RewriteState, seg: ModuleInfo["elements"][number]): readonly number[] | undefined {
  if (seg.items.kind === "functions") return seg.items.indices;
  const out: number[] = [];
  for (const e of seg.items.exprs) {
    const b = e.bytes;
    if (b.length >= 3 && b[0] === 0xd0 && b[b.length - 1] === 0x0b && b.length <= 4) continue; // ref.null t
    if (b[0] !== 0xd2 || b[b.length - 1] !== 0x0b) return undefined;
    st.exprScan.scan(st.src, e.offset, e.offset + b.length);
    if (st.exprScan.n !== 2 || st.exprScan.nrefs !== 1) return undefined;
    out.push(st.exprScan.refValue[0]!);
  }
  return out;
}

/** Decides the types appended for threaded functions (and their bodies' block types). */
export function planThreadedTypes(st: RewriteState): void {
  const info = st.info;
  const base = st.addedTypeBase + st.plan.funcs.length;
  const extras = Uint8Array.from(st.extras);
  const add = (params: Uint8Array, results: Uint8Array): number => {
    st.extraTypes.push({ params, results });
    return base + st.extraTypes.length - 1;
  };
  for (let i = 0; i < info.functions.length; i++) {
    if (!st.threaded[i]) continue;
    const t = info.functions[i]!;
    if (st.threadedTypes.has(t)) continue;
    const type = info.types[t] as { params: readonly ValueType[]; results: readonly ValueType[] };
    const params = Uint8Array.from([...type.params.map((v) => VAL_CODE[v as string]!), ...extras]);
    const results = Uint8Array.from([...type.results.map((v) => VAL_CODE[v as string]!), ...extras]);
    st.threadedTypes.set(t, add(params, results));
    st.threadedByShape.set(shapeOf(type), st.threadedTypes.get(t)!);
    // The body is wrapped in a block of the original results; several of them need a type.
    if (type.results.length > 1) st.threadedTypes.set(-1 - t, add(new Uint8Array(0), results.subarray(0, type.results.length)));
  }
}

/** A plain function type's shape: its parameter and result types (simple ones, see `isSimple`). */
export function shapeOf(type: { readonly params: readonly ValueType[]; readonly results: readonly ValueType[] }): string {
  return `${type.params.join(",")}>${type.results.join(",")}`;
}

/** Whether a value type can be a threaded function's parameter or result (numbers and the 2.0 references). */
function isSimple(t: ValueType): boolean {
  return typeof t === "string";
}
