/**
 * The text-format parser: tokens of one module -> `ModuleInfo` -> bytes through the shared encoder.
 *
 * Recursive descent over the lexer's token arrays, in three passes over the module's fields:
 * (A) collect every `$id` and index of every index space (so uses may precede definitions; imports
 * must precede definitions), (B) parse type definitions, (C) parse everything else in textual order,
 * writing instructions straight into a byte writer. Function types written inline (`(param …)
 * (result …)` without `(type …)`) reuse an equal plain function type or are appended to the type
 * section. `$identifiers` end up in a `name` section.
 *
 * Errors are `WatError`s at the offending token, worded after the spec's expectations ("unknown
 * operator", "unknown label $l", "inline function type", "import after function", "constant out of
 * range", "mismatching label", "duplicate func").
 *
 * @module
 */
import { WatError } from "../errors.js";
import { ABS_HEAP_CODE, ByteWriter, encodeModule, encodeNameSection } from "../binary/encoder.js";
import type {
  CompositeType,
  ConstExpr,
  CustomSection,
  DataSegment,
  ElementSegment,
  ExportInfo,
  FieldType,
  FunctionBody,
  GlobalInfo,
  HeapType,
  ImportInfo,
  LocalRun,
  MemoryDesc,
  ModuleInfo,
  RecGroup,
  StorageType,
  TableDesc,
  TableInfo,
  TagInfo,
  TypeDef,
  ValueType,
} from "../binary/module-info.js";
import { ALL_OPS, Imm, opByCode, opByName, type OpInfo } from "../binary/opcodes.js";
import { Tok, lex, stringBytes, stringText, type Tokens } from "./lexer.js";
import { NumClass, classifyNumber, f64Out, parseF32, parseF64, parseI32, parseI64, parseLaneInt, parseU32, parseU64 } from "./numbers.js";
import { LabelStack, Namespace } from "./resolve.js";

const ABS_HEAP_NAMES = new Set(Object.keys(ABS_HEAP_CODE));
const REF_ABBREV: Record<string, ValueType> = {
  funcref: "funcref",
  externref: "externref",
  anyref: { ref: "any", nullable: true },
  eqref: { ref: "eq", nullable: true },
  i31ref: { ref: "i31", nullable: true },
  structref: { ref: "struct", nullable: true },
  arrayref: { ref: "array", nullable: true },
  exnref: { ref: "exn", nullable: true },
  nullref: { ref: "none", nullable: true },
  nullfuncref: { ref: "nofunc", nullable: true },
  nullexternref: { ref: "noextern", nullable: true },
  nullexnref: { ref: "noexn", nullable: true },
};
const FIELD_KINDS = new Set(["type", "rec", "import", "func", "table", "memory", "global", "export", "start", "elem", "data", "tag"]);
const OP_SELECT_T = opByCode(undefined, 0x1c)!;

interface FuncSig {
  readonly typeIndex: number;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
  /** Names of the parameters given inline (by position). */
  readonly paramNames: readonly (string | undefined)[];
}

/** Parses the module whose tokens start at `first` (a `(` before `module`, or bare fields) to bytes. */
export function parseModuleTokens(t: Tokens, first: number, last: number): Uint8Array<ArrayBuffer> {
  return new ModuleParser(t).parse(first, last);
}

class ModuleParser {
  readonly t: Tokens;
  readonly src: string;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly match: Int32Array;
  p = 0;

  // Index spaces.
  readonly types = new Namespace("type");
  readonly funcs = new Namespace("function");
  readonly tables = new Namespace("table");
  readonly memories = new Namespace("memory");
  readonly globals = new Namespace("global");
  readonly tags = new Namespace("tag");
  readonly elems = new Namespace("elem");
  readonly datas = new Namespace("data");
  readonly fieldNames = new Map<number, Namespace>();

  // Module contents.
  readonly typeDefs: TypeDef[] = [];
  readonly recGroups: RecGroup[] = [];
  readonly plainFuncTypes = new Map<string, number>();
  readonly imports: ImportInfo[] = [];
  readonly funcTypes: number[] = [];
  readonly code: FunctionBody[] = [];
  readonly tableInfos: TableInfo[] = [];
  readonly memoryInfos: MemoryDesc[] = [];
  readonly globalInfos: GlobalInfo[] = [];
  readonly tagInfos: TagInfo[] = [];
  readonly exports: ExportInfo[] = [];
  readonly exportNames = new Set<string>();
  readonly elements: ElementSegment[] = [];
  readonly data: DataSegment[] = [];
  readonly localNames = new Map<number, Map<number, string>>();
  startFunc: number | undefined;
  moduleName: string | undefined;
  /** Whether the last `heapType()` read the `(shared ht)` form (shared-everything threads). */
  heapShared = false;
  usesDataCount = false;
  importedFuncs = 0;
  importedTables = 0;
  importedMemories = 0;
  importedGlobals = 0;
  importedTags = 0;
  readonly funcSigs: (FuncSig | undefined)[] = [];
  /** Whether each memory / table is 64-bit (for offsets of inline data and elems). */
  readonly memory64: boolean[] = [];
  readonly table64: boolean[] = [];

  // Function body state.
  readonly w = new ByteWriter(1 << 16);
  readonly labels = new LabelStack();
  locals = new Namespace("local");
  localTypes: ValueType[] = [];
  labelCount = 0;
  funcLabelNames: Map<number, string> | undefined;
  /** Block label names per function (name section subsection 3). */
  readonly labelNames = new Map<number, Map<number, string>>();

  constructor(t: Tokens) {
    this.t = t;
    this.src = t.src;
    this.kind = t.kind;
    this.start = t.start;
    this.end = t.end;
    this.match = t.match;
  }

  // ---- token helpers ----------------------------------------------------------------------------

  fail(reason: string, tok: number = this.p): never {
    throw new WatError(reason, this.src, this.start[tok]!, this.t.file);
  }

  text(i: number): string {
    return this.src.slice(this.start[i]!, this.end[i]!);
  }

  /** True when token `i` is the atom `word`. */
  isAtom(i: number, word: string): boolean {
    const s = this.start[i]!;
    return this.kind[i] === Tok.atom && this.end[i]! - s === word.length && this.src.startsWith(word, s);
  }

  /** True when token `i` is `(` followed by the atom `word`. */
  isOpen(i: number, word: string): boolean {
    return this.kind[i] === Tok.lparen && this.isAtom(i + 1, word);
  }

  expectLP(): void {
    if (this.kind[this.p] !== Tok.lparen) this.unexpected();
    this.p++;
  }

  expectRP(): void {
    if (this.kind[this.p] !== Tok.rparen) this.unexpected();
    this.p++;
  }

  expectAtom(word: string): void {
    if (!this.isAtom(this.p, word)) this.unexpected();
    this.p++;
  }

  unexpected(tok: number = this.p): never {
    const k = this.kind[tok];
    if (k === Tok.eof) this.fail("unexpected end of input", tok);
    return this.fail(`unexpected token ${this.text(tok)}`, tok);
  }

  /**
   * Fails on token `i`, which should have been a number of `kind` but did not parse as one: a malformed
   * literal is an "unknown operator", a word or a number of the wrong shape an "unexpected token", and a
   * well-formed number that does not fit `outOfRange`.
   */
  numberError(i: number, kind: "int" | "nat" | "float", outOfRange: string): never {
    const cls = classifyNumber(this.src, this.start[i]!, this.end[i]!);
    const text = this.text(i);
    if (cls === NumClass.malformed) this.fail(`unknown operator ${text}: malformed number`, i);
    if (cls === NumClass.word) this.fail(`unexpected token ${text}`, i);
    if (kind === "float") return this.fail(outOfRange, i);
    if (cls === NumClass.float || (kind === "nat" && cls === NumClass.int)) this.fail(`unexpected token ${text}`, i);
    return this.fail(outOfRange, i);
  }

  /** An optional `$id` at the cursor. */
  optId(): string | undefined {
    if (this.kind[this.p] === Tok.id) return this.idName(this.p++);
    return undefined;
  }

  /** The name of an id token, without `$` (and unquoted for `$"..."`). */
  idName(i: number): string {
    const s = this.start[i]!;
    if (this.src.charCodeAt(s + 1) === 0x22) {
      const name = stringText(this.t, s + 1, this.end[i]!);
      if (name.length === 0) this.fail("empty identifier", i);
      return name;
    }
    return this.src.slice(s + 1, this.end[i]!);
  }

  stringAt(i: number): Uint8Array {
    if (this.kind[i] !== Tok.string) this.unexpected(i);
    return stringBytes(this.t, this.start[i]!, this.end[i]!);
  }

  nameString(): string {
    const i = this.p;
    if (this.kind[i] !== Tok.string) this.unexpected(i);
    this.p++;
    return stringText(this.t, this.start[i]!, this.end[i]!);
  }

  u32(): number {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const v = parseU32(this.src, this.start[i]!, this.end[i]!);
    if (v === undefined) this.numberError(i, "nat", "i32 constant out of range");
    this.p++;
    return v;
  }

  u64(): number | bigint {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const v = parseU64(this.src, this.start[i]!, this.end[i]!);
    if (v === undefined) this.numberError(i, "nat", "i64 constant out of range");
    this.p++;
    return v;
  }

  /** True when the cursor is at an unsigned integer token. */
  atU32(): boolean {
    const i = this.p;
    return this.kind[i] === Tok.atom && parseU32(this.src, this.start[i]!, this.end[i]!) !== undefined;
  }

  /** True when the cursor is at an index (`$id` or unsigned integer). */
  atIndex(): boolean {
    return this.kind[this.p] === Tok.id || this.atU32();
  }

  /** An index: `$id` resolved in `space`, or a number. */
  index(space: Namespace): number {
    const i = this.p;
    if (this.kind[i] === Tok.id) {
      const name = this.idName(i);
      const v = space.get(name);
      if (v === undefined) this.fail(`unknown ${space.kind} $${name}`, i);
      this.p++;
      return v;
    }
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    return this.u32();
  }

  // ---- module -------------------------------------------------------------------------------------

  parse(first: number, last: number): Uint8Array<ArrayBuffer> {
    let p = first;
    let end = last;
    if (this.isOpen(p, "module")) {
      end = this.match[p]!;
      if (end + 1 < last) this.fail(`unexpected token ${this.text(end + 1)} after the module`, end + 1);
      p += 2;
      if (this.isAtom(p, "definition")) p++;
      if (this.kind[p] === Tok.id) this.moduleName = this.idName(p++);
    }
    const parent = this.isOpen(first, "module") ? first : -1;
    for (const c of this.t.customs) if (c.parent === parent) this.customAnnotation(c.start, c.end);
    for (const n of this.t.names) {
      const list = this.nameAnnots.get(n.parent);
      if (list) list.push(n);
      else this.nameAnnots.set(n.parent, [n]);
    }
    const moduleNames = this.nameAnnots.get(parent);
    if (moduleNames) {
      if (moduleNames.length > 1) this.failAt("@name annotation: multiple module names", moduleNames[1]!.start);
      const n = moduleNames[0]!;
      // It must come right after `module $id?`.
      if (parent >= 0 && n.start > this.start[p]! && p < end) this.failAt("misplaced @name annotation", n.start);
      this.moduleName = this.nameAnnotation(n.start, n.end);
    }
    const fields: number[] = [];
    for (let i = p; i < end; i = this.match[i]! + 1) {
      if (this.kind[i] !== Tok.lparen) this.unexpected(i);
      if (this.kind[i + 1] !== Tok.atom || !FIELD_KINDS.has(this.text(i + 1))) {
        this.fail(this.kind[i + 1] === Tok.atom ? `unknown operator ${this.text(i + 1)}: not a module field` : "unexpected token", i + 1);
      }
      fields.push(i);
    }
    for (const f of fields) this.collect(f);
    for (const f of fields) {
      if (this.isAtom(f + 1, "type") || this.isAtom(f + 1, "rec")) this.typeField(f);
    }
    for (const f of fields) this.field(f);
    if (this.t.pending && last >= this.t.count - 1) throw this.t.pending;
    return this.finish();
  }

  /** `(@custom "name" (before|after place)? "data"*)`: a custom section at a chosen position. */
  private customAnnotation(start: number, end: number): void {
    // Lex the annotation on its own ("(@" becomes "( " so offsets stay the same) and map errors back.
    const sub = lex(`( ${this.src.slice(start + 2, end)}`);
    const at = (i: number) => start + sub.start[i]!;
    const fail = (reason: string, i: number): never => {
      throw new WatError(`@custom annotation: ${reason}`, this.src, at(i), this.t.file);
    };
    let i = 2;
    if (sub.kind[i] !== Tok.string) fail("missing section name", i);
    let name: string;
    try {
      name = stringText(sub, sub.start[i]!, sub.end[i]!);
    } catch {
      return fail("malformed UTF-8 encoding", i);
    }
    i++;
    let after = 11;
    if (sub.kind[i] === Tok.lparen) {
      const how = sub.kind[i + 1] === Tok.atom ? sub.src.slice(sub.start[i + 1]!, sub.end[i + 1]!) : "";
      const where = sub.kind[i + 2] === Tok.atom ? sub.src.slice(sub.start[i + 2]!, sub.end[i + 2]!) : "";
      if ((how !== "before" && how !== "after") || sub.kind[i + 3] !== Tok.rparen) fail("unexpected token", i + 1);
      const id = where === "first" ? (how === "before" ? 0 : -1) : where === "last" ? (how === "after" ? 11 : -1) : (CUSTOM_PLACES[where] ?? -1);
      if (id < 0 || (where === "first" && how !== "before") || (where === "last" && how !== "after")) fail("unexpected token", i + 2);
      if (where === "first" || where === "last") after = id;
      else if (how === "after") after = id;
      else {
        const k = SECTION_ORDER.indexOf(id);
        after = k <= 0 ? 0 : SECTION_ORDER[k - 1]!;
      }
      i += 4;
    }
    const parts: Uint8Array[] = [];
    let len = 0;
    for (; sub.kind[i] === Tok.string; i++) {
      const b = stringBytes(sub, sub.start[i]!, sub.end[i]!);
      parts.push(b);
      len += b.length;
    }
    if (sub.kind[i] !== Tok.rparen) fail("unexpected token", i);
    this.customs.push({ name, data: concat(parts, len), offset: 0, after });
  }

  /** `(@name …)` annotations by the token index of their enclosing `(`. */
  private readonly nameAnnots = new Map<number, { start: number; end: number }[]>();

  private failAt(reason: string, offset: number): never {
    throw new WatError(reason, this.src, offset, this.t.file);
  }

  /** The string of `(@name "…")`. */
  private nameAnnotation(start: number, end: number): string {
    const sub = lex(`( ${this.src.slice(start + 2, end)}`);
    if (sub.kind[2] !== Tok.string || sub.kind[3] !== Tok.rparen) this.failAt("@name annotation: expected one string", start);
    try {
      return stringText(sub, sub.start[2]!, sub.end[2]!);
    } catch {
      return this.failAt("@name annotation: malformed UTF-8 encoding", start);
    }
  }

  /**
   * The `(@name …)` of the definition opened by token `open` (whose `$id`, if any, ends at token
   * `after - 1`): it must come right after the keyword and id.
   */
  private definitionName(open: number, after: number): string | undefined {
    const list = this.nameAnnots.get(open);
    if (!list) return undefined;
    if (list.length > 1) this.failAt("@name annotation: multiple names", list[1]!.start);
    const n = list[0]!;
    if (n.start > this.start[after]!) this.failAt("misplaced @name annotation", n.start);
    return this.nameAnnotation(n.start, n.end);
  }

  /** Custom sections from `(@custom …)` annotations. */
  readonly customs: CustomSection[] = [];

  // Pass A: names and index spaces.
  private definedAny: string | undefined;

  private collect(f: number): void {
    const kw = this.text(f + 1);
    let i = f + 2;
    const idAt = this.kind[i] === Tok.id ? i++ : -1;
    const id = idAt >= 0 ? this.idName(idAt) : undefined;
    const add = (space: Namespace, name: string | undefined, at: number, what: string, open = f, after = i) => {
      const index = space.add(name);
      if (index < 0) this.fail(`duplicate ${what} $${name}`, at);
      const display = this.nameAnnots.size ? this.definitionName(open, after) : undefined;
      if (display !== undefined) space.names.set(index, display);
    };
    const isImport = () => {
      // An inline import: (kind $id? (export "…")* (import "m" "n") …)
      let j = i;
      while (this.isOpen(j, "export")) j = this.match[j]! + 1;
      return this.isOpen(j, "import");
    };
    const define = (what: string, space: Namespace, imported: boolean) => {
      if (imported) {
        if (this.definedAny) this.fail(`import after ${this.definedAny}`, f);
      } else if (!this.definedAny) {
        this.definedAny = what;
      }
      add(space, id, idAt, what === "function" ? "func" : what);
    };
    switch (kw) {
      case "type": add(this.types, id, idAt, "type"); break;
      case "rec":
        for (let j = f + 2; this.kind[j] === Tok.lparen; j = this.match[j]! + 1) {
          if (!this.isAtom(j + 1, "type")) this.unexpected(j + 1);
          const tid = this.kind[j + 2] === Tok.id ? this.idName(j + 2) : undefined;
          add(this.types, tid, j + 2, "type", j, tid !== undefined ? j + 3 : j + 2);
        }
        break;
      case "func": define("function", this.funcs, isImport()); break;
      case "table": define("table", this.tables, isImport()); break;
      case "memory": define("memory", this.memories, isImport()); break;
      case "global": define("global", this.globals, isImport()); break;
      case "tag": define("tag", this.tags, isImport()); break;
      case "elem": add(this.elems, id, idAt, "elem"); break;
      case "data": add(this.datas, id, idAt, "data"); break;
      case "import": {
        if (this.definedAny) this.fail(`import after ${this.definedAny}`, f);
        // (import "m" "n" (kind $id? …))
        const d = f + 4;
        if (this.kind[d] !== Tok.lparen) this.unexpected(d);
        const dk = this.text(d + 1);
        const did = this.kind[d + 2] === Tok.id ? this.idName(d + 2) : undefined;
        const space = dk === "func" ? this.funcs : dk === "table" ? this.tables : dk === "memory" ? this.memories
          : dk === "global" ? this.globals : dk === "tag" ? this.tags : undefined;
        if (!space) this.fail(`unknown operator ${dk}: not an import kind`, d + 1);
        add(space, did, d + 2, dk, d, this.kind[d + 2] === Tok.id ? d + 3 : d + 2);
        break;
      }
      case "start":
        if (this.startFunc !== undefined) this.fail("multiple start sections", f);
        this.startFunc = -1;
        break;
    }
  }

  // Pass B: type definitions.
  private typeField(f: number): void {
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

  /** Parses `$id? (sub final? $super* comp) | comp )` after `(type`; returns the new type index. */
  private typeDef(): number {
    const index = this.typeDefs.length;
    this.optId();
    this.expectLP();
    let def: TypeDef;
    if (this.isAtom(this.p, "sub")) {
      this.p++;
      let final = false;
      if (this.isAtom(this.p, "final")) {
        final = true;
        this.p++;
      }
      const supertypes: number[] = [];
      while (this.atIndex()) supertypes.push(this.index(this.types));
      this.expectLP();
      const comp = this.sharedCompositeType(index);
      this.expectRP();
      def = { ...comp, final, supertypes, explicitSub: true };
    } else {
      def = { ...this.sharedCompositeType(index), final: true, supertypes: [], explicitSub: false };
    }
    this.expectRP();
    this.typeDefs.push(def);
    return index;
  }

  /**
   * After `(`: a composite type, or `shared (comp))` (shared-everything threads: a shared composite
   * type); consumes the closing paren.
   */
  private sharedCompositeType(index: number): CompositeType & { shared?: boolean } {
    if (!this.isAtom(this.p, "shared")) return this.compositeType(index);
    this.p++;
    this.expectLP();
    const comp = this.compositeType(index);
    this.expectRP();
    return { ...comp, shared: true };
  }

  /** After `(`: `func …)`, `struct …)` or `array …)`; consumes the closing paren of the composite. */
  private compositeType(index: number): CompositeType {
    const i = this.p;
    if (this.isAtom(i, "func")) {
      this.p++;
      const params: ValueType[] = [];
      const results: ValueType[] = [];
      this.paramsResults(params, results, []);
      this.expectRP();
      return { kind: "func", params, results };
    }
    if (this.isAtom(i, "struct")) {
      this.p++;
      const fields: FieldType[] = [];
      const names = new Namespace("field");
      while (this.isOpen(this.p, "field")) {
        this.p += 2;
        const at = this.p;
        const id = this.optId();
        if (id !== undefined) {
          if (names.add(id) < 0) this.fail(`duplicate field $${id}`, at);
          fields.push(this.fieldType());
        } else {
          while (this.kind[this.p] !== Tok.rparen) {
            names.add(undefined);
            fields.push(this.fieldType());
          }
        }
        this.expectRP();
      }
      this.fieldNames.set(index, names);
      this.expectRP();
      return { kind: "struct", fields };
    }
    if (this.isAtom(i, "array")) {
      this.p++;
      const element = this.fieldType();
      this.expectRP();
      return { kind: "array", element };
    }
    return this.unexpected(i);
  }

  private fieldType(): FieldType {
    if (this.isOpen(this.p, "mut")) {
      this.p += 2;
      const storage = this.storageType();
      this.expectRP();
      return { storage, mutable: true };
    }
    return { storage: this.storageType(), mutable: false };
  }

  private storageType(): StorageType {
    if (this.isAtom(this.p, "i8")) { this.p++; return "i8"; }
    if (this.isAtom(this.p, "i16")) { this.p++; return "i16"; }
    return this.valType();
  }

  // Pass C: the other fields.
  private field(f: number): void {
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
        init: concat(parts, len), explicitMemory: index !== 0, offset: 0,
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
    const init = concat(parts, len);
    if (offsetExpr) {
      // `(memory x)` written out selects the binary form with an explicit index (flags 2), so that a
      // printed module parses back to the same bytes.
      this.data.push({ mode: "active", memory, offsetExpr, init, explicitMemory: explicitMemory || memory !== 0, offset: 0 });
    } else {
      this.data.push({ mode: "passive", memory: 0, init, explicitMemory: false, offset: 0 });
    }
  }

  // ---- types ------------------------------------------------------------------------------------

  /** True when token `i` begins a reference type. */
  atRefType(i: number): boolean {
    if (this.kind[i] === Tok.atom) return REF_ABBREV[this.text(i)] !== undefined;
    return this.isOpen(i, "ref");
  }

  valType(): ValueType {
    const i = this.p;
    if (this.kind[i] === Tok.atom) {
      const s = this.text(i);
      switch (s) {
        case "i32": case "i64": case "f32": case "f64": case "v128":
          this.p++;
          return s;
      }
      const r = REF_ABBREV[s];
      if (r !== undefined) {
        this.p++;
        return r;
      }
      return this.fail(`unknown operator ${s}: expected a value type`, i);
    }
    if (this.isOpen(i, "ref")) return this.refType();
    return this.unexpected(i);
  }

  refType(): ValueType {
    const i = this.p;
    if (this.kind[i] === Tok.atom) {
      const r = REF_ABBREV[this.text(i)];
      if (r === undefined) this.fail(`unexpected token ${this.text(i)}: expected a reference type`, i);
      this.p++;
      return r;
    }
    if (!this.isOpen(i, "ref")) this.unexpected(i);
    this.p += 2;
    let nullable = false;
    if (this.isAtom(this.p, "null")) {
      nullable = true;
      this.p++;
    }
    const ref = this.heapType();
    const shared = this.heapShared;
    this.expectRP();
    if (shared) return { ref, nullable, shared: true };
    if (nullable && ref === "func") return "funcref";
    if (nullable && ref === "extern") return "externref";
    return { ref, nullable };
  }

  /**
   * A heap type: abstract, `(shared abstract)` (shared-everything threads) or a type index. Sets
   * `heapShared` to whether it was the shared form.
   */
  heapType(): HeapType {
    this.heapShared = false;
    if (this.isOpen(this.p, "shared")) {
      this.p += 2;
      const i = this.p;
      if (this.kind[i] !== Tok.atom || !ABS_HEAP_NAMES.has(this.text(i))) {
        this.fail(`unexpected token ${this.text(i)}: expected an abstract heap type after \`shared\``, i);
      }
      this.p++;
      this.expectRP();
      this.heapShared = true;
      return this.text(i) as HeapType;
    }
    const i = this.p;
    if (this.kind[i] === Tok.atom) {
      const s = this.text(i);
      if (ABS_HEAP_NAMES.has(s)) {
        this.p++;
        return s as HeapType;
      }
    }
    if (this.kind[i] === Tok.id || this.atU32()) return this.index(this.types);
    return this.fail(`unexpected token ${this.text(i)}: expected a heap type`, i);
  }

  private limits64(is64: boolean, what: "memory" | "table"): { min: number; max?: number } {
    const min = this.limitValue(is64, what);
    if (this.kind[this.p] === Tok.atom && /^[0-9]/.test(this.text(this.p))) {
      return { min, max: this.limitValue(is64, what) };
    }
    return { min };
  }

  private limitValue(is64: boolean, what: "memory" | "table"): number {
    if (is64) {
      // Limits are numbers: exact up to 2^53; the encoder writes values >= 2^64 as 2^64 - 1.
      return Number(this.u64());
    }
    const i = this.p;
    if (this.kind[i] === Tok.atom && parseU32(this.src, this.start[i]!, this.end[i]!) === undefined &&
        parseU64(this.src, this.start[i]!, this.end[i]!) !== undefined) {
      // A number the text allows (limits are u64 since memory64) that no 32-bit memory or table can have.
      // (Worded for both spec versions: 2.0 reads limits as u32, 3.0 reads u64 and bounds the size.)
      this.fail(`i32 constant out of range: ${what} size must be below 2^32 for a 32-bit ${what}`, i);
    }
    return this.u32();
  }

  tableType(): TableDesc {
    // `shared` first: a shared table (shared-everything threads).
    const shared = this.isAtom(this.p, "shared");
    if (shared) this.p++;
    let table64 = false;
    if (this.isAtom(this.p, "i64")) {
      table64 = true;
      this.p++;
    } else if (this.isAtom(this.p, "i32")) {
      this.p++;
    }
    const lim = this.limits64(table64, "table");
    const element = this.refType();
    const flag = shared ? { shared: true } : {};
    return lim.max === undefined ? { element, table64, min: lim.min, ...flag } : { element, table64, min: lim.min, max: lim.max, ...flag };
  }

  memoryType(): MemoryDesc {
    // `shared` first is the shared-everything threads spelling of `limits shared`.
    const sharedFirst = this.isAtom(this.p, "shared");
    if (sharedFirst) this.p++;
    let memory64 = false;
    if (this.isAtom(this.p, "i64")) {
      memory64 = true;
      this.p++;
    } else if (this.isAtom(this.p, "i32")) {
      this.p++;
    }
    const lim = this.limits64(memory64, "memory");
    let shared = sharedFirst;
    if (!sharedFirst && this.isAtom(this.p, "shared")) {
      shared = true;
      this.p++;
    } else if (!sharedFirst && this.isAtom(this.p, "unshared")) {
      this.p++;
    }
    let pageSizeLog2: number | undefined;
    if (this.isOpen(this.p, "pagesize")) {
      this.p += 2;
      const at = this.p;
      const size = this.u32();
      if (size === 0 || (size & (size - 1)) !== 0) this.fail("invalid custom page size", at);
      pageSizeLog2 = Math.log2(size);
      this.expectRP();
    }
    return {
      min: lim.min,
      ...(lim.max !== undefined ? { max: lim.max } : {}),
      shared,
      memory64,
      ...(pageSizeLog2 !== undefined ? { pageSizeLog2 } : {}),
    };
  }

  globalType(): { content: ValueType; mutable: boolean } {
    if (this.isOpen(this.p, "mut")) {
      this.p += 2;
      const content = this.valType();
      this.expectRP();
      return { content, mutable: true };
    }
    return { content: this.valType(), mutable: false };
  }

  /** `(param …)* (result …)*`; parameter names go to `names` when given. */
  private paramsResults(params: ValueType[], results: ValueType[], names: (string | undefined)[] | undefined): void {
    while (this.isOpen(this.p, "param")) {
      this.p += 2;
      if (this.kind[this.p] === Tok.id) {
        const at = this.p;
        const n = this.idName(this.p++);
        if (!names) this.fail(`unexpected token: a parameter name is not allowed here`, at);
        names.push(n);
        params.push(this.valType());
      } else {
        while (this.kind[this.p] !== Tok.rparen) {
          names?.push(undefined);
          params.push(this.valType());
        }
      }
      this.expectRP();
    }
    while (this.isOpen(this.p, "result")) {
      this.p += 2;
      while (this.kind[this.p] !== Tok.rparen) results.push(this.valType());
      this.expectRP();
    }
    if (this.isOpen(this.p, "param")) this.fail("unexpected token: param after result", this.p);
  }

  /** A type use: `(type x)? (param …)* (result …)*`. With `named`, parameters may carry names. */
  typeUse(named: boolean): FuncSig {
    let explicit: number | undefined;
    const at = this.p;
    if (this.isOpen(this.p, "type")) {
      this.p += 2;
      explicit = this.index(this.types);
      this.expectRP();
    }
    const params: ValueType[] = [];
    const results: ValueType[] = [];
    const names: (string | undefined)[] = [];
    const inlineAt = this.p;
    this.paramsResults(params, results, named ? names : undefined);
    const hasInline = this.p !== inlineAt;
    if (explicit !== undefined) {
      const def = this.typeDefs[explicit];
      if (def === undefined) this.fail(`unknown type ${explicit}`, at);
      if (def.kind !== "func") return this.fail(`type ${explicit} is not a function type`, at);
      if (hasInline && (sigKey(def.params, def.results) !== sigKey(params, results))) {
        const tn = this.types.names.get(explicit);
        this.fail(`inline function type doesn't match type ${tn !== undefined ? `$${tn}` : explicit}`, inlineAt);
      }
      return { typeIndex: explicit, params: def.params, results: def.results, paramNames: hasInline ? names : [] };
    }
    return { typeIndex: this.funcType(params, results), params, results, paramNames: names };
  }

  /** The index of a plain function type equal to (params) -> (results), added if missing. */
  funcType(params: readonly ValueType[], results: readonly ValueType[]): number {
    const key = sigKey(params, results);
    const found = this.plainFuncTypes.get(key);
    if (found !== undefined) return found;
    const index = this.typeDefs.length;
    this.typeDefs.push({ kind: "func", params, results, final: true, supertypes: [], explicitSub: false });
    this.recGroups.push({ first: index, count: 1, explicit: false });
    this.plainFuncTypes.set(key, index);
    this.types.count = Math.max(this.types.count, index + 1);
    return index;
  }

  // ---- constant expressions -------------------------------------------------------------------

  /** Instructions up to the closing paren of the current list (consumed), as a constant expression. */
  private constExprUntilClose(): ConstExpr {
    const w = this.w;
    const saved = w.len;
    this.labels.clear();
    this.instrs();
    this.expectRP();
    w.byte(0x0b);
    const bytes = w.buf.slice(saved, w.len);
    w.len = saved;
    return { bytes, offset: 0 };
  }

  /** One folded instruction as a constant expression. */
  private foldedConstExpr(): ConstExpr {
    const w = this.w;
    const saved = w.len;
    this.labels.clear();
    this.folded();
    w.byte(0x0b);
    const bytes = w.buf.slice(saved, w.len);
    w.len = saved;
    return { bytes, offset: 0 };
  }

  // ---- instructions ---------------------------------------------------------------------------

  /** Instructions until `)` or a block-structure keyword (`end`, `else`, `catch`, `catch_all`, `delegate`). */
  instrs(): void {
    const kind = this.kind;
    for (;;) {
      const k = kind[this.p];
      if (k === Tok.lparen) {
        this.folded();
        continue;
      }
      if (k !== Tok.atom) return;
      const s = this.start[this.p]!;
      const c = this.src.charCodeAt(s);
      // Fast rejection of the block keywords, which all start with c, d or e.
      if ((c === 0x65 || c === 0x63 || c === 0x64) && this.atBlockKeyword()) return;
      this.plain();
    }
  }

  private atBlockKeyword(): boolean {
    const p = this.p;
    return this.isAtom(p, "end") || this.isAtom(p, "else") || this.isAtom(p, "catch") || this.isAtom(p, "catch_all") || this.isAtom(p, "delegate");
  }

  private opAt(i: number): OpInfo {
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const op = lookupOp(this.src, this.start[i]!, this.end[i]!);
    if (op === undefined) {
      const word = this.text(i);
      this.fail(`${NOT_INSTRUCTIONS.has(word) ? "unexpected token" : "unknown operator"} ${word}`, i);
    }
    return op;
  }

  /** One plain (unfolded) instruction at the cursor. */
  private plain(): void {
    const at = this.p;
    const op = this.opAt(at);
    this.p++;
    if (op.prefix === undefined) {
      switch (op.code) {
        case 0x02: case 0x03: case 0x06: case 0x1f: return this.blockPlain(op, at);
        case 0x04: return this.blockPlain(op, at);
      }
    }
    this.immediates(op, at);
  }

  /** `block|loop|if|try|try_table label? bt … end label?` in the plain form. */
  private blockPlain(op: OpInfo, at: number): void {
    const w = this.w;
    if (this.labels.depth >= MAX_BLOCK_DEPTH) this.fail(`blocks nested too deep (the limit is ${MAX_BLOCK_DEPTH})`, at);
    const label = this.optId();
    w.op(op);
    this.blockType();
    if (op.code === 0x1f) this.tryTableCatches();
    this.labels.push(label);
    this.nameLabel(label);
    this.instrs();
    if (op.code === 0x04 && this.isAtom(this.p, "else")) {
      this.p++;
      this.endLabel(label);
      w.byte(0x05);
      this.instrs();
    }
    if (op.code === 0x06) {
      const handlers = this.p;
      while (this.isAtom(this.p, "catch")) {
        this.p++;
        w.byte(0x07);
        w.u32(this.index(this.tags));
        this.instrs();
      }
      if (this.isAtom(this.p, "catch_all")) {
        this.p++;
        w.byte(0x19);
        this.instrs();
      }
      if (this.isAtom(this.p, "delegate")) {
        // `delegate` replaces the handlers: a try has one or the other.
        if (this.p !== handlers) this.fail("unexpected token delegate: a try with catch clauses cannot delegate", this.p);
        this.p++;
        this.labels.pop();
        w.byte(0x18);
        w.u32(this.label());
        return;
      }
    }
    if (!this.isAtom(this.p, "end")) {
      if (this.kind[this.p] === Tok.eof || this.kind[this.p] === Tok.rparen) this.fail(`unexpected token: ${op.name} without end`, at);
      this.unexpected();
    }
    this.p++;
    this.endLabel(label);
    this.labels.pop();
    w.byte(0x0b);
  }

  /** Numbers the block just opened (labels are numbered in code order) and records its name. */
  private nameLabel(label: string | undefined): void {
    const i = this.labelCount++;
    if (label !== undefined) (this.funcLabelNames ??= new Map()).set(i, label);
  }

  /** An optional `$label` after `end`/`else`/`catch` that must repeat the block's label. */
  private endLabel(label: string | undefined): void {
    if (this.kind[this.p] === Tok.id) {
      const at = this.p;
      const n = this.idName(this.p++);
      if (n !== label) this.fail(`mismatching label $${n}`, at);
    }
  }

  /** A folded instruction `( … )` at the cursor. */
  private folded(): void {
    const open = this.p;
    const close = this.match[open]!;
    this.p++;
    const at = this.p;
    const op = this.opAt(at);
    this.p++;
    const w = this.w;
    if (op.prefix === undefined) {
      switch (op.code) {
        // Parts of a block (else, catch, catch_all, delegate, end) are not instructions on their own.
        case 0x05: case 0x07: case 0x0b: case 0x18: case 0x19:
          return this.fail(`unexpected token ${op.name}: only allowed inside its block`, at);
        case 0x02: case 0x03: case 0x1f: {
          if (this.labels.depth >= MAX_BLOCK_DEPTH) this.fail(`blocks nested too deep (the limit is ${MAX_BLOCK_DEPTH})`, at);
          const label = this.optId();
          w.op(op);
          this.blockType();
          if (op.code === 0x1f) this.tryTableCatches();
          this.labels.push(label);
          this.nameLabel(label);
          this.instrs();
          this.labels.pop();
          w.byte(0x0b);
          this.expectRP();
          return;
        }
        case 0x04: return this.foldedIf(op);
        case 0x06: return this.foldedTry(op);
      }
    }
    // Operands come first in the text but after the instruction's immediates: parse the immediates
    // into a side buffer, then the operands, then emit.
    const immStart = w.len;
    this.immediates(op, at);
    if (this.kind[this.p] === Tok.rparen) {
      this.p++;
      return;
    }
    const len = w.len - immStart;
    const saved = w.buf.slice(immStart, w.len);
    w.len = immStart;
    while (this.kind[this.p] === Tok.lparen) this.folded();
    if (this.kind[this.p] !== Tok.rparen) {
      const j = this.p;
      const known = this.kind[j] === Tok.atom && lookupOp(this.src, this.start[j]!, this.end[j]!) !== undefined;
      this.fail(`${this.kind[j] === Tok.atom && !known ? "unknown operator" : "unexpected token"} ${this.text(j)}`, j);
    }
    this.p = close + 1;
    w.ensure(len);
    w.buf.set(saved, w.len);
    w.len += len;
  }

  private foldedIf(op: OpInfo): void {
    const w = this.w;
    const label = this.optId();
    // The block type precedes the condition in the text but follows it in the binary.
    const saveLen = w.len;
    this.blockType();
    const bt = w.buf.slice(saveLen, w.len);
    w.len = saveLen;
    while (this.kind[this.p] === Tok.lparen && !this.isOpen(this.p, "then")) this.folded();
    if (!this.isOpen(this.p, "then")) this.unexpected();
    w.op(op);
    w.bytes(bt);
    this.labels.push(label);
    this.nameLabel(label);
    this.p += 2;
    this.instrs();
    this.expectRP();
    if (this.isOpen(this.p, "else")) {
      this.p += 2;
      w.byte(0x05);
      this.instrs();
      this.expectRP();
    }
    this.labels.pop();
    w.byte(0x0b);
    this.expectRP();
  }

  private foldedTry(op: OpInfo): void {
    const w = this.w;
    const label = this.optId();
    w.op(op);
    this.blockType();
    this.labels.push(label);
    this.nameLabel(label);
    if (!this.isOpen(this.p, "do")) this.unexpected();
    this.p += 2;
    this.instrs();
    this.expectRP();
    const handlers = this.p;
    while (this.isOpen(this.p, "catch")) {
      this.p += 2;
      w.byte(0x07);
      w.u32(this.index(this.tags));
      this.instrs();
      this.expectRP();
    }
    if (this.isOpen(this.p, "catch_all")) {
      this.p += 2;
      w.byte(0x19);
      this.instrs();
      this.expectRP();
    }
    if (this.isOpen(this.p, "delegate")) {
      if (this.p !== handlers) this.fail("unexpected token delegate: a try with catch clauses cannot delegate", this.p + 1);
      this.p += 2;
      this.labels.pop();
      w.byte(0x18);
      w.u32(this.label());
      this.expectRP();
      this.expectRP();
      return;
    }
    this.labels.pop();
    w.byte(0x0b);
    this.expectRP();
  }

  /** `try_table`'s catch clauses. */
  private tryTableCatches(): void {
    const w = this.w;
    const clauses: number[] = [];
    let n = 0;
    while (this.kind[this.p] === Tok.lparen) {
      const kw = this.text(this.p + 1);
      const kind = kw === "catch" ? 0 : kw === "catch_ref" ? 1 : kw === "catch_all" ? 2 : kw === "catch_all_ref" ? 3 : -1;
      if (kind < 0) break;
      this.p += 2;
      clauses.push(kind);
      if (kind < 2) clauses.push(this.index(this.tags));
      clauses.push(this.label());
      this.expectRP();
      n++;
    }
    w.u32(n);
    for (let i = 0; i < clauses.length;) {
      const kind = clauses[i++]!;
      w.byte(kind);
      if (kind < 2) w.u32(clauses[i++]!);
      w.u32(clauses[i++]!);
    }
  }

  /** A block type: `(type x)? (param …)* (result …)*`, written as 0x40, a value type or a type index. */
  private blockType(): void {
    const w = this.w;
    if (this.isOpen(this.p, "type")) {
      const sig = this.typeUse(false);
      w.s33(sig.typeIndex);
      return;
    }
    if (!this.isOpen(this.p, "param") && !this.isOpen(this.p, "result")) {
      w.byte(0x40);
      return;
    }
    const params: ValueType[] = [];
    const results: ValueType[] = [];
    this.paramsResults(params, results, undefined);
    if (params.length === 0 && results.length === 0) w.byte(0x40);
    else if (params.length === 0 && results.length === 1) w.valType(results[0]!);
    else w.s33(this.funcType(params, results));
  }

  /** A label reference: `$name` (relative depth computed) or a number. */
  private label(): number {
    const i = this.p;
    if (this.kind[i] === Tok.id) {
      const name = this.idName(i);
      const d = this.labels.find(name);
      if (d < 0) this.fail(`unknown label $${name}`, i);
      this.p++;
      return d;
    }
    return this.u32();
  }

  private localIndex(): number {
    const i = this.p;
    if (this.kind[i] === Tok.id) {
      const name = this.idName(i);
      const v = this.locals.get(name);
      if (v === undefined) this.fail(`unknown local $${name}`, i);
      this.p++;
      return v;
    }
    return this.u32();
  }

  /** Writes `op` and its immediates (parsed from the cursor). */
  private immediates(op: OpInfo, at: number): void {
    const w = this.w;
    const imms = op.imms;
    if (imms.length === 0 && (op.prefix !== undefined || op.code !== 0x1b)) {
      w.op(op);
      return;
    }
    switch (imms[0]) {
      case Imm.localIdx: w.op(op); w.u32(this.localIndex()); return;
      case Imm.i32: {
        w.op(op);
        const i = this.p;
        if (this.kind[i] !== Tok.atom) this.unexpected(i);
        const v = parseI32(this.src, this.start[i]!, this.end[i]!);
        if (v === undefined) this.numberError(i, "int", "i32 constant out of range");
        this.p++;
        w.s32(v);
        return;
      }
      case Imm.i64: {
        w.op(op);
        const i = this.p;
        if (this.kind[i] !== Tok.atom) this.unexpected(i);
        const v = parseI64(this.src, this.start[i]!, this.end[i]!);
        if (v === undefined) this.numberError(i, "int", "i64 constant out of range");
        this.p++;
        writeS64(w, v);
        return;
      }
      case Imm.f32: w.op(op); w.u32le(this.f32Bits()); return;
      case Imm.f64: w.op(op); this.f64Bits(); w.u32le(f64Out[0]!); w.u32le(f64Out[1]!); return;
      case Imm.memarg: return this.memInstr(op);
      case Imm.label: {
        w.op(op);
        w.u32(this.label());
        return;
      }
      case Imm.brTable: {
        w.op(op);
        const targets: number[] = [];
        while (this.kind[this.p] === Tok.id || this.atU32()) targets.push(this.label());
        if (targets.length === 0) {
          if (this.kind[this.p] === Tok.atom) this.numberError(this.p, "nat", "i32 constant out of range");
          this.unexpected();
        }
        w.u32(targets.length - 1);
        for (const t of targets) w.u32(t);
        return;
      }
      case Imm.funcIdx: w.op(op); w.u32(this.index(this.funcs)); return;
      case Imm.globalIdx: w.op(op); w.u32(this.index(this.globals)); return;
      case Imm.tagIdx: w.op(op); w.u32(this.index(this.tags)); return;
      case Imm.elemIdx: {
        // table.init: tableidx? elemidx (binary: elemidx tableidx).
        w.op(op);
        if (imms.length === 2) {
          const table = this.isIndexTok(this.p + 1) ? this.index(this.tables) : 0;
          w.u32(this.index(this.elems));
          w.u32(table);
          return;
        }
        w.u32(this.index(this.elems));
        return;
      }
      case Imm.dataIdx: {
        // memory.init: memidx? dataidx (binary: dataidx memidx).
        this.usesDataCount = true;
        w.op(op);
        if (imms.length === 2) {
          const mem = this.isIndexTok(this.p + 1) ? this.index(this.memories) : 0;
          w.u32(this.index(this.datas));
          w.u32(mem);
          return;
        }
        w.u32(this.index(this.datas));
        return;
      }
      case Imm.tableIdx: {
        w.op(op);
        if (imms.length === 2) { // table.copy
          if (this.atIndex()) {
            w.u32(this.index(this.tables));
            w.u32(this.index(this.tables));
          } else {
            w.u32(0);
            w.u32(0);
          }
          return;
        }
        w.u32(this.atIndex() ? this.index(this.tables) : 0);
        return;
      }
      case Imm.memIdx: {
        w.op(op);
        if (imms.length === 2) { // memory.copy
          if (this.atIndex()) {
            w.u32(this.index(this.memories));
            w.u32(this.index(this.memories));
          } else {
            w.u32(0);
            w.u32(0);
          }
          return;
        }
        w.u32(this.atIndex() ? this.index(this.memories) : 0);
        return;
      }
      case Imm.typeIdx: {
        if (op.prefix === undefined && (op.code === 0x11 || op.code === 0x13)) {
          // call_indirect tableidx? typeuse
          const table = this.atIndex() ? this.index(this.tables) : 0;
          const sig = this.typeUse(false);
          w.op(op);
          w.u32(sig.typeIndex);
          w.u32(table);
          return;
        }
        w.op(op);
        const type = this.index(this.types);
        w.u32(type);
        for (let k = 1; k < imms.length; k++) {
          switch (imms[k]) {
            case Imm.fieldIdx: {
              const i = this.p;
              if (this.kind[i] === Tok.id) {
                const name = this.idName(i);
                const v = this.fieldNames.get(type)?.get(name);
                if (v === undefined) this.fail(`unknown field $${name}`, i);
                this.p++;
                w.u32(v);
              } else {
                w.u32(this.u32());
              }
              break;
            }
            case Imm.typeIdx: w.u32(this.index(this.types)); break;
            case Imm.dataIdx: this.usesDataCount = true; w.u32(this.index(this.datas)); break;
            case Imm.elemIdx: w.u32(this.index(this.elems)); break;
            case Imm.u32: w.u32(this.u32()); break;
          }
        }
        return;
      }
      case Imm.v128: return this.v128Const(op);
      case Imm.lane: {
        w.op(op);
        w.byte(this.laneIndex());
        return;
      }
      case Imm.shuffle: {
        w.op(op);
        for (let k = 0; k < 16; k++) {
          const j = this.p;
          if (this.kind[j] !== Tok.atom) this.fail("invalid lane length", j);
          const v = parseU32(this.src, this.start[j]!, this.end[j]!);
          if (v === undefined || v > 255) {
            const cls = classifyNumber(this.src, this.start[j]!, this.end[j]!);
            if (cls === NumClass.malformed) this.fail(`unknown operator ${this.text(j)}: malformed number`, j);
            this.fail("malformed lane index: i8 constant out of range", j);
          }
          this.p++;
          w.byte(v);
        }
        if (this.kind[this.p] === Tok.atom && isNumberToken(this.src, this.start[this.p]!)) this.fail("invalid lane length", this.p);
        return;
      }
      case Imm.heapType: {
        if (op.prefix === 0xfb) { // ref.test / ref.cast (ref null? ht)
          const t = this.refType();
          const nullable = typeof t === "string" ? true : t.nullable;
          const ht: HeapType = t === "funcref" ? "func" : t === "externref" ? "extern" : (t as { ref: HeapType }).ref;
          w.op(opByCode(0xfb, op.code + (nullable ? 1 : 0))!);
          w.heapType(ht, isSharedRef(t));
          return;
        }
        w.op(op);
        const ht = this.heapType();
        w.heapType(ht, this.heapShared);
        return;
      }
      case Imm.selectTypes: break;
      case Imm.castFlags: {
        // br_on_cast label rt1 rt2
        const label = this.label();
        const t1 = this.refType();
        const t2 = this.refType();
        w.op(op);
        w.byte((isNullable(t1) ? 1 : 0) | (isNullable(t2) ? 2 : 0));
        w.u32(label);
        w.heapType(heapOf(t1), isSharedRef(t1));
        w.heapType(heapOf(t2), isSharedRef(t2));
        return;
      }
      case Imm.zeroByte: w.op(op); w.byte(0); return;
    }
    if (op.name === "select") {
      if (this.isOpen(this.p, "result")) {
        const types: ValueType[] = [];
        while (this.isOpen(this.p, "result")) {
          this.p += 2;
          while (this.kind[this.p] !== Tok.rparen) types.push(this.valType());
          this.expectRP();
        }
        w.op(OP_SELECT_T);
        w.u32(types.length);
        for (const t of types) w.valType(t);
      } else {
        w.op(op);
      }
      return;
    }
    this.fail(`unsupported instruction ${op.name}`, at);
  }

  /** True when token `i` is an index (`$id` or an unsigned integer). */
  private isIndexTok(i: number): boolean {
    return this.kind[i] === Tok.id || (this.kind[i] === Tok.atom && parseU32(this.src, this.start[i]!, this.end[i]!) !== undefined);
  }

  private laneIndex(): number {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.fail(`unexpected token${this.kind[i] === Tok.rparen ? " )" : ""}: expected a lane number`, i);
    const v = parseU32(this.src, this.start[i]!, this.end[i]!);
    if (v === undefined || v > 255) this.numberError(i, "nat", "malformed lane index: i8 constant out of range");
    this.p++;
    return v;
  }

  /** Loads, stores and atomics: `memidx? offset=N? align=N?` (and a lane for the lane forms). */
  private memInstr(op: OpInfo): void {
    const w = this.w;
    let mem = 0;
    if (this.kind[this.p] === Tok.id) {
      mem = this.index(this.memories);
    } else if (this.atU32() && !(op.imms.length === 2 && this.laneFollows())) {
      mem = this.u32();
    }
    let offset: number | bigint = 0;
    let align = op.align;
    if (this.kind[this.p] === Tok.atom && this.src.startsWith("offset=", this.start[this.p]!)) {
      const i = this.p;
      const v = parseU64(this.src, this.start[i]! + 7, this.end[i]!);
      if (v === undefined) this.fail(`unknown operator ${this.text(i)}: malformed offset`, i);
      offset = v;
      this.p++;
    }
    if (this.kind[this.p] === Tok.atom && this.src.startsWith("align=", this.start[this.p]!)) {
      const i = this.p;
      // Any u64 power of two assembles (its exponent fits the memarg); validation bounds it by the access size.
      const v = parseU64(this.src, this.start[i]! + 6, this.end[i]!);
      if (v === undefined) this.fail(`unknown operator ${this.text(i)}: malformed alignment`, i);
      const big = BigInt(v);
      if (big === 0n || (big & (big - 1n)) !== 0n) this.fail("alignment must be a power of two", i);
      align = big.toString(2).length - 1;
      this.p++;
    }
    w.op(op);
    w.memarg(align, offset, mem);
    if (op.imms.length === 2) w.byte(this.laneIndex());
  }

  /** For lane loads/stores: true when the integer at the cursor is the lane (no second integer follows). */
  private laneFollows(): boolean {
    const next = this.p + 1;
    if (this.kind[next] !== Tok.atom) return true;
    const s = this.start[next]!;
    return this.src.startsWith("offset=", s) || this.src.startsWith("align=", s) ? false : parseU32(this.src, s, this.end[next]!) === undefined;
  }

  private f32Bits(): number {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const v = parseF32(this.src, this.start[i]!, this.end[i]!);
    if (v === null) this.fail("constant out of range", i);
    if (v === undefined) this.numberError(i, "float", "constant out of range");
    this.p++;
    return v;
  }

  private f64Bits(): void {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const v = parseF64(this.src, this.start[i]!, this.end[i]!);
    if (v === null) this.fail("constant out of range", i);
    if (v === undefined) this.numberError(i, "float", "constant out of range");
    this.p++;
  }

  private v128Const(op: OpInfo): void {
    const w = this.w;
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const shape = this.text(i);
    this.p++;
    w.op(op);
    const lanes = SHAPES[shape];
    if (lanes === undefined) this.fail(`unexpected token ${shape}: expected a v128 shape`, i);
    // Count the literals first, as the reference parser does, so a short list is reported as such.
    for (let k = 0; k < lanes; k++) {
      const j = this.p + k;
      if (this.kind[j] !== Tok.atom || lookupOp(this.src, this.start[j]!, this.end[j]!) !== undefined) {
        this.fail("wrong number of lane literals", j);
      }
    }
    for (let k = 0; k < lanes; k++) {
      const j = this.p;
      if (this.kind[j] !== Tok.atom) this.fail("wrong number of lane literals", j);
      const s = this.start[j]!;
      const e = this.end[j]!;
      switch (shape) {
        case "i8x16": case "i16x8": {
          const bits = shape === "i8x16" ? 8 : 16;
          const v = parseLaneInt(this.src, s, e, bits);
          if (v === undefined) this.numberError(j, "int", "constant out of range");
          w.byte(v & 0xff);
          if (bits === 16) w.byte(v >> 8);
          break;
        }
        case "i32x4": {
          const v = parseI32(this.src, s, e);
          if (v === undefined) this.numberError(j, "int", "constant out of range");
          w.u32le(v >>> 0);
          break;
        }
        case "i64x2": {
          const v = parseI64(this.src, s, e);
          if (v === undefined) this.numberError(j, "int", "constant out of range");
          w.u64le(BigInt.asUintN(64, BigInt(v)));
          break;
        }
        case "f32x4": w.u32le(this.f32Bits()); continue;
        case "f64x2": this.f64Bits(); w.u32le(f64Out[0]!); w.u32le(f64Out[1]!); continue;
      }
      this.p++;
    }
    if (this.kind[this.p] === Tok.atom && isNumberToken(this.src, this.start[this.p]!)) this.fail("wrong number of lane literals", this.p);
  }

  // ---- output -----------------------------------------------------------------------------------

  private finish(): Uint8Array<ArrayBuffer> {
    // Annotated custom sections first, then the name section last of all.
    const customSections: CustomSection[] = [...this.customs];
    const names = this.names();
    if (names) customSections.push({ name: "name", data: names, offset: 0, after: 11 });
    const info: ModuleInfo = {
      bytes: new Uint8Array(0),
      version: 1,
      types: this.typeDefs,
      recGroups: this.recGroups,
      imports: this.imports,
      functions: this.funcTypes,
      tables: this.tableInfos,
      memories: this.memoryInfos,
      tags: this.tagInfos,
      globals: this.globalInfos,
      exports: this.exports,
      ...(this.startFunc !== undefined ? { start: this.startFunc } : {}),
      elements: this.elements,
      ...(this.usesDataCount ? { dataCount: this.data.length } : {}),
      code: this.code,
      data: this.data,
      customSections,
      sections: [],
      names: {
        functions: new Map(), locals: new Map(), labels: new Map(), types: new Map(), tables: new Map(),
        memories: new Map(), globals: new Map(), elements: new Map(), data: new Map(), fields: new Map(), tags: new Map(),
      },
      importedFuncs: this.importedFuncs,
      importedTables: this.importedTables,
      importedMemories: this.importedMemories,
      importedGlobals: this.importedGlobals,
      importedTags: this.importedTags,
    };
    return encodeModule(info);
  }

  private names(): Uint8Array | undefined {
    const fields = new Map<number, Map<number, string>>();
    for (const [t, ns] of this.fieldNames) if (ns.names.size) fields.set(t, ns.names);
    const any = this.moduleName !== undefined || this.funcs.names.size || this.localNames.size || this.labelNames.size || this.types.names.size ||
      this.tables.names.size || this.memories.names.size || this.globals.names.size || this.elems.names.size ||
      this.datas.names.size || this.tags.names.size || fields.size;
    if (!any) return undefined;
    return encodeNameSection({
      ...(this.moduleName !== undefined ? { module: this.moduleName } : {}),
      functions: this.funcs.names,
      locals: this.localNames,
      labels: this.labelNames,
      types: this.types.names,
      tables: this.tables.names,
      memories: this.memories.names,
      globals: this.globals.names,
      elements: this.elems.names,
      data: this.datas.names,
      fields,
      tags: this.tags.names,
    });
  }
}

// Instruction names hashed from the source text without slicing it.
const OP_HASH_BITS = 12;
const OP_TABLE: (OpInfo[] | undefined)[] = new Array(1 << OP_HASH_BITS);
function hashName(src: string, s: number, e: number): number {
  let h = 0;
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + src.charCodeAt(i)) | 0;
  return (h ^ (h >>> 13)) & ((1 << OP_HASH_BITS) - 1);
}
for (const name of new Set(ALL_OPS.map((o) => o.name))) {
  const op = opByName(name)!;
  const h = hashName(name, 0, name.length);
  (OP_TABLE[h] ??= []).push(op);
}

/** The instruction named by `src[s..e)`, or `undefined`. */
function lookupOp(src: string, s: number, e: number): OpInfo | undefined {
  const bucket = OP_TABLE[hashName(src, s, e)];
  if (bucket === undefined) return undefined;
  const len = e - s;
  for (let k = 0; k < bucket.length; k++) {
    const op = bucket[k]!;
    if (op.name.length === len && src.startsWith(op.name, s)) return op;
  }
  return undefined;
}

/** The deepest block nesting accepted (plain blocks recurse without parentheses, so the lexer's cap does not bound them). */
const MAX_BLOCK_DEPTH = 1000;

/** Keywords of the text format that are not instructions: where an instruction is due, "unexpected token". */
const NOT_INSTRUCTIONS = new Set([
  "type", "param", "result", "local", "export", "import", "func", "table", "memory", "global", "elem", "data",
  "start", "module", "then", "else", "do", "item", "offset", "mut", "ref", "rec", "sub", "field", "tag",
]);

/** Section names of `(@custom … (before|after X))` and their ids. */
const CUSTOM_PLACES: Record<string, number> = {
  type: 1, import: 2, func: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, elem: 9, code: 10, data: 11,
  datacount: 12, tag: 13,
};
/** The order of the non-custom sections (as in the encoder). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

const SHAPES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };

function isNumberToken(src: string, s: number): boolean {
  let c = src.charCodeAt(s);
  if (c === 0x2b || c === 0x2d) c = src.charCodeAt(s + 1);
  return (c >= 0x30 && c <= 0x39) || src.startsWith("inf", s) || src.startsWith("nan", s) || src.startsWith("-inf", s) ||
    src.startsWith("+inf", s) || src.startsWith("-nan", s) || src.startsWith("+nan", s);
}

function writeS64(w: ByteWriter, v: number | bigint): void {
  if (typeof v === "number") {
    if (v >= -0x80000000 && v <= 0x7fffffff) w.s32(v);
    else w.s64(BigInt(v));
  } else {
    w.s64(v);
  }
}

/** True for a reference to a shared abstract heap type (shared-everything threads). */
function isSharedRef(t: ValueType): boolean {
  return typeof t === "object" && t.shared === true;
}

function valKey(t: ValueType): string {
  if (typeof t === "string") return t;
  return `(ref ${t.nullable ? "null " : ""}${t.shared ? "shared " : ""}${t.ref})`;
}

function sigKey(params: readonly ValueType[], results: readonly ValueType[]): string {
  return `${params.map(valKey).join(" ")}->${results.map(valKey).join(" ")}`;
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

function concat(parts: Uint8Array[], len: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function isFuncref(t: ValueType): boolean {
  return t === "funcref";
}

function isNullable(t: ValueType): boolean {
  return typeof t === "string" ? true : t.nullable;
}

function heapOf(t: ValueType): HeapType {
  if (t === "funcref") return "func";
  if (t === "externref") return "extern";
  if (typeof t === "string") return "func";
  return t.ref;
}

