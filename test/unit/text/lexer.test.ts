import { test } from "node:test";
import assert from "node:assert/strict";
import { lex, MAX_DEPTH, stringBytes, Tok } from "../../../src/text/lexer.js";
import { WatError } from "../../../src/errors.js";

test("tokens carry offsets and parens their match", () => {
  const t = lex("\ufeff(module ;; c\n (; nested (; ; ;) ;) $x \"s\" (@ann (x)) 0x1)");
  assert.deepEqual([...t.kind.subarray(0, t.count)], [Tok.lparen, Tok.atom, Tok.id, Tok.string, Tok.atom, Tok.rparen, Tok.eof]);
  assert.equal(t.match[0], 5);
  assert.equal(t.src.slice(t.start[2]!, t.end[2]!), "$x");
});

test("string escapes decode to bytes", () => {
  const src = '"a\\t\\n\\"\\u{1F600}\\ff"';
  const t = lex(src);
  assert.deepEqual([...stringBytes(t, t.start[0]!, t.end[0]!)], [0x61, 9, 10, 0x22, 0xf0, 0x9f, 0x98, 0x80, 0xff]);
});

test("lexical errors are WatErrors with line and column", () => {
  const err = (src: string) => {
    try {
      lex(src);
    } catch (e) {
      assert.ok(e instanceof WatError);
      return `${e.line}:${e.column} ${e.reason}`;
    }
    return "no error";
  };
  assert.equal(err("(module\n  (func)"), "1:1 unexpected end of input: unclosed (");
  // An unmatched ")" stops lexing; the parser reports it after any earlier error.
  const stray = lex("(a)\n )").pending;
  assert.equal(stray && `${stray.line}:${stray.column} ${stray.reason}`, "2:2 unexpected token )");
  assert.equal(err('(data "a""b")'), "1:10 unknown operator: tokens must be separated");
  assert.equal(err("(; never closed"), "1:1 unclosed block comment");
  assert.equal(err("(func $)"), "1:7 empty identifier");
  assert.match(err("(a \u00e9)"), /illegal character/);
});

test("nesting deeper than the cap is an error, not a stack overflow", () => {
  const deep = "(".repeat(MAX_DEPTH + 1) + ")".repeat(MAX_DEPTH + 1);
  assert.throws(() => lex(deep), /nesting too deep/);
  assert.equal(lex("(".repeat(MAX_DEPTH) + ")".repeat(MAX_DEPTH)).count, MAX_DEPTH * 2 + 1);
});
