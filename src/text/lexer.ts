/**
 * The text-format lexer: source text -> a flat token list in typed arrays (kind, start, end, and for
 * each `(` the index of its matching `)`), so that the parser can look ahead, skip a whole
 * s-expression in O(1) and revisit a range without lexing it again.
 *
 * Tokens carry UTF-16 offsets into the source; line and column are computed only when a `WatError`
 * renders. Comments (`;;` and nested `(; ;)`) and annotations (`(@name ...)`) are skipped. A
 * byte-order mark at the start is accepted. Nesting deeper than `MAX_DEPTH` is an error, so hostile
 * input cannot overflow the parser's stack.
 *
 * @module
 */
import { WatError } from "../errors.js";

/** Token kinds. */
export const Tok = {
  eof: 0,
  lparen: 1,
  rparen: 2,
  /** A keyword, number or other reserved word (anything made of idchars not starting with `$`). */
  atom: 3,
  /** `$name` or `$"name"`. */
  id: 4,
  /** A string literal, quotes included in the range. */
  string: 5,
} as const;

/** The deepest parenthesis nesting accepted. */
export const MAX_DEPTH = 1000;

/** The lexed form of one source text. */
export interface Tokens {
  readonly src: string;
  readonly file: string | undefined;
  /** Number of tokens, the final `eof` included. */
  readonly count: number;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** For a `(` token, the index of its matching `)`; otherwise 0. */
  readonly match: Int32Array;
  /**
   * The `(@custom …)` annotations, in order: source range and the token index of the enclosing `(`
   * (-1 at top level). Other annotations are skipped without a trace.
   */
  readonly customs: readonly { readonly start: number; readonly end: number; readonly parent: number }[];
  /**
   * An unmatched `)`: lexing stopped there. The parser throws this after the tokens before it parsed
   * without error, so that earlier errors are reported first.
   */
  readonly pending?: WatError;
  /** The `(@name "…")` annotations, recorded like `customs`. */
  readonly names: readonly { readonly start: number; readonly end: number; readonly parent: number }[];
}

// Character classes: 1 = idchar.
const IDCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-./:<=>?@\\^_`|~") IDCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) IDCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) IDCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) IDCHAR[c] = 1;

/** True when `c` (a char code) may appear in a keyword or identifier. */
export function isIdChar(c: number): boolean {
  return c < 128 && IDCHAR[c] === 1;
}

/** Lexes `src` into tokens. Throws `WatError` on an unterminated comment or string or unbalanced parens. */
export function lex(src: string, file?: string): Tokens {
  const n = src.length;
  const buf = new TokenBuf(Math.max(64, (n >> 3) + 16));
  const stack = new Int32Array(MAX_DEPTH + 1);
  let depth = 0;
  const customs: { start: number; end: number; parent: number }[] = [];
  const names: { start: number; end: number; parent: number }[] = [];
  let pending: WatError | undefined;
  const fail = (reason: string, at: number): never => {
    throw new WatError(reason, src, at, file);
  };

  let i = 0;
  if (n > 0 && src.charCodeAt(0) === 0xfeff) i = 1;
  scan: while (i < n) {
    const c = src.charCodeAt(i);
    switch (c) {
      case 0x20: case 0x09: case 0x0a: case 0x0d:
        i++;
        while (i < n) {
          const d = src.charCodeAt(i);
          if (d !== 0x20 && d !== 0x0a && d !== 0x09 && d !== 0x0d) break;
          i++;
        }
        continue;
      case 0x28: { // (
        const c1 = src.charCodeAt(i + 1);
        if (c1 === 0x3b) { // (; block comment
          i = skipBlockComment(src, i, fail);
          continue;
        }
        if (c1 === 0x40) { // (@annotation ...)
          const e = skipAnnotation(src, i, fail);
          if (src.startsWith("custom", i + 2) && !isIdChar(src.charCodeAt(i + 8))) {
            customs.push({ start: i, end: e, parent: depth > 0 ? stack[depth - 1]! : -1 });
          } else if (src.startsWith("name", i + 2) && !isIdChar(src.charCodeAt(i + 6))) {
            names.push({ start: i, end: e, parent: depth > 0 ? stack[depth - 1]! : -1 });
          }
          i = e;
          continue;
        }
        if (depth >= MAX_DEPTH) fail(`nesting too deep (the limit is ${MAX_DEPTH})`, i);
        stack[depth++] = buf.count;
        buf.push(Tok.lparen, i, i + 1);
        i++;
        continue;
      }
      case 0x29: { // )
        if (depth === 0) {
          // Stop here: the parser reports any error in what came before first (as a left-to-right
          // parser would), and this one only if there is none.
          pending = new WatError("unexpected token )", src, i, file);
          break scan;
        }
        buf.match[stack[--depth]!] = buf.count;
        buf.push(Tok.rparen, i, i + 1);
        i++;
        continue;
      }
      case 0x3b: // ;
        if (src.charCodeAt(i + 1) === 0x3b) {
          // A line comment ends at a line feed or a carriage return.
          while (i < n) {
            const d = src.charCodeAt(i);
            if (d === 0x0a || d === 0x0d) break;
            i++;
          }
          continue;
        }
        break;
      case 0x22: { // "
        const e = skipString(src, i, fail);
        const next = e < n ? src.charCodeAt(e) : 0x20;
        if (next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d && next !== 0x28 && next !== 0x29 && next !== 0x3b) {
          fail("unknown operator: tokens must be separated", e);
        }
        buf.push(Tok.string, i, e);
        i = e;
        continue;
      }
    }
    if (c < 128 && IDCHAR[c] === 1) {
      const s = i;
      i++;
      if (c === 0x24 && src.charCodeAt(i) === 0x22) { // $"..."
        i = skipString(src, i, fail, "empty identifier: ");
        const after = i < n ? src.charCodeAt(i) : 0x20;
        if (after !== 0x20 && after !== 0x09 && after !== 0x0a && after !== 0x0d && after !== 0x28 && after !== 0x29 && after !== 0x3b) {
          fail("unknown operator: tokens must be separated", i);
        }
        buf.push(Tok.id, s, i);
        continue;
      }
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d < 128 && IDCHAR[d] === 1) i++;
        else break;
      }
      const next = i < n ? src.charCodeAt(i) : 0x20;
      if (next === 0x22 || (next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d && next !== 0x28 && next !== 0x29 && next !== 0x3b)) {
        fail("unknown operator: malformed token", s);
      }
      if (c === 0x24 && i - s === 1) fail("empty identifier", s);
      buf.push(c === 0x24 ? Tok.id : Tok.atom, s, i);
      continue;
    }
    fail(`illegal character ${c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCharCode(c)) : `U+${c.toString(16).padStart(4, "0")}`}`, i);
  }
  if (depth > 0) fail("unexpected end of input: unclosed (", buf.start[stack[depth - 1]!]!);
  buf.push(Tok.eof, n, n);
  return { src, file, count: buf.count, kind: buf.kind, start: buf.start, end: buf.end, match: buf.match, customs, names, ...(pending ? { pending } : {}) };
}

/** Growable token arrays. */
class TokenBuf {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  match: Int32Array;
  count = 0;

  constructor(cap: number) {
    this.kind = new Uint8Array(cap);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.match = new Int32Array(cap);
  }

  push(k: number, s: number, e: number): void {
    const i = this.count;
    if (i >= this.kind.length) this.grow();
    this.kind[i] = k;
    this.start[i] = s;
    this.end[i] = e;
    this.count = i + 1;
  }

  private grow(): void {
    const cap = this.kind.length * 2;
    const k = new Uint8Array(cap); k.set(this.kind); this.kind = k;
    const s = new Int32Array(cap); s.set(this.start); this.start = s;
    const e = new Int32Array(cap); e.set(this.end); this.end = e;
    const m = new Int32Array(cap); m.set(this.match); this.match = m;
  }
}

function skipBlockComment(src: string, i: number, fail: (r: string, at: number) => never): number {
  const open = i;
  let depth = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x28 && src.charCodeAt(i + 1) === 0x3b) {
      depth++;
      i += 2;
    } else if (c === 0x3b && src.charCodeAt(i + 1) === 0x29) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return fail("unclosed block comment", open);
}

function skipAnnotation(src: string, i: number, fail: (r: string, at: number) => never): number {
  const open = i;
  const n = src.length;
  // The annotation id: idchars, or a non-empty string, right after "(@".
  const idStart = i + 2;
  if (src.charCodeAt(idStart) === 0x22) {
    const e = skipString(src, idStart, fail, "empty annotation id: ");
    if (e - idStart <= 2) fail("empty annotation id", open);
    try {
      stringText({ src, file: undefined } as unknown as Tokens, idStart, e);
    } catch {
      fail("malformed UTF-8 encoding in annotation id", idStart);
    }
  } else {
    const c = src.charCodeAt(idStart);
    if (!(c < 128 && IDCHAR[c] === 1)) fail("empty annotation id", open);
  }
  let depth = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x22) {
      i = skipString(src, i, fail);
    } else if (c === 0x28 && src.charCodeAt(i + 1) === 0x3b) {
      i = skipBlockComment(src, i, fail);
    } else if (c === 0x3b && src.charCodeAt(i + 1) === 0x3b) {
      while (i < n && src.charCodeAt(i) !== 0x0a && src.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x28) {
      depth++;
      i++;
    } else if (c === 0x29) {
      depth--;
      i++;
      if (depth === 0) return i;
    } else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || (c > 0x20 && c < 0x7f)) {
      i++;
    } else {
      fail(`illegal character U+${c.toString(16).padStart(4, "0")}`, i);
    }
  }
  return fail("unclosed annotation", open);
}

function skipString(src: string, i: number, fail: (r: string, at: number) => never, context = ""): number {
  const open = i;
  const n = src.length;
  i++;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) i += 2;
    else if (c < 0x20 || c === 0x7f) fail(`${context}malformed string: control character`, i);
    else i++;
  }
  return fail("unclosed string", open);
}

const utf8 = new TextEncoder();

/**
 * The bytes of a string literal token spanning `src[s..e)` (quotes included): escapes decoded,
 * other characters as UTF-8. Throws `WatError` on a malformed escape.
 */
export function stringBytes(t: Tokens, s: number, e: number): Uint8Array {
  const src = t.src;
  // Fast path: ASCII without escapes.
  let simple = true;
  for (let i = s + 1; i < e - 1; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x5c || c >= 0x80) {
      simple = false;
      break;
    }
  }
  if (simple) {
    const out = new Uint8Array(e - s - 2);
    for (let i = s + 1, j = 0; i < e - 1; i++, j++) out[j] = src.charCodeAt(i);
    return out;
  }
  const out: number[] = [];
  let i = s + 1;
  const last = e - 1;
  while (i < last) {
    const c = src.charCodeAt(i);
    if (c !== 0x5c) {
      if (c < 0x80) {
        out.push(c);
        i++;
      } else {
        // Encode the code point (with its surrogate pair) as UTF-8.
        const cp = src.codePointAt(i)!;
        const len = cp > 0xffff ? 2 : 1;
        for (const b of utf8.encode(src.slice(i, i + len))) out.push(b);
        i += len;
      }
      continue;
    }
    const d = src.charCodeAt(i + 1);
    switch (d) {
      case 0x74: out.push(9); i += 2; continue; // \t
      case 0x6e: out.push(10); i += 2; continue; // \n
      case 0x72: out.push(13); i += 2; continue; // \r
      case 0x22: out.push(0x22); i += 2; continue;
      case 0x27: out.push(0x27); i += 2; continue;
      case 0x5c: out.push(0x5c); i += 2; continue;
      case 0x75: { // \u{hex}
        if (src.charCodeAt(i + 2) !== 0x7b) throw new WatError("malformed string escape", src, i, t.file);
        let j = i + 3;
        let cp = 0;
        let digits = 0;
        for (; j < last; j++) {
          const h = hexDigit(src.charCodeAt(j));
          if (h < 0) {
            if (src.charCodeAt(j) === 0x5f && digits > 0) continue;
            break;
          }
          cp = cp * 16 + h;
          digits++;
          if (cp > 0x10ffff) break;
        }
        if (src.charCodeAt(j) !== 0x7d || digits === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
          throw new WatError("malformed string escape: bad unicode escape", src, i, t.file);
        }
        for (const b of utf8.encode(String.fromCodePoint(cp))) out.push(b);
        i = j + 1;
        continue;
      }
      default: {
        const h1 = hexDigit(d);
        const h2 = hexDigit(src.charCodeAt(i + 2));
        if (h1 < 0 || h2 < 0) throw new WatError("malformed string escape", src, i, t.file);
        out.push(h1 * 16 + h2);
        i += 3;
      }
    }
  }
  return Uint8Array.from(out);
}

/** The value of a hex digit char code, or -1. */
export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A string literal decoded as a name (valid UTF-8 required). */
export function stringText(t: Tokens, s: number, e: number): string {
  const bytes = stringBytes(t, s, e);
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    throw new WatError("malformed UTF-8 encoding", t.src, s, t.file);
  }
}
