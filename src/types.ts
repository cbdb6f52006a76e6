/**
 * The WebAssembly type vocabulary shared by every layer: value types, function, global, table, memory
 * and tag types, and the `ExternType` union. A leaf module: it imports nothing.
 *
 * @module
 */

/** A number type: `i32`, `i64`, `f32` or `f64`. */
export type NumType = "i32" | "i64" | "f32" | "f64";

/**
 * A nullable reference type to an abstract heap type, by its text-format short name: `funcref` and
 * `externref` (WebAssembly 2.0), and from WebAssembly 3.0 `anyref`, `eqref`, `i31ref`, `structref`,
 * `arrayref`, the bottom types `nullref`, `nullfuncref`, `nullexternref`, and `exnref`/`nullexnref`.
 */
export type RefType =
  | "funcref"
  | "externref"
  | "anyref"
  | "eqref"
  | "i31ref"
  | "structref"
  | "arrayref"
  | "nullref"
  | "nullfuncref"
  | "nullexternref"
  | "exnref"
  | "nullexnref";

/** An abstract heap type (WebAssembly 3.0): what a reference may point to. */
export type AbsHeapType = "func" | "extern" | "any" | "eq" | "i31" | "struct" | "array" | "exn" | "none" | "nofunc" | "noextern" | "noexn";

/**
 * A concrete heap type: a type defined by the module, by its index in the module's types, with its
 * kind and, for a function type, its signature (typed function references).
 */
export interface ConcreteHeapType {
  /** The type's index in the module that defines it. */
  readonly index: number;
  /** What the type defines. */
  readonly kind: "func" | "struct" | "array";
  /** For a function type: its parameters and results. */
  readonly func?: FuncType;
}

/**
 * A reference type the short names cannot say (WebAssembly 3.0): a non-nullable reference
 * (`(ref func)`, `(ref $t)`) or a reference to a concrete type (`(ref null $t)`).
 */
export interface RefValType {
  readonly ref: AbsHeapType | ConcreteHeapType;
  readonly nullable: boolean;
}

/**
 * A value type as the embedding API sees it: a string for the number types, `v128` and the nullable
 * abstract reference types, a `RefValType` object for the other reference types.
 *
 * In TypeScript, `i32`, `f32` and `f64` are `number`, `i64` is `bigint`, `v128` is a `V128`, a
 * function reference (`funcref`, `(ref $f)` of a function type, ...) is `Func | null`, `externref` is
 * any JS value (`null` is the null reference), and GC references (`anyref`, `eqref`, `structref`,
 * `(ref $t)` of a struct type, ...) are opaque values the engine hands out (an `i31ref` is a number).
 * `exnref` does not cross the host boundary.
 */
export type ValType = NumType | "v128" | RefType | RefValType;

/** The type of a function: its parameter and result types (any number of each). */
export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** The type of a global: the type of its content and whether it may be set. */
export interface GlobalType {
  readonly content: ValType;
  readonly mutable: boolean;
}

/** The type of a table: its element type and its limits, in elements. */
export interface TableType {
  readonly element: RefType | RefValType;
  readonly min: number;
  readonly max?: number;
}

/** The type of a linear memory: its limits in 64 KiB pages, and whether it is shared or 64-bit. */
export interface MemoryType {
  readonly min: number;
  readonly max?: number;
  readonly shared: boolean;
  readonly memory64: boolean;
}

/** The type of an exception tag (exception-handling proposal): the types of its payload. */
export interface TagType {
  readonly params: readonly ValType[];
}

/** The type of an imported or exported entity, tagged by `kind`. */
export type ExternType =
  | ({ readonly kind: "func" } & FuncType)
  | ({ readonly kind: "global" } & GlobalType)
  | ({ readonly kind: "table" } & TableType)
  | ({ readonly kind: "memory" } & MemoryType)
  | ({ readonly kind: "tag" } & TagType);

/** The kind of an extern: what `ExternType.kind` says. */
export type ExternKind = ExternType["kind"];

/** One import of a module, with its full type. */
export interface ImportType {
  readonly module: string;
  readonly name: string;
  readonly type: ExternType;
}

/** One export of a module, with its full type. */
export interface ExportType {
  readonly name: string;
  readonly type: ExternType;
}

/** Renders a value-type list as the text format writes it: `(i32, i64)` or `()`. */
export function formatValTypes(types: readonly ValType[]): string {
  return `(${types.map(formatValType).join(", ")})`;
}

/** Renders a value type as the text format writes it: `i32`, `anyref`, `(ref null $3)`, `(ref func)`. */
export function formatValType(t: ValType): string {
  if (typeof t === "string") return t;
  const heap = typeof t.ref === "string" ? t.ref : `$${t.ref.index}`;
  return `(ref ${t.nullable ? "null " : ""}${heap})`;
}

/** Renders an extern type for messages, e.g. `func (i32, i32) -> (i32)` or `memory 1..2 pages shared`. */
export function formatExternType(type: ExternType): string {
  switch (type.kind) {
    case "func":
      return `func ${formatValTypes(type.params)} -> ${formatValTypes(type.results)}`;
    case "global":
      return `global ${type.mutable ? "mut " : ""}${formatValType(type.content)}`;
    case "table":
      return `table ${formatLimits(type.min, type.max)} ${formatValType(type.element)}`;
    case "memory":
      return `memory ${formatLimits(type.min, type.max)} pages${type.shared ? " shared" : ""}${type.memory64 ? " i64" : ""}`;
    case "tag":
      return `tag ${formatValTypes(type.params)}`;
  }
}

function formatLimits(min: number, max: number | undefined): string {
  return max === undefined ? `${min}..` : `${min}..${max}`;
}
