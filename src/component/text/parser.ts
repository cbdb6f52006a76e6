/**
 * The component text parser: `(component ...)` -> `ComponentInfo` sections -> bytes through the
 * component encoder. Every construct of `Explainer.md`'s text format: core modules (assembled by the
 * core text parser), core instances and types, nested components, instances, aliases, types,
 * canonical definitions, start, imports and exports, with the abbreviations (inline exports, inline
 * types, inline export aliases `(func $i "name")`, outer aliases by `$id`, `(func (canon lift ...))`,
 * `(core func (canon lower ...))`, inline instances in `with`). `$id`s end up in a
 * `component-name` section.
 *
 * The parser is built in levels, each a class extending the one below: `base.ts` (tokens, scopes
 * and index spaces), `core-types.ts` (core types in components), `types.ts` (component types),
 * `refs.ts` (references, aliases, names, inline exports), `canon.ts` (canonical definitions), and
 * this file (the definitions themselves).
 *
 * @module
 */
import { WatError } from "../../errors.js";
import { ByteWriter, concatBytes } from "../../binary/encoder.js";
import { Tok, lex, type Tokens } from "../../text/lexer.js";
import { parseModuleTokens } from "../../text/parser.js";
import { decodeModule } from "../../binary/decoder.js";
import type { ComponentSection, CoreSort, ExportDef, ExternName, Sort, TypeDef } from "../binary/ast.js";
import { encodeComponent, writeSort } from "../binary/encoder.js";
import { Scope, type Space } from "./base.js";
import { CanonParser } from "./canon.js";
import { CORE_SORT_WORDS } from "./refs.js";

/** The order in which sorts are written in the name section. */
const NAME_SORTS: readonly Sort[] = [
  "core func", "core table", "core memory", "core global", "core tag", "core type", "core module", "core instance",
  "func", "value", "type", "component", "instance",
];

/** Options for `parseComponentText`. */
export interface ComponentTextOptions {
  /** File name for error messages. */
  readonly file?: string;
}

/**
 * Assembles the component whose `(component ...)` form starts at token `open` (or, with `open` at
 * a token that is not `(component`, the bare definitions from `open` to `last`).
 *
 * @throws WatError at the offending token.
 */
export function parseComponentTokens(t: Tokens, open: number, last: number = t.count - 1): Uint8Array {
  const p = new ComponentParser(t);
  const sections = p.topLevel(open, last);
  return encodeComponent({ sections });
}


/** Assembles a component from its text (`(component ...)` or bare definitions). */
export function parseComponentText(text: string, options: ComponentTextOptions = {}): Uint8Array {
  const t = lex(text, options.file);
  const bytes = parseComponentTokens(t, 0);
  if (t.pending) throw t.pending;
  return bytes;
}

class ComponentParser extends CanonParser {
  constructor(t: Tokens) {
    super(t);
  }

  /** The outermost component: `(component $id? def*)` or bare definitions. */
  topLevel(open: number, last: number): ComponentSection[] {
    this.p = open;
    if (this.isOpen(open, "component")) {
      const close = this.match[open]!;
      if (close + 1 < last) this.fail(`unexpected token ${this.text(close + 1)} after the component`, close + 1);
      this.p = open + 2;
      this.eatAtom("definition");
      const id = this.optId();
      const scope = this.componentBody(id, close);
      return scope.sections;
    }
    return this.componentBody(undefined, last).sections;
  }

  /** The definitions of a component up to token `close`, in a new scope; appends its name section. */
  private componentBody(id: string | undefined, close: number): Scope {
    const outer = this.scope as Scope | undefined;
    const scope = new Scope("component", outer, id);
    this.scope = scope;
    try {
      while (this.p < close) this.definition();
      if (this.p !== close) this.unexpected(close);
    } finally {
      if (outer !== undefined) this.scope = outer;
    }
    const names = encodeNames(id, scope);
    if (names !== undefined) {
      scope.sections.push({ id: "custom", offset: 0, custom: { name: "component-name", data: names, offset: 0 } });
    }
    return scope;
  }

  private definition(): void {
    const open = this.p;
    if (this.kind[open] !== Tok.lparen) this.unexpected(open, "a definition");
    const word = this.text(open + 1);
    if (this.kind[open + 1] !== Tok.atom) this.unexpected(open + 1, "a definition");
    switch (word) {
      case "core": {
        const what = this.text(open + 2);
        this.p = open + 3;
        switch (what) {
          case "module": return this.coreModule(open);
          case "instance": return this.coreInstance(open);
          case "type": return this.coreTypeDef(open);
          case "rec": return this.coreTypeDef(open, true);
          case "func": return this.coreFuncDef(open);
        }
        return this.unexpected(open + 2, "a core definition");
      }
      case "component": return this.nestedComponent(open);
      case "instance": return this.instanceDef(open);
      case "alias": return this.alias();
      case "type": return this.typeDef(open);
      case "canon": return this.canonDef(open);
      case "start": return this.startDef(open);
      case "import": return this.importDef(open);
      case "export": return this.exportDef(open);
      case "func": return this.funcDef(open);
      case "value": return this.fail("value definitions are not supported", open + 1);
    }
    this.unexpected(open + 1, "a definition");
  }

  // ---- core definitions ---------------------------------------------------------------------------

  private coreModule(open: number): void {
    const close = this.match[open]!;
    const id = this.optId();
    const exports = this.inlineExports();
    if (this.inlineImport("core module", id, exports, open)) return;
    let bytes: Uint8Array;
    if (this.isAtom(this.p, "binary")) {
      this.p++;
      const parts: Uint8Array[] = [];
      while (this.p < close) parts.push(this.stringBytes());
      bytes = concatBytes(parts);
    } else {
      bytes = parseModuleTokens(this.t, this.p, close);
    }
    this.p = close + 1;
    if (this.scope.kind !== "component") this.fail("core modules can only be defined in components", open);
    let info;
    try {
      info = decodeModule(bytes, { lazy: true });
    } catch (e) {
      throw new WatError(`invalid core module: ${(e as Error).message}`, this.src, this.start[open]!, this.t.file);
    }
    this.scope.sections.push({ id: "core-module", offset: 0, module: { offset: 0, bytes, info } });
    const index = this.define("core module", id, open);
    this.emitExports(exports, "core module", index);
  }

  private coreInstance(open: number): void {
    const id = this.optId();
    if (this.eatOpen("instantiate")) {
      const module = this.kind[this.p] === Tok.lparen ? this.wrappedRef("module", "core module") : this.index("core module");
      const args: { name: string; instance: number }[] = [];
      while (this.eatOpen("with")) {
        const name = this.string();
        args.push({ name, instance: this.coreInstanceArg() });
        this.expectRP();
      }
      this.expectRP();
      this.expectRP();
      this.pushItem("core-instance", { kind: "instantiate", module, args, offset: 0 });
    } else {
      const exports = this.coreInlineExports();
      this.expectRP();
      this.pushItem("core-instance", { kind: "exports", exports, offset: 0 });
    }
    this.define("core instance", id, open);
  }

  /** `(instance idx)` or `(instance (export ...)*)` (a new core instance of exports). */
  private coreInstanceArg(): number {
    const open = this.p;
    this.expectLP();
    this.expectAtom("instance");
    if (this.atIndex()) {
      const i = this.index("core instance");
      this.expectRP();
      return i;
    }
    const exports = this.coreInlineExports();
    this.expectRP();
    this.pushItem("core-instance", { kind: "exports", exports, offset: 0 });
    return this.define("core instance", undefined, open);
  }

  /** `(export "name" (sort idx))*` of a core instance. */
  private coreInlineExports(): { name: string; sort: CoreSort; index: number }[] {
    const exports: { name: string; sort: CoreSort; index: number }[] = [];
    while (this.eatOpen("export")) {
      const name = this.string();
      this.expectLP();
      const word = this.text();
      if (!CORE_SORT_WORDS.has(word)) this.unexpected(this.p, "a core sort");
      this.p++;
      const sort = word as CoreSort;
      const index = this.coreSortedIndex(`core ${sort}`);
      this.expectRP();
      this.expectRP();
      exports.push({ name, sort, index });
    }
    return exports;
  }

  /** `(core func $id? (canon ...))` or `(core func $id? (alias core export ...))`. */
  private coreFuncDef(open: number): void {
    const id = this.optId();
    if (this.eatOpen("canon")) {
      const def = this.canonBody();
      this.expectRP();
      this.expectRP();
      if (def.kind === "lift") this.fail("`canon lift` defines a component function, not a core function", open);
      this.pushItem("canon", def);
      this.define("core func", id, open);
      return;
    }
    if (this.eatOpen("alias")) {
      this.expectAtom("core");
      this.expectAtom("export");
      const instance = this.index("core instance");
      const name = this.string();
      this.expectRP();
      this.expectRP();
      this.emitAlias({ kind: "core-export", sort: "core func", instance, name, offset: 0 }, id);
      return;
    }
    this.unexpected(this.p, "`(canon ...)` or `(alias ...)`");
  }

  // ---- components and instances -------------------------------------------------------------------

  private nestedComponent(open: number): void {
    const close = this.match[open]!;
    this.p = open + 2;
    const id = this.optId();
    const exports = this.inlineExports();
    if (this.inlineImport("component", id, exports, open)) return;
    if (this.isAtom(this.p, "binary")) {
      this.fail("nested binary components are not supported", this.p);
    }
    if (this.scope.kind !== "component") this.fail("components can only be defined in components", open);
    const outer = this.scope;
    const inner = this.componentBody(id, close);
    this.scope = outer;
    this.p = close + 1;
    outer.sections.push({
      id: "component",
      offset: 0,
      component: { bytes: new Uint8Array(0), offset: 0, end: 0, sections: inner.sections, names: { sorts: new Map() } },
    });
    const index = this.define("component", id, open);
    this.emitExports(exports, "component", index);
  }

  private instanceDef(open: number): void {
    this.p = open + 2;
    const id = this.optId();
    const exports = this.inlineExports();
    if (this.inlineImport("instance", id, exports, open)) return;
    if (this.eatOpen("instantiate")) {
      const component = this.ref("component");
      const args: { name: string; sort: Sort; index: number }[] = [];
      while (this.eatOpen("with")) {
        const name = this.string();
        if (this.isOpen(this.p, "instance") && !this.isIndexAt(this.p + 2)) {
          args.push({ name, sort: "instance", index: this.inlineInstance() });
        } else {
          args.push({ name, ...this.sortIdx() });
        }
        this.expectRP();
      }
      this.expectRP();
      this.expectRP();
      this.pushItem("instance", { kind: "instantiate", component, args, offset: 0 });
    } else {
      const items = this.instanceExports();
      this.expectRP();
      this.pushItem("instance", { kind: "exports", exports: items, offset: 0 });
    }
    const index = this.define("instance", id, open);
    this.emitExports(exports, "instance", index);
  }

  /** `(instance (export "n" sortidx)*)` as a `with` argument: a new instance of exports. */
  private inlineInstance(): number {
    const open = this.p;
    this.p += 2;
    const exports = this.instanceExports();
    this.expectRP();
    this.pushItem("instance", { kind: "exports", exports, offset: 0 });
    return this.define("instance", undefined, open);
  }

  private instanceExports(): { name: ExternName; sort: Sort; index: number }[] {
    const items: { name: ExternName; sort: Sort; index: number }[] = [];
    while (this.eatOpen("export")) {
      const name = this.externName();
      items.push({ name, ...this.sortIdx() });
      this.expectRP();
    }
    return items;
  }

  // ---- types --------------------------------------------------------------------------------------

  private typeDef(open: number): void {
    this.p = open + 2;
    const id = this.optId();
    const exports = this.inlineExports();
    if (this.inlineImport("type", id, exports, open)) return;
    const def: TypeDef = this.defType(id);
    this.expectRP();
    const index = this.emitType(def, id, open);
    this.emitExports(exports, "type", index);
  }

  // ---- canonical definitions ----------------------------------------------------------------------

  /** `(canon ...)` as a definition: the defined function's sort and `$id` come last. */
  private canonDef(open: number): void {
    this.p = open + 2;
    const def = this.canonBody(true);
    this.expectRP();
    void def;
  }

  /** `(func $id? (export ...)* typeuse (canon lift ...))` or `(func $id? (alias export ...))`. */
  private funcDef(open: number): void {
    this.p = open + 2;
    const id = this.optId();
    const exports = this.inlineExports();
    if (this.inlineImport("func", id, exports, open)) return;
    if (this.eatOpen("alias")) {
      this.expectAtom("export");
      const instance = this.index("instance");
      const name = this.string();
      this.expectRP();
      this.expectRP();
      const index = this.emitAlias({ kind: "export", sort: "func", instance, name, offset: 0 }, id);
      this.emitExports(exports, "func", index);
      return;
    }
    const type = this.funcTypeUse();
    this.expectLP();
    this.expectAtom("canon");
    this.expectAtom("lift");
    const func = this.coreRef("core func");
    const options = this.canonOptions();
    this.expectRP();
    this.expectRP();
    this.pushItem("canon", { kind: "lift", func, options, type, offset: 0 });
    const index = this.define("func", id, open);
    this.emitExports(exports, "func", index);
  }

  // ---- start, imports, exports --------------------------------------------------------------------

  private startDef(open: number): void {
    this.p = open + 2;
    const func = this.index("func");
    const args: number[] = [];
    while (this.eatOpen("value")) {
      args.push(this.index("value"));
      this.expectRP();
    }
    const ids: (string | undefined)[] = [];
    while (this.eatOpen("result")) {
      this.expectLP();
      this.expectAtom("value");
      ids.push(this.optId());
      this.expectRP();
      this.expectRP();
    }
    this.expectRP();
    if (this.scope.sections.some((s) => s.id === "start")) this.fail("multiple start functions", open);
    this.scope.sections.push({ id: "start", offset: 0, start: { func, args, results: ids.length, offset: 0 } });
    for (const id of ids) this.define("value", id, open);
  }

  private importDef(open: number): void {
    this.p = open + 2;
    const name = this.externName();
    const ext = this.externType();
    this.expectRP();
    this.pushItem("import", { name, desc: ext.desc, offset: 0 });
    this.define(ext.sort, ext.id, open);
  }

  private exportDef(open: number): void {
    this.p = open + 2;
    const id = this.optId();
    const name = this.externName();
    const { sort, index } = this.sortIdx();
    const desc = this.atRParen() ? undefined : this.externType();
    this.expectRP();
    if (desc !== undefined && desc.sort !== sort) this.fail("export type ascription of a different sort", open);
    const e: ExportDef = desc === undefined ? { name, sort, index, offset: 0 } : { name, sort, index, desc: desc.desc, offset: 0 };
    this.pushItem("export", e);
    this.define(sort, id, open);
  }

}

/** The payload of a `component-name` section for a scope's `$id`s, or undefined when there are none. */
function encodeNames(id: string | undefined, scope: Scope): Uint8Array | undefined {
  const sorts: [Sort, Space][] = [];
  for (const sort of NAME_SORTS) {
    const space = scope.spaces.get(sort);
    if (space !== undefined && space.names.size > 0) sorts.push([sort, space]);
  }
  if (id === undefined && sorts.length === 0) return undefined;
  const w = new ByteWriter();
  if (id !== undefined) {
    w.byte(0);
    const mark = w.beginSized();
    w.name(id);
    w.endSized(mark);
  }
  for (const [sort, space] of sorts) {
    w.byte(1);
    const mark = w.beginSized();
    writeSort(w, sort);
    const indices = [...space.names.keys()].sort((a, b) => a - b);
    w.u32(indices.length);
    for (const i of indices) {
      w.u32(i);
      w.name(space.names.get(i)!);
    }
    w.endSized(mark);
  }
  return w.finish();
}

