/**
 * The text parser's instruction level: plain and folded instruction sequences, structured blocks with
 * their labels (`block`, `loop`, `if`, `try`, `try_table`) and constant expressions.
 *
 * @module
 */
import type { ConstExpr } from "../binary/module-info.js";
import type { OpInfo } from "../binary/opcodes.js";
import { Tok } from "./lexer.js";
import { ImmediateParser } from "./parse-immediates.js";
import { lookupOp } from "./op-names.js";

export abstract class InstrParser extends ImmediateParser {
  // ---- constant expressions -------------------------------------------------------------------

  /** Instructions up to the closing paren of the current list (consumed), as a constant expression. */
  protected constExprUntilClose(): ConstExpr {
    const w = this.w;
    const saved = w.len;
    this.labels.clear();
    this.instrs();
    this.expectRP();
    w.byte(0x0b);
    const bytes = w.buf.slice(saved, w.len);
    w.len = saved;
    return { bytes, offset: 0 };
  }

  /** One folded instruction as a constant expression. */
  protected foldedConstExpr(): ConstExpr {
    const w = this.w;
    const saved = w.len;
    this.labels.clear();
    this.folded();
    w.byte(0x0b);
    const bytes = w.buf.slice(saved, w.len);
    w.len = saved;
    return { bytes, offset: 0 };
  }

  // ---- instructions ---------------------------------------------------------------------------

  /** Instructions until `)` or a block-structure keyword (`end`, `else`, `catch`, `catch_all`, `delegate`). */
  instrs(): void {
    const kind = this.kind;
    for (;;) {
      const k = kind[this.p];
      if (k === Tok.lparen) {
        this.folded();
        continue;
      }
      if (k !== Tok.atom) return;
      const s = this.start[this.p]!;
      const c = this.src.charCodeAt(s);
      // Fast rejection of the block keywords, which all start with c, d or e.
      if ((c === 0x65 || c === 0x63 || c === 0x64) && this.atBlockKeyword()) return;
      this.plain();
    }
  }

  private atBlockKeyword(): boolean {
    const p = this.p;
    return this.isAtom(p, "end") || this.isAtom(p, "else") || this.isAtom(p, "catch") || this.isAtom(p, "catch_all") || this.isAtom(p, "delegate");
  }

  private opAt(i: number): OpInfo {
    if (this.kind[i] !== Tok.atom) this.unexpected(i);
    const op = lookupOp(this.src, this.start[i]!, this.end[i]!);
    if (op === undefined) {
      const word = this.text(i);
      this.fail(`${NOT_INSTRUCTIONS.has(word) ? "unexpected token" : "unknown operator"} ${word}`, i);
    }
    return op;
  }

  /** One plain (unfolded) instruction at the cursor. */
  private plain(): void {
    const at = this.p;
    const op = this.opAt(at);
    this.p++;
    if (op.prefix === undefined) {
      switch (op.code) {
        case 0x02: case 0x03: case 0x06: case 0x1f: return this.blockPlain(op, at);
        case 0x04: return this.blockPlain(op, at);
      }
    }
    this.immediates(op, at);
  }

  /** `block|loop|if|try|try_table label? bt … end label?` in the plain form. */
  private blockPlain(op: OpInfo, at: number): void {
    const w = this.w;
    if (this.labels.depth >= MAX_BLOCK_DEPTH) this.fail(`blocks nested too deep (the limit is ${MAX_BLOCK_DEPTH})`, at);
    const label = this.optId();
    w.op(op);
    this.blockType();
    if (op.code === 0x1f) this.tryTableCatches();
    this.labels.push(label);
    this.nameLabel(label);
    this.instrs();
    if (op.code === 0x04 && this.isAtom(this.p, "else")) {
      this.p++;
      this.endLabel(label);
      w.byte(0x05);
      this.instrs();
    }
    if (op.code === 0x06) {
      const handlers = this.p;
      while (this.isAtom(this.p, "catch")) {
        this.p++;
        w.byte(0x07);
        w.u32(this.index(this.tags));
        this.instrs();
      }
      if (this.isAtom(this.p, "catch_all")) {
        this.p++;
        w.byte(0x19);
        this.instrs();
      }
      if (this.isAtom(this.p, "delegate")) {
        // `delegate` replaces the handlers: a try has one or the other.
        if (this.p !== handlers) this.fail("unexpected token delegate: a try with catch clauses cannot delegate", this.p);
        this.p++;
        this.labels.pop();
        w.byte(0x18);
        w.u32(this.label());
        return;
      }
    }
    if (!this.isAtom(this.p, "end")) {
      if (this.kind[this.p] === Tok.eof || this.kind[this.p] === Tok.rparen) this.fail(`unexpected token: ${op.name} without end`, at);
      this.unexpected();
    }
    this.p++;
    this.endLabel(label);
    this.labels.pop();
    w.byte(0x0b);
  }

  /** Numbers the block just opened (labels are numbered in code order) and records its name. */
  private nameLabel(label: string | undefined): void {
    const i = this.labelCount++;
    if (label !== undefined) (this.funcLabelNames ??= new Map()).set(i, label);
  }

  /** An optional `$label` after `end`/`else`/`catch` that must repeat the block's label. */
  private endLabel(label: string | undefined): void {
    if (this.kind[this.p] === Tok.id) {
      const at = this.p;
      const n = this.idName(this.p++);
      if (n !== label) this.fail(`mismatching label $${n}`, at);
    }
  }

  /** A folded instruction `( … )` at the cursor. */
  private folded(): void {
    const open = this.p;
    const close = this.match[open]!;
    this.p++;
    const at = this.p;
    const op = this.opAt(at);
    this.p++;
    const w = this.w;
    if (op.prefix === undefined) {
      switch (op.code) {
        // Parts of a block (else, catch, catch_all, delegate, end) are not instructions on their own.
        case 0x05: case 0x07: case 0x0b: case 0x18: case 0x19:
          return this.fail(`unexpected token ${op.name}: only allowed inside its block`, at);
        case 0x02: case 0x03: case 0x1f: {
          if (this.labels.depth >= MAX_BLOCK_DEPTH) this.fail(`blocks nested too deep (the limit is ${MAX_BLOCK_DEPTH})`, at);
          const label = this.optId();
          w.op(op);
          this.blockType();
          if (op.code === 0x1f) this.tryTableCatches();
          this.labels.push(label);
          this.nameLabel(label);
          this.instrs();
          this.labels.pop();
          w.byte(0x0b);
          this.expectRP();
          return;
        }
        case 0x04: return this.foldedIf(op);
        case 0x06: return this.foldedTry(op);
      }
    }
    // Operands come first in the text but after the instruction's immediates: parse the immediates
    // into a side buffer, then the operands, then emit.
    const immStart = w.len;
    this.immediates(op, at);
    if (this.kind[this.p] === Tok.rparen) {
      this.p++;
      return;
    }
    const len = w.len - immStart;
    const saved = w.buf.slice(immStart, w.len);
    w.len = immStart;
    while (this.kind[this.p] === Tok.lparen) this.folded();
    if (this.kind[this.p] !== Tok.rparen) {
      const j = this.p;
      const known = this.kind[j] === Tok.atom && lookupOp(this.src, this.start[j]!, this.end[j]!) !== undefined;
      this.fail(`${this.kind[j] === Tok.atom && !known ? "unknown operator" : "unexpected token"} ${this.text(j)}`, j);
    }
    this.p = close + 1;
    w.ensure(len);
    w.buf.set(saved, w.len);
    w.len += len;
  }

  private foldedIf(op: OpInfo): void {
    const w = this.w;
    const label = this.optId();
    // The block type precedes the condition in the text but follows it in the binary.
    const saveLen = w.len;
    this.blockType();
    const bt = w.buf.slice(saveLen, w.len);
    w.len = saveLen;
    while (this.kind[this.p] === Tok.lparen && !this.isOpen(this.p, "then")) this.folded();
    if (!this.isOpen(this.p, "then")) this.unexpected();
    w.op(op);
    w.bytes(bt);
    this.labels.push(label);
    this.nameLabel(label);
    this.p += 2;
    this.instrs();
    this.expectRP();
    if (this.isOpen(this.p, "else")) {
      this.p += 2;
      w.byte(0x05);
      this.instrs();
      this.expectRP();
    }
    this.labels.pop();
    w.byte(0x0b);
    this.expectRP();
  }

  private foldedTry(op: OpInfo): void {
    const w = this.w;
    const label = this.optId();
    w.op(op);
    this.blockType();
    this.labels.push(label);
    this.nameLabel(label);
    if (!this.isOpen(this.p, "do")) this.unexpected();
    this.p += 2;
    this.instrs();
    this.expectRP();
    const handlers = this.p;
    while (this.isOpen(this.p, "catch")) {
      this.p += 2;
      w.byte(0x07);
      w.u32(this.index(this.tags));
      this.instrs();
      this.expectRP();
    }
    if (this.isOpen(this.p, "catch_all")) {
      this.p += 2;
      w.byte(0x19);
      this.instrs();
      this.expectRP();
    }
    if (this.isOpen(this.p, "delegate")) {
      if (this.p !== handlers) this.fail("unexpected token delegate: a try with catch clauses cannot delegate", this.p + 1);
      this.p += 2;
      this.labels.pop();
      w.byte(0x18);
      w.u32(this.label());
      this.expectRP();
      this.expectRP();
      return;
    }
    this.labels.pop();
    w.byte(0x0b);
    this.expectRP();
  }

  /** `try_table`'s catch clauses. */
  private tryTableCatches(): void {
    const w = this.w;
    const clauses: number[] = [];
    let n = 0;
    while (this.kind[this.p] === Tok.lparen) {
      const kw = this.text(this.p + 1);
      const kind = kw === "catch" ? 0 : kw === "catch_ref" ? 1 : kw === "catch_all" ? 2 : kw === "catch_all_ref" ? 3 : -1;
      if (kind < 0) break;
      this.p += 2;
      clauses.push(kind);
      if (kind < 2) clauses.push(this.index(this.tags));
      clauses.push(this.label());
      this.expectRP();
      n++;
    }
    w.u32(n);
    for (let i = 0; i < clauses.length;) {
      const kind = clauses[i++]!;
      w.byte(kind);
      if (kind < 2) w.u32(clauses[i++]!);
      w.u32(clauses[i++]!);
    }
  }
}


/** The deepest block nesting accepted (plain blocks recurse without parentheses, so the lexer's cap does not bound them). */
const MAX_BLOCK_DEPTH = 1000;


/** Keywords of the text format that are not instructions: where an instruction is due, "unexpected token". */
const NOT_INSTRUCTIONS = new Set([
  "type", "param", "result", "local", "export", "import", "func", "table", "memory", "global", "elem", "data",
  "start", "module", "then", "else", "do", "item", "offset", "mut", "ref", "rec", "sub", "field", "tag",
]);
