/**
 * Component types in WIT notation for messages (`func(name: string) -> result<u32, string>`), and the
 * structural comparison that linking a component's import to another component's export needs.
 *
 * Resource types compare by name here: the importer's abstract resource types stand for whatever the
 * provider defines, and instantiation substitutes the provider's.
 *
 * @module
 */
import type { ComponentFuncType, ValueType } from "../types.js";

/** `t` in WIT notation. */
export function witText(t: ValueType): string {
  switch (t.kind) {
    case "list":
      return t.length === undefined ? `list<${witText(t.element)}>` : `list<${witText(t.element)}, ${t.length}>`;
    case "record":
      return `record { ${t.fields.map((f) => `${f.name}: ${witText(f.type)}`).join(", ")} }`;
    case "tuple":
      return `tuple<${t.types.map(witText).join(", ")}>`;
    case "variant":
      return `variant { ${t.cases.map((c) => (c.type ? `${c.name}(${witText(c.type)})` : c.name)).join(", ")} }`;
    case "enum":
      return `enum { ${t.names.join(", ")} }`;
    case "flags":
      return `flags { ${t.names.join(", ")} }`;
    case "option":
      return `option<${witText(t.type)}>`;
    case "result":
      return t.ok === undefined && t.err === undefined
        ? "result"
        : `result<${t.ok ? witText(t.ok) : "_"}${t.err ? `, ${witText(t.err)}` : ""}>`;
    case "own":
      return t.resource.name;
    case "borrow":
      return `borrow<${t.resource.name}>`;
    case "stream":
    case "future":
      return t.element ? `${t.kind}<${witText(t.element)}>` : t.kind;
    case "map":
      return `map<${witText(t.key)}, ${witText(t.value)}>`;
    default:
      return t.kind;
  }
}

/** A function type in WIT notation. */
export function funcText(f: ComponentFuncType): string {
  const params = f.params.map((p) => `${p.name}: ${witText(p.type)}`).join(", ");
  return `${f.async ? "async " : ""}func(${params})${f.result ? ` -> ${witText(f.result)}` : ""}`;
}

/** Whether two function types are the same (labels, parameter and result types). */
export function sameFuncType(a: ComponentFuncType, b: ComponentFuncType): boolean {
  if (a.params.length !== b.params.length || !!a.async !== !!b.async) return false;
  for (let i = 0; i < a.params.length; i++) {
    if (a.params[i]!.name !== b.params[i]!.name || !sameType(a.params[i]!.type, b.params[i]!.type)) return false;
  }
  return a.result === undefined ? b.result === undefined : b.result !== undefined && sameType(a.result, b.result);
}

function same(a: ValueType | undefined, b: ValueType | undefined): boolean {
  return a === undefined ? b === undefined : b !== undefined && sameType(a, b);
}

/** Structural equality of value types (resources by name). */
export function sameType(a: ValueType, b: ValueType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "list": {
      const o = b as typeof a;
      return a.length === o.length && sameType(a.element, o.element);
    }
    case "record": {
      const o = b as typeof a;
      return a.fields.length === o.fields.length && a.fields.every((f, i) => f.name === o.fields[i]!.name && sameType(f.type, o.fields[i]!.type));
    }
    case "tuple": {
      const o = b as typeof a;
      return a.types.length === o.types.length && a.types.every((t, i) => sameType(t, o.types[i]!));
    }
    case "variant": {
      const o = b as typeof a;
      return a.cases.length === o.cases.length && a.cases.every((c, i) => c.name === o.cases[i]!.name && same(c.type, o.cases[i]!.type));
    }
    case "enum":
    case "flags": {
      const o = b as typeof a;
      return a.names.length === o.names.length && a.names.every((n, i) => n === o.names[i]);
    }
    case "option":
      return sameType(a.type, (b as typeof a).type);
    case "result": {
      const o = b as typeof a;
      return same(a.ok, o.ok) && same(a.err, o.err);
    }
    case "own":
    case "borrow":
      return a.resource.name === (b as typeof a).resource.name;
    case "stream":
    case "future":
      return same(a.element, (b as typeof a).element);
    case "map": {
      const o = b as typeof a;
      return sameType(a.key, o.key) && sameType(a.value, o.value);
    }
    default:
      return true;
  }
}
