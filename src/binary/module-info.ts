/**
 * Decoded module metadata: everything the rest of wasmhost knows about a binary, produced by the
 * decoder and consumed by the runtime, the printer, the encoder and the instrumentation passes.
 *
 * Everything here is immutable. Byte ranges (function bodies, data, constant expressions) are views
 * into the original binary (`ModuleInfo.bytes`), never copies, so decoding a large module costs little
 * memory; `offset` fields are absolute byte offsets in that binary.
 *
 * Index spaces follow the spec: imported entities come first, then the module's own definitions. So
 * function `i` is `imports` entry number `i` among function imports when `i < importedFuncs`, and
 * `functions[i - importedFuncs]` otherwise; the helpers at the end of this file do that arithmetic.
 *
 * @module
 */

/** An abstract heap type of the reference-types, function-references, GC and exception proposals. */
export type AbsHeapType =
  | "func"
  | "extern"
  | "any"
  | "eq"
  | "i31"
  | "struct"
  | "array"
  | "exn"
  | "none"
  | "nofunc"
  | "noextern"
  | "noexn";

/** A heap type: abstract, or a type index (typed function references, GC). */
export type HeapType = AbsHeapType | number;

/**
 * A reference type in full generality. The two reference types of WebAssembly 2.0 are written as the
 * strings `"funcref"` and `"externref"` instead, so that a 2.0 module only ever contains strings.
 */
export interface RefValueType {
  readonly ref: HeapType;
  readonly nullable: boolean;
  /**
   * True for a shared abstract heap type (`(ref null (shared func))`, shared-everything threads);
   * absent otherwise. (A type index is shared when its definition is.)
   */
  readonly shared?: boolean;
}

/**
 * A value type as the binary format has it. `"funcref"` is `(ref null func)` and `"externref"` is
 * `(ref null extern)`; every other reference type is a `RefValueType`.
 */
export type ValueType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref" | RefValueType;

/** A field's storage type (GC): a value type or a packed integer. */
export type StorageType = ValueType | "i8" | "i16";

/** A struct or array field (GC). */
export interface FieldType {
  readonly storage: StorageType;
  readonly mutable: boolean;
}

/** The structure of a defined type. */
export type CompositeType =
  | { readonly kind: "func"; readonly params: readonly ValueType[]; readonly results: readonly ValueType[] }
  | { readonly kind: "struct"; readonly fields: readonly FieldType[] }
  | { readonly kind: "array"; readonly element: FieldType };

/**
 * One entry of the type index space. `final` and `supertypes` come from the GC proposal's `sub`
 * form; a plain 2.0 function type is final with no supertypes and `explicitSub` false.
 */
export type TypeDef = CompositeType & {
  readonly final: boolean;
  readonly supertypes: readonly number[];
  /** True when the binary spelled the `sub` / `sub final` prefix (kept for exact re-encoding). */
  readonly explicitSub: boolean;
  /** True for a shared composite type (`(shared (func ...))`, shared-everything threads); absent otherwise. */
  readonly shared?: boolean;
};

/**
 * A recursion group of the type section: types `first .. first + count - 1`. A 2.0 module has one
 * implicit group per type (`explicit` false).
 */
export interface RecGroup {
  readonly first: number;
  readonly count: number;
  readonly explicit: boolean;
}

/** Size limits of a table or memory (`max` absent when unbounded). */
export interface Limits {
  readonly min: number;
  readonly max?: number;
}

/** A table type in full generality (element type may be any reference type; table64). */
export interface TableDesc extends Limits {
  readonly element: ValueType;
  readonly table64: boolean;
  /** True for a shared table (shared-everything threads); absent otherwise. */
  readonly shared?: boolean;
}

/** A memory type. Sizes are in pages. */
export interface MemoryDesc extends Limits {
  readonly shared: boolean;
  readonly memory64: boolean;
  /** log2 of the page size when the custom-page-sizes proposal sets one; otherwise absent (64 KiB). */
  readonly pageSizeLog2?: number;
}

/** A global type. */
export interface GlobalDesc {
  readonly content: ValueType;
  readonly mutable: boolean;
}

/**
 * A constant expression (global initializer, segment offset, element item), kept as its bytes,
 * including the final `end` (0x0B). Decode it with the shared instruction reader when needed.
 */
export interface ConstExpr {
  readonly bytes: Uint8Array;
  readonly offset: number;
}

/** What an import provides. */
export type ImportDesc =
  | { readonly kind: "func"; readonly typeIndex: number }
  | { readonly kind: "table"; readonly type: TableDesc }
  | { readonly kind: "memory"; readonly type: MemoryDesc }
  | { readonly kind: "global"; readonly type: GlobalDesc }
  | { readonly kind: "tag"; readonly typeIndex: number };

/** One import. */
export type ImportInfo = ImportDesc & {
  readonly module: string;
  readonly name: string;
  /** Offset of the import entry in the binary. */
  readonly offset: number;
};

/** One export: a name and an index into the index space of its kind. */
export interface ExportInfo {
  readonly name: string;
  readonly kind: "func" | "table" | "memory" | "global" | "tag";
  readonly index: number;
  readonly offset: number;
}

/** A defined table; `init` is the 3.0 form's explicit initializer for every element. */
export interface TableInfo {
  readonly type: TableDesc;
  readonly init?: ConstExpr;
}

/** A defined global. */
export interface GlobalInfo {
  readonly type: GlobalDesc;
  readonly init: ConstExpr;
}

/** A defined tag (exception handling): its function type index (results are empty). */
export interface TagInfo {
  readonly typeIndex: number;
}

/** The items of an element segment: function indices (the compact forms) or expressions. */
export type ElementItems =
  | {
      readonly kind: "functions";
      readonly indices: readonly number[];
      /** How many indices there are (`indices.length`), known without reading them, when decoded from a binary. */
      readonly count?: number;
      /** The decoded binary's bytes of the indices (their LEB128s, after the count), when decoded from one. */
      readonly encoded?: Uint8Array;
    }
  | { readonly kind: "expressions"; readonly exprs: readonly ConstExpr[] };

/** An element segment in any of the eight binary forms (`flags` 0-7 kept for exact re-encoding). */
export interface ElementSegment {
  readonly mode: "active" | "passive" | "declarative";
  /** The table of an active segment (0 unless the form names one). */
  readonly table: number;
  /** The offset expression of an active segment. */
  readonly offsetExpr?: ConstExpr;
  readonly elementType: ValueType;
  readonly items: ElementItems;
  readonly flags: number;
  readonly offset: number;
}

/** A data segment. */
export interface DataSegment {
  readonly mode: "active" | "passive";
  readonly memory: number;
  readonly offsetExpr?: ConstExpr;
  /** The segment's bytes (a view into the binary). */
  readonly init: Uint8Array;
  /** True when the active form with an explicit memory index (flags 2) was used. */
  readonly explicitMemory: boolean;
  readonly offset: number;
}

/** A run of locals of one type in a function body. */
export interface LocalRun {
  readonly count: number;
  readonly type: ValueType;
}

/** A function body: its local declarations and its instructions (ending in `end`) as a view. */
export interface FunctionBody {
  readonly locals: readonly LocalRun[];
  /** The total number of declared locals (not counting parameters). */
  readonly localCount: number;
  /** The instruction bytes, from just after the locals to the final `end` inclusive. */
  readonly code: Uint8Array;
  /** Absolute offset of `code[0]` in the binary. */
  readonly codeOffset: number;
  /** Absolute offset of the body's size field (the start of the code-section entry). */
  readonly offset: number;
}

/** A custom section: its name and payload (a view into the binary). */
export interface CustomSection {
  readonly name: string;
  readonly data: Uint8Array;
  /** Offset of the section's id byte. */
  readonly offset: number;
  /** Id of the non-custom section it follows (0 when it comes before all of them). */
  readonly after: number;
}

/** The id of each section of the binary format. */
export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** Where a section sits in the binary. */
export interface SectionInfo {
  readonly id: number;
  /** For custom sections, the section's name. */
  readonly name?: string;
  /** Offset of the id byte. */
  readonly offset: number;
  /** Offset of the first payload byte (after the size). */
  readonly payloadOffset: number;
  /** Offset just past the section. */
  readonly end: number;
}

/** Indirect name map of the name section: for each outer index, a map of inner index to name. */
export type IndirectNameMap = ReadonlyMap<number, ReadonlyMap<number, string>>;

/**
 * The contents of the `name` custom section (extended name section proposal subsections included).
 * A malformed name section is ignored, as the spec requires, and `names.malformed` says why.
 */
export interface NameInfo {
  readonly module?: string;
  readonly functions: ReadonlyMap<number, string>;
  readonly locals: IndirectNameMap;
  readonly labels: IndirectNameMap;
  readonly types: ReadonlyMap<number, string>;
  readonly tables: ReadonlyMap<number, string>;
  readonly memories: ReadonlyMap<number, string>;
  readonly globals: ReadonlyMap<number, string>;
  readonly elements: ReadonlyMap<number, string>;
  readonly data: ReadonlyMap<number, string>;
  readonly fields: IndirectNameMap;
  readonly tags: ReadonlyMap<number, string>;
  /** Why the name section was ignored, when it was malformed. */
  readonly malformed?: string;
}

/** Everything decoded from a binary. See the module comment for the index-space conventions. */
export interface ModuleInfo {
  /** The binary this was decoded from; every view and offset refers to it. */
  readonly bytes: Uint8Array;
  readonly version: number;
  readonly types: readonly TypeDef[];
  readonly recGroups: readonly RecGroup[];
  readonly imports: readonly ImportInfo[];
  /** Type index of each defined (non-imported) function. */
  readonly functions: readonly number[];
  readonly tables: readonly TableInfo[];
  readonly memories: readonly MemoryDesc[];
  readonly tags: readonly TagInfo[];
  readonly globals: readonly GlobalInfo[];
  readonly exports: readonly ExportInfo[];
  readonly start?: number;
  readonly elements: readonly ElementSegment[];
  readonly dataCount?: number;
  readonly code: readonly FunctionBody[];
  readonly data: readonly DataSegment[];
  readonly customSections: readonly CustomSection[];
  readonly sections: readonly SectionInfo[];
  readonly names: NameInfo;
  readonly importedFuncs: number;
  readonly importedTables: number;
  readonly importedMemories: number;
  readonly importedGlobals: number;
  readonly importedTags: number;
}

/** The type index of function `funcIndex` (imported or defined), or `undefined` if out of range. */
export function funcTypeIndex(info: ModuleInfo, funcIndex: number): number | undefined {
  if (funcIndex < info.importedFuncs) {
    let seen = 0;
    for (const imp of info.imports) {
      if (imp.kind === "func") {
        if (seen === funcIndex) return imp.typeIndex;
        seen++;
      }
    }
    return undefined;
  }
  return info.functions[funcIndex - info.importedFuncs];
}

/** The type index of tag `tagIndex` (imported or defined), or `undefined` if out of range. */
export function tagTypeIndex(info: ModuleInfo, tagIndex: number): number | undefined {
  if (tagIndex >= info.importedTags) return info.tags[tagIndex - info.importedTags]?.typeIndex;
  let seen = 0;
  for (const imp of info.imports) {
    if (imp.kind === "tag" && seen++ === tagIndex) return imp.typeIndex;
  }
  return undefined;
}

/** The function type at `typeIndex`, or `undefined` when the index is out of range or not a function. */
export function funcTypeAt(
  info: ModuleInfo,
  typeIndex: number,
): { readonly params: readonly ValueType[]; readonly results: readonly ValueType[] } | undefined {
  const def = info.types[typeIndex];
  return def !== undefined && def.kind === "func" ? def : undefined;
}

/** The total number of functions (imported and defined). */
export function funcCount(info: ModuleInfo): number {
  return info.importedFuncs + info.functions.length;
}
