/**
 * The WebAssembly type vocabulary shared by every layer: value types, function, global, table, memory
 * and tag types, and the `ExternType` union. A leaf module: it imports nothing.
 *
 * @module
 */

/** A number type: `i32`, `i64`, `f32` or `f64`. */
export type NumType = "i32" | "i64" | "f32" | "f64";

/** A reference type that crosses the host boundary: a function reference or an external reference. */
export type RefType = "funcref" | "externref";

/**
 * A value type as the embedding API sees it.
 *
 * In TypeScript, `i32`, `f32` and `f64` are `number`, `i64` is `bigint`, `funcref` is `Func | null`
 * and `externref` is any JS value (`null` is the null reference). `v128` exists inside wasm only:
 * a `v128` parameter or result cannot cross the host boundary.
 */
export type ValType = NumType | "v128" | RefType;

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
  readonly element: RefType;
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
export function formatValTypes(types: readonly string[]): string {
  return `(${types.join(", ")})`;
}

/** Renders an extern type for messages, e.g. `func (i32, i32) -> (i32)` or `memory 1..2 pages shared`. */
export function formatExternType(type: ExternType): string {
  switch (type.kind) {
    case "func":
      return `func ${formatValTypes(type.params)} -> ${formatValTypes(type.results)}`;
    case "global":
      return `global ${type.mutable ? "mut " : ""}${type.content}`;
    case "table":
      return `table ${formatLimits(type.min, type.max)} ${type.element}`;
    case "memory":
      return `memory ${formatLimits(type.min, type.max)} pages${type.shared ? " shared" : ""}${type.memory64 ? " i64" : ""}`;
    case "tag":
      return `tag ${formatValTypes(type.params)}`;
  }
}

function formatLimits(min: number, max: number | undefined): string {
  return max === undefined ? `${min}..` : `${min}..${max}`;
}
