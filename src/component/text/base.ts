/**
 * The base of the component text parser: a cursor over the core lexer's tokens, and the scopes
 * (components, component types, instance types, core module types) with their index spaces, `$id`s
 * and output (sections of a component, declarators of a type).
 *
 * Components are parsed in one pass: the format is acyclic, so every reference names something
 * already defined. Inline sugar (inline types, inline export aliases, outer-alias references by
 * `$id`) is desugared here by emitting the definitions it stands for just before the one that uses
 * it, as the reference tools do.
 *
 * @module
 */
import { WatError } from "../../errors.js";
import { Tok, stringBytes, stringText, type Tokens } from "../../text/lexer.js";
import { parseU32 } from "../../text/numbers.js";
import type {
  AliasDef,
  ComponentSection,
  CoreModuleDecl,
  Decl,
  Sort,
} from "../binary/ast.js";

/** What a scope is: where its definitions go and which sorts it can hold. */
export type ScopeKind = "component" | "component-type" | "instance-type" | "module-type";

/** One index space of a scope: count, `$id`s and the names for the name section. */
export class Space {
  count = 0;
  readonly ids = new Map<string, number>();
  readonly names = new Map<number, string>();
}

/** A lexical scope: a component definition, a component or instance type, or a core module type. */
export class Scope {
  readonly spaces = new Map<Sort, Space>();
  /** The output of a component: its sections so far. */
  readonly sections: ComponentSection[] = [];
  /** The output of a component or instance type. */
  readonly decls: Decl[] = [];
  /** The output of a core module type. */
  readonly coreDecls: CoreModuleDecl[] = [];
  /** Outer aliases already made for `(sort, outer index, depth)`, reused on later references. */
  readonly outerCache = new Map<string, number>();

  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | undefined,
    readonly id: string | undefined,
  ) {}

  space(sort: Sort): Space {
    let s = this.spaces.get(sort);
    if (s === undefined) {
      s = new Space();
      this.spaces.set(sort, s);
    }
    return s;
  }
}

/** Words used in messages for each sort. */
export function sortWord(sort: Sort): string {
  return sort;
}

/** The sorts that outer aliases may name (and that `$id` references resolve outward for). */
export function isOuterSort(sort: Sort): boolean {
  return sort === "type" || sort === "core type" || sort === "core module" || sort === "component";
}

/** A cursor over tokens plus scope bookkeeping, shared by the type and definition parsers. */
export class ParserBase {
  readonly src: string;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly match: Int32Array;
  p = 0;
  scope!: Scope;

  constructor(readonly t: Tokens) {
    this.src = t.src;
    this.kind = t.kind;
    this.start = t.start;
    this.end = t.end;
    this.match = t.match;
  }

  // ---- tokens -----------------------------------------------------------------------------------

  fail(reason: string, tok: number = this.p): never {
    throw new WatError(reason, this.src, this.start[tok]!, this.t.file);
  }

  text(i: number = this.p): string {
    return this.src.slice(this.start[i]!, this.end[i]!);
  }

  isAtom(i: number, word: string): boolean {
    const s = this.start[i]!;
    return this.kind[i] === Tok.atom && this.end[i]! - s === word.length && this.src.startsWith(word, s);
  }

  /** True when token `i` is `(` followed by the atom `word` (and, if given, the atom `word2`). */
  isOpen(i: number, word: string, word2?: string): boolean {
    return this.kind[i] === Tok.lparen && this.isAtom(i + 1, word) && (word2 === undefined || this.isAtom(i + 2, word2));
  }

  atOpen(word: string, word2?: string): boolean {
    return this.isOpen(this.p, word, word2);
  }

  /**
   * True when token `i` opens `(word "name" (attr "value")*)` and nothing else: an inline export or
   * import name, as opposed to a full export or import definition.
   */
  isNameOnly(i: number, word: string): boolean {
    if (!this.isOpen(i, word) || this.kind[i + 2] !== Tok.string) return false;
    let j = i + 3;
    while (this.kind[j] === Tok.lparen && this.kind[j + 1] === Tok.atom && this.kind[j + 2] === Tok.string && this.kind[j + 3] === Tok.rparen) {
      j += 4;
    }
    return j === this.match[i];
  }

  /** True when the cursor is at a type use `(type idx)` (not a type definition `(type $id def)`). */
  atTypeUse(): boolean {
    const i = this.p;
    return this.isOpen(i, "type") && (this.kind[i + 2] === Tok.id || this.kind[i + 2] === Tok.atom) && this.kind[i + 3] === Tok.rparen;
  }

  atRParen(): boolean {
    return this.kind[this.p] === Tok.rparen;
  }

  unexpected(tok: number = this.p, expected?: string): never {
    if (this.kind[tok] === Tok.eof) this.fail("unexpected end of input", tok);
    return this.fail(`unexpected token ${this.text(tok)}${expected ? `, expected ${expected}` : ""}`, tok);
  }

  expectLP(): void {
    if (this.kind[this.p] !== Tok.lparen) this.unexpected(this.p, "`(`");
    this.p++;
  }

  expectRP(): void {
    if (this.kind[this.p] !== Tok.rparen) this.unexpected(this.p, "`)`");
    this.p++;
  }

  expectAtom(word: string): void {
    if (!this.isAtom(this.p, word)) this.unexpected(this.p, `\`${word}\``);
    this.p++;
  }

  /** Consumes the atom `word` if it is next. */
  eatAtom(word: string): boolean {
    if (!this.isAtom(this.p, word)) return false;
    this.p++;
    return true;
  }

  /** Consumes `(word` and returns true if it is next. */
  eatOpen(word: string, word2?: string): boolean {
    if (!this.isOpen(this.p, word, word2)) return false;
    this.p += word2 === undefined ? 2 : 3;
    return true;
  }

  idName(i: number): string {
    const s = this.start[i]!;
    if (this.src.charCodeAt(s + 1) === 0x22) {
      const name = stringText(this.t, s + 1, this.end[i]!);
      if (name.length === 0) this.fail("empty identifier", i);
      return name;
    }
    return this.src.slice(s + 1, this.end[i]!);
  }

  optId(): string | undefined {
    if (this.kind[this.p] === Tok.id) return this.idName(this.p++);
    return undefined;
  }

  atString(): boolean {
    return this.kind[this.p] === Tok.string;
  }

  string(): string {
    const i = this.p;
    if (this.kind[i] !== Tok.string) this.unexpected(i, "a string");
    this.p++;
    return stringText(this.t, this.start[i]!, this.end[i]!);
  }

  stringBytes(): Uint8Array {
    const i = this.p;
    if (this.kind[i] !== Tok.string) this.unexpected(i, "a string");
    this.p++;
    return stringBytes(this.t, this.start[i]!, this.end[i]!);
  }

  atU32(): boolean {
    const i = this.p;
    return this.kind[i] === Tok.atom && parseU32(this.src, this.start[i]!, this.end[i]!) !== undefined;
  }

  u32(): number {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i, "a number");
    const v = parseU32(this.src, this.start[i]!, this.end[i]!);
    if (v === undefined) this.fail(`invalid u32 number: ${this.text(i)}`, i);
    this.p++;
    return v;
  }

  atIndex(): boolean {
    return this.kind[this.p] === Tok.id || this.atU32();
  }

  // ---- scopes and index spaces ------------------------------------------------------------------

  /** Adds an entry to `sort`'s index space of the current scope, binding `id`; returns its index. */
  define(sort: Sort, id: string | undefined, tok: number = this.p): number {
    const space = this.scope.space(sort);
    const index = space.count++;
    if (id !== undefined) {
      if (space.ids.has(id)) this.fail(`duplicate ${sortWord(sort)} identifier $${id}`, tok);
      space.ids.set(id, index);
      space.names.set(index, id);
    }
    return index;
  }

  /**
   * Resolves an index (`$id` or number) in `sort`'s index space. An `$id` not found in the current
   * scope but in an enclosing one is reached through an outer alias (types, core types, core modules
   * and components only), which is emitted now.
   */
  index(sort: Sort): number {
    const i = this.p;
    if (this.kind[i] === Tok.id) {
      this.p++;
      const id = this.idName(i);
      const here = this.scope.spaces.get(sort)?.ids.get(id);
      if (here !== undefined) return here;
      let depth = 0;
      for (let s = this.scope.parent; s !== undefined; s = s.parent) {
        depth++;
        const found = s.spaces.get(sort)?.ids.get(id);
        if (found === undefined) continue;
        if (!isOuterSort(sort)) {
          this.fail(`outer item \`${id}\` is not a module, type, or component`, i);
        }
        if (this.scope.kind === "module-type" || s.kind === "module-type") break;
        const key = `${sort}\0${depth}\0${found}`;
        const cached = this.scope.outerCache.get(key);
        if (cached !== undefined) return cached;
        const index = this.emitAlias({ kind: "outer", sort, count: depth, index: found, offset: 0 }, undefined);
        this.scope.outerCache.set(key, index);
        return index;
      }
      return this.fail(`unknown ${sortWord(sort)}: failed to find name \`$${id}\``, i);
    }
    if (!this.atU32()) this.unexpected(i, `a ${sortWord(sort)} index`);
    return this.u32();
  }

  /** Emits an alias definition (or declarator) in the current scope; returns the new index. */
  emitAlias(a: AliasDef, id: string | undefined): number {
    if (this.scope.kind === "component") this.pushItem("alias", a);
    else this.scope.decls.push({ kind: "alias", alias: a });
    return this.define(a.sort, id);
  }

  /** Appends an item to the current component's last section of kind `id`, or a new section. */
  pushItem(id: "core-instance" | "core-type" | "instance" | "alias" | "type" | "canon" | "import" | "export", item: unknown): void {
    const sections = this.scope.sections;
    const last = sections[sections.length - 1];
    if (last !== undefined && last.id === id) {
      (last.items as unknown[]).push(item);
    } else {
      sections.push({ id, offset: 0, items: [item] } as ComponentSection);
    }
  }

  /** Runs `body` in a new scope of `kind`, returning that scope. */
  inScope(kind: ScopeKind, id: string | undefined, body: () => void): Scope {
    const outer = this.scope;
    const inner = new Scope(kind, outer, id);
    this.scope = inner;
    try {
      body();
    } finally {
      this.scope = outer;
    }
    return inner;
  }

  /** The scope `n` levels out (by number) or named `$id`, for `alias outer`; returns the count. */
  outerCount(): number {
    const i = this.p;
    if (this.kind[i] === Tok.id) {
      this.p++;
      const id = this.idName(i);
      let depth = 0;
      for (let s: Scope | undefined = this.scope; s !== undefined; s = s.parent, depth++) {
        if (s.id === id) return depth;
      }
      return this.fail(`outer component \`${id}\` not found`, i);
    }
    // A numeric count is checked by validation (unless a named index needs the target scope).
    const n = this.u32();
    if (this.kind[this.p] === Tok.id) {
      let depth = 0;
      for (let s = this.scope.parent; s !== undefined; s = s.parent) depth++;
      if (n > depth) this.fail(`outer count of \`${n}\` is too large`, i);
    }
    return n;
  }

  /** The scope `count` levels out. */
  scopeAt(count: number): Scope {
    let s: Scope = this.scope;
    for (let k = 0; k < count; k++) s = s.parent!;
    return s;
  }
}
