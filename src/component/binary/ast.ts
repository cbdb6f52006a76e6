/**
 * Decoded component metadata: the component binary format as data, one record per definition, in
 * binary order, with indices kept as indices.
 *
 * This is the format's view (`Binary.md`): a type is an index into the component's type index space,
 * a function is an index into its function index space, and nothing is resolved. Validation
 * (`validate.ts`) walks these records in order, builds the index spaces and resolves every type into
 * the trees of `../types.ts`; the encoder writes them back byte for byte; the text parser produces
 * them and the printer reads them.
 *
 * Conventions:
 * - Every definition carries `offset`, the absolute byte offset of its first byte in the outermost
 *   binary (`ComponentInfo.bytes`), so that errors found later point into the file.
 * - Records are immutable and shared subarrays (core modules, custom payloads) are views, not copies.
 * - The order of `sections` is the binary's: index spaces are built by walking it front to back
 *   (each definition appends to the index space of its sort; see `definitionSorts`).
 *
 * @module
 */
import type { ImportDesc, ModuleInfo, TypeDef as CoreSubType, ValueType as CoreValueType } from "../../binary/module-info.js";
import type { PrimitiveKind } from "../types.js";

/** The sorts of core definitions (`core:sort`): what a core index refers to. */
export type CoreSort = "func" | "table" | "memory" | "global" | "tag" | "type" | "module" | "instance";

/**
 * The sorts of component definitions (`sort`): the component-level sorts, or a core sort prefixed
 * with `core ` as the text format spells it (`core func`, `core module`, ...).
 */
export type Sort = "func" | "value" | "type" | "component" | "instance" | `core ${CoreSort}`;

/** A value type as written in the binary: a primitive, or an index into the type index space. */
export type ValTypeRef = PrimitiveKind | number;

// ---- names ----------------------------------------------------------------------------------------

/** An attribute of an import or export name (`nameattributes` form 0x02). */
export type NameAttribute =
  | { readonly kind: "implements"; readonly value: string }
  | { readonly kind: "versionsuffix"; readonly value: string }
  | { readonly kind: "external-id"; readonly value: string };

/**
 * An import or export name (`nameattributes`): the extern name and its attributes. `form` keeps the
 * binary's prefix byte (0x00 and 0x01 are synonyms today; 0x02 carries attributes) so that encoding
 * reproduces the input exactly.
 */
export interface ExternName {
  readonly name: string;
  readonly form: 0 | 1 | 2;
  readonly attributes: readonly NameAttribute[];
}

// ---- core types -----------------------------------------------------------------------------------

/** A declaration inside a core module type (`core:moduledecl`). */
export type CoreModuleDecl =
  | { readonly kind: "import"; readonly module: string; readonly name: string; readonly desc: ImportDesc }
  | { readonly kind: "type"; readonly type: CoreTypeDef }
  | { readonly kind: "alias"; readonly count: number; readonly index: number }
  | { readonly kind: "export"; readonly name: string; readonly desc: ImportDesc };

/**
 * A core type definition (`core:type`): a recursion group of core sub types (a plain function type
 * is a group of one with `explicit` false), or a module type.
 */
export type CoreTypeDef =
  | { readonly kind: "rec"; readonly explicit: boolean; readonly types: readonly CoreSubType[]; readonly offset: number }
  | { readonly kind: "module"; readonly decls: readonly CoreModuleDecl[]; readonly offset: number };

// ---- component types ------------------------------------------------------------------------------

/** A labelled value type: a record field or a function parameter. */
export interface LabelledType {
  readonly name: string;
  readonly type: ValTypeRef;
}

/** A variant case: label and optional payload. */
export interface CaseDef {
  readonly name: string;
  readonly type?: ValTypeRef;
}

/** A defined value type (`defvaltype`) with its element types as `ValTypeRef`s. */
export type DefValType =
  | { readonly kind: "primitive"; readonly type: PrimitiveKind }
  | { readonly kind: "record"; readonly fields: readonly LabelledType[] }
  | { readonly kind: "variant"; readonly cases: readonly CaseDef[] }
  | { readonly kind: "list"; readonly element: ValTypeRef; readonly length?: number }
  | { readonly kind: "tuple"; readonly types: readonly ValTypeRef[] }
  | { readonly kind: "flags"; readonly names: readonly string[] }
  | { readonly kind: "enum"; readonly names: readonly string[] }
  | { readonly kind: "option"; readonly type: ValTypeRef }
  | { readonly kind: "result"; readonly ok?: ValTypeRef; readonly err?: ValTypeRef }
  | { readonly kind: "own" | "borrow"; readonly resource: number }
  | { readonly kind: "stream" | "future"; readonly element?: ValTypeRef }
  | { readonly kind: "map"; readonly key: ValTypeRef; readonly value: ValTypeRef };

/** A function type (`functype`). `result` absent means no result. */
export interface FuncTypeDef {
  readonly kind: "func";
  readonly params: readonly LabelledType[];
  readonly result?: ValTypeRef;
  readonly async: boolean;
}

/** A resource type definition: its core representation (always `i32` today) and destructor. */
export interface ResourceTypeDef {
  readonly kind: "resource";
  readonly rep: CoreValueType;
  /** Core function index of the destructor. */
  readonly dtor?: number;
}

/** A type bound of an imported or exported type: equal to a type index, or a fresh resource. */
export type TypeBound = { readonly kind: "eq"; readonly type: number } | { readonly kind: "sub-resource" };

/** A value bound (🪙): equal to a value index, or of a value type. */
export type ValueBound = { readonly kind: "eq"; readonly value: number } | { readonly kind: "type"; readonly type: ValTypeRef };

/** The type of an import or export (`externtype`); the indices are type indices of the right kind. */
export type ExternDesc =
  | { readonly kind: "module"; readonly type: number }
  | { readonly kind: "func"; readonly type: number }
  | { readonly kind: "value"; readonly bound: ValueBound }
  | { readonly kind: "type"; readonly bound: TypeBound }
  | { readonly kind: "component"; readonly type: number }
  | { readonly kind: "instance"; readonly type: number };

/** An import or export declarator of a component or instance type. */
export interface ExternDecl {
  readonly name: ExternName;
  readonly desc: ExternDesc;
  readonly offset: number;
}

/** A declarator of an instance type (`instancedecl`), or of a component type (`componentdecl`, which adds `import`). */
export type Decl =
  | { readonly kind: "core-type"; readonly type: CoreTypeDef }
  | { readonly kind: "type"; readonly type: TypeDef }
  | { readonly kind: "alias"; readonly alias: AliasDef }
  | { readonly kind: "export"; readonly decl: ExternDecl }
  | { readonly kind: "import"; readonly decl: ExternDecl };

/** A component type: its declarators in order (imports allowed). */
export interface ComponentTypeDef {
  readonly kind: "component";
  readonly decls: readonly Decl[];
}

/** An instance type: its declarators in order (no imports). */
export interface InstanceTypeDef {
  readonly kind: "instance";
  readonly decls: readonly Decl[];
}

/** A type definition (`type`): appends one entry to the type index space. */
export type TypeDef = (DefValType | FuncTypeDef | ComponentTypeDef | InstanceTypeDef | ResourceTypeDef) & {
  readonly offset: number;
};

// ---- definitions ----------------------------------------------------------------------------------

/** A core module embedded in the component: its bytes (a view) and its decoded metadata. */
export interface CoreModuleDef {
  /** Absolute offset of the module's first byte (its magic number). */
  readonly offset: number;
  /** The module's bytes (a view into the component binary). */
  readonly bytes: Uint8Array;
  /**
   * The module decoded by the core decoder (lazily: bodies and names on first access). Offsets inside
   * it are relative to `bytes`; add `offset` for the position in the component.
   */
  readonly info: ModuleInfo;
}

/** A core instance definition (`core:instance`). */
export type CoreInstanceDef =
  | {
      readonly kind: "instantiate";
      readonly module: number;
      readonly args: readonly { readonly name: string; readonly instance: number }[];
      readonly offset: number;
    }
  | {
      readonly kind: "exports";
      readonly exports: readonly { readonly name: string; readonly sort: CoreSort; readonly index: number }[];
      readonly offset: number;
    };

/** A component instance definition (`instance`). */
export type InstanceDef =
  | {
      readonly kind: "instantiate";
      readonly component: number;
      readonly args: readonly { readonly name: string; readonly sort: Sort; readonly index: number }[];
      readonly offset: number;
    }
  | {
      readonly kind: "exports";
      readonly exports: readonly { readonly name: ExternName; readonly sort: Sort; readonly index: number }[];
      readonly offset: number;
    };

/**
 * An alias (`alias`): an export of a component instance, an export of a core instance, or a
 * definition of an enclosing scope (`count` scopes out, `index` in its `sort` index space).
 */
export type AliasDef =
  | { readonly kind: "export"; readonly sort: Sort; readonly instance: number; readonly name: string; readonly offset: number }
  | { readonly kind: "core-export"; readonly sort: Sort; readonly instance: number; readonly name: string; readonly offset: number }
  | { readonly kind: "outer"; readonly sort: Sort; readonly count: number; readonly index: number; readonly offset: number };

/** A canonical option (`canonopt`). */
export type CanonOption =
  | { readonly kind: "utf8" | "utf16" | "latin1+utf16" | "async" | "gc" }
  | { readonly kind: "memory" | "realloc" | "post-return" | "callback" | "core-type"; readonly index: number };

/**
 * A canonical definition (`canon`). `kind` is the built-in's text name (`lift`, `lower`,
 * `resource.new`, `stream.read`, `thread.spawn-ref`, ...); the other fields are its immediates, present
 * exactly when the built-in has them (see `CANON_OPS` in `canon.ts`). `lift` defines a component
 * function; every other built-in defines a core function.
 */
export interface CanonDef {
  readonly kind: string;
  readonly offset: number;
  /** `lift`: the core function; `lower`: the component function. */
  readonly func?: number;
  /** Canonical options, for the built-ins that take them. */
  readonly options?: readonly CanonOption[];
  /** A component type index: the lifted function type, the resource, the stream or future type. */
  readonly type?: number;
  /** `task.return`: the result type (`null`: no result). */
  readonly result?: ValTypeRef | null;
  /** `context.get`/`context.set`: the slot's core value type. */
  readonly valType?: CoreValueType;
  /** `context.get`/`context.set`: the slot index. */
  readonly index?: number;
  /** The `async?` flag of the cancel built-ins. */
  readonly async?: boolean;
  /** The `cancel?` flag of the waiting built-ins. */
  readonly cancellable?: boolean;
  /** The `shared?` flag of the thread built-ins. */
  readonly shared?: boolean;
  /** `waitable-set.wait`/`poll`: the core memory. */
  readonly memory?: number;
  /** A core type index (thread built-ins). */
  readonly coreType?: number;
  /** A core table index (thread built-ins). */
  readonly table?: number;
}

/** A start definition (🪙): a component function, its value arguments and its result count. */
export interface StartDef {
  readonly func: number;
  readonly args: readonly number[];
  readonly results: number;
  readonly offset: number;
}

/** An import definition. */
export interface ImportDef {
  readonly name: ExternName;
  readonly desc: ExternDesc;
  readonly offset: number;
}

/** An export definition: what it exports (`sort`, `index`) and an optional ascribed type. */
export interface ExportDef {
  readonly name: ExternName;
  readonly sort: Sort;
  readonly index: number;
  readonly desc?: ExternDesc;
  readonly offset: number;
}

/** A value definition (🪙): its type and its encoded value (a view). */
export interface ValueDef {
  readonly type: ValTypeRef;
  readonly value: Uint8Array;
  readonly offset: number;
}

/** A custom section: its name and payload (a view). */
export interface ComponentCustom {
  readonly name: string;
  readonly data: Uint8Array;
  readonly offset: number;
}

/**
 * One section of a component, in binary order. Vector sections hold their items; the singular
 * sections (core module, nested component, start, custom) hold one.
 */
export type ComponentSection = SectionBody & {
  /**
   * The byte length of the section's size field when the binary used a longer LEB128 than needed
   * (kept so that re-encoding reproduces it); absent for the shortest encoding.
   */
  readonly sizeWidth?: number;
};

/** The contents of each kind of section. */
export type SectionBody =
  | { readonly id: "custom"; readonly offset: number; readonly custom: ComponentCustom }
  | { readonly id: "core-module"; readonly offset: number; readonly module: CoreModuleDef }
  | { readonly id: "core-instance"; readonly offset: number; readonly items: readonly CoreInstanceDef[] }
  | { readonly id: "core-type"; readonly offset: number; readonly items: readonly CoreTypeDef[] }
  | { readonly id: "component"; readonly offset: number; readonly component: ComponentInfo }
  | { readonly id: "instance"; readonly offset: number; readonly items: readonly InstanceDef[] }
  | { readonly id: "alias"; readonly offset: number; readonly items: readonly AliasDef[] }
  | { readonly id: "type"; readonly offset: number; readonly items: readonly TypeDef[] }
  | { readonly id: "canon"; readonly offset: number; readonly items: readonly CanonDef[] }
  | { readonly id: "start"; readonly offset: number; readonly start: StartDef }
  | { readonly id: "import"; readonly offset: number; readonly items: readonly ImportDef[] }
  | { readonly id: "export"; readonly offset: number; readonly items: readonly ExportDef[] }
  | { readonly id: "value"; readonly offset: number; readonly items: readonly ValueDef[] };

/** The binary id of each section kind. */
export const COMPONENT_SECTION_ID = {
  custom: 0,
  "core-module": 1,
  "core-instance": 2,
  "core-type": 3,
  component: 4,
  instance: 5,
  alias: 6,
  type: 7,
  canon: 8,
  start: 9,
  import: 10,
  export: 11,
  value: 12,
} as const;

/** The decoded `component-name` custom section: the component's name and names per sort and index. */
export interface ComponentNames {
  readonly component?: string;
  /** Names by sort (`func`, `core func`, `type`, ...) then index. */
  readonly sorts: ReadonlyMap<Sort, ReadonlyMap<number, string>>;
}

/** A decoded component (the outermost one or a nested one). */
export interface ComponentInfo {
  /** The outermost binary; every view and offset refers to it. */
  readonly bytes: Uint8Array;
  /** Absolute offset of this component's preamble. */
  readonly offset: number;
  /** Absolute offset just past this component. */
  readonly end: number;
  /** The sections in binary order. */
  readonly sections: readonly ComponentSection[];
  /** The `component-name` section, decoded (empty when absent or malformed). */
  readonly names: ComponentNames;
}

/**
 * The sort of the index each definition of a section appends, in order (several for a recursion
 * group of core types or a start function's results; none for a custom section). Walking a
 * component's sections with this gives every index space, as validation and instantiation do.
 */
export function definitionSorts(section: ComponentSection): Sort[] {
  switch (section.id) {
    case "custom": return [];
    case "core-module": return ["core module"];
    case "core-instance": return section.items.map(() => "core instance");
    case "core-type": return section.items.flatMap((t): Sort[] => (t.kind === "rec" ? t.types.map((): Sort => "core type") : ["core type"]));
    case "component": return ["component"];
    case "instance": return section.items.map(() => "instance");
    case "alias": return section.items.map((a) => a.sort);
    case "type": return section.items.map(() => "type");
    case "canon": return section.items.map((c): Sort => (c.kind === "lift" ? "func" : "core func"));
    case "start": return Array.from({ length: section.start.results }, (): Sort => "value");
    case "import": return section.items.map((i): Sort => (i.desc.kind === "module" ? "core module" : i.desc.kind));
    case "export": return section.items.map((e) => e.sort);
    case "value": return section.items.map(() => "value");
  }
}
