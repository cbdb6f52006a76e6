/**
 * The rewriting core's own insertions for threading, body by body: the threaded values passed to
 * threaded callees (direct calls, and `call_indirect`s through threaded tables) and taken back after,
 * a threaded body wrapped in a block of its results, and the export wrappers' bodies. Its snippets
 * are cached by number keys, per rewrite, so that nothing is built per body. When a module turns out
 * to need the rewrite without threading (tail calls, exception handling) or without threaded tables
 * (a body reads or changes one), it throws `WithoutThreading` or `WithoutThreadedTables` for
 * `rewriteModule` to start again.
 *
 * @module
 */
import { ALL_OPS, op } from "../binary/opcodes.js";
import type { ValueType } from "../binary/module-info.js";
import { funcTypeAt } from "../binary/module-info.js";
import { CompileError, WasmhostBug } from "../errors.js";
import { OpClass, readLeb } from "./scan.js";
import { ByteSink } from "./sink.js";
import { valueType } from "./encode.js";
import type { InsertList, InsnMarks } from "./insert-list.js";
import type { Snippet } from "./plan.js";
import { CALL_ID, type RewriteState } from "./rewrite-state.js";
import { shapeOf } from "./threading.js";

/** Thrown inside the rewriter when a module needs the rewrite without threading (tail calls, exceptions). */
export class WithoutThreading extends Error {}
/** Thrown inside the rewriter when a body reads or changes a threaded table (`table.get`, `table.set`...). */
export class WithoutThreadedTables extends Error {}

/** Instructions that make a module keep the unthreaded rewrite: tail calls, exception handling. */
const NO_THREADING = new Uint8Array(ALL_OPS.length);
for (const name of ["return_call", "return_call_indirect", "return_call_ref", "try", "catch", "catch_all", "delegate", "throw", "rethrow", "throw_ref", "try_table", "br_on_cast", "br_on_cast_fail"]) {
  NO_THREADING[op(name).id] = 1;
}
/** How the threading walk reads block structure: 1 opens a block, 2 ends one, 3 branches, 4 is `br_table`. */
const STRUCTURE = new Uint8Array(ALL_OPS.length);
for (const name of ["block", "loop", "if"]) STRUCTURE[op(name).id] = 1;
STRUCTURE[op("end").id] = 2;
for (const name of ["br", "br_if", "br_on_null", "br_on_non_null"]) STRUCTURE[op(name).id] = 3;
STRUCTURE[op("br_table").id] = 4;
const CALL_INDIRECT_ID = op("call_indirect").id;
const RETURN_ID = op("return").id;
/** Table instructions by their table immediates' positions: 1 the first, 2 the second, 3 both. */
const TABLE_ACCESS = new Uint8Array(ALL_OPS.length);
for (const name of ["table.get", "table.set", "table.grow", "table.fill"]) TABLE_ACCESS[op(name).id] = 1;
TABLE_ACCESS[op("table.init").id] = 2; // table.init elem table
TABLE_ACCESS[op("table.copy").id] = 3; // table.copy dst src

/** The threading insertions of one rewrite (see the module comment), with their snippet caches. */
export class ThreadCalls {
  private readonly st: RewriteState;

  constructor(st: RewriteState) {
    this.st = st;
  }

  /**
   * The export wrapper of threaded function `f`: its parameters and the threaded values from their
   * globals go to the threaded body; the values coming back are stored, the results returned. Its code
   * maps to the start of `f`'s body (frames in it stand for `f`; see `Rewritten.wrappers`).
   */
  writeWrapper(out: ByteSink, base: number, f: number): void {
    const st = this.st;
    const info = st.info;
    const i = f - info.importedFuncs;
    const globals = st.plan.threadGlobals!;
    const params = funcTypeAt(info, info.functions[i]!)?.params.length ?? 0;
    const sizeAt = out.u32Padded(0);
    const bodyStart = out.length;
    st.map.insertRun(out.length - base, info.code[i]!.codeOffset);
    out.u8(0); // no locals
    for (let p = 0; p < params; p++) {
      out.u8(0x20); // local.get
      out.u32(p);
    }
    for (const g of globals) {
      out.u8(0x23); // global.get
      out.u32(g);
    }
    out.u8(0x10); // call
    out.u32(st.func(f));
    for (let k = globals.length - 1; k >= 0; k--) {
      out.u8(0x24); // global.set
      out.u32(globals[k]!);
    }
    out.u8(0x0b);
    out.patchU32(sizeAt, out.length - bodyStart);
  }

  /** `threadedByShape` of each type index's shape (-1: none), filled as `indirectCalls` meets them. */
  private readonly threadedByType = new Map<number, number>();

  /** `call_indirect` type of each threaded indirect call of the body being written, by instruction. */
  private readonly indirectTypes = new Map<number, number>();

  /**
   * Finds the `call_indirect`s of the body just scanned through threaded tables with a threaded shape
   * (added to `calls`, their new type in `indirectTypes`); refuses bodies that access threaded tables.
   */
  indirectCalls(calls: InsnMarks): void {
    const st = this.st;
    const { n, op: ops, start } = st.scan;
    const bytes = st.src;
    const tables = st.threadedTable;
    this.indirectTypes.clear();
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      const access = TABLE_ACCESS[o]!;
      if (o !== CALL_INDIRECT_ID && access === 0) continue;
      const end = start[i + 1]!;
      let p = start[i]! + 1;
      if (bytes[start[i]!] === 0xfc) p = lebEndAt(bytes, p); // table.init/copy/grow/fill: a prefixed opcode
      const first = readLeb(bytes, p, end);
      while (bytes[p]! & 0x80) p++;
      p++;
      if (o === CALL_INDIRECT_ID) {
        const table = readLeb(bytes, p, end);
        const type = st.info.types[first];
        if (tables[table] !== 1 || type?.kind !== "func") continue;
        // The threaded type of this type's shape, by type index (a shape is a string: made once per type).
        let threaded = this.threadedByType.get(first);
        if (threaded === undefined) {
          threaded = st.threadedByShape.get(shapeOf(type as { params: readonly ValueType[]; results: readonly ValueType[] })) ?? -1;
          this.threadedByType.set(first, threaded);
        }
        if (threaded < 0) continue;
        calls.add(i);
        this.indirectTypes.set(i, threaded);
        continue;
      }
      const second = access === 1 ? -1 : readLeb(bytes, p, end);
      if ((access !== 2 && tables[first] === 1) || (access !== 1 && tables[second] === 1)) throw new WithoutThreadedTables();
    }
  }

  /**
   * The core's insertions for threading in the body just scanned: threaded callees get the values as
   * extra arguments and hand them back; a threaded function wraps its body in a block of its results
   * (so that branches to the function's label still carry just those) and returns the values after them.
   */
  threadCalls(list: InsertList, threaded: boolean, values: readonly number[], typeIndex: number, calls: InsnMarks, addLocal: (typeCode: number) => number): void {
    let indirectTemp = -1;
    const scan = this.st.scan;
    const { n, op: ops } = scan;
    if (values.length !== this.st.extras.length) throw new WasmhostBug("a pass did not say where its threaded value lives");
    const push = this.valueSnippet(values, 0);
    const pop = this.valueSnippet(values, 1);
    if (threaded) list.add(0, this.bodyBlock(typeIndex), 0);
    const bytes = this.st.src;
    let depth = 0;
    // Nothing to look at in a body without calls, returns and (in a threaded one) branches.
    const mask = OpClass.unusual | OpClass.call | OpClass.callIndirect | (threaded ? OpClass.return | OpClass.branch : 0);
    for (let i = (scan.mask & mask) === 0 ? n : 0; i < n; i++) {
      const o = ops[i]!;
      if (NO_THREADING[o]) throw new WithoutThreading();
      if (threaded) {
        // The body's block adds a label: a branch past the function's own must stay invalid.
        const st = STRUCTURE[o]!;
        if (st === 1) depth++;
        else if (st === 2) depth--;
        else if (st === 3) {
          if (readLeb(bytes, scan.start[i]! + 1, scan.start[i + 1]!) > depth) throw new CompileError("unknown label", scan.start[i]);
        } else if (st === 4) {
          let p = scan.start[i]! + 1;
          const end = scan.start[i + 1]!;
          const count = readLeb(bytes, p, end);
          while (bytes[p]! & 0x80) p++;
          p++;
          for (let k = 0; k <= count; k++) {
            if (readLeb(bytes, p, end) > depth) throw new CompileError("unknown label", scan.start[i]);
            while (bytes[p]! & 0x80) p++;
            p++;
          }
        }
      }
      if (o === CALL_ID) {
        if (calls.has(i)) {
          list.add(i * 16 + 10, push, i);
          list.add((i + 1) * 16, pop, i);
        }
      } else if (o === CALL_INDIRECT_ID && calls.has(i)) {
        // The values go under the table index: it waits in a local meanwhile.
        if (indirectTemp < 0) indirectTemp = addLocal(0x7f);
        list.add(i * 16 + 10, this.indirectPush(values, indirectTemp), i);
        list.add(i * 16 + 15, this.threadedIndirect(this.indirectTypes.get(i)!, bytes, lebEndAt(bytes, scan.start[i]! + 1), scan.start[i + 1]!), i);
        list.add((i + 1) * 16, pop, i);
      } else if (o === RETURN_ID && threaded) {
        list.add(i * 16 + 10, push, i);
      }
    }
    if (threaded) list.add(n * 16, this.valueSnippet(values, 2), n - 1);
  }

  /** `call_indirect` of the threaded type `type` through the table whose index is `bytes[from..to)`, by both. */
  private readonly indirects = new Map<number, Snippet>();
  private threadedIndirect(type: number, bytes: Uint8Array, from: number, to: number): Snippet {
    const table = readLeb(bytes, from, to);
    const key = type * 2 ** 32 + table;
    let s = this.indirects.get(key);
    if (!s) {
      const b = new ByteSink(12);
      b.u8(0x11);
      b.u32(type);
      b.copy(bytes, from, to); // the table index, as it was encoded
      this.indirects.set(key, (s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 }));
    }
    return s;
  }

  /** The block a threaded body of type `typeIndex` is wrapped in (`block` of its results), by type. */
  private readonly bodyBlocks: Snippet[] = [];
  private bodyBlock(typeIndex: number): Snippet {
    let s = this.bodyBlocks[typeIndex];
    if (!s) {
      const type = this.st.info.types[typeIndex] as { results: readonly ValueType[] };
      const b = new ByteSink(8);
      b.u8(0x02); // block
      if (type.results.length === 0) b.u8(0x40);
      else if (type.results.length === 1) valueType(b, type.results[0]!);
      else b.sleb(this.st.threadedTypes.get(-1 - typeIndex)!); // a block type index is an s33 (64 would read as 0x40, empty)
      this.bodyBlocks[typeIndex] = s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
    }
    return s;
  }

  private readonly valueSnippets = new Map<string | number, Snippet>();

  /** Before a threaded `call_indirect`: `local.set $temp`, `local.get` of each value, `local.get $temp`. */
  private indirectPush(values: readonly number[], temp: number): Snippet {
    const v0 = values[0] ?? 0;
    const v1 = values.length > 1 ? values[1]! + 1 : 0;
    const key = values.length <= 2 && temp < 2 ** 17 && v0 < 2 ** 17 && v1 < 2 ** 17
      ? -1 - ((temp * 2 ** 17 + v0) * 2 ** 17 + v1) // negative: apart from `valueSnippet`'s keys
      : `i${temp}:${values.join(",")}`;
    let s = this.valueSnippets.get(key);
    if (!s) {
      const b = new ByteSink(16);
      b.u8(0x21);
      b.u32(temp);
      for (const v of values) {
        b.u8(0x20);
        b.u32(v);
      }
      b.u8(0x20);
      b.u32(temp);
      s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
      this.valueSnippets.set(key, s);
    }
    return s;
  }

  /**
   * `local.get` of each value in order (`kind` 0), `local.set` of each in reverse order (1), or the
   * `local.get`s and an `end` (2: the end of a threaded body).
   */
  private valueSnippet(values: readonly number[], kind: 0 | 1 | 2): Snippet {
    // A number for the usual one or two values (no string built per body).
    const v0 = values[0] ?? 0;
    const v1 = values.length > 1 ? values[1]! + 1 : 0;
    const key = values.length <= 2 && v0 < 2 ** 21 && v1 < 2 ** 21 ? (v0 * 2 ** 21 + v1) * 4 + kind : `${kind}:${values.join(",")}`;
    let s = this.valueSnippets.get(key);
    if (!s) {
      const b = new ByteSink(12);
      if (kind === 1) {
        for (let k = values.length - 1; k >= 0; k--) {
          b.u8(0x21);
          b.u32(values[k]!);
        }
      } else {
        for (const v of values) {
          b.u8(0x20);
          b.u32(v);
        }
        if (kind === 2) b.u8(0x0b); // end of the function (the original `end` closed the block)
      }
      s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 };
      this.valueSnippets.set(key, s);
    }
    return s;
  }
}

/** The position after the LEB128 at `p`. */
function lebEndAt(bytes: Uint8Array, p: number): number {
  while (bytes[p]! & 0x80) p++;
  return p + 1;
}
