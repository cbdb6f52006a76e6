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
 * The parser is one object built in levels, each a class in its own file extending the one below, so
 * that each file holds one part of the grammar and can call everything beneath it:
 *
 * | level | file | parses |
 * |---|---|---|
 * | `ParserState` | parse-state.ts | shared state, tokens, names, numbers, indices |
 * | `TypeParser` | parse-types.ts | types, limits, type uses, type definitions |
 * | `ImmediateParser` | parse-immediates.ts | an instruction's operands |
 * | `InstrParser` | parse-instrs.ts | instruction sequences, blocks, constant expressions |
 * | `FieldParser` | parse-fields.ts | module fields |
 * | `ModuleParser` | this file | the module: passes A-C, annotations, sections, the name section |
 *
 * @module
 */
import { WatError } from "../errors.js";
import { concatBytes, encodeModule, encodeNameSection } from "../binary/encoder.js";
import type { CustomSection, ModuleInfo } from "../binary/module-info.js";
import { Tok, type Tokens, lex, stringBytes, stringText } from "./lexer.js";
import { Namespace } from "./resolve.js";
import { FieldParser } from "./parse-fields.js";

/** Parses the module whose tokens start at `first` (a `(` before `module`, or bare fields) to bytes. */
export function parseModuleTokens(t: Tokens, first: number, last: number): Uint8Array<ArrayBuffer> {
  return new ModuleParser(t).parse(first, last);
}

const FIELD_KINDS = new Set(["type", "rec", "import", "func", "table", "memory", "global", "export", "start", "elem", "data", "tag"]);

/** Section names of `(@custom … (before|after X))` and their ids. */
const CUSTOM_PLACES: Record<string, number> = {
  type: 1, import: 2, func: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, elem: 9, code: 10, data: 11,
  datacount: 12, tag: 13,
};

/** The order of the non-custom sections (as in the encoder). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/** The top level: a whole module (see the table above). */
class ModuleParser extends FieldParser {
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
    this.customs.push({ name, data: concatBytes(parts), offset: 0, after });
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
