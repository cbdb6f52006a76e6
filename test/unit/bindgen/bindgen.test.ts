/**
 * Generated bindings, checked by the TypeScript compiler and by running them: bindings for core
 * modules, components and WIT are written to a scratch folder inside the package (so `import
 * "wasmhost"` resolves to this build), compiled under `--strict` together with a file of correct uses
 * that runs against the fixtures, and with misuses that must each fail with the expected diagnostic.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { bindingsOfWitFiles, emitTypeScript, generateBindings } from "../../../src/bindgen/index.js";
import { main } from "../../../src/cli/main.js";
import { SHARED } from "../../spec/suites.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
// One folder per process: the test matrix runs every Node version at once.
const dir = join(root, "dist", `bindgen-check-${process.pid}`);
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (p: string) => new Uint8Array(readFileSync(join(root, p)));

const CORE_WAT = `(module
  (import "host" "log" (func (param i32 i64)))
  (import "host" "scale" (func (param f64) (result f64)))
  (memory (export "memory") 1)
  (global (export "counter") (mut i32) (i32.const 7))
  (table (export "table") 2 funcref)
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "run") (param f64) (result f64)
    (call 0 (i32.const 1) (i64.const 2)) (call 1 (local.get 0))))`;

/** A component that imports a resource the host implements as a class. */
const LOGGER_COMPONENT = `(component
  (import "demo:log/host" (instance $h
    (export "logger" (type $L (sub resource)))
    (export "[constructor]logger" (func (param "prefix" string) (result (own $L))))
    (export "[method]logger.log" (func (param "self" (borrow $L)) (param "msg" string) (result u32)))))
  (alias export $h "logger" (type $L))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $new (canon lower (func $h "[constructor]logger") (memory (core memory $mem "mem"))))
  (core func $log (canon lower (func $h "[method]logger.log") (memory (core memory $mem "mem"))))
  (core func $drop (canon resource.drop $L))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "log" (func $log (param i32 i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (data (i32.const 16) "> hello")
    (func (export "run") (result i32) (local $h i32) (local $n i32)
      (local.set $h (call $new (i32.const 16) (i32.const 2)))
      (local.set $n (call $log (local.get $h) (i32.const 18) (i32.const 5)))
      (call $drop (local.get $h))
      (local.get $n)))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "new" (func $new)) (export "log" (func $log)) (export "drop" (func $drop))))))
  (func (export "run") (result u32) (canon lift (core func $m "run"))))`;

const SHAPES_WIT = `package test:shapes;

/// Shapes and what can go wrong with them.
interface geometry {
  /// A point on the plane.
  record point { x: f64, y: f64, label-text: option<string> }
  /// A shape.
  variant shape { circle(f64), square(point), empty }
  enum unit { metres, feet }
  flags style { bold, dashed-line }
  /// A canvas to draw on.
  resource canvas {
    constructor(width: u32);
    draw: func(s: shape, style: style) -> result<u32, string>;
    clear: static func(c: borrow<canvas>);
  }
  area: func(s: shape, u: unit) -> result<f64, string>;
  points: func(n: u32) -> list<point>;
  nested: func(o: option<option<u8>>) -> tuple<u64, list<u8>>;
}

world shapes {
  import log: func(msg: string);
  export geometry;
}`;

/** Writes the generated bindings and the use files, type-checks them, emits JS; returns diagnostics by file. */
function compile(files: Record<string, string>): Map<string, readonly ts.Diagnostic[]> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const program = ts.createProgram(Object.keys(files).map((f) => join(dir, f)), {
    strict: true, noUncheckedIndexedAccess: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: ["node"],
    typeRoots: [join(root, "node_modules", "@types")], skipLibCheck: true, outDir: dir,
  });
  program.emit();
  const out = new Map<string, readonly ts.Diagnostic[]>();
  for (const f of Object.keys(files)) {
    const sf = program.getSourceFile(join(dir, f));
    assert.ok(sf, f);
    out.set(f, [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]);
  }
  return out;
}

const text = (d: readonly ts.Diagnostic[]) => d.map((x) => `TS${x.code}: ${ts.flattenDiagnosticMessageText(x.messageText, "\n")}`).join("\n");

/** Correct uses: they must compile, and they run against the fixtures. */
const USES = `import { readFileSync } from "node:fs";
import * as core from "./core.js";
import * as md from "./markdown-core.js";
import * as greeter from "./greeter.js";
import * as counter from "./counter.js";
import * as markdown from "./markdown.js";
import type * as shapes from "./shapes.js";
import * as logger from "./logger.js";

const bytes = (p: string) => new Uint8Array(readFileSync(new URL(p, ${JSON.stringify(`file://${root}`)})));
const logged: string[] = [];

/** A host resource: the class the guest's \`logger\` constructor makes. */
class Logger implements logger.Host.Logger {
  constructor(readonly prefix: string) {}
  log(msg: string): number {
    logged.push(this.prefix + msg);
    return msg.length;
  }
}

export function run(wasm: Uint8Array, loggerWasm: Uint8Array): Record<string, unknown> {
  const written: number = logger.instantiate(loggerWasm, { "demo:log/host": { Logger } }).run();
  const c = core.instantiate(wasm, { host: { log: (_caller, a, b) => { logged.push(\`\${a + 1}:\${b + 1n}\`); }, scale: (_caller, x) => x * 2 } });
  const sum: bigint = c.add64(1n, 2n);
  const [q, r]: [number, number] = c.divmod(17, 5);
  const scaled: number = c.run(1.5);
  const g: number = c.counter.value as number;

  const m = md.instantiate(bytes("examples/markdown/markdown.wasm"));
  const pages: number = m.memory.size;
  const [ptr, len] = m.render(m.malloc(0), 0);

  const gr = greeter.instantiate(bytes("test/fixtures/components/greeter.component.wasm"), {
    "test:greeter/host@0.1.0": { log: (msg: string) => { logged.push(msg); }, counter: () => 41 },
  });
  const moved: greeter.Shapes.Point = gr.shapes.move({ x: 1, y: 2 }, 3);
  const colour: greeter.Shapes.Color = "green";

  const co = counter.instantiate(bytes("test/fixtures/components/counter.component.wasm"));
  const a = new co.counters.Counter(5);
  a.increment();
  const b = new co.counters.Counter(10);
  const merged = co.counters.Counter.merge(a, b);
  const total: number = merged.get();
  a[Symbol.dispose]();

  const html: string = markdown.instantiate(bytes("examples/markdown/markdown.component.wasm")).render("# Hi *there*");
  return { written, sum, q, r, scaled, g, pages, ptr, len, greet: gr.greet("you"), add: gr.add(2, 3), moved, name: gr.shapes.name(colour), total, html, logged };
}

// Types only (WIT with no component behind it): these must compile.
export function shapesUses(x: shapes.Exports, imports: shapes.Imports): void {
  const s: shapes.Geometry.Shape = { tag: "square", val: { x: 1, y: 2, labelText: undefined } };
  const a: number = x.geometry.area(s, "feet");
  const c = new x.geometry.Canvas(3);
  const n: number = c.draw({ tag: "empty" }, { bold: true, dashedLine: false });
  x.geometry.Canvas.clear(c);
  c[Symbol.dispose]();
  const ps: shapes.Geometry.Point[] = x.geometry.points(3);
  const [big, raw]: [bigint, Uint8Array] = x.geometry.nested({ tag: "some", val: 3 });
  x.geometry.nested(undefined);
  imports[""].log(\`\${a} \${n} \${ps.length} \${big} \${raw.length}\`);
}
`;

/** Misuses: each must fail with the diagnostic code given. */
const MISUSES: readonly { name: string; code: number; body: string }[] = [
  { name: "core wrong argument type", code: 2345, body: `import type { Exports } from "./core.js"; declare const e: Exports; e.add64(1, 2n);` },
  { name: "core unknown export", code: 2339, body: `import type { Exports } from "./core.js"; declare const e: Exports; e.add32(1, 2);` },
  { name: "core wrong result arity", code: 2322, body: `import type { Exports } from "./core.js"; declare const e: Exports; const [a, b, c]: [number, number, number] = e.divmod(1, 2);` },
  { name: "core import with wrong parameter type", code: 2322, body: `import type { Imports } from "./core.js"; export const i: Imports = { host: { log: (_c, a: string) => {}, scale: (_c, x) => x } };` },
  { name: "core missing import", code: 2741, body: `import type { Imports } from "./core.js"; export const i: Imports = { host: { log: () => {} } };` },
  { name: "component wrong argument type", code: 2345, body: `import type { Exports } from "./greeter.js"; declare const e: Exports; e.greet(42);` },
  { name: "component unknown export", code: 2339, body: `import type { Exports } from "./greeter.js"; declare const e: Exports; e.farewell("x");` },
  { name: "component wrong enum case", code: 2345, body: `import type { Exports } from "./greeter.js"; declare const e: Exports; e.shapes.name("purple");` },
  { name: "component record missing field", code: 2345, body: `import type { Exports } from "./greeter.js"; declare const e: Exports; e.shapes.move({ x: 1 }, 2);` },
  { name: "component snake_case field", code: 2561, body: `import type { Geometry } from "./shapes.js"; export const p: Geometry.Point = { x: 1, y: 2, label_text: "a" };` },
  { name: "wrong variant tag", code: 2322, body: `import type { Geometry } from "./shapes.js"; export const s: Geometry.Shape = { tag: "triangle", val: 3 };` },
  { name: "wrong variant payload", code: 2322, body: `import type { Geometry } from "./shapes.js"; export const s: Geometry.Shape = { tag: "circle", val: "big" };` },
  { name: "wrong enum case", code: 2345, body: `import type { Exports } from "./shapes.js"; declare const e: Exports; e.geometry.area({ tag: "empty" }, "inches");` },
  { name: "unknown flag", code: 2353, body: `import type { Geometry } from "./shapes.js"; export const f: Geometry.Style = { bold: true, italic: true };` },
  { name: "resource method that is not there", code: 2339, body: `import type { Exports } from "./counter.js"; declare const e: Exports; new e.counters.Counter(1).decrement();` },
  { name: "resource constructor argument", code: 2345, body: `import type { Exports } from "./counter.js"; declare const e: Exports; new e.counters.Counter("one");` },
  { name: "host resource class without its method", code: 2322, body: `import type { Imports } from "./logger.js"; class L { constructor(readonly p: string) {} } export const i: Imports = { "demo:log/host": { Logger: L } };` },
  { name: "missing component import", code: 2741, body: `import type { Imports } from "./greeter.js"; export const i: Imports = { "test:greeter/host@0.1.0": { log() {} } };` },
];

test("generated bindings compile under --strict, run against the fixtures, and reject misuses", async () => {
  const generated: Record<string, string> = {
    "core.ts": generateBindings(CORE_WAT, { source: "core.wat" }),
    "markdown-core.ts": generateBindings(fixture("examples/markdown/markdown.wasm"), { source: "markdown.wasm" }),
    "greeter.ts": generateBindings(fixture("test/fixtures/components/greeter.component.wasm"), { source: "greeter.component.wasm" }),
    "counter.ts": generateBindings(fixture("test/fixtures/components/counter.component.wasm"), { source: "counter.component.wasm" }),
    "markdown.ts": generateBindings(fixture("examples/markdown/markdown.component.wasm"), { source: "markdown.component.wasm" }),
    "shapes.ts": generateBindings(SHAPES_WIT, { source: "shapes.wit" }),
    "logger.ts": generateBindings(LOGGER_COMPONENT, { source: "logger.wat" }),
  };
  // The CLI on a file, and WASI 0.2's `wasi:cli/command` from its WIT folders (the CLI reads a
  // folder with deps/; the library takes the same files as a list).
  let out = "";
  const io = { out: (t: string) => { out += t; }, err: (t: string) => { out += t; } };
  assert.equal(await main(["bindgen", join(root, "test/fixtures/components/greeter.wit")], io), 0, out);
  assert.match(out, /readonly "test:greeter\/host@0\.1\.0": Host\.Functions;/);
  generated["greeter-wit.ts"] = out;
  const wasiDir = join(SHARED, "wasi-0.2-wit");
  if (existsSync(wasiDir)) {
    const files = readdirSync(wasiDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".wit")).map((f) => {
      const path = f.split("\\").join("/");
      return { path: path.startsWith("cli/") ? path.slice(4) : `deps/${path}`, source: readFileSync(join(wasiDir, f), "utf8") };
    });
    generated["wasi-command.ts"] = emitTypeScript(bindingsOfWitFiles("", files, { world: "command" }), "wasi-0.2-wit/cli");
    assert.match(generated["wasi-command.ts"]!, /export interface OutputStream \{[\s\S]*blockingWriteAndFlush\(contents: Uint8Array\): void;/);
  } else console.log(`# ${wasiDir} not found: WASI bindings not checked`);
  for (const [name, src] of Object.entries(generated)) {
    assert.doesNotMatch(src.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, ""), /\bany\b/, `${name} uses any`);
  }
  const misuses = Object.fromEntries(MISUSES.map((m, i) => [`misuse-${i}.ts`, `${m.body}\n`]));
  const diagnostics = compile({ ...generated, "uses.ts": USES, ...misuses });
  for (const [name, d] of diagnostics) {
    if (!name.startsWith("misuse-")) assert.equal(text(d), "", `${name} must compile`);
  }
  MISUSES.forEach((m, i) => {
    const d = diagnostics.get(`misuse-${i}.ts`)!;
    assert.ok(d.some((x) => x.code === m.code), `${m.name}: expected TS${m.code}, got ${text(d) || "no error"}`);
  });

  // The docs of the WIT are in the generated code.
  assert.match(generated["shapes.ts"]!, /\/\*\* A point on the plane\. \*\/\n\s+export interface Point/);
  assert.match(generated["shapes.ts"]!, /export class Canvas \{[\s\S]*\[Symbol\.dispose\]\(\): void;/);

  const uses = (await import(join(dir, "uses.js"))) as { run(wasm: Uint8Array, loggerWasm: Uint8Array): Record<string, unknown> };
  const { watToBinary } = await import("../../../src/text/index.js");
  const { parseComponentText } = await import("../../../src/component/text/parser.js");
  const r = uses.run(watToBinary(CORE_WAT), parseComponentText(LOGGER_COMPONENT));
  assert.equal(r.written, 5);
  assert.ok((r.logged as string[]).includes("> hello"));
  assert.equal(r.sum, 3n);
  assert.deepEqual([r.q, r.r, r.scaled, r.g], [3, 2, 3, 7]);
  assert.equal(r.pages, 2);
  assert.equal(r.greet, "Hello, you");
  assert.equal(r.add, 5);
  assert.deepEqual(r.moved, { x: 4, y: 2 });
  assert.equal(r.name, "green");
  assert.equal(r.total, 16);
  assert.equal(r.html, "<h1>Hi <em>there</em></h1>");
  assert.ok((r.logged as string[]).includes("2:3"));
});
