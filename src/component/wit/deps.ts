/**
 * Dependencies between resolved WIT definitions: what a type mentions, the order that puts every item
 * after what it depends on (as `wit-parser` orders them), type cycles, the interfaces a set of types
 * needs, and the completion of a world's imports with those interfaces (`WIT.md`, "Transitive imports
 * and worlds").
 *
 * @module
 */
import { WitInterface, type WitType, type WitTypeDef, type WitWorld, type WitWorldItem } from "./model.js";

/** The named definitions a type mentions directly (not through handles: resources have no contents). */
function mentions(t: WitType, out: WitTypeDef[]): void {
  switch (t.kind) {
    case "named": out.push(t.def); break;
    case "list": mentions(t.element, out); break;
    case "option": mentions(t.type, out); break;
    case "result": if (t.ok) mentions(t.ok, out); if (t.err) mentions(t.err, out); break;
    case "tuple": for (const x of t.types) mentions(x, out); break;
    case "map": mentions(t.key, out); mentions(t.value, out); break;
    case "future": case "stream": if (t.element) mentions(t.element, out); break;
    default: break;
  }
}

export function defMentions(def: WitTypeDef, handles = false): WitTypeDef[] {
  const out: WitTypeDef[] = [];
  if (handles) {
    const all = (t: WitType): void => {
      if (t.kind === "borrow") out.push(t.def);
      else mentions(t, out);
      for (const sub of children(t)) if (sub.kind === "borrow") out.push(sub.def);
    };
    const k = def.kind;
    if (k.kind === "record") for (const f of k.fields) all(f.type);
    else if (k.kind === "variant") for (const c of k.cases) { if (c.type) all(c.type); }
    else if (k.kind === "alias") all(k.type);
    return out;
  }
  const k = def.kind;
  if (k.kind === "record") for (const f of k.fields) mentions(f.type, out);
  else if (k.kind === "variant") for (const c of k.cases) { if (c.type) mentions(c.type, out); }
  else if (k.kind === "alias") mentions(k.type, out);
  return out;
}

/** Every type nested in `t`, at any depth. */
function children(t: WitType): WitType[] {
  const out: WitType[] = [];
  const walk = (x: WitType): void => {
    const subs: WitType[] =
      x.kind === "list" ? [x.element] : x.kind === "option" ? [x.type] : x.kind === "result" ? [x.ok, x.err].filter((y): y is WitType => !!y)
        : x.kind === "tuple" ? [...x.types] : x.kind === "map" ? [x.key, x.value] : (x.kind === "future" || x.kind === "stream") && x.element ? [x.element] : [];
    for (const s of subs) {
      out.push(s);
      walk(s);
    }
  };
  walk(t);
  return out;
}

/**
 * Orders items so that each comes after what it depends on, otherwise in their given order: the ready
 * item that comes first in `items` is placed next (Kahn's algorithm with a priority queue, the order
 * `wit-parser` produces). Dependencies outside `items` are ignored; cycles were rejected before.
 */
export function dependencyOrder<T>(items: readonly T[], deps: (item: T) => readonly T[]): T[] {
  const position = new Map<T, number>();
  items.forEach((item, i) => position.set(item, i));
  const pending = new Int32Array(items.length);
  const dependents: number[][] = items.map(() => []);
  items.forEach((item, i) => {
    const ds = new Set<number>();
    for (const d of deps(item)) {
      const p = position.get(d);
      if (p !== undefined && p !== i) ds.add(p);
    }
    pending[i] = ds.size;
    for (const p of ds) dependents[p]!.push(i);
  });
  const heap = new MinHeap();
  items.forEach((_, i) => { if (pending[i] === 0) heap.push(i); });
  const out: T[] = [];
  while (heap.size) {
    const i = heap.pop();
    out.push(items[i]!);
    for (const j of dependents[i]!) if (--pending[j]! === 0) heap.push(j);
  }
  if (out.length < items.length) for (const item of items) if (!out.includes(item)) out.push(item);
  return out;
}

/** A binary min-heap of integers. */
class MinHeap {
  private readonly a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }

  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Rejects a type definition that contains itself (directly or through other definitions of the scope). */
export function checkTypeCycles(defs: readonly WitTypeDef[], error: (def: WitTypeDef, at: number) => Error, at: ReadonlyMap<WitTypeDef, number>): void {
  const state = new Map<WitTypeDef, 1 | 2>();
  for (const root of defs) {
    if (state.has(root)) continue;
    const stack: { def: WitTypeDef; next: WitTypeDef[]; i: number }[] = [{ def: root, next: defMentions(root), i: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i >= top.next.length) {
        state.set(top.def, 2);
        stack.pop();
        continue;
      }
      const n = top.next[top.i++]!;
      const s = state.get(n);
      if (s === 1) throw error(n, at.get(n) ?? at.get(root) ?? 0);
      if (s === undefined) {
        state.set(n, 1);
        stack.push({ def: n, next: defMentions(n), i: 0 });
      }
    }
  }
}

/** The interfaces whose types `iface` (or a world type) uses, in first-use order. */
export function interfaceDependencies(types: Iterable<WitTypeDef>, self?: WitInterface): WitInterface[] {
  const out: WitInterface[] = [];
  for (const def of types) {
    if (def.kind.kind !== "alias" || def.kind.type.kind !== "named") continue;
    const owner = def.kind.type.def.owner;
    if (owner instanceof WitInterface && owner !== self && !out.includes(owner)) out.push(owner);
  }
  return out;
}

/**
 * Completes a world's imports with the interfaces its items need (dependencies first) and writes the
 * final imports and exports into `world`.
 */
export function elaborate(
  world: WitWorld, imports: ReadonlyMap<string, WitWorldItem>, exports: ReadonlyMap<string, WitWorldItem>,
  conflict: (key: string) => Error,
): void {
  const exportedIfaces = new Set<WitInterface>();
  for (const item of exports.values()) if (item.kind === "interface" && item.plainName === undefined) exportedIfaces.add(item.interface);
  const addImportIface = (iface: WitInterface, visiting: Set<WitInterface>): void => {
    const key = iface.qualifiedName;
    if (key !== undefined && world.imports.has(key)) return;
    if (visiting.has(iface)) return;
    visiting.add(iface);
    for (const dep of interfaceDependencies(iface.types.values(), iface)) {
      if (exportedIfaces.has(dep) && !world.imports.has(dep.qualifiedName!)) throw conflict(dep.qualifiedName!);
      addImportIface(dep, visiting);
    }
    if (key !== undefined) world.imports.set(key, { kind: "interface", interface: iface });
  };
  // Imports as `wit-parser` orders them: interfaces (each after its dependencies, those of the exports
  // included), then types, then functions. (So a printed world resolves to the same order again.)
  for (const [key, item] of imports) {
    if (item.kind !== "interface") continue;
    for (const dep of interfaceDependencies(item.interface.types.values(), item.interface)) addImportIface(dep, new Set());
    world.imports.set(key, item);
  }
  // Exports: functions first, then interfaces, each after the exported interfaces it uses; what they
  // use that is not exported becomes an import.
  const ordered: [string, WitWorldItem][] = [];
  const placed = new Set<WitInterface>();
  const placeExport = (iface: WitInterface, visiting: Set<WitInterface>): void => {
    if (placed.has(iface) || visiting.has(iface)) return;
    visiting.add(iface);
    for (const dep of interfaceDependencies(iface.types.values(), iface)) {
      if (exportedIfaces.has(dep)) placeExport(dep, visiting);
      else addImportIface(dep, new Set());
    }
    placed.add(iface);
    const key = iface.qualifiedName!;
    ordered.push([key, exports.get(key)!]);
  };
  for (const [key, item] of exports) if (item.kind === "function") ordered.push([key, item]);
  for (const [key, item] of exports) {
    if (item.kind !== "interface") continue;
    if (item.plainName === undefined && item.interface.qualifiedName !== undefined) {
      placeExport(item.interface, new Set());
    } else {
      for (const dep of interfaceDependencies(item.interface.types.values(), item.interface)) {
        if (exportedIfaces.has(dep)) placeExport(dep, new Set());
        else addImportIface(dep, new Set());
      }
      ordered.push([key, item]);
    }
  }
  for (const item of imports.values()) {
    if (item.kind === "type") for (const dep of interfaceDependencies([item.def])) addImportIface(dep, new Set());
  }
  for (const [key, item] of imports) if (item.kind === "type") world.imports.set(key, item);
  for (const [key, item] of imports) if (item.kind === "function") world.imports.set(key, item);
  for (const [k, v] of ordered) world.exports.set(k, v);
}
