/**
 * Prepares a decoded binary for the engine. The JS API lacks three things the embedding API needs, and
 * each is obtained by a small rewrite of the module's sections (function bodies are never touched):
 *
 * 1. The start function must run after the instance exists, so that host functions it calls can reach
 *    the instance's exports through their `Caller`. The start section is removed and the start function
 *    exported under a hidden name; `Instance` calls it after instantiation.
 * 2. A function reference that wasm hands to the host (a `funcref` result, `table.get`) must become the
 *    right `Func`, with its type. Only functions declared in the module's element segments, globals or
 *    exports can ever be referenced, so those are exported under hidden names, and an unknown engine
 *    function is identified by comparing it with them (see `Store.funcFromNative`).
 * 3. Stack frames must name the module they belong to. The binary's name section gets a unique module
 *    name (the original one where possible), which the engine prints in every frame location.
 *
 * Removing the start section and growing the export section shift the code section by `codeDelta`
 * bytes; frame offsets (which always lie in the code section) are mapped back with it.
 *
 * @module
 */
import type { ModuleInfo } from "../binary/module-info.js";
import { SectionId } from "../binary/module-info.js";

/** The prefix of every hidden export; no sane module exports a name starting with NUL. */
export const HIDDEN_PREFIX = "\u0000wasmhost:";
/** The hidden export of the start function. */
export const HIDDEN_START = `${HIDDEN_PREFIX}start`;

/** The hidden export name of function `index`. */
export function hiddenFuncExport(index: number): string {
  return `${HIDDEN_PREFIX}f${index}`;
}

/** The result of `prepareBinary`. */
export interface PreparedBinary {
  /** The bytes to hand to the engine. */
  readonly bytes: Uint8Array;
  /** Original offset = engine offset - codeDelta, for offsets in the code section. */
  readonly codeDelta: number;
  /** The module's start function, exported as `HIDDEN_START`, if it has one. */
  readonly start: number | undefined;
  /** Functions exported under hidden names so that references to them can be identified. */
  readonly declaredFuncs: ReadonlySet<number>;
}

/** Rewrites `info.bytes` as described in the module comment, naming the module `engineName`. */
export function prepareBinary(info: ModuleInfo, engineName: string): PreparedBinary {
  const declared = declaredFunctions(info);
  const exported = new Set<number>();
  for (const e of info.exports) if (e.kind === "func") exported.add(e.index);
  const hidden: [string, number][] = [];
  if (info.start !== undefined) hidden.push([HIDDEN_START, info.start]);
  for (const f of declared) if (!exported.has(f)) hidden.push([hiddenFuncExport(f), f]);

  const src = info.bytes;
  const out = new ByteSink(src.length + 64 + hidden.length * 16);
  out.bytes(src.subarray(0, 8));
  let exportWritten = false;
  let codeDelta = 0;
  let inputPos = 8;
  const writeExports = (originalPayload: Uint8Array | undefined): void => {
    const body = new ByteSink(64 + hidden.length * 16);
    body.u32(info.exports.length + hidden.length);
    if (originalPayload) {
      // Skip the original count; copy the entries verbatim.
      let p = 0;
      while (originalPayload[p]! & 0x80) p++;
      body.bytes(originalPayload.subarray(p + 1));
    }
    for (const [name, index] of hidden) {
      body.name(name);
      body.u8(0);
      body.u32(index);
    }
    out.u8(SectionId.export);
    out.u32(body.length);
    out.bytes(body.view());
    exportWritten = true;
  };
  for (const s of info.sections) {
    if (s.id === SectionId.export) {
      writeExports(src.subarray(s.payloadOffset, s.end));
    } else if (s.id === SectionId.start || (s.id === SectionId.custom && s.name === "name")) {
      // dropped: the start function is called by Instance; the name section is rewritten at the end
    } else {
      if (!exportWritten && hidden.length > 0 && s.id !== SectionId.custom && rank(s.id) > rank(SectionId.export)) {
        writeExports(undefined);
      }
      if (s.id === SectionId.code) codeDelta = out.length - s.offset;
      out.bytes(src.subarray(s.offset, s.end));
    }
    inputPos = s.end;
  }
  if (!exportWritten && hidden.length > 0) writeExports(undefined);
  out.bytes(src.subarray(inputPos));
  writeNameSection(out, info, engineName);
  return { bytes: out.view(), codeDelta, start: info.start, declaredFuncs: declared };
}

const RANKS: Readonly<Record<number, number>> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };
function rank(id: number): number {
  return RANKS[id] ?? 0;
}

/** Functions that may be referenced: in element segments, global initializers and exports. */
function declaredFunctions(info: ModuleInfo): Set<number> {
  const out = new Set<number>();
  for (const seg of info.elements) {
    if (seg.items.kind === "functions") for (const f of seg.items.indices) out.add(f);
    else for (const e of seg.items.exprs) addRefFunc(e.bytes, out);
  }
  for (const g of info.globals) addRefFunc(g.init.bytes, out);
  for (const t of info.tables) if (t.init) addRefFunc(t.init.bytes, out);
  return out;
}

/** Adds the function of a `ref.func N` constant expression. */
function addRefFunc(expr: Uint8Array, out: Set<number>): void {
  if (expr[0] !== 0xd2) return;
  let value = 0;
  let shift = 0;
  for (let i = 1; i < expr.length && i < 6; i++) {
    const b = expr[i]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) {
      out.add(value);
      return;
    }
  }
}

/**
 * Appends a name section: the unique engine name as the module name, then the original section's
 * other subsections verbatim (function names keep showing in the engine's own stack traces).
 */
function writeNameSection(out: ByteSink, info: ModuleInfo, engineName: string): void {
  const body = new ByteSink(64);
  body.name("name");
  const sub = new ByteSink(engineName.length + 2);
  sub.name(engineName);
  body.u8(0);
  body.u32(sub.length);
  body.bytes(sub.view());
  const original = info.customSections.find((c) => c.name === "name");
  if (original && info.names.malformed === undefined) {
    // Copy every subsection but the module name.
    const d = original.data;
    let p = 0;
    while (p < d.length) {
      const start = p;
      const id = d[p++]!;
      let size = 0;
      let shift = 0;
      for (;;) {
        const b = d[p++]!;
        size += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
      }
      p += size;
      if (id !== 0) body.bytes(d.subarray(start, p));
    }
  }
  out.u8(SectionId.custom);
  out.u32(body.length);
  out.bytes(body.view());
}

const utf8 = new TextEncoder();

/** A growable byte buffer with LEB128 and name writers. */
class ByteSink {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  u32(v: number): void {
    this.reserve(5);
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.buf[this.length++] = b;
    } while (v !== 0);
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  name(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * A module that imports one function of type `params -> results` and exports it: instantiating it
 * with a JS function turns that function into a genuine wasm function (usable as a `funcref`).
 */
export function reexportModuleBytes(params: readonly number[], results: readonly number[]): Uint8Array {
  const out = new ByteSink(64);
  out.bytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const type = new ByteSink(16);
  type.u32(1);
  type.u8(0x60);
  type.u32(params.length);
  for (const p of params) type.u8(p);
  type.u32(results.length);
  for (const r of results) type.u8(r);
  out.u8(SectionId.type);
  out.u32(type.length);
  out.bytes(type.view());
  const imp = new ByteSink(16);
  imp.u32(1);
  imp.name("h");
  imp.name("f");
  imp.u8(0);
  imp.u32(0);
  out.u8(SectionId.import);
  out.u32(imp.length);
  out.bytes(imp.view());
  const exp = new ByteSink(8);
  exp.u32(1);
  exp.name("f");
  exp.u8(0);
  exp.u32(0);
  out.u8(SectionId.export);
  out.u32(exp.length);
  out.bytes(exp.view());
  return out.view();
}
