/**
 * The binary decoder: WebAssembly bytes -> `ModuleInfo`, one function per section.
 *
 * It decodes structure, not semantics: function bodies are framed (their locals decoded, their
 * instructions kept as a view), and validation of instructions is left to the engine. What it does
 * check is everything a malformed binary can get wrong outside function bodies, with the spec's
 * wording and the absolute byte offset (see `reader.ts`). Counts are capped by `limits.ts` and checked
 * against the bytes left before anything is allocated, so hostile input costs at most linear time.
 *
 * @module
 */
import { CompileError } from "../errors.js";
import * as L from "./limits.js";
import type {
  ConstExpr,
  CustomSection,
  DataSegment,
  ElementSegment,
  ExportInfo,
  FunctionBody,
  GlobalInfo,
  ImportInfo,
  LocalRun,
  MemoryDesc,
  ModuleInfo,
  NameInfo,
  RecGroup,
  SectionInfo,
  TableInfo,
  TagInfo,
  TypeDef,
  ValueType,
} from "./module-info.js";
import { BinaryReader, SECTION_EOF } from "./reader.js";
import { decodeNameSection, emptyNames } from "./names.js";
import {
  readGlobalType, readHeapType, readMemoryType, readRefType, readSharedHeapType, readSubType, readTableType, readValueType, SHARED_PREFIX,
} from "./type-reader.js";
import { InstrCursor, skipExpression } from "./instructions.js";

const MAGIC = 0x6d736100; // "\0asm" little-endian


/**
 * The position of each non-custom section in the required order (the tag section sits between
 * memory and global, data count between element and code).
 */
export const SECTION_RANK: Readonly<Record<number, number>> = {
  1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13,
};

const EXPORT_KINDS = ["func", "table", "memory", "global", "tag"] as const;

/** Options for `decodeModule`. */
export interface DecodeOptions {
  /**
   * Decode function bodies (their framing and locals) on first access of `info.code` instead of now.
   * The section framing is still checked now; a malformed body then throws its `CompileError` from that
   * first access. Export entries are checked now and made into `info.exports` on its first access. Default false. (The name section is always decoded on first access of `info.names`:
   * a malformed one does not make the module malformed, so deferring it changes no result.)
   *
   * The runtime uses this: the engine validates bodies anyway, and a module's metadata is then
   * decoded at several GB/s, so compiling costs little more than the engine's own work.
   */
  readonly lazy?: boolean;
  /**
   * Accept any instruction in constant expressions (framed by the instruction encodings up to the
   * matching `end`) instead of rejecting instructions that are not constant with "constant expression
   * required". Such a module is invalid, not malformed: the printer reads it this way so that it can
   * print every module that decodes. Default false.
   */
  readonly anyConstExpr?: boolean;
}

/** Whether `bytes` start with the binary format's magic number `\0asm` (a module or a component). */
export function hasWasmMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/**
 * Decodes a binary module into metadata.
 *
 * @throws CompileError with the byte offset and the spec's wording when the binary is malformed.
 */
export function decodeModule(bytes: Uint8Array, options: DecodeOptions = {}): ModuleInfo {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodeModule: expected a Uint8Array, got ${describe(bytes)}`);
  }
  if (bytes.length > L.MAX_MODULE_SIZE) throw new CompileError(`module too large (${bytes.length} bytes)`, 0);
  return new Decoder(bytes, options).decode();
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value;
}

class Decoder {
  private r: BinaryReader;
  private readonly bytes: Uint8Array;
  private readonly options: DecodeOptions;

  private types: TypeDef[] = [];
  private recGroups: RecGroup[] = [];
  private imports: ImportInfo[] = [];
  private functions: number[] = [];
  private tables: TableInfo[] = [];
  private memories: MemoryDesc[] = [];
  private tags: TagInfo[] = [];
  private globals: GlobalInfo[] = [];
  private exports: ExportInfo[] = [];
  /** Where the export entries start and how many there are, when they are read on first use (`lazy`). */
  private lazyExports: { start: number; count: number } | undefined;
  private start: number | undefined;
  private elements: ElementSegment[] = [];
  private dataCount: number | undefined;
  private codeSection: { payloadOffset: number; end: number; count: number } | undefined;
  /** Offset of the data section's count (for the data count check). */
  private dataCountAt: number | undefined;
  private nameSection: { start: number; end: number } | undefined;
  private data: DataSegment[] = [];
  private customSections: CustomSection[] = [];
  private sections: SectionInfo[] = [];
  private counts = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };

  constructor(bytes: Uint8Array, options: DecodeOptions) {
    this.bytes = bytes;
    this.r = new BinaryReader(bytes);
    this.options = options;
  }

  decode(): ModuleInfo {
    const r = this.r;
    // Too few bytes for the magic or the version is an unexpected end, even when those there are wrong.
    if (r.remaining < 4) r.fail("unexpected end", r.end);
    if (readU32LE(this.bytes, 0) !== MAGIC) r.fail("magic header not detected", 0);
    r.pos = 4;
    if (r.remaining < 4) r.fail("unexpected end", r.end);
    const version = readU32LE(this.bytes, 4);
    if (version !== 1) r.fail(`unknown binary version ${version}`, 4);
    r.pos = 8;

    let lastRank = 0;
    let lastId = 0;
    while (!r.done) {
      const offset = r.pos;
      const id = r.u8();
      if (id > 13) r.fail("malformed section id", offset);
      const size = r.u32();
      const payloadOffset = r.pos;
      if (size > r.remaining) r.fail(`length out of bounds: section size ${size} exceeds the ${r.remaining} bytes left`, payloadOffset);
      if (id !== 0) {
        const rank = SECTION_RANK[id]!;
        if (rank <= lastRank) r.fail("unexpected content after last section", offset);
        lastRank = rank;
        lastId = id;
      }
      // The section's bytes are its reader's limit (as `withLimit` does, without a closure per section:
      // a module may have many thousands of custom sections). An error ends the decoding, so the
      // limit needs no restoring then.
      const outerEnd = r.end;
      const outerEof = r.eofMessage;
      r.end = payloadOffset + size;
      r.eofMessage = SECTION_EOF;
      this.section(id, offset, payloadOffset, lastId);
      if (!r.done) r.fail("section size mismatch", r.pos);
      r.end = outerEnd;
      r.eofMessage = outerEof;
      // A custom section's record is both its entry here and in `customSections` (one object each).
      this.sections.push(id === 0 ? this.customSections[this.customSections.length - 1] as DecodedCustomSection : { id, offset, payloadOffset, end: r.pos });
    }

    // Counts are compared once every section is read, as the spec does, so that a misplaced or repeated
    // section is reported as such. The offset is the code (data) section's count, or the module's end.
    const codeCount = this.codeSection?.count ?? 0;
    if (codeCount !== this.functions.length) {
      r.fail("function and code section have inconsistent lengths", this.codeSection?.payloadOffset ?? this.bytes.length);
    }
    if (this.dataCount !== undefined && this.dataCount !== this.data.length) {
      r.fail("data count and data section have inconsistent lengths", this.dataCountAt ?? this.bytes.length);
    }

    const info = {
      bytes: this.bytes,
      version,
      types: this.types,
      recGroups: this.recGroups,
      imports: this.imports,
      functions: this.functions,
      tables: this.tables,
      memories: this.memories,
      tags: this.tags,
      globals: this.globals,
      exports: this.exports,
      ...(this.start !== undefined ? { start: this.start } : {}),
      elements: this.elements,
      ...(this.dataCount !== undefined ? { dataCount: this.dataCount } : {}),
      data: this.data,
      customSections: this.customSections,
      sections: this.sections,
      importedFuncs: this.counts.func,
      importedTables: this.counts.table,
      importedMemories: this.counts.memory,
      importedGlobals: this.counts.global,
      importedTags: this.counts.tag,
    };
    const codeSection = this.codeSection;
    const nameSection = this.nameSection;
    const decodeCode = (): FunctionBody[] => (codeSection ? this.functionBodies(codeSection.payloadOffset, codeSection.end) : []);
    const decodeNames = (): NameInfo => (nameSection ? decodeNameSection(this.bytes, nameSection.start, nameSection.end) : emptyNames());
    defineLazy(info, "names", decodeNames);
    const lazyExports = this.lazyExports;
    if (lazyExports) {
      defineLazy(info, "exports", () => {
        const out: ExportInfo[] = [];
        this.readExports(new BinaryReader(this.bytes, lazyExports.start), lazyExports.count, out);
        return out;
      });
    }
    if (this.options.lazy) defineLazy(info, "code", decodeCode);
    else (info as { code?: FunctionBody[] }).code = decodeCode();
    return info as unknown as ModuleInfo;
  }

  private section(id: number, offset: number, payloadOffset: number, after: number): void {
    switch (id) {
      case 0: return this.customSection(offset, payloadOffset, after);
      case 1: return this.typeSection();
      case 2: return this.importSection();
      case 3: return this.functionSection();
      case 4: return this.tableSection();
      case 5: return this.memorySection();
      case 6: return this.globalSection();
      case 7: return this.exportSection();
      case 8: this.start = this.r.u32(); return;
      case 9: return this.elementSection();
      case 10: return this.codeSectionHeader();
      case 11: return this.dataSection();
      case 12: this.dataCount = this.r.u32(); return;
      case 13: return this.tagSection();
    }
  }

  // ---- types -------------------------------------------------------------------------------------

  private typeSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_TYPES, "types");
    for (let i = 0; i < n; i++) {
      const form = r.peek();
      if (form === 0x4e) {
        r.u8();
        const size = r.count(L.MAX_REC_GROUP_SIZE, "types in a recursion group");
        const first = this.types.length;
        for (let j = 0; j < size; j++) this.types.push(readSubType(r));
        this.recGroups.push({ first, count: size, explicit: true });
      } else {
        this.recGroups.push({ first: this.types.length, count: 1, explicit: false });
        this.types.push(readSubType(r));
      }
      if (this.types.length > L.MAX_TYPES) r.fail(`too many types (the limit is ${L.MAX_TYPES})`);
    }
  }

  // ---- imports, functions, tables, memories, globals, tags ---------------------------------------

  private importSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_IMPORTS, "imports");
    for (let i = 0; i < n; i++) {
      const offset = r.pos;
      const module = r.name();
      const name = r.name();
      const kindAt = r.pos;
      const kind = r.u8();
      switch (kind) {
        case 0:
          this.imports.push({ module, name, offset, kind: "func", typeIndex: r.u32() });
          this.counts.func++;
          break;
        case 1:
          this.imports.push({ module, name, offset, kind: "table", type: readTableType(r) });
          this.counts.table++;
          break;
        case 2:
          this.imports.push({ module, name, offset, kind: "memory", type: readMemoryType(r) });
          this.counts.memory++;
          break;
        case 3:
          this.imports.push({ module, name, offset, kind: "global", type: readGlobalType(r) });
          this.counts.global++;
          break;
        case 4:
          this.tagAttribute();
          this.imports.push({ module, name, offset, kind: "tag", typeIndex: r.u32() });
          this.counts.tag++;
          break;
        default:
          r.fail("malformed import kind", kindAt);
      }
    }
  }

  private functionSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_FUNCTIONS, "functions");
    if (n + this.counts.func > L.MAX_FUNCTIONS) r.fail(`too many functions (the limit is ${L.MAX_FUNCTIONS})`);
    const fns = new Array<number>(Math.min(n, r.remaining));
    r.u32s(fns, n);
    this.functions = fns;
  }

  private tableSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_TABLES, "tables");
    for (let i = 0; i < n; i++) {
      if (r.peek() === 0x40) {
        // 3.0: a table with an explicit initializer: 0x40 0x00 tabletype expr.
        r.u8();
        const at = r.pos;
        if (r.u8() !== 0) r.fail("malformed table", at);
        const type = readTableType(r);
        this.tables.push({ type, init: this.constExpr() });
      } else {
        this.tables.push({ type: readTableType(r) });
      }
    }
  }

  private memorySection(): void {
    const r = this.r;
    const n = r.count(L.MAX_MEMORIES, "memories");
    for (let i = 0; i < n; i++) this.memories.push(readMemoryType(r));
  }

  private globalSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_GLOBALS, "globals");
    for (let i = 0; i < n; i++) {
      const type = readGlobalType(r);
      this.globals.push({ type, init: this.constExpr() });
    }
  }

  private tagAttribute(): void {
    const at = this.r.pos;
    if (this.r.u8() !== 0) this.r.fail("malformed tag attribute", at);
  }

  private tagSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_TAGS, "tags");
    for (let i = 0; i < n; i++) {
      this.tagAttribute();
      this.tags.push({ typeIndex: r.u32() });
    }
  }

  // ---- exports, elements, code, data ------------------------------------------------------------

  private exportSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_EXPORTS, "exports");
    if (this.options.lazy) {
      // Checked now, made into entries (thousands of strings and objects in large programs) on first use.
      const start = r.pos;
      for (let i = 0; i < n; i++) {
        r.skipName();
        const kindAt = r.pos;
        if (EXPORT_KINDS[r.u8()] === undefined) return r.fail("malformed export kind", kindAt);
        r.u32();
      }
      this.lazyExports = { start, count: n };
      return;
    }
    this.readExports(r, n, this.exports);
  }

  /** Reads `n` export entries at `r`'s position into `out`. */
  private readExports(r: BinaryReader, n: number, out: ExportInfo[]): void {
    for (let i = 0; i < n; i++) {
      const offset = r.pos;
      const name = r.name();
      const kindAt = r.pos;
      const kindByte = r.u8();
      const kind = EXPORT_KINDS[kindByte];
      if (kind === undefined) return r.fail("malformed export kind", kindAt);
      out.push({ name, kind, index: r.u32(), offset });
    }
  }

  private elementSection(): void {
    const r = this.r;
    const n = r.count(L.MAX_ELEMENT_SEGMENTS, "element segments");
    for (let i = 0; i < n; i++) {
      const offset = r.pos;
      const flags = r.u32();
      if (flags > 7) r.fail("malformed elements segment kind", offset);
      const mode = flags & 1 ? (flags & 2 ? "declarative" : "passive") : "active";
      const table = flags & 2 && mode === "active" ? r.u32() : 0;
      const offsetExpr = mode === "active" ? this.constExpr() : undefined;
      const usesExprs = (flags & 4) !== 0;
      let elementType: ValueType = "funcref";
      if (flags & 3) {
        if (usesExprs) {
          elementType = readRefType(r);
        } else {
          const at = r.pos;
          if (r.u8() !== 0) r.fail("malformed element kind", at);
        }
      }
      let items: ElementSegment["items"];
      if (usesExprs) {
        const count = r.count(L.MAX_TABLE_SIZE, "elements");
        const exprs: ConstExpr[] = [];
        for (let j = 0; j < count; j++) exprs.push(this.constExpr());
        items = { kind: "expressions", exprs };
      } else {
        const count = r.count(L.MAX_TABLE_SIZE, "elements");
        const at = r.pos;
        if (this.options.lazy) {
          // Checked now, read into numbers on first use (preparing a module copies the encoded form).
          r.skipU32s(count);
          const encoded = this.bytes.subarray(at, r.pos);
          items = { kind: "functions", encoded, count } as unknown as ElementSegment["items"];
          defineLazy(items, "indices", () => {
            const indices = new Array<number>(count);
            new BinaryReader(encoded).u32s(indices, count);
            return indices;
          });
        } else {
          const indices = new Array<number>(Math.min(count, r.remaining));
          r.u32s(indices, count);
          items = { kind: "functions", indices, count, encoded: this.bytes.subarray(at, r.pos) };
        }
      }
      this.elements.push({
        mode,
        table,
        ...(offsetExpr ? { offsetExpr } : {}),
        elementType,
        items,
        flags,
        offset,
      });
    }
  }

  /** Checks the code section's count; the bodies are framed by `functionBodies` (now or lazily). */
  private codeSectionHeader(): void {
    const r = this.r;
    const at = r.pos;
    const n = r.count(L.MAX_FUNCTIONS, "function bodies");
    this.codeSection = { payloadOffset: at, end: r.end, count: n };
    r.pos = r.end; // the bodies are framed by functionBodies, after every section has been read

  }

  /** Frames every function body of the code section whose payload is `bytes[start..end)`. */
  private functionBodies(start: number, end: number): FunctionBody[] {
    const r = new BinaryReader(this.bytes, start, end);
    r.eofMessage = SECTION_EOF;
    const n = r.u32();
    const code = new Array<FunctionBody>(Math.min(n, r.remaining));
    const saved = this.r;
    // valueType() reads from this.r: point it at the code section while framing.
    this.r = r;
    try {
      for (let i = 0; i < n; i++) {
        const offset = r.pos;
        const size = r.u32();
        if (size > L.MAX_FUNCTION_SIZE) r.fail(`function body too large (${size} bytes)`, offset);
        if (size > r.remaining) r.fail(SECTION_EOF, r.end);
        const bodyEnd = r.pos + size;
        const outerEnd = r.end;
        r.end = bodyEnd;
        code[i] = this.functionBody(offset);
        r.end = outerEnd;
        r.pos = bodyEnd;
      }
      if (!r.done) r.fail("section size mismatch", r.pos);
    } finally {
      this.r = saved;
    }
    return code;
  }

  private functionBody(offset: number): FunctionBody {
    const r = this.r;
    const runs = r.count(L.MAX_FUNCTION_LOCALS, "local declarations");
    const locals: LocalRun[] = new Array(Math.min(runs, r.remaining));
    let localCount = 0;
    for (let i = 0; i < runs; i++) {
      const countAt = r.pos;
      const count = r.u32();
      localCount += count;
      if (localCount > L.MAX_FUNCTION_LOCALS) r.fail("too many locals", countAt);
      locals[i] = { count, type: readValueType(r) };
    }
    const codeOffset = r.pos;
    // The body ended where its final END opcode should be: the spec reports this as "END opcode expected"
    // or "unexpected end of section or function" depending on what follows, so say both.
    if (r.done || this.bytes[r.end - 1] !== 0x0b) r.fail("END opcode expected (unexpected end of section or function)", r.end);
    const code = r.view(r.remaining);
    return { locals, localCount, code, codeOffset, offset };
  }

  private dataSection(): void {
    const r = this.r;
    this.dataCountAt = r.pos;
    const n = r.count(L.MAX_DATA_SEGMENTS, "data segments");
    for (let i = 0; i < n; i++) {
      const offset = r.pos;
      const flags = r.u32();
      if (flags > 2) r.fail("malformed data segment kind", offset);
      const memory = flags === 2 ? r.u32() : 0;
      const offsetExpr = flags === 1 ? undefined : this.constExpr();
      const len = r.u32();
      const init = r.view(len);
      this.data.push({
        mode: flags === 1 ? "passive" : "active",
        memory,
        ...(offsetExpr ? { offsetExpr } : {}),
        init,
        explicitMemory: flags === 2,
        offset,
      });
    }
  }

  // ---- constant expressions ----------------------------------------------------------------------

  /**
   * Frames a constant expression: reads instructions up to its `end`. Only instructions that may
   * appear in constant expressions are known here; anything else is rejected, as no valid module has it.
   */
  private constExpr(): ConstExpr {
    const r = this.r;
    const start = r.pos;
    if (this.options.anyConstExpr) {
      r.pos = skipExpression(new InstrCursor(this.bytes, start, r.end));
      return { bytes: this.bytes.subarray(start, r.pos), offset: start };
    }
    for (;;) {
      const at = r.pos;
      const op = r.u8();
      switch (op) {
        case 0x0b:
          return { bytes: this.bytes.subarray(start, r.pos), offset: start };
        case 0x41: r.s32(); break; // i32.const
        case 0x42: r.s64(); break; // i64.const
        case 0x43: r.skip(4); break; // f32.const
        case 0x44: r.skip(8); break; // f64.const
        case 0x23: r.u32(); break; // global.get
        case 0xd2: r.u32(); break; // ref.func
        case 0xd0: if (r.peek() === SHARED_PREFIX) readSharedHeapType(r); else readHeapType(r); break; // ref.null
        case 0x6a: case 0x6b: case 0x6c: // i32.add/sub/mul (extended-const)
        case 0x7c: case 0x7d: case 0x7e: // i64.add/sub/mul
          break;
        case 0xfd: {
          const sub = r.u32();
          if (sub !== 12) r.fail("constant expression required", at);
          r.skip(16); // v128.const
          break;
        }
        case 0xfb: {
          const sub = r.u32();
          switch (sub) {
            case 0: case 1: case 6: case 7: r.u32(); break; // struct.new(_default), array.new(_default)
            case 8: r.u32(); r.u32(); break; // array.new_fixed
            case 0x1a: case 0x1b: case 0x1c: break; // any.convert_extern, extern.convert_any, ref.i31
            default: r.fail("constant expression required", at);
          }
          break;
        }
        default:
          if (r.done && op !== 0x0b) r.fail(r.eofMessage, at);
          r.fail(op <= 0xdf ? "constant expression required" : "illegal opcode", at);
      }
    }
  }

  // ---- custom sections and names ---------------------------------------------------------------

  private customSection(offset: number, payloadOffset: number, after: number): void {
    const r = this.r;
    const name = r.name();
    const start = r.pos;
    const end = r.end;
    r.pos = end;
    this.customSections.push(new DecodedCustomSection(name, this.bytes, start, end, offset, payloadOffset, after));
    if (name === "name" && this.nameSection === undefined) this.nameSection = { start, end };
  }
}

/**
 * A custom section of a decoded binary, whose payload view is made on first use: a module may have
 * many thousands of custom sections, and a typed array each made decoding them several times slower.
 */
class DecodedCustomSection implements CustomSection, SectionInfo {
  readonly id = 0;
  // Private fields are no properties: two decodings of the same sections from different buffers compare
  // equal (`deepStrictEqual`), as plain records did.
  readonly #bytes: Uint8Array;
  readonly #start: number;
  #view: Uint8Array | undefined;

  constructor(
    readonly name: string,
    bytes: Uint8Array,
    start: number,
    /** Offset just past the section (and its payload). */
    readonly end: number,
    readonly offset: number,
    readonly payloadOffset: number,
    readonly after: number,
  ) {
    this.#bytes = bytes;
    this.#start = start;
  }

  get data(): Uint8Array {
    return (this.#view ??= this.#bytes.subarray(this.#start, this.end));
  }
}

/** Defines `key` on `obj` as a property computed on first read and then kept. */
function defineLazy<T>(obj: object, key: string, compute: () => T): void {
  Object.defineProperty(obj, key, {
    configurable: true,
    enumerable: true,
    get() {
      const value = compute();
      Object.defineProperty(obj, key, { value, enumerable: true, writable: false, configurable: false });
      return value;
    },
  });
}

function readU32LE(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
