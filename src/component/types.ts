/**
 * The Component Model's type vocabulary as every component layer sees it once indices are resolved:
 * value types, function types, resource types and the extern types of imports and exports.
 *
 * The binary decoder keeps types as indices into the component's type index space (that is the
 * format's business); validation resolves them into the trees below, and everything after it (the
 * canonical ABI, the runtime, WIT printing, bindgen) reads only these trees. It imports only the core
 * type vocabulary.
 *
 * Names follow `Explainer.md` and `Binary.md`: `kind` is the spec's type constructor, spelled as in
 * WIT (`list`, `record`, `own`, ...); labels keep their kebab-case spelling (the JS binding turns them
 * into camelCase, not the type).
 *
 * @module
 */

import type { ExternType } from "../types.js";

/** The primitive value types (`primvaltype`). `error-context` belongs to the async additions. */
export type PrimitiveKind =
  | "bool"
  | "s8"
  | "u8"
  | "s16"
  | "u16"
  | "s32"
  | "u32"
  | "s64"
  | "u64"
  | "f32"
  | "f64"
  | "char"
  | "string"
  | "error-context";

/** Every primitive kind, in binary opcode order (`0x7f` down to `0x73`, then `0x64`). */
export const PRIMITIVE_KINDS: readonly PrimitiveKind[] = [
  "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string",
  "error-context",
];

/**
 * A resource type. Resource types are generative: each `(type (resource ...))` definition, each
 * `(sub resource)` import or export and each instantiation of a component that defines one makes a
 * new one, and two resource types are equal only when they are the same object.
 */
export class ResourceType {
  /** The name the resource is known by where it was defined, imported or exported (kebab-case). */
  readonly name: string;
  /** Whether the type was defined inside a component (`resource` definition) or is abstract (`sub resource`). */
  readonly defined: boolean;

  constructor(name: string, defined: boolean) {
    this.name = name;
    this.defined = defined;
  }
}

/** A primitive value type. */
export interface PrimitiveType {
  readonly kind: PrimitiveKind;
}

/** `list<T>`, or `list<T, N>` (fixed length, 🔧) when `length` is set. */
export interface ListType {
  readonly kind: "list";
  readonly element: ValueType;
  readonly length?: number;
}

/** A labelled field of a record or a named parameter of a function. */
export interface Field {
  readonly name: string;
  readonly type: ValueType;
}

/** `record { fields }`: at least one field, labels strongly unique. */
export interface RecordType {
  readonly kind: "record";
  readonly fields: readonly Field[];
}

/** `tuple<T...>`: at least one element. */
export interface TupleType {
  readonly kind: "tuple";
  readonly types: readonly ValueType[];
}

/** A case of a variant: a label and an optional payload. */
export interface Case {
  readonly name: string;
  readonly type?: ValueType;
}

/** `variant { cases }`: at least one case. */
export interface VariantType {
  readonly kind: "variant";
  readonly cases: readonly Case[];
}

/** `enum { names }`: a variant whose cases carry no payload. */
export interface EnumType {
  readonly kind: "enum";
  readonly names: readonly string[];
}

/** `flags { names }`: between 1 and 32 named booleans. */
export interface FlagsType {
  readonly kind: "flags";
  readonly names: readonly string[];
}

/** `option<T>`. */
export interface OptionType {
  readonly kind: "option";
  readonly type: ValueType;
}

/** `result<T, E>`; either side may be absent (`result`, `result<T>`, `result<_, E>`). */
export interface ResultType {
  readonly kind: "result";
  readonly ok?: ValueType;
  readonly err?: ValueType;
}

/** `own<R>` or `borrow<R>`: a handle to a resource. */
export interface HandleType {
  readonly kind: "own" | "borrow";
  readonly resource: ResourceType;
}

/** `stream<T>` or `future<T>` (🔀): element type absent for `stream`/`future` of nothing. */
export interface AsyncValueType {
  readonly kind: "stream" | "future";
  readonly element?: ValueType;
}

/** `map<K, V>` (🗺️). */
export interface MapType {
  readonly kind: "map";
  readonly key: ValueType;
  readonly value: ValueType;
}

/**
 * A component value type, fully resolved. Trees are immutable and may share subtrees; code that
 * specialises per type (the canonical ABI's lifting and lowering) may key caches on the objects.
 */
export type ValueType =
  | PrimitiveType
  | ListType
  | RecordType
  | TupleType
  | VariantType
  | EnumType
  | FlagsType
  | OptionType
  | ResultType
  | HandleType
  | AsyncValueType
  | MapType;

/** A component function type: named parameters and at most one result. */
export interface ComponentFuncType {
  readonly params: readonly Field[];
  readonly result?: ValueType;
  /** `(func async ...)` (🔀). */
  readonly async?: boolean;
}

/** The type of an instance: its exports by name. */
export interface InstanceType {
  readonly exports: ReadonlyMap<string, ComponentExternType>;
}

/** The type of a component: what it imports and what it exports, by name. */
export interface ComponentType {
  readonly imports: ReadonlyMap<string, ComponentExternType>;
  readonly exports: ReadonlyMap<string, ComponentExternType>;
}

/** The type of an imported or exported core module, as core extern types by module and name. */
export interface CoreModuleType {
  readonly imports: readonly { readonly module: string; readonly name: string; readonly type: ExternType }[];
  readonly exports: readonly { readonly name: string; readonly type: ExternType }[];
}

/**
 * A function, component or instance type imported or exported as a `type` (`(type (eq T))` where `T`
 * is no value type): it names the type for others to use, nothing runs through it.
 */
export interface TypeDefinitionRef {
  readonly kind: "type-definition";
  readonly definition:
    | { readonly kind: "func"; readonly type: ComponentFuncType }
    | { readonly kind: "component"; readonly type: ComponentType }
    | { readonly kind: "instance"; readonly type: InstanceType };
}

/** The type of a component import or export (`externtype`), tagged by its sort. */
export type ComponentExternType =
  | { readonly kind: "module"; readonly type: CoreModuleType }
  | { readonly kind: "func"; readonly type: ComponentFuncType }
  | { readonly kind: "value"; readonly type: ValueType }
  | { readonly kind: "type"; readonly type: ValueType | ResourceType | TypeDefinitionRef }
  | { readonly kind: "instance"; readonly type: InstanceType }
  | { readonly kind: "component"; readonly type: ComponentType };
