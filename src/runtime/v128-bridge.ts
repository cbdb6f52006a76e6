/**
 * Bridges for `v128` across the host boundary. The engine's JS API refuses v128 parameters, results
 * and global values ("type incompatibility when transforming from/to JS"), but wasm functions and
 * globals with v128 types can be imported by other wasm modules. So a tiny generated module sits
 * between the host and the function: it takes or returns each v128 as four i32 lanes (no BigInt
 * allocated) and converts inside wasm with `i32x4.splat`/`replace_lane`/`extract_lane`.
 *
 * - `toWasm` (the host calls a wasm function): imports the function with its own type and exports one
 *   whose v128 parameters and results are lowered to lanes.
 * - `toHost` (wasm calls a host function): imports the lowered host function and exports a genuine
 *   wasm function of the original type, usable as an import, in tables and as a funcref.
 * - globals: a module importing the global and exporting `get` (four lanes) and `set`.
 *
 * One module per signature (cached); one instance per function or global.
 *
 * @module
 */
import { SectionId } from "../binary/module-info.js";
import { ByteWriter } from "../binary/encoder.js";
import { formatValTypes, type ValType } from "../types.js";
import { valTypeCode } from "./values.js";
import { u32Leb } from "../binary/encoder.js";

const SIMD = 0xfd;
const I32X4_SPLAT = 0x11;
const I32X4_EXTRACT_LANE = 0x1b;
const I32X4_REPLACE_LANE = 0x1c;
const I32 = 0x7f;
const V128 = 0x7b;

/** True when a type list has a v128. */
export function hasV128(types: readonly ValType[]): boolean {
  for (const t of types) if (t === "v128") return true;
  return false;
}

/** The types with each v128 replaced by four i32 lanes. */
function lowered(types: readonly ValType[]): number[] {
  const out: number[] = [];
  for (const t of types) {
    if (t === "v128") out.push(I32, I32, I32, I32);
    else out.push(valTypeCode(t));
  }
  return out;
}

const modules = new Map<string, WebAssembly.Module>();

/** The compiled bridge of `direction` for `params -> results` (cached). */
function bridgeModule(direction: "toWasm" | "toHost", params: readonly ValType[], results: readonly ValType[]): WebAssembly.Module {
  const key = `${direction}:${formatValTypes(params)}->${formatValTypes(results)}`;
  let module = modules.get(key);
  if (!module) {
    const own = { params: params.map(valTypeCode), results: results.map(valTypeCode) };
    const low = { params: lowered(params), results: lowered(results) };
    // toWasm: import the function's own type, export the lowered one; toHost the other way round.
    const [imported, exported] = direction === "toWasm" ? [own, low] : [low, own];
    module = compileBridge(functionBridge(imported, exported));
    modules.set(key, module);
  }
  return module;
}

/**
 * The engine-callable function taking and returning each v128 of `params -> results` as four i32
 * lanes, calling the wasm function `target` (whose type has v128s).
 */
export function loweredCaller(params: readonly ValType[], results: readonly ValType[], target: object): (...args: unknown[]) => unknown {
  const instance = new WebAssembly.Instance(bridgeModule("toWasm", params, results), { h: { f: target as () => void } });
  return instance.exports.f as (...args: unknown[]) => unknown;
}

/**
 * A genuine wasm function of type `params -> results` that calls `lowered`, a JS function taking and
 * returning each v128 as four i32 lanes.
 */
export function raisedFunction(params: readonly ValType[], results: readonly ValType[], lowered: (...args: never[]) => unknown): (...args: never[]) => unknown {
  const instance = new WebAssembly.Instance(bridgeModule("toHost", params, results), { h: { f: lowered } });
  return instance.exports.f as (...args: never[]) => unknown;
}

/** A module importing `h.f` of type `imported` and exporting `f` of type `exported`, converting between them. */
function functionBridge(imported: { params: number[]; results: number[] }, exported: { params: number[]; results: number[] }): Uint8Array {
  const body = new ByteWriter(64);
  // Locals after the parameters: one per imported result, to pick the results off the stack.
  const resultLocals = imported.results;
  body.u32(resultLocals.length);
  for (const t of resultLocals) {
    body.u32(1);
    body.byte(t);
  }
  // Arguments: exported params -> imported params.
  convert(body, exported.params, imported.params, (i) => i);
  body.bytes([0x10, 0]); // call h.f
  const base = exported.params.length;
  for (let i = resultLocals.length - 1; i >= 0; i--) body.bytes([0x21, ...u32Leb(base + i)]); // local.set
  convert(body, imported.results, exported.results, (i) => base + i);
  body.byte(0x0b);

  const out = new ByteWriter(128);
  out.bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  section(out, SectionId.type, (w) => {
    w.u32(2);
    for (const t of [imported, exported]) {
      w.byte(0x60);
      w.vecBytes(Uint8Array.from(t.params));
      w.vecBytes(Uint8Array.from(t.results));
    }
  });
  section(out, SectionId.import, (w) => {
    w.u32(1);
    w.name("h");
    w.name("f");
    w.bytes([0, 0]); // func of type 0
  });
  section(out, SectionId.function, (w) => w.bytes([1, 1]));
  section(out, SectionId.export, (w) => {
    w.u32(1);
    w.name("f");
    w.bytes([0, 1]); // func 1
  });
  section(out, SectionId.code, (w) => {
    w.u32(1);
    w.u32(body.len);
    w.bytes(body.buf.subarray(0, body.len));
  });
  return out.buf.slice(0, out.len);
}

/**
 * Pushes the values of locals `from` (local index `at(i)` for the i-th), converted to the types `to`:
 * a v128 to four i32 lanes, four i32 lanes to a v128 where `to` has a v128, the rest as they are.
 */
function convert(w: ByteWriter, from: readonly number[], to: readonly number[], at: (i: number) => number): void {
  let i = 0;
  let j = 0;
  while (j < to.length) {
    const target = to[j]!;
    const source = from[i]!;
    if (target === V128 && source !== V128) {
      // four i32 locals -> v128
      w.bytes([0x20, ...u32Leb(at(i)), SIMD, ...u32Leb(I32X4_SPLAT)]);
      for (let lane = 1; lane < 4; lane++) w.bytes([0x20, ...u32Leb(at(i + lane)), SIMD, ...u32Leb(I32X4_REPLACE_LANE), lane]);
      i += 4;
      j += 1;
    } else if (source === V128 && target !== V128) {
      // v128 local -> four i32
      for (let lane = 0; lane < 4; lane++) w.bytes([0x20, ...u32Leb(at(i)), SIMD, ...u32Leb(I32X4_EXTRACT_LANE), lane]);
      i += 1;
      j += 4;
    } else {
      w.bytes([0x20, ...u32Leb(at(i))]);
      i += 1;
      j += 1;
    }
  }
}

/** Compiles a bridge; an engine without SIMD cannot, and gets an error saying so. */
function compileBridge(bytes: Uint8Array): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new TypeError("v128 values cannot cross the host boundary: this engine does not support SIMD (v128)", { cause: e });
  }
}

function section(out: ByteWriter, id: number, write: (w: ByteWriter) => void): void {
  out.byte(id);
  const mark = out.beginSized();
  write(out);
  out.endSized(mark);
}


// ---- globals -----------------------------------------------------------------------------------

const globalModules = new Map<boolean, WebAssembly.Module>();

/** Reads and writes a v128 global through a bridge: `get` returns four i32 lanes, `set` takes them. */
export interface V128GlobalAccess {
  get(): [number, number, number, number];
  set(a: number, b: number, c: number, d: number): void;
}

/** The accessors of the v128 global `global` (mutable or not). */
export function v128GlobalAccess(global: WebAssembly.Global, mutable: boolean): V128GlobalAccess {
  let module = globalModules.get(mutable);
  if (!module) {
    module = compileBridge(globalBridge(mutable));
    globalModules.set(mutable, module);
  }
  const exports = new WebAssembly.Instance(module, { h: { g: global } }).exports as unknown as {
    get(): [number, number, number, number];
    set?(a: number, b: number, c: number, d: number): void;
  };
  return {
    get: exports.get,
    set:
      exports.set ??
      (() => {
        throw new TypeError("cannot set an immutable v128 global");
      }),
  };
}

/** A module importing global `h.g` (v128) and exporting `get` (and `set` when mutable). */
function globalBridge(mutable: boolean): Uint8Array {
  const out = new ByteWriter(128);
  out.bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  section(out, SectionId.type, (w) => {
    w.u32(2);
    w.bytes([0x60, 0, 4, I32, I32, I32, I32]); // get: () -> (i32 x4)
    w.bytes([0x60, 4, I32, I32, I32, I32, 0]); // set: (i32 x4) -> ()
  });
  section(out, SectionId.import, (w) => {
    w.u32(1);
    w.name("h");
    w.name("g");
    w.bytes([3, V128, mutable ? 1 : 0]);
  });
  section(out, SectionId.function, (w) => w.bytes(mutable ? [2, 0, 1] : [1, 0]));
  section(out, SectionId.export, (w) => {
    w.u32(mutable ? 2 : 1);
    w.name("get");
    w.bytes([0, 0]);
    if (mutable) {
      w.name("set");
      w.bytes([0, 1]);
    }
  });
  const get = new ByteWriter(32);
  get.u32(0);
  for (let lane = 0; lane < 4; lane++) get.bytes([0x23, 0, SIMD, I32X4_EXTRACT_LANE, lane]);
  get.byte(0x0b);
  const set = new ByteWriter(32);
  set.u32(0);
  convert(set, [I32, I32, I32, I32], [V128], (i) => i);
  set.bytes([0x24, 0, 0x0b]);
  section(out, SectionId.code, (w) => {
    const bodies = mutable ? [get, set] : [get];
    w.u32(bodies.length);
    for (const b of bodies) {
      w.u32(b.len);
      w.bytes(b.buf.subarray(0, b.len));
    }
  });
  return out.buf.slice(0, out.len);
}

/** A new v128 global holding the four lanes (made by a module, as the JS API cannot create one). */
export function newV128Global(mutable: boolean, lanes: readonly [number, number, number, number]): WebAssembly.Global {
  const out = new ByteWriter(96);
  out.bytes([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  section(out, SectionId.global, (w) => {
    w.u32(1);
    w.bytes([V128, mutable ? 1 : 0, SIMD, 0x0c]); // v128.const
    for (const l of lanes) w.u32le(l >>> 0);
    w.byte(0x0b);
  });
  section(out, SectionId.export, (w) => {
    w.u32(1);
    w.name("g");
    w.bytes([3, 0]);
  });
  return new WebAssembly.Instance(compileBridge(out.buf.slice(0, out.len))).exports.g as WebAssembly.Global;
}
