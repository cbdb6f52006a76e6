/**
 * Component validation, imports and exports: names (kebab case, interface names, attributes,
 * strong uniqueness), import and export declarators of component and instance types, extern
 * descriptors, fresh resources of imported and exported instances and components, and exports with
 * their ascribed types. Functions of the validation `Scope` (`validate.ts`).
 *
 * @module
 */
import type {
  ComponentExternType,
  InstanceType,
  ValueType,
} from "../types.js";
import { ResourceType } from "../types.js";
import type {
  ExternDesc,
  ExternName,
  Sort,
} from "./ast.js";
import {
  coreModuleType,
} from "./core-sigs.js";
import { checkAnnotated, checkVisible } from "./validate-visibility.js";
import { parseExternName, type ParsedName } from "./names.js";
import {
  bindings,
  copyFacts,
  Matcher,
  Substitution,
  isTypeDefinition,
} from "./type-ops.js";

import type { NameOrigin, Scope, TypeEntry } from "./validate.js";

export function checkName(v: Scope, name: ExternName, what: "import" | "export"): ParsedName {
  const nested = v.options.features?.nestedNames === true;
  const parsed = parseExternName(name.name, nested);
  if (typeof parsed === "string") v.fail(parsed);
  if (what === "export" && parsed.kind === "other") v.fail(`\`${name.name}\` is not a valid export name`);
  const seen = new Set<string>();
  for (const a of name.attributes) {
    if (seen.has(a.kind)) v.fail(`duplicate \`${a.kind}\` attribute`);
    seen.add(a.kind);
    if (a.kind === "implements") {
      if (parsed.kind !== "label") v.fail(`name \`${name.name}\` is not valid with \`implements\``);
      const p = parseExternName(a.value, nested);
      if (typeof p === "string" || p.kind !== "interface") v.fail(`\`${a.value}\` must be an interface name`);
    }
    if (a.kind === "versionsuffix") {
      const at = name.name.lastIndexOf("@");
      if (parsed.kind !== "interface" || at < 0) v.fail("`versionsuffix` requires an interface name with a version");
      const version = name.name.slice(at + 1);
      if (!/^[0-9A-Za-z.+-]*$/.test(a.value)) v.fail(`invalid version suffix \`${a.value}\``);
      if (!isSemverString(version + a.value)) v.fail(`version \`${version}${a.value}\` is not a valid semver`);
    }
  }
  return parsed;
}

/** An import (of a component or component type) or an export declarator of a type. */
export function importOrExportDecl(v: Scope, which: "import" | "export", name: ExternName, desc: ExternDesc): void {
  const parsed = checkName(v, name, which);
  const names = which === "import" ? v.importNames : v.exportNames;
  const prev = names.add(name.name);
  if (prev !== undefined) v.fail(`${which} name \`${name.name}\` conflicts with previous name \`${prev}\``);
  if (name.attributes.some((a) => a.kind !== "external-id") && desc.kind !== "instance") {
    v.fail("only instances can have an `implements` or `versionsuffix` attribute");
  }
  let t = externDesc(v, desc, name.name, which);
  if (t.kind === "instance" || t.kind === "component") t = freshen(v, t, which);
  checkAnnotated(v, parsed, t, which);
  // Instance types check visibility where they are used; component types eagerly.
  if (v.kind !== "instance-type") checkVisible(v, t, which, which);
  (which === "import" ? v.imports : v.exports).set(name.name, addNamedItem(v, desc.kind === "module" ? "core module" : desc.kind, t, which, name.name));
}

/**
 * Gives an imported (or, in a type, exported) instance its own copies of the abstract resources its
 * type exports: two imports of the same instance type have distinct resources. The copies are
 * abstract resources of v scope.
 */
export function freshen(v: Scope, t: ComponentExternType & { kind: "instance" | "component" }, which: "import" | "export"): ComponentExternType {
  if (t.kind === "component") return t;
  const bound = boundResources(t.type);
  if (bound.length === 0) return t;
  const map = new Map<ResourceType, ResourceType>();
  const fresh: ResourceType[] = [];
  for (const r of bound) {
    const f = new ResourceType(r.name, r.defined);
    map.set(r, f);
    fresh.push(f);
  }
  (which === "import" ? v.importedResources : v.exportedResources).push(...fresh);
  const type = new Substitution(map, v.keepNames).instance(t.type);
  bindings.set(type, { imported: [], exported: fresh });
  return { kind: "instance", type };
}

/** Adds an imported/exported item to its index space; a type gets an external name. */
/**
 * Adds an imported/exported item to its index space. A value type gets a new node for its new name
 * (the unnamed original stays unnamed); the extern type returned holds that node, so that what the
 * import or export names can be told apart, and substituted on instantiation.
 */
export function addNamedItem(v: Scope, sort: Sort, t: ComponentExternType, origin: NameOrigin, name: string): ComponentExternType {
  if (t.kind === "type") {
    if (t.type instanceof ResourceType) {
      const entry: TypeEntry = { kind: "resource", type: t.type };
      v.spaces.types.push(entry);
      v.named.set(entry, { origin, scope: v });
      if (!name.includes(":")) v.resourceNames[origin].set(name, t.type);
      return t;
    }
    if (isTypeDefinition(t.type)) {
      v.spaces.types.push(t.type.definition as TypeEntry);
      return t;
    }
    const named = copyFacts(t.type, { ...t.type } as ValueType);
    v.copiedFrom.set(named, t.type);
    v.named.set(named, { origin, scope: v });
    v.spaces.types.push({ kind: "value", type: named });
    return { kind: "type", type: named };
  }
  v.addItem(sort, t, t.kind === "instance" ? origin : undefined);
  return t;
}

/** The extern type of an import or export declarator. */
export function externDesc(v: Scope, d: ExternDesc, name: string, which: "import" | "export"): ComponentExternType {
  const types = v.spaces.types;
  const typeAt = (i: number) => {
    const t = types[i];
    if (t === undefined) v.fail(`type index ${i} out of bounds`);
    return t;
  };
  switch (d.kind) {
    case "module": {
      const t = v.spaces.coreTypes[d.type];
      if (t === undefined) v.fail(`core type index ${d.type} out of bounds`);
      if (t.kind !== "module") v.fail(`core type index ${d.type} is not a module type`);
      return { kind: "module", type: coreModuleType(t.type) };
    }
    case "func": {
      const t = typeAt(d.type);
      if (t.kind !== "func") v.fail(`type index ${d.type} is not a function type`);
      return { kind: "func", type: t.type };
    }
    case "component": {
      const t = typeAt(d.type);
      if (t.kind !== "component") v.fail(`type index ${d.type} is not a component type`);
      return { kind: "component", type: t.type };
    }
    case "instance": {
      const t = typeAt(d.type);
      if (t.kind !== "instance") v.fail(`type index ${d.type} is not an instance type`);
      return { kind: "instance", type: t.type };
    }
    case "value":
      return {
        kind: "value",
        type: d.bound.kind === "eq" ? v.get(v.spaces.values, d.bound.value, "value") : v.valType(d.bound.type),
      };
    case "type": {
      if (d.bound.kind === "sub-resource") {
        const r = new ResourceType(name, false);
        if (which === "import") v.importedResources.push(r);
        else v.exportedResources.push(r);
        return { kind: "type", type: r };
      }
      const t = typeAt(d.bound.type);
      if (t.kind === "value" || t.kind === "resource") return { kind: "type", type: t.type };
      return { kind: "type", type: { kind: "type-definition", definition: t } };
    }
  }
}

export function exportItem(v: Scope, name: ExternName, sort: Sort, index: number, ascribed: ExternDesc | undefined): void {
  const parsed = checkName(v, name, "export");
  const prev = v.exportNames.add(name.name);
  if (prev !== undefined) v.fail(`export name \`${name.name}\` conflicts with previous name \`${prev}\``);
  if (name.attributes.some((a) => a.kind !== "external-id") && sort !== "instance") {
    v.fail("only instances can have an `implements` or `versionsuffix` attribute");
  }
  if (sort !== "func" && sort !== "value" && sort !== "type" && sort !== "component" && sort !== "instance" && sort !== "core module") {
    v.fail(`${sort} not valid to be used as export`);
  }
  let t = v.itemType(sort, index);
  if (sort === "value") v.consumeValue(index);
  if (ascribed !== undefined) {
    const a = externDesc(v, ascribed, name.name, "export");
    const why = new Matcher().extern(t, a);
    if (why) v.fail(`type mismatch in export \`${name.name}\`: ${why}`);
    t = a;
  }
  checkAnnotated(v, parsed, t, "export");
  checkVisible(v, t, "export", "export");
  v.exports.set(name.name, addNamedItem(v, sort, t, "export", name.name));
  if (sort === "value") v.valueUsed[v.spaces.values.length - 1] = true;
}

/** The abstract resources an instance type binds (in its exports and its exported instances'). */
function boundResources(t: InstanceType): ResourceType[] {
  const out = [...(bindings.get(t)?.exported ?? [])];
  for (const e of t.exports.values()) {
    if (e.kind === "instance") for (const r of boundResources(e.type)) if (!out.includes(r)) out.push(r);
  }
  return out;
}

function isSemverString(v: string): boolean {
  return /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v);
}
