/**
 * The text parser's immediates level: an instruction's operands after its name, written straight into
 * the body's byte writer (block types, labels, locals, indices, memory arguments, lanes, `v128.const`
 * shapes, typed `select`, reference types).
 *
 * @module
 */
import { ByteWriter } from "../binary/encoder.js";
import type { HeapType, ValueType } from "../binary/module-info.js";
import { Imm, type OpInfo, opByCode } from "../binary/opcodes.js";
import { Tok } from "./lexer.js";
import { NumClass, classifyNumber, f64Out, parseF32, parseF64, parseI32, parseI64, parseLaneInt, parseU32, parseU64 } from "./numbers.js";
import { TypeParser } from "./parse-types.js";
import { lookupOp } from "./op-names.js";

const OP_SELECT_T = opByCode(undefined, 0x1c)!;

const SHAPES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };

export abstract class ImmediateParser extends TypeParser {
  /** A block type: `(type x)? (param …)* (result …)*`, written as 0x40, a value type or a type index. */
  protected blockType(): void {
    const w = this.w;
    if (this.isOpen(this.p, "type")) {
      const sig = this.typeUse(false);
      w.s33(sig.typeIndex);
      return;
    }
    if (!this.isOpen(this.p, "param") && !this.isOpen(this.p, "result")) {
      w.byte(0x40);
      return;
    }
    const params: ValueType[] = [];
    const results: ValueType[] = [];
    this.paramsResults(params, results, undefined);
    if (params.length === 0 && results.length === 0) w.byte(0x40);
    else if (params.length === 0 && results.length === 1) w.valType(results[0]!);
    else w.s33(this.funcType(params, results));
  }

  /** A label reference: `$name` (relative depth computed) or a number. */
  protected label(): number {
    const i = this.p;
    if (this.kind[i] === Tok.id) {
      const name = this.idName(i);
      const d = this.labels.find(name);
      if (d < 0) this.fail(`unknown label $${name}`, i);
      this.p++;
      return d;
    }
    return this.u32();
  }

  private localIndex(): number {
    const i = this.p;
    if (this.kind[i] === Tok.id) {
      const name = this.idName(i);
      const v = this.locals.get(name);
      if (v === undefined) this.fail(`unknown local $${name}`, i);
      this.p++;
      return v;
    }
    return this.u32();
  }

  /** Writes `op` and its immediates (parsed from the cursor). */
  protected immediates(op: OpInfo, at: number): void {
    const w = this.w;
    const imms = op.imms;
    if (imms.length === 0 && (op.prefix !== undefined || op.code !== 0x1b)) {
      w.op(op);
      return;
    }
    switch (imms[0]) {
      case Imm.localIdx: w.op(op); w.u32(this.localIndex()); return;
      case Imm.i32: {
        w.op(op);
        const i = this.p;
        if (this.kind[i] !== Tok.atom) this.unexpected(i);
        const v = parseI32(this.src, this.start[i]!, this.end[i]!);
        if (v === undefined) this.numberError(i, "int", "i32 constant out of range");
        this.p++;
        w.s32(v);
        return;
      }
      case Imm.i64: {
        w.op(op);
        const i = this.p;
        if (this.kind[i] !== Tok.atom) this.unexpected(i);
        const v = parseI64(this.src, this.start[i]!, this.end[i]!);
        if (v === undefined) this.numberError(i, "int", "i64 constant out of range");
        this.p++;
        writeS64(w, v);
        return;
      }
      case Imm.f32: w.op(op); w.u32le(this.f32Bits()); return;
      case Imm.f64: w.op(op); this.f64Bits(); w.u32le(f64Out[0]!); w.u32le(f64Out[1]!); return;
      case Imm.memarg: return this.memInstr(op);
      case Imm.label: {
        w.op(op);
        w.u32(this.label());
        return;
      }
      case Imm.brTable: {
        w.op(op);
        const targets: number[] = [];
        while (this.kind[this.p] === Tok.id || this.atU32()) targets.push(this.label());
        if (targets.length === 0) {
          if (this.kind[this.p] === Tok.atom) this.numberError(this.p, "nat", "i32 constant out of range");
          this.unexpected();
        }
        w.u32(targets.length - 1);
        for (const t of targets) w.u32(t);
        return;
      }
      case Imm.funcIdx: w.op(op); w.u32(this.index(this.funcs)); return;
      case Imm.globalIdx: w.op(op); w.u32(this.index(this.globals)); return;
      case Imm.tagIdx: w.op(op); w.u32(this.index(this.tags)); return;
      case Imm.elemIdx: {
        // table.init: tableidx? elemidx (binary: elemidx tableidx).
        w.op(op);
        if (imms.length === 2) {
          const table = this.isIndexTok(this.p + 1) ? this.index(this.tables) : 0;
          w.u32(this.index(this.elems));
          w.u32(table);
          return;
        }
        w.u32(this.index(this.elems));
        return;
      }
      case Imm.dataIdx: {
        // memory.init: memidx? dataidx (binary: dataidx memidx).
        this.usesDataCount = true;
        w.op(op);
        if (imms.length === 2) {
          const mem = this.isIndexTok(this.p + 1) ? this.index(this.memories) : 0;
          w.u32(this.index(this.datas));
          w.u32(mem);
          return;
        }
        w.u32(this.index(this.datas));
        return;
      }
      case Imm.tableIdx: {
        w.op(op);
        if (imms.length === 2) { // table.copy
          if (this.atIndex()) {
            w.u32(this.index(this.tables));
            w.u32(this.index(this.tables));
          } else {
            w.u32(0);
            w.u32(0);
          }
          return;
        }
        w.u32(this.atIndex() ? this.index(this.tables) : 0);
        return;
      }
      case Imm.memIdx: {
        w.op(op);
        if (imms.length === 2) { // memory.copy
          if (this.atIndex()) {
            w.u32(this.index(this.memories));
            w.u32(this.index(this.memories));
          } else {
            w.u32(0);
            w.u32(0);
          }
          return;
        }
        w.u32(this.atIndex() ? this.index(this.memories) : 0);
        return;
      }
      case Imm.typeIdx: {
        if (op.prefix === undefined && (op.code === 0x11 || op.code === 0x13)) {
          // call_indirect tableidx? typeuse
          const table = this.atIndex() ? this.index(this.tables) : 0;
          const sig = this.typeUse(false);
          w.op(op);
          w.u32(sig.typeIndex);
          w.u32(table);
          return;
        }
        w.op(op);
        const type = this.index(this.types);
        w.u32(type);
        for (let k = 1; k < imms.length; k++) {
          switch (imms[k]) {
            case Imm.fieldIdx: {
              const i = this.p;
              if (this.kind[i] === Tok.id) {
                const name = this.idName(i);
                const v = this.fieldNames.get(type)?.get(name);
                if (v === undefined) this.fail(`unknown field $${name}`, i);
                this.p++;
                w.u32(v);
              } else {
                w.u32(this.u32());
              }
              break;
            }
            case Imm.typeIdx: w.u32(this.index(this.types)); break;
            case Imm.dataIdx: this.usesDataCount = true; w.u32(this.index(this.datas)); break;
            case Imm.elemIdx: w.u32(this.index(this.elems)); break;
            case Imm.u32: w.u32(this.u32()); break;
          }
        }
        return;
      }
      case Imm.v128: return this.v128Const(op);
      case Imm.lane: {
        w.op(op);
        w.byte(this.laneIndex());
        return;
      }
      case Imm.shuffle: {
        w.op(op);
        for (let k = 0; k < 16; k++) {
          const j = this.p;
          if (this.kind[j] !== Tok.atom) this.fail("invalid lane length", j);
          const v = parseU32(this.src, this.start[j]!, this.end[j]!);
          if (v === undefined || v > 255) {
            const cls = classifyNumber(this.src, this.start[j]!, this.end[j]!);
            if (cls === NumClass.malformed) this.fail(`unknown operator ${this.text(j)}: malformed number`, j);
            this.fail("malformed lane index: i8 constant out of range", j);
          }
          this.p++;
          w.byte(v);
        }
        if (this.kind[this.p] === Tok.atom && isNumberToken(this.src, this.start[this.p]!)) this.fail("invalid lane length", this.p);
        return;
      }
      case Imm.heapType: {
        if (op.prefix === 0xfb) { // ref.test / ref.cast (ref null? ht)
          const t = this.refType();
          const nullable = typeof t === "string" ? true : t.nullable;
          const ht: HeapType = t === "funcref" ? "func" : t === "externref" ? "extern" : (t as { ref: HeapType }).ref;
          w.op(opByCode(0xfb, op.code + (nullable ? 1 : 0))!);
          w.heapType(ht, isSharedRef(t));
          return;
        }
        w.op(op);
        const ht = this.heapType();
        w.heapType(ht, this.heapShared);
        return;
      }
      case Imm.selectTypes: break;
      case Imm.castFlags: {
        // br_on_cast label rt1 rt2
        const label = this.label();
        const t1 = this.refType();
        const t2 = this.refType();
        w.op(op);
        w.byte((isNullable(t1) ? 1 : 0) | (isNullable(t2) ? 2 : 0));
        w.u32(label);
        w.heapType(heapOf(t1), isSharedRef(t1));
        w.heapType(heapOf(t2), isSharedRef(t2));
        return;
      }
      case Imm.zeroByte: w.op(op); w.byte(0); return;
    }
    if (op.name === "select") {
      if (this.isOpen(this.p, "result")) {
        const types: ValueType[] = [];
        while (this.isOpen(this.p, "result")) {
          this.p += 2;
          while (this.kind[this.p] !== Tok.rparen) types.push(this.valType());
          this.expectRP();
        }
        w.op(OP_SELECT_T);
        w.u32(types.length);
        for (const t of types) w.valType(t);
      } else {
        w.op(op);
      }
      return;
    }
    this.fail(`unsupported instruction ${op.name}`, at);
  }

  /** True when token `i` is an index (`$id` or an unsigned integer). */
  private isIndexTok(i: number): boolean {
    return this.kind[i] === Tok.id || (this.kind[i] === Tok.atom && parseU32(this.src, this.start[i]!, this.end[i]!) !== undefined);
  }

  private laneIndex(): number {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.fail(`unexpected token${this.kind[i] === Tok.rparen ? " )" : ""}: expected a lane number`, i);
    const v = parseU32(this.src, this.start[i]!, this.end[i]!);
    if (v === undefined || v > 255) this.numberError(i, "nat", "malformed lane index: i8 constant out of range");
    this.p++;
    return v;
  }

  /** Loads, stores and atomics: `memidx? offset=N? align=N?` (and a lane for the lane forms). */
  private memInstr(op: OpInfo): void {
    const w = this.w;
    let mem = 0;
    if (this.kind[this.p] === Tok.id) {
      mem = this.index(this.memories);
    } else if (this.atU32() && !(op.imms.length === 2 && this.laneFollows())) {
      mem = this.u32();
    }
    let offset: number | bigint = 0;
    let align = op.align;
    if (this.kind[this.p] === Tok.atom && this.src.startsWith("offset=", this.start[this.p]!)) {
      const i = this.p;
      const v = parseU64(this.src, this.start[i]! + 7, this.end[i]!);
      if (v === undefined) this.fail(`unknown operator ${this.text(i)}: malformed offset`, i);
      offset = v;
      this.p++;
    }
    if (this.kind[this.p] === Tok.atom && this.src.startsWith("align=", this.start[this.p]!)) {
      const i = this.p;
      // Any u64 power of two assembles (its exponent fits the memarg); validation bounds it by the access size.
      const v = parseU64(this.src, this.start[i]! + 6, this.end[i]!);
      if (v === undefined) this.fail(`unknown operator ${this.text(i)}: malformed alignment`, i);
      const big = BigInt(v);
      if (big === 0n || (big & (big - 1n)) !== 0n) this.fail("alignment must be a power of two", i);
      align = big.toString(2).length - 1;
      this.p++;
    }
    w.op(op);
    w.memarg(align, offset, mem);
    if (op.imms.length === 2) w.byte(this.laneIndex());
  }

  /** For lane loads/stores: true when the integer at the cursor is the lane (no second integer follows). */
  private laneFollows(): boolean {
    const next = this.p + 1;
    if (this.kind[next] !== Tok.atom) return true;
    const s = this.start[next]!;
    return this.src.startsWith("offset=", s) || this.src.startsWith("align=", s) ? false : parseU32(this.src, s, this.end[next]!) === undefined;
  }

  private f32Bits(): number {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const v = parseF32(this.src, this.start[i]!, this.end[i]!);
    if (v === null) this.fail("constant out of range", i);
    if (v === undefined) this.numberError(i, "float", "constant out of range");
    this.p++;
    return v;
  }

  private f64Bits(): void {
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const v = parseF64(this.src, this.start[i]!, this.end[i]!);
    if (v === null) this.fail("constant out of range", i);
    if (v === undefined) this.numberError(i, "float", "constant out of range");
    this.p++;
  }

  private v128Const(op: OpInfo): void {
    const w = this.w;
    const i = this.p;
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const shape = this.text(i);
    this.p++;
    w.op(op);
    const lanes = SHAPES[shape];
    if (lanes === undefined) this.fail(`unexpected token ${shape}: expected a v128 shape`, i);
    // Count the literals first, as the reference parser does, so a short list is reported as such.
    for (let k = 0; k < lanes; k++) {
      const j = this.p + k;
      if (this.kind[j] !== Tok.atom || lookupOp(this.src, this.start[j]!, this.end[j]!) !== undefined) {
        this.fail("wrong number of lane literals", j);
      }
    }
    for (let k = 0; k < lanes; k++) {
      const j = this.p;
      if (this.kind[j] !== Tok.atom) this.fail("wrong number of lane literals", j);
      const s = this.start[j]!;
      const e = this.end[j]!;
      switch (shape) {
        case "i8x16": case "i16x8": {
          const bits = shape === "i8x16" ? 8 : 16;
          const v = parseLaneInt(this.src, s, e, bits);
          if (v === undefined) this.numberError(j, "int", "constant out of range");
          w.byte(v & 0xff);
          if (bits === 16) w.byte(v >> 8);
          break;
        }
        case "i32x4": {
          const v = parseI32(this.src, s, e);
          if (v === undefined) this.numberError(j, "int", "constant out of range");
          w.u32le(v >>> 0);
          break;
        }
        case "i64x2": {
          const v = parseI64(this.src, s, e);
          if (v === undefined) this.numberError(j, "int", "constant out of range");
          w.u64le(BigInt.asUintN(64, BigInt(v)));
          break;
        }
        case "f32x4": w.u32le(this.f32Bits()); continue;
        case "f64x2": this.f64Bits(); w.u32le(f64Out[0]!); w.u32le(f64Out[1]!); continue;
      }
      this.p++;
    }
    if (this.kind[this.p] === Tok.atom && isNumberToken(this.src, this.start[this.p]!)) this.fail("wrong number of lane literals", this.p);
  }
}

function isNumberToken(src: string, s: number): boolean {
  let c = src.charCodeAt(s);
  if (c === 0x2b || c === 0x2d) c = src.charCodeAt(s + 1);
  return (c >= 0x30 && c <= 0x39) || src.startsWith("inf", s) || src.startsWith("nan", s) || src.startsWith("-inf", s) ||
    src.startsWith("+inf", s) || src.startsWith("-nan", s) || src.startsWith("+nan", s);
}

function writeS64(w: ByteWriter, v: number | bigint): void {
  if (typeof v === "number") {
    if (v >= -0x80000000 && v <= 0x7fffffff) w.s32(v);
    else w.s64(BigInt(v));
  } else {
    w.s64(v);
  }
}


/** True for a reference to a shared abstract heap type (shared-everything threads). */
function isSharedRef(t: ValueType): boolean {
  return typeof t === "object" && t.shared === true;
}

function isNullable(t: ValueType): boolean {
  return typeof t === "string" ? true : t.nullable;
}

function heapOf(t: ValueType): HeapType {
  if (t === "funcref") return "func";
  if (t === "externref") return "extern";
  if (typeof t === "string") return "func";
  return t.ref;
}
