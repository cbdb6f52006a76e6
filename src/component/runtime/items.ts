/**
 * What a running component's index spaces hold: component functions, resolved types, instances (their
 * exports by name), component definitions and core items.
 *
 * @module
 */
import type { ComponentInfo, Decl } from "../binary/ast.js";
import type { ComponentFuncType, ResourceType, ValueType } from "../types.js";
import type { ComponentFuncImpl } from "../abi/function.js";
import type { Module } from "../../runtime/module.js";

/** An entry of the type index space. */
export type TypeEntry =
  | { readonly t: "value"; readonly type: ValueType }
  | { readonly t: "resource"; readonly type: ResourceType }
  | { readonly t: "func"; readonly type: ComponentFuncType }
  | { readonly t: "instance" | "component"; readonly decls: readonly Decl[]; readonly scope: TypeScope };

/** What type resolution needs of a scope: its type index space and the enclosing scope (outer aliases). */
export interface TypeScope {
  readonly types: TypeEntry[];
  readonly parent: TypeScope | undefined;
  /** Component definitions, for outer aliases of components. */
  readonly components: ComponentDefinition[];
  /** Core modules, for outer aliases of modules. */
  readonly modules: Module[];
}

/** A component definition with the scope it was defined in (its outer aliases resolve there). */
export interface ComponentDefinition {
  readonly info: ComponentInfo;
  readonly scope: TypeScope | undefined;
  /** The compiled core modules of `info`, in order of definition (nested components' inside theirs). */
  readonly modules: readonly Module[];
  readonly nested: readonly ComponentDefinition[];
}

/** An item of a component instance's exports or of an index space. */
export type Item =
  | { readonly sort: "func"; readonly func: ComponentFuncImpl }
  | { readonly sort: "type"; readonly type: TypeEntry }
  | { readonly sort: "instance"; readonly exports: ReadonlyMap<string, Item> }
  | { readonly sort: "component"; readonly def: ComponentDefinition }
  | { readonly sort: "core module"; readonly module: Module }
  | { readonly sort: "value"; readonly value: unknown };
