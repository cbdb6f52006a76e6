/**
 * Reading and writing the core types that appear inside components: core type definitions (recursion
 * groups and module types), core value types and core extern types (`core:importdesc`).
 *
 * The types themselves are read by the core decoder's readers (`binary/type-reader.ts`); what is the
 * component format's own is around them: module types, core extern types, and the one difference the
 * component format imposes on a core type (a non-final `sub` at the top of one is prefixed by 0x00,
 * since 0x50 means a module type).
 *
 * @module
 */
import type { ByteWriter } from "../../binary/encoder.js";
import { writeGlobalType, writeMemoryType, writeTableType, writeTypeDef } from "../../binary/encoder.js";
import * as L from "../../binary/limits.js";
import type { ImportDesc, TypeDef as CoreSubType } from "../../binary/module-info.js";
import { readGlobalType, readMemoryType, readSubType, readSubTypeAfter, readTableType } from "../../binary/type-reader.js";
import type { BinaryReader } from "../../binary/reader.js";
import type { CoreModuleDecl, CoreTypeDef } from "./ast.js";

/** Most declarations one core module type may hold. */
const MAX_MODULE_DECLS = L.MAX_IMPORTS + L.MAX_EXPORTS + L.MAX_TYPES;

/** A core extern type (`core:importdesc`/`core:externtype`). */
export function readImportDesc(r: BinaryReader): ImportDesc {
  const at = r.pos;
  switch (r.u8()) {
    case 0x00: return { kind: "func", typeIndex: r.u32() };
    case 0x01: return { kind: "table", type: readTableType(r) };
    case 0x02: return { kind: "memory", type: readMemoryType(r) };
    case 0x03: return { kind: "global", type: readGlobalType(r) };
    case 0x04: {
      const attrAt = r.pos;
      if (r.u8() !== 0) r.fail("malformed tag attribute", attrAt);
      return { kind: "tag", typeIndex: r.u32() };
    }
    default:
      return r.fail("malformed core extern type", at);
  }
}

/** Writes a core extern type. */
export function writeImportDesc(w: ByteWriter, d: ImportDesc): void {
  switch (d.kind) {
    case "func": w.byte(0); w.u32(d.typeIndex); break;
    case "table": w.byte(1); writeTableType(w, d.type); break;
    case "memory": w.byte(2); writeMemoryType(w, d.type); break;
    case "global": w.byte(3); writeGlobalType(w, d.type); break;
    case "tag": w.byte(4); w.byte(0); w.u32(d.typeIndex); break;
  }
}

/**
 * A core type definition (`core:type`). Module types nest no further than one level (a module type
 * may not contain one), so this never recurses more than once.
 */
export function readCoreType(r: BinaryReader, inModuleType = false): CoreTypeDef {
  const offset = r.pos;
  const b = r.u8();
  if (b === 0x4e) {
    const n = r.count(L.MAX_REC_GROUP_SIZE, "types in a recursion group");
    const types: CoreSubType[] = [];
    for (let i = 0; i < n; i++) types.push(readSubType(r));
    return { kind: "rec", explicit: true, types, offset };
  }
  if (b === 0x00) {
    const at = r.pos;
    if (r.u8() !== 0x50) r.fail("malformed core type: expected 0x50 after 0x00", at);
    return { kind: "rec", explicit: false, types: [readSubTypeAfter(r, 0x50)], offset };
  }
  if (b === 0x4f) return { kind: "rec", explicit: false, types: [readSubTypeAfter(r, 0x4f)], offset };
  // Inside a module type, 0x50 is a non-final sub type (a module type cannot nest there).
  if (b === 0x50 && inModuleType) return { kind: "rec", explicit: false, types: [readSubTypeAfter(r, 0x50)], offset };
  if (b === 0x50) {
    const n = r.count(MAX_MODULE_DECLS, "module type declarations");
    const decls: CoreModuleDecl[] = [];
    for (let i = 0; i < n; i++) decls.push(moduleDecl(r));
    return { kind: "module", decls, offset };
  }
  r.pos = offset;
  return { kind: "rec", explicit: false, types: [readSubTypeAfter(r, -1)], offset };
}

function moduleDecl(r: BinaryReader): CoreModuleDecl {
  const at = r.pos;
  switch (r.u8()) {
    case 0x00: {
      const module = r.name();
      const name = r.name();
      return { kind: "import", module, name, desc: readImportDesc(r) };
    }
    case 0x01:
      return { kind: "type", type: readCoreType(r, true) };
    case 0x02: {
      const sortAt = r.pos;
      if (r.u8() !== 0x10) r.fail("invalid leading byte in core alias: only type aliases are allowed", sortAt);
      const targetAt = r.pos;
      if (r.u8() !== 0x01) r.fail("invalid core alias target: only outer aliases are allowed", targetAt);
      return { kind: "alias", count: r.u32(), index: r.u32() };
    }
    case 0x03: {
      const name = r.name();
      return { kind: "export", name, desc: readImportDesc(r) };
    }
    default:
      return r.fail("invalid leading byte for a core module type declaration", at);
  }
}

/** Writes a core type definition. */
export function writeCoreType(w: ByteWriter, t: CoreTypeDef, inModuleType = false): void {
  if (t.kind === "module") {
    w.byte(0x50);
    w.u32(t.decls.length);
    for (const d of t.decls) {
      switch (d.kind) {
        case "import":
          w.byte(0x00);
          w.name(d.module);
          w.name(d.name);
          writeImportDesc(w, d.desc);
          break;
        case "type":
          w.byte(0x01);
          writeCoreType(w, d.type, true);
          break;
        case "alias":
          w.byte(0x02);
          w.byte(0x10);
          w.byte(0x01);
          w.u32(d.count);
          w.u32(d.index);
          break;
        case "export":
          w.byte(0x03);
          w.name(d.name);
          writeImportDesc(w, d.desc);
          break;
      }
    }
    return;
  }
  if (t.explicit) {
    w.byte(0x4e);
    w.u32(t.types.length);
    for (const s of t.types) writeTypeDef(w, s);
    return;
  }
  const s = t.types[0]!;
  if (s.explicitSub && !s.final && !inModuleType) w.byte(0x00);
  writeTypeDef(w, s);
}
