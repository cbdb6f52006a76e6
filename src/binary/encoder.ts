/**
 * The binary encoder: a growable byte writer with LEB128, float and name writers, an instruction sink
 * driven by the shared instruction table, and `encodeModule`, which turns `ModuleInfo` back into bytes.
 *
 * `encodeModule(decodeModule(b))` reproduces `b` byte for byte when `b` is canonically encoded
 * (minimal LEB128s, short reference-type forms). The text parser and the instrumentation passes build
 * or edit a `ModuleInfo` (replace a body's `code`, add imports, globals or exports) and encode it here.
 * Custom sections are written where they were (`CustomSection.after`); the `name` section is kept
 * verbatim unless `EncodeOptions.names` supplies names to write instead (needed when indices moved).
 *
 * @module
 */
import type {
  ConstExpr,
  CustomSection,
  DataSegment,
  ElementSegment,
  FieldType,
  GlobalDesc,
  HeapType,
  ImportInfo,
  MemoryDesc,
  ModuleInfo,
  NameInfo,
  TableDesc,
  TypeDef,
  ValueType,
} from "./module-info.js";
import type { OpInfo } from "./opcodes.js";

const utf8 = new TextEncoder();

/** A growable byte buffer with the binary format's primitive writers. */
export class ByteWriter {
  /** The buffer (its first `len` bytes are the output; it is replaced when it grows). */
  buf: Uint8Array<ArrayBuffer>;
  /** How many bytes have been written. Setting it lower discards the bytes after it. */
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** One byte. */
  byte(b: number): void {
    if (this.len >= this.buf.length) this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Raw bytes. */
  bytes(data: ArrayLike<number>): void {
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** Unsigned LEB128 of a 32-bit (or any non-negative safe integer) value. */
  u32(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (v < 0x80000000) {
      v |= 0;
      while (v >= 0x80) {
        buf[this.len++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.len++] = v;
      return;
    }
    this.u64(v);
  }

  /** Unsigned LEB128 of a value up to 2^64 - 1 (number or bigint). */
  u64(v: number | bigint): void {
    if (typeof v === "number" && v <= 0x7fffffff) return this.u32(v);
    let x = typeof v === "number" && v >= 2 ** 64 ? 0xffffffffffffffffn : BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if (x === 0n) {
        this.buf[this.len++] = b;
        return;
      }
      this.buf[this.len++] = b | 0x80;
    }
  }

  /** Signed LEB128 of a 32-bit value. */
  s32(v: number): void {
    this.ensure(5);
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.buf[this.len++] = b;
        return;
      }
      this.buf[this.len++] = b | 0x80;
    }
  }

  /** Signed LEB128 of a value within 33 bits (block types, heap types). */
  s33(v: number): void {
    if (v >= -0x80000000 && v <= 0x7fffffff) return this.s32(v);
    this.s64(BigInt(v));
  }

  /** Signed LEB128 of a 64-bit value. */
  s64(v: bigint): void {
    let x = BigInt.asIntN(64, v);
    this.ensure(10);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
        this.buf[this.len++] = b;
        return;
      }
      this.buf[this.len++] = b | 0x80;
    }
  }

  /** Little-endian u32 (float bits). */
  u32le(v: number): void {
    this.ensure(4);
    const buf = this.buf;
    buf[this.len++] = v & 0xff;
    buf[this.len++] = (v >>> 8) & 0xff;
    buf[this.len++] = (v >>> 16) & 0xff;
    buf[this.len++] = (v >>> 24) & 0xff;
  }

  /** Little-endian u64 bits given as a bigint. */
  u64le(v: bigint): void {
    this.u32le(Number(v & 0xffffffffn));
    this.u32le(Number((v >> 32n) & 0xffffffffn));
  }

  /** An f32 from a JS number (rounded to nearest; NaN payloads are not preserved, use `u32le`). */
  f32(v: number): void {
    F32[0] = v;
    this.u32le(U32[0]!);
  }

  /** An f64 from a JS number. */
  f64(v: number): void {
    F64[0] = v;
    this.u32le(U32[0]!);
    this.u32le(U32[1]!);
  }

  /** A name: length-prefixed UTF-8. */
  name(s: string): void {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.u32(s.length);
      this.ensure(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
      return;
    }
    const data = utf8.encode(s);
    this.u32(data.length);
    this.bytes(data);
  }

  /** Length-prefixed raw bytes. */
  vecBytes(data: Uint8Array): void {
    this.u32(data.length);
    this.bytes(data);
  }

  /** Starts a size-prefixed region; pass the returned mark to `endSized`. */
  beginSized(): number {
    return this.len;
  }

  /** Ends a size-prefixed region started at `mark`: inserts its length (minimal LEB128) before it. */
  endSized(mark: number): void {
    const size = this.len - mark;
    let lebLen = 1;
    for (let v = size; v >= 0x80; v = Math.floor(v / 128)) lebLen++;
    this.ensure(lebLen);
    this.buf.copyWithin(mark + lebLen, mark, this.len);
    let v = size;
    for (let i = 0; i < lebLen; i++) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      this.buf[mark + i] = i === lebLen - 1 ? b : b | 0x80;
    }
    this.len += lebLen;
  }

  /** Writes an instruction's opcode (prefix and LEB128 code); immediates follow through the writers. */
  op(info: OpInfo): void {
    if (info.prefix === undefined) {
      this.byte(info.code);
    } else {
      this.byte(info.prefix);
      this.u32(info.code);
    }
  }

  /** A memory argument: alignment exponent, optional memory index (multi-memory), offset. */
  memarg(alignLog2: number, offset: number | bigint, memIndex = 0): void {
    if (memIndex !== 0) {
      this.u32(alignLog2 | 0x40);
      this.u32(memIndex);
    } else {
      this.u32(alignLog2);
    }
    this.u64(offset);
  }

  /**
   * A heap type: an abstract type's byte or a type index; `shared` prefixes an abstract type with 0x65
   * (shared-everything threads).
   */
  heapType(h: HeapType, shared = false): void {
    if (typeof h === "number") this.s33(h);
    else {
      if (shared) this.byte(SHARED_PREFIX);
      this.byte(ABS_HEAP_CODE[h]);
    }
  }

  /** A value type, in its shortest form. */
  valType(t: ValueType): void {
    if (typeof t === "string") {
      this.byte(VALTYPE_CODE[t]);
      return;
    }
    const shared = t.shared === true && typeof t.ref === "string";
    if (t.nullable && typeof t.ref === "string") {
      if (shared) this.byte(SHARED_PREFIX);
      this.byte(ABS_HEAP_CODE[t.ref]);
      return;
    }
    this.byte(t.nullable ? 0x63 : 0x64);
    if (shared) this.byte(SHARED_PREFIX);
    this.heapType(t.ref);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.len);
  }
}

const F32 = new Float32Array(2);
const F64 = new Float64Array(F32.buffer);
const U32 = new Uint32Array(F32.buffer);

/** The prefix byte of a shared composite type and a shared abstract heap type (shared-everything threads). */
export const SHARED_PREFIX = 0x65;

/** Binary codes of the value types spelled as strings. */
export const VALTYPE_CODE: Readonly<Record<Extract<ValueType, string>, number>> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
};

/** Binary codes of the abstract heap types. */
export const ABS_HEAP_CODE: Readonly<Record<Extract<HeapType, string>, number>> = {
  func: 0x70,
  extern: 0x6f,
  any: 0x6e,
  eq: 0x6d,
  i31: 0x6c,
  struct: 0x6b,
  array: 0x6a,
  exn: 0x69,
  noexn: 0x74,
  nofunc: 0x73,
  noextern: 0x72,
  none: 0x71,
};

/** Options for `encodeModule`. */
export interface EncodeOptions {
  /**
   * Names to write as the `name` section instead of the verbatim one (in its place, or at the end when
   * the module has none). Use after changing index spaces.
   */
  readonly names?: NameInfo;
}

/** The order of the non-custom sections in a binary. */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11] as const;

/**
 * Encodes module metadata as a binary.
 *
 * A section is written when it has entries or when `info.sections` says the original had it (so an
 * empty section survives a round trip).
 */
export function encodeModule(info: ModuleInfo, options: EncodeOptions = {}): Uint8Array<ArrayBuffer> {
  const w = new ByteWriter(Math.max(1024, info.bytes.length + 64));
  w.bytes([0x00, 0x61, 0x73, 0x6d]);
  w.u32le(info.version);
  const present = new Set<number>();
  for (const s of info.sections) if (s.id !== 0) present.add(s.id);
  let namesWritten = false;
  const writeCustoms = (after: number) => {
    for (const c of info.customSections) {
      if (c.after !== after) continue;
      if (c.name === "name" && options.names) {
        if (!namesWritten) writeCustom(w, "name", encodeNameSection(options.names));
        namesWritten = true;
      } else {
        writeCustom(w, c.name, c.data);
      }
    }
  };
  writeCustoms(0);
  for (const id of SECTION_ORDER) {
    if (present.has(id) || hasEntries(info, id)) writeSection(w, info, id);
    writeCustoms(id);
  }
  if (options.names && !namesWritten) writeCustom(w, "name", encodeNameSection(options.names));
  return w.finish();
}

function hasEntries(info: ModuleInfo, id: number): boolean {
  switch (id) {
    case 1: return info.types.length > 0;
    case 2: return info.imports.length > 0;
    case 3: return info.functions.length > 0;
    case 4: return info.tables.length > 0;
    case 5: return info.memories.length > 0;
    case 13: return info.tags.length > 0;
    case 6: return info.globals.length > 0;
    case 7: return info.exports.length > 0;
    case 8: return info.start !== undefined;
    case 9: return info.elements.length > 0;
    case 12: return info.dataCount !== undefined;
    case 10: return info.code.length > 0;
    case 11: return info.data.length > 0;
    default: return false;
  }
}

function writeCustom(w: ByteWriter, name: string, data: Uint8Array): void {
  w.byte(0);
  const mark = w.beginSized();
  w.name(name);
  w.bytes(data);
  w.endSized(mark);
}

function writeSection(w: ByteWriter, info: ModuleInfo, id: number): void {
  w.byte(id);
  const mark = w.beginSized();
  switch (id) {
    case 1: writeTypes(w, info); break;
    case 2:
      w.u32(info.imports.length);
      for (const imp of info.imports) writeImport(w, imp);
      break;
    case 3:
      w.u32(info.functions.length);
      for (const t of info.functions) w.u32(t);
      break;
    case 4:
      w.u32(info.tables.length);
      for (const t of info.tables) {
        if (t.init) {
          w.byte(0x40);
          w.byte(0);
          writeTableType(w, t.type);
          writeExpr(w, t.init);
        } else {
          writeTableType(w, t.type);
        }
      }
      break;
    case 5:
      w.u32(info.memories.length);
      for (const m of info.memories) writeMemoryType(w, m);
      break;
    case 13:
      w.u32(info.tags.length);
      for (const t of info.tags) {
        w.byte(0);
        w.u32(t.typeIndex);
      }
      break;
    case 6:
      w.u32(info.globals.length);
      for (const g of info.globals) {
        writeGlobalType(w, g.type);
        writeExpr(w, g.init);
      }
      break;
    case 7:
      w.u32(info.exports.length);
      for (const e of info.exports) {
        w.name(e.name);
        w.byte(EXTERN_KIND[e.kind]);
        w.u32(e.index);
      }
      break;
    case 8: w.u32(info.start ?? 0); break;
    case 9:
      w.u32(info.elements.length);
      for (const e of info.elements) writeElement(w, e);
      break;
    case 12: w.u32(info.dataCount ?? info.data.length); break;
    case 10:
      w.u32(info.code.length);
      for (const body of info.code) {
        const m = w.beginSized();
        w.u32(body.locals.length);
        for (const run of body.locals) {
          w.u32(run.count);
          w.valType(run.type);
        }
        w.bytes(body.code);
        w.endSized(m);
      }
      break;
    case 11:
      w.u32(info.data.length);
      for (const d of info.data) writeData(w, d);
      break;
  }
  w.endSized(mark);
}

const EXTERN_KIND = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;

function writeTypes(w: ByteWriter, info: ModuleInfo): void {
  const groups = info.recGroups.length > 0 || info.types.length === 0
    ? info.recGroups
    : info.types.map((_, i) => ({ first: i, count: 1, explicit: false }));
  w.u32(groups.length);
  for (const g of groups) {
    if (g.explicit) {
      w.byte(0x4e);
      w.u32(g.count);
    }
    for (let i = g.first; i < g.first + g.count; i++) writeTypeDef(w, info.types[i]!);
  }
}

/** Writes one subtype (`sub`/`sub final` prefix when explicit) and its composite type. */
export function writeTypeDef(w: ByteWriter, t: TypeDef): void {
  if (t.explicitSub) {
    w.byte(t.final ? 0x4f : 0x50);
    w.u32(t.supertypes.length);
    for (const s of t.supertypes) w.u32(s);
  }
  if (t.shared) w.byte(SHARED_PREFIX);
  switch (t.kind) {
    case "func":
      w.byte(0x60);
      w.u32(t.params.length);
      for (const p of t.params) w.valType(p);
      w.u32(t.results.length);
      for (const r of t.results) w.valType(r);
      break;
    case "struct":
      w.byte(0x5f);
      w.u32(t.fields.length);
      for (const f of t.fields) writeField(w, f);
      break;
    case "array":
      w.byte(0x5e);
      writeField(w, t.element);
      break;
  }
}

function writeField(w: ByteWriter, f: FieldType): void {
  if (f.storage === "i8") w.byte(0x78);
  else if (f.storage === "i16") w.byte(0x77);
  else w.valType(f.storage);
  w.byte(f.mutable ? 1 : 0);
}

function writeImport(w: ByteWriter, imp: ImportInfo): void {
  w.name(imp.module);
  w.name(imp.name);
  w.byte(EXTERN_KIND[imp.kind]);
  switch (imp.kind) {
    case "func": w.u32(imp.typeIndex); break;
    case "table": writeTableType(w, imp.type); break;
    case "memory": writeMemoryType(w, imp.type); break;
    case "global": writeGlobalType(w, imp.type); break;
    case "tag":
      w.byte(0);
      w.u32(imp.typeIndex);
      break;
  }
}

/** A table type: element reference type and limits (flag 2: shared, flag 4: table64). */
export function writeTableType(w: ByteWriter, t: TableDesc): void {
  w.valType(t.element);
  w.byte((t.max !== undefined ? 1 : 0) | (t.shared ? 2 : 0) | (t.table64 ? 4 : 0));
  w.u64(t.min);
  if (t.max !== undefined) w.u64(t.max);
}

/** A memory type: flags (max, shared, 64-bit, page size), limits, page size exponent. */
export function writeMemoryType(w: ByteWriter, m: MemoryDesc): void {
  w.byte((m.max !== undefined ? 1 : 0) | (m.shared ? 2 : 0) | (m.memory64 ? 4 : 0) | (m.pageSizeLog2 !== undefined ? 8 : 0));
  w.u64(m.min);
  if (m.max !== undefined) w.u64(m.max);
  if (m.pageSizeLog2 !== undefined) w.u32(m.pageSizeLog2);
}

/** A global type: value type and mutability. */
export function writeGlobalType(w: ByteWriter, g: GlobalDesc): void {
  w.valType(g.content);
  w.byte(g.mutable ? 1 : 0);
}

function writeExpr(w: ByteWriter, e: ConstExpr): void {
  w.bytes(e.bytes);
}

function writeElement(w: ByteWriter, e: ElementSegment): void {
  const flags = e.flags;
  w.u32(flags);
  if (flags & 2 && e.mode === "active") w.u32(e.table);
  if (e.mode === "active") writeExpr(w, e.offsetExpr!);
  if (flags & 3) {
    if (flags & 4) w.valType(e.elementType);
    else w.byte(0);
  }
  if (e.items.kind === "functions") {
    w.u32(e.items.indices.length);
    for (const i of e.items.indices) w.u32(i);
  } else {
    w.u32(e.items.exprs.length);
    for (const x of e.items.exprs) writeExpr(w, x);
  }
}

function writeData(w: ByteWriter, d: DataSegment): void {
  if (d.mode === "passive") {
    w.byte(1);
  } else if (d.explicitMemory || d.memory !== 0) {
    w.byte(2);
    w.u32(d.memory);
    writeExpr(w, d.offsetExpr!);
  } else {
    w.byte(0);
    writeExpr(w, d.offsetExpr!);
  }
  w.vecBytes(d.init);
}

/** Encodes names as the payload of a `name` custom section (subsections in id order, maps sorted). */
export function encodeNameSection(names: NameInfo): Uint8Array {
  const w = new ByteWriter();
  const sub = (id: number, body: () => void) => {
    w.byte(id);
    const mark = w.beginSized();
    body();
    w.endSized(mark);
  };
  const map = (m: ReadonlyMap<number, string>) => {
    const keys = [...m.keys()].sort((a, b) => a - b);
    w.u32(keys.length);
    for (const k of keys) {
      w.u32(k);
      w.name(m.get(k)!);
    }
  };
  const indirect = (m: ReadonlyMap<number, ReadonlyMap<number, string>>) => {
    const keys = [...m.keys()].sort((a, b) => a - b);
    w.u32(keys.length);
    for (const k of keys) {
      w.u32(k);
      map(m.get(k)!);
    }
  };
  if (names.module !== undefined) sub(0, () => w.name(names.module!));
  if (names.functions.size) sub(1, () => map(names.functions));
  if (names.locals.size) sub(2, () => indirect(names.locals));
  if (names.labels.size) sub(3, () => indirect(names.labels));
  if (names.types.size) sub(4, () => map(names.types));
  if (names.tables.size) sub(5, () => map(names.tables));
  if (names.memories.size) sub(6, () => map(names.memories));
  if (names.globals.size) sub(7, () => map(names.globals));
  if (names.elements.size) sub(8, () => map(names.elements));
  if (names.data.size) sub(9, () => map(names.data));
  if (names.fields.size) sub(10, () => indirect(names.fields));
  if (names.tags.size) sub(11, () => map(names.tags));
  return w.finish();
}

/** Builds a `CustomSection` record for `encodeModule` (offset 0: it was not decoded). */
export function customSection(name: string, data: Uint8Array, after: number): CustomSection {
  return { name, data, after, offset: 0 };
}

/** The unsigned LEB128 encoding of `v` (a u32), as an array of bytes: for code that builds small byte lists. */
export function u32Leb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** `parts` (byte arrays or lists of byte values) one after another in one new array. */
export function concatBytes(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
