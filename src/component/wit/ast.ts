/**
 * The syntax tree of one WIT file, as the parser produces it: names still unresolved, positions kept
 * (`at` is the UTF-16 offset of the construct in its file) so the resolver can point at the culprit.
 *
 * @module
 */

/** An identifier where it was written. */
export interface Ident {
  readonly name: string;
  readonly at: number;
}

/** `ns:pkg@1.2.3`; with 🪺 nested names, `namespace` may be `a:b` and `name` `c/d`. */
export interface PackageNameAst {
  readonly namespace: string;
  readonly name: string;
  readonly version?: string;
  readonly at: number;
}

/** `@since(version = ..)`, `@unstable(feature = ..)`, `@deprecated(version = ..)`. */
export interface GateAst {
  readonly since?: string;
  readonly unstable?: string;
  readonly deprecated?: string;
  readonly at: number;
}

/** Docs and gate shared by every item. */
export interface ItemHead {
  readonly docs?: string;
  readonly gate?: GateAst;
  readonly externalId?: string;
}

/** `name` (an interface of the current package or file scope) or `ns:pkg/name@v`. */
export type UsePathAst =
  | { readonly kind: "local"; readonly name: Ident }
  | { readonly kind: "package"; readonly package: PackageNameAst; readonly name: Ident };

/** A type as written. */
export type TypeAst =
  | { readonly kind: "prim"; readonly name: string; readonly at: number }
  | { readonly kind: "name"; readonly name: Ident }
  | { readonly kind: "list"; readonly element: TypeAst; readonly length?: number; readonly at: number }
  | { readonly kind: "option"; readonly type: TypeAst; readonly at: number }
  | { readonly kind: "result"; readonly ok?: TypeAst; readonly err?: TypeAst; readonly at: number }
  | { readonly kind: "tuple"; readonly types: readonly TypeAst[]; readonly at: number }
  | { readonly kind: "map"; readonly key: TypeAst; readonly value: TypeAst; readonly at: number }
  | { readonly kind: "borrow" | "own"; readonly resource: Ident; readonly at: number }
  | { readonly kind: "future" | "stream"; readonly element?: TypeAst; readonly at: number };

/** A named, typed parameter or field. */
export interface NamedTypeAst extends ItemHead {
  readonly name: Ident;
  readonly type: TypeAst;
}

/** `func(params) -> result`, optionally `async`. */
export interface FuncTypeAst {
  readonly async: boolean;
  readonly params: readonly NamedTypeAst[];
  readonly result?: TypeAst;
}

/** A function item (in an interface, a world or a resource). */
export interface FuncAst extends ItemHead {
  readonly kind: "func";
  readonly name: Ident;
  readonly type: FuncTypeAst;
}

/** A resource's member: method, static function or constructor. */
export interface ResourceFuncAst extends ItemHead {
  readonly kind: "method" | "static" | "constructor";
  /** The method's name (`constructor` for constructors). */
  readonly name: Ident;
  readonly type: FuncTypeAst;
}

/** A type definition item. */
export type TypeDefAst = ItemHead & { readonly name: Ident } & (
  | { readonly kind: "record"; readonly fields: readonly NamedTypeAst[] }
  | { readonly kind: "variant"; readonly cases: readonly (ItemHead & { readonly name: Ident; readonly type?: TypeAst })[] }
  | { readonly kind: "enum"; readonly cases: readonly (ItemHead & { readonly name: Ident })[] }
  | { readonly kind: "flags"; readonly flags: readonly (ItemHead & { readonly name: Ident })[] }
  | { readonly kind: "resource"; readonly funcs: readonly ResourceFuncAst[] }
  | { readonly kind: "alias"; readonly type: TypeAst }
);

/** `use path.{a, b as c};` inside an interface or world. */
export interface UseAst extends ItemHead {
  readonly kind: "use";
  readonly path: UsePathAst;
  readonly names: readonly { readonly name: Ident; readonly as?: Ident }[];
  readonly at: number;
}

/** An item of an interface body. */
export type InterfaceItemAst = UseAst | FuncAst | TypeDefAst;

/** `interface name { ... }` (name absent for `import x: interface { ... }`). */
export interface InterfaceAst extends ItemHead {
  readonly kind: "interface";
  readonly name: Ident;
  readonly items: readonly InterfaceItemAst[];
}

/** What a world imports or exports. */
export type ExternAst =
  | { readonly kind: "path"; readonly path: UsePathAst }
  | { readonly kind: "func"; readonly name: Ident; readonly type: FuncTypeAst }
  | { readonly kind: "interface"; readonly name: Ident; readonly items: readonly InterfaceItemAst[] }
  | { readonly kind: "named-path"; readonly name: Ident; readonly path: UsePathAst };

/** `import ...;` or `export ...;` in a world. */
export interface ImportExportAst extends ItemHead {
  readonly kind: "import" | "export";
  readonly extern: ExternAst;
  readonly at: number;
}

/** `include path with { a as b };` */
export interface IncludeAst extends ItemHead {
  readonly kind: "include";
  readonly path: UsePathAst;
  readonly with: readonly { readonly from: Ident; readonly to: Ident }[];
  readonly at: number;
}

/** An item of a world body. */
export type WorldItemAst = ImportExportAst | IncludeAst | UseAst | TypeDefAst;

/** `world name { ... }` */
export interface WorldAst extends ItemHead {
  readonly kind: "world";
  readonly name: Ident;
  readonly items: readonly WorldItemAst[];
}

/** A file-level `use path [as name];` */
export interface TopUseAst {
  readonly kind: "top-use";
  readonly path: UsePathAst;
  readonly as?: Ident;
  readonly at: number;
}

/** A package's contents within one file (the file's own, or a nested `package x { }` block). */
export interface PackageBodyAst {
  readonly package?: PackageNameAst;
  readonly docs?: string;
  readonly items: readonly (TopUseAst | InterfaceAst | WorldAst)[];
}

/** One parsed file. */
export interface FileAst {
  readonly file: string | undefined;
  readonly source: string;
  /** The file's own package declaration and items. */
  readonly root: PackageBodyAst;
  /** `package a:b { ... }` blocks. */
  readonly nested: readonly PackageBodyAst[];
}
