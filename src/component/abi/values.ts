/**
 * The JS side of component values: names as JS sees them (camelCase), and the checks that turn a JS
 * value that does not fit its type into a `TypeError` naming where it was (`render: arg 0: expected a
 * string, got 42`).
 *
 * A check deep inside a value throws a `ValueError` with the reason; each enclosing record, list,
 * variant, ... adds its step to the path on the way out, and the function boundary turns it into the
 * `TypeError` with the function's name and the argument. No path is built unless a check fails.
 *
 * @module
 */

/** `foo-bar-baz` → `fooBarBaz`; all-caps words are lowercased first (`get-URL` → `getUrl`). */
export function camelCase(name: string): string {
  let out = camelNames.get(name);
  if (out === undefined) {
    if (camelNames.size >= 4096) camelNames.clear(); // bounded, whatever names come
    camelNames.set(name, (out = toCamelCase(name)));
  }
  return out;
}

/** `camelCase`'s recent answers: names repeat in every instantiation of a component. */
const camelNames = new Map<string, string>();

function toCamelCase(name: string): string {
  const words = name.split("-");
  let out = words[0]!.toLowerCase();
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    out += w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
  }
  return out;
}

/** A JS value did not fit its component type; `path` says where inside the value. */
export class ValueError extends Error {
  /** Steps from the argument down to the value that failed, outermost first (`.name`, `[3]`, `.val`). */
  readonly path: string[] = [];
  /** The reason, without the path. */
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = "ValueError";
    this.reason = reason;
  }

  /** Adds an outer step and returns this error. */
  within(step: string): ValueError {
    this.path.unshift(step);
    return this;
  }
}

/** A short rendering of `v` for messages: `42`, `"abc"`, `undefined`, `an object`, `an array`. */
export function describe(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
    case "bigint":
      return `${v}n`;
    case "object":
      return v === null ? "null" : Array.isArray(v) ? "an array" : "an object";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      return String(v);
  }
}

/** Throws the `ValueError` "expected WHAT, got V". */
export function mismatch(what: string, v: unknown): never {
  throw new ValueError(`expected ${what}, got ${describe(v)}`);
}

/** Rethrows `e` with `step` added to its path when it is a `ValueError`. */
export function within(e: unknown, step: string): never {
  throw e instanceof ValueError ? e.within(step) : e;
}

/** The `TypeError` for a `ValueError` at `where` (`render: arg 0`). Other errors pass through. */
export function toTypeError(e: unknown, where: string): unknown {
  if (!(e instanceof ValueError)) return e;
  return new TypeError(`${where}${e.path.join("")}: ${e.reason}`);
}

/** The integer range of each small integer type, for checks and messages. */
export const INT_RANGES = {
  u8: [0, 0xff],
  s8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  u32: [0, 0xffff_ffff],
  s32: [-0x8000_0000, 0x7fff_ffff],
} as const;

/** Checks a JS number for integer type `kind` and returns it. */
export function checkInt(kind: keyof typeof INT_RANGES, v: unknown): number {
  const [lo, hi] = INT_RANGES[kind];
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    mismatch(`a ${kind} (an integer in ${lo}..${hi})`, v);
  }
  return v;
}

/** Checks a JS bigint for `u64` or `s64` and returns it. */
export function checkBigInt(kind: "u64" | "s64", v: unknown): bigint {
  if (typeof v !== "bigint" || (kind === "u64" ? BigInt.asUintN(64, v) !== v : BigInt.asIntN(64, v) !== v)) {
    mismatch(`a ${kind} (a bigint in ${kind === "u64" ? "0..2^64-1" : "-2^63..2^63-1"})`, v);
  }
  return v;
}

/** Checks a JS value for `char` (one Unicode scalar value as a string) and returns its code point. */
export function checkChar(v: unknown): number {
  if (typeof v === "string" && v.length > 0 && v.length <= 2) {
    const c = v.codePointAt(0)!;
    if ((c < 0xd800 || c > 0xdfff) && v.length === (c > 0xffff ? 2 : 1)) return c;
  }
  return mismatch("a char (a string of one Unicode scalar value)", v);
}

/** Checks a JS value for `string` (well formed: no lone surrogates) and returns it. */
export function checkString(v: unknown): string {
  if (typeof v !== "string") mismatch("a string", v);
  if (!(v as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new ValueError("expected a string of Unicode scalar values, got one with a lone surrogate");
  }
  return v;
}

/** Checks a JS value for a list: any array-like (an Array, a typed array, ...). */
export function checkList(v: unknown): ArrayLike<unknown> {
  if (typeof v === "string" || typeof v !== "object" || v === null || typeof (v as { length?: unknown }).length !== "number") {
    mismatch("an array", v);
  }
  return v as ArrayLike<unknown>;
}

/** Checks a JS value for a record, tuple payload holder, variant or flags: a non-null object. */
export function checkObject(what: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null) mismatch(what, v);
  return v as Record<string, unknown>;
}
