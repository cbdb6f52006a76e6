/**
 * Component text parser, types: value types (inline definitions hoisted into type definitions),
 * function, component, instance and resource types, extern types, and the core types that appear in
 * components (function, GC and module types).
 *
 * @module
 */
import { Tok } from "../../text/lexer.js";
import { parseU64 } from "../../text/numbers.js";
import type {
  AbsHeapType,
  CompositeType,
  FieldType,
  ImportDesc,
  MemoryDesc,
  StorageType,
  TableDesc,
  TypeDef as CoreSubType,
  ValueType as CoreValueType,
} from "../../binary/module-info.js";
import { PRIMITIVE_KINDS, type PrimitiveKind } from "../types.js";
import type {
  CaseDef,
  CoreTypeDef,
  DefValType,
  ExternDesc,
  ExternName,
  LabelledType,
  Sort,
  TypeDef,
  ValTypeRef,
} from "../binary/ast.js";
import { ParserBase } from "./base.js";

/** Primitive type names, with the legacy spellings `float32`/`float64`. */
const PRIMITIVE_NAMES: ReadonlyMap<string, PrimitiveKind> = new Map([
  ...PRIMITIVE_KINDS.map((k): [string, PrimitiveKind] => [k, k]),
  ["float32", "f32"],
  ["float64", "f64"],
]);
const PRIMITIVES: ReadonlySet<string> = new Set(PRIMITIVE_NAMES.keys());

const CORE_VALTYPES: Readonly<Record<string, CoreValueType>> = {
  i32: "i32", i64: "i64", f32: "f32", f64: "f64", v128: "v128", funcref: "funcref", externref: "externref",
  anyref: { ref: "any", nullable: true }, eqref: { ref: "eq", nullable: true }, i31ref: { ref: "i31", nullable: true },
  structref: { ref: "struct", nullable: true }, arrayref: { ref: "array", nullable: true },
  exnref: { ref: "exn", nullable: true }, nullref: { ref: "none", nullable: true },
  nullfuncref: { ref: "nofunc", nullable: true }, nullexternref: { ref: "noextern", nullable: true },
  nullexnref: { ref: "noexn", nullable: true },
};
const ABS_HEAP: ReadonlySet<string> = new Set([
  "func", "extern", "any", "eq", "i31", "struct", "array", "exn", "none", "nofunc", "noextern", "noexn",
]);

/** The definition keywords of `defvaltype`. */
const DEFVAL_WORDS: ReadonlySet<string> = new Set([
  "record", "variant", "list", "tuple", "flags", "enum", "option", "result", "own", "borrow", "stream", "future", "map",
]);

/** An extern type as parsed: the sort it defines, the `$id` it binds, and the type. */
export interface ParsedExtern {
  readonly sort: Sort;
  readonly id: string | undefined;
  readonly desc: ExternDesc;
}

export abstract class TypeParser extends ParserBase {
  /** Emits a type definition (or declarator) in the current scope; returns its index. */
  emitType(def: TypeDef, id: string | undefined, tok: number = this.p): number {
    if (this.scope.kind === "component") this.pushItem("type", def);
    else if (this.scope.kind === "module-type") this.fail("component types cannot appear in core module types", tok);
    else this.scope.decls.push({ kind: "type", type: def });
    return this.define("type", id, tok);
  }

  /** Appends a core type definition to the current scope's output (its indices defined by the caller). */
  pushCoreType(def: CoreTypeDef, tok: number): void {
    void tok;
    switch (this.scope.kind) {
      case "component": this.pushItem("core-type", def); break;
      case "module-type": this.scope.coreDecls.push({ kind: "type", type: def }); break;
      default: this.scope.decls.push({ kind: "core-type", type: def });
    }
  }

  /** Emits a core type definition and defines its indices; returns the index of its first type. */
  emitCoreType(def: CoreTypeDef, ids: readonly (string | undefined)[], tok: number = this.p): number {
    this.pushCoreType(def, tok);
    let first = -1;
    for (const id of ids) {
      const i = this.define("core type", id, tok);
      if (first < 0) first = i;
    }
    return first;
  }

  // ---- value types ------------------------------------------------------------------------------

  /** A value type: primitive, type index, or an inline definition (hoisted). */
  valType(): ValTypeRef {
    const i = this.p;
    if (this.kind[i] === Tok.atom && PRIMITIVES.has(this.text(i))) {
      this.p++;
      return PRIMITIVE_NAMES.get(this.text(i))!;
    }
    if (this.kind[i] === Tok.lparen) {
      const tok = this.p;
      const def = this.defValTypeParen();
      return this.emitType({ ...def, offset: 0 }, undefined, tok);
    }
    return this.index("type");
  }

  /** `(record ...)`, `(list ...)`, ...: a defined value type in parentheses. */
  defValTypeParen(): DefValType {
    const open = this.p;
    this.expectLP();
    const word = this.text();
    if (this.kind[this.p] !== Tok.atom || !(DEFVAL_WORDS.has(word) || PRIMITIVES.has(word))) {
      this.unexpected(this.p, "a value type");
    }
    this.p++;
    let def: DefValType;
    switch (word) {
      case "record": {
        const fields: LabelledType[] = [];
        while (this.eatOpen("field")) {
          const name = this.string();
          fields.push({ name, type: this.valType() });
          this.expectRP();
        }
        def = { kind: "record", fields };
        break;
      }
      case "variant": {
        const cases: CaseDef[] = [];
        const caseIds = new Set<string>();
        while (this.eatOpen("case")) {
          const idTok = this.p;
          const id = this.optId();
          if (id !== undefined) {
            if (caseIds.has(id)) this.fail(`duplicate variant case identifier $${id}`, idTok);
            caseIds.add(id);
          }
          const name = this.string();
          const type = this.atRParen() || this.atOpen("refines") ? undefined : this.valType();
          if (this.atOpen("refines")) this.fail("variant case refinements are not supported");
          cases.push(type === undefined ? { name } : { name, type });
          this.expectRP();
        }
        def = { kind: "variant", cases };
        break;
      }
      case "list": {
        const element = this.valType();
        def = this.atRParen() ? { kind: "list", element } : { kind: "list", element, length: this.u32() };
        break;
      }
      case "tuple": {
        const types: ValTypeRef[] = [];
        while (!this.atRParen()) types.push(this.valType());
        def = { kind: "tuple", types };
        break;
      }
      case "flags":
      case "enum": {
        const names: string[] = [];
        while (!this.atRParen()) names.push(this.string());
        def = { kind: word, names };
        break;
      }
      case "option": def = { kind: "option", type: this.valType() }; break;
      case "result": {
        let ok: ValTypeRef | undefined;
        let err: ValTypeRef | undefined;
        if (!this.atRParen() && !this.atOpen("error")) ok = this.valType();
        if (this.eatOpen("error")) {
          err = this.valType();
          this.expectRP();
        }
        def = { kind: "result", ...(ok === undefined ? {} : { ok }), ...(err === undefined ? {} : { err }) };
        break;
      }
      case "own":
      case "borrow": def = { kind: word, resource: this.index("type") }; break;
      case "stream":
      case "future": {
        const element = this.atRParen() ? undefined : this.valType();
        def = { kind: word, ...(element === undefined ? {} : { element }) };
        break;
      }
      case "map": {
        const key = this.valType();
        def = { kind: "map", key, value: this.valType() };
        break;
      }
      default:
        def = { kind: "primitive", type: PRIMITIVE_NAMES.get(word)! };
    }
    if (!this.atRParen()) this.unexpected();
    this.p = this.match[open]! + 1;
    return def;
  }

  // ---- deftypes -----------------------------------------------------------------------------------

  /** The body of `(type $id? ...)`: a primitive atom or a parenthesized definition. */
  defType(id?: string): TypeDef {
    const i = this.p;
    if (this.kind[i] === Tok.atom && PRIMITIVES.has(this.text(i))) {
      this.p++;
      return { kind: "primitive", type: PRIMITIVE_NAMES.get(this.text(i))!, offset: 0 };
    }
    if (this.kind[i] !== Tok.lparen) this.unexpected(i, "a type definition");
    const word = this.text(i + 1);
    switch (word) {
      case "func": {
        this.p += 2;
        const f = this.funcTypeBody();
        this.expectRP();
        return f;
      }
      case "component":
      case "instance": {
        this.p += 2;
        const decls = this.typeDecls(word === "component" ? "component-type" : "instance-type", id);
        this.expectRP();
        return { kind: word, decls, offset: 0 };
      }
      case "resource": {
        this.p += 2;
        this.expectLP();
        this.expectAtom("rep");
        const rep = this.coreValType();
        this.expectRP();
        let dtor: number | undefined;
        if (this.eatOpen("dtor")) {
          dtor = this.coreRef("core func");
          this.expectRP();
        }
        this.expectRP();
        return { kind: "resource", rep, ...(dtor === undefined ? {} : { dtor }), offset: 0 };
      }
    }
    return { ...this.defValTypeParen(), offset: 0 };
  }

  /** `async? (param "n" T)* (result T)?` after `(func`. */
  funcTypeBody(): TypeDef {
    const async = this.eatAtom("async");
    const params: LabelledType[] = [];
    while (this.eatOpen("param")) {
      const name = this.string();
      params.push({ name, type: this.valType() });
      this.expectRP();
    }
    let result: ValTypeRef | undefined;
    if (this.eatOpen("result")) {
      if (this.atString()) this.fail("named function results are not supported");
      result = this.valType();
      this.expectRP();
    }
    if (this.atOpen("param")) this.fail("parameters must come before the result");
    return { kind: "func", params, ...(result === undefined ? {} : { result }), async, offset: 0 };
  }

  /** The declarators of a component or instance type, up to the closing paren. */
  typeDecls(kind: "component-type" | "instance-type", id?: string) {
    const scope = this.inScope(kind, id, () => {
      while (!this.atRParen()) this.typeDecl(kind);
    });
    return scope.decls;
  }

  private typeDecl(kind: "component-type" | "instance-type"): void {
    const open = this.p;
    if (this.kind[open] !== Tok.lparen) this.unexpected(open, "a declaration");
    if (this.isOpen(open, "core", "type")) {
      this.p += 3;
      this.coreTypeDef(open);
      return;
    }
    const word = this.text(open + 1);
    switch (word) {
      case "type": {
        this.p += 2;
        const id = this.optId();
        if (this.atOpen("export")) this.fail("unexpected token: inline exports are not allowed in type declarations");
        const def = this.defType(id);
        this.expectRP();
        this.emitType(def, id, open);
        return;
      }
      case "alias":
        this.alias();
        return;
      case "import":
      case "export": {
        if (word === "import" && kind === "instance-type") this.fail("unexpected token: instance types cannot import");
        this.p += 2;
        const name = this.externName();
        const ext = this.externType();
        this.expectRP();
        this.scope.decls.push({ kind: word, decl: { name, desc: ext.desc, offset: 0 } });
        this.define(ext.sort, ext.id, open);
        return;
      }
    }
    this.unexpected(open + 1, "a declaration");
  }

  /** `(alias ...)`: an alias definition or declarator (see `refs.ts`). */
  abstract alias(): void;

  /** An import or export name with its attributes (see `refs.ts`). */
  abstract externName(): ExternName;

  /**
   * An extern type: `(func $id? typeuse)`, `(core module $id? typeuse)`, `(component ...)`,
   * `(instance ...)`, `(value $id? bound)`, `(type $id? bound)`. A type use is `(type idx)` or an
   * inline type, which is hoisted into a type definition.
   */
  externType(): ParsedExtern {
    const open = this.p;
    this.expectLP();
    let word: string;
    if (this.eatAtom("core")) {
      this.expectAtom("module");
      word = "core module";
    } else {
      word = this.text();
      this.p++;
    }
    const id = this.optId();
    const ext = this.externBody(word, id, open + 1);
    this.expectRP();
    return ext;
  }

  /**
   * The part of an extern type after its sort keyword and `$id`: a type use or inline type, or a
   * bound. Also used for the inline-import abbreviation `(func $id (import "name") typeuse)`.
   */
  externBody(word: string, id: string | undefined, wordTok: number): ParsedExtern {
    let desc: ExternDesc;
    switch (word) {
      case "core module": {
        let type: number;
        if (this.atTypeUse()) {
          this.p += 2;
          type = this.index("core type");
          this.expectRP();
        } else {
          const tok = this.p;
          const decls = this.moduleTypeDecls();
          type = this.emitCoreType({ kind: "module", decls, offset: 0 }, [undefined], tok);
        }
        return { sort: "core module", id, desc: { kind: "module", type } };
      }
      case "func": {
        const type = this.typeUse(() => this.funcTypeBody());
        desc = { kind: "func", type };
        break;
      }
      case "component":
      case "instance": {
        const type = this.typeUse(() => ({
          kind: word,
          decls: this.typeDecls(word === "component" ? "component-type" : "instance-type"),
          offset: 0,
        }));
        desc = { kind: word, type };
        break;
      }
      case "value": {
        if (this.eatOpen("eq")) {
          desc = { kind: "value", bound: { kind: "eq", value: this.index("value") } };
          this.expectRP();
        } else if (this.atTypeUse()) {
          this.p += 2;
          desc = { kind: "value", bound: { kind: "type", type: this.index("type") } };
          this.expectRP();
        } else {
          desc = { kind: "value", bound: { kind: "type", type: this.valType() } };
        }
        break;
      }
      case "type": {
        if (this.eatOpen("eq")) {
          desc = { kind: "type", bound: { kind: "eq", type: this.index("type") } };
          this.expectRP();
        } else if (this.eatOpen("sub")) {
          this.expectAtom("resource");
          this.expectRP();
          desc = { kind: "type", bound: { kind: "sub-resource" } };
        } else {
          return this.unexpected(this.p, "`(eq ...)` or `(sub resource)`");
        }
        break;
      }
      default:
        return this.unexpected(wordTok, "an extern type");
    }
    return { sort: word as Sort, id, desc };
  }

  /** `(type idx)`, or an inline type made by `inline` and hoisted into a definition. */
  typeUse(inline: () => TypeDef): number {
    if (this.atTypeUse()) {
      this.p += 2;
      const index = this.index("type");
      this.expectRP();
      return index;
    }
    const tok = this.p;
    const def = inline();
    return this.emitType(def, undefined, tok);
  }

  // ---- core types -------------------------------------------------------------------------------

  /** A core value type. */
  coreValType(): CoreValueType {
    const i = this.p;
    if (this.kind[i] === Tok.atom) {
      const v = CORE_VALTYPES[this.text(i)];
      if (v === undefined) this.unexpected(i, "a core value type");
      this.p++;
      return v;
    }
    if (this.eatOpen("ref")) {
      const nullable = this.eatAtom("null");
      if (this.eatOpen("shared")) {
        const at = this.p;
        const ref = this.heapType();
        if (typeof ref === "number") this.unexpected(at, "an abstract heap type");
        this.expectRP();
        this.expectRP();
        return { ref, nullable, shared: true };
      }
      const ref = this.heapType();
      this.expectRP();
      if (nullable && ref === "func") return "funcref";
      if (nullable && ref === "extern") return "externref";
      return { ref, nullable };
    }
    return this.unexpected(i, "a core value type");
  }

  private heapType(): AbsHeapType | number {
    const i = this.p;
    if (this.kind[i] === Tok.atom && ABS_HEAP.has(this.text(i))) {
      this.p++;
      return this.text(i) as AbsHeapType;
    }
    return this.index("core type");
  }

  /** A core index: bare, or `(core sort ref)` with the inline export-alias form (see `refs.ts`). */
  abstract coreRef(sort: Sort): number;

  /**
   * `(core type $id? coretype)` (or `(type ...)` in a module type) with the cursor after the keyword,
   * or a recursion group `(core rec ...)` / `(rec ...)` with `recAtTop`; `open` is the form's `(`.
   * Emits the definition. The `$id`s of a group are bound before its types are parsed, so that the
   * types may refer to themselves and each other.
   */
  coreTypeDef(open: number, recAtTop = false): void {
    const id = recAtTop ? undefined : this.optId();
    if (recAtTop || this.atOpen("rec")) {
      if (!recAtTop) this.p += 2;
      if (id !== undefined) this.fail("unexpected token: a recursion group has no name", open);
      const close = recAtTop ? this.match[open]! : this.match[this.p - 2]!;
      for (let j = this.p; j < close; j = this.match[j]! + 1) {
        if (!this.isOpen(j, "type")) this.unexpected(j, "`(type ...)`");
        this.define("core type", this.kind[j + 2] === Tok.id ? this.idName(j + 2) : undefined, j);
      }
      const types: CoreSubType[] = [];
      while (this.eatOpen("type")) {
        this.optId();
        types.push(this.coreSubType());
        this.expectRP();
      }
      this.expectRP();
      if (!recAtTop) this.expectRP();
      this.pushCoreType({ kind: "rec", explicit: true, types, offset: 0 }, open);
      return;
    }
    if (this.atOpen("module")) {
      this.p += 2;
      const decls = this.moduleTypeDecls();
      this.expectRP();
      this.expectRP();
      this.emitCoreType({ kind: "module", decls, offset: 0 }, [id], open);
      return;
    }
    this.define("core type", id, open);
    const sub = this.coreSubType();
    this.expectRP();
    this.pushCoreType({ kind: "rec", explicit: false, types: [sub], offset: 0 }, open);
  }

  /** `(sub final? idx* comptype)` or a bare composite type. */
  private coreSubType(): CoreSubType {
    if (this.eatOpen("sub")) {
      const final = this.eatAtom("final");
      const supertypes: number[] = [];
      while (this.atIndex()) supertypes.push(this.index("core type"));
      const c = this.sharedCompositeType();
      this.expectRP();
      return { ...c, final, supertypes, explicitSub: true };
    }
    return { ...this.sharedCompositeType(), final: true, supertypes: [], explicitSub: false };
  }

  /** A composite type, or `(shared comptype)`: a shared one (shared-everything threads). */
  private sharedCompositeType(): CompositeType & { shared?: boolean } {
    if (!this.eatOpen("shared")) return this.compositeType();
    const c = this.compositeType();
    this.expectRP();
    return { ...c, shared: true };
  }

  private compositeType(): CompositeType {
    const open = this.p;
    this.expectLP();
    const word = this.text();
    this.p++;
    let c: CompositeType;
    switch (word) {
      case "func": {
        const { params, results } = this.coreFuncSig();
        c = { kind: "func", params, results };
        break;
      }
      case "struct": {
        const fields: FieldType[] = [];
        while (this.eatOpen("field")) {
          if (this.kind[this.p] === Tok.id) {
            this.p++;
            fields.push(this.fieldType());
          } else {
            while (!this.atRParen()) fields.push(this.fieldType());
          }
          this.expectRP();
        }
        c = { kind: "struct", fields };
        break;
      }
      case "array":
        c = { kind: "array", element: this.fieldType() };
        break;
      default:
        return this.unexpected(open + 1, "a core type");
    }
    this.expectRP();
    return c;
  }

  private fieldType(): FieldType {
    if (this.eatOpen("mut")) {
      const storage = this.storageType();
      this.expectRP();
      return { storage, mutable: true };
    }
    return { storage: this.storageType(), mutable: false };
  }

  private storageType(): StorageType {
    if (this.eatAtom("i8")) return "i8";
    if (this.eatAtom("i16")) return "i16";
    return this.coreValType();
  }

  /** `(param $id? t*)* (result t*)*` of a core function type. */
  coreFuncSig(): { params: CoreValueType[]; results: CoreValueType[] } {
    const params: CoreValueType[] = [];
    const results: CoreValueType[] = [];
    while (this.eatOpen("param")) {
      if (this.kind[this.p] === Tok.id) {
        this.p++;
        params.push(this.coreValType());
      } else {
        while (!this.atRParen()) params.push(this.coreValType());
      }
      this.expectRP();
    }
    while (this.eatOpen("result")) {
      while (!this.atRParen()) results.push(this.coreValType());
      this.expectRP();
    }
    return { params, results };
  }

  /** The declarators of a core module type, up to the closing paren. */
  moduleTypeDecls() {
    const scope = this.inScope("module-type", undefined, () => {
      while (!this.atRParen()) this.moduleTypeDecl();
    });
    return scope.coreDecls;
  }

  private moduleTypeDecl(): void {
    const open = this.p;
    if (this.kind[open] !== Tok.lparen) this.unexpected(open, "a module type declaration");
    const word = this.text(open + 1);
    switch (word) {
      case "import": {
        this.p += 2;
        const module = this.string();
        const name = this.string();
        const desc = this.coreExternType();
        this.expectRP();
        this.scope.coreDecls.push({ kind: "import", module, name, desc });
        return;
      }
      case "export": {
        this.p += 2;
        const name = this.string();
        const desc = this.coreExternType();
        this.expectRP();
        this.scope.coreDecls.push({ kind: "export", name, desc });
        return;
      }
      case "type": {
        this.p += 2;
        this.coreTypeDef(open);
        return;
      }
      case "rec": {
        this.p += 2;
        this.coreTypeDef(open, true);
        return;
      }
      case "alias": {
        this.p += 2;
        this.expectAtom("outer");
        const count = this.outerCount();
        const target = this.scopeAt(count);
        const idTok = this.p;
        let index: number;
        if (this.kind[idTok] === Tok.id) {
          this.p++;
          const found = target.spaces.get("core type")?.ids.get(this.idName(idTok));
          if (found === undefined) this.fail(`unknown core type: failed to find name \`$${this.idName(idTok)}\``, idTok);
          index = found;
        } else {
          index = this.u32();
        }
        this.expectLP();
        this.expectAtom("type");
        const id = this.optId();
        this.expectRP();
        this.expectRP();
        this.scope.coreDecls.push({ kind: "alias", count, index });
        this.define("core type", id, open);
        return;
      }
    }
    this.unexpected(open + 1, "a module type declaration");
  }

  /** A core extern type in a module type: `(func $id? typeuse)`, `(table ...)`, `(memory ...)`, ... */
  private coreExternType(): ImportDesc {
    this.expectLP();
    const word = this.text();
    this.p++;
    this.optId();
    let d: ImportDesc;
    switch (word) {
      case "func":
      case "tag": {
        let typeIndex: number;
        if (this.atTypeUse()) {
          this.p += 2;
          typeIndex = this.index("core type");
          this.expectRP();
          if (this.atOpen("param") || this.atOpen("result")) this.coreFuncSig();
        } else {
          const tok = this.p;
          const { params, results } = this.coreFuncSig();
          typeIndex = this.emitCoreType(
            { kind: "rec", explicit: false, types: [{ kind: "func", params, results, final: true, supertypes: [], explicitSub: false }], offset: 0 },
            [undefined],
            tok,
          );
        }
        d = word === "func" ? { kind: "func", typeIndex } : { kind: "tag", typeIndex };
        break;
      }
      case "table": d = { kind: "table", type: this.tableType() }; break;
      case "memory": d = { kind: "memory", type: this.memoryType() }; break;
      case "global": {
        if (this.eatOpen("mut")) {
          d = { kind: "global", type: { content: this.coreValType(), mutable: true } };
          this.expectRP();
        } else {
          d = { kind: "global", type: { content: this.coreValType(), mutable: false } };
        }
        break;
      }
      default:
        return this.unexpected(this.p - 1, "a core extern type");
    }
    this.expectRP();
    return d;
  }

  private limit(): number {
    const i = this.p;
    const v = this.kind[i] === Tok.atom ? parseU64(this.src, this.start[i]!, this.end[i]!) : undefined;
    if (v === undefined) this.unexpected(i, "a limit");
    this.p++;
    return Number(v);
  }

  private tableType(): TableDesc {
    const shared = this.eatAtom("shared") ? { shared: true } : {};
    const table64 = this.eatAtom("i64");
    if (!table64) this.eatAtom("i32");
    const min = this.limit();
    const max = this.kind[this.p] === Tok.atom && this.atLimit() ? this.limit() : undefined;
    const element = this.coreValType();
    return max === undefined ? { element, table64, min, ...shared } : { element, table64, min, max, ...shared };
  }

  private atLimit(): boolean {
    const i = this.p;
    return parseU64(this.src, this.start[i]!, this.end[i]!) !== undefined;
  }

  private memoryType(): MemoryDesc {
    const sharedFirst = this.eatAtom("shared"); // the shared-everything threads spelling
    const memory64 = this.eatAtom("i64");
    if (!memory64) this.eatAtom("i32");
    const min = this.limit();
    const max = this.kind[this.p] === Tok.atom && this.atLimit() ? this.limit() : undefined;
    const shared = sharedFirst || this.eatAtom("shared");
    let pageSizeLog2: number | undefined;
    if (this.eatOpen("pagesize")) {
      const size = this.limit();
      pageSizeLog2 = Math.log2(size);
      if (!Number.isInteger(pageSizeLog2)) this.fail("invalid custom page size", this.p - 1);
      this.expectRP();
    }
    return {
      min,
      ...(max === undefined ? {} : { max }),
      shared,
      memory64,
      ...(pageSizeLog2 === undefined ? {} : { pageSizeLog2 }),
    };
  }
}
