/**
 * The text parser's type level: value, reference and heap types, limits, table/memory/global types,
 * type uses (with inline function types) and type definitions (`sub`, `rec`, struct/array/func).
 *
 * @module
 */
import { ABS_HEAP_CODE } from "../binary/encoder.js";
import type { CompositeType, FieldType, HeapType, MemoryDesc, StorageType, TableDesc, TypeDef, ValueType } from "../binary/module-info.js";
import { Tok } from "./lexer.js";
import { parseU32, parseU64 } from "./numbers.js";
import { Namespace } from "./resolve.js";
import { type FuncSig, ParserState } from "./parse-state.js";

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

export abstract class TypeParser extends ParserState {
  /** Parses `$id? (sub final? $super* comp) | comp )` after `(type`; returns the new type index. */
  protected typeDef(): number {
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
  protected paramsResults(params: ValueType[], results: ValueType[], names: (string | undefined)[] | undefined): void {
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
}

export function valKey(t: ValueType): string {
  if (typeof t === "string") return t;
  return `(ref ${t.nullable ? "null " : ""}${t.shared ? "shared " : ""}${t.ref})`;
}

export function sigKey(params: readonly ValueType[], results: readonly ValueType[]): string {
  return `${params.map(valKey).join(" ")}->${results.map(valKey).join(" ")}`;
}
