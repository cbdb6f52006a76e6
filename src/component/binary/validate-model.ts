/**
 * What component validation produces and takes: the resolved index spaces (`ComponentSpaces`,
 * `TypeEntry`), the result (`ValidatedComponent`) and the options (`ValidateOptions`, with the
 * feature switches `ComponentFeatures`).
 *
 * @module
 */
import type { ModuleInfo } from "../../binary/module-info.js";
import type { ComponentFuncType, ComponentType, InstanceType, ResourceType, ValueType } from "../types.js";
import type { ComponentInfo } from "./ast.js";
import type { CoreFuncSig, CoreInstanceSig, CoreModuleSig, CoreTypeEntry } from "./core-sigs.js";

/** An entry of the component type index space, resolved. */
export type TypeEntry =
  | { readonly kind: "value"; readonly type: ValueType }
  | { readonly kind: "func"; readonly type: ComponentFuncType }
  | { readonly kind: "component"; readonly type: ComponentType }
  | { readonly kind: "instance"; readonly type: InstanceType }
  | { readonly kind: "resource"; readonly type: ResourceType; readonly rep?: "i32" | "i64"; readonly dtor?: number };

/** Every index space of a component (or of a component or instance type), resolved, in index order. */
export interface ComponentSpaces {
  readonly funcs: ComponentFuncType[];
  readonly values: ValueType[];
  readonly types: TypeEntry[];
  readonly components: ComponentType[];
  readonly instances: InstanceType[];
  readonly coreFuncs: CoreFuncSig[];
  readonly coreTables: import("../../binary/module-info.js").TableDesc[];
  readonly coreMemories: import("../../binary/module-info.js").MemoryDesc[];
  readonly coreGlobals: import("../../binary/module-info.js").GlobalDesc[];
  readonly coreTags: CoreFuncSig[];
  readonly coreTypes: CoreTypeEntry[];
  readonly coreModules: CoreModuleSig[];
  readonly coreInstances: CoreInstanceSig[];
}

/** A validated component: its spaces, its type, and the validated components defined inside it. */
export interface ValidatedComponent {
  readonly info: ComponentInfo;
  /** The component's imports and exports. */
  readonly type: ComponentType;
  readonly spaces: ComponentSpaces;
  /** The nested components defined (not imported) in it, in definition order. */
  readonly nested: readonly ValidatedComponent[];
}

/**
 * Component Model features behind flags (the gates of `Explainer.md` that `wasm-tools` switches per
 * script with `-f`); each defaults to what wasmhost accepts when not told otherwise.
 */
export interface ComponentFeatures {
  /** 64-bit memories in canonical options and `i64` resource representations (default on). */
  readonly cm64?: boolean;
  /** 🪺 nested namespaces and packages in interface names (`a:b:c/d/e`) (default off). */
  readonly nestedNames?: boolean;
  /**
   * The shared-everything-threads proposal's `shared` annotations in core types and core modules:
   * shared composite types, tables and abstract heap types (default on: they decode and validate; the
   * engine decides whether it can compile such a module).
   */
  readonly sharedEverythingThreads?: boolean;
}

/** Options of `validateComponent`. */
export interface ValidateOptions {
  /** Feature switches (see `ComponentFeatures`). */
  readonly features?: ComponentFeatures;
  /**
   * Validates a core module's code (the decoder checks only its structure); return a reason to reject
   * it. The runtime passes the engine's validation here.
   */
  readonly validateCoreModule?: (bytes: Uint8Array, info: ModuleInfo) => string | undefined;
}

/** Empty index spaces. */
export function emptySpaces(): ComponentSpaces {
  return {
    funcs: [], values: [], types: [], components: [], instances: [], coreFuncs: [], coreTables: [], coreMemories: [],
    coreGlobals: [], coreTags: [], coreTypes: [], coreModules: [], coreInstances: [],
  };
}
