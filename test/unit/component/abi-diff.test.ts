/**
 * The canonical ABI against its executable reference: `abi_driver.py` imports the spec's
 * definitions.py (from ../shared, never copied), generates random types and values, and reports what
 * the reference computes: layout, flattening, the memory after `store` and `lower_flat` with every
 * realloc call, and the result (or trap) of lifting valid and mutated memory and flat values. Our
 * lifting and lowering must match byte for byte and value for value.
 *
 * `npm test` runs a few hundred cases; `CABI_CASES=5000 CABI_SEED=7 node --test ...` runs more.
 * Skipped, visibly, when python3 or ../shared is missing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ValueType } from "../../../src/component/types.js";
import { AbiContext, type StringEncoding } from "../../../src/component/abi/context.js";
import { InstanceState } from "../../../src/component/abi/handles.js";
import { layoutOf } from "../../../src/component/abi/layout.js";
import { lifterOf } from "../../../src/component/abi/lift.js";
import { lowererOf } from "../../../src/component/abi/lower.js";
import { Trap } from "../../../src/errors.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const definitions = `${root}../shared/component-model/design/mvp/canonical-abi`;
const driver = `${root}test/unit/component/abi_driver.py`;
const CASES = Number(process.env.CABI_CASES ?? 300);
const SEED = Number(process.env.CABI_SEED ?? 20261202);

const python = spawnSync("python3", ["--version"]);
const skip = python.error
  ? "python3 is not installed"
  : !existsSync(`${definitions}/definitions.py`)
    ? `${definitions}/definitions.py is missing`
    : false;

interface Case {
  case: number;
  type: ValueType;
  encoding: StringEncoding;
  source: StringEncoding;
  value: unknown;
  align: number;
  size: number;
  flatTypes: string[];
  bumpStart: number;
  store: { mem: string; log: number[][] };
  loads: { mem: string; result: "trap" | { ok: unknown } }[];
  flat: { values: unknown[]; mem: string; log: number[][] };
  lifts: { values: unknown[]; result: "trap" | { ok: unknown } }[];
}

const TYPED: Record<string, new (a: ArrayLike<never>) => unknown> = {
  u8: Uint8Array, s8: Int8Array, u16: Uint16Array, s16: Int16Array, u32: Uint32Array, s32: Int32Array,
  u64: BigUint64Array, s64: BigInt64Array, f32: Float32Array, f64: Float64Array,
};

/** The driver's JSON (with `$big`, `$f`, `$u`, `$typed` tags) as JS values. */
function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  if ("$big" in o) return BigInt(o.$big as string);
  if ("$u" in o) return undefined;
  if ("$f" in o) return { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 }[o.$f as string];
  if ("$typed" in o) return new TYPED[o.$typed as string]!((o.v as unknown[]).map(decode) as never);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decode(x);
  return out;
}

/** The same bump allocator as the driver's, with its call log and freed blocks. */
class Heap {
  readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly log: number[][] = [];
  readonly freed: [number, number][] = [];
  constructor(public bump: number) {}
  realloc = (old: number, oldSize: number, align: number, newSize: number): number => {
    const ptr = Math.ceil(this.bump / align) * align;
    this.bump = ptr + newSize;
    const u8 = new Uint8Array(this.memory.buffer);
    u8.copyWithin(ptr, old, old + Math.min(oldSize, newSize));
    if (oldSize) this.freed.push([old, oldSize]);
    this.log.push([old, oldSize, align, newSize, ptr]);
    return ptr;
  };
  report(): string {
    const b = new Uint8Array(this.memory.buffer).slice(0, this.bump);
    for (const [p, n] of this.freed) b.fill(0, p, p + n);
    return Buffer.from(b).toString("hex");
  }
  load(hex: string): void {
    new Uint8Array(this.memory.buffer).set(Buffer.from(hex, "hex"));
  }
  context(c: Case): AbiContext {
    const cx = new AbiContext({ stringEncoding: c.encoding, memory: this.memory, realloc: this.realloc }, new InstanceState());
    cx.sourceEncoding = c.source;
    cx.sync();
    return cx;
  }
}

/** Half of the numeric lists go in as plain arrays, to cover the element-by-element path too. */
function plainLists(v: unknown, flip: () => boolean): unknown {
  if (ArrayBuffer.isView(v)) return flip() ? Array.from(v as unknown as ArrayLike<unknown>) : v;
  if (Array.isArray(v)) return v.map((x) => plainLists(x, flip));
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainLists(x, flip);
    return out;
  }
  return v;
}

/** Flat values as the engine passes them (i32 signed numbers, i64 signed bigints), from the driver's unsigned ones. */
function engineFlat(values: unknown[], types: string[]): unknown[] {
  return values.map((v, i) =>
    types[i] === "i32" ? Number(BigInt(v as string)) | 0 : types[i] === "i64" ? BigInt.asIntN(64, BigInt(v as string)) : decode(v),
  );
}

/** Our flat values in the driver's unsigned notation. */
function driverFlat(values: unknown[], types: string[]): unknown[] {
  return values.map((v, i) =>
    types[i] === "i32"
      ? String((v as number) >>> 0)
      : types[i] === "i64"
        ? String(BigInt.asUintN(64, v as bigint))
        : (v as number),
  );
}

function outcome(f: () => unknown): "trap" | { ok: unknown } {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof Trap) return "trap";
    throw e;
  }
}

function expected(r: "trap" | { ok: unknown }): "trap" | { ok: unknown } {
  return r === "trap" ? r : { ok: decode(r.ok) };
}

function run(c: Case): void {
  const t = c.type;
  const where = `case ${c.case} (${JSON.stringify(t)}, ${c.encoding} from ${c.source})`;
  const layout = layoutOf(t);
  assert.equal(layout.align, c.align, `${where}: alignment`);
  assert.equal(layout.size, c.size, `${where}: size`);
  assert.deepEqual(layout.flat, c.flatTypes, `${where}: flattening`);
  const value = decode(c.value);
  let n = 0;
  const input = plainLists(value, () => (n++ & 1) === 1);

  const stored = new Heap(c.bumpStart);
  lowererOf(t).store(stored.context(c), input, 8);
  assert.deepEqual(stored.log, c.store.log, `${where}: realloc calls of store`);
  assert.equal(stored.report(), c.store.mem, `${where}: memory after store`);

  for (const [i, l] of c.loads.entries()) {
    const heap = new Heap(c.bumpStart);
    heap.load(l.mem);
    const got = outcome(() => lifterOf(t).load(heap.context(c), 8));
    assert.deepEqual(got, expected(l.result), `${where}: load ${i}`);
  }

  const lowered = new Heap(32);
  const out: unknown[] = new Array(layout.flat.length);
  lowererOf(t).flat(lowered.context(c), input, out, 0);
  assert.deepEqual(driverFlat(out, c.flatTypes), c.flat.values.map((v, i) => (c.flatTypes[i]!.startsWith("f") ? decode(v) : v)), `${where}: flat values`);
  assert.deepEqual(lowered.log, c.flat.log, `${where}: realloc calls of lower_flat`);
  assert.equal(lowered.report(), c.flat.mem, `${where}: memory after lower_flat`);

  for (const [i, l] of c.lifts.entries()) {
    const heap = new Heap(32);
    heap.load(c.flat.mem);
    const got = outcome(() => lifterOf(t).flat(heap.context(c), engineFlat(l.values, c.flatTypes), 0));
    assert.deepEqual(got, expected(l.result), `${where}: lift_flat ${i}`);
  }
}

test(`canonical ABI matches definitions.py on ${CASES} random types and values`, { skip }, () => {
  const r = spawnSync("python3", [driver, definitions, String(SEED), String(CASES)], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  assert.equal(r.status, 0, r.stderr);
  const cases = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Case);
  assert.equal(cases.length, CASES);
  for (const c of cases) run(c);
});
