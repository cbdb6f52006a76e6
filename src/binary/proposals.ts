/**
 * Which WebAssembly proposals a module uses, read from its decoded metadata (types, imports, tables,
 * memories, globals, segments: a walk over declarations, not bytes) and, when asked, from its function
 * bodies (one pass of the instruction cursor). The runtime uses it to reject a module that needs a
 * proposal the engine's config switches off, and to name the proposal when the host engine lacks it.
 *
 * Proposals are named by their repository in the WebAssembly organisation (`multi-memory`, `gc`, ...);
 * `legacy-exceptions` is the first exception-handling design (`try`/`catch`/`delegate`), `exceptions`
 * the current one (`try_table`, `throw_ref`, `exnref`). Tags and `throw` belong to both: they count
 * as `legacy-exceptions` in a module that uses the legacy instructions and as `exceptions` otherwise.
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
  | "custom-page-sizes"
  | "shared-everything-threads";

/** The first place a module uses a proposal. */
export interface ProposalUse {
  readonly proposal: Proposal;
  /** What uses it, e.g. `"memory.grow with memory index 1"`. */
  readonly what: string;
  /** Absolute byte offset in the binary. */
  readonly offset: number;
  /**
   * The spec's wording for a module that uses the proposal where it is off, when the spec tests word
   * it (e.g. `"multiple memories"`, `"zero byte expected"`).
   */
  readonly specReason?: string;
}

/**
 * The proposals `info` uses, each with its first use, in binary order. Bodies are read only when
 * `options.code` is true (one instruction pass over all of them); declarations always.
 *
 * `options.stopAt` ends the walk at the first use of a proposal it accepts (for "is any disabled
 * proposal used?" checks, which need no complete list).
 */
export function proposalUses(
  info: ModuleInfo,
  options: { readonly code?: boolean; readonly stopAt?: (p: Proposal) => boolean } = {},
): ReadonlyMap<Proposal, ProposalUse> {
  const found = new Map<Proposal, ProposalUse>();
  const stopAt = options.stopAt;
  // Tags and `throw` serve both exception designs: which one is known only at the end.
  let sharedException: ProposalUse | undefined;
  const note: Note = (proposal, what, offset, specReason) => {
    if (proposal === SHARED_EXCEPTIONS) {
      sharedException ??= { proposal: "exceptions", what, offset };
      return;
    }
    if (!found.has(proposal)) found.set(proposal, { proposal, what, offset, ...(specReason ? { specReason } : {}) });
    if (stopAt?.(proposal)) throw STOP;
  };
  try {
    declarations(info, note);
    if (options.code) code(info, note);
    if (sharedException && !found.has("exceptions") && !found.has("legacy-exceptions")) {
      // Without the bodies read, the legacy instructions are unknown: tags count as the current design.
      note("exceptions", sharedException.what, sharedException.offset);
    }
  } catch (e) {
    if (e !== STOP) throw e;
  }
  return found;
}

/** The proposals `info` uses, its function bodies included (`proposalUses` without the places). */
export function proposalsUsed(info: ModuleInfo): Set<Proposal> {
  return new Set(proposalUses(info, { code: true }).keys());
}

const STOP = Symbol("stop");
/** Stands for "exceptions or legacy-exceptions" (tags, `throw`) while walking. */
const SHARED_EXCEPTIONS = "exceptions-or-legacy" as const;
type Note = (proposal: Proposal | typeof SHARED_EXCEPTIONS, what: string, offset: number, specReason?: string) => void;

/** The proposal a value type needs, if any (2.0's `funcref`/`externref` need reference types). */
export function valueTypeProposal(t: ValueType): Proposal | undefined {
  switch (t) {
    case "i32": case "i64": case "f32": case "f64": return undefined;
    case "v128": return "simd";
    case "funcref": case "externref": return "reference-types";
  }
  if (t.shared) return "shared-everything-threads";
  return heapTypeProposal(t.ref, t.nullable);
}

function heapTypeProposal(h: HeapType, nullable: boolean): Proposal {
  if (typeof h === "number") return "function-references";
  switch (h) {
    case "func": case "extern": return nullable ? "reference-types" : "function-references";
    case "exn": case "noexn": return "exceptions";
    case "nofunc": case "noextern": case "any": case "eq": case "i31": case "struct": case "array": case "none": return "gc";
  }
}

/** The proposal of a heap type in its s33 form (negative: abstract, as the instruction cursor reads it). */
function heapCodeProposal(h: number): Proposal | undefined {
  if (h >= 0) return "function-references";
  if (h < -0x80) return "shared-everything-threads"; // a shared abstract type (see `SHARED_HEAP_OFFSET`)
  switch (h + 0x80) {
    case 0x70: case 0x6f: return undefined; // func, extern: reference types, counted by the instruction
    case 0x69: case 0x74: return "exceptions";
    default: return "gc";
  }
}

function describeType(t: ValueType): string {
  if (typeof t === "string") return t;
  const heap = typeof t.ref === "number" ? `$${t.ref}` : t.shared ? `(shared ${t.ref})` : t.ref;
  return `(ref ${t.nullable ? "null " : ""}${heap})`;
}

function declarations(info: ModuleInfo, note: Note): void {
  const typeAt = sectionOffset(info, 1);
  const valueType = (t: ValueType, where: string, offset: number) => {
    const p = valueTypeProposal(t);
    if (!p) return;
    // Every reference type beyond funcref and externref builds on reference types.
    if (typeof t === "object" && p !== "reference-types") note("reference-types", `${describeType(t)} ${where}`, offset);
    note(p, `${describeType(t)} ${where}`, offset);
  };
  for (const g of info.recGroups) if (g.explicit) note("gc", `recursion group of types ${g.first}..${g.first + g.count - 1}`, typeAt);
  info.types.forEach((def, i) => {
    if (def.shared) note("shared-everything-threads", `shared type ${i}`, typeAt);
    if (def.explicitSub || def.supertypes.length) note("gc", `subtype declaration of type ${i}`, typeAt);
    if (def.kind !== "func") {
      note("gc", `${def.kind} type ${i}`, typeAt);
      const fields = def.kind === "struct" ? def.fields : [def.element];
      for (const f of fields) if (f.storage !== "i8" && f.storage !== "i16") valueType(f.storage, `field of type ${i}`, typeAt);
      return;
    }
    for (const t of def.params) valueType(t, `parameter of type ${i}`, typeAt);
    for (const t of def.results) valueType(t, `result of type ${i}`, typeAt);
    if (def.results.length > 1) note("multi-value", `type ${i} with ${def.results.length} results`, typeAt);
  });
  let memories = 0;
  let tables = 0;
  const memory = (m: ModuleInfo["memories"][number], offset: number) => {
    if (++memories > 1) note("multi-memory", `memory ${memories - 1}`, offset, "multiple memories");
    if (m.memory64) note("memory64", `64-bit memory ${memories - 1}`, offset);
    if (m.shared) note("threads", `shared memory ${memories - 1}`, offset);
    if (m.pageSizeLog2 !== undefined) note("custom-page-sizes", `memory ${memories - 1} with ${2 ** m.pageSizeLog2}-byte pages`, offset);
  };
  const table = (t: ModuleInfo["tables"][number]["type"], offset: number) => {
    if (++tables > 1) note("reference-types", `table ${tables - 1}`, offset, "multiple tables");
    if (t.table64) note("memory64", `64-bit table ${tables - 1}`, offset);
    if (t.shared) note("shared-everything-threads", `shared table ${tables - 1}`, offset);
    if (t.element !== "funcref") valueType(t.element, `elements of table ${tables - 1}`, offset);
  };
  for (const imp of info.imports) {
    switch (imp.kind) {
      case "memory": memory(imp.type, imp.offset); break;
      case "table": table(imp.type, imp.offset); break;
      case "global":
        valueType(imp.type.content, `global import ${imp.module}::${imp.name}`, imp.offset);
        break;
      case "tag": note(SHARED_EXCEPTIONS, `tag import ${imp.module}::${imp.name}`, imp.offset); break;
      case "func": break;
    }
  }
  const tableAt = sectionOffset(info, 4);
  for (const t of info.tables) {
    table(t.type, tableAt);
    if (t.init) note("function-references", "table with an initializer expression", t.init.offset);
  }
  const memoryAt = sectionOffset(info, 5);
  for (const m of info.memories) memory(m, memoryAt);
  if (info.tags.length) note(SHARED_EXCEPTIONS, "tag section", sectionOffset(info, 13));
  for (const g of info.globals) {
    valueType(g.type.content, "global", g.init.offset);
    constExpr(info, g.init, note);
  }
  for (const e of info.exports) {
    if (e.kind === "tag") {
      note(SHARED_EXCEPTIONS, `tag export "${e.name}"`, e.offset);
    }
  }
  for (const seg of info.elements) {
    if (seg.mode !== "active") note("bulk-memory", `${seg.mode} element segment`, seg.offset);
    if (seg.table !== 0) note("reference-types", `element segment for table ${seg.table}`, seg.offset);
    if (seg.elementType !== "funcref") valueType(seg.elementType, "element segment", seg.offset);
    if (seg.offsetExpr) constExpr(info, seg.offsetExpr, note);
    if (seg.items.kind === "expressions") {
      note("bulk-memory", "element segment of expressions", seg.offset);
      for (const e of seg.items.exprs) constExpr(info, e, note);
    }
  }
  if (info.dataCount !== undefined) note("bulk-memory", "data count section", sectionOffset(info, 12));
  for (const seg of info.data) {
    if (seg.mode === "passive") note("bulk-memory", "passive data segment", seg.offset);
    if (seg.memory !== 0) note("multi-memory", `data segment for memory ${seg.memory}`, seg.offset);
    if (seg.offsetExpr) constExpr(info, seg.offsetExpr, note);
  }
}

/** A 64-bit memory or table of a module: a use of the memory64 proposal, by the half engines shipped apart. */
export interface Memory64Use {
  readonly kind: "memory" | "table";
  /** e.g. `"64-bit table 1"` (the index counts imports first), as `proposalUses` words it. */
  readonly what: string;
  readonly offset: number;
}

/**
 * Every 64-bit memory and table `info` imports or defines, in the order `proposalUses` walks them
 * (imports, tables, memories). The memory64 proposal is used exactly where there are some: engines
 * shipped its 64-bit memories before its 64-bit tables, so the runtime asks about each half.
 */
export function memory64Uses(info: ModuleInfo): Memory64Use[] {
  const out: Memory64Use[] = [];
  let memories = 0;
  let tables = 0;
  const memory = (is64: boolean, offset: number) => {
    if (is64) out.push({ kind: "memory", what: `64-bit memory ${memories}`, offset });
    memories++;
  };
  const table = (is64: boolean, offset: number) => {
    if (is64) out.push({ kind: "table", what: `64-bit table ${tables}`, offset });
    tables++;
  };
  for (const imp of info.imports) {
    if (imp.kind === "memory") memory(imp.type.memory64, imp.offset);
    else if (imp.kind === "table") table(imp.type.table64, imp.offset);
  }
  const tableAt = sectionOffset(info, 4);
  for (const t of info.tables) table(t.type.table64, tableAt);
  const memoryAt = sectionOffset(info, 5);
  for (const m of info.memories) memory(m.memory64, memoryAt);
  return out;
}

function sectionOffset(info: ModuleInfo, id: number): number {
  return info.sections.find((s) => s.id === id)?.offset ?? 0;
}

const cursor = new InstrCursor();

/** The proposals of a constant expression's instructions. */
function constExpr(info: ModuleInfo, expr: ConstExpr, note: Note): void {
  const c = cursor.reset(expr.bytes, 0, expr.bytes.length, expr.offset);
  while (c.next()) {
    const name = c.op.name;
    if (name === "global.get" && c.idx0 >= info.importedGlobals) {
      note("gc", `constant expression reading global ${c.idx0}, which is not imported`, c.offset, "unknown global");
    } else if (/^i(32|64)\.(add|sub|mul)$/.test(name)) {
      note("extended-const", `${name} in a constant expression`, c.offset, "constant expression required");
    } else {
      instruction(c, note);
    }
  }
}

/** The proposals of every function body's instructions and locals. */
function code(info: ModuleInfo, note: Note): void {
  const c = cursor;
  for (const body of info.code) {
    for (const run of body.locals) {
      const p = valueTypeProposal(run.type);
      if (p) note(p, `local of type ${describeType(run.type)}`, body.offset);
    }
    c.reset(body.code, 0, body.code.length, body.codeOffset);
    while (c.next()) instruction(c, note);
  }
}

/** Names of the reference-types instructions among the single-byte and 0xFC opcodes. */
const REFERENCE_TYPES_OPS = new Set([
  "ref.null", "ref.is_null", "ref.func", "table.get", "table.set", "table.grow", "table.size", "table.fill",
]);
const FUNCTION_REFERENCES_OPS = new Set(["call_ref", "return_call_ref", "ref.as_non_null", "br_on_null", "br_on_non_null"]);
const LEGACY_EXCEPTION_OPS = new Set(["try", "catch", "catch_all", "rethrow", "delegate"]);

/** The proposals one instruction needs (the cursor holds it). */
function instruction(c: InstrCursor, note: Note): void {
  const op = c.op;
  const name = op.name;
  switch (op.prefix) {
    case 0xfd: note(op.code >= 0x100 ? "relaxed-simd" : "simd", name, c.offset); break;
    case 0xfe: note("threads", name, c.offset); break;
    case 0xfb: note("gc", name, c.offset); break;
    case 0xfc:
      if (op.code <= 7) note("saturating-conversions", name, c.offset);
      else if (REFERENCE_TYPES_OPS.has(name)) note("reference-types", name, c.offset);
      else note("bulk-memory", name, c.offset);
      break;
    case undefined:
      if (op.code >= 0xc0 && op.code <= 0xc4) note("sign-extension", name, c.offset);
      else if (name === "return_call" || name === "return_call_indirect") note("tail-call", name, c.offset);
      else if (name === "try_table" || name === "throw_ref") note("exceptions", name, c.offset);
      else if (name === "throw") note(SHARED_EXCEPTIONS, name, c.offset);
      else if (LEGACY_EXCEPTION_OPS.has(name)) note("legacy-exceptions", name, c.offset);
      else if (name === "ref.eq") note("gc", name, c.offset);
      else if (REFERENCE_TYPES_OPS.has(name) || (name === "select" && op.code === 0x1c)) note("reference-types", name, c.offset);
      if (FUNCTION_REFERENCES_OPS.has(name)) note("function-references", name, c.offset);
      if (name === "return_call_ref") note("tail-call", name, c.offset);
      if (name === "call_indirect" && c.idx1 !== 0) note("reference-types", `call_indirect through table ${c.idx1}`, c.offset);
      break;
  }
  // Immediates: block types, heap types and memory indices.
  const imms = op.imms;
  for (let i = 0; i < imms.length; i++) {
    switch (imms[i]) {
      case 1: // block type
        if (c.blockType >= 0) note("multi-value", `${name} with a type-index block type`, c.offset);
        else if (c.blockType === -29 || c.blockType === -28) {
          note(heapCodeProposal(c.blockHeap) ?? (c.blockType === -28 ? "function-references" : "reference-types"), `${name} with a reference block type`, c.offset);
        } else if (c.blockType === -5) note("simd", `${name} of type v128`, c.offset);
        else if (c.blockType < -5 && c.blockType !== -64) {
          const p = heapCodeProposal(c.blockType);
          note(p ?? "reference-types", `${name} of a reference type`, c.offset);
        }
        break;
      case 21: { // heap type
        const p = heapCodeProposal(c.heap0);
        if (p) note(p, `${name} with heap type ${c.heap0}`, c.offset);
        break;
      }
      case 13: // memarg
        if (c.memIndex !== 0) note("multi-memory", `${name} of memory ${c.memIndex}`, c.offset);
        break;
      case 7: { // memory index: one zero byte before multi-memory
        const bytes = c.pos - c.immStart;
        if (name === "memory.size" || name === "memory.grow") {
          if (c.idx0 !== 0 || bytes !== 1) note("multi-memory", `${name} with memory index ${c.idx0} in ${bytes} bytes`, c.offset, "zero byte expected");
        } else {
          // memory.init: data, memory; memory.copy: memory, memory; memory.fill: memory.
          const memory = name === "memory.init" ? c.idx1 : Math.max(c.idx0, name === "memory.copy" ? c.idx1 : 0);
          if (memory !== 0) note("multi-memory", `${name} of memory ${memory}`, c.offset);
        }
        i = imms.length; // one check per instruction covers both indices of memory.copy
        break;
      }
    }
  }
}
