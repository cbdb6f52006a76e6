/**
 * The nested component through which a component exports an interface it implements (the layout of
 * `wit-component`): it imports the interface's types and lifted functions under made-up names, then
 * exports them under their WIT names with the functions' types written in terms of the exported
 * types. Instantiating it gives an instance whose every type, resources included, has a name of its
 * own, which the component model requires of what an exported function mentions.
 *
 * @module
 */
import type { ComponentInfo, ComponentSection, Decl, ExportDef } from "../binary/ast.js";
import { Scope, TypeEncoder, externName } from "../wit/encode.js";
import type { WitFunction, WitInterface, WitTypeDef } from "../wit/model.js";

/** The shim for one exported interface and what to instantiate it with. */
export interface InterfaceShim {
  /** The nested component. */
  readonly component: ComponentInfo;
  /** Its type imports: the name and the definition whose type the argument must be. */
  readonly types: readonly { readonly name: string; readonly def: WitTypeDef }[];
  /** Its function imports: the name and the function to pass (lifted). */
  readonly funcs: readonly { readonly name: string; readonly func: WitFunction }[];
}

/** A kebab-case import name for a function (`[method]r.m` -> `import-func-method-r-m`). */
function funcImportName(f: WitFunction): string {
  const m = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/.exec(f.name);
  return `import-func-${m ? [m[1], m[2], m[3]].filter(Boolean).join("-") : f.name}`;
}

/** Builds the shim of an exported interface. */
export function interfaceShim(iface: WitInterface): InterfaceShim {
  const used = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let i = 0; used.has(name); i++) name = `${base}${i}`;
    used.add(name);
    return name;
  };
  const typeNames = new Map<WitTypeDef, string>();
  const types: { name: string; def: WitTypeDef }[] = [];
  const scope = new Scope(undefined, undefined, (def) => {
    let name = typeNames.get(def);
    if (name === undefined) {
      name = unique(`import-type-${def.name}`);
      typeNames.set(def, name);
      types.push({ name, def });
    }
    return name;
  });
  const enc = new TypeEncoder(scope);
  const sections: ComponentSection[] = [];
  let flushed = 0;
  const flush = (): void => {
    for (; flushed < scope.decls.length; flushed++) {
      const d: Decl = scope.decls[flushed]!;
      if (d.kind === "type") push("type", d.type);
      else if (d.kind === "alias") push("alias", d.alias);
      else if (d.kind === "import") push("import", { name: d.decl.name, desc: d.decl.desc, offset: 0 });
    }
  };
  function push<K extends "type" | "alias" | "import" | "export">(id: K, item: Extract<ComponentSection, { id: K }>["items"][number]): void {
    const last = sections[sections.length - 1];
    if (last && last.id === id) (last as unknown as { items: unknown[] }).items.push(item);
    else sections.push({ id, offset: 0, items: [item] } as unknown as ComponentSection);
  }

  // Imports: the types (each with what it needs), then the functions.
  for (const def of iface.types.values()) enc.defIndex(scope, def);
  const funcs: { name: string; func: WitFunction }[] = [];
  for (const f of iface.functions.values()) {
    const type = enc.funcType(scope, f);
    const name = unique(funcImportName(f));
    scope.decls.push({ kind: "import", decl: { name: externName(name), desc: { kind: "func", type }, offset: 0 } });
    funcs.push({ name, func: f });
  }
  flush();
  // Exports: the types under their own names (each a new type index), then the functions typed with them.
  for (const def of iface.types.values()) {
    push("export", { name: externName(def.name), sort: "type", index: scope.defs.get(def)!, offset: 0 } satisfies ExportDef);
    scope.defs.set(def, scope.typeCount++);
  }
  funcs.forEach(({ func }, index) => {
    const type = enc.funcType(scope, func);
    flush();
    push("export", { name: externName(func.name), sort: "func", index, desc: { kind: "func", type }, offset: 0 } satisfies ExportDef);
  });
  const component = { sections, bytes: new Uint8Array(0), offset: 0, end: 0, names: { sorts: new Map() } } as ComponentInfo;
  return { component, types, funcs };
}
