/**
 * Readers of the binary format's types, each a function of the `BinaryReader` positioned at one: value,
 * reference and heap types (with the shared-everything prefix), composite and sub types (function,
 * struct, array; GC subtyping), and table, memory and global types with their limits. The decoder
 * (`decoder.ts`) calls them wherever a type appears in a section.
 *
 * @module
 */
import * as L from "./limits.js";
import type {
  AbsHeapType, CompositeType, FieldType, GlobalDesc, HeapType, MemoryDesc, StorageType, TableDesc, TypeDef, ValueType,
} from "./module-info.js";
import type { BinaryReader } from "./reader.js";

/** Abstract heap types by their one-byte (negative s33) encoding. */
const ABS_HEAP: ReadonlyMap<number, AbsHeapType> = new Map<number, AbsHeapType>([
  [0x70, "func"], [0x6f, "extern"], [0x6e, "any"], [0x6d, "eq"], [0x6c, "i31"], [0x6b, "struct"],
  [0x6a, "array"], [0x69, "exn"], [0x71, "none"], [0x73, "nofunc"], [0x72, "noextern"], [0x74, "noexn"],
]);

/** The prefix byte of a shared composite type and a shared abstract heap type (shared-everything threads). */
export const SHARED_PREFIX = 0x65;

/** A sub type: a composite type, with its supertypes and finality when written with `sub`/`sub final`. */
export function readSubType(r: BinaryReader): TypeDef {
  const form = r.peek();
  if (form === 0x50 || form === 0x4f) r.u8();
  return readSubTypeAfter(r, form);
}

/**
 * A sub type whose first byte `form` was read already when it is `sub` (0x50) or `sub final` (0x4f);
 * any other `form` (e.g. -1) is a composite type written without either, still to be read.
 */
export function readSubTypeAfter(r: BinaryReader, form: number): TypeDef {
  if (form === 0x50 || form === 0x4f) {
    const n = r.count(1, "supertypes");
    const supertypes: number[] = [];
    for (let i = 0; i < n; i++) supertypes.push(r.u32());
    return { ...compositeType(r), final: form === 0x4f, supertypes, explicitSub: true };
  }
  return { ...compositeType(r), final: true, supertypes: [], explicitSub: false };
}

/** A composite type, with its `shared` prefix (0x65, shared-everything threads) when it has one. */
function compositeType(r: BinaryReader): CompositeType & { shared?: boolean } {
  if (r.peek() === SHARED_PREFIX) {
    r.u8();
    return { ...unsharedCompositeType(r), shared: true };
  }
  return unsharedCompositeType(r);
}

/** A function, struct or array type. */
function unsharedCompositeType(r: BinaryReader): CompositeType {
  const at = r.pos;
  const form = r.u8();
  switch (form) {
    case 0x60: {
      const params = valueTypes(r, L.MAX_FUNCTION_PARAMS, "parameters");
      const results = valueTypes(r, L.MAX_FUNCTION_RESULTS, "results");
      return { kind: "func", params, results };
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
      // A byte with the continuation bit would start a longer (s7) encoding: too long; others are unknown forms.
      return r.fail(form & 0x80 ? "integer representation too long" : `malformed type form 0x${form.toString(16)}`, at);
  }
}

/** A struct field or array element: storage type (`i8`, `i16` or a value type) and mutability. */
function fieldType(r: BinaryReader): FieldType {
  const b = r.peek();
  let storage: StorageType;
  if (b === 0x78) {
    r.u8();
    storage = "i8";
  } else if (b === 0x77) {
    r.u8();
    storage = "i16";
  } else {
    storage = readValueType(r);
  }
  return { storage, mutable: readMutability(r) };
}

/** A vector of at most `max` value types (`what` names them in the error). */
function valueTypes(r: BinaryReader, max: number, what: string): ValueType[] {
  const n = r.count(max, what);
  const out: ValueType[] = new Array(Math.min(n, r.remaining));
  for (let i = 0; i < n; i++) out[i] = readValueType(r);
  return out;
}

/** A value type (number, vector or reference type). */
export function readValueType(r: BinaryReader): ValueType {
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

/** A reference type (table element, element segment). */
export function readRefType(r: BinaryReader): ValueType {
  const at = r.pos;
  return refTypeAfter(r, r.u8(), at, "malformed reference type");
}

/** The reference type whose first byte `b` (at `at`) was read; `message` when it is none. */
function refTypeAfter(r: BinaryReader, b: number, at: number, message: string): ValueType {
  if (b === 0x70) return "funcref";
  if (b === 0x6f) return "externref";
  if (b === 0x63 || b === 0x64) {
    const nullable = b === 0x63;
    if (r.peek() === SHARED_PREFIX) return { ref: readSharedHeapType(r), nullable, shared: true };
    const ref = readHeapType(r);
    if (nullable && ref === "func") return "funcref";
    if (nullable && ref === "extern") return "externref";
    return { ref, nullable };
  }
  if (b === SHARED_PREFIX) {
    r.pos = at;
    return { ref: readSharedHeapType(r), nullable: true, shared: true };
  }
  const abs = ABS_HEAP.get(b);
  if (abs !== undefined) return { ref: abs, nullable: true };
  return r.fail(message, at);
}

/** `0x65 absheaptype`: a shared abstract heap type (shared-everything threads); returns the abstract type. */
export function readSharedHeapType(r: BinaryReader): AbsHeapType {
  r.u8();
  const at = r.pos;
  const abs = ABS_HEAP.get(r.u8());
  return abs ?? r.fail("malformed heap type: `shared` must be followed by an abstract heap type", at);
}

/** A heap type: abstract (one byte) or a type index (a non-negative s33). */
export function readHeapType(r: BinaryReader): HeapType {
  const at = r.pos;
  const b = r.peek();
  const abs = ABS_HEAP.get(b);
  if (abs !== undefined) {
    r.u8();
    return abs;
  }
  const index = r.s33();
  if (index < 0) r.fail("malformed heap type", at);
  return index;
}

/** The mutability byte of a global or field: 0 const, 1 var. */
function readMutability(r: BinaryReader): boolean {
  const at = r.pos;
  const b = r.u8();
  if (b > 1) r.fail("malformed mutability", at);
  return b === 1;
}

/** A table type: element reference type and limits (shared and 64-bit flags). */
export function readTableType(r: BinaryReader): TableDesc {
  const element = readRefType(r);
  const at = r.pos;
  const flags = limitsFlags(r);
  // bit 0: has max; bit 1: shared (shared-everything threads); bit 2: 64-bit.
  if (flags & ~0x07) r.fail("integer too large", at);
  const table64 = (flags & 4) !== 0;
  const min = table64 ? r.u64() : r.u32();
  const max = flags & 1 ? (table64 ? r.u64() : r.u32()) : undefined;
  const shared = flags & 2 ? { shared: true } : {};
  return max === undefined ? { element, table64, min, ...shared } : { element, table64, min, max, ...shared };
}

/** A memory type: limits with the shared, 64-bit and custom page size flags. */
export function readMemoryType(r: BinaryReader): MemoryDesc {
  const at = r.pos;
  const flags = limitsFlags(r);
  // bit 0: has max; bit 1: shared; bit 2: 64-bit; bit 3: custom page size. A shared memory without
  // a maximum decodes but is invalid (the engine rejects it: "shared memory must have maximum").
  if (flags & ~0x0f) r.fail("integer too large", at);
  const memory64 = (flags & 4) !== 0;
  const shared = (flags & 2) !== 0;
  const min = memory64 ? r.u64() : r.u32();
  const max = flags & 1 ? (memory64 ? r.u64() : r.u32()) : undefined;
  const pageSizeLog2 = flags & 8 ? r.u32() : undefined;
  return {
    min,
    ...(max !== undefined ? { max } : {}),
    shared,
    memory64,
    ...(pageSizeLog2 !== undefined ? { pageSizeLog2 } : {}),
  };
}

/** A global type: value type and mutability. */
export function readGlobalType(r: BinaryReader): GlobalDesc {
  const content = readValueType(r);
  return { content, mutable: readMutability(r) };
}


/**
 * The flags byte of table and memory limits. It is a single byte: a continuation bit makes it "too long"
 * even when the value it would spell is a valid flag (the spec reads it as a 1-byte LEB128).
 */
function limitsFlags(r: BinaryReader): number {
  const at = r.pos;
  const b = r.u8();
  if (b & 0x80) r.fail("integer representation too long", at);
  return b;
}
