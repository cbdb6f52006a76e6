/**
 * Cross-checks against jco (the devDependency `@bytecodealliance/jco`, whose `jco-transpile` runs
 * wasm-tools' wit-parser and wit-component): our world metadata is byte-identical to
 * `componentEmbed`'s, jco reads the WIT of our components as we print it, and jco-transpiled runs of
 * our components work end to end.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { decodeModule } from "../../../../src/binary/decoder.js";
import {
  componentNew, componentWit, decodeComponent, decodeWit, encodeWorldMetadata, printWit, resolveWit, resolveWitPackages,
  selectWorld,
} from "../../../../src/component/index.js";
import { watToBinary } from "../../../../src/text/index.js";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const jcoDir = join(root, "node_modules/@bytecodealliance/jco-transpile/dist");
const available = existsSync(join(jcoDir, "wasm-tools.js"));
const wasiDir = join(root, "../shared/wasi-0.2-wit");

interface Tools {
  componentEmbed(opts: { dummy?: boolean; witSource?: string; world?: string }): Promise<Uint8Array>;
  componentNew(bytes: Uint8Array): Promise<Uint8Array>;
  componentWit(bytes: Uint8Array): Promise<string>;
}
interface Transpile {
  transpileBytes(bytes: Uint8Array, opts: { name: string; instantiation: "async" }): Promise<{ files: Record<string, Uint8Array> }>;
}

async function tools(): Promise<Tools> {
  return (await import(pathToFileURL(join(jcoDir, "wasm-tools.js")).href)) as Tools;
}

/** wit-component's `component-type` payload for a world, without its trailing `producers` section. */
async function jcoMetadata(witSource: string, world: string): Promise<Uint8Array> {
  const embedded = await (await tools()).componentEmbed({ dummy: true, witSource, world });
  const section = decodeModule(embedded).customSections.find((c) => c.name.startsWith("component-type"))!;
  const data = Buffer.from(section.data);
  const producers = data.indexOf(Buffer.from("\x09producers"));
  return producers < 0 ? data : data.subarray(0, producers - 2);
}

const WORLDS = `package local:demo@1.0.0;

interface types {
  resource blob {
    constructor(init: list<u8>);
    write: func(bytes: list<u8>);
    merge: static func(a: borrow<blob>, b: blob) -> blob;
  }
  record point { x: s32, y: s32 }
  type pts = list<point>;
  variant v { a, b(string), c(option<point>) }
  enum e { one, two }
  flags f { r, w }
}

interface api {
  use types.{blob, point as pt, e};
  make: func(p: pt) -> result<blob, e>;
  tup: func() -> tuple<u8, list<u8, 4>>;
}

interface plain { a: func(); b: func(); }

world w {
  use types.{point};
  import api;
  import log: func(msg: string, p: point);
  import inline: interface {
    use types.{blob};
    get: func() -> blob;
  }
  type y = u32;
  export api;
  export run: func() -> result<_, string>;
  export plain;
  export e2: func();
}

interface store { get: func(key: string) -> option<string>; }

world named {
  import one: store;
  @external-id("//Two")
  import two: store;
  export my-store: store;
}
`;

test("world metadata is byte-identical to wit-component's (componentEmbed)", { skip: !available }, async () => {
  const res = resolveWit(WORLDS);
  for (const name of ["w", "named"]) {
    const ours = encodeWorldMetadata(selectWorld(res, name));
    assert.deepEqual(Buffer.from(ours), Buffer.from(await jcoMetadata(WORLDS, name)), name);
    // And decoding it gives the same world back (plain names, `implements`, `external-id` included).
    const again = decodeWit(decodeComponent(ours));
    assert.deepEqual(encodeWorldMetadata(selectWorld(again, name)), ours);
  }
});

/** Every WASI package as one WIT file (the root package, then the others nested: jco takes one source). */
function wasiText(rootDir: string): string {
  const dirs = readdirSync(wasiDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const groups = [rootDir, ...dirs.filter((d) => d !== rootDir)].map((d) =>
    readdirSync(join(wasiDir, d)).filter((f) => f.endsWith(".wit")).sort().map((f) => ({ path: `${d}/${f}`, source: readFileSync(join(wasiDir, d, f), "utf8") })));
  return printWit(resolveWitPackages(groups));
}

test("WASI 0.2 worlds: our printed WIT is accepted by wit-parser and encodes byte-identically", { skip: !available || !existsSync(wasiDir) }, async () => {
  for (const rootDir of ["cli", "http"]) {
    const text = wasiText(rootDir);
    const res = resolveWit(text);
    for (const world of res.root!.worlds.values()) {
      const theirs = await jcoMetadata(text, world.name);
      assert.deepEqual(Buffer.from(encodeWorldMetadata(world)), Buffer.from(theirs), world.qualifiedName);
    }
  }
});

test("componentNew on wit-component's dummy modules (cm32p2 names) makes components wasm-tools reads as the same world", { skip: !available || !existsSync(wasiDir) }, async () => {
  const t = await tools();
  const cases: [string, string][] = [[WORLDS, "w"], [WORLDS, "named"], [wasiText("cli"), "command"], [wasiText("http"), "proxy"]];
  for (const [text, world] of cases) {
    const dummy = await t.componentEmbed({ dummy: true, witSource: text, world });
    const ours = componentNew(dummy);
    const theirs = await t.componentNew(dummy);
    const expected = await t.componentWit(theirs);
    assert.equal(await t.componentWit(ours), expected, `${world}: wasm-tools reads our component as its own`);
    assert.ok(componentWit(ours).startsWith(expected), `${world}: and we print what it prints`);
  }
});

test("jco reads the world of our components as we print it, and runs them", { skip: !available }, async () => {
  const { transpileBytes } = (await import(pathToFileURL(join(jcoDir, "transpile.js")).href)) as Transpile;
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-jco-"));
  const load = async (name: string, bytes: Uint8Array): Promise<Record<string, unknown>> => {
    const { files } = await transpileBytes(bytes, { name, instantiation: "async" });
    for (const [file, data] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), data);
    }
    return (await import(pathToFileURL(join(dir, `${name}.js`)).href)) as Record<string, unknown>;
  };
  const compile = async (p: string): Promise<WebAssembly.Module> => WebAssembly.compile(readFileSync(join(dir, p)));

  const markdown = readFileSync(join(root, "examples/markdown/markdown.component.wasm"));
  const jcoWit = (await tools()).componentWit;
  assert.equal(await jcoWit(markdown), componentWit(markdown));
  const md = await load("markdown", markdown);
  const mdInstance = (await (md.instantiate as (c: typeof compile, i: object) => Promise<{ render(s: string): string }>)(compile, {}));
  assert.equal(mdInstance.render("# Hi *there*\n\nü `x` [l](u)"), '<h1>Hi <em>there</em></h1>\n<p>ü <code>x</code> <a href="u">l</a></p>');
  assert.equal(mdInstance.render(""), "");

  const fixtures = join(root, "test/fixtures/components");
  const greeter = componentNew(watToBinary(readFileSync(join(fixtures, "greeter.wat"), "utf8")), {
    world: selectWorld(resolveWit(readFileSync(join(fixtures, "greeter.wit"), "utf8"))),
  });
  // jco prints the root package only; ours continues with the packages it uses.
  assert.ok(componentWit(greeter).startsWith(await jcoWit(greeter)));
  const g = await load("greeter", greeter);
  const logs: string[] = [];
  let count = 0;
  type Greeter = { greet(s: string): string; add(a: number, b: number): number; shapes: { move(p: { x: number; y: number }, dx: number): { x: number; y: number }; name(c: string): string } };
  const gi = await (g.instantiate as (c: typeof compile, i: object) => Promise<Greeter>)(compile, {
    "test:greeter/host": { log: (m: string) => void logs.push(m), counter: () => ++count },
  });
  assert.equal(gi.greet("Ann"), "Hello, Ann");
  assert.equal(gi.greet("Zoë"), "Hello, Zoë");
  assert.deepEqual(logs, ["Ann", "Zoë"]);
  assert.equal(count, 2);
  assert.equal(gi.add(2, 40), 42);
  assert.deepEqual(gi.shapes.move({ x: 1, y: 2 }, 10), { x: 11, y: 2 });
  assert.deepEqual(["red", "green", "blue"].map((c) => gi.shapes.name(c)), ["red", "green", "blue"]);

  const c = await load("counter", readFileSync(join(fixtures, "counter.component.wasm")));
  type Counter = { increment(): number; get(): number; [Symbol.dispose](): void };
  type Counters = { Counter: { new (start: number): Counter; merge(a: Counter, b: Counter): Counter }; dropped(): number };
  const ci = await (c.instantiate as (c: typeof compile, i: object) => Promise<{ counters: Counters }>)(compile, {});
  const { Counter, dropped } = ci.counters;
  const a = new Counter(5);
  const b = new Counter(10);
  assert.equal(a.increment(), 6);
  assert.equal(Counter.merge(a, b).get(), 16);
  assert.equal(dropped(), 0);
  a[Symbol.dispose]();
  assert.equal(dropped(), 1, "disposing the handle runs the component's destructor");
});
