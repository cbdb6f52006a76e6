/**
 * Lowering: JS values into linear memory (`store`) and into flat core values (`lower_flat`), checking
 * on the way that each value fits its type (a `ValueError` with the path inside the value otherwise).
 *
 * `lowererOf(t)` compiles a type once into two closures, cached on the type object. Flat values are
 * written at offsets fixed at compile time (`out[at + k]`). Lists and strings are allocated with the
 * function's `realloc` in the spec's order; a numeric list given as the matching typed array is one
 * `Uint8Array.set`.
 *
 * Flat i32 values are JS numbers (signed or unsigned: the engine wraps them), i64 values bigints.
 *
 * @module
 */
import type { HandleType, ValueType } from "../types.js";
import type { AbiContext } from "./context.js";
import { type FlatType, fieldOffsets, layoutOf, mapEntry, MAX_BYTE_LENGTH, recordFields, variantCases, variantLayoutOf } from "./layout.js";
import { lowerString } from "./strings.js";
import { abiTrap } from "./traps.js";
import { ResourceHandle, resourceImpl } from "./handles.js";
import {
  camelCase,
  checkBigInt,
  checkChar,
  checkInt,
  checkList,
  checkObject,
  checkString,
  describe,
  mismatch,
  ValueError,
  within,
} from "./values.js";
import { f32ToBits, f64ToBits, typedArrayOf } from "./numbers.js";

/** Stores `v` at `ptr` (aligned and in bounds: the caller checked). */
export type Store = (cx: AbiContext, v: unknown, ptr: number) => void;
/** Writes the flat core values of `v` to `out[at ...]`. */
export type LowerFlat = (cx: AbiContext, v: unknown, out: unknown[], at: number) => void;

/** The compiled lowering of one type. */
export interface Lowerer {
  readonly store: Store;
  readonly flat: LowerFlat;
}

const cache = new WeakMap<object, Lowerer>();
const taggedOptions = new WeakMap<object, Lowerer>();

/** The lowerer of `t` (`nestedOption`: an option inside an option takes `{ tag, val? }`). */
export function lowererOf(t: ValueType, nestedOption = false): Lowerer {
  const c = nestedOption && t.kind === "option" ? taggedOptions : cache;
  // An enum or flags type is its names (the decoded array, shared by every instantiation): compiled once.
  const key = t.kind === "enum" || t.kind === "flags" ? t.names : t;
  let l = c.get(key);
  if (l === undefined) {
    l = compile(t, nestedOption);
    c.set(key, l);
  }
  return l;
}

function checkNumber(v: unknown, kind: string): number {
  if (typeof v !== "number") mismatch(`a ${kind} (a number)`, v);
  return v as number;
}

function compile(t: ValueType, nestedOption: boolean): Lowerer {
  switch (t.kind) {
    case "bool": {
      const check = (v: unknown): number => {
        if (typeof v !== "boolean") mismatch("a bool (true or false)", v);
        return v ? 1 : 0;
      };
      return { store: (cx, v, p) => void (cx.u8[p] = check(v)), flat: (_, v, o, at) => void (o[at] = check(v)) };
    }
    case "u8":
    case "s8":
      return {
        store: (cx, v, p) => void (cx.u8[p] = checkInt(t.kind as "u8", v)),
        flat: (_, v, o, at) => void (o[at] = checkInt(t.kind as "u8", v)),
      };
    case "u16":
    case "s16":
      return {
        store: (cx, v, p) => cx.dv.setUint16(p, checkInt(t.kind as "u16", v), true),
        flat: (_, v, o, at) => void (o[at] = checkInt(t.kind as "u16", v)),
      };
    case "u32":
    case "s32":
      return {
        store: (cx, v, p) => cx.dv.setUint32(p, checkInt(t.kind as "u32", v), true),
        flat: (_, v, o, at) => void (o[at] = checkInt(t.kind as "u32", v)),
      };
    case "u64":
    case "s64":
      return {
        store: (cx, v, p) => cx.dv.setBigUint64(p, BigInt.asUintN(64, checkBigInt(t.kind as "u64", v)), true),
        flat: (_, v, o, at) => void (o[at] = checkBigInt(t.kind as "u64", v)),
      };
    case "f32":
      return {
        store: (cx, v, p) => cx.dv.setFloat32(p, checkNumber(v, "f32"), true),
        flat: (_, v, o, at) => void (o[at] = Math.fround(checkNumber(v, "f32"))),
      };
    case "f64":
      return {
        store: (cx, v, p) => cx.dv.setFloat64(p, checkNumber(v, "f64"), true),
        flat: (_, v, o, at) => void (o[at] = checkNumber(v, "f64")),
      };
    case "char":
      return {
        store: (cx, v, p) => cx.dv.setUint32(p, checkChar(v), true),
        flat: (_, v, o, at) => void (o[at] = checkChar(v)),
      };
    case "string":
      return {
        store: (cx, v, p) => {
          const ptr = lowerString(cx, checkString(v));
          cx.dv.setUint32(p, ptr, true);
          cx.dv.setUint32(p + 4, cx.stringUnits, true);
        },
        flat: (cx, v, o, at) => {
          o[at] = lowerString(cx, checkString(v));
          o[at + 1] = cx.stringUnits;
        },
      };
    case "list":
      return compileList(t.element, t.length);
    case "map":
      return compileList(mapEntry(t), undefined);
    case "record":
    case "tuple":
      return compileRecord(t);
    case "flags": {
      const names = t.names.map(camelCase);
      const size = layoutOf(t).size;
      const pack = (v: unknown): number => {
        const o = checkObject("a flags object (of booleans)", v);
        let i = 0;
        for (let k = 0; k < names.length; k++) if (o[names[k]!]) i |= 1 << k;
        return i >>> 0;
      };
      return {
        store: (cx, v, p) => {
          const i = pack(v);
          if (size === 1) cx.u8[p] = i;
          else if (size === 2) cx.dv.setUint16(p, i, true);
          else cx.dv.setUint32(p, i, true);
        },
        flat: (_, v, o, at) => void (o[at] = pack(v)),
      };
    }
    case "variant":
    case "enum":
    case "option":
    case "result":
      return compileVariant(t, nestedOption);
    case "own":
    case "borrow":
      return compileHandle(t);
    default: {
      const fail = (): never => {
        throw new TypeError(`values of type ${t.kind} cannot cross the host boundary yet (async values are not supported)`);
      };
      return { store: fail, flat: fail };
    }
  }
}

/**
 * A `list<u8>` a host function returns without having the bytes yet: the lowering allocates `length`
 * bytes with the guest's `realloc` and `fill` writes them straight there (one copy instead of two: the
 * WASI host reads a file this way). `fill` returns how many it wrote, at most `length`; the list has
 * that many. Only the host makes these (a guest value never is one).
 */
export class FillBytes {
  constructor(
    public length: number,
    readonly fill: (dst: Uint8Array, at: number) => number,
  ) {}
}

/** `store_list_into_range`: allocate, check, store the elements (a matching typed array: one copy). */
function compileList(element: ValueType, length: number | undefined): Lowerer {
  const el = layoutOf(element);
  const elem = lowererOf(element);
  const typed = typedArrayOf(element.kind);
  const storeElements = (cx: AbiContext, a: ArrayLike<unknown>, p: number): void => {
    if (typed !== undefined && a instanceof typed) {
      cx.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
      return;
    }
    for (let i = 0; i < a.length; i++) {
      try {
        elem.store(cx, a[i], p + i * el.size);
      } catch (e) {
        within(e, `[${i}]`);
      }
    }
  };
  if (length !== undefined) {
    const n = length;
    const stride = el.flat.length;
    const checkLength = (v: unknown): ArrayLike<unknown> => {
      const a = checkList(v);
      if (a.length !== n) mismatch(`a list of exactly ${n} elements`, `${describe(v)} of length ${a.length}`);
      return a;
    };
    return {
      store: (cx, v, p) => storeElements(cx, checkLength(v), p),
      flat: (cx, v, o, at) => {
        const a = checkLength(v);
        for (let i = 0; i < n; i++) {
          try {
            elem.flat(cx, a[i], o, at + i * stride);
          } catch (e) {
            within(e, `[${i}]`);
          }
        }
      },
    };
  }
  const fills = element.kind === "u8";
  const intoRange = (cx: AbiContext, v: unknown): number => {
    if (fills && v instanceof FillBytes) {
      const p = cx.reallocate(0, 0, 1, v.length, true);
      const n = v.fill(cx.u8, p);
      v.length = n >= 0 && n < v.length ? n : v.length;
      return p;
    }
    const a = checkList(v);
    const bytes = a.length * el.size;
    if (bytes > MAX_BYTE_LENGTH) throw new ValueError(`expected a list of at most ${MAX_BYTE_LENGTH} bytes, got ${bytes}`);
    const p = cx.reallocate(0, 0, el.align, bytes, true);
    storeElements(cx, a, p);
    return p;
  };
  return {
    store: (cx, v, p) => {
      const ptr = intoRange(cx, v);
      cx.dv.setUint32(p, ptr, true);
      cx.dv.setUint32(p + 4, (v as ArrayLike<unknown>).length, true);
    },
    flat: (cx, v, o, at) => {
      o[at] = intoRange(cx, v);
      o[at + 1] = (v as ArrayLike<unknown>).length;
    },
  };
}

/** Records take objects with camelCase fields, tuples arrays of their exact length. */
function compileRecord(t: ValueType): Lowerer {
  const fields = recordFields(t)!;
  const offsets = fieldOffsets(fields);
  const lowerers = fields.map((f) => lowererOf(f.type));
  const flatOffsets: number[] = [];
  let k = 0;
  for (const f of fields) {
    flatOffsets.push(k);
    k += layoutOf(f.type).flat.length;
  }
  const n = fields.length;
  const tuple = t.kind === "tuple";
  const keys = tuple ? fields.map((_, i) => String(i)) : fields.map((f) => camelCase(f.name));
  const steps = tuple ? keys.map((key) => `[${key}]`) : keys.map((key) => `.${key}`);
  const check = tuple
    ? (v: unknown): Record<string, unknown> => {
        const a = checkList(v);
        if (a.length !== n) mismatch(`a tuple of ${n} elements`, `${describe(v)} of length ${a.length}`);
        return a as unknown as Record<string, unknown>;
      }
    : (v: unknown) => checkObject(`a record with fields ${keys.join(", ")}`, v);
  return {
    store: (cx, v, p) => {
      const o = check(v);
      for (let i = 0; i < n; i++) {
        try {
          lowerers[i]!.store(cx, o[keys[i]!], p + offsets[i]!);
        } catch (e) {
          within(e, steps[i]!);
        }
      }
    },
    flat: (cx, v, out, at) => {
      const o = check(v);
      for (let i = 0; i < n; i++) {
        try {
          lowerers[i]!.flat(cx, o[keys[i]!], out, at + flatOffsets[i]!);
        } catch (e) {
          within(e, steps[i]!);
        }
      }
    },
  };
}

/** A conversion from a case's own flat type to the variant's joined slot type (`lower_flat_variant`). */
function coercion(have: FlatType, want: FlatType): ((x: unknown) => unknown) | undefined {
  if (have === want) return undefined;
  if (have === "f32" && want === "i32") return (x) => f32ToBits(x as number);
  if (have === "i32" && want === "i64") return (x) => BigInt((x as number) >>> 0);
  if (have === "f32" && want === "i64") return (x) => BigInt(f32ToBits(x as number) >>> 0);
  if (have === "f64" && want === "i64") return (x) => f64ToBits(x as number);
  throw new Error(`no flat coercion from ${have} to ${want}`);
}

const ZERO: Record<FlatType, unknown> = { i32: 0, i64: 0n, f32: 0, f64: 0 };

/** Which case a JS value is, and its payload; a `ValueError` when it is none. */
type Matcher = (v: unknown) => { readonly index: number; readonly val: unknown };

function matcherOf(t: ValueType, nestedOption: boolean): Matcher {
  const cases = variantCases(t)!;
  const reuse = { index: 0, val: undefined as unknown };
  const hit = (index: number, val: unknown): { index: number; val: unknown } => {
    reuse.index = index;
    reuse.val = val;
    return reuse;
  };
  switch (t.kind) {
    case "enum": {
      const index = new Map(t.names.map((n, i) => [n, i]));
      return (v) => {
        const i = typeof v === "string" ? index.get(v) : undefined;
        if (i === undefined) mismatch(`one of ${t.names.map((n) => JSON.stringify(n)).join(", ")}`, v);
        return hit(i!, undefined);
      };
    }
    case "option":
      if (!nestedOption) return (v) => (v === undefined || v === null ? hit(0, undefined) : hit(1, v));
      break;
    case "result":
      return (v) => {
        const o = checkObject('a result ({ tag: "ok" | "err", val? })', v);
        if (o.tag === "ok") return hit(0, o.val);
        if (o.tag === "err") return hit(1, o.val);
        return mismatch('a result tag "ok" or "err"', o.tag);
      };
  }
  const index = new Map(cases.map((c, i) => [c.name, i]));
  const names = cases.map((c) => JSON.stringify(c.name)).join(", ");
  return (v) => {
    const o = checkObject(`a variant ({ tag, val? }) with tag ${names}`, v);
    const i = typeof o.tag === "string" ? index.get(o.tag) : undefined;
    if (i === undefined) mismatch(`a variant tag among ${names}`, o.tag);
    return hit(i!, o.val);
  };
}

/** Variants, enums, options and results: the discriminant, then the case's payload. */
function compileVariant(t: ValueType, nestedOption: boolean): Lowerer {
  const cases = variantCases(t)!;
  const layout = variantLayoutOf(t);
  const joined = layout.flat.slice(1);
  const match = matcherOf(t, nestedOption);
  const d = layout.discriminantSize;
  const off = layout.payloadOffset;
  const step = t.kind === "option" && !nestedOption ? "" : ".val";
  const payloads = cases.map((c) => {
    if (c.type === undefined) return undefined;
    const l = lowererOf(c.type, t.kind === "option");
    const own = layoutOf(c.type).flat;
    const conv = own.map((have, i) => coercion(have, joined[i]!));
    if (conv.every((x) => x === undefined)) return l;
    const width = own.length;
    const flat: LowerFlat = (cx, v, o, at) => {
      l.flat(cx, v, o, at);
      for (let i = 0; i < width; i++) {
        const c = conv[i];
        if (c !== undefined) o[at + i] = c(o[at + i]);
      }
    };
    return { store: l.store, flat };
  });
  const caseWidths = cases.map((c) => (c.type === undefined ? 0 : layoutOf(c.type).flat.length));
  return {
    store: (cx, v, p) => {
      const { index, val } = match(v);
      if (d === 1) cx.u8[p] = index;
      else if (d === 2) cx.dv.setUint16(p, index, true);
      else cx.dv.setUint32(p, index, true);
      const pl = payloads[index];
      if (pl === undefined) return;
      try {
        pl.store(cx, val, p + off);
      } catch (e) {
        within(e, step);
      }
    },
    flat: (cx, v, o, at) => {
      const { index, val } = match(v);
      o[at] = index;
      const pl = payloads[index];
      if (pl !== undefined) {
        try {
          pl.flat(cx, val, o, at + 1);
        } catch (e) {
          within(e, step);
        }
      }
      for (let i = caseWidths[index]!; i < joined.length; i++) o[at + 1 + i] = ZERO[joined[i]!];
    },
  };
}

/** `lower_own` / `lower_borrow`: a handle in the instance's table for the JS resource value. */
function compileHandle(t: HandleType): Lowerer {
  const rt = t.resource;
  const own = t.kind === "own";
  const lower = (cx: AbiContext, v: unknown): number => {
    const rep = cx.resources.fromJs(rt, v, own);
    if (own) return cx.instance.handles.add(new ResourceHandle(rt, rep, true));
    // A borrow of a resource the callee itself implements passes the representation directly.
    const impl = resourceImpl(rt);
    if (impl !== undefined && impl.instance === cx.instance) return rep;
    const scope = cx.scope;
    if (scope === undefined) throw abiTrap("a borrow was lowered outside of a call");
    scope.borrows++;
    return cx.instance.handles.add(new ResourceHandle(rt, rep, false, scope));
  };
  return {
    store: (cx, v, p) => cx.dv.setUint32(p, lower(cx, v), true),
    flat: (cx, v, o, at) => void (o[at] = lower(cx, v)),
  };
}
