/**
 * Reading and writing the core types that appear inside components: core type definitions (recursion
 * groups and module types), core value types and core extern types (`core:importdesc`).
 *
 * The core decoder reads the same encodings for a module's own type and import sections; these are the
 * component format's copies of them, with the one difference the component format imposes (a
 * non-final `sub` at the top of a core type is prefixed by 0x00, since 0x50 means a module type).
 *
 * @module
 */
import type { ByteWriter } from "../../binary/encoder.js";
import { writeGlobalType, writeMemoryType, writeTableType, writeTypeDef } from "../../binary/encoder.js";
import * as L from "../../binary/limits.js";
import type {
  AbsHeapType,
  CompositeType,
  FieldType,
  GlobalDesc,
  HeapType,
  ImportDesc,
  MemoryDesc,
  StorageType,
  TableDesc,
  TypeDef as CoreSubType,
  ValueType as CoreValueType,
} from "../../binary/module-info.js";
import type { BinaryReader } from "../../binary/reader.js";
import type { CoreModuleDecl, CoreTypeDef } from "./ast.js";

const ABS_HEAP: ReadonlyMap<number, AbsHeapType> = new Map<number, AbsHeapType>([
  [0x70, "func"], [0x6f, "extern"], [0x6e, "any"], [0x6d, "eq"], [0x6c, "i31"], [0x6b, "struct"],
  [0x6a, "array"], [0x69, "exn"], [0x71, "none"], [0x73, "nofunc"], [0x72, "noextern"], [0x74, "noexn"],
]);

/** The prefix byte of a shared composite type and a shared abstract heap type (shared-everything threads). */
const SHARED_PREFIX = 0x65;

/** Most declarations one core module type may hold. */
const MAX_MODULE_DECLS = L.MAX_IMPORTS + L.MAX_EXPORTS + L.MAX_TYPES;

/** A core value type. */
export function readCoreValType(r: BinaryReader): CoreValueType {
  const at = r.pos;
  const b = r.u8();
  switch (b) {
    case 0x7f: return "i32";
    case 0x7e: return "i64";
    case 0x7d: return "f32";
    case 0x7c: return "f64";
    case 0x7b: return "v128";
  }
  return refTypeAfter(r, b, at, "malformed value type");
}

function refTypeAfter(r: BinaryReader, b: number, at: number, message: string): CoreValueType {
  if (b === 0x70) return "funcref";
  if (b === 0x6f) return "externref";
  if (b === 0x63 || b === 0x64) {
    const nullable = b === 0x63;
    if (r.peek() === SHARED_PREFIX) return { ref: sharedHeapType(r), nullable, shared: true };
    const ref = heapType(r);
    if (nullable && ref === "func") return "funcref";
    if (nullable && ref === "extern") return "externref";
    return { ref, nullable };
  }
  if (b === SHARED_PREFIX) {
    r.pos = at;
    return { ref: sharedHeapType(r), nullable: true, shared: true };
  }
  const abs = ABS_HEAP.get(b);
  if (abs !== undefined) return { ref: abs, nullable: true };
  return r.fail(message, at);
}

/** `0x65 absheaptype`: a shared abstract heap type (shared-everything threads). */
function sharedHeapType(r: BinaryReader): AbsHeapType {
  r.u8();
  const at = r.pos;
  return ABS_HEAP.get(r.u8()) ?? r.fail("malformed heap type: `shared` must be followed by an abstract heap type", at);
}

function heapType(r: BinaryReader): HeapType {
  const at = r.pos;
  const abs = ABS_HEAP.get(r.peek());
  if (abs !== undefined) {
    r.u8();
    return abs;
  }
  const index = r.s33();
  if (index < 0) r.fail("malformed heap type", at);
  return index;
}

function mutability(r: BinaryReader): boolean {
  const at = r.pos;
  const b = r.u8();
  if (b > 1) r.fail("malformed mutability", at);
  return b === 1;
}

function fieldType(r: BinaryReader): FieldType {
  const b = r.peek();
  let storage: StorageType;
  if (b === 0x78 || b === 0x77) {
    r.u8();
    storage = b === 0x78 ? "i8" : "i16";
  } else {
    storage = readCoreValType(r);
  }
  return { storage, mutable: mutability(r) };
}

function valTypes(r: BinaryReader, max: number, what: string): CoreValueType[] {
  const n = r.count(max, what);
  const out: CoreValueType[] = [];
  for (let i = 0; i < n; i++) out.push(readCoreValType(r));
  return out;
}

/** A composite type, with its `shared` prefix (0x65, shared-everything threads) when it has one. */
function compositeType(r: BinaryReader): CompositeType & { shared?: boolean } {
  if (r.peek() === SHARED_PREFIX) {
    r.u8();
    return { ...unsharedCompositeType(r), shared: true };
  }
  return unsharedCompositeType(r);
}

function unsharedCompositeType(r: BinaryReader): CompositeType {
  const at = r.pos;
  const form = r.u8();
  switch (form) {
    case 0x60: {
      const params = valTypes(r, L.MAX_FUNCTION_PARAMS, "parameters");
      return { kind: "func", params, results: valTypes(r, L.MAX_FUNCTION_RESULTS, "results") };
    }
    case 0x5f: {
      const n = r.count(L.MAX_STRUCT_FIELDS, "struct fields");
      const fields: FieldType[] = [];
      for (let i = 0; i < n; i++) fields.push(fieldType(r));
      return { kind: "struct", fields };
    }
    case 0x5e:
      return { kind: "array", element: fieldType(r) };
    default:
      return r.fail(`malformed core type form 0x${form.toString(16)}`, at);
  }
}

/** A core sub type; `form` is the already-consumed `sub` prefix (0x50 / 0x4f) or -1. */
function subType(r: BinaryReader, form: number): CoreSubType {
  if (form === 0x50 || form === 0x4f) {
    const n = r.count(1, "supertypes");
    const supertypes: number[] = [];
    for (let i = 0; i < n; i++) supertypes.push(r.u32());
    return { ...compositeType(r), final: form === 0x4f, supertypes, explicitSub: true };
  }
  return { ...compositeType(r), final: true, supertypes: [], explicitSub: false };
}

function groupMember(r: BinaryReader): CoreSubType {
  const b = r.peek();
  if (b === 0x50 || b === 0x4f) {
    r.u8();
    return subType(r, b);
  }
  return subType(r, -1);
}

/** A core table type. */
export function readTableType(r: BinaryReader): TableDesc {
  const at = r.pos;
  const element = refTypeAfter(r, r.u8(), at, "malformed reference type");
  const flagsAt = r.pos;
  const flags = r.u8();
  // bit 0: has max; bit 1: shared (shared-everything threads); bit 2: 64-bit.
  if (flags & ~0x07) r.fail("malformed limits flags", flagsAt);
  const table64 = (flags & 4) !== 0;
  const min = table64 ? r.u64() : r.u32();
  const max = flags & 1 ? (table64 ? r.u64() : r.u32()) : undefined;
  const shared = flags & 2 ? { shared: true } : {};
  return max === undefined ? { element, table64, min, ...shared } : { element, table64, min, max, ...shared };
}

/** A core memory type. */
export function readMemoryType(r: BinaryReader): MemoryDesc {
  const at = r.pos;
  const flags = r.u8();
  if (flags & ~0x0f) r.fail("malformed limits flags", at);
  const memory64 = (flags & 4) !== 0;
  const min = memory64 ? r.u64() : r.u32();
  const max = flags & 1 ? (memory64 ? r.u64() : r.u32()) : undefined;
  const pageSizeLog2 = flags & 8 ? r.u32() : undefined;
  return {
    min,
    ...(max !== undefined ? { max } : {}),
    shared: (flags & 2) !== 0,
    memory64,
    ...(pageSizeLog2 !== undefined ? { pageSizeLog2 } : {}),
  };
}

function globalType(r: BinaryReader): GlobalDesc {
  const content = readCoreValType(r);
  return { content, mutable: mutability(r) };
}

/** A core extern type (`core:importdesc`/`core:externtype`). */
export function readImportDesc(r: BinaryReader): ImportDesc {
  const at = r.pos;
  switch (r.u8()) {
    case 0x00: return { kind: "func", typeIndex: r.u32() };
    case 0x01: return { kind: "table", type: readTableType(r) };
    case 0x02: return { kind: "memory", type: readMemoryType(r) };
    case 0x03: return { kind: "global", type: globalType(r) };
    case 0x04: {
      const attrAt = r.pos;
      if (r.u8() !== 0) r.fail("malformed tag attribute", attrAt);
      return { kind: "tag", typeIndex: r.u32() };
    }
    default:
      return r.fail("malformed core extern type", at);
  }
}

/** Writes a core extern type. */
export function writeImportDesc(w: ByteWriter, d: ImportDesc): void {
  switch (d.kind) {
    case "func": w.byte(0); w.u32(d.typeIndex); break;
    case "table": w.byte(1); writeTableType(w, d.type); break;
    case "memory": w.byte(2); writeMemoryType(w, d.type); break;
    case "global": w.byte(3); writeGlobalType(w, d.type); break;
    case "tag": w.byte(4); w.byte(0); w.u32(d.typeIndex); break;
  }
}

/**
 * A core type definition (`core:type`). Module types nest no further than one level (a module type
 * may not contain one), so this never recurses more than once.
 */
export function readCoreType(r: BinaryReader, inModuleType = false): CoreTypeDef {
  const offset = r.pos;
  const b = r.u8();
  if (b === 0x4e) {
    const n = r.count(L.MAX_REC_GROUP_SIZE, "types in a recursion group");
    const types: CoreSubType[] = [];
    for (let i = 0; i < n; i++) types.push(groupMember(r));
    return { kind: "rec", explicit: true, types, offset };
  }
  if (b === 0x00) {
    const at = r.pos;
    if (r.u8() !== 0x50) r.fail("malformed core type: expected 0x50 after 0x00", at);
    return { kind: "rec", explicit: false, types: [subType(r, 0x50)], offset };
  }
  if (b === 0x4f) return { kind: "rec", explicit: false, types: [subType(r, 0x4f)], offset };
  // Inside a module type, 0x50 is a non-final sub type (a module type cannot nest there).
  if (b === 0x50 && inModuleType) return { kind: "rec", explicit: false, types: [subType(r, 0x50)], offset };
  if (b === 0x50) {
    const n = r.count(MAX_MODULE_DECLS, "module type declarations");
    const decls: CoreModuleDecl[] = [];
    for (let i = 0; i < n; i++) decls.push(moduleDecl(r));
    return { kind: "module", decls, offset };
  }
  r.pos = offset;
  return { kind: "rec", explicit: false, types: [subType(r, -1)], offset };
}

function moduleDecl(r: BinaryReader): CoreModuleDecl {
  const at = r.pos;
  switch (r.u8()) {
    case 0x00: {
      const module = r.name();
      const name = r.name();
      return { kind: "import", module, name, desc: readImportDesc(r) };
    }
    case 0x01:
      return { kind: "type", type: readCoreType(r, true) };
    case 0x02: {
      const sortAt = r.pos;
      if (r.u8() !== 0x10) r.fail("invalid leading byte in core alias: only type aliases are allowed", sortAt);
      const targetAt = r.pos;
      if (r.u8() !== 0x01) r.fail("invalid core alias target: only outer aliases are allowed", targetAt);
      return { kind: "alias", count: r.u32(), index: r.u32() };
    }
    case 0x03: {
      const name = r.name();
      return { kind: "export", name, desc: readImportDesc(r) };
    }
    default:
      return r.fail("invalid leading byte for a core module type declaration", at);
  }
}

/** Writes a core type definition. */
export function writeCoreType(w: ByteWriter, t: CoreTypeDef, inModuleType = false): void {
  if (t.kind === "module") {
    w.byte(0x50);
    w.u32(t.decls.length);
    for (const d of t.decls) {
      switch (d.kind) {
        case "import":
          w.byte(0x00);
          w.name(d.module);
          w.name(d.name);
          writeImportDesc(w, d.desc);
          break;
        case "type":
          w.byte(0x01);
          writeCoreType(w, d.type, true);
          break;
        case "alias":
          w.byte(0x02);
          w.byte(0x10);
          w.byte(0x01);
          w.u32(d.count);
          w.u32(d.index);
          break;
        case "export":
          w.byte(0x03);
          w.name(d.name);
          writeImportDesc(w, d.desc);
          break;
      }
    }
    return;
  }
  if (t.explicit) {
    w.byte(0x4e);
    w.u32(t.types.length);
    for (const s of t.types) writeTypeDef(w, s);
    return;
  }
  const s = t.types[0]!;
  if (s.explicitSub && !s.final && !inModuleType) w.byte(0x00);
  writeTypeDef(w, s);
}
