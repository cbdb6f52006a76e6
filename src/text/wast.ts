/**
 * `.wast` spec scripts parsed into directives, as data: nothing is compiled to the engine or run
 * here. Text modules are assembled to bytes while parsing (a module that fails to assemble carries
 * its `WatError` instead, which is what `assert_malformed` expects); `quote` modules keep their text.
 * Every directive has the `line` it starts on.
 *
 * @module
 */
import { WatError } from "../errors.js";
import { Tok, lex, stringBytes, stringText, type Tokens } from "./lexer.js";
import { f64Out, parseF32, parseF64, parseI32, parseI64, parseLaneInt } from "./numbers.js";
import { parseModuleTokens } from "./parser.js";

/** A module of a script: assembled bytes, or the error that prevented assembling it. */
export interface WastModule {
  /** `$name` given to the module, if any. */
  readonly name?: string;
  /** How it was written: `(module …)`, `(module binary …)` or `(module quote …)`. */
  readonly form: "text" | "binary" | "quote";
  /** The binary (text and binary forms; quote forms when their text assembled). */
  readonly bytes?: Uint8Array;
  /** The text of a quote module. */
  readonly quote?: string;
  /** Why a text or quote module did not assemble. */
  readonly error?: WatError;
  /** `(module definition …)`: compile only; instantiate with `module_instance`. */
  readonly definition?: boolean;
  readonly line: number;
}

/** A constant argument or an exact expected value. */
export type WastConst =
  | { readonly type: "i32"; readonly value: number }
  | { readonly type: "i64"; readonly value: bigint }
  | { readonly type: "f32"; readonly bits: number }
  | { readonly type: "f64"; readonly bits: bigint }
  | { readonly type: "v128"; readonly bytes: Uint8Array }
  | { readonly type: "ref.null"; readonly heap: string }
  | { readonly type: "ref.extern"; readonly value: number }
  | { readonly type: "ref.host"; readonly value: number };

/** One lane of an expected v128 value: exact bits or a NaN pattern. */
export type WastLane = number | bigint | "nan:canonical" | "nan:arithmetic";

/** An expected result of `assert_return`. */
export type WastExpected =
  | WastConst
  | { readonly type: "f32" | "f64"; readonly nan: "canonical" | "arithmetic" }
  | { readonly type: "v128"; readonly shape: string; readonly lanes: readonly WastLane[] }
  | { readonly type: "ref.extern" | "ref.func" | "ref.any" | "ref.eq" | "ref.struct" | "ref.array" | "ref.i31" | "ref.exn" | "ref" }
  | { readonly type: "either"; readonly options: readonly WastExpected[] };

/** `invoke` or `get`, on the last module or a named one. */
export interface WastAction {
  readonly kind: "invoke" | "get";
  readonly module?: string;
  readonly name: string;
  readonly args: readonly WastConst[];
}

/** One directive of a script. */
export type WastDirective =
  | { readonly type: "module"; readonly line: number; readonly module: WastModule }
  | { readonly type: "module_instance"; readonly line: number; readonly instance?: string; readonly module?: string }
  | { readonly type: "register"; readonly line: number; readonly as: string; readonly module?: string }
  | { readonly type: "action"; readonly line: number; readonly action: WastAction }
  | { readonly type: "assert_return"; readonly line: number; readonly action: WastAction; readonly expected: readonly WastExpected[] }
  | { readonly type: "assert_trap"; readonly line: number; readonly action?: WastAction; readonly module?: WastModule; readonly text: string }
  | { readonly type: "assert_exhaustion"; readonly line: number; readonly action: WastAction; readonly text: string }
  | { readonly type: "assert_exception"; readonly line: number; readonly action: WastAction }
  | {
      readonly type: "assert_invalid" | "assert_malformed" | "assert_unlinkable" | "assert_uninstantiable"
        | "assert_malformed_custom" | "assert_invalid_custom";
      readonly line: number;
      readonly module: WastModule;
      readonly text: string;
    }
  | { readonly type: "thread"; readonly line: number; readonly name: string; readonly shared: readonly { name: string; as?: string }[]; readonly directives: readonly WastDirective[] }
  | { readonly type: "wait"; readonly line: number; readonly name: string };

/** A parsed script. */
export interface WastScript {
  readonly file: string | undefined;
  readonly directives: readonly WastDirective[];
}

/**
 * Parses a `.wast` script.
 *
 * @throws WatError when the script itself is malformed (a module that fails to assemble is not an
 * error of the script: it is recorded in its `WastModule.error`).
 */
export function parseWast(text: string, options: { file?: string } = {}): WastScript {
  const t = lex(text, options.file);
  const p = new WastParser(t);
  const directives: WastDirective[] = [];
  let i = 0;
  while (t.kind[i] !== Tok.eof) {
    if (t.kind[i] !== Tok.lparen) p.fail("unexpected token: expected a directive", i);
    if (t.kind[i + 1] !== Tok.atom || isModuleField(p.text(i + 1))) {
      // A script that is just module fields is one inline module.
      directives.push({ type: "module", line: p.line(i), module: p.moduleFields(i, t.count - 1) });
      break;
    }
    directives.push(p.directive(i));
    i = t.match[i]! + 1;
  }
  if (t.pending) throw t.pending;
  return { file: options.file, directives };
}

function isModuleField(word: string): boolean {
  switch (word) {
    case "type": case "rec": case "import": case "func": case "table": case "memory": case "global":
    case "export": case "start": case "elem": case "data": case "tag":
      return true;
  }
  return false;
}

/**
 * What every script parser reads tokens with (the core `.wast` parser here, the component one in
 * src/component/text/wast.ts): errors at a token, token text, 1-based lines, atoms, ids and strings.
 */
export class ScriptReader {
  private lineAt = 0;
  private lineNo = 1;

  constructor(readonly t: Tokens) {}

  fail(reason: string, tok: number): never {
    throw new WatError(reason, this.t.src, this.t.start[tok]!, this.t.file);
  }

  text(i: number): string {
    return this.t.src.slice(this.t.start[i]!, this.t.end[i]!);
  }

  /** The 1-based line of token `i` (tokens are asked for in increasing order, mostly). */
  line(i: number): number {
    const off = this.t.start[i]!;
    const src = this.t.src;
    if (off < this.lineAt) {
      this.lineAt = 0;
      this.lineNo = 1;
    }
    for (let k = this.lineAt; k < off; k++) if (src.charCodeAt(k) === 10) this.lineNo++;
    this.lineAt = off;
    return this.lineNo;
  }

  isAtom(i: number, word: string): boolean {
    const t = this.t;
    return t.kind[i] === Tok.atom && t.end[i]! - t.start[i]! === word.length && t.src.startsWith(word, t.start[i]!);
  }

  idName(i: number): string {
    const t = this.t;
    const s = t.start[i]!;
    if (t.src.charCodeAt(s + 1) === 0x22) return stringText(t, s + 1, t.end[i]!);
    return t.src.slice(s + 1, t.end[i]!);
  }

  str(i: number): string {
    if (this.t.kind[i] !== Tok.string) this.fail("unexpected token: expected a string", i);
    return stringText(this.t, this.t.start[i]!, this.t.end[i]!);
  }

}

class WastParser extends ScriptReader {
  directive(i: number): WastDirective {
    const t = this.t;
    const kw = this.text(i + 1);
    const line = this.line(i);
    const close = t.match[i]!;
    switch (kw) {
      case "module": {
        if (this.isAtom(i + 2, "instance")) {
          let j = i + 3;
          const instance = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
          const module = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
          return { type: "module_instance", line, ...(instance ? { instance } : {}), ...(module ? { module } : {}) };
        }
        return { type: "module", line, module: this.module(i) };
      }
      case "register": {
        const as = this.str(i + 2);
        const module = t.kind[i + 3] === Tok.id ? this.idName(i + 3) : undefined;
        return { type: "register", line, as, ...(module ? { module } : {}) };
      }
      case "invoke": case "get":
        return { type: "action", line, action: this.action(i) };
      case "assert_return": {
        const action = this.action(i + 2);
        const expected: WastExpected[] = [];
        for (let j = t.match[i + 2]! + 1; j < close; j = t.match[j]! + 1) expected.push(this.expected(j));
        return { type: "assert_return", line, action, expected };
      }
      case "assert_trap": {
        const text = this.str(t.match[i + 2]! + 1);
        if (this.isAtom(i + 3, "module")) return { type: "assert_trap", line, module: this.module(i + 2), text };
        return { type: "assert_trap", line, action: this.action(i + 2), text };
      }
      case "assert_exhaustion":
        return { type: "assert_exhaustion", line, action: this.action(i + 2), text: this.str(t.match[i + 2]! + 1) };
      case "assert_exception":
        return { type: "assert_exception", line, action: this.action(i + 2) };
      case "assert_invalid": case "assert_malformed": case "assert_unlinkable": case "assert_uninstantiable":
      case "assert_malformed_custom": case "assert_invalid_custom":
        return { type: kw, line, module: this.module(i + 2), text: this.str(t.match[i + 2]! + 1) };
      case "thread": {
        let j = i + 2;
        const name = t.kind[j] === Tok.id ? this.idName(j++) : "";
        const shared: { name: string; as?: string }[] = [];
        const directives: WastDirective[] = [];
        for (; j < close; j = t.match[j]! + 1) {
          if (this.isAtom(j + 1, "shared")) {
            // (shared (module $m))
            const m = j + 2;
            if (t.kind[m] === Tok.lparen && t.kind[m + 2] === Tok.id) shared.push({ name: this.idName(m + 2) });
            continue;
          }
          directives.push(this.directive(j));
        }
        return { type: "thread", line, name, shared, directives };
      }
      case "wait":
        return { type: "wait", line, name: t.kind[i + 2] === Tok.id ? this.idName(i + 2) : "" };
    }
    return this.fail(`unknown directive ${kw}`, i + 1);
  }

  /** `(module $name? …)`, `(module $name? binary "…"*)`, `(module $name? quote "…"*)`, `(module definition …)`. */
  module(i: number): WastModule {
    const t = this.t;
    if (!this.isAtom(i + 1, "module")) this.fail("unexpected token: expected a module", i + 1);
    const line = this.line(i);
    const close = t.match[i]!;
    let j = i + 2;
    let definition = false;
    if (this.isAtom(j, "definition")) {
      definition = true;
      j++;
    }
    const name = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
    const base = { ...(name !== undefined ? { name } : {}), ...(definition ? { definition } : {}), line };
    if (this.isAtom(j, "binary") || this.isAtom(j, "quote")) {
      const quote = this.isAtom(j, "quote");
      const parts: Uint8Array[] = [];
      let len = 0;
      for (j++; j < close; j++) {
        if (t.kind[j] !== Tok.string) this.fail("unexpected token: expected a string", j);
        const b = stringBytes(t, t.start[j]!, t.end[j]!);
        parts.push(b);
        len += b.length;
      }
      const bytes = new Uint8Array(len);
      let o = 0;
      for (const b of parts) {
        bytes.set(b, o);
        o += b.length;
      }
      if (!quote) return { ...base, form: "binary", bytes };
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        const error = new WatError("malformed UTF-8 encoding", t.src, t.start[i]!, t.file);
        return { ...base, form: "quote", quote: new TextDecoder().decode(bytes), error };
      }
      try {
        const qt = lex(text, t.file);
        // A quoted module may or may not spell the `(module …)` wrapper.
        return { ...base, form: "quote", quote: text, bytes: parseModuleTokens(qt, 0, qt.count - 1) };
      } catch (e) {
        if (e instanceof WatError) return { ...base, form: "quote", quote: text, error: e };
        throw e;
      }
    }
    try {
      // Parse the fields between the name and the closing paren.
      return { ...base, form: "text", bytes: parseModuleRange(t, i, j, close) };
    } catch (e) {
      if (e instanceof WatError) return { ...base, form: "text", error: e };
      throw e;
    }
  }

  /** An inline module: bare fields from `i` to `end`. */
  moduleFields(i: number, end: number): WastModule {
    const line = this.line(i);
    try {
      return { form: "text", bytes: parseModuleTokens(this.t, i, end), line };
    } catch (e) {
      if (e instanceof WatError) return { form: "text", error: e, line };
      throw e;
    }
  }

  action(i: number): WastAction {
    const t = this.t;
    const kind = this.isAtom(i + 1, "invoke") ? "invoke" : this.isAtom(i + 1, "get") ? "get" : undefined;
    if (!kind) this.fail("unexpected token: expected invoke or get", i + 1);
    let j = i + 2;
    const module = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
    const name = this.str(j++);
    const args: WastConst[] = [];
    const close = t.match[i]!;
    for (; j < close; j = t.match[j]! + 1) args.push(this.constant(j));
    return { kind, ...(module !== undefined ? { module } : {}), name, args };
  }

  /** `(t.const …)`, `(ref.null ht)`, `(ref.extern n)`, `(ref.host n)`. */
  constant(i: number): WastConst {
    const c = this.expected(i);
    if ("nan" in c || c.type === "either" || ("lanes" in c) || (c.type !== "i32" && c.type !== "i64" && c.type !== "f32" &&
      c.type !== "f64" && c.type !== "v128" && c.type !== "ref.null" && !("value" in c))) {
      this.fail("unexpected token: expected a constant", i);
    }
    return c as WastConst;
  }

  expected(i: number): WastExpected {
    const t = this.t;
    if (t.kind[i] !== Tok.lparen) this.fail("unexpected token: expected a constant", i);
    const kw = this.text(i + 1);
    const close = t.match[i]!;
    const v = i + 2;
    const src = t.src;
    const num = (j: number) => {
      if (t.kind[j] !== Tok.atom) this.fail("unexpected token: expected a number", j);
      return [t.start[j]!, t.end[j]!] as const;
    };
    switch (kw) {
      case "i32.const": {
        const [s, e] = num(v);
        const x = parseI32(src, s, e);
        if (x === undefined) this.fail("i32 constant out of range", v);
        return { type: "i32", value: x };
      }
      case "i64.const": {
        const [s, e] = num(v);
        const x = parseI64(src, s, e);
        if (x === undefined) this.fail("i64 constant out of range", v);
        return { type: "i64", value: BigInt(x) };
      }
      case "f32.const": case "f64.const": {
        const type = kw === "f32.const" ? "f32" : "f64";
        if (this.isAtom(v, "nan:canonical") || this.isAtom(v, "nan:arithmetic")) {
          return { type, nan: this.text(v).slice(4) as "canonical" | "arithmetic" };
        }
        const [s, e] = num(v);
        if (type === "f32") {
          const x = parseF32(src, s, e);
          if (x === undefined || x === null) this.fail("constant out of range", v);
          return { type, bits: x };
        }
        const x = parseF64(src, s, e);
        if (x === undefined || x === null) this.fail("constant out of range", v);
        return { type, bits: (BigInt(f64Out[1]!) << 32n) | BigInt(f64Out[0]!) };
      }
      case "v128.const": return this.v128(i);
      case "ref.null": return { type: "ref.null", heap: t.kind[v] === Tok.rparen ? "" : this.text(v) };
      case "ref.extern": case "ref.host": {
        if (t.kind[v] === Tok.rparen) return { type: kw } as WastExpected;
        const [s, e] = num(v);
        const x = parseI32(src, s, e);
        if (x === undefined) this.fail("constant out of range", v);
        return { type: kw, value: x >>> 0 };
      }
      case "ref.func": case "ref.any": case "ref.eq": case "ref.struct": case "ref.array": case "ref.i31": case "ref.exn":
        return { type: kw };
      case "ref": return { type: "ref" };
      case "either": {
        const options: WastExpected[] = [];
        for (let j = v; j < close; j = t.match[j]! + 1) options.push(this.expected(j));
        return { type: "either", options };
      }
    }
    return this.fail(`unexpected token ${kw}: expected a constant`, i + 1);
  }

  private v128(i: number): WastExpected {
    const t = this.t;
    const src = t.src;
    const shape = this.text(i + 2);
    const n = ({ i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 } as Record<string, number>)[shape];
    if (n === undefined) this.fail(`unexpected token ${shape}: expected a v128 shape`, i + 2);
    const lanes: WastLane[] = [];
    let pattern = false;
    const bytes = new Uint8Array(16);
    const dv = new DataView(bytes.buffer);
    for (let k = 0; k < n; k++) {
      const j = i + 3 + k;
      if (t.kind[j] !== Tok.atom) this.fail("wrong number of lane literals", j);
      const s = t.start[j]!;
      const e = t.end[j]!;
      if (this.isAtom(j, "nan:canonical") || this.isAtom(j, "nan:arithmetic")) {
        pattern = true;
        lanes.push(this.text(j) as WastLane);
        continue;
      }
      switch (shape) {
        case "i8x16": case "i16x8": {
          const x = parseLaneInt(src, s, e, shape === "i8x16" ? 8 : 16);
          if (x === undefined) this.fail("constant out of range", j);
          if (shape === "i8x16") dv.setUint8(k, x);
          else dv.setUint16(k * 2, x, true);
          lanes.push(x);
          break;
        }
        case "i32x4": case "f32x4": {
          const x = shape === "i32x4" ? parseI32(src, s, e) : parseF32(src, s, e);
          if (x === undefined || x === null) this.fail("constant out of range", j);
          dv.setUint32(k * 4, x >>> 0, true);
          lanes.push(x >>> 0);
          break;
        }
        case "i64x2": {
          const x = parseI64(src, s, e);
          if (x === undefined) this.fail("constant out of range", j);
          const b = BigInt.asUintN(64, BigInt(x));
          dv.setBigUint64(k * 8, b, true);
          lanes.push(b);
          break;
        }
        case "f64x2": {
          const x = parseF64(src, s, e);
          if (x === undefined || x === null) this.fail("constant out of range", j);
          const b = (BigInt(f64Out[1]!) << 32n) | BigInt(f64Out[0]!);
          dv.setBigUint64(k * 8, b, true);
          lanes.push(b);
          break;
        }
      }
    }
    if (pattern) return { type: "v128", shape, lanes };
    return { type: "v128", bytes };
  }
}

/** Parses `(module $name? field*)` whose fields start at token `first`, ending at `close`. */
function parseModuleRange(t: Tokens, open: number, first: number, close: number): Uint8Array {
  // parseModuleTokens understands `(module …)` itself; give it the whole form so the name is kept.
  void first;
  return parseModuleTokens(t, open, close + 1);
}
