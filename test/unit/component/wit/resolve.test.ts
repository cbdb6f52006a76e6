/**
 * WIT parsing and resolution: every construct of WIT.md, and errors as WitError with file, line,
 * column and a caret under the culprit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { WitError } from "../../../../src/errors.js";
import {
  type WitResolution, WitTypeDef, printWit, resolveWit, resolveWitFiles, selectWorld, worldComponentType,
} from "../../../../src/component/index.js";

function roundTrip(res: WitResolution, features: string[] = []): void {
  const printed = printWit(res);
  assert.equal(printWit(resolveWit(printed, { features })), printed, "printing is a fixpoint");
}

/** Asserts that `source` fails with `reason` (a substring) at `line`:`column`. */
function fails(source: string, reason: string | RegExp, line: number, column: number): void {
  assert.throws(() => resolveWit(source, { path: "t.wit" }), (e: unknown) => {
    assert.ok(e instanceof WitError, `a WitError, got ${String(e)}`);
    if (typeof reason === "string") assert.ok(e.reason.includes(reason), `reason ${JSON.stringify(e.reason)} includes ${JSON.stringify(reason)}`);
    else assert.match(e.reason, reason);
    assert.deepEqual([e.file, e.line, e.column], ["t.wit", line, column], e.message);
    return true;
  });
}

test("the error message names file, line and column and shows the line with a caret", () => {
  try {
    resolveWit("package a:b;\ninterface i {\n  f: func() -> nope;\n}\n", { path: "x.wit" });
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof WitError);
    assert.equal(e.message, "x.wit:3:16: type `nope` is not defined\n  |   f: func() -> nope;\n  |                ^");
  }
});

test("syntax errors", () => {
  fails("package a:b;\ninterface i { f: func(; }", "expected a parameter name, found `;`", 2, 23);
  fails("package a:b;\ninterface i { record r {} }", "expected at least one field", 2, 24);
  fails("package a:b;\ninterface i { type t = list<u8, 0>; }", "list length", 2, 33);
  fails("package a:b;\ninterface i { type t = result<_>; }", "result<_>", 2, 32);
  fails("package a:b;\ninterface i { f: func() -> (a: u32); }", "named results", 2, 28);
  fails("package a:b;\ninterface i { type list = u32; }", "keyword `list`", 2, 20);
  fails("package a:b;\ninterface i { type Foo-bar = u32; }", "mixes upper and lower case", 2, 20);
  fails("package a:b;\ninterface i { type foo--bar = u32; }", "empty word", 2, 20);
  fails("package a:b;\ninterface i { /* open", "unterminated block comment", 2, 15);
  fails("package a:b;\n@unknown(x = y)\ninterface i {}", "unknown attribute `@unknown`", 2, 1);
  fails("package a:b@1.0;\n", "semantic version", 1, 13);
  fails("package a:b;\ninterface i { f: func() ; } }", "expected `interface`, `world`, `use` or `package`", 2, 29);
  fails("package a:b;\ninterface i { f: func(); ", "expected `}` to close the interface", 2, 26);
  fails("package a:b;\nworld w { import a:b; }", "between the package and the interface name", 2, 21);
  fails("package a:b@1.0.0;\ninterface i { @since(version = 1.0.0) @unstable(feature = x) f: func(); }", "both `@since` and `@unstable`", 2, 15);
  fails("package a:b@1.0.0;\ninterface i { @deprecated(version = 1.0.0) f: func(); }", "`@deprecated` must be paired", 2, 15);
  fails("package a:b;\ninterface i { type t = u32\u202e; }", "U+202E", 2, 27);
});

test("name resolution errors", () => {
  fails("package a:b;\ninterface i { type t = u32; type t = u64; }", "`t` is defined more than once", 2, 34);
  fails("package a:b;\ninterface i { type t = t; }", "`t` refers to itself", 2, 20);
  fails("package a:b;\ninterface i { record a { b: b } record b { a: list<a> } }", "refers to itself", 2, 22);
  fails("package a:b;\ninterface i { use j.{t}; }\ninterface j { use i.{u}; type t = u32; }", "depends on itself", 3, 19);
  fails("package a:b;\ninterface i { use j.{nope}; }\ninterface j {}", "type `nope` is not defined in `a:b/j`", 2, 22);
  fails("package a:b;\ninterface i { use x:y/z.{t}; }", "package `x:y` not found", 2, 19);
  fails("package a:b;\nworld w { import nope; }", "interface `nope` is not defined", 2, 18);
  fails("package a:b;\nworld w { include w; }", "world `w` includes itself", 2, 19);
  fails("package a:b;\ninterface i { f: func(x: u32, X: u32); }", "parameter `X` is defined more than once", 2, 31);
  fails("package a:b;\ninterface i { resource r { constructor(); constructor(); } }", "more than one constructor", 2, 43);
  fails("package a:b;\ninterface i { resource r { constructor() -> u32; } }", "a constructor returns nothing or `result<r, E>`", 2, 45);
  fails("package a:b;\ninterface i { type t = borrow<u32>; }", "expected a resource name", 2, 31);
  fails("package a:b;\ninterface i { record r { a: u8 } type t = borrow<r>; }", "`r` is not a resource type", 2, 50);
  fails("package a:b;\nworld w { import f: func(); import f: func(); }", "import `f` conflicts", 2, 29);
  fails("package a:b;\ninterface i { @since(version = 1.0.0) f: func(); }", "needs a version", 2, 15);
  fails("package a:b;\ninterface i {}\nworld i {}", "`i` is defined more than once", 3, 7);
  fails(
    "package a:b;\nworld one { import a: func(); }\nworld two { import a: func(); }\nworld u { include one; include two; }",
    "included import `a` conflicts", 4, 24,
  );
});

test("types, resources and functions resolve to the WIT model and the component type model", () => {
  const res = resolveWit(`package local:demo@1.0.0;

/// Docs on the interface.
interface types {
  /// A point.
  record point { x: s32, y: s32 }
  variant shape { circle(f32), square(list<u8, 4>), none }
  enum color { red, green }
  flags perms { read, write }
  type pts = list<point>;
  type res = result<_, color>;
  type tup = tuple<u8, option<string>, result<string>, result>;
  type strm = stream<u8>;
  resource blob {
    constructor(init: list<u8>);
    write: func(bytes: list<u8>);
    merge: static func(a: borrow<blob>, b: blob) -> blob;
    try-new: static async func() -> result<blob, string>;
  }
  %use: func(%record: u32) -> u32;
}

interface api {
  use types.{blob, point as pt};
  make: func(p: pt) -> result<blob, string>;
}
`);
  const types = res.root!.interfaces.get("types")!;
  assert.equal(types.docs, "Docs on the interface.");
  assert.equal(types.types.get("point")!.docs, "A point.");
  assert.deepEqual([...types.functions.keys()], ["[constructor]blob", "[method]blob.write", "[static]blob.merge", "[static]blob.try-new", "use"]);
  const write = types.functions.get("[method]blob.write")!;
  assert.equal(write.kind, "method");
  assert.deepEqual(write.params.map((p) => p.name), ["self", "bytes"]);
  assert.equal(types.functions.get("[static]blob.try-new")!.async, true);
  const api = res.root!.interfaces.get("api")!;
  const pt = api.types.get("pt")!;
  assert.equal(pt.kind.kind, "alias");
  assert.equal(pt.resolved(), types.types.get("point"), "a use is an alias of the original definition");
  roundTrip(res);
  assert.match(printWit(res), /use types\.\{blob, point as pt\};/);
  assert.match(printWit(res), /%use: func\(%record: u32\) -> u32;/);
  assert.match(printWit(res), /try-new: static async func\(\) -> result<blob, string>;/);
});

test("worlds: imports and exports by kind, transitive imports, include with renames and de-duplication", () => {
  const res = resolveWit(`package local:demo;

interface a { resource r; }
interface b { use a.{r}; foo: func() -> r; }
interface c { f: func(); }

world base-one { import c; import x: func(); export b; }
world base-two { import c; import x: func(); }

world w1 {
  include base-one;
  include base-two with { x as y }
  export run: func();
  import host: interface { log: func(msg: string); }
  export c;
}
`);
  const w1 = selectWorld(res, "w1");
  // b's dependency a is imported, before everything that needs it; c de-duplicated; x renamed.
  assert.deepEqual([...w1.imports.keys()], ["host", "local:demo/c", "local:demo/a", "x", "y"]);
  assert.deepEqual([...w1.exports.keys()], ["run", "local:demo/c", "local:demo/b"]);
  assert.equal(selectWorld(res, "local:demo/w1"), w1);
  assert.throws(() => selectWorld(res), /has 3 worlds \(base-one, base-two, w1\)/);
  const type = worldComponentType(w1);
  assert.equal(type.imports.get("y")?.kind, "func");
  roundTrip(res);
});

test("an exported interface that uses an exported one keeps it an export", () => {
  const w = selectWorld(resolveWit(`package local:demo;
interface a { resource r; }
interface b { use a.{r}; foo: func() -> r; }
world w { export b; export a; }`));
  assert.deepEqual([...w.imports.keys()], []);
  assert.deepEqual([...w.exports.keys()], ["local:demo/a", "local:demo/b"]);
});

test("@unstable items are left out unless their feature is enabled; @since and @deprecated are kept", () => {
  const src = `package local:g@0.2.0;
@since(version = 0.2.0)
interface i {
  @since(version = 0.2.0)
  @deprecated(version = 0.2.1)
  old: func();
  @unstable(feature = fancy)
  new: func();
}
@unstable(feature = fancy)
interface j {}`;
  const off = resolveWit(src);
  assert.deepEqual([...off.root!.interfaces.keys()], ["i"]);
  assert.deepEqual([...off.root!.interfaces.get("i")!.functions.keys()], ["old"]);
  assert.deepEqual(off.root!.interfaces.get("i")!.functions.get("old")!.stability, { kind: "stable", since: "0.2.0", deprecated: "0.2.1" });
  const on = resolveWit(src, { features: ["fancy"] });
  assert.deepEqual([...on.root!.interfaces.get("i")!.functions.keys()], ["old", "new"]);
  assert.ok(on.root!.interfaces.has("j"));
  assert.match(printWit(on), /@unstable\(feature = fancy\)\n {2}new: func\(\);/);
  roundTrip(on, ["fancy"]);
});

test("multiple files, top-level use with `as`, deps/ folders and nested packages", () => {
  const files = [
    { path: "wit/world.wit", source: "package local:app;\nuse dep:clock/time@1.0.0 as t;\nworld app { import t; export run: func(); }" },
    // A top-level `use` names the interface in its own file only.
    { path: "wit/types.wit", source: "interface shared { use dep:clock/time@1.0.0.{instant}; type when = instant; }" },
    { path: "wit/deps/clock/time.wit", source: "package dep:clock@1.0.0;\ninterface time { type instant = u64; }" },
    { path: "wit/deps/extra.wit", source: "package dep:extra;\ninterface e { use inner:pkg/x.{t}; }\npackage inner:pkg { interface x { type t = u8; } }" },
  ];
  const res = resolveWitFiles("wit", files);
  assert.equal(String(res.root), "local:app");
  assert.deepEqual(res.packages.map(String).sort(), ["dep:clock@1.0.0", "dep:extra", "inner:pkg", "local:app"]);
  const shared = res.root!.interfaces.get("shared")!;
  const when = shared.types.get("when")!;
  assert.ok(when.resolved() instanceof WitTypeDef === false, "an alias of u64 resolves to the primitive");
  assert.deepEqual(when.resolved(), { kind: "u64" });
  assert.deepEqual([...selectWorld(res).imports.keys()], ["dep:clock/time@1.0.0"]);
  roundTrip(res);
});

test("a package that declares a different name than another of its files is an error", () => {
  assert.throws(
    () => resolveWitFiles("d", [{ path: "d/a.wit", source: "package a:b;" }, { path: "d/b.wit", source: "package a:c;" }]),
    (e: unknown) => e instanceof WitError && e.file === "d/b.wit" && e.reason.includes("does not match `a:b`"),
  );
});

test("hostile input: deep nesting and huge names fail cleanly", () => {
  const deep = `package a:b;\ninterface i { type t = ${"list<".repeat(5000)}u8${">".repeat(5000)}; }`;
  assert.throws(() => resolveWit(deep), (e: unknown) => e instanceof WitError && /nest deeper/.test(e.reason));
  const many = `package a:b;\ninterface i {\n${Array.from({ length: 3000 }, (_, i) => `  type t${String.fromCharCode(97 + (i % 26))}${i} = ${i ? `t${String.fromCharCode(97 + ((i - 1) % 26))}${i - 1}` : "u8"};`).join("\n")}\n}`;
  assert.equal(resolveWit(many).root!.interfaces.get("i")!.types.size, 3000);
});
