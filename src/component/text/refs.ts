/**
 * The component text parser's references and names, the level between types (`types.ts`) and
 * canonical definitions (`canon.ts`): indices written bare, as `(sort idx)` or through inline export
 * aliases (`$instance "name"`, which emit `alias` definitions on the way), `(alias ...)` definitions
 * and declarators, import and export names with their attributes, and the inline export and import
 * abbreviations every definition may carry.
 *
 * @module
 */
import { Tok } from "../../text/lexer.js";
import type { CoreSort, ExportDef, ExternName, NameAttribute, Sort } from "../binary/ast.js";
import { TypeParser } from "./types.js";

/** The sort keywords after `core`. */
export const CORE_SORT_WORDS: ReadonlySet<string> = new Set(["func", "table", "memory", "global", "tag", "type", "module", "instance"]);
/** The component-level sort keywords. */
const SORT_WORDS: ReadonlySet<string> = new Set(["func", "value", "type", "component", "instance"]);

/** References, aliases, extern names and inline exports (see the module comment). */
export abstract class RefParser extends TypeParser {
  // ---- inline exports -----------------------------------------------------------------------------

  /** `(export "name" attrs*)*` right after a definition's `$id`: returns the names. */
  protected inlineExports(): ExternName[] {
    const names: ExternName[] = [];
    while (this.isNameOnly(this.p, "export")) {
      this.p += 2;
      names.push(this.externName());
      this.expectRP();
    }
    return names;
  }

  /**
   * The inline-import abbreviation `(sort $id? (export ...)* (import "name") body)`: when present,
   * emits the import (and the inline exports of the imported item) and returns true.
   */
  protected inlineImport(word: string, id: string | undefined, exports: readonly ExternName[], open: number): boolean {
    if (!this.isNameOnly(this.p, "import")) return false;
    this.p += 2;
    const name = this.externName();
    this.expectRP();
    const ext = this.externBody(word, id, open + 1);
    this.expectRP();
    if (this.scope.kind !== "component") this.fail("inline imports are only allowed in components", open);
    this.pushItem("import", { name, desc: ext.desc, offset: 0 });
    const index = this.define(ext.sort, id, open);
    this.emitExports(exports, ext.sort, index);
    return true;
  }

  protected emitExports(names: readonly ExternName[], sort: Sort, index: number): void {
    for (const name of names) {
      if (this.scope.kind !== "component") this.fail("inline exports are only allowed in components");
      const e: ExportDef = { name, sort, index, offset: 0 };
      this.pushItem("export", e);
      this.define(sort, undefined);
    }
  }

  /** An index into a core sort's space, or `$instance "name"` (an inline core export alias). */
  protected coreSortedIndex(sort: Sort): number {
    // Core modules are exported by component instances, not core instances.
    if (sort === "core module") return this.sortedIndex(sort);
    if ((this.kind[this.p] === Tok.id || this.atU32()) && this.kind[this.p + 1] === Tok.string) {
      const instance = this.index("core instance");
      const name = this.string();
      return this.emitAlias({ kind: "core-export", sort, instance, name, offset: 0 }, undefined);
    }
    return this.index(sort);
  }

  /**
   * A core reference: `(core sort idx)`, `(core sort $i "name")`, a bare index, and the legacy forms
   * the reference tools still accept: `(sort ...)` without `core`, and a bare `$i "name"`.
   */
  coreRef(sort: Sort): number {
    const word = sort.slice(5);
    if (this.kind[this.p] === Tok.lparen) {
      this.expectLP();
      if (this.eatAtom("core")) this.expectAtom(word);
      else this.expectAtom(word);
      const index = this.coreSortedIndex(sort);
      this.expectRP();
      return index;
    }
    return this.coreSortedIndex(sort);
  }

  /** `(word idx)`, `(word $instance "name")`, or `(core word ...)`: a reference whose sort keyword is given. */
  protected wrappedRef(word: string, sort: Sort): number {
    if (this.isOpen(this.p, "core")) return this.coreRef(sort);
    this.expectLP();
    this.expectAtom(word);
    const index = sort.startsWith("core ") ? this.coreSortedIndex(sort) : this.sortedIndex(sort);
    this.expectRP();
    return index;
  }

  /** A core index: bare, `(core sort ...)` or `(word ...)` (`(memory ...)`, `(table ...)`). */
  protected looseCoreRef(word: string, sort: Sort): number {
    if (this.kind[this.p] === Tok.lparen) return this.wrappedRef(word, sort);
    return this.coreRef(sort);
  }

  protected isIndexAt(i: number): boolean {
    const save = this.p;
    this.p = i;
    const r = this.atIndex();
    this.p = save;
    return r;
  }

  /** `(sort idx)`, `(sort $instance "name"+)` (inline export aliases), `(core sort idx)`. */
  protected sortIdx(): { sort: Sort; index: number } {
    this.expectLP();
    let sort: Sort;
    if (this.eatAtom("core")) {
      const word = this.text();
      if (!CORE_SORT_WORDS.has(word)) this.unexpected(this.p, "a core sort");
      this.p++;
      sort = `core ${word as CoreSort}`;
      const index = this.coreSortedIndex(sort);
      this.expectRP();
      return { sort, index };
    }
    const word = this.text();
    if (!SORT_WORDS.has(word)) this.unexpected(this.p, "a sort");
    this.p++;
    sort = word as Sort;
    const index = this.sortedIndex(sort);
    this.expectRP();
    return { sort, index };
  }

  /** An index in `sort`'s space, or `$instance "name"+` through inline export aliases. */
  private sortedIndex(sort: Sort): number {
    if ((this.kind[this.p] === Tok.id || this.atU32()) && this.kind[this.p + 1] === Tok.string) {
      let instance = this.index("instance");
      let name = this.string();
      while (this.atString()) {
        instance = this.emitAlias({ kind: "export", sort: "instance", instance, name, offset: 0 }, undefined);
        name = this.string();
      }
      return this.emitAlias({ kind: "export", sort, instance, name, offset: 0 }, undefined);
    }
    return this.index(sort);
  }

  /** A component-level reference: `(sort idx ...)` or a bare index. */
  protected ref(sort: Sort): number {
    if (this.kind[this.p] === Tok.lparen) {
      const at = this.p;
      const r = this.sortIdx();
      if (r.sort !== sort) this.fail(`expected a ${sort} reference`, at);
      return r.index;
    }
    if (this.kind[this.p + 1] === Tok.string) {
      this.fail(
        `an export name must be written inside a nested reference: \`${this.text()} "..."\` should be written \`(${sort} ${this.text()} "...")\``,
      );
    }
    return this.index(sort);
  }

  // ---- aliases ------------------------------------------------------------------------------------

  alias(): void {
    const open = this.p;
    this.p += 2;
    if (this.eatAtom("outer")) {
      const count = this.outerCount();
      const idxTok = this.p;
      this.p++;
      const { sort, id } = this.aliasTarget();
      this.expectRP();
      let index: number;
      if (this.kind[idxTok] === Tok.id) {
        const name = this.idName(idxTok);
        const found = this.scopeAt(count).spaces.get(sort)?.ids.get(name);
        if (found === undefined) this.fail(`unknown ${sort}: failed to find name \`$${name}\``, idxTok);
        index = found;
      } else {
        const save = this.p;
        this.p = idxTok;
        index = this.u32();
        this.p = save;
      }
      this.emitAlias({ kind: "outer", sort, count, index, offset: 0 }, id);
      return;
    }
    const core = this.eatAtom("core");
    this.expectAtom("export");
    const instance = this.index(core ? "core instance" : "instance");
    const name = this.string();
    const at = this.p;
    const { sort, id } = this.aliasTarget();
    if (core && !sort.startsWith("core ")) this.fail(`unexpected sort ${sort} for a core export alias`, at);
    this.expectRP();
    this.emitAlias({ kind: core ? "core-export" : "export", sort, instance, name, offset: 0 }, id);
    void open;
  }

  /** The `(sort $id?)` of an alias. */
  private aliasTarget(): { sort: Sort; id: string | undefined } {
    this.expectLP();
    let sort: Sort;
    if (this.eatAtom("core")) {
      const word = this.text();
      if (!CORE_SORT_WORDS.has(word)) this.unexpected(this.p, "a core sort");
      sort = `core ${word as CoreSort}`;
    } else {
      const word = this.text();
      if (!SORT_WORDS.has(word)) this.unexpected(this.p, "a sort");
      sort = word as Sort;
    }
    this.p++;
    const id = this.optId();
    this.expectRP();
    return { sort, id };
  }

  /** `"name" (implements "x")? (versionsuffix "x")? (external-id "x")?` or `(interface "name")`. */
  externName(): ExternName {
    if (this.eatOpen("interface")) {
      const name = this.string();
      this.expectRP();
      return { name, form: 1, attributes: [] };
    }
    const name = this.string();
    const attributes: NameAttribute[] = [];
    for (;;) {
      let kind: NameAttribute["kind"] | undefined;
      if (this.atOpen("implements")) kind = "implements";
      else if (this.atOpen("versionsuffix")) kind = "versionsuffix";
      else if (this.atOpen("external-id")) kind = "external-id";
      if (kind === undefined) break;
      this.p += 2;
      attributes.push({ kind, value: this.string() });
      this.expectRP();
    }
    return attributes.length > 0 ? { name, form: 2, attributes } : { name, form: 0, attributes };
  }
}
