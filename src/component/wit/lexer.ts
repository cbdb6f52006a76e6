/**
 * The WIT lexer: one source file -> a token array. Whitespace and ordinary comments (`//`, nested
 * `/* *\/`) are dropped; doc comments (`///`, `/** *\/`) are kept on the token that follows them, so the
 * parser can attach them to the item they document.
 *
 * Identifiers are kebab-case labels (`foo-bar`, `XML`), optionally `%`-prefixed to escape keywords;
 * a token that starts with a digit is a "number" that may carry a semantic-version tail
 * (`0.2.12`, `1.0.0-rc.1+b`), and the parser checks which form it needs. Offsets are UTF-16 offsets
 * into the source; `WitError` turns them into line and column when it renders.
 *
 * @module
 */
import { WitError } from "../../errors.js";

/** Token kinds. */
export type TokenKind =
  | "id" // a label (keywords included, unless `%`-escaped)
  | "explicit-id" // `%label`
  | "number" // digits, possibly with a semver tail
  | "string" // a double-quoted string literal (value decoded)
  | "op" // one of `= , : ; ( ) { } < > * -> / . @ _`
  | "gate" // `@since`, `@unstable`, `@deprecated`, `@external-id`
  | "eof";

/** One token. `text` is the identifier without `%`, the decoded string, or the operator. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The doc comments directly before this token, joined by `\n` with their markers stripped. */
  readonly docs?: string;
}

/** The WIT keywords: a bare identifier spelled like one of these is the keyword. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "as", "async", "bool", "borrow", "char", "constructor", "enum", "export", "f32", "f64", "flags", "from",
  "func", "future", "import", "include", "interface", "list", "map", "option", "own", "package",
  "record", "resource", "result", "s16", "s32", "s64", "s8", "static", "stream", "string", "tuple",
  "type", "u16", "u32", "u64", "u8", "use", "variant", "with", "world", "error-context",
]);

const OPERATORS = "=,:;(){}<>*/.@_";

/** Files larger than this are refused (a WIT file is a few hundred KiB at most). */
export const MAX_SOURCE_LENGTH = 64 * 1024 * 1024;

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

/**
 * Checks a kebab-case label: words of letters and digits separated by single `-`, each word starting
 * with a letter and either all lowercase or all uppercase. Returns the problem, or `undefined`.
 */
export function labelProblem(label: string): string | undefined {
  if (label === "") return "empty identifier";
  // One pass, no allocation: `wordCase` is 0 at a word's start, then 1 (lower) or 2 (upper).
  let wordCase = 0;
  let atStart = true;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x2d) {
      if (atStart) return `identifier \`${label}\` has an empty word (a leading, trailing or doubled \`-\`)`;
      atStart = true;
      wordCase = 0;
      continue;
    }
    if (atStart && !isAlpha(c)) return `identifier \`${label}\`: each word must start with a letter`;
    atStart = false;
    if (isAlpha(c)) {
      const k = c >= 0x61 ? 1 : 2;
      if (wordCase !== 0 && k !== wordCase) {
        const from = label.lastIndexOf("-", i) + 1;
        const to = label.indexOf("-", i);
        return `identifier \`${label}\`: the word \`${label.slice(from, to < 0 ? undefined : to)}\` mixes upper and lower case`;
      }
      wordCase = k;
    }
  }
  if (atStart) return `identifier \`${label}\` has an empty word (a leading, trailing or doubled \`-\`)`;
  return undefined;
}

/** Splits `src` into tokens. Throws `WitError` on a character or comment the grammar has no place for. */
export function lex(src: string, file?: string): Token[] {
  if (src.length > MAX_SOURCE_LENGTH) throw new WitError("source too large", src, 0, file);
  const tokens: Token[] = [];
  let docs: string[] = [];
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = src.length;
  const fail = (reason: string, at: number): never => {
    throw new WitError(reason, src, at, file);
  };
  const push = (kind: TokenKind, text: string, start: number, end: number): void => {
    tokens.push(docs.length ? { kind, text, start, end, docs: docs.join("\n") } : { kind, text, start, end });
    docs = [];
  };
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    const start = i;
    if (c === 0x2f && src.charCodeAt(i + 1) === 0x2f) {
      let end = src.indexOf("\n", i);
      if (end < 0) end = n;
      const line = src.slice(i, end);
      checkCommentText(line, i);
      if (line.startsWith("///") && !line.startsWith("////")) docs.push(line.slice(3).replace(/\r$/, "").trim());
      i = end;
      continue;
    }
    if (c === 0x2f && src.charCodeAt(i + 1) === 0x2a) {
      let depth = 1;
      let j = i + 2;
      while (depth > 0) {
        if (j >= n) fail("unterminated block comment", start);
        if (src.charCodeAt(j) === 0x2f && src.charCodeAt(j + 1) === 0x2a) {
          depth++;
          j += 2;
        } else if (src.charCodeAt(j) === 0x2a && src.charCodeAt(j + 1) === 0x2f) {
          depth--;
          j += 2;
        } else j++;
      }
      const text = src.slice(i, j);
      checkCommentText(text, i);
      if (text.startsWith("/**") && !text.startsWith("/***") && text !== "/**/") {
        const body = text.slice(3, -2);
        for (const line of body.split("\n")) docs.push(line.replace(/^\s*\*?/, "").trim());
        while (docs.length && docs[docs.length - 1] === "") docs.pop();
      }
      i = j;
      continue;
    }
    if (c === 0x2d && src.charCodeAt(i + 1) === 0x3e) {
      push("op", "->", i, i + 2);
      i += 2;
      continue;
    }
    if (c === 0x40 && isAlpha(src.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < n && (isAlnum(src.charCodeAt(j)) || src.charCodeAt(j) === 0x2d)) j++;
      const word = src.slice(i, j);
      if (word === "@since" || word === "@unstable" || word === "@deprecated" || word === "@external-id") {
        push("gate", word, i, j);
        i = j;
        continue;
      }
      fail(`unknown attribute \`${word}\``, i);
    }
    if (OPERATORS.includes(src[i]!)) {
      push("op", src[i]!, i, i + 1);
      i++;
      continue;
    }
    if (c === 0x25 || isAlpha(c)) {
      let j = c === 0x25 ? i + 1 : i;
      if (j >= n || !isAlpha(src.charCodeAt(j))) fail("`%` must be followed by an identifier", i);
      while (j < n && (isAlnum(src.charCodeAt(j)) || src.charCodeAt(j) === 0x2d)) j++;
      const text = src.slice(c === 0x25 ? i + 1 : i, j);
      const problem = labelProblem(text);
      if (problem) fail(problem, i);
      push(c === 0x25 ? "explicit-id" : "id", text, i, j);
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (isAlnum(d)) j++;
        else if ((d === 0x2e || d === 0x2d || d === 0x2b) && isAlnum(src.charCodeAt(j + 1))) j += 2;
        else break;
      }
      push("number", src.slice(i, j), i, j);
      i = j;
      continue;
    }
    if (c === 0x22) {
      const [value, end] = lexString(src, i, fail);
      push("string", value, i, end);
      i = end;
      continue;
    }
    fail(describeChar(src, i), i);
  }
  push("eof", "", n, n);
  return tokens;

  function checkCommentText(text: string, at: number): void {
    for (let k = 0; k < text.length; k++) {
      const d = text.charCodeAt(k);
      if (forbidden(d)) fail(`comment contains the forbidden character U+${d.toString(16).padStart(4, "0")}`, at + k);
    }
  }
}

/** Control codes (other than tab, newline, carriage return) and bidirectional overrides. */
function forbidden(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f ||
    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

function describeChar(src: string, at: number): string {
  const cp = src.codePointAt(at)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return forbidden(cp) || cp > 0x7e ? `unexpected character ${hex}` : `unexpected character \`${String.fromCodePoint(cp)}\``;
}

/** A core `name` literal: escapes `\t \n \r \" \' \\ \hh \u{...}`; the bytes must be UTF-8. */
function lexString(src: string, start: number, fail: (reason: string, at: number) => never): [string, number] {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  let j = start + 1;
  for (;;) {
    if (j >= src.length) fail("unterminated string literal", start);
    const c = src.charCodeAt(j);
    if (c === 0x22) break;
    if (c === 0x0a) fail("unterminated string literal", start);
    if (c !== 0x5c) {
      const cp = src.codePointAt(j)!;
      if (forbidden(cp)) fail(describeChar(src, j), j);
      for (const b of enc.encode(String.fromCodePoint(cp))) bytes.push(b);
      j += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = src[j + 1];
    const simple: Record<string, number> = { t: 9, n: 10, r: 13, '"': 34, "'": 39, "\\": 92 };
    if (e !== undefined && e in simple) {
      bytes.push(simple[e]!);
      j += 2;
    } else if (e === "u" && src[j + 2] === "{") {
      const close = src.indexOf("}", j + 3);
      const hex = close < 0 ? "" : src.slice(j + 3, close).replace(/_/g, "");
      const cp = /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : -1;
      if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) fail("invalid unicode escape", j);
      for (const b of enc.encode(String.fromCodePoint(cp))) bytes.push(b);
      j = close + 1;
    } else if (/^[0-9a-fA-F]{2}$/.test(src.slice(j + 1, j + 3))) {
      bytes.push(parseInt(src.slice(j + 1, j + 3), 16));
      j += 3;
    } else fail("invalid string escape", j);
  }
  try {
    return [new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes)), j + 1];
  } catch {
    return fail("string literal is not valid UTF-8", start);
  }
}
