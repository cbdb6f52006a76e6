/**
 * The text parser's field level: the module fields of passes B and C (types, imports, functions,
 * tables, memories, globals, tags, exports, start, element and data segments), with their inline
 * imports, exports and abbreviations.
 *
 * @module
 */
import type { ConstExpr, ElementSegment, ExportInfo, LocalRun, ValueType } from "../binary/module-info.js";
import { Tok } from "./lexer.js";
import { Namespace } from "./resolve.js";
import { InstrParser } from "./parse-instrs.js";
import { sigKey, valKey } from "./parse-types.js";
import { concatBytes } from "../binary/encoder.js";
import type { FuncSig } from "./parse-state.js";

export abstract class FieldParser extends InstrParser {
  // Pass B: type definitions.
  protected typeField(f: number): void {
    this.p = f + 2;
    if (this.isAtom(f + 1, "rec")) {
      const first = this.typeDefs.length;
      while (this.kind[this.p] === Tok.lparen) {
        this.p += 2; // `(type`
        this.typeDef();
      }
      this.expectRP();
      this.recGroups.push({ first, count: this.typeDefs.length - first, explicit: true });
      return;
    }
    this.recGroups.push({ first: this.typeDefs.length, count: 1, explicit: false });
    const idx = this.typeDef();
    const def = this.typeDefs[idx]!;
    if (def.kind === "func" && !def.explicitSub && !def.shared) {
      const key = sigKey(def.params, def.results);
      if (!this.plainFuncTypes.has(key)) this.plainFuncTypes.set(key, idx);
    }
  }

  // Pass C: the other fields.
  protected field(f: number): void {
    this.p = f + 2;
    const kw = this.text(f + 1);
    switch (kw) {
      case "type": case "rec": return;
      case "import": return this.importField();
      case "func": return this.funcField();
      case "table": return this.tableField();
      case "memory": return this.memoryField();
      case "global": return this.globalField();
      case "tag": return this.tagField();
      case "export": return this.exportField();
      case "start": {
        this.startFunc = this.index(this.funcs);
        this.expectRP();
        return;
      }
      case "elem": return this.elemField();
      case "data": return this.dataField();
    }
  }

  private addExport(name: string, kind: ExportInfo["kind"], index: number, at: number): void {
    if (this.exportNames.has(name)) this.fail(`duplicate export name "${name}"`, at);
    this.exportNames.add(name);
    this.exports.push({ name, kind, index, offset: 0 });
  }

  /** `(export "n")*` inline exports for the entity `index` of `kind`. */
  private inlineExports(kind: ExportInfo["kind"], index: number): void {
    while (this.isOpen(this.p, "export")) {
      const at = this.p;
      this.p += 2;
      this.addExport(this.nameString(), kind, index, at);
      this.expectRP();
    }
  }

  /** `(import "m" "n")` if present: returns the names. */
  private inlineImport(): { module: string; name: string } | undefined {
    if (!this.isOpen(this.p, "import")) return undefined;
    this.p += 2;
    const module = this.nameString();
    const name = this.nameString();
    this.expectRP();
    return { module, name };
  }

  private importField(): void {
    const module = this.nameString();
    const name = this.nameString();
    this.expectLP();
    const kw = this.text(this.p);
    this.p++;
    this.optId();
    this.importDesc(kw, module, name);
    this.expectRP();
    this.expectRP();
  }

  private importDesc(kw: string, module: string, name: string): void {
    switch (kw) {
      case "func": {
        const index = this.funcSigs.length;
        const sig = this.typeUse(true);
        this.funcSigs.push(sig);
        this.imports.push({ module, name, offset: 0, kind: "func", typeIndex: sig.typeIndex });
        this.importedFuncs++;
        this.recordParamNames(index, sig);
        return;
      }
      case "table": {
        const type = this.tableType();
        this.table64.push(type.table64);
        this.imports.push({ module, name, offset: 0, kind: "table", type });
        this.importedTables++;
        return;
      }
      case "memory": {
        const type = this.memoryType();
        this.memory64.push(type.memory64);
        this.imports.push({ module, name, offset: 0, kind: "memory", type });
        this.importedMemories++;
        return;
      }
      case "global": {
        this.imports.push({ module, name, offset: 0, kind: "global", type: this.globalType() });
        this.importedGlobals++;
        return;
      }
      case "tag": {
        const sig = this.typeUse(false);
        this.imports.push({ module, name, offset: 0, kind: "tag", typeIndex: sig.typeIndex });
        this.importedTags++;
        return;
      }
    }
    this.unexpected(this.p - 1);
  }

  private recordParamNames(funcIndex: number, sig: FuncSig): void {
    let map: Map<number, string> | undefined;
    sig.paramNames.forEach((n, i) => {
      if (n !== undefined) (map ??= new Map()).set(i, n);
    });
    if (map) this.localNames.set(funcIndex, map);
  }

  private funcField(): void {
    const index = this.funcSigs.length;
    this.optId();
    this.inlineExports("func", index);
    const imp = this.inlineImport();
    if (imp) {
      this.importDesc("func", imp.module, imp.name);
      this.expectRP();
      return;
    }
    const sig = this.typeUse(true);
    this.funcSigs.push(sig);
    this.funcTypes.push(sig.typeIndex);
    // Locals: parameters first.
    const locals = new Namespace("local");
    const localTypes: ValueType[] = [...sig.params];
    for (let i = 0; i < sig.params.length; i++) {
      const n = sig.paramNames[i];
      if (locals.add(n) < 0) this.fail(`duplicate local $${n}`);
    }
    const runs: LocalRun[] = [];
    while (this.isOpen(this.p, "local")) {
      this.p += 2;
      if (this.kind[this.p] === Tok.id) {
        const at = this.p;
        const n = this.idName(this.p++);
        if (locals.add(n) < 0) this.fail(`duplicate local $${n}`, at);
        const t = this.valType();
        localTypes.push(t);
        pushRun(runs, t);
      } else {
        while (this.kind[this.p] !== Tok.rparen) {
          locals.add(undefined);
          const t = this.valType();
          localTypes.push(t);
          pushRun(runs, t);
        }
      }
      this.expectRP();
    }
    if (locals.names.size) this.localNames.set(index, locals.names);
    this.locals = locals;
    this.localTypes = localTypes;
    const w = this.w;
    w.len = 0;
    this.labels.clear();
    this.labelCount = 0;
    this.funcLabelNames = undefined;
    this.instrs();
    this.expectRP();
    w.byte(0x0b);
    if (this.funcLabelNames) this.labelNames.set(index, this.funcLabelNames);
    this.code.push({
      locals: runs,
      localCount: localTypes.length - sig.params.length,
      code: w.finish(),
      codeOffset: 0,
      offset: 0,
    });
  }

  private tableField(): void {
    const index = this.table64.length;
    this.optId();
    this.inlineExports("table", index);
    const imp = this.inlineImport();
    if (imp) {
      this.importDesc("table", imp.module, imp.name);
      this.expectRP();
      return;
    }
    const save = this.p;
    let table64 = false;
    if (this.isAtom(this.p, "i64") || this.isAtom(this.p, "i32")) {
      table64 = this.isAtom(this.p, "i64");
      this.p++;
    }
    let inlineElem = false;
    if (this.atRefType(this.p)) {
      this.refType();
      inlineElem = this.isOpen(this.p, "elem");
    }
    this.p = inlineElem ? this.p : save;
    if (inlineElem) {
      this.p = save;
      if (this.isAtom(this.p, "i64") || this.isAtom(this.p, "i32")) this.p++;
      // (table reftype (elem …)): limits from the element count.
      const element = this.refType();
      if (!this.isOpen(this.p, "elem")) this.unexpected();
      this.p += 2;
      let items: ElementSegment["items"];
      if (this.kind[this.p] === Tok.lparen) {
        const exprs: ConstExpr[] = [];
        while (this.kind[this.p] === Tok.lparen) exprs.push(this.elemItem());
        items = { kind: "expressions", exprs };
      } else {
        const indices: number[] = [];
        while (this.atIndex()) indices.push(this.index(this.funcs));
        // Function indices are `funcref` elements in the binary: for a table of another reference
        // type (e.g. `(ref null $t)`) the segment lists `ref.func` expressions of the table's type.
        items = element === "funcref"
          ? { kind: "functions", indices }
          : { kind: "expressions", exprs: indices.map((i) => constOf([0xd2, ...unsignedLeb(i), 0x0b])) };
      }
      this.expectRP();
      const n = items.kind === "functions" ? items.indices.length : items.exprs.length;
      this.table64.push(table64);
      this.tableInfos.push({ type: { element, table64, min: n, max: n } });
      const useExprs = items.kind === "expressions";
      const flags = index === 0 && (!useExprs || element === "funcref") ? (useExprs ? 4 : 0) : useExprs ? 6 : 2;
      this.elements.push({
        mode: "active", table: index, offsetExpr: constOf(table64 ? [0x42, 0x00, 0x0b] : [0x41, 0x00, 0x0b]),
        elementType: element, items, flags, offset: 0,
      });
      this.expectRP();
      return;
    }
    const type = this.tableType();
    this.table64.push(type.table64);
    if (this.kind[this.p] !== Tok.rparen) {
      const init = this.constExprUntilClose();
      this.tableInfos.push({ type, init });
      return;
    }
    this.tableInfos.push({ type });
    this.expectRP();
  }

  private memoryField(): void {
    const index = this.memory64.length;
    this.optId();
    this.inlineExports("memory", index);
    const imp = this.inlineImport();
    if (imp) {
      this.importDesc("memory", imp.module, imp.name);
      this.expectRP();
      return;
    }
    let memory64 = false;
    if ((this.isAtom(this.p, "i64") || this.isAtom(this.p, "i32")) && this.isOpen(this.p + 1, "data")) {
      memory64 = this.isAtom(this.p, "i64");
      this.p++;
    }
    if (this.isOpen(this.p, "data")) {
      this.p += 2;
      const parts: Uint8Array[] = [];
      let len = 0;
      while (this.kind[this.p] === Tok.string) {
        const b = this.stringAt(this.p++);
        parts.push(b);
        len += b.length;
      }
      this.expectRP();
      const pages = Math.ceil(len / 65536);
      this.memory64.push(memory64);
      this.memoryInfos.push({ min: pages, max: pages, shared: false, memory64 });
      this.data.push({
        mode: "active", memory: index, offsetExpr: constOf(memory64 ? [0x42, 0x00, 0x0b] : [0x41, 0x00, 0x0b]),
        init: concatBytes(parts), explicitMemory: index !== 0, offset: 0,
      });
      this.expectRP();
      return;
    }
    const type = this.memoryType();
    this.memory64.push(type.memory64);
    this.memoryInfos.push(type);
    this.expectRP();
  }

  private globalField(): void {
    const gi = this.importedGlobals + this.globalInfos.length;
    this.optId();
    this.inlineExports("global", gi);
    const imp = this.inlineImport();
    if (imp) {
      this.importDesc("global", imp.module, imp.name);
      this.expectRP();
      return;
    }
    const type = this.globalType();
    const init = this.constExprUntilClose();
    this.globalInfos.push({ type, init });
  }

  private tagField(): void {
    const index = this.importedTags + this.tagInfos.length;
    this.optId();
    this.inlineExports("tag", index);
    const imp = this.inlineImport();
    if (imp) {
      this.importDesc("tag", imp.module, imp.name);
      this.expectRP();
      return;
    }
    const sig = this.typeUse(false);
    this.tagInfos.push({ typeIndex: sig.typeIndex });
    this.expectRP();
  }

  private exportField(): void {
    const at = this.p;
    const name = this.nameString();
    this.expectLP();
    const kw = this.text(this.p);
    this.p++;
    let kind: ExportInfo["kind"];
    let index: number;
    switch (kw) {
      case "func": kind = "func"; index = this.index(this.funcs); break;
      case "table": kind = "table"; index = this.index(this.tables); break;
      case "memory": kind = "memory"; index = this.index(this.memories); break;
      case "global": kind = "global"; index = this.index(this.globals); break;
      case "tag": kind = "tag"; index = this.index(this.tags); break;
      default: return this.unexpected(this.p - 1);
    }
    this.expectRP();
    this.expectRP();
    this.addExport(name, kind, index, at);
  }

  private elemField(): void {
    this.optId();
    let mode: ElementSegment["mode"] = "passive";
    let table = 0;
    let explicitTable = false;
    let offsetExpr: ConstExpr | undefined;
    if (this.isAtom(this.p, "declare")) {
      mode = "declarative";
      this.p++;
    } else {
      if (this.isOpen(this.p, "table")) {
        this.p += 2;
        table = this.index(this.tables);
        explicitTable = true;
        this.expectRP();
      } else if (this.atU32() && this.kind[this.p + 1] === Tok.lparen) {
        table = this.u32();
        explicitTable = table !== 0;
      }
      if (this.isOpen(this.p, "offset")) {
        this.p += 2;
        offsetExpr = this.constExprUntilClose();
        mode = "active";
      } else if (this.kind[this.p] === Tok.lparen && !this.isOpen(this.p, "item") && !this.isOpen(this.p, "ref")) {
        offsetExpr = this.foldedConstExpr();
        mode = "active";
      } else if (explicitTable) {
        this.unexpected();
      }
    }
    let elementType: ValueType = "funcref";
    let items: ElementSegment["items"];
    if (this.isAtom(this.p, "func")) {
      this.p++;
      items = this.elemIndices();
    } else if (this.atRefType(this.p)) {
      elementType = this.refType();
      const exprs: ConstExpr[] = [];
      while (this.kind[this.p] === Tok.lparen) exprs.push(this.elemItem());
      items = { kind: "expressions", exprs };
    } else {
      if (mode !== "active" || explicitTable) {
        if (this.kind[this.p] !== Tok.rparen || mode !== "active") {
          if (this.atIndex() && mode === "active") items = this.elemIndices();
          else if (this.kind[this.p] === Tok.rparen && mode !== "passive") items = { kind: "functions", indices: [] };
          else this.unexpected();
        }
      }
      items ??= this.elemIndices();
    }
    this.expectRP();
    const useExprs = items.kind === "expressions";
    let flags: number;
    if (mode === "passive") flags = useExprs ? 5 : 1;
    else if (mode === "declarative") flags = useExprs ? 7 : 3;
    else if (!explicitTable && table === 0 && (!useExprs || isFuncref(elementType))) flags = useExprs ? 4 : 0;
    else flags = useExprs ? 6 : 2;
    this.elements.push({
      mode, table, ...(offsetExpr ? { offsetExpr } : {}), elementType, items, flags, offset: 0,
    });
  }

  private elemIndices(): ElementSegment["items"] {
    const indices: number[] = [];
    while (this.atIndex()) indices.push(this.index(this.funcs));
    return { kind: "functions", indices };
  }

  /** `(item instr*)` or a folded instruction. */
  private elemItem(): ConstExpr {
    if (this.isOpen(this.p, "item")) {
      this.p += 2;
      return this.constExprUntilClose();
    }
    return this.foldedConstExpr();
  }

  private dataField(): void {
    this.optId();
    let memory = 0;
    let explicitMemory = false;
    let offsetExpr: ConstExpr | undefined;
    if (this.isOpen(this.p, "memory")) {
      this.p += 2;
      memory = this.index(this.memories);
      explicitMemory = true;
      this.expectRP();
    } else if (this.atIndex() && this.kind[this.p + 1] === Tok.lparen) {
      memory = this.index(this.memories);
      explicitMemory = true;
    }
    if (this.isOpen(this.p, "offset")) {
      this.p += 2;
      offsetExpr = this.constExprUntilClose();
    } else if (this.kind[this.p] === Tok.lparen) {
      offsetExpr = this.foldedConstExpr();
    } else if (explicitMemory) {
      this.unexpected();
    }
    const parts: Uint8Array[] = [];
    let len = 0;
    while (this.kind[this.p] === Tok.string) {
      const b = this.stringAt(this.p++);
      parts.push(b);
      len += b.length;
    }
    this.expectRP();
    const init = concatBytes(parts);
    if (offsetExpr) {
      // `(memory x)` written out selects the binary form with an explicit index (flags 2), so that a
      // printed module parses back to the same bytes.
      this.data.push({ mode: "active", memory, offsetExpr, init, explicitMemory: explicitMemory || memory !== 0, offset: 0 });
    } else {
      this.data.push({ mode: "passive", memory: 0, init, explicitMemory: false, offset: 0 });
    }
  }
}

function pushRun(runs: LocalRun[], t: ValueType): void {
  const last = runs[runs.length - 1];
  if (last !== undefined && valKey(last.type) === valKey(t)) {
    runs[runs.length - 1] = { count: last.count + 1, type: t };
  } else {
    runs.push({ count: 1, type: t });
  }
}


/** The unsigned LEB128 encoding of `n` (a u32). */
function unsignedLeb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n ? b | 0x80 : b);
  } while (n);
  return out;
}

function constOf(bytes: number[]): ConstExpr {
  return { bytes: Uint8Array.from(bytes), offset: 0 };
}

function isFuncref(t: ValueType): boolean {
  return t === "funcref";
}
