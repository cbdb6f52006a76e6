/**
 * The component binary encoder: `ComponentInfo` -> bytes. Decoding a binary and encoding the result
 * reproduces the input byte for byte (for binaries whose integers use the shortest LEB128 encoding, as
 * every producer writes them): core modules, custom sections and values are copied verbatim, and the
 * AST keeps the few encoding choices the format allows (name forms, `sub` prefixes).
 *
 * Nested components recurse as deep as the input does; decoded input is capped at `MAX_NESTING`
 * levels by the decoder.
 *
 * @module
 */
import { ByteWriter } from "../../binary/encoder.js";
import type {
  AliasDef,
  CanonDef,
  CanonOption,
  ComponentInfo,
  ComponentSection,
  CoreInstanceDef,
  Decl,
  ExternDesc,
  ExternName,
  InstanceDef,
  Sort,
  TypeDef,
  ValTypeRef,
} from "./ast.js";
import { COMPONENT_SECTION_ID } from "./ast.js";
import { CANON_BY_NAME, CANON_OPTION_CODES } from "./canon.js";
import { writeCoreType } from "./core-types.js";
import { CORE_SORT_CODE, PRIMITIVE_CODE } from "./decoder.js";

/** The component preamble: magic, version 0x0d, layer 1. */
export const COMPONENT_PREAMBLE: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/** Encodes a component. */
export function encodeComponent(info: Pick<ComponentInfo, "sections">): Uint8Array {
  const w = new ByteWriter(1024);
  writeComponent(w, info);
  return w.finish();
}

function writeComponent(w: ByteWriter, info: Pick<ComponentInfo, "sections">): void {
  w.bytes(COMPONENT_PREAMBLE);
  for (const s of info.sections) {
    w.byte(COMPONENT_SECTION_ID[s.id]);
    const mark = w.beginSized();
    writeSection(w, s);
    w.endSized(mark);
    if (s.sizeWidth !== undefined) padSize(w, mark, s.sizeWidth);
  }
}

/** Rewrites the minimal size field at `mark` as a `width`-byte LEB128 (same value, zero-padded). */
function padSize(w: ByteWriter, mark: number, width: number): void {
  const buf = w.buf;
  let at = mark;
  let size = 0;
  let shift = 1;
  for (;;) {
    const b = buf[at++]!;
    size += (b & 0x7f) * shift;
    shift *= 128;
    if (b < 0x80) break;
  }
  const minimal = at - mark;
  if (width <= minimal) return;
  w.ensure(width - minimal);
  w.buf.copyWithin(mark + width, at, w.len);
  let v = size;
  for (let i = 0; i < width; i++) {
    const b = v & 0x7f;
    v = Math.floor(v / 128);
    w.buf[mark + i] = i === width - 1 ? b : b | 0x80;
  }
  w.len += width - minimal;
}

function writeSection(w: ByteWriter, s: ComponentSection): void {
  switch (s.id) {
    case "custom":
      w.name(s.custom.name);
      w.bytes(s.custom.data);
      return;
    case "core-module":
      w.bytes(s.module.bytes);
      return;
    case "component":
      writeComponent(w, s.component);
      return;
    case "start":
      w.u32(s.start.func);
      w.u32(s.start.args.length);
      for (const a of s.start.args) w.u32(a);
      w.u32(s.start.results);
      return;
    case "core-instance": return vec(w, s.items, writeCoreInstance);
    case "core-type": return vec(w, s.items, (w, t) => writeCoreType(w, t));
    case "instance": return vec(w, s.items, writeInstance);
    case "alias": return vec(w, s.items, writeAlias);
    case "type": return vec(w, s.items, writeType);
    case "canon": return vec(w, s.items, writeCanon);
    case "import":
      return vec(w, s.items, (w, i) => {
        writeExternName(w, i.name);
        writeExternDesc(w, i.desc);
      });
    case "export":
      return vec(w, s.items, (w, e) => {
        writeExternName(w, e.name);
        writeSort(w, e.sort);
        w.u32(e.index);
        if (e.desc === undefined) {
          w.byte(0);
        } else {
          w.byte(1);
          writeExternDesc(w, e.desc);
        }
      });
    case "value":
      return vec(w, s.items, (w, v) => {
        writeValType(w, v.type);
        w.vecBytes(v.value);
      });
  }
}

function vec<T>(w: ByteWriter, items: readonly T[], write: (w: ByteWriter, item: T) => void): void {
  w.u32(items.length);
  for (const item of items) write(w, item);
}

/** Writes a sort (`core` sorts with their 0x00 prefix). */
export function writeSort(w: ByteWriter, sort: Sort): void {
  switch (sort) {
    case "func": w.byte(0x01); return;
    case "value": w.byte(0x02); return;
    case "type": w.byte(0x03); return;
    case "component": w.byte(0x04); return;
    case "instance": w.byte(0x05); return;
  }
  w.byte(0x00);
  w.byte(CORE_SORT_CODE[sort.slice(5) as keyof typeof CORE_SORT_CODE]);
}

function writeCoreInstance(w: ByteWriter, i: CoreInstanceDef): void {
  if (i.kind === "instantiate") {
    w.byte(0x00);
    w.u32(i.module);
    vec(w, i.args, (w, a) => {
      w.name(a.name);
      w.byte(0x12);
      w.u32(a.instance);
    });
  } else {
    w.byte(0x01);
    vec(w, i.exports, (w, e) => {
      w.name(e.name);
      w.byte(CORE_SORT_CODE[e.sort]);
      w.u32(e.index);
    });
  }
}

function writeInstance(w: ByteWriter, i: InstanceDef): void {
  if (i.kind === "instantiate") {
    w.byte(0x00);
    w.u32(i.component);
    vec(w, i.args, (w, a) => {
      w.name(a.name);
      writeSort(w, a.sort);
      w.u32(a.index);
    });
  } else {
    w.byte(0x01);
    vec(w, i.exports, (w, e) => {
      writeExternName(w, e.name);
      writeSort(w, e.sort);
      w.u32(e.index);
    });
  }
}

function writeAlias(w: ByteWriter, a: AliasDef): void {
  writeSort(w, a.sort);
  switch (a.kind) {
    case "export":
    case "core-export":
      w.byte(a.kind === "export" ? 0x00 : 0x01);
      w.u32(a.instance);
      w.name(a.name);
      return;
    case "outer":
      w.byte(0x02);
      w.u32(a.count);
      w.u32(a.index);
      return;
  }
}

/**
 * Writes a value type: a primitive's opcode or a type index. Indices are signed LEB128 (s33), like
 * core heap types, so that index 64 and up (`0xc0 0x00`) never reads as an opcode.
 */
export function writeValType(w: ByteWriter, t: ValTypeRef): void {
  if (typeof t === "number") w.s33(t);
  else w.byte(PRIMITIVE_CODE[t]);
}

function optional<T>(w: ByteWriter, value: T | undefined, write: (w: ByteWriter, v: T) => void): void {
  if (value === undefined) {
    w.byte(0);
  } else {
    w.byte(1);
    write(w, value);
  }
}

function writeResultList(w: ByteWriter, result: ValTypeRef | null | undefined): void {
  if (result === undefined || result === null) {
    w.byte(0x01);
    w.byte(0x00);
  } else {
    w.byte(0x00);
    writeValType(w, result);
  }
}

function writeType(w: ByteWriter, t: TypeDef): void {
  switch (t.kind) {
    case "primitive": w.byte(PRIMITIVE_CODE[t.type]); return;
    case "record":
      w.byte(0x72);
      vec(w, t.fields, (w, f) => {
        w.name(f.name);
        writeValType(w, f.type);
      });
      return;
    case "variant":
      w.byte(0x71);
      vec(w, t.cases, (w, c) => {
        w.name(c.name);
        optional(w, c.type, writeValType);
        w.byte(0x00);
      });
      return;
    case "list":
      if (t.length === undefined) {
        w.byte(0x70);
        writeValType(w, t.element);
      } else {
        w.byte(0x67);
        writeValType(w, t.element);
        w.u32(t.length);
      }
      return;
    case "tuple":
      w.byte(0x6f);
      vec(w, t.types, writeValType);
      return;
    case "flags":
    case "enum":
      w.byte(t.kind === "flags" ? 0x6e : 0x6d);
      vec(w, t.names, (w, n) => w.name(n));
      return;
    case "option":
      w.byte(0x6b);
      writeValType(w, t.type);
      return;
    case "result":
      w.byte(0x6a);
      optional(w, t.ok, writeValType);
      optional(w, t.err, writeValType);
      return;
    case "own":
    case "borrow":
      w.byte(t.kind === "own" ? 0x69 : 0x68);
      w.u32(t.resource);
      return;
    case "stream":
    case "future":
      w.byte(t.kind === "stream" ? 0x66 : 0x65);
      optional(w, t.element, writeValType);
      return;
    case "map":
      w.byte(0x63);
      writeValType(w, t.key);
      writeValType(w, t.value);
      return;
    case "func":
      w.byte(t.async ? 0x43 : 0x40);
      vec(w, t.params, (w, p) => {
        w.name(p.name);
        writeValType(w, p.type);
      });
      writeResultList(w, t.result);
      return;
    case "component":
    case "instance":
      w.byte(t.kind === "component" ? 0x41 : 0x42);
      vec(w, t.decls, writeDecl);
      return;
    case "resource":
      w.byte(0x3f);
      w.valType(t.rep);
      optional(w, t.dtor, (w, f) => w.u32(f));
      return;
  }
}

function writeDecl(w: ByteWriter, d: Decl): void {
  switch (d.kind) {
    case "core-type": w.byte(0x00); writeCoreType(w, d.type); return;
    case "type": w.byte(0x01); writeType(w, d.type); return;
    case "alias": w.byte(0x02); writeAlias(w, d.alias); return;
    case "import":
    case "export":
      w.byte(d.kind === "import" ? 0x03 : 0x04);
      writeExternName(w, d.decl.name);
      writeExternDesc(w, d.decl.desc);
      return;
  }
}

/** Writes an import or export name with its form byte and attributes. */
export function writeExternName(w: ByteWriter, n: ExternName): void {
  w.byte(n.form);
  w.name(n.name);
  if (n.form !== 2) return;
  vec(w, n.attributes, (w, a) => {
    w.byte(a.kind === "implements" ? 0 : a.kind === "versionsuffix" ? 1 : 2);
    w.name(a.value);
  });
}

/** Writes an extern type. */
export function writeExternDesc(w: ByteWriter, d: ExternDesc): void {
  switch (d.kind) {
    case "module": w.byte(0x00); w.byte(0x11); w.u32(d.type); return;
    case "func": w.byte(0x01); w.u32(d.type); return;
    case "value":
      w.byte(0x02);
      if (d.bound.kind === "eq") {
        w.byte(0x00);
        w.u32(d.bound.value);
      } else {
        w.byte(0x01);
        writeValType(w, d.bound.type);
      }
      return;
    case "type":
      w.byte(0x03);
      if (d.bound.kind === "eq") {
        w.byte(0x00);
        w.u32(d.bound.type);
      } else {
        w.byte(0x01);
      }
      return;
    case "component": w.byte(0x04); w.u32(d.type); return;
    case "instance": w.byte(0x05); w.u32(d.type); return;
  }
}

function writeOptions(w: ByteWriter, options: readonly CanonOption[] | undefined): void {
  const opts = options ?? [];
  w.u32(opts.length);
  for (const o of opts) {
    w.byte(CANON_OPTION_CODES[o.kind]);
    if ("index" in o) w.u32(o.index);
  }
}

function writeCanon(w: ByteWriter, c: CanonDef): void {
  if (c.kind === "lift" || c.kind === "lower") {
    w.byte(c.kind === "lift" ? 0x00 : 0x01);
    w.byte(0x00);
    w.u32(c.func ?? 0);
    writeOptions(w, c.options);
    if (c.kind === "lift") w.u32(c.type ?? 0);
    return;
  }
  const op = CANON_BY_NAME.get(c.kind);
  if (op === undefined) throw new RangeError(`unknown canonical built-in ${c.kind}`);
  w.byte(op.code);
  for (const imm of op.immediates) {
    switch (imm) {
      case "type": w.u32(c.type ?? 0); break;
      case "options": writeOptions(w, c.options); break;
      case "result": writeResultList(w, c.result); break;
      case "valType": w.valType(c.valType ?? "i32"); break;
      case "index": w.u32(c.index ?? 0); break;
      case "async": w.byte(c.async ? 1 : 0); break;
      case "cancellable": w.byte(c.cancellable ? 1 : 0); break;
      case "shared": w.byte(c.shared ? 1 : 0); break;
      case "memory": w.u32(c.memory ?? 0); break;
      case "coreType": w.u32(c.coreType ?? 0); break;
      case "table": w.u32(c.table ?? 0); break;
    }
  }
}
