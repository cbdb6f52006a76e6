/**
 * Component text parser, core types: the core types that appear in components and their types (core
 * value and heap types, function, struct and array types with recursion groups and subtyping, module
 * types with their import, export, type and outer-alias declarators, and the table, memory and global
 * types those declare). The level below `types.ts`, which adds the component-level types.
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
import type { CoreTypeDef } from "../binary/ast.js";
import { ParserBase } from "./base.js";

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

/** Core types in components (see the module comment). */
export abstract class CoreTypeParser extends ParserBase {
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
