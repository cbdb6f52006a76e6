/**
 * The canonical ABI's static facts about a value type: its alignment and size in linear memory and
 * its flattening into core values (`CanonicalABI.md`, "Alignment", "Element Size", "Flattening").
 *
 * Specialised types are seen through their despecialisation: a tuple is a record of its elements, an
 * enum a variant without payloads, `option<T>` the variant `none | some(T)`, `result<T, E>` the
 * variant `ok(T) | error(E)`, `map<K, V>` a `list<tuple<K, V>>`. Results are cached per type object.
 *
 * Only 32-bit memories are supported (`ptr_type` `i32`); pointers are 4 bytes.
 *
 * @module
 */
import type { ComponentFuncType, ValueType } from "../types.js";
import { WasmhostBug } from "../../errors.js";

/** A core value type that a component value flattens into. */
export type FlatType = "i32" | "i64" | "f32" | "f64";

/** The canonical ABI's layout of one value type. */
export interface Layout {
  /** Alignment in linear memory, in bytes. */
  readonly align: number;
  /** Size in linear memory, in bytes (a multiple of `align`). */
  readonly size: number;
  /** The core values the type flattens into, in order. */
  readonly flat: readonly FlatType[];
}

/** `MAX_FLAT_PARAMS`: more flat parameters than this are passed through memory. */
export const MAX_FLAT_PARAMS = 16;
/** `MAX_FLAT_RESULTS`: more flat results than this are returned through memory. */
export const MAX_FLAT_RESULTS = 1;
/** `MAX_STRING_BYTE_LENGTH` and `MAX_LIST_BYTE_LENGTH`: the longest string or list in bytes. */
export const MAX_BYTE_LENGTH = 2 ** 28 - 1;

/** Rounds `ptr` up to a multiple of `align` (a power of two). */
export function alignTo(ptr: number, align: number): number {
  return Math.ceil(ptr / align) * align;
}

/** The size in bytes of the discriminant of a variant with `n` cases. */
export function discriminantSize(n: number): 1 | 2 | 4 {
  return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

/** The size in bytes of a flags value with `n` labels (1 to 32). */
export function flagsSize(n: number): 1 | 2 | 4 {
  return n <= 8 ? 1 : n <= 16 ? 2 : 4;
}

/** `join`: the flat type that holds both `a` and `b` in a variant's shared payload slot. */
function join(a: FlatType, b: FlatType): FlatType {
  if (a === b) return a;
  if ((a === "i32" && b === "f32") || (a === "f32" && b === "i32")) return "i32";
  return "i64";
}

/** A case or field seen through despecialisation: a label and an optional type. */
export interface Member {
  readonly name: string;
  readonly type: ValueType | undefined;
}

/** The cases of a type that despecialises to a variant (variant, enum, option, result), else undefined. */
export function variantCases(t: ValueType): readonly Member[] | undefined {
  switch (t.kind) {
    case "variant":
      return t.cases.map((c) => ({ name: c.name, type: c.type }));
    case "enum":
      return t.names.map((name) => ({ name, type: undefined }));
    case "option":
      return [
        { name: "none", type: undefined },
        { name: "some", type: t.type },
      ];
    case "result":
      return [
        { name: "ok", type: t.ok },
        { name: "error", type: t.err },
      ];
    default:
      return undefined;
  }
}

/** The fields of a type that despecialises to a record (record, tuple), else undefined. */
export function recordFields(t: ValueType): readonly { readonly name: string; readonly type: ValueType }[] | undefined {
  if (t.kind === "record") return t.fields;
  if (t.kind === "tuple") return t.types.map((type, i) => ({ name: String(i), type }));
  return undefined;
}

const mapEntries = new WeakMap<object, ValueType>();

/**
 * `map<K, V>` despecialises to `list<tuple<K, V>>`: this is the tuple (one object per map type, so
 * that compiled lifters and lowerers are cached). A map's JS value is an array of `[key, value]`.
 */
export function mapEntry(t: ValueType & { kind: "map" }): ValueType {
  let e = mapEntries.get(t);
  if (e === undefined) mapEntries.set(t, (e = { kind: "tuple", types: [t.key, t.value] }));
  return e;
}

/** The layout of a variant with these cases: discriminant, then the payload at the widest alignment. */
export interface VariantLayout extends Layout {
  readonly discriminantSize: 1 | 2 | 4;
  /** Offset of the payload from the start of the variant. */
  readonly payloadOffset: number;
}

const cache = new WeakMap<object, Layout>();

/** The alignment, size and flattening of `t`. */
export function layoutOf(t: ValueType): Layout {
  const key = t.kind === "enum" || t.kind === "flags" ? t.names : t; // as lowererOf does
  let l = cache.get(key);
  if (l === undefined) {
    l = computeLayout(t);
    cache.set(key, l);
  }
  return l;
}

/** The layout of a type that despecialises to a variant, with its payload offset. */
export function variantLayoutOf(t: ValueType): VariantLayout {
  const l = layoutOf(t);
  if (!("payloadOffset" in l)) throw new WasmhostBug(`${t.kind} is not a variant`);
  return l as VariantLayout;
}

/** The byte offsets of a record's (or tuple's) fields. */
export function fieldOffsets(fields: readonly { readonly type: ValueType }[]): number[] {
  const offsets: number[] = [];
  let s = 0;
  for (const f of fields) {
    const fl = layoutOf(f.type);
    s = alignTo(s, fl.align);
    offsets.push(s);
    s += fl.size;
  }
  return offsets;
}

function computeLayout(t: ValueType): Layout {
  switch (t.kind) {
    case "bool":
    case "s8":
    case "u8":
      return { align: 1, size: 1, flat: ["i32"] };
    case "s16":
    case "u16":
      return { align: 2, size: 2, flat: ["i32"] };
    case "s32":
    case "u32":
    case "char":
      return { align: 4, size: 4, flat: ["i32"] };
    case "s64":
    case "u64":
      return { align: 8, size: 8, flat: ["i64"] };
    case "f32":
      return { align: 4, size: 4, flat: ["f32"] };
    case "f64":
      return { align: 8, size: 8, flat: ["f64"] };
    case "string":
      return { align: 4, size: 8, flat: ["i32", "i32"] };
    case "own":
    case "borrow":
    case "error-context":
    case "stream":
    case "future":
      return { align: 4, size: 4, flat: ["i32"] };
    case "flags": {
      const n = flagsSize(t.names.length);
      return { align: n, size: n, flat: ["i32"] };
    }
    case "list": {
      if (t.length === undefined) return { align: 4, size: 8, flat: ["i32", "i32"] };
      const e = layoutOf(t.element);
      const flat: FlatType[] = [];
      for (let i = 0; i < t.length; i++) flat.push(...e.flat);
      return { align: e.align, size: e.size * t.length, flat };
    }
    case "map":
      return { align: 4, size: 8, flat: ["i32", "i32"] };
    case "record":
    case "tuple": {
      const fields = recordFields(t)!;
      let align = 1;
      let size = 0;
      const flat: FlatType[] = [];
      for (const f of fields) {
        const fl = layoutOf(f.type);
        align = Math.max(align, fl.align);
        size = alignTo(size, fl.align) + fl.size;
        flat.push(...fl.flat);
      }
      return { align, size: alignTo(size, align), flat };
    }
    case "variant":
    case "enum":
    case "option":
    case "result": {
      const cases = variantCases(t)!;
      const d = discriminantSize(cases.length);
      let caseAlign = 1;
      let caseSize = 0;
      const payload: FlatType[] = [];
      for (const c of cases) {
        if (c.type === undefined) continue;
        const cl = layoutOf(c.type);
        caseAlign = Math.max(caseAlign, cl.align);
        caseSize = Math.max(caseSize, cl.size);
        cl.flat.forEach((ft, i) => {
          payload[i] = i < payload.length ? join(payload[i]!, ft) : ft;
        });
      }
      const align = Math.max(d, caseAlign);
      const payloadOffset = alignTo(d, caseAlign);
      const layout: VariantLayout = {
        align,
        size: alignTo(payloadOffset + caseSize, align),
        flat: ["i32", ...payload],
        discriminantSize: d,
        payloadOffset,
      };
      return layout;
    }
  }
}

/** The flattening of a function type as `canon lift` sees it: core parameter and result types. */
export interface FlatSignature {
  /** Core parameters: the flat parameters, or one pointer when they spill to memory. */
  readonly params: readonly FlatType[];
  /** Core results (lift): the flat result, or a pointer when it spills. */
  readonly results: readonly FlatType[];
  /** Whether the parameters are passed through memory. */
  readonly paramsInMemory: boolean;
  /** Whether the result is returned through memory. */
  readonly resultInMemory: boolean;
}

/** A signature shared by every user of its type: frozen, arrays included. */
function frozen(sig: FlatSignature): FlatSignature {
  return Object.freeze({ ...sig, params: Object.freeze([...sig.params]), results: Object.freeze([...sig.results]) });
}

const lifted = new WeakMap<ComponentFuncType, FlatSignature>();
const lowered = new WeakMap<ComponentFuncType, FlatSignature>();

/** `flatten_functype(opts, ft, 'lift')` for a synchronous function on 32-bit memory (cached per type object). */
export function flattenLift(ft: ComponentFuncType): FlatSignature {
  let sig = lifted.get(ft);
  if (sig === undefined) lifted.set(ft, (sig = frozen(computeFlattenLift(ft))));
  return sig;
}

function computeFlattenLift(ft: ComponentFuncType): FlatSignature {
  const params = ft.params.flatMap((p) => layoutOf(p.type).flat);
  const results = ft.result ? layoutOf(ft.result).flat : [];
  const paramsInMemory = params.length > MAX_FLAT_PARAMS;
  const resultInMemory = results.length > MAX_FLAT_RESULTS;
  return {
    params: paramsInMemory ? ["i32"] : params,
    results: resultInMemory ? ["i32"] : results,
    paramsInMemory,
    resultInMemory,
  };
}

/** `MAX_FLAT_ASYNC_PARAMS`: an async lowered call passes more flat parameters than this through memory. */
export const MAX_FLAT_ASYNC_PARAMS = 4;

/**
 * `flatten_functype(opts, ft, 'lift')` for an async function without a callback: parameters as for
 * a sync function, no core results (the result goes through `task.return`).
 */
export function flattenLiftAsync(ft: ComponentFuncType): FlatSignature {
  const lift = flattenLift(ft);
  return { ...lift, results: [], resultInMemory: false };
}

/**
 * `flatten_functype(opts, ft, 'lower')` for an async lowering: at most 4 flat parameters (else a
 * pointer), a result pointer when there is a result, and the i32 subtask status as the result.
 */
export function flattenLowerAsync(ft: ComponentFuncType): FlatSignature {
  const params = ft.params.flatMap((p) => layoutOf(p.type).flat);
  const paramsInMemory = params.length > MAX_FLAT_ASYNC_PARAMS;
  const out: FlatType[] = paramsInMemory ? ["i32"] : [...params];
  if (ft.result !== undefined) out.push("i32");
  return { params: out, results: ["i32"], paramsInMemory, resultInMemory: ft.result !== undefined };
}

/** `flatten_functype(opts, ft, 'lower')`: a spilled result becomes an extra pointer parameter (cached per type object). */
export function flattenLower(ft: ComponentFuncType): FlatSignature {
  let sig = lowered.get(ft);
  if (sig === undefined) {
    const lift = flattenLift(ft);
    sig = lift.resultInMemory ? frozen({ ...lift, params: [...lift.params, "i32"], results: [] }) : lift;
    lowered.set(ft, sig);
  }
  return sig;
}
