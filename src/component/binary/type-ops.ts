/**
 * Operations on resolved component types (`../types.ts`) that validation needs: per-node facts
 * computed once when a node is made (size, depth, whether it holds a `borrow` or resources, its
 * Canonical ABI element size), equality and subtyping (with the resource substitution that
 * instantiation performs), and substitution of resources in instance and component types.
 *
 * Value type trees are DAGs that may be deep; every walk here is memoized and depth-capped, so a
 * hostile binary costs linear time and bounded stack.
 *
 * @module
 */
import type {
  PrimitiveKind,
  ComponentExternType,
  ComponentFuncType,
  ComponentType,
  InstanceType,
  TypeDefinitionRef,
  ValueType,
} from "../types.js";
import { ResourceType } from "../types.js";
import { moduleMismatch, moduleSigOf } from "./core-sigs.js";

/** Facts about one value type node, computed from its children's. */
export interface TypeFacts {
  /** Nodes in the fully expanded tree (the "effective type size"). */
  readonly size: number;
  readonly depth: number;
  readonly borrow: boolean;
  /** Resource types referenced anywhere inside (deduplicated). */
  readonly resources: readonly ResourceType[];
  /** Canonical ABI size and alignment in linear memory (64-bit pointers), capped at 2^32. */
  readonly elemSize: number;
  readonly align: number;
}

/** Most nodes in a value type's expanded tree. */
export const MAX_TYPE_SIZE = 1_000_000;
/** Deepest value type nesting. */
export const MAX_TYPE_DEPTH = 1000;
/** `elem_size` must stay below this. */
export const MAX_ELEM_SIZE = 2 ** 28;

const facts = new WeakMap<object, TypeFacts>();

/** The value types directly inside `t` (fields, cases, elements, ...), in order. */
export function childTypes(t: ValueType): ValueType[] {
  switch (t.kind) {
    case "list": return [t.element];
    case "record": return t.fields.map((f) => f.type);
    case "tuple": return [...t.types];
    case "variant": return t.cases.flatMap((c) => (c.type ? [c.type] : []));
    case "option": return [t.type];
    case "result": return [...(t.ok ? [t.ok] : []), ...(t.err ? [t.err] : [])];
    case "stream": case "future": return t.element ? [t.element] : [];
    case "map": return [t.key, t.value];
    default: return [];
  }
}

const PRIM_SIZE: Readonly<Record<string, number>> = {
  bool: 1, s8: 1, u8: 1, s16: 2, u16: 2, s32: 4, u32: 4, f32: 4, char: 4, s64: 8, u64: 8, f64: 8,
  string: 16, "error-context": 4,
};

function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function discriminantSize(n: number): number {
  return n <= 256 ? 1 : n <= 65536 ? 2 : 4;
}

function mergeResources(lists: readonly (readonly ResourceType[])[]): readonly ResourceType[] {
  let out: ResourceType[] | undefined;
  let only: readonly ResourceType[] = [];
  for (const l of lists) {
    if (l.length === 0) continue;
    if (only.length === 0 && out === undefined) {
      only = l;
      continue;
    }
    out ??= [...only];
    for (const r of l) if (!out.includes(r)) out.push(r);
  }
  return out ?? only;
}

const EMPTY: readonly ResourceType[] = [];

/** The facts of a value type node (computing them when the node was not made by `withFacts`). */
export function factsOf(t: ValueType): TypeFacts {
  const f = facts.get(t);
  if (f !== undefined) return f;
  withFacts(t);
  return facts.get(t)!;
}

/**
 * Computes and records the facts of a new node whose children already have theirs; returns the
 * node. The caller checks the limits (`MAX_TYPE_SIZE`, ...) against the facts.
 */
export function withFacts(t: ValueType): ValueType {
  if (facts.has(t)) return t;
  const cf = childTypes(t).map(factsOf);
  let size = 1;
  let depth = 0;
  let borrow = t.kind === "borrow";
  for (const f of cf) {
    size += f.size;
    if (f.depth > depth) depth = f.depth;
    if (f.borrow && t.kind !== "stream" && t.kind !== "future") borrow = true;
  }
  depth++;
  let resources = mergeResources(cf.map((f) => f.resources));
  if (t.kind === "own" || t.kind === "borrow") resources = resources.includes(t.resource) ? resources : [...resources, t.resource];
  let elemSize: number;
  let align: number;
  switch (t.kind) {
    case "list":
      if (t.length !== undefined) {
        elemSize = cf[0]!.elemSize * t.length;
        align = cf[0]!.align;
      } else {
        elemSize = 16;
        align = 8;
      }
      break;
    case "map": elemSize = 16; align = 8; break;
    case "record":
    case "tuple": {
      let s = 0;
      align = 1;
      for (const f of cf) {
        s = alignTo(s, f.align) + f.elemSize;
        if (f.align > align) align = f.align;
      }
      elemSize = alignTo(s, align);
      break;
    }
    case "variant":
    case "option":
    case "result":
    case "enum": {
      const n = t.kind === "variant" ? t.cases.length : t.kind === "enum" ? t.names.length : 2;
      const disc = discriminantSize(n);
      let maxSize = 0;
      let maxAlign = 1;
      for (const f of cf) {
        if (f.elemSize > maxSize) maxSize = f.elemSize;
        if (f.align > maxAlign) maxAlign = f.align;
      }
      align = Math.max(disc, maxAlign);
      elemSize = alignTo(alignTo(disc, maxAlign) + maxSize, align);
      break;
    }
    case "flags": {
      const n = t.names.length;
      elemSize = n <= 8 ? 1 : n <= 16 ? 2 : 4 * Math.ceil(n / 32);
      align = n <= 8 ? 1 : n <= 16 ? 2 : 4;
      break;
    }
    case "own": case "borrow": case "stream": case "future":
      elemSize = 4;
      align = 4;
      break;
    default:
      elemSize = PRIM_SIZE[t.kind] ?? 4;
      align = t.kind === "string" ? 8 : elemSize;
  }
  if (elemSize > 2 ** 32) elemSize = 2 ** 32;
  facts.set(t, { size, depth, borrow, resources: resources.length ? resources : EMPTY, elemSize, align });
  return t;
}

const PRIMITIVES = new Map<string, ValueType>();

/** The shared node of a primitive type (one node per primitive kind). */
export function primitive(kind: PrimitiveKind): ValueType {
  let t = PRIMITIVES.get(kind);
  if (t === undefined) {
    t = withFacts({ kind });
    PRIMITIVES.set(kind, t);
  }
  return t;
}

// ---- resources bound by component and instance types --------------------------------------------

/** Resource facts the instantiation and subtyping rules need, per component and instance type. */
export interface ResourceBinding {
  /** Abstract resources bound by imports (substituted by the instantiation's arguments). */
  readonly imported: readonly ResourceType[];
  /** Resources the type's exports make fresh on each instantiation. */
  readonly exported: readonly ResourceType[];
}

/** The resource binding of each component and instance type validation made. */
export const bindings = new WeakMap<object, ResourceBinding>();

/** Whether a `type` extern's type is a function, component or instance type (not a value type or resource). */
export function isTypeDefinition(t: ValueType | ResourceType | TypeDefinitionRef): t is TypeDefinitionRef {
  return !(t instanceof ResourceType) && t.kind === "type-definition";
}

/** The extern type a type definition describes (`func`, `component` or `instance`). */
export function definitionExtern(t: TypeDefinitionRef): ComponentExternType {
  return t.definition as ComponentExternType;
}

// ---- sizes of function, instance and component types --------------------------------------------

const sizes = new WeakMap<object, number>();

/** The effective size of an extern type (value types: their expanded size; others: their parts'). */
export function externSize(t: ComponentExternType): number {
  switch (t.kind) {
    case "func": return funcSize(t.type);
    case "value": return factsOf(t.type).size;
    case "type":
      if (t.type instanceof ResourceType) return 1;
      if (isTypeDefinition(t.type)) return externSize(definitionExtern(t.type));
      return factsOf(t.type).size;
    case "instance": return instanceSize(t.type);
    case "component": return componentSize(t.type);
    case "module": return 1 + t.type.imports.length + t.type.exports.length;
  }
}

/** The effective size of a function type. */
export function funcSize(t: ComponentFuncType): number {
  let n = sizes.get(t);
  if (n === undefined) {
    n = 1;
    for (const p of t.params) n += factsOf(p.type).size;
    if (t.result) n += factsOf(t.result).size;
    sizes.set(t, n);
  }
  return n;
}

/** The effective size of an instance type (memoized; capped just past `MAX_TYPE_SIZE`). */
export function instanceSize(t: InstanceType): number {
  let n = sizes.get(t);
  if (n === undefined) {
    n = 1;
    for (const e of t.exports.values()) {
      n += externSize(e);
      if (n > MAX_TYPE_SIZE) break;
    }
    sizes.set(t, n);
  }
  return n;
}

/** The effective size of a component type (memoized; capped just past `MAX_TYPE_SIZE`). */
export function componentSize(t: ComponentType): number {
  let n = sizes.get(t);
  if (n === undefined) {
    n = 1;
    for (const e of t.imports.values()) {
      n += externSize(e);
      if (n > MAX_TYPE_SIZE) break;
    }
    for (const e of t.exports.values()) {
      if (n > MAX_TYPE_SIZE) break;
      n += externSize(e);
    }
    sizes.set(t, n);
  }
  return n;
}

// ---- equality -------------------------------------------------------------------------------------

/**
 * Matches actual types against expected ones. Resources of the expected side listed in `abstract`
 * are bound to the actual resource on first use (instantiation's type substitution); every other
 * resource must be the same object.
 */
export class Matcher {
  readonly bound = new Map<ResourceType, ResourceType>();
  /** Expected type-import nodes matched by actual nodes (instantiation substitutes them). */
  readonly boundTypes = new Map<ValueType, ValueType>();
  private readonly equalPairs = new WeakMap<object, WeakSet<object>>();

  readonly abstract: Set<ResourceType>;

  constructor(abstract: Iterable<ResourceType> = []) {
    this.abstract = new Set(abstract);
  }

  resource(actual: ResourceType, expected: ResourceType): boolean {
    const b = this.bound.get(expected);
    if (b !== undefined) return b === actual;
    // A component type's own imported resources, bound to the other side's while comparing it.
    if (this.bound.get(actual) === expected) return true;
    if (this.abstract.has(expected)) {
      this.bound.set(expected, actual);
      return true;
    }
    return actual === expected;
  }

  /** Why `a` is not equal to `b` (value types are matched by equality), or undefined. */
  value(a: ValueType, b: ValueType): string | undefined {
    if (a === b && this.abstract.size === 0) return undefined;
    const seen = this.equalPairs.get(a);
    if (seen?.has(b)) return undefined;
    const why = this.valueUncached(a, b);
    if (why === undefined) {
      if (seen) seen.add(b);
      else this.equalPairs.set(a, new WeakSet([b]));
    }
    return why;
  }

  private valueUncached(a: ValueType, b: ValueType): string | undefined {
    if (a.kind !== b.kind) return `expected ${describeKind(b)}, found ${describeKind(a)}`;
    switch (a.kind) {
      case "list": {
        const y = b as typeof a;
        if (a.length !== y.length) return "type mismatch in fixed length list";
        return this.value(a.element, y.element);
      }
      case "record": {
        const y = b as typeof a;
        if (a.fields.length !== y.fields.length) return "expected a record with the same number of fields";
        for (let i = 0; i < a.fields.length; i++) {
          if (a.fields[i]!.name !== y.fields[i]!.name) return `expected field name \`${y.fields[i]!.name}\`, found \`${a.fields[i]!.name}\``;
          const w = this.value(a.fields[i]!.type, y.fields[i]!.type);
          if (w) return `type mismatch in record field \`${a.fields[i]!.name}\`: ${w}`;
        }
        return undefined;
      }
      case "tuple": {
        const y = b as typeof a;
        if (a.types.length !== y.types.length) return `expected ${y.types.length} types, found ${a.types.length}`;
        for (let i = 0; i < a.types.length; i++) {
          const w = this.value(a.types[i]!, y.types[i]!);
          if (w) return `type mismatch in tuple field ${i}: ${w}`;
        }
        return undefined;
      }
      case "variant": {
        const y = b as typeof a;
        if (a.cases.length !== y.cases.length) return `expected ${y.cases.length} cases, found ${a.cases.length}`;
        for (let i = 0; i < a.cases.length; i++) {
          const ca = a.cases[i]!;
          const cb = y.cases[i]!;
          if (ca.name !== cb.name) return `expected case named \`${cb.name}\`, found \`${ca.name}\``;
          if ((ca.type === undefined) !== (cb.type === undefined)) return `type mismatch in variant case \`${ca.name}\``;
          if (ca.type && cb.type) {
            const w = this.value(ca.type, cb.type);
            if (w) return `type mismatch in variant case \`${ca.name}\`: ${w}`;
          }
        }
        return undefined;
      }
      case "enum":
      case "flags": {
        const y = b as typeof a;
        if (a.names.length !== y.names.length || a.names.some((n, i) => n !== y.names[i])) return `mismatch in ${a.kind} elements`;
        return undefined;
      }
      case "option": return this.value(a.type, (b as typeof a).type);
      case "result": {
        const y = b as typeof a;
        if ((a.ok === undefined) !== (y.ok === undefined)) return "type mismatch in ok variant";
        if (a.ok && y.ok) {
          const w = this.value(a.ok, y.ok);
          if (w) return `type mismatch in ok variant: ${w}`;
        }
        if ((a.err === undefined) !== (y.err === undefined)) return "type mismatch in err variant";
        if (a.err && y.err) {
          const w = this.value(a.err, y.err);
          if (w) return `type mismatch in err variant: ${w}`;
        }
        return undefined;
      }
      case "own":
      case "borrow":
        return this.resource(a.resource, (b as typeof a).resource) ? undefined : "resource types are not the same";
      case "stream":
      case "future": {
        const y = b as typeof a;
        if ((a.element === undefined) !== (y.element === undefined)) return `type mismatch in ${a.kind}`;
        return a.element && y.element ? this.value(a.element, y.element) : undefined;
      }
      case "map": {
        const y = b as typeof a;
        return this.value(a.key, y.key) ?? this.value(a.value, y.value);
      }
      default:
        return undefined;
    }
  }

  /** Why function type `a` is not a subtype of `b`, or undefined. */
  func(a: ComponentFuncType, b: ComponentFuncType): string | undefined {
    if (!!a.async !== !!b.async) return "type mismatch in async attribute";
    if (a.params.length !== b.params.length) return `expected ${b.params.length} parameters, found ${a.params.length}`;
    for (let i = 0; i < a.params.length; i++) {
      const pa = a.params[i]!;
      const pb = b.params[i]!;
      if (pa.name !== pb.name) return `expected parameter named \`${pb.name}\`, found \`${pa.name}\``;
      const w = this.value(pa.type, pb.type);
      if (w) return `type mismatch in function parameter \`${pa.name}\`: ${w}`;
    }
    if ((a.result === undefined) !== (b.result === undefined)) return "expected a result, found none";
    if (a.result && b.result) {
      const w = this.value(a.result, b.result);
      if (w) return `type mismatch with result type: ${w}`;
    }
    return undefined;
  }

  /** Why extern type `a` is not a subtype of `b`, or undefined. */
  extern(a: ComponentExternType, b: ComponentExternType): string | undefined {
    if (a.kind !== b.kind) return `expected ${b.kind}, found ${a.kind}`;
    switch (a.kind) {
      case "func": return this.func(a.type, (b as typeof a).type);
      case "value": return this.value(a.type, (b as typeof a).type);
      case "type": {
        const x = a.type;
        const y = (b as typeof a).type;
        if (isTypeDefinition(x) || isTypeDefinition(y)) {
          if (!isTypeDefinition(x) || !isTypeDefinition(y) || x.definition.kind !== y.definition.kind) return "type definitions of different kinds";
          return this.extern(definitionExtern(x), definitionExtern(y));
        }
        if (x instanceof ResourceType || y instanceof ResourceType) {
          if (!(x instanceof ResourceType)) return "expected resource, found defined type";
          if (!(y instanceof ResourceType)) return "expected defined type, found resource";
          return this.resource(x, y) ? undefined : "resource types are not the same";
        }
        const why = this.value(x, y);
        if (why === undefined && x !== y) this.boundTypes.set(y, x);
        return why;
      }
      case "instance": return this.instance(a.type, (b as typeof a).type);
      case "component": return this.component(a.type, (b as typeof a).type);
      case "module": return moduleMismatch(moduleSigOf(a.type), moduleSigOf((b as typeof a).type));
    }
  }

  private readonly subPairs = new WeakMap<object, WeakSet<object>>();

  /** Memoizes successful checks of `a` against `b` (types shared by many imports are checked once). */
  private memo(a: object, b: object, check: () => string | undefined): string | undefined {
    if (a === b && this.abstract.size === 0) return undefined;
    const seen = this.subPairs.get(a);
    if (seen?.has(b)) return undefined;
    const why = check();
    if (why === undefined) {
      if (seen) seen.add(b);
      else this.subPairs.set(a, new WeakSet([b]));
    }
    return why;
  }

  /** Why instance type `a` is not a subtype of `b` (every export of `b` in `a`, with a subtype). */
  instance(a: InstanceType, b: InstanceType): string | undefined {
    return this.memo(a, b, () => this.instanceUncached(a, b));
  }

  /** Why component type `a` is not a subtype of `b`. */
  component(a: ComponentType, b: ComponentType): string | undefined {
    return this.memo(a, b, () => this.componentUncached(a, b));
  }

  private instanceUncached(a: InstanceType, b: InstanceType): string | undefined {
    for (const [name, tb] of b.exports) {
      const ta = a.exports.get(name);
      if (ta === undefined) return `missing expected export \`${name}\``;
      const w = this.extern(ta, tb);
      if (w) return `type mismatch in instance export \`${name}\`: ${w}`;
    }
    return undefined;
  }

  private componentUncached(a: ComponentType, b: ComponentType): string | undefined {
    // `a`'s abstract imported resources are bound to what `b` imports in their place.
    const own = bindings.get(a)?.imported ?? [];
    const abstract = this.abstract as Set<ResourceType>;
    for (const r of own) abstract.add(r);
    try {
      return this.componentImportsExports(a, b);
    } finally {
      for (const r of own) abstract.delete(r);
    }
  }

  private componentImportsExports(a: ComponentType, b: ComponentType): string | undefined {
    for (const [name, ta] of a.imports) {
      const tb = b.imports.get(name);
      if (tb === undefined) return `missing expected import \`${name}\``;
      const w = this.extern(tb, ta);
      if (w) return `type mismatch in import \`${name}\`: ${w}`;
    }
    for (const [name, tb] of b.exports) {
      const ta = a.exports.get(name);
      if (ta === undefined) return `missing expected export \`${name}\``;
      const w = this.extern(ta, tb);
      if (w) return `type mismatch in export \`${name}\`: ${w}`;
    }
    return undefined;
  }
}

function describeKind(t: ValueType): string {
  switch (t.kind) {
    case "bool": case "s8": case "u8": case "s16": case "u16": case "s32": case "u32": case "s64": case "u64":
    case "f32": case "f64": case "char": case "string": case "error-context":
      return "primitive";
    default:
      return t.kind;
  }
}

// ---- substitution ---------------------------------------------------------------------------------

/** Records that `copy` has the same facts as `original` (a renamed copy of a node). */
export function copyFacts(original: ValueType, copy: ValueType): ValueType {
  facts.set(copy, factsOf(original));
  return copy;
}

/**
 * Replaces resources (and, for instantiation's type arguments, value type nodes) throughout types,
 * memoizing so that shared subtrees stay shared.
 */
export class Substitution {
  private readonly memo = new WeakMap<object, object>();

  /**
   * @param map the resources to replace.
   * @param onCopy called with each node replaced and its copy (to carry facts kept elsewhere).
   * @param types value type nodes to replace by other nodes (instantiation's type arguments).
   * @param copiedFrom the node a renamed copy was made from (replacements apply to copies too).
   */
  constructor(
    readonly map: ReadonlyMap<ResourceType, ResourceType>,
    private readonly onCopy?: (original: object, copy: object) => void,
    readonly types: ReadonlyMap<ValueType, ValueType> = new Map(),
    private readonly copiedFrom?: (t: ValueType) => ValueType | undefined,
  ) {}

  /** The replacement of `t` or of a node it is a renamed copy of. */
  private replacement(t: ValueType): ValueType | undefined {
    for (let n: ValueType | undefined = t, k = 0; n !== undefined && k < 64; n = this.copiedFrom?.(n), k++) {
      const r = this.types.get(n);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  get empty(): boolean {
    return this.map.size === 0 && this.types.size === 0;
  }

  value(t: ValueType): ValueType {
    if (this.empty) return t;
    const direct = this.types.size === 0 ? undefined : this.replacement(t);
    if (direct !== undefined) return direct;
    const f = factsOf(t);
    if (this.types.size === 0 && (f.resources.length === 0 || !f.resources.some((r) => this.map.has(r)))) return t;
    if (f.size === 1 && !(t.kind === "own" || t.kind === "borrow")) return t;
    const m = this.memo.get(t);
    if (m !== undefined) return m as ValueType;
    let out: ValueType;
    switch (t.kind) {
      case "own": case "borrow": out = { kind: t.kind, resource: this.map.get(t.resource) ?? t.resource }; break;
      case "list": out = { ...t, element: this.value(t.element) }; break;
      case "record": out = { kind: "record", fields: t.fields.map((f) => ({ name: f.name, type: this.value(f.type) })) }; break;
      case "tuple": out = { kind: "tuple", types: t.types.map((x) => this.value(x)) }; break;
      case "variant": out = { kind: "variant", cases: t.cases.map((c) => (c.type ? { name: c.name, type: this.value(c.type) } : c)) }; break;
      case "option": out = { kind: "option", type: this.value(t.type) }; break;
      case "result":
        out = { kind: "result", ...(t.ok ? { ok: this.value(t.ok) } : {}), ...(t.err ? { err: this.value(t.err) } : {}) };
        break;
      case "stream": case "future": out = t.element ? { kind: t.kind, element: this.value(t.element) } : t; break;
      case "map": out = { kind: "map", key: this.value(t.key), value: this.value(t.value) }; break;
      default: out = t;
    }
    if (out !== t && sameChildren(t, out)) out = t;
    withFacts(out);
    this.memo.set(t, out);
    this.onCopy?.(t, out);
    return out;
  }

  func(t: ComponentFuncType): ComponentFuncType {
    if (this.empty) return t;
    const m = this.memo.get(t);
    if (m !== undefined) return m as ComponentFuncType;
    const out: ComponentFuncType = {
      params: t.params.map((p) => ({ name: p.name, type: this.value(p.type) })),
      ...(t.result ? { result: this.value(t.result) } : {}),
      ...(t.async ? { async: true } : {}),
    };
    this.memo.set(t, out);
    return out;
  }

  extern(t: ComponentExternType): ComponentExternType {
    if (this.empty) return t;
    switch (t.kind) {
      case "func": return { kind: "func", type: this.func(t.type) };
      case "value": return { kind: "value", type: this.value(t.type) };
      case "type": {
        if (t.type instanceof ResourceType) return { kind: "type", type: this.map.get(t.type) ?? t.type };
        if (isTypeDefinition(t.type)) {
          const inner = this.extern(definitionExtern(t.type)) as { kind: "func" | "component" | "instance"; type: never };
          return { kind: "type", type: { kind: "type-definition", definition: { kind: inner.kind, type: inner.type } } };
        }
        return { kind: "type", type: this.value(t.type) };
      }
      case "instance": return { kind: "instance", type: this.instance(t.type) };
      case "component": return { kind: "component", type: this.component(t.type) };
      case "module": return t;
    }
  }

  instance(t: InstanceType): InstanceType {
    if (this.empty) return t;
    const m = this.memo.get(t);
    if (m !== undefined) return m as InstanceType;
    const exports = new Map<string, ComponentExternType>();
    for (const [k, v] of t.exports) exports.set(k, this.extern(v));
    const out: InstanceType = { exports };
    this.memo.set(t, out);
    return out;
  }

  component(t: ComponentType): ComponentType {
    if (this.empty) return t;
    const m = this.memo.get(t);
    if (m !== undefined) return m as ComponentType;
    const imports = new Map<string, ComponentExternType>();
    for (const [k, v] of t.imports) imports.set(k, this.extern(v));
    const exports = new Map<string, ComponentExternType>();
    for (const [k, v] of t.exports) exports.set(k, this.extern(v));
    const out: ComponentType = { imports, exports };
    this.memo.set(t, out);
    return out;
  }
}

/** True when a rebuilt node's children are the original's (nothing was substituted below it). */
function sameChildren(a: ValueType, b: ValueType): boolean {
  if (a.kind === "own" || a.kind === "borrow") return a.resource === (b as typeof a).resource;
  const x = childTypes(a);
  const y = childTypes(b);
  return x.length === y.length && x.every((c, i) => c === y[i]);
}
