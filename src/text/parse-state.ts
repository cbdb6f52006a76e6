/**
 * The text parser's shared state and token helpers: the base of its levels (`parser.ts` explains the
 * layering).
 *
 * @module
 */
import { WatError } from "../errors.js";
import { ByteWriter } from "../binary/encoder.js";
import type { DataSegment, ElementSegment, ExportInfo, FunctionBody, GlobalInfo, ImportInfo, MemoryDesc, RecGroup, TableInfo, TagInfo, TypeDef, ValueType } from "../binary/module-info.js";
import { Tok, type Tokens, stringBytes, stringText } from "./lexer.js";
import { NumClass, classifyNumber, parseU32, parseU64 } from "./numbers.js";
import { LabelStack, Namespace } from "./resolve.js";

/** A function's type as written: its index in the type section, and its inline parameter names. */
export interface FuncSig {
  readonly typeIndex: number;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
  /** Names of the parameters given inline (by position). */
  readonly paramNames: readonly (string | undefined)[];
}

/**
 * Everything the levels of the text parser share (see `parser.ts`): the token arrays, the cursor `p`,
 * the index spaces, the module contents collected so far, the state of the function body being written,
 * and the token helpers every level uses (expectations, errors at a token, numbers, names, indices).
 */
export abstract class ParserState {
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
}
