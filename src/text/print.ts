/**
 * Binary -> text: prints a module in the text format, flat (one instruction per line) or folded
 * (blocks as s-expressions: `(block …)`, `(if (then …) (else …))`, `(try (do …) (catch …))`).
 *
 * The output parses back to the same bytes for binaries our parser wrote (canonical LEB128s, one local
 * run per type change, name section as we write it): every function names its `(type N)` and repeats
 * its signature, and `$names` from the name section are used where they are unique. Custom sections
 * other than `name` are not printed.
 *
 * @module
 */
import { decodeModule } from "../binary/decoder.js";
import { InstrCursor, SHARED_HEAP_OFFSET } from "../binary/instructions.js";
import { funcTypeIndex, tagTypeIndex, type ConstExpr, type HeapType, type ModuleInfo, type StorageType, type TypeDef, type ValueType } from "../binary/module-info.js";
import { ABS_HEAP_TYPES, Control, Imm } from "../binary/opcodes.js";
import { Folder, nameEffect, renderFolded } from "./fold.js";
import { formatF32, formatF64, formatId, formatString } from "./format.js";

/** Options for `printModule`. */
export interface PrintOptions {
  /** Print blocks in the folded s-expression form (default: flat). */
  readonly folded?: boolean;
  /** Indentation unit (default two spaces). */
  readonly indent?: string;
}

const SECTION_NAMES: Record<number, string> = {
  1: "type", 2: "import", 3: "func", 4: "table", 5: "memory", 6: "global", 7: "export", 8: "start", 9: "elem",
  10: "code", 11: "data", 12: "datacount", 13: "tag",
};
/** The deepest indentation printed. */
export const MAX_INDENT = 64;

const HEAP_BY_CODE = new Map(ABS_HEAP_TYPES.map((h) => [h.code - 0x80, h]));
const VALTYPE_BY_S33: Record<number, string> = { [-1]: "i32", [-2]: "i64", [-3]: "f32", [-4]: "f64", [-5]: "v128" };

/**
 * Prints the module `bytes` in the text format. Invalid modules print too, as long as they decode
 * (e.g. a non-constant instruction in a global's initializer).
 *
 * @throws CompileError when the binary is malformed.
 */
export function printModule(bytes: Uint8Array, options: PrintOptions = {}): string {
  const info = decodeModule(bytes, { anyConstExpr: true });
  return new Printer(info, options).print();
}

class Printer {
  private readonly out: string[] = [];
  private readonly ind: string;
  private readonly cursor = new InstrCursor();
  private readonly funcNames: Map<number, string>;
  private readonly typeNames: Map<number, string>;
  private readonly tableNames: Map<number, string>;
  private readonly memNames: Map<number, string>;
  private readonly globalNames: Map<number, string>;
  private readonly tagNames: Map<number, string>;
  private readonly elemNames: Map<number, string>;
  private readonly dataNames: Map<number, string>;

  constructor(private readonly info: ModuleInfo, private readonly options: PrintOptions) {
    this.ind = options.indent ?? "  ";
    const n = info.names;
    this.funcNames = unique(n.functions);
    this.typeNames = unique(n.types);
    this.tableNames = unique(n.tables);
    this.memNames = unique(n.memories);
    this.globalNames = unique(n.globals);
    this.tagNames = unique(n.tags);
    this.elemNames = unique(n.elements);
    this.dataNames = unique(n.data);
    this.rawNames.set(this.funcNames, n.functions);
    this.rawNames.set(this.typeNames, n.types);
    this.rawNames.set(this.tableNames, n.tables);
    this.rawNames.set(this.memNames, n.memories);
    this.rawNames.set(this.globalNames, n.globals);
    this.rawNames.set(this.tagNames, n.tags);
    this.rawNames.set(this.elemNames, n.elements);
    this.rawNames.set(this.dataNames, n.data);
  }

  private readonly indents: string[] = [];

  private line(depth: number, text: string): void {
    // Indentation stops growing at MAX_INDENT levels, so hostile nesting cannot make the text quadratic.
    const d = depth > MAX_INDENT ? MAX_INDENT : depth;
    this.out.push((this.indents[d] ??= this.ind.repeat(d)) + text);
  }

  print(): string {
    const info = this.info;
    const name = info.names.module;
    this.out.push(name ? `(module ${formatId(name)}` : name === "" ? `(module (@name "")` : "(module");
    this.types();
    let f = 0, t = 0, m = 0, g = 0, tg = 0;
    for (const imp of info.imports) {
      const head = `(import ${formatString(enc(imp.module))} ${formatString(enc(imp.name))}`;
      switch (imp.kind) {
        case "func": this.line(1, `${head} (func${this.def(this.funcNames, f)}${this.sig(f, imp.typeIndex)}))`); f++; break;
        case "table": this.line(1, `${head} (table${this.def(this.tableNames, t++)} ${this.tableType(imp.type)}))`); break;
        case "memory": this.line(1, `${head} (memory${this.def(this.memNames, m++)} ${this.memType(imp.type)}))`); break;
        case "global": this.line(1, `${head} (global${this.def(this.globalNames, g++)} ${this.globalType(imp.type)}))`); break;
        case "tag": this.line(1, `${head} (tag${this.def(this.tagNames, tg++)} (type ${this.typeRef(imp.typeIndex)})))`); break;
      }
    }
    info.functions.forEach((typeIndex, i) => this.func(info.importedFuncs + i, typeIndex, i));
    info.tables.forEach((tab, i) => {
      const head = `(table${this.def(this.tableNames, info.importedTables + i)} ${this.tableType(tab.type)}`;
      this.line(1, tab.init ? `${head} ${this.constExpr(tab.init)})` : `${head})`);
    });
    info.memories.forEach((mem, i) => this.line(1, `(memory${this.def(this.memNames, info.importedMemories + i)} ${this.memType(mem)})`));
    info.tags.forEach((tag, i) => this.line(1, `(tag${this.def(this.tagNames, info.importedTags + i)} (type ${this.typeRef(tag.typeIndex)}))`));
    info.globals.forEach((gl, i) => {
      this.line(1, `(global${this.def(this.globalNames, info.importedGlobals + i)} ${this.globalType(gl.type)} ${this.constExpr(gl.init)})`);
    });
    for (const e of info.exports) {
      const names = e.kind === "func" ? this.funcNames : e.kind === "table" ? this.tableNames : e.kind === "memory" ? this.memNames
        : e.kind === "global" ? this.globalNames : this.tagNames;
      this.line(1, `(export ${formatString(enc(e.name))} (${e.kind} ${ref(names, e.index)}))`);
    }
    if (info.start !== undefined) this.line(1, `(start ${ref(this.funcNames, info.start)})`);
    info.elements.forEach((e, i) => {
      const parts = [`(elem${this.def(this.elemNames, i)}`];
      if (e.mode === "declarative") parts.push("declare");
      if (e.mode === "active") {
        if (e.flags & 2) parts.push(`(table ${ref(this.tableNames, e.table)})`);
        parts.push(`(offset ${this.constExpr(e.offsetExpr!)})`);
      }
      if (e.items.kind === "functions") {
        parts.push("func");
        for (const x of e.items.indices) parts.push(ref(this.funcNames, x));
      } else {
        parts.push(this.valType(e.elementType));
        for (const x of e.items.exprs) parts.push(`(item ${this.constExpr(x)})`);
      }
      this.line(1, `${parts.join(" ")})`);
    });
    info.data.forEach((d, i) => {
      const parts = [`(data${this.def(this.dataNames, i)}`];
      if (d.mode === "active") {
        if (d.explicitMemory) parts.push(`(memory ${ref(this.memNames, d.memory)})`);
        parts.push(`(offset ${this.constExpr(d.offsetExpr!)})`);
      }
      parts.push(formatString(d.init));
      this.line(1, `${parts.join(" ")})`);
    });
    for (const c of info.customSections) {
      if (c.name === "name") continue;
      const after = this.placeAfter(c.after);
      const place = after === 0 ? "(before first)" : `(after ${SECTION_NAMES[after] ?? "last"})`;
      this.line(1, `(@custom ${formatString(enc(c.name))} ${place} ${formatString(c.data)})`);
    }
    this.out.push(")");
    return this.out.join("\n") + "\n";
  }

  /**
   * Where a custom section goes when the printed module is assembled again: after section `id` if that
   * section will exist (has entries), else after the closest earlier one that will, else first.
   */
  private placeAfter(id: number): number {
    const info = this.info;
    const has: Record<number, boolean> = {
      1: info.types.length > 0, 2: info.imports.length > 0, 3: info.functions.length > 0, 4: info.tables.length > 0,
      5: info.memories.length > 0, 13: info.tags.length > 0, 6: info.globals.length > 0, 7: info.exports.length > 0,
      // The data count section is written only when code needs it, so it is no anchor.
      8: info.start !== undefined, 9: info.elements.length > 0, 12: false,
      10: info.code.length > 0, 11: info.data.length > 0,
    };
    const order = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
    for (let k = order.indexOf(id); k >= 0; k--) if (has[order[k]!]) return order[k]!;
    return 0;
  }

  /** ` $name` for a definition when it has a name. */
  private def(names: Map<number, string>, index: number): string {
    const n = names.get(index);
    if (n !== undefined) return ` ${n}`;
    // A name that cannot be an $id (a duplicate, or empty) is kept as an annotation.
    const raw = this.rawNames.get(names)?.get(index);
    return raw === undefined ? "" : ` (@name ${formatString(enc(raw))})`;
  }

  /** The name-section map behind each map of unique `$ids`. */
  private readonly rawNames = new Map<Map<number, string>, ReadonlyMap<number, string>>();

  private typeRef(index: number): string {
    return ref(this.typeNames, index);
  }

  private types(): void {
    const info = this.info;
    const groups = info.recGroups.length ? info.recGroups : info.types.map((_, i) => ({ first: i, count: 1, explicit: false }));
    for (const g of groups) {
      if (g.explicit) {
        this.line(1, "(rec");
        for (let i = g.first; i < g.first + g.count; i++) this.line(2, this.typeDef(i, info.types[i]!));
        this.line(1, ")");
      } else {
        this.line(1, this.typeDef(g.first, info.types[g.first]!));
      }
    }
  }

  private typeDef(index: number, t: TypeDef): string {
    let comp: string;
    switch (t.kind) {
      case "func":
        comp = `(func${this.params(t.params, undefined)}${this.results(t.results)})`;
        break;
      case "struct": {
        const fieldMap = this.info.names.fields.get(index);
        const fieldNames = fieldMap ? unique(fieldMap) : undefined;
        comp = `(struct${t.fields.map((f, i) => {
          const n = fieldNames?.get(i);
          return ` (field${n !== undefined ? ` ${n}` : ""} ${this.fieldType(f.storage, f.mutable)})`;
        }).join("")})`;
        break;
      }
      case "array":
        comp = `(array ${this.fieldType(t.element.storage, t.element.mutable)})`;
        break;
    }
    if (t.shared) comp = `(shared ${comp})`;
    if (t.explicitSub) {
      const supers = t.supertypes.map((s) => ` ${this.typeRef(s)}`).join("");
      comp = `(sub${t.final ? " final" : ""}${supers} ${comp})`;
    }
    return `(type${this.def(this.typeNames, index)} ${comp})`;
  }

  private fieldType(s: StorageType, mutable: boolean): string {
    const t = s === "i8" || s === "i16" ? s : this.valType(s);
    return mutable ? `(mut ${t})` : t;
  }

  private params(params: readonly ValueType[], names: ReadonlyMap<number, string> | undefined): string {
    return params.map((p, i) => {
      const n = names?.get(i);
      return n !== undefined ? ` (param ${n} ${this.valType(p)})` : ` (param ${this.valType(p)})`;
    }).join("");
  }

  private results(results: readonly ValueType[]): string {
    return results.length ? ` (result ${results.map((r) => this.valType(r)).join(" ")})` : "";
  }

  /** ` (type N) (param …)* (result …)*` for function `funcIndex`. */
  private sig(funcIndex: number, typeIndex: number): string {
    const t = this.info.types[typeIndex];
    const head = ` (type ${this.typeRef(typeIndex)})`;
    if (t === undefined || t.kind !== "func") return head;
    return `${head}${this.params(t.params, uniqueLocal(this.info.names.locals.get(funcIndex)))}${this.results(t.results)}`;
  }

  valType(t: ValueType): string {
    if (typeof t === "string") return t;
    if (t.shared && typeof t.ref === "string") return `(ref ${t.nullable ? "null " : ""}(shared ${t.ref}))`;
    if (t.nullable && typeof t.ref === "string") {
      const abbr = ABS_HEAP_TYPES.find((h) => h.name === t.ref);
      if (abbr) return abbr.ref;
    }
    return `(ref ${t.nullable ? "null " : ""}${this.heapType(t.ref)})`;
  }

  private heapType(h: HeapType): string {
    return typeof h === "number" ? this.typeRef(h) : h;
  }

  /** A heap type given as its s33 value (negative: abstract). */
  private heapS33(v: number): string {
    if (v >= 0) return this.typeRef(v);
    const shared = HEAP_BY_CODE.get(v + SHARED_HEAP_OFFSET);
    if (v < -0x80 && shared) return `(shared ${shared.name})`;
    return HEAP_BY_CODE.get(v)?.name ?? `${v}`;
  }

  private tableType(t: { element: ValueType; table64: boolean; min: number; max?: number; shared?: boolean }): string {
    return `${t.shared ? "shared " : ""}${t.table64 ? "i64 " : ""}${t.min}${t.max !== undefined ? ` ${t.max}` : ""} ${this.valType(t.element)}`;
  }

  private memType(m: { min: number; max?: number; shared: boolean; memory64: boolean; pageSizeLog2?: number }): string {
    return `${m.memory64 ? "i64 " : ""}${m.min}${m.max !== undefined ? ` ${m.max}` : ""}${m.shared ? " shared" : ""}` +
      `${m.pageSizeLog2 !== undefined ? ` (pagesize ${2 ** m.pageSizeLog2})` : ""}`;
  }

  private globalType(g: { content: ValueType; mutable: boolean }): string {
    return g.mutable ? `(mut ${this.valType(g.content)})` : this.valType(g.content);
  }

  private constExpr(e: ConstExpr): string {
    const c = this.cursor.reset(e.bytes, 0, e.bytes.length, e.offset);
    const parts: string[] = [];
    const locals = new Map<number, string>();
    while (c.next()) {
      if (c.op.code === 0x0b && c.op.prefix === undefined && c.pos === e.bytes.length) break;
      parts.push(`(${this.instr(c, locals)})`);
    }
    return parts.join(" ");
  }

  private func(funcIndex: number, typeIndex: number, defined: number): void {
    const body = this.info.code[defined];
    this.line(1, `(func${this.def(this.funcNames, funcIndex)}${this.sig(funcIndex, typeIndex)}`);
    if (!body) {
      this.line(1, ")");
      return;
    }
    const t = this.info.types[typeIndex];
    const nparams = t && t.kind === "func" ? t.params.length : 0;
    const localNames = uniqueLocal(this.info.names.locals.get(funcIndex)) ?? new Map<number, string>();
    let index = nparams;
    for (const run of body.locals) {
      for (let k = 0; k < run.count; k++, index++) {
        const n = localNames.get(index);
        this.line(2, `(local${n !== undefined ? ` ${n}` : ""} ${this.valType(run.type)})`);
      }
    }
    const c = this.cursor.reset(body.code, 0, body.code.length, body.codeOffset);
    const labels = this.info.names.labels.get(funcIndex);
    this.labelStack.length = 0;
    if (this.options.folded) this.foldedBody(c, localNames, labels);
    else this.flatBody(c, localNames, labels);
    this.line(1, ")");
  }

  private flatBody(c: InstrCursor, locals: Map<number, string>, labels: ReadonlyMap<number, string> | undefined): void {
    let depth = 2;
    const end = c.end;
    let block = 0;
    while (c.next()) {
      const ctl = c.op.control;
      if (ctl === Control.close || ctl === Control.middle) depth--;
      if (c.pos === end && c.op.code === 0x0b && c.op.prefix === undefined) break; // the function's own end
      if (c.op.prefix === undefined && c.op.code === 0x18) this.labelStack.pop(); // delegate targets the outer label
      const label = ctl === Control.open ? labels?.get(block++) : undefined;
      this.line(Math.max(depth, 2), this.instr(c, locals, label));
      if (ctl === Control.open) this.labelStack.push(label);
      else if (ctl === Control.close && !(c.op.code === 0x18)) this.labelStack.pop();
      if (ctl === Control.open || ctl === Control.middle) depth++;
    }
  }

  private foldedBody(c: InstrCursor, locals: Map<number, string>, labels: ReadonlyMap<number, string> | undefined): void {
    const folder = new Folder();
    let block = 0;
    const info = this.info;
    const end = c.end;
    const funcType = (typeIndex: number) => {
      const t = info.types[typeIndex];
      return t !== undefined && t.kind === "func" ? t : undefined;
    };
    while (c.next()) {
      const op = c.op;
      if (op.prefix === undefined) {
        switch (op.code) {
          case 0x02: case 0x03: case 0x04: case 0x06: case 0x1f: {
            const bt = c.blockType;
            const results = bt === -64 ? 0 : bt < 0 ? 1 : funcType(bt)?.results.length ?? -1;
            const label = labels?.get(block++);
            folder.open(this.instr(c, locals, label), op.code, results);
            this.labelStack.push(label);
            continue;
          }
          case 0x05: folder.section("else"); continue;
          case 0x07: folder.section(`catch ${ref(this.tagNames, c.idx0)}`); continue;
          case 0x19: folder.section("catch_all"); continue;
          case 0x18:
            this.labelStack.pop();
            folder.close(`delegate ${this.labelRef(c.idx0)}`);
            continue;
          case 0x0b:
            if (!folder.close() && c.pos === end) break;
            this.labelStack.pop();
            continue;
          case 0x10: case 0x12: case 0x11: case 0x13: case 0x14: case 0x15: {
            // Calls: operands are the callee's parameters (and the table index or reference).
            const direct = op.code === 0x10 || op.code === 0x12;
            const typeIndex = direct ? funcTypeIndex(info, c.idx0) : c.idx0;
            const t = typeIndex === undefined ? undefined : funcType(typeIndex);
            const tail = op.code === 0x12 || op.code === 0x13 || op.code === 0x15;
            const effect = t ? { pops: t.params.length + (direct ? 0 : 1), pushes: tail ? 0 : t.results.length } : { pops: 0, pushes: -1 };
            folder.plain(this.instr(c, locals), effect);
            continue;
          }
          case 0x08: { // throw: the tag's parameters
            const tagType = tagTypeIndex(info, c.idx0);
            const t = tagType === undefined ? undefined : funcType(tagType);
            folder.plain(this.instr(c, locals), { pops: t ? t.params.length : 0, pushes: 0 });
            continue;
          }
        }
        if (op.code === 0x0b) break;
      }
      folder.plain(this.instr(c, locals), nameEffect(op));
    }
    renderFolded(folder.root, 2, this.ind, this.out, MAX_INDENT);
  }

  /** Labels of the enclosing blocks while printing a body (innermost last). */
  private readonly labelStack: (string | undefined)[] = [];

  /** A branch target: `$name` when that label is named and not shadowed, else its depth. */
  private labelRef(depth: number): string {
    const st = this.labelStack;
    const at = st.length - 1 - depth;
    const name = at >= 0 ? st[at] : undefined;
    return name && st.lastIndexOf(name) === at ? formatId(name) : String(depth);
  }

  /** One instruction with its immediates (no parentheses). */
  private instr(c: InstrCursor, locals: Map<number, string>, label?: string): string {
    const op = c.op;
    const imms = op.imms;
    if (imms.length === 0) return op.name;
    if (imms.length === 1 && label === undefined) {
      // The common one-immediate instructions without building an array.
      switch (imms[0]) {
        case Imm.localIdx: {
          const v = c.idx0;
          return `${op.name} ${locals.get(v) ?? v}`;
        }
        case Imm.i32: return `${op.name} ${c.i32}`;
        case Imm.label: return `${op.name} ${this.labelRef(c.idx0)}`;
        case Imm.funcIdx: return `${op.name} ${ref(this.funcNames, c.idx0)}`;
        case Imm.globalIdx: return `${op.name} ${ref(this.globalNames, c.idx0)}`;
        case Imm.memarg:
          if (c.memIndex === 0 && c.memAlign === op.align && c.memOffset <= Number.MAX_SAFE_INTEGER) return c.memOffset === 0 ? op.name : `${op.name} offset=${c.memOffset}`;
      }
    }
    const parts: string[] = [op.name];
    if (label) parts.push(formatId(label));
    let slot = 0;
    const idx = () => (slot++ === 0 ? c.idx0 : slot === 2 ? c.idx1 : c.idx2);
    for (let k = 0; k < imms.length; k++) {
      switch (imms[k]) {
        case Imm.blockType: {
          const bt = c.blockType;
          if (bt >= 0) parts.push(`(type ${this.typeRef(bt)})`);
          else if (bt === -28 || bt === -29) parts.push(`(result (ref ${bt === -29 ? "null " : ""}${this.heapS33(c.blockHeap)}))`);
          else if (bt !== -64) parts.push(`(result ${VALTYPE_BY_S33[bt] ?? HEAP_BY_CODE.get(bt)?.ref ?? bt})`);
          break;
        }
        case Imm.label: parts.push(this.labelRef(idx())); break;
        case Imm.brTable:
          for (let i = 0; i < c.brCount; i++) parts.push(this.labelRef(c.brTargets[i]!));
          break;
        case Imm.funcIdx: parts.push(ref(this.funcNames, idx())); break;
        case Imm.typeIdx: {
          const v = idx();
          if (op.prefix === undefined && (op.code === 0x11 || op.code === 0x13)) {
            // call_indirect: `tableidx (type N)` in the text.
            parts.push(ref(this.tableNames, c.idx1), `(type ${this.typeRef(v)})`);
            k++;
            slot++;
          } else {
            parts.push(this.typeRef(v));
          }
          break;
        }
        case Imm.tableIdx: parts.push(ref(this.tableNames, idx())); break;
        case Imm.memIdx: {
          // Memory 0 is implied (and plain 2.0 tools reject an explicit one).
          const v = idx();
          if (imms.length === 2) { // memory.copy: both or neither
            if (c.idx0 !== 0 || c.idx1 !== 0) parts.push(ref(this.memNames, c.idx0), ref(this.memNames, c.idx1));
            k++;
            slot++;
          } else if (v !== 0) {
            parts.push(ref(this.memNames, v));
          }
          break;
        }
        case Imm.globalIdx: parts.push(ref(this.globalNames, idx())); break;
        case Imm.localIdx: {
          const v = idx();
          const n = locals.get(v);
          parts.push(n !== undefined ? n : String(v));
          break;
        }
        case Imm.elemIdx: {
          const v = idx();
          if (op.name === "table.init") {
            parts.push(ref(this.tableNames, c.idx1), ref(this.elemNames, v));
            k++;
            slot++;
          } else {
            parts.push(ref(this.elemNames, v));
          }
          break;
        }
        case Imm.dataIdx: {
          const v = idx();
          if (op.name === "memory.init") {
            if (c.idx1 !== 0) parts.push(ref(this.memNames, c.idx1));
            parts.push(ref(this.dataNames, v));
            k++;
            slot++;
          } else {
            parts.push(ref(this.dataNames, v));
          }
          break;
        }
        case Imm.tagIdx: parts.push(ref(this.tagNames, idx())); break;
        case Imm.fieldIdx: case Imm.u32: parts.push(String(idx())); break;
        case Imm.memarg: {
          if (c.memIndex !== 0) parts.push(ref(this.memNames, c.memIndex));
          if (c.memOffset !== 0) parts.push(`offset=${c.memOffset > Number.MAX_SAFE_INTEGER ? c.memOffsetExact() : c.memOffset}`);
          if (c.memAlign !== op.align) parts.push(`align=${1n << BigInt(c.memAlign)}`);
          break;
        }
        case Imm.i32: parts.push(String(c.i32)); break;
        case Imm.i64: parts.push(String(c.i64)); break;
        case Imm.f32: parts.push(formatF32(c.f32Bits)); break;
        case Imm.f64: parts.push(formatF64(c.f64Bits)); break;
        case Imm.v128: {
          const b = c.bytes;
          const p = c.valueAt;
          parts.push("i32x4");
          for (let i = 0; i < 4; i++) {
            const w = (b[p + i * 4]! | (b[p + i * 4 + 1]! << 8) | (b[p + i * 4 + 2]! << 16) | (b[p + i * 4 + 3]! << 24)) >>> 0;
            parts.push(`0x${w.toString(16).padStart(8, "0")}`);
          }
          break;
        }
        case Imm.lane: parts.push(String(c.lane)); break;
        case Imm.shuffle:
          for (let i = 0; i < 16; i++) parts.push(String(c.bytes[c.valueAt + i]));
          break;
        case Imm.heapType: {
          if (op.prefix === 0xfb && (op.name === "ref.test" || op.name === "ref.cast")) {
            parts.push(`(ref ${op.code & 1 ? "null " : ""}${this.heapS33(c.heap0)})`);
          } else if (op.prefix === 0xfb) {
            // br_on_cast: handled with castFlags
          } else {
            parts.push(this.heapS33(c.heap0));
          }
          break;
        }
        case Imm.selectTypes: {
          const types: string[] = [];
          const sub = new InstrCursor(c.bytes, c.valueAt, c.pos, c.base);
          for (let i = 0; i < c.selectCount; i++) {
            const v = sub.valType();
            types.push(v === -28 || v === -29 ? `(ref ${v === -29 ? "null " : ""}${this.heapS33(sub.blockHeap)})` : VALTYPE_BY_S33[v] ?? HEAP_BY_CODE.get(v)?.ref ?? String(v));
          }
          parts.push(`(result ${types.join(" ")})`);
          break;
        }
        case Imm.castFlags: {
          parts.push(this.labelRef(c.idx0));
          parts.push(`(ref ${c.castFlags & 1 ? "null " : ""}${this.heapS33(c.heap0)})`);
          parts.push(`(ref ${c.castFlags & 2 ? "null " : ""}${this.heapS33(c.heap1)})`);
          return parts.join(" ");
        }
        case Imm.catches:
          for (let i = 0; i < c.catchCount; i++) {
            const kind = c.catchKinds[i]!;
            const name = ["catch", "catch_ref", "catch_all", "catch_all_ref"][kind]!;
            const l = this.labelRef(c.catchLabels[i]!);
            parts.push(kind < 2 ? `(${name} ${ref(this.tagNames, c.catchTags[i]!)} ${l})` : `(${name} ${l})`);
          }
          break;
        case Imm.zeroByte: break;
      }
    }
    return parts.join(" ");
  }
}

function enc(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** A reference to entity `index`: its `$name` when it has one, else the number. */
function ref(names: Map<number, string>, index: number): string {
  const n = names.get(index);
  return n === undefined ? String(index) : n;
}

/**
 * Keeps only names that are unique in their map and not empty (others would not parse back), already
 * formatted as `$name`.
 */
function unique(map: ReadonlyMap<number, string>): Map<number, string> {
  const count = new Map<string, number>();
  for (const n of map.values()) count.set(n, (count.get(n) ?? 0) + 1);
  const out = new Map<number, string>();
  for (const [i, n] of map) if (count.get(n) === 1 && n.length > 0) out.set(i, formatId(n));
  return out;
}

function uniqueLocal(map: ReadonlyMap<number, string> | undefined): Map<number, string> | undefined {
  return map ? unique(map) : undefined;
}
