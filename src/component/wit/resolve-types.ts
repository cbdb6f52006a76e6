/**
 * Resolving what one scope of a WIT file defines: type definitions, types and functions, with their
 * names looked up in the scope (`resolve.ts` builds the scopes: packages, interfaces, worlds).
 *
 * @module
 */
import { WitError } from "../../errors.js";
import type { FileAst, FuncTypeAst, GateAst, Ident, ItemHead, TypeAst, TypeDefAst } from "./ast.js";
import { type WitField, type WitFunction, type WitStability, type WitType, WitTypeDef } from "./model.js";

/** A `WitError` at offset `at` of `file`. */
export function witErrorAt(reason: string, file: FileAst, at: number): WitError {
  return new WitError(reason, file.source, at, file.file);
}

/** The stability an item's gate gives it, if any. */
export function stabilityOf(gate: GateAst | undefined): WitStability | undefined {
  if (!gate) return undefined;
  const dep = gate.deprecated !== undefined ? { deprecated: gate.deprecated } : {};
  if (gate.since !== undefined) return { kind: "stable", since: gate.since, ...dep };
  if (gate.unstable !== undefined) return { kind: "unstable", feature: gate.unstable, ...dep };
  return undefined;
}

/** `target` with the docs and stability of its item `head`. */
export function withHeadInfo<T extends { docs?: string; stability?: WitStability }>(target: T, head: ItemHead): T {
  if (head.docs !== undefined) target.docs = head.docs;
  const s = stabilityOf(head.gate);
  if (s) target.stability = s;
  return target;
}

/** Fills in `def` from its definition `ast`, its names looked up with `lookup`. */
export function typeDefBody(def: WitTypeDef, ast: TypeDefAst, lookup: (n: Ident) => WitTypeDef, file: FileAst): void {
  const unique = (list: readonly { name: Ident }[], what: string): void => {
    const seen = new Set<string>();
    for (const { name } of list) {
      const k = name.name.toLowerCase();
      if (seen.has(k)) throw witErrorAt(`${what} \`${name.name}\` is defined more than once`, file, name.at);
      seen.add(k);
    }
  };
  const docs = <T extends object>(o: T, h: ItemHead): T => (h.docs !== undefined ? { ...o, docs: h.docs } : o);
  switch (ast.kind) {
    case "record":
      unique(ast.fields, "field");
      def.kind = { kind: "record", fields: ast.fields.map((f) => docs({ name: f.name.name, type: resolveType(f.type, lookup, file, 0) }, f)) };
      break;
    case "variant":
      unique(ast.cases, "case");
      def.kind = {
        kind: "variant",
        cases: ast.cases.map((c) => docs(c.type ? { name: c.name.name, type: resolveType(c.type, lookup, file, 0) } : { name: c.name.name }, c)),
      };
      break;
    case "enum":
      unique(ast.cases, "case");
      def.kind = { kind: "enum", cases: ast.cases.map((c) => docs({ name: c.name.name }, c)) };
      break;
    case "flags":
      unique(ast.flags, "flag");
      if (ast.flags.length > 32) throw witErrorAt("a flags type has at most 32 flags", file, ast.flags[32]!.name.at);
      def.kind = { kind: "flags", flags: ast.flags.map((c) => docs({ name: c.name.name }, c)) };
      break;
    case "resource":
      def.kind = { kind: "resource" };
      break;
    case "alias":
      def.kind = { kind: "alias", type: resolveType(ast.type, lookup, file, 0) };
      break;
  }
}

/** The type `t` refers to, its names looked up with `lookup`. */
export function resolveType(t: TypeAst, lookup: (n: Ident) => WitTypeDef, file: FileAst, depth: number): WitType {
  const sub = (x: TypeAst): WitType => resolveType(x, lookup, file, depth + 1);
  switch (t.kind) {
    case "prim":
      return { kind: t.name as "u8" };
    case "name":
      return { kind: "named", def: lookup(t.name) };
    case "own":
    case "borrow": {
      const def = lookup(t.resource);
      if (!isResource(def)) throw witErrorAt(`\`${t.resource.name}\` is not a resource type`, file, t.resource.at);
      return t.kind === "own" ? { kind: "named", def } : { kind: "borrow", def };
    }
    case "list":
      return t.length !== undefined ? { kind: "list", element: sub(t.element), length: t.length } : { kind: "list", element: sub(t.element) };
    case "option":
      return { kind: "option", type: sub(t.type) };
    case "result":
      return { kind: "result", ...(t.ok ? { ok: sub(t.ok) } : {}), ...(t.err ? { err: sub(t.err) } : {}) };
    case "tuple":
      return { kind: "tuple", types: t.types.map(sub) };
    case "map":
      return { kind: "map", key: sub(t.key), value: sub(t.value) };
    case "future":
    case "stream":
      return t.element ? { kind: t.kind, element: sub(t.element) } : { kind: t.kind };
  }
}

/** A function from its type `ft`: a method takes `self` first, a constructor returns its resource. */
export function resolveFunc(
  name: string, kind: WitFunction["kind"], resource: WitTypeDef | undefined, ft: FuncTypeAst,
  lookup: (n: Ident) => WitTypeDef, file: FileAst, head: ItemHead,
): WitFunction {
  const params: WitField[] = [];
  const seen = new Set<string>();
  if (kind === "method") {
    params.push({ name: "self", type: { kind: "borrow", def: resource! } });
    seen.add("self");
  }
  for (const p of ft.params) {
    const k = p.name.name.toLowerCase();
    if (seen.has(k)) throw witErrorAt(`parameter \`${p.name.name}\` is defined more than once`, file, p.name.at);
    seen.add(k);
    params.push({ name: p.name.name, type: resolveType(p.type, lookup, file, 0) });
  }
  let result: WitType | undefined = ft.result ? resolveType(ft.result, lookup, file, 0) : undefined;
  if (kind === "constructor") {
    const own: WitType = { kind: "named", def: resource! };
    if (result === undefined) result = own;
    else if (!(result.kind === "result" && result.ok?.kind === "named" && result.ok.def === resource)) {
      throw witErrorAt(`a constructor returns nothing or \`result<${resource!.name}, E>\``, file, ft.result && "at" in ft.result ? ft.result.at : 0);
    }
  }
  const f: WitFunction = { name, kind, params, async: ft.async, ...(result ? { result } : {}), ...(resource ? { resource } : {}) };
  if (head.externalId !== undefined) f.externalId = head.externalId;
  return withHeadInfo(f, head);
}

/** The functions of resource `def` that the gates let in (`enabled`). */
export function resourceFuncs(
def: WitTypeDef, ast: TypeDefAst & { kind: "resource" }, lookup: (n: Ident) => WitTypeDef, file: FileAst,
enabled: (gate: GateAst | undefined) => boolean,
): WitFunction[] {
  const out: WitFunction[] = [];
  const names = new Set<string>();
  let ctor = false;
  for (const m of ast.funcs) {
    if (!enabled(m.gate)) continue;
    if (m.kind === "constructor") {
      if (ctor) throw witErrorAt(`resource \`${def.name}\` has more than one constructor`, file, m.name.at);
      ctor = true;
      out.push(resolveFunc(`[constructor]${def.name}`, "constructor", def, m.type, lookup, file, m));
    } else {
      const prefix = m.kind === "method" ? "[method]" : "[static]";
      if (names.has(m.name.name)) throw witErrorAt(`\`${m.name.name}\` is defined more than once in resource \`${def.name}\``, file, m.name.at);
      names.add(m.name.name);
      out.push(resolveFunc(`${prefix}${def.name}.${m.name.name}`, m.kind, def, m.type, lookup, file, m));
    }
  }
  return out;
}

/** Whether `def` is (an alias of) a resource type. */
function isResource(def: WitTypeDef): boolean {
  const r = def.resolved();
  return r instanceof WitTypeDef && r.kind.kind === "resource";
}
