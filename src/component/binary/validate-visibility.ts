/**
 * Validation of import and export types beyond their structure: the `[constructor]`, `[method]`
 * and `[static]` naming rules, and external visibility (every resource and every record, variant,
 * enum and flags type an import or export uses must have a name where it is used).
 *
 * @module
 */
import type { ComponentExternType, ValueType } from "../types.js";
import { ResourceType } from "../types.js";
import type { ParsedName } from "./names.js";
import { childTypes, definitionExtern, isTypeDefinition } from "./type-ops.js";
import type { Scope } from "./validate.js";

/** The `[constructor]`, `[method]` and `[static]` rules. */
export function checkAnnotated(
v: Scope,
  parsed: ParsedName,
  t: ComponentExternType,
  which: "import" | "export",
  names?: ReadonlyMap<string, ResourceType>,
): void {
  if (parsed.kind === "label" || parsed.kind === "interface" || parsed.kind === "other") return;
  if (t.kind !== "func") v.fail(`${which} name \`${describeParsed(parsed)}\` is not a func`);
  const ft = t.type;
  const resourceName = parsed.kind === "async" ? undefined : parsed.resource;
  if (resourceName === undefined) return;
  const resource = names !== undefined ? names.get(resourceName) : v.resourceNames[which].get(resourceName) ??
    (v.kind === "component" ? undefined : v.resourceNames[which === "import" ? "export" : "import"].get(resourceName));
  if (parsed.kind === "constructor") {
    if (resource === undefined) v.fail(`function does not match expected resource name \`${resourceName}\``);
    const r = ft.result;
    if (r === undefined) v.fail("function should return one value");
    const isOwn = (x: ValueType | undefined) => x !== undefined && x.kind === "own" && x.resource === resource;
    if (!(isOwn(r) || (r.kind === "result" && isOwn(r.ok)))) v.fail("function should return `(own $T)` or `(result (own $T))`");
    return;
  }
  if (resource === undefined) v.fail(`static resource name is not known in this context: \`${resourceName}\``);
  if (parsed.kind === "method" || parsed.kind === "async method") {
    const first = ft.params[0];
    if (first === undefined) v.fail("function should have at least one argument");
    if (first.name !== "self") v.fail("function should have a first argument called `self`");
    if (!(first.type.kind === "borrow" && first.type.resource === resource)) v.fail("function should take a first argument of `(borrow $T)`");
  }
}

/**
 * External visibility: every resource and every record, variant, enum and flags type used in the
 * type of an import or export must have an external name (imports may use only imported names).
 */
export function checkVisible(v: Scope, t: ComponentExternType, which: "import" | "export", label: "import" | "export"): void {
  const seen = new WeakSet<object>();
  const bad = (what: string): never => v.fail(`${what} not valid to be used as ${label}`);
  // Names count in the scope that gave them; inside an instance type (deferred checks), the names
  // its own declarations gave count too.
  const ok = (node: object, strict: boolean): boolean => {
    const n = v.named.get(node);
    if (n === undefined) return false;
    if (n.scope === v) return !(strict && which === "import" && n.origin === "export");
    return !strict && n.scope.kind !== "component";
  };
  const visit = (node: ValueType, what: string, strict: boolean): void => {
    if (seen.has(node)) return;
    seen.add(node);
    switch (node.kind) {
      case "record": case "variant": case "enum": case "flags": case "own": case "borrow":
        if (!ok(node, strict)) bad(what);
        break;
    }
    for (const c of childTypes(node)) visit(c, what, strict);
  };
  const externType = (e: ComponentExternType, what: string, strict: boolean): void => {
    switch (e.kind) {
      case "func":
        for (const p of e.type.params) visit(p.type, what, strict);
        if (e.type.result) visit(e.type.result, what, strict);
        return;
      case "type":
        // The type itself is what gets the name: only its contents must be named already.
        if (isTypeDefinition(e.type)) {
          externType(definitionExtern(e.type), what, strict);
        } else if (!(e.type instanceof ResourceType)) {
          const node = e.type;
          if ((node.kind === "own" || node.kind === "borrow") && !ok(node, strict)) bad(what);
          seen.add(node);
          for (const c of childTypes(node)) visit(c, what, strict);
        }
        return;
      case "value":
        visit(e.type, what, strict);
        return;
      case "instance":
        // Instance types defer these checks to where they are used (here).
        if (seen.has(e.type)) return;
        seen.add(e.type);
        for (const x of e.type.exports.values()) externType(x, what, false);
        return;
    }
  };
  externType(t, t.kind, true);
}


function describeParsed(p: ParsedName): string {
  switch (p.kind) {
    case "constructor": return `[constructor]${p.resource}`;
    case "method": case "static": case "async method": case "async static": return `[${p.kind}]${p.resource}.${p.name}`;
    case "async": return `[async]${p.label}`;
    case "label": return p.label;
    default: return p.name;
  }
}
