/**
 * Prepares a decoded binary for the engine. The JS API lacks three things the embedding API needs, and
 * each is obtained by a small rewrite of the module's sections (existing function bodies are never
 * touched, and nothing is renumbered: whatever is added goes at the end of its index space):
 *
 * 1. The start function must run after the instance exists, so that host functions it calls can reach
 *    the instance's exports through their `Caller`. The start section is removed and the start function
 *    exported under a hidden name; `Instance` calls it after instantiation.
 * 2. A function reference that wasm hands to the host (a `funcref` result, `table.get`) must become the
 *    right `Func`, with its type. The engine tells us the function's index (its `name`) but not its
 *    instance. Only functions declared in element segments, globals or exports can be referenced.
 *    Exported ones are compared with their export. The others get hidden exports while they are few;
 *    when they are many (compiled programs with function pointers), they go, in a passive element
 *    segment, into a hidden exported table that a hidden exported function fills on first use, which
 *    costs nothing at instantiation. Comparing the engine function with the export or the table's slot
 *    identifies the instance. Which slot holds a function is worked out on demand, the first time a
 *    reference of the module must be identified (`FuncRefs.slotOf`): preparing only copies the
 *    element segments' function lists, duplicates included, into the hidden segment.
 * 3. Stack frames must name the module they belong to. The binary's name section gets a unique module
 *    name (the original one where possible), which the engine prints in every frame location.
 *
 * Sections grow, so the code section moves by `codeDelta` bytes; frame offsets (which always lie in
 * the code section) are mapped back with it.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import { SectionId } from "../binary/module-info.js";
import { SECTION_RANK } from "../binary/decoder.js";
import { ByteWriter } from "../binary/encoder.js";
import { BinaryReader } from "../binary/reader.js";
import { CompileError } from "../errors.js";

/** The prefix of every hidden export; no sane module exports a name starting with NUL. */
export const HIDDEN_PREFIX = "\u0000wasmhost:";
/** The hidden export of the start function. */
export const HIDDEN_START = `${HIDDEN_PREFIX}start`;
/** The hidden export of the table of declared functions. */
export const HIDDEN_REFS = `${HIDDEN_PREFIX}refs`;
/** The hidden export of the function that fills `HIDDEN_REFS`. */
export const HIDDEN_FILL = `${HIDDEN_PREFIX}fill`;

/** The result of `prepareBinary`. */
export interface PreparedBinary {
  /**
   * The bytes to hand to the engine. They live in a scratch buffer that the next `prepareBinary`
   * call overwrites: hand them to the engine (which copies them) right away, and don't keep them.
   */
  readonly bytes: Uint8Array;
  /** Original offset = engine offset - codeDelta, for offsets in the code section. */
  readonly codeDelta: number;
  /** The module's start function, exported as `HIDDEN_START`, if it has one. */
  readonly start: number | undefined;
  /** How the referenceable functions that are not exported can be identified. */
  readonly refs: FuncRefs;
}

/**
 * Entries appended to a section (or forming a new one): how many, and their bytes, written into `bytes`
 * or, for long runs taken from the input as they are (the hidden segment's function indices), kept as
 * `parts` without copying. `parts` follow `bytes`.
 */
interface Appended {
  count: number;
  readonly bytes: ByteWriter;
  readonly parts: Uint8Array[];
}

/** Rewrites `info.bytes` as described in the module comment, naming the module `engineName`. */
export function prepareBinary(info: ModuleInfo, engineName: string): PreparedBinary {

  const appended = new Map<number, Appended>();
  const append = (id: number): Appended => {
    let a = appended.get(id);
    if (!a) appended.set(id, (a = { count: 0, bytes: new ByteWriter(32), parts: [] }));
    a.count++;
    return a;
  };
  const exportEntry = (name: string, kind: number, index: number): void => {
    const e = append(SectionId.export).bytes;
    e.name(name);
    e.byte(kind);
    e.u32(index);
  };
  checkInvariants(info);
  if (info.start !== undefined && !isDeclared(info, info.start)) {
    // Exporting the start function declares it for `ref.func`, which could make an invalid module
    // valid: let the engine judge the original first (modules with a start section are few and small).
    // An invalid one throws the engine's WebAssembly.CompileError, which the caller reports.
    void new WebAssembly.Module(info.bytes as Uint8Array<ArrayBuffer>);
  }
  if (info.start !== undefined) exportEntry(HIDDEN_START, 0, info.start);
  // Few referenceable functions: export each under a hidden name (exports add nothing to any index
  // space, so validity is untouched). Many: the hidden table, which costs nothing at instantiation.
  const listed = listedFunctionCount(info);
  let n = 0;
  let mode: FuncRefs["mode"] = "none";
  if (listed > 0 && listed <= MAX_HIDDEN_FUNC_EXPORTS) {
    const exported = new Set<number>();
    for (const e of info.exports) if (e.kind === "func") exported.add(e.index);
    const hidden = new Set<number>();
    forEachListedFunction(info, (f) => {
      if (!exported.has(f)) hidden.add(f);
    });
    for (const f of hidden) exportEntry(hiddenFuncExport(f), 0, f);
    if (hidden.size > 0) mode = "exports";
  } else if (listed > 0) {
    n = listed;
    mode = "table";
  }
  if (n > 0) {
    const tableIndex = info.importedTables + info.tables.length;
    const fillType = info.types.length;
    const fillFunc = info.importedFuncs + info.functions.length;
    const segment = info.elements.length;
    append(SectionId.type).bytes.bytes([0x60, 0, 0]);
    append(SectionId.function).bytes.u32(fillType);
    append(SectionId.table).bytes.bytes([0x70, 0, 0]);
    const elem = append(SectionId.element);
    elem.bytes.bytes([1, 0]); // passive, elemkind funcref
    elem.bytes.u32(n);
    listFunctions(info, elem.parts);
    // fill: table.grow $refs (ref.null func) n; drop; table.init $refs $segment 0 0 n
    const body = new ByteWriter(32);
    body.bytes([0, 0xd0, 0x70, 0x41]);
    body.s32(n);
    body.bytes([0xfc, 15]);
    body.u32(tableIndex);
    body.bytes([0x1a, 0x41, 0, 0x41, 0, 0x41]);
    body.s32(n);
    body.bytes([0xfc, 12]);
    body.u32(segment);
    body.u32(tableIndex);
    body.byte(0x0b);
    const code = append(SectionId.code).bytes;
    code.u32(body.len);
    code.bytes(written(body));
    exportEntry(HIDDEN_REFS, 1, tableIndex);
    exportEntry(HIDDEN_FILL, 0, fillFunc);
  }

  const src = info.bytes;
  const out = scratchWriter(src.length + 256 + (n > 0 ? n * 5 : 0));
  out.bytes(src.subarray(0, 8));
  let codeDelta = 0;
  let inputPos = 8;
  const present = new Set(info.sections.map((s) => s.id));
  const emitMissingBefore = (r: number): void => {
    const due = [...appended.keys()].filter((id) => !present.has(id) && rank(id) < r).sort((a, b) => rank(a) - rank(b));
    for (const id of due) {
      writeSection(out, id, appended.get(id)!, undefined, 0);
      appended.delete(id);
    }
  };
  for (const s of info.sections) {
    if (s.id !== SectionId.custom) emitMissingBefore(rank(s.id));
    if (s.id === SectionId.code) codeDelta = out.len - s.offset;
    const a = appended.get(s.id);
    if (a && s.id !== SectionId.custom) {
      const startOut = out.len;
      const header = writeSection(out, s.id, a, src.subarray(s.payloadOffset, s.end), s.id === SectionId.type ? info.recGroups.length : vectorCount(src, s.payloadOffset).count);
      // The entries keep their order; only the header (id, size, count) may have changed length.
      if (s.id === SectionId.code) codeDelta = startOut + header - (s.payloadOffset + vectorCount(src, s.payloadOffset).size);
      appended.delete(s.id);
    } else if (s.id === SectionId.start || (s.id === SectionId.custom && s.name === "name")) {
      // dropped: the start function is called by Instance; the name section is rewritten at the end
    } else {
      out.bytes(src.subarray(s.offset, s.end));
    }
    inputPos = s.end;
  }
  emitMissingBefore(Infinity);
  out.bytes(src.subarray(inputPos));
  writeNameSection(out, info, engineName);
  scratch = out.buf; // it may have grown
  return { bytes: written(out), codeDelta, start: info.start, refs: new FuncRefs(info, mode) };
}

/**
 * How many referenceable functions get hidden exports before the hidden table is used instead. Hidden
 * exports cost a little at each instantiation; the table costs nothing until a reference is identified.
 */
const MAX_HIDDEN_FUNC_EXPORTS = 256;

/** The hidden export of function `index` (used while few functions are referenceable). */
export function hiddenFuncExport(index: number): string {
  return `${HIDDEN_PREFIX}f${index}`;
}

/**
 * Checks what the rewrite would otherwise hide from the engine's validation: the start section (which
 * is removed) and element segments naming a table that does not exist (the hidden table could be it).
 *
 * The hidden table, its element segment, its fill function and that function's type each take the next
 * free index of their space. A module that is invalid only because a function body names exactly that
 * index would pass; the engine validates everything else. This concerns modules with more than
 * `MAX_HIDDEN_FUNC_EXPORTS` referenceable functions, which compilers produce and which are valid.
 */
function checkInvariants(info: ModuleInfo): void {
  const funcs = info.importedFuncs + info.functions.length;
  if (info.start !== undefined) {
    const startAt = info.sections.find((s) => s.id === SectionId.start)?.payloadOffset;
    if (info.start >= funcs) throw new CompileError(`unknown function ${info.start}: the start function does not exist`, startAt);
    const typeIndex = info.start < info.importedFuncs
      ? info.imports.filter((i) => i.kind === "func")[info.start]!.typeIndex
      : info.functions[info.start - info.importedFuncs]!;
    const type = info.types[typeIndex];
    if (!type || type.kind !== "func" || type.params.length !== 0 || type.results.length !== 0) {
      throw new CompileError("start function must take no parameters and return nothing", startAt);
    }
  }
  const tables = info.importedTables + info.tables.length;
  for (const seg of info.elements) {
    if (seg.mode === "active" && seg.table >= tables) throw new CompileError(`unknown table ${seg.table}`, seg.offset);
  }
}

/**
 * Writes section `id`: the original payload's entries (after its count) followed by `a`'s entries.
 * Returns the length of the header written (id, size and count).
 */
function writeSection(out: ByteWriter, id: number, a: Appended, payload: Uint8Array | undefined, originalCount: number): number {
  const rest = payload ? payload.subarray(vectorCount(payload, 0).size) : new Uint8Array(0);
  const count = originalCount + a.count;
  let size = lebSize(count) + rest.length + a.bytes.len;
  for (const p of a.parts) size += p.length;
  const start = out.len;
  out.byte(id);
  out.u32(size);
  out.u32(count);
  const header = out.len - start;
  out.bytes(rest);
  out.bytes(written(a.bytes));
  for (const p of a.parts) out.bytes(p);
  return header;
}

/** The vector count at `src[at]` (a section payload's start) and how many bytes its LEB128 takes. */
function vectorCount(src: Uint8Array, at: number): { count: number; size: number } {
  const r = new BinaryReader(src, at);
  return { count: r.u32(), size: r.pos - at };
}

function lebSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function rank(id: number): number {
  return SECTION_RANK[id] ?? 0;
}

/**
 * The referenceable functions of a prepared module that are not identified by their own export: how
 * (`mode`), and for the hidden table, the slot of each, found on first use.
 */
export class FuncRefs {
  private slots: Int32Array | undefined;

  constructor(
    private readonly info: ModuleInfo,
    /** `"exports"`: hidden exports (`hiddenFuncExport`); `"table"`: slots of `HIDDEN_REFS`; `"none"`: nothing to identify. */
    readonly mode: "none" | "exports" | "table",
  ) {}

  /** The slot in the hidden table of function `f` (its first place in the listed functions), or `undefined`. */
  slotOf(f: number): number | undefined {
    if (this.mode !== "table") return undefined;
    if (!this.slots) {
      const slots = new Int32Array(this.info.importedFuncs + this.info.functions.length).fill(-1);
      let next = 0;
      forEachListedFunction(this.info, (g) => {
        if (g < slots.length && slots[g] === -1) slots[g] = next;
        next++;
      });
      this.slots = slots;
    }
    const s = this.slots[f];
    return s === undefined || s < 0 ? undefined : s;
  }
}

/**
 * How many functions the element segments and the global and table initializers list (a function
 * listed twice counts twice): the length of the hidden segment.
 */
function listedFunctionCount(info: ModuleInfo): number {
  let n = 0;
  for (const seg of info.elements) {
    if (seg.items.kind === "functions") n += seg.items.count ?? seg.items.indices.length;
    else for (const e of seg.items.exprs) if (refFuncOf(e.bytes) !== undefined) n++;
  }
  for (const g of info.globals) if (refFuncOf(g.init.bytes) !== undefined) n++;
  for (const t of info.tables) if (t.init && refFuncOf(t.init.bytes) !== undefined) n++;
  return n;
}

/** Calls `visit` for each function the element segments and global and table initializers list, in order. */
function forEachListedFunction(info: ModuleInfo, visit: (f: number) => void): void {
  for (const seg of info.elements) {
    if (seg.items.kind === "functions") {
      const indices = seg.items.indices;
      for (let i = 0; i < indices.length; i++) visit(indices[i]!);
    } else {
      for (const e of seg.items.exprs) {
        const f = refFuncOf(e.bytes);
        if (f !== undefined) visit(f);
      }
    }
  }
  for (const g of info.globals) {
    const f = refFuncOf(g.init.bytes);
    if (f !== undefined) visit(f);
  }
  for (const t of info.tables) {
    const f = t.init ? refFuncOf(t.init.bytes) : undefined;
    if (f !== undefined) visit(f);
  }
}

/**
 * The LEB128s of the listed functions in `forEachListedFunction`'s order, as parts: decoded segments'
 * bytes as they are (no copy), the rest encoded.
 */
function listFunctions(info: ModuleInfo, parts: Uint8Array[]): void {
  let w: ByteWriter | undefined;
  const encode = (f: number): void => (w ??= new ByteWriter(32)).u32(f);
  const flush = (): void => {
    if (w && w.len > 0) parts.push(written(w));
    w = undefined;
  };
  for (const seg of info.elements) {
    if (seg.items.kind === "functions" && seg.items.encoded) {
      flush();
      parts.push(seg.items.encoded);
    } else if (seg.items.kind === "functions") {
      for (const f of seg.items.indices) encode(f);
    } else {
      for (const e of seg.items.exprs) {
        const f = refFuncOf(e.bytes);
        if (f !== undefined) encode(f);
      }
    }
  }
  for (const g of info.globals) {
    const f = refFuncOf(g.init.bytes);
    if (f !== undefined) encode(f);
  }
  for (const t of info.tables) {
    const f = t.init ? refFuncOf(t.init.bytes) : undefined;
    if (f !== undefined) encode(f);
  }
  flush();
}

/** True when function `f` is declared for `ref.func`: exported, or listed by a segment or initializer. */
function isDeclared(info: ModuleInfo, f: number): boolean {
  if (info.exports.some((e) => e.kind === "func" && e.index === f)) return true;
  let found = false;
  forEachListedFunction(info, (g) => {
    if (g === f) found = true;
  });
  return found;
}

/** The function of a `ref.func N` constant expression, or `undefined` for any other expression. */
function refFuncOf(expr: Uint8Array): number | undefined {
  if (expr[0] !== 0xd2) return undefined;
  let value = 0;
  let shift = 0;
  for (let i = 1; i < expr.length && i < 6; i++) {
    const b = expr[i]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return value;
  }
  return undefined;
}

/**
 * Appends a name section: the unique engine name as the module name, then the original section's
 * other subsections verbatim (function names keep showing in the engine's own stack traces). A
 * subsection whose framing is broken ends the copy.
 */
function writeNameSection(out: ByteWriter, info: ModuleInfo, engineName: string): void {
  const original = info.customSections.find((c) => c.name === "name");
  // Sized for the copied subsections at once: growing by doubling would copy them again and again.
  const body = new ByteWriter(engineName.length * 3 + 32 + (original?.data.length ?? 0));
  body.name("name");
  const sub = new ByteWriter(engineName.length + 2);
  sub.name(engineName);
  body.byte(0);
  body.u32(sub.len);
  body.bytes(written(sub));
  if (original) {
    const d = original.data;
    let p = 0;
    while (p < d.length) {
      const start = p;
      const id = d[p++]!;
      let size = 0;
      let shift = 0;
      for (;;) {
        if (p >= d.length || shift > 28) return finish();
        const b = d[p++]!;
        size += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
      }
      p += size;
      if (p > d.length) break;
      if (id !== 0) body.bytes(d.subarray(start, p));
    }
  }
  finish();
  function finish(): void {
    out.byte(SectionId.custom);
    out.u32(body.len);
    out.bytes(written(body));
  }
}

/** The output of the last `prepareBinary`, reused so that preparing costs no fresh large allocation. */
let scratch: Uint8Array<ArrayBuffer> | undefined;

/**
 * A writer into a buffer shared by every call: preparing a module then costs no fresh allocation
 * (whose first touch of every page is most of the cost of copying a large module).
 */
function scratchWriter(capacity: number): ByteWriter {
  if (!scratch || scratch.length < capacity) scratch = new Uint8Array(Math.max(capacity, 1 << 16));
  const w = new ByteWriter(0);
  w.buf = scratch;
  return w;
}

/** The bytes written so far. */
function written(w: ByteWriter): Uint8Array {
  return w.buf.subarray(0, w.len);
}

/**
 * A module that imports one function of type `params -> results` and exports it: instantiating it
 * with a JS function turns that function into a genuine wasm function (usable as a `funcref`).
 */
export function reexportModuleBytes(params: readonly number[], results: readonly number[]): Uint8Array {
  const out = new ByteWriter(64);
  out.bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const section = (id: number, write: () => void): void => {
    out.byte(id);
    const mark = out.beginSized();
    write();
    out.endSized(mark);
  };
  section(SectionId.type, () => {
    out.bytes([1, 0x60]);
    out.vecBytes(Uint8Array.from(params));
    out.vecBytes(Uint8Array.from(results));
  });
  section(SectionId.import, () => {
    out.u32(1);
    out.name("h");
    out.name("f");
    out.bytes([0, 0]); // a function of type 0
  });
  section(SectionId.export, () => {
    out.u32(1);
    out.name("f");
    out.bytes([0, 0]); // function 0
  });
  return written(out);
}
