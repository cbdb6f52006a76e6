/**
 * The component binary decoder: bytes -> `ComponentInfo` (see `ast.ts`), one method per section.
 *
 * It decodes structure: every section, every definition and every type, with the byte offset of each,
 * failing with a `CompileError` (absolute offset, wording close to the reference tools') on malformed
 * input. Semantics — index spaces, type checking, names — are `validate.ts`'s job.
 *
 * Hostile input: every count is capped and every element consumes at least one byte, so decoding is
 * linear in the input. Components and component types nest; nesting is capped at `MAX_NESTING`
 * levels (a clear error past it), so the recursion depth is bounded whatever the input.
 *
 * @module
 */
import { decodeModule } from "../../binary/decoder.js";
import * as L from "../../binary/limits.js";
import { BinaryReader } from "../../binary/reader.js";
import { CompileError } from "../../errors.js";
import { PRIMITIVE_KINDS, type PrimitiveKind } from "../types.js";
import type {
  AliasDef,
  CanonDef,
  CanonOption,
  CaseDef,
  ComponentInfo,
  ComponentNames,
  ComponentSection,
  CoreInstanceDef,
  CoreModuleDef,
  CoreSort,
  CoreTypeDef,
  Decl,
  DefValType,
  ExportDef,
  ExternDesc,
  ExternName,
  ImportDef,
  InstanceDef,
  LabelledType,
  NameAttribute,
  Sort,
  StartDef,
  TypeDef,
  ValTypeRef,
  ValueDef,
} from "./ast.js";
import { CANON_BY_CODE } from "./canon.js";
import { readCoreType } from "./core-types.js";
import { readValueType as readCoreValType } from "../../binary/type-reader.js";

/** How deep components and component/instance types may nest inside one another. */
export const MAX_NESTING = 100;
/** Most definitions of one kind in one component (and most items of one vector). */
export const MAX_DEFINITIONS = 1_000_000;
/** Most fields, cases, flags, parameters, tuple elements of one type. */
export const MAX_TYPE_SIZE = 100_000;

/** Most arguments or results of a start function. */
export const MAX_START_VALUES = 1000;

/** The component preamble after the magic number: version 0x0d, layer 1. */
const COMPONENT_VERSION = 0x0d;
const SECTION_EOF = "unexpected end of section";

/** Primitive value types by opcode (0x7f bool ... 0x73 string, 0x64 error-context). */
const PRIMITIVE_BY_CODE: ReadonlyMap<number, PrimitiveKind> = new Map([
  ...PRIMITIVE_KINDS.slice(0, 13).map((k, i): [number, PrimitiveKind] => [0x7f - i, k]),
  [0x64, "error-context"],
]);

/** Opcode of each primitive value type. */
export const PRIMITIVE_CODE: Readonly<Record<PrimitiveKind, number>> = Object.fromEntries(
  [...PRIMITIVE_BY_CODE].map(([code, kind]) => [kind, code]),
) as Record<PrimitiveKind, number>;

const CORE_SORTS: ReadonlyMap<number, CoreSort> = new Map<number, CoreSort>([
  [0x00, "func"], [0x01, "table"], [0x02, "memory"], [0x03, "global"], [0x04, "tag"],
  [0x10, "type"], [0x11, "module"], [0x12, "instance"],
]);

/** Binary code of each core sort. */
export const CORE_SORT_CODE: Readonly<Record<CoreSort, number>> = Object.fromEntries(
  [...CORE_SORTS].map(([code, sort]) => [sort, code]),
) as Record<CoreSort, number>;

/** Component sorts by code (0x00 is the core prefix). */
const SORTS: readonly (Sort | undefined)[] = [undefined, "func", "value", "type", "component", "instance"];


/**
 * Decodes a component binary.
 *
 * @throws CompileError with the absolute byte offset when the binary is malformed.
 */
export function decodeComponent(bytes: Uint8Array): ComponentInfo {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decodeComponent: expected a Uint8Array");
  if (bytes.length > L.MAX_MODULE_SIZE) throw new CompileError(`component too large (${bytes.length} bytes)`, 0);
  const r = new BinaryReader(bytes);
  return new ComponentDecoder(r).component(bytes.length, 0);
}

class ComponentDecoder {
  constructor(private readonly r: BinaryReader) {}

  /** One component from `r.pos` to `end` (the end of the binary, or of its section). */
  component(end: number, depth: number): ComponentInfo {
    const r = this.r;
    if (depth > MAX_NESTING) r.fail(`components nested too deeply (the limit is ${MAX_NESTING})`);
    const offset = r.pos;
    this.preamble(end);
    const sections: ComponentSection[] = [];
    let names: ComponentNames = EMPTY_NAMES;
    while (r.pos < end) {
      const sectionOffset = r.pos;
      const id = r.u8();
      const size = r.u32();
      const width = r.pos - sectionOffset - 1;
      if (size > end - r.pos) r.fail("section size mismatch: unexpected end", r.pos);
      const sectionEnd = r.pos + size;
      let section = r.withLimit(size, SECTION_EOF, () => this.section(id, sectionOffset, sectionEnd, depth));
      if (width !== lebWidth(size)) section = { ...section, sizeWidth: width };
      if (r.pos !== sectionEnd) r.fail("section size mismatch: unexpected content after the last item", r.pos);
      if (section.id === "custom" && section.custom.name === "component-name") {
        names = decodeComponentNames(section.custom.data, section.custom.offset);
      }
      sections.push(section);
    }
    return { bytes: r.bytes, offset, end, sections, names };
  }

  private preamble(end: number): void {
    const r = this.r;
    const at = r.pos;
    if (end - at < 4) r.fail("unexpected end: magic header not detected", at);
    const b = r.bytes;
    if (b[at] !== 0 || b[at + 1] !== 0x61 || b[at + 2] !== 0x73 || b[at + 3] !== 0x6d) {
      r.fail("magic header not detected", at);
    }
    if (end - at < 8) r.fail("unexpected end: unknown binary version", at + 4);
    const version = b[at + 4]! | (b[at + 5]! << 8);
    const layer = b[at + 6]! | (b[at + 7]! << 8);
    if (layer !== 1) {
      r.fail(layer === 0 ? "expected a component, found a core module" : `unknown binary layer 0x${layer.toString(16)}`, at + 6);
    }
    if (version !== COMPONENT_VERSION) r.fail(`unknown binary version 0x${version.toString(16)}`, at + 4);
    r.pos = at + 8;
  }

  private section(id: number, offset: number, end: number, depth: number): ComponentSection {
    const r = this.r;
    switch (id) {
      case 0: {
        const name = r.name();
        const data = r.view(end - r.pos);
        return { id: "custom", offset, custom: { name, data, offset } };
      }
      case 1: return { id: "core-module", offset, module: this.coreModule(end) };
      case 2: return { id: "core-instance", offset, items: this.vec("core instances", () => this.coreInstance()) };
      case 3: return { id: "core-type", offset, items: this.vec("core types", () => this.coreType(depth)) };
      case 4: return { id: "component", offset, component: this.component(end, depth + 1) };
      case 5: return { id: "instance", offset, items: this.vec("instances", () => this.instance()) };
      case 6: return { id: "alias", offset, items: this.vec("aliases", () => this.alias()) };
      case 7: return { id: "type", offset, items: this.vec("types", () => this.type(depth)) };
      case 8: return { id: "canon", offset, items: this.vec("canonical functions", () => this.canon()) };
      case 9: return { id: "start", offset, start: this.start() };
      case 10: return { id: "import", offset, items: this.vec("imports", () => this.import()) };
      case 11: return { id: "export", offset, items: this.vec("exports", () => this.export()) };
      case 12: return { id: "value", offset, items: this.vec("values", () => this.value()) };
      default:
        return r.fail(`malformed section id: ${id}`, offset);
    }
  }

  private vec<T>(what: string, item: () => T): T[] {
    const n = this.r.count(MAX_DEFINITIONS, what);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  }

  // ---- core modules, instances, types ------------------------------------------------------------

  private coreModule(end: number): CoreModuleDef {
    const r = this.r;
    const offset = r.pos;
    const bytes = r.bytes.subarray(offset, end);
    let info;
    try {
      info = decodeModule(bytes, { lazy: true });
    } catch (e) {
      if (e instanceof CompileError) throw new CompileError(e.reason, (e.offset ?? 0) + offset, { cause: e });
      throw e;
    }
    r.pos = end;
    return { offset, bytes, info };
  }

  private coreInstance(): CoreInstanceDef {
    const r = this.r;
    const offset = r.pos;
    const kind = r.u8();
    if (kind === 0x00) {
      const module = r.u32();
      const args = this.vec("instantiation arguments", () => {
        const name = r.name();
        const at = r.pos;
        if (r.u8() !== 0x12) r.fail("invalid leading byte for a core instantiation argument: expected 0x12 (instance)", at);
        return { name, instance: r.u32() };
      });
      return { kind: "instantiate", module, args, offset };
    }
    if (kind === 0x01) {
      const exports = this.vec("core instance exports", () => {
        const name = r.name();
        const sort = this.coreSort();
        return { name, sort, index: r.u32() };
      });
      return { kind: "exports", exports, offset };
    }
    return r.fail(`invalid leading byte (0x${kind.toString(16)}) for a core instance`, offset);
  }

  private coreSort(): CoreSort {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    const sort = CORE_SORTS.get(b);
    if (sort === undefined) return r.fail(`invalid leading byte (0x${b.toString(16)}) for a core sort`, at);
    return sort;
  }

  private coreType(depth: number): CoreTypeDef {
    void depth;
    return readCoreType(this.r);
  }

  // ---- component instances, aliases ------------------------------------------------------------

  private sort(): Sort {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    if (b === 0x00) return `core ${this.coreSort()}`;
    const sort = SORTS[b];
    if (sort === undefined) return r.fail(`invalid leading byte (0x${b.toString(16)}) for a sort`, at);
    return sort;
  }

  private instance(): InstanceDef {
    const r = this.r;
    const offset = r.pos;
    const kind = r.u8();
    if (kind === 0x00) {
      const component = r.u32();
      const args = this.vec("instantiation arguments", () => {
        const name = r.name();
        const sort = this.sort();
        return { name, sort, index: r.u32() };
      });
      return { kind: "instantiate", component, args, offset };
    }
    if (kind === 0x01) {
      const exports = this.vec("instance exports", () => {
        const name = this.externName();
        const sort = this.sort();
        return { name, sort, index: r.u32() };
      });
      return { kind: "exports", exports, offset };
    }
    return r.fail(`invalid leading byte (0x${kind.toString(16)}) for an instance`, offset);
  }

  private alias(): AliasDef {
    const r = this.r;
    const offset = r.pos;
    const sort = this.sort();
    const targetAt = r.pos;
    const target = r.u8();
    switch (target) {
      case 0x00: {
        const instance = r.u32();
        return { kind: "export", sort, instance, name: r.name(), offset };
      }
      case 0x01: {
        const instance = r.u32();
        return { kind: "core-export", sort, instance, name: r.name(), offset };
      }
      case 0x02: {
        const count = r.u32();
        return { kind: "outer", sort, count, index: r.u32(), offset };
      }
      default:
        return r.fail(`invalid leading byte (0x${target.toString(16)}) for an alias`, targetAt);
    }
  }

  // ---- types ------------------------------------------------------------------------------------

  private valType(): ValTypeRef {
    const r = this.r;
    const at = r.pos;
    const b = r.peek();
    if (b >= 0x40 && b < 0x80) {
      r.u8();
      const prim = PRIMITIVE_BY_CODE.get(b);
      if (prim === undefined) return r.fail(`invalid leading byte (0x${b.toString(16)}) for a value type`, at);
      return prim;
    }
    const index = r.s33();
    if (index < 0) r.fail("invalid value type", at);
    return index;
  }

  private optional<T>(read: () => T): T | undefined {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    if (b === 0x00) return undefined;
    if (b === 0x01) return read();
    return r.fail(`invalid optional flag 0x${b.toString(16)}`, at);
  }

  private label(): string {
    return this.r.name();
  }

  private labelled(what: string): LabelledType[] {
    return this.vecOf(MAX_TYPE_SIZE, what, () => {
      const name = this.label();
      return { name, type: this.valType() };
    });
  }

  private vecOf<T>(max: number, what: string, item: () => T): T[] {
    const n = this.r.count(max, what);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  }

  private type(depth: number): TypeDef {
    const r = this.r;
    const offset = r.pos;
    const b = r.u8();
    switch (b) {
      case 0x40:
      case 0x43: {
        const params = this.labelled("parameters");
        const result = this.resultList();
        return { kind: "func", params, ...(result === null ? {} : { result }), async: b === 0x43, offset };
      }
      case 0x41:
      case 0x42: {
        if (depth >= MAX_NESTING) r.fail(`types nested too deeply (the limit is ${MAX_NESTING})`, offset);
        const component = b === 0x41;
        const decls = this.vec("type declarations", () => this.decl(component, depth + 1));
        return { kind: component ? "component" : "instance", decls, offset };
      }
      case 0x3f: {
        const rep = readCoreValType(r);
        const dtor = this.optional(() => r.u32());
        return { kind: "resource", rep, ...(dtor === undefined ? {} : { dtor }), offset };
      }
    }
    r.pos = offset;
    return { ...this.defValType(), offset };
  }

  /** A `resultlist`: one result type, or none (`null`). */
  private resultList(): ValTypeRef | null {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    if (b === 0x00) return this.valType();
    if (b === 0x01) {
      const z = r.pos;
      if (r.u8() !== 0x00) r.fail("invalid function result list: named results are not supported", z);
      return null;
    }
    return r.fail(`invalid leading byte (0x${b.toString(16)}) for a function result list`, at);
  }

  private defValType(): DefValType {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    const prim = PRIMITIVE_BY_CODE.get(b);
    if (prim !== undefined) return { kind: "primitive", type: prim };
    switch (b) {
      case 0x72: return { kind: "record", fields: this.labelled("record fields") };
      case 0x71: {
        const cases = this.vecOf(MAX_TYPE_SIZE, "variant cases", (): CaseDef => {
          const name = this.label();
          const type = this.optional(() => this.valType());
          const z = r.pos;
          if (r.u8() !== 0x00) r.fail("invalid variant case: expected 0x00 (refines is not supported)", z);
          return type === undefined ? { name } : { name, type };
        });
        return { kind: "variant", cases };
      }
      case 0x70: return { kind: "list", element: this.valType() };
      case 0x67: {
        const element = this.valType();
        return { kind: "list", element, length: r.u32() };
      }
      case 0x6f: return { kind: "tuple", types: this.vecOf(MAX_TYPE_SIZE, "tuple types", () => this.valType()) };
      case 0x6e: return { kind: "flags", names: this.vecOf(MAX_TYPE_SIZE, "flags", () => this.label()) };
      case 0x6d: return { kind: "enum", names: this.vecOf(MAX_TYPE_SIZE, "enum cases", () => this.label()) };
      case 0x6b: return { kind: "option", type: this.valType() };
      case 0x6a: {
        const ok = this.optional(() => this.valType());
        const err = this.optional(() => this.valType());
        return { kind: "result", ...(ok === undefined ? {} : { ok }), ...(err === undefined ? {} : { err }) };
      }
      case 0x69: return { kind: "own", resource: r.u32() };
      case 0x68: return { kind: "borrow", resource: r.u32() };
      case 0x66:
      case 0x65: {
        const element = this.optional(() => this.valType());
        return { kind: b === 0x66 ? "stream" : "future", ...(element === undefined ? {} : { element }) };
      }
      case 0x63: {
        const key = this.valType();
        return { kind: "map", key, value: this.valType() };
      }
      default:
        return r.fail(`invalid leading byte (0x${b.toString(16)}) for a component defined type`, at);
    }
  }

  private decl(component: boolean, depth: number): Decl {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    switch (b) {
      case 0x00: return { kind: "core-type", type: readCoreType(r) };
      case 0x01: return { kind: "type", type: this.type(depth) };
      case 0x02: return { kind: "alias", alias: this.alias() };
      case 0x03:
        if (!component) r.fail("invalid leading byte (0x03) for an instance type declaration", at);
        return { kind: "import", decl: this.externDecl() };
      case 0x04: return { kind: "export", decl: this.externDecl() };
      default:
        return r.fail(
          `invalid leading byte (0x${b.toString(16)}) for ${component ? "a component" : "an instance"} type declaration`,
          at,
        );
    }
  }

  private externDecl(): { name: ExternName; desc: ExternDesc; offset: number } {
    const offset = this.r.pos;
    const name = this.externName();
    return { name, desc: this.externDesc(), offset };
  }

  private externName(): ExternName {
    const r = this.r;
    const at = r.pos;
    const form = r.u8();
    if (form > 2) r.fail(`invalid leading byte (0x${form.toString(16)}) for a component external name`, at);
    const name = r.name();
    if (form !== 2) return { name, form: form as 0 | 1, attributes: [] };
    const attributes = this.vecOf(16, "name attributes", (): NameAttribute => {
      const kindAt = r.pos;
      const kind = r.u8();
      const value = r.name();
      if (kind === 0) return { kind: "implements", value };
      if (kind === 1) return { kind: "versionsuffix", value };
      if (kind === 2) return { kind: "external-id", value };
      return r.fail(`invalid leading byte (0x${kind.toString(16)}) for a name attribute`, kindAt);
    });
    return { name, form: 2, attributes };
  }

  private externDesc(): ExternDesc {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    switch (b) {
      case 0x00: {
        const z = r.pos;
        if (r.u8() !== 0x11) r.fail("invalid leading byte for a core extern type: expected 0x11 (module)", z);
        return { kind: "module", type: r.u32() };
      }
      case 0x01: return { kind: "func", type: r.u32() };
      case 0x02: {
        const bAt = r.pos;
        const k = r.u8();
        if (k === 0x00) return { kind: "value", bound: { kind: "eq", value: r.u32() } };
        if (k === 0x01) return { kind: "value", bound: { kind: "type", type: this.valType() } };
        return r.fail(`invalid leading byte (0x${k.toString(16)}) for a value bound`, bAt);
      }
      case 0x03: {
        const bAt = r.pos;
        const k = r.u8();
        if (k === 0x00) return { kind: "type", bound: { kind: "eq", type: r.u32() } };
        if (k === 0x01) return { kind: "type", bound: { kind: "sub-resource" } };
        return r.fail(`invalid leading byte (0x${k.toString(16)}) for a type bound`, bAt);
      }
      case 0x04: return { kind: "component", type: r.u32() };
      case 0x05: return { kind: "instance", type: r.u32() };
      default:
        return r.fail(`invalid leading byte (0x${b.toString(16)}) for an extern type`, at);
    }
  }

  // ---- canon, start, imports, exports, values ---------------------------------------------------

  private canonOptions(): CanonOption[] {
    const r = this.r;
    return this.vecOf(64, "canonical options", (): CanonOption => {
      const at = r.pos;
      const b = r.u8();
      switch (b) {
        case 0x00: return { kind: "utf8" };
        case 0x01: return { kind: "utf16" };
        case 0x02: return { kind: "latin1+utf16" };
        case 0x03: return { kind: "memory", index: r.u32() };
        case 0x04: return { kind: "realloc", index: r.u32() };
        case 0x05: return { kind: "post-return", index: r.u32() };
        case 0x06: return { kind: "async" };
        case 0x07: return { kind: "callback", index: r.u32() };
        case 0x08: return { kind: "core-type", index: r.u32() };
        case 0x09: return { kind: "gc" };
        default:
          return r.fail(`invalid leading byte (0x${b.toString(16)}) for a canonical option`, at);
      }
    });
  }

  private flag(what: string): boolean {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    if (b > 1) r.fail(`invalid ${what} flag 0x${b.toString(16)}`, at);
    return b === 1;
  }

  private canon(): CanonDef {
    const r = this.r;
    const offset = r.pos;
    const code = r.u8();
    if (code === 0x00 || code === 0x01) {
      const sortAt = r.pos;
      if (r.u8() !== 0x00) r.fail(`invalid leading byte for canon ${code === 0 ? "lift" : "lower"}: expected the func sort 0x00`, sortAt);
      const func = r.u32();
      const options = this.canonOptions();
      if (code === 0x01) return { kind: "lower", func, options, offset };
      return { kind: "lift", func, options, type: r.u32(), offset };
    }
    const op = CANON_BY_CODE.get(code);
    if (op === undefined) return r.fail(`invalid leading byte (0x${code.toString(16)}) for a canonical function`, offset);
    const def: { -readonly [K in keyof CanonDef]: CanonDef[K] } = { kind: op.name, offset };
    for (const imm of op.immediates) {
      switch (imm) {
        case "type": def.type = r.u32(); break;
        case "options": def.options = this.canonOptions(); break;
        case "result": def.result = this.resultList(); break;
        case "valType": def.valType = readCoreValType(r); break;
        case "index": def.index = r.u32(); break;
        case "async": def.async = this.flag("async"); break;
        case "cancellable": def.cancellable = this.flag("cancellable"); break;
        case "shared": def.shared = this.flag("shared"); break;
        case "memory": def.memory = r.u32(); break;
        case "coreType": def.coreType = r.u32(); break;
        case "table": def.table = r.u32(); break;
      }
    }
    return def;
  }

  private start(): StartDef {
    const r = this.r;
    const offset = r.pos;
    const func = r.u32();
    const args = this.vecOf(MAX_START_VALUES, "start arguments", () => r.u32());
    const at = r.pos;
    const results = r.u32();
    if (results > MAX_START_VALUES) r.fail("start function results size is out of bounds", at);
    return { func, args, results, offset };
  }

  private import(): ImportDef {
    const offset = this.r.pos;
    const name = this.externName();
    return { name, desc: this.externDesc(), offset };
  }

  private export(): ExportDef {
    const r = this.r;
    const offset = r.pos;
    const name = this.externName();
    const sort = this.sort();
    const index = r.u32();
    const desc = this.optional(() => this.externDesc());
    return desc === undefined ? { name, sort, index, offset } : { name, sort, index, desc, offset };
  }

  private value(): ValueDef {
    const r = this.r;
    const offset = r.pos;
    const type = this.valType();
    const len = r.u32();
    return { type, value: r.view(len), offset };
  }
}

/** The byte length of the shortest unsigned LEB128 encoding of `n`. */
export function lebWidth(n: number): number {
  let width = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) width++;
  return width;
}

const EMPTY_NAMES: ComponentNames = { sorts: new Map() };

/**
 * Decodes the payload of a `component-name` custom section. A malformed name section is ignored (the
 * spec says engines must not reject it), so this returns what it could read before the problem.
 */
export function decodeComponentNames(data: Uint8Array, offset: number): ComponentNames {
  void offset;
  const r = new BinaryReader(data);
  let component: string | undefined;
  const sorts = new Map<Sort, Map<number, string>>();
  try {
    while (!r.done) {
      const id = r.u8();
      const size = r.u32();
      r.withLimit(size, SECTION_EOF, () => {
        if (id === 0) {
          component = r.name();
        } else if (id === 1) {
          const b = r.u8();
          const sort: Sort | undefined = b === 0 ? `core ${CORE_SORTS.get(r.u8()) ?? "func"}` : SORTS[b];
          if (sort === undefined) throw new CompileError("bad sort");
          const map = new Map<number, string>();
          const n = r.count(L.MAX_NAMES, "names");
          for (let i = 0; i < n; i++) {
            const index = r.u32();
            map.set(index, r.name());
          }
          sorts.set(sort, map);
        }
        r.pos = r.end;
      });
    }
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
  }
  return component === undefined ? { sorts } : { component, sorts };
}
