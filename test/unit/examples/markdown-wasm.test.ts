/**
 * Tests of examples/markdown/markdown.wasm (our C Markdown renderer) through the raw WebAssembly API,
 * independent of the wasmhost runtime.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const wasmUrl = new URL("../../../../examples/markdown/markdown.wasm", import.meta.url);
const module = new WebAssembly.Module(readFileSync(wasmUrl));

interface MarkdownExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  render(ptr: number, len: number): unknown;
}

function instantiate(): MarkdownExports {
  return new WebAssembly.Instance(module, {}).exports as unknown as MarkdownExports;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Calls render(ptr, len) and checks that it returned exactly two i32 results. */
function renderRaw(x: MarkdownExports, ptr: number, len: number): [number, number] {
  const result = x.render(ptr, len);
  assert.ok(Array.isArray(result), "render returns several results as an array");
  assert.equal(result.length, 2);
  const [outPtr, outLen] = result as unknown[];
  assert.equal(typeof outPtr, "number");
  assert.equal(typeof outLen, "number");
  return [outPtr as number, outLen as number];
}

/** Copies `markdown` in, renders it, copies the HTML out and frees both buffers. */
function render(x: MarkdownExports, markdown: string): string {
  const bytes = encoder.encode(markdown);
  const inPtr = x.malloc(bytes.length);
  assert.notEqual(inPtr, 0, "malloc succeeds");
  new Uint8Array(x.memory.buffer, inPtr, bytes.length).set(bytes);
  const [outPtr, outLen] = renderRaw(x, inPtr, bytes.length);
  x.free(inPtr);
  assert.notEqual(outPtr, 0, "render succeeds");
  const html = decoder.decode(new Uint8Array(x.memory.buffer, outPtr, outLen));
  x.free(outPtr);
  return html;
}

const md = instantiate();
const r = (markdown: string): string => render(md, markdown);

const demoInput = "# Hello, `TypeScript`! Welcome to **WebAssembly** with [wasmhost](https://example.com)!";
const demoOutput =
  '<h1>Hello, <code>TypeScript</code>! Welcome to <strong>WebAssembly</strong> with <a href="https://example.com">wasmhost</a>!</h1>';

test("the module has no imports and exports memory, malloc, free and render", () => {
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  assert.deepEqual(
    WebAssembly.Module.exports(module).map((e) => `${e.kind} ${e.name}`).sort(),
    ["function free", "function malloc", "function render", "memory memory"],
  );
});

test("render returns two numbers: the output pointer and length", () => {
  const x = instantiate();
  const bytes = encoder.encode("*hi*");
  const p = x.malloc(bytes.length);
  new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
  const [outPtr, outLen] = renderRaw(x, p, bytes.length);
  assert.ok(outPtr > 0);
  assert.equal(outLen, "<p><em>hi</em></p>".length);
});

test("the demo sentence renders exactly as specified, with no trailing newline", () => {
  assert.equal(r(demoInput), demoOutput);
});

test("headings of every level, with optional closing hashes", () => {
  for (let level = 1; level <= 6; level++) {
    assert.equal(r(`${"#".repeat(level)} Title`), `<h${level}>Title</h${level}>`);
  }
  assert.equal(r("## Title ##"), "<h2>Title</h2>");
  assert.equal(r("# Title#"), "<h1>Title#</h1>");
  assert.equal(r("#"), "<h1></h1>");
  assert.equal(r("  #   spaced   "), "<h1>spaced</h1>");
});

test("lines that are not headings become paragraphs", () => {
  assert.equal(r("####### seven"), "<p>####### seven</p>");
  assert.equal(r("#hashtag"), "<p>#hashtag</p>");
  assert.equal(r("plain text"), "<p>plain text</p>");
});

test("emphasis with stars and underscores", () => {
  assert.equal(r("*x*"), "<p><em>x</em></p>");
  assert.equal(r("_x_"), "<p><em>x</em></p>");
  assert.equal(r("a *b c* d"), "<p>a <em>b c</em> d</p>");
});

test("strong with double stars and double underscores", () => {
  assert.equal(r("**x**"), "<p><strong>x</strong></p>");
  assert.equal(r("__x__"), "<p><strong>x</strong></p>");
});

test("code spans, including longer backtick runs and stripped padding", () => {
  assert.equal(r("`x`"), "<p><code>x</code></p>");
  assert.equal(r("`` a`b ``"), "<p><code>a`b</code></p>");
  assert.equal(r("` `"), "<p><code> </code></p>");
});

test("links, including parentheses in the url and escaped characters", () => {
  assert.equal(r("[text](https://example.com)"), '<p><a href="https://example.com">text</a></p>');
  assert.equal(r("[w](https://en.wikipedia.org/wiki/C_(language))"), '<p><a href="https://en.wikipedia.org/wiki/C_(language)">w</a></p>');
  assert.equal(r("[e]()"), '<p><a href="">e</a></p>');
  assert.equal(r("[x]( /a\\)b )"), '<p><a href="/a)b">x</a></p>');
});

test("constructs nest", () => {
  assert.equal(r("**bold with `code`**"), "<p><strong>bold with <code>code</code></strong></p>");
  assert.equal(r("*a **b** c*"), "<p><em>a <strong>b</strong> c</em></p>");
  assert.equal(r("***x***"), "<p><em><strong>x</strong></em></p>");
  assert.equal(r("[*em* and `c`](u)"), '<p><a href="u"><em>em</em> and <code>c</code></a></p>');
  assert.equal(r("**[link](u)**"), '<p><strong><a href="u">link</a></strong></p>');
  assert.equal(r("[a [b](c) d](e)"), '<p>[a <a href="c">b</a> d](e)</p>');
});

test("emphasis cannot cross a link boundary", () => {
  assert.equal(r("*a [b* c](u)"), '<p>*a <a href="u">b* c</a></p>');
});

test("unmatched markers stay literal", () => {
  assert.equal(r("*a"), "<p>*a</p>");
  assert.equal(r("a**"), "<p>a**</p>");
  assert.equal(r("**a*"), "<p>*<em>a</em></p>");
  assert.equal(r("a * b * c"), "<p>a * b * c</p>");
  assert.equal(r("snake_case_name"), "<p>snake_case_name</p>");
  assert.equal(r("`open code"), "<p>`open code</p>");
  assert.equal(r("[text]"), "<p>[text]</p>");
  assert.equal(r("[text](unclosed"), "<p>[text](unclosed</p>");
  assert.equal(r("[a](b c)"), "<p>[a](b c)</p>");
  assert.equal(r("]["), "<p>][</p>");
});

test("backslash escapes make markers literal", () => {
  assert.equal(r("\\*not em\\*"), "<p>*not em*</p>");
  assert.equal(r("\\`x\\`"), "<p>`x`</p>");
  assert.equal(r("a\\b"), "<p>a\\b</p>");
});

test("code spans are not parsed and take precedence over other markers", () => {
  assert.equal(r("`**x** [a](b)`"), "<p><code>**x** [a](b)</code></p>");
  assert.equal(r("*a `*` b*"), "<p><em>a <code>*</code> b</em></p>");
  assert.equal(r("[a`](b)`"), "<p>[a<code>](b)</code></p>");
});

test("HTML special characters are escaped in text, code and urls", () => {
  assert.equal(r('a & b < c > d "e"'), "<p>a &amp; b &lt; c &gt; d &quot;e&quot;</p>");
  assert.equal(r("`<b>&\"`"), "<p><code>&lt;b&gt;&amp;&quot;</code></p>");
  assert.equal(r('[x](a"b<c>&d)'), '<p><a href="a&quot;b&lt;c&gt;&amp;d">x</a></p>');
  assert.equal(r("# <script>"), "<h1>&lt;script&gt;</h1>");
});

test("UTF-8 text passes through unchanged", () => {
  assert.equal(r("# Grüße, *мир* 🌍"), "<h1>Grüße, <em>мир</em> 🌍</h1>");
});

test("empty and blank input render to empty output with a freeable pointer", () => {
  const x = instantiate();
  const [p, len] = renderRaw(x, 0, 0);
  assert.notEqual(p, 0);
  assert.equal(len, 0);
  x.free(p);
  assert.equal(render(x, ""), "");
  assert.equal(render(x, "  \n\t\n\n"), "");
});

test("blocks are joined with a newline; paragraph lines are trimmed and joined with a newline", () => {
  assert.equal(
    r("# Title\n\nfirst line\n  second *line*  \n\n\n## Sub\nafter\r\nmore\r\n"),
    "<h1>Title</h1>\n<p>first line\nsecond <em>line</em></p>\n<h2>Sub</h2>\n<p>after\nmore</p>",
  );
  assert.equal(r("para\n# Heading ends it"), "<p>para</p>\n<h1>Heading ends it</h1>");
  assert.equal(r("*across\nlines*"), "<p><em>across\nlines</em></p>");
  assert.equal(r("`code\nspan`"), "<p><code>code span</code></p>");
});

test("a 100 KB document renders completely and correctly", () => {
  const x = instantiate();
  const line = 'Some **bold**, _em_, `a<b` & [link](https://example.com/?q="1") text.';
  const html = 'Some <strong>bold</strong>, <em>em</em>, <code>a&lt;b</code> &amp; <a href="https://example.com/?q=&quot;1&quot;">link</a> text.';
  const count = Math.ceil(100_000 / (line.length + 1));
  const input = Array.from({ length: count }, () => line).join("\n");
  assert.ok(input.length >= 100_000);
  const expected = "<p>" + Array.from({ length: count }, () => html).join("\n") + "</p>";
  const out = render(x, input);
  assert.equal(out.length, expected.length);
  assert.equal(out, expected);
  const headings = Array.from({ length: count }, () => "# " + line).join("\n");
  const expectedHeadings = Array.from({ length: count }, () => "<h1>" + html + "</h1>").join("\n");
  assert.equal(render(x, headings), expectedHeadings);
});

test("100 KB of unmatched markers renders literally and quickly", () => {
  const x = instantiate();
  const cases: [string, string | null][] = [
    ["[".repeat(100_000), "[".repeat(100_000)],
    ["*a ".repeat(33_334).trimEnd(), "*a ".repeat(33_334).trimEnd()],
    ["_a *b ".repeat(16_667).trimEnd(), "_a *b ".repeat(16_667).trimEnd()],
    ["[](".repeat(33_334), "[](".repeat(33_334)],
    ["` `` ".repeat(20_000).trimEnd(), null],
  ];
  for (const [input, literal] of cases) {
    const start = performance.now();
    const out = render(x, input);
    const ms = performance.now() - start;
    assert.ok(ms < 2000, `rendering ${input.slice(0, 6)}... took ${ms.toFixed(0)} ms`);
    if (literal !== null) assert.equal(out, "<p>" + literal + "</p>");
    else assert.ok(out.startsWith("<p><code>") && out.endsWith("</p>"));
  }
});

test("malloc and free reuse memory: 10,000 renders do not grow memory", () => {
  const x = instantiate();
  for (let i = 0; i < 10; i++) assert.equal(render(x, demoInput), demoOutput);
  const pagesBefore = x.memory.buffer.byteLength / 65536;
  for (let i = 0; i < 10_000; i++) render(x, demoInput);
  const pagesAfter = x.memory.buffer.byteLength / 65536;
  assert.equal(pagesAfter, pagesBefore);
  assert.ok(pagesAfter <= 4, `memory is ${pagesAfter} pages`);
  assert.equal(render(x, demoInput), demoOutput);
});

test("a freed block is handed out again, and neighbours merge", () => {
  const x = instantiate();
  const a = x.malloc(100);
  const b = x.malloc(100);
  assert.notEqual(a, b);
  x.free(a);
  assert.equal(x.malloc(100), a);
  x.free(a);
  x.free(b);
  assert.equal(x.malloc(200), a, "the two freed neighbours merged into one block");
});

test("malloc edge cases: zero size, impossible sizes, and ignored bad frees", () => {
  const x = instantiate();
  const z1 = x.malloc(0);
  const z2 = x.malloc(0);
  assert.ok(z1 > 0 && z2 > 0 && z1 !== z2);
  assert.equal(x.malloc(-1), 0, "4 GiB - 1 cannot be allocated");
  assert.equal(x.malloc(0x7fff_fff0), 0);
  x.free(0);
  x.free(z1);
  x.free(z1); // double free is ignored
  x.free(12345); // not an allocation: ignored
  const again = x.malloc(0);
  assert.equal(again, z1);
  assert.notEqual(x.malloc(0), z1, "the double free did not put the block on the free list twice");
});

test("render refuses an input too large for its scratch space instead of trapping", () => {
  const x = instantiate();
  assert.deepEqual(renderRaw(x, 0, 0x0200_0000), [0, 0]);
  assert.equal(render(x, "*still works*"), "<p><em>still works</em></p>");
});

test("random marker soup never traps and always yields properly nested tags", () => {
  const x = instantiate();
  const pieces = ["*", "_", "`", "[", "]", "(", ")", "\\", "#", " ", "\n", "a", "b", "<", "&", '"', "**", "__", "``"];
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 3000; i++) {
    let input = "";
    const n = Math.floor(random() * 40);
    for (let j = 0; j < n; j++) input += pieces[Math.floor(random() * pieces.length)];
    const html = render(x, input);
    const open: string[] = [];
    for (const tag of html.matchAll(/<(\/?)(h[1-6]|p|em|strong|code|a)[ >]/g)) {
      if (tag[1] === "") open.push(tag[2] ?? "");
      else assert.equal(open.pop(), tag[2], `badly nested tags for ${JSON.stringify(input)}: ${html}`);
    }
    assert.deepEqual(open, [], `unclosed tags for ${JSON.stringify(input)}: ${html}`);
  }
});
