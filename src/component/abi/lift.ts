/**
 * Lifting: component values out of linear memory (`load`) and out of flat core values (`lift_flat`),
 * as JS values in the shapes of API.md (jco's).
 *
 * `lifterOf(t)` compiles a type once into two closures and caches them on the type object; a call
 * then runs straight-line code with no look at the type tree. Flat values are read at offsets fixed
 * at compile time (`flat[at + k]`), so there is no iterator either.
 *
 * Traps follow `CanonicalABI.md` with Wasmtime's texts: an invalid `char`, variant discriminant,
 * UTF-8, handle, or an out-of-bounds or misaligned list or string.
 *
 * @module
 */
import type { HandleType, ValueType } from "../types.js";
import type { AbiContext } from "./context.js";
import { type FlatType, fieldOffsets, layoutOf, mapEntry, MAX_BYTE_LENGTH, recordFields, variantCases, variantLayoutOf } from "./layout.js";
import { liftString } from "./strings.js";
import { abiTrap, MESSAGES } from "./traps.js";
import { camelCase } from "./values.js";
import { bitsToF32, bitsToF64, typedArrayOf } from "./numbers.js";

/** Lifts the value at `ptr` (aligned and in bounds: the caller checked). */
export type Load = (cx: AbiContext, ptr: number) => unknown;
/** Lifts the value whose flat core values start at `flat[at]`. */
export type LiftFlat = (cx: AbiContext, flat: ArrayLike<unknown>, at: number) => unknown;

/** The compiled lifting of one type. */
export interface Lifter {
  readonly load: Load;
  readonly flat: LiftFlat;
}

const cache = new WeakMap<object, Lifter>();
const taggedOptions = new WeakMap<object, Lifter>();

/**
 * The lifter of `t`. `nestedOption` asks for an `option` directly inside an `option`, which lifts as
 * `{ tag: "some" | "none", val? }` rather than `T | undefined` (so `some(none)` stays distinct).
 */
export function lifterOf(t: ValueType, nestedOption = false): Lifter {
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

function i32(flat: ArrayLike<unknown>, at: number): number {
  return flat[at] as number;
}

/**
 * `canonicalize_nan32/64`: the engine keeps a NaN's payload bits in a JS number (a typed array or
 * memory would show them); the literal `NaN` is the canonical NaN.
 */
function canonical(x: number): number {
  return x === x ? x : NaN;
}

function char(i: number): string {
  if (i >= 0x110000 || (i >= 0xd800 && i <= 0xdfff)) throw abiTrap(MESSAGES.char);
  return String.fromCodePoint(i);
}

function compile(t: ValueType, nestedOption: boolean): Lifter {
  switch (t.kind) {
    case "bool":
      return { load: (cx, p) => cx.u8[p] !== 0, flat: (_, f, at) => i32(f, at) !== 0 };
    case "u8":
      return { load: (cx, p) => cx.u8[p], flat: (_, f, at) => i32(f, at) & 0xff };
    case "s8":
      return { load: (cx, p) => (cx.u8[p]! << 24) >> 24, flat: (_, f, at) => (i32(f, at) << 24) >> 24 };
    case "u16":
      return { load: (cx, p) => cx.dv.getUint16(p, true), flat: (_, f, at) => i32(f, at) & 0xffff };
    case "s16":
      return { load: (cx, p) => cx.dv.getInt16(p, true), flat: (_, f, at) => (i32(f, at) << 16) >> 16 };
    case "u32":
      return { load: (cx, p) => cx.dv.getUint32(p, true), flat: (_, f, at) => i32(f, at) >>> 0 };
    case "s32":
      return { load: (cx, p) => cx.dv.getInt32(p, true), flat: (_, f, at) => i32(f, at) | 0 };
    case "u64":
      return { load: (cx, p) => cx.dv.getBigUint64(p, true), flat: (_, f, at) => BigInt.asUintN(64, f[at] as bigint) };
    case "s64":
      return { load: (cx, p) => cx.dv.getBigInt64(p, true), flat: (_, f, at) => BigInt.asIntN(64, f[at] as bigint) };
    case "f32":
      return { load: (cx, p) => canonical(cx.dv.getFloat32(p, true)), flat: (_, f, at) => canonical(f[at] as number) };
    case "f64":
      return { load: (cx, p) => canonical(cx.dv.getFloat64(p, true)), flat: (_, f, at) => canonical(f[at] as number) };
    case "char":
      return { load: (cx, p) => char(cx.dv.getUint32(p, true)), flat: (_, f, at) => char(i32(f, at) >>> 0) };
    case "string":
      return {
        load: (cx, p) => liftString(cx, cx.dv.getUint32(p, true), cx.dv.getUint32(p + 4, true)),
        flat: (cx, f, at) => liftString(cx, i32(f, at) >>> 0, i32(f, at + 1) >>> 0),
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
      const unpack = flagsUnpacker(names);
      return {
        load: (cx, p) => unpack(size === 1 ? cx.u8[p]! : size === 2 ? cx.dv.getUint16(p, true) : cx.dv.getUint32(p, true)),
        flat: (_, f, at) => unpack(i32(f, at)),
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
    default:
      return unsupported(t);
  }
}

/**
 * The object of a flags value `i`: `{ name: bit, ... }` in the order of `names`. Made by generated
 * code (one object literal: one shape, no keyed stores) where code generation is allowed, else by a
 * loop giving the same object.
 */
function flagsUnpacker(names: readonly string[]): (i: number) => Record<string, boolean> {
  try {
    const fields = names.map((n, k) => `${JSON.stringify(n)}: ((i >>> ${k}) & 1) !== 0`).join(", ");
    return new Function("i", `"use strict"; return { ${fields} };`) as (i: number) => Record<string, boolean>;
  } catch {
    return (i) => {
      const o: Record<string, boolean> = {};
      for (let k = 0; k < names.length; k++) o[names[k]!] = ((i >>> k) & 1) !== 0;
      return o;
    };
  }
}

function unsupported(t: ValueType): Lifter {
  const fail = (): never => {
    throw new TypeError(`values of type ${t.kind} cannot cross the host boundary yet (async values are not supported)`);
  };
  return { load: fail, flat: fail };
}

/** `load_list_from_range` with its checks, then the elements (numeric lists: one copy). */
function compileList(element: ValueType, length: number | undefined): Lifter {
  const el = layoutOf(element);
  const elem = lifterOf(element);
  const typed = typedArrayOf(element.kind);
  const float = element.kind === "f32" || element.kind === "f64";
  const loadElements = (cx: AbiContext, p: number, n: number): unknown => {
    if (typed !== undefined) {
      const bytes = cx.u8.buffer.slice(cx.u8.byteOffset + p, cx.u8.byteOffset + p + n * el.size);
      const a = new typed(bytes as ArrayBuffer);
      if (float) canonicalizeNaNs(a as Float32Array | Float64Array);
      return a;
    }
    const a = new Array<unknown>(n);
    for (let i = 0; i < n; i++) a[i] = elem.load(cx, p + i * el.size);
    return a;
  };
  if (length !== undefined) {
    const n = length;
    const stride = el.flat.length;
    return {
      load: (cx, p) => loadElements(cx, p, n),
      flat: (cx, f, at) => {
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = elem.flat(cx, f, at + i * stride);
        return typed !== undefined ? (typed as unknown as { from(a: unknown[]): unknown }).from(a) : a;
      },
    };
  }
  const range = (cx: AbiContext, p: number, n: number): unknown => {
    const bytes = n * el.size;
    cx.sync();
    if (bytes > MAX_BYTE_LENGTH && p + bytes <= cx.u8.length) throw abiTrap(MESSAGES.listTooLong);
    if ((p & (el.align - 1)) !== 0) throw abiTrap(cx.messages.listAlign);
    if (p + bytes > cx.u8.length) throw abiTrap(cx.messages.listBounds);
    return loadElements(cx, p, n);
  };
  return {
    load: (cx, p) => range(cx, cx.dv.getUint32(p, true), cx.dv.getUint32(p + 4, true)),
    flat: (cx, f, at) => range(cx, i32(f, at) >>> 0, i32(f, at + 1) >>> 0),
  };
}

/** Rewrites every NaN with the canonical NaN (`canonicalize_nan32/64`): a copied list keeps the guest's bits. */
function canonicalizeNaNs(a: Float32Array | Float64Array): void {
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) a[i] = NaN;
}

/** Records lift as objects with camelCase fields, tuples as arrays. */
function compileRecord(t: ValueType): Lifter {
  const fields = recordFields(t)!;
  const offsets = fieldOffsets(fields);
  const lifters = fields.map((f) => lifterOf(f.type));
  const flatOffsets: number[] = [];
  let k = 0;
  for (const f of fields) {
    flatOffsets.push(k);
    k += layoutOf(f.type).flat.length;
  }
  const n = fields.length;
  if (t.kind === "tuple") {
    return {
      load: (cx, p) => {
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = lifters[i]!.load(cx, p + offsets[i]!);
        return a;
      },
      flat: (cx, f, at) => {
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = lifters[i]!.flat(cx, f, at + flatOffsets[i]!);
        return a;
      },
    };
  }
  const names = fields.map((f) => camelCase(f.name));
  return {
    load: (cx, p) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]!] = lifters[i]!.load(cx, p + offsets[i]!);
      return o;
    },
    flat: (cx, f, at) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]!] = lifters[i]!.flat(cx, f, at + flatOffsets[i]!);
      return o;
    },
  };
}

/** A conversion from a variant's joined flat slot type to a case's own flat type (`CoerceValueIter`). */
function coercion(have: FlatType, want: FlatType): ((x: unknown) => unknown) | undefined {
  if (have === want) return undefined;
  if (have === "i32" && want === "f32") return (x) => bitsToF32(x as number);
  if (have === "i64" && want === "i32") return (x) => Number(BigInt.asIntN(32, x as bigint));
  if (have === "i64" && want === "f32") return (x) => bitsToF32(Number(BigInt.asIntN(32, x as bigint)));
  if (have === "i64" && want === "f64") return (x) => bitsToF64(x as bigint);
  throw new Error(`no flat coercion from ${have} to ${want}`);
}

/**
 * Variants lift as `{ tag, val? }`, enums as their case name, options as `T | undefined` (or tagged
 * when nested), results as `{ tag: "ok" | "err", val? }`.
 */
function compileVariant(t: ValueType, nestedOption: boolean): Lifter {
  const cases = variantCases(t)!;
  const layout = variantLayoutOf(t);
  const joined = layout.flat.slice(1);
  const n = cases.length;
  const make = makeValue(t, nestedOption);
  const payloads = cases.map((c) => {
    if (c.type === undefined) return undefined;
    const l = lifterOf(c.type, t.kind === "option");
    const own = layoutOf(c.type).flat;
    const conv = own.map((want, i) => coercion(joined[i]!, want));
    if (conv.every((x) => x === undefined)) return l;
    const width = own.length;
    const flat: LiftFlat = (cx, f, at) => {
      const tmp = new Array<unknown>(width);
      for (let i = 0; i < width; i++) {
        const c = conv[i];
        tmp[i] = c === undefined ? f[at + i] : c(f[at + i]);
      }
      return l.flat(cx, tmp, 0);
    };
    return { load: l.load, flat };
  });
  const d = layout.discriminantSize;
  const off = layout.payloadOffset;
  return {
    load: (cx, p) => {
      const i = d === 1 ? cx.u8[p]! : d === 2 ? cx.dv.getUint16(p, true) : cx.dv.getUint32(p, true);
      if (i >= n) throw abiTrap(MESSAGES.discriminant);
      const pl = payloads[i];
      return make(i, pl === undefined ? undefined : pl.load(cx, p + off));
    },
    flat: (cx, f, at) => {
      const i = i32(f, at) >>> 0;
      if (i >= n) throw abiTrap(MESSAGES.discriminant);
      const pl = payloads[i];
      return make(i, pl === undefined ? undefined : pl.flat(cx, f, at + 1));
    },
  };
}

/** Builds the JS value of case `i` with payload `val`, in the shape of the variant kind. */
function makeValue(t: ValueType, nestedOption: boolean): (i: number, val: unknown) => unknown {
  switch (t.kind) {
    case "enum": {
      const names = t.names;
      return (i) => names[i];
    }
    case "option":
      if (nestedOption) return (i, val) => (i === 0 ? { tag: "none" } : { tag: "some", val });
      return (i, val) => (i === 0 ? undefined : val);
    case "result": {
      const okHas = t.ok !== undefined;
      const errHas = t.err !== undefined;
      return (i, val) =>
        i === 0 ? (okHas ? { tag: "ok", val } : { tag: "ok" }) : errHas ? { tag: "err", val } : { tag: "err" };
    }
    default: {
      const cases = variantCases(t)!;
      const tags = cases.map((c) => c.name);
      const has = cases.map((c) => c.type !== undefined);
      return (i, val) => (has[i] ? { tag: tags[i], val } : { tag: tags[i] });
    }
  }
}

/** `lift_own` / `lift_borrow`: the handle leaves (own) or is lent from (borrow) the instance's table. */
function compileHandle(t: HandleType): Lifter {
  const rt = t.resource;
  const own = t.kind === "own";
  const lift = (cx: AbiContext, i: number): unknown => {
    const table = cx.instance.handles;
    const h = table.getTyped(i, rt);
    if (own) {
      if (h.lends !== 0) throw abiTrap(MESSAGES.lent);
      if (!h.own) throw abiTrap(MESSAGES.notOwned(i));
      table.remove(i);
      return cx.resources.toJs(rt, h.rep, true);
    }
    if (cx.scope !== undefined) {
      cx.scope.lend(h);
    }
    return cx.resources.toJs(rt, h.rep, false);
  };
  return {
    load: (cx, p) => lift(cx, cx.dv.getUint32(p, true)),
    flat: (cx, f, at) => lift(cx, i32(f, at) >>> 0),
  };
}
