/**
 * Component text parser, types: value types (inline definitions hoisted into type definitions),
 * function, component, instance and resource types, and extern types. The core types that appear in
 * components (function, GC and module types) are the level below, `core-types.ts`.
 *
 * @module
 */
import { Tok } from "../../text/lexer.js";
import { PRIMITIVE_KINDS, type PrimitiveKind } from "../types.js";
import type {
  CaseDef,
  DefValType,
  ExternDesc,
  ExternName,
  LabelledType,
  Sort,
  TypeDef,
  ValTypeRef,
} from "../binary/ast.js";
import { CoreTypeParser } from "./core-types.js";

/** Primitive type names, with the legacy spellings `float32`/`float64`. */
const PRIMITIVE_NAMES: ReadonlyMap<string, PrimitiveKind> = new Map([
  ...PRIMITIVE_KINDS.map((k): [string, PrimitiveKind] => [k, k]),
  ["float32", "f32"],
  ["float64", "f64"],
]);
const PRIMITIVES: ReadonlySet<string> = new Set(PRIMITIVE_NAMES.keys());

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

/** Component-level types (see the module comment). */
export abstract class TypeParser extends CoreTypeParser {
  /** Emits a type definition (or declarator) in the current scope; returns its index. */
  emitType(def: TypeDef, id: string | undefined, tok: number = this.p): number {
    if (this.scope.kind === "component") this.pushItem("type", def);
    else if (this.scope.kind === "module-type") this.fail("component types cannot appear in core module types", tok);
    else this.scope.decls.push({ kind: "type", type: def });
    return this.define("type", id, tok);
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

  /** A core index: bare, or `(core sort ref)` with the inline export-alias form (see `refs.ts`). */
  abstract coreRef(sort: Sort): number;
}
