import { test } from "node:test";
import assert from "node:assert/strict";
import { WatError } from "../../../src/errors.js";
import {
  decodeComponent,
  isComponentText,
  parseComponentText,
  parseComponentWast,
  printComponent,
} from "../../../src/component/index.js";

const COMPONENTS: readonly string[] = [
  `(component
    (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
    (core instance $i (instantiate $m))
    (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
    (export "add" (func $add)))`,
  `(component
    (type $r (resource (rep i32)))
    (core func $new (canon resource.new $r))
    (core func $drop (canon resource.drop $r))
    (type $l (list (tuple string (option u8) (result u32 (error string)))))
    (type (flags "a" "b" "c"))
    (type (enum "x" "y"))
    (import "i" (instance $i
      (export "t" (type (sub resource)))
      (export "[constructor]t" (func (result (own 0))))
      (export "[method]t.get" (func (param "self" (borrow 0)) (result string))))))`,
  `(component $outer
    (type $t u32)
    (component $inner
      (alias outer $outer $t (type $t'))
      (import "f" (func (param "x" $t'))))
    (import "g" (func $g (param "x" u32)))
    (instance (instantiate $inner (with "f" (func $g)))))`,
  `(component
    (core type $ft (func (param i32) (result i32)))
    (core type (module
      (import "" "f" (func (type 0)))
      (export "m" (memory 1))))
    (import "m" (core module (type 1)))
    (component (import "x" (component (import "y" (func))))))`,
];

test("component text assembles, prints and assembles back to the same binary", () => {
  for (const src of COMPONENTS) {
    assert.ok(isComponentText(src));
    const bytes = parseComponentText(src);
    decodeComponent(bytes);
    const printed = printComponent(bytes);
    assert.deepEqual(parseComponentText(printed), bytes, printed);
  }
});

test("text errors are WatErrors with line and column", () => {
  assert.throws(() => parseComponentText(`(component\n  (export "x" (func $nope)))`), (e: unknown) =>
    e instanceof WatError && e.line === 2 && /\$nope/.test(e.reason));
  assert.throws(() => parseComponentText(`(component (alias outer $missing $t (type)))`), /outer component `missing` not found/);
  assert.ok(!isComponentText("(module)"));
  assert.ok(isComponentText(";; comment\n(component)"));
});

test("component scripts: directives and typed values", () => {
  const script = parseComponentWast(`
    (component definition $C (import "f" (func)))
    (component instance $c $C)
    (assert_return (invoke "f" (record.const (field "a" u32.const 1)) (list.const (str.const "x")) (option.none))
      (variant.const "ok" (tuple.const (s64.const -5) (char.const "λ") (flags.const "a" "b"))))
    (assert_invalid (component (import "A" (func))) "kebab")
    (assert_malformed (component quote "(component") "unexpected")`);
  const types = script.directives.map((d) => d.type);
  assert.deepEqual(types, ["unit", "instance", "assert_return", "assert_invalid", "assert_malformed"]);
  const ret = script.directives[2]!;
  assert.ok(ret.type === "assert_return");
  assert.deepEqual(ret.action.args[0], { kind: "record", fields: [{ name: "a", value: { kind: "u32", value: 1 } }] });
  assert.deepEqual(ret.expected[0], {
    kind: "variant",
    case: "ok",
    value: { kind: "tuple", values: [{ kind: "s64", value: -5n }, { kind: "char", value: "λ" }, { kind: "flags", names: ["a", "b"] }] },
  });
  const malformed = script.directives[4]!;
  assert.ok(malformed.type === "assert_malformed" && malformed.unit.error instanceof WatError);
});

/** jco's wasm-tools (a devDependency) as an independent encoder, when installed. */
async function jcoWasmTools(): Promise<{ parse(text: string): Promise<Uint8Array>; print(b: Uint8Array): Promise<string> } | undefined> {
  try {
    const specifier = "@bytecodealliance/jco-transpile/wasm-tools";
    return (await import(specifier)) as never;
  } catch {
    return undefined;
  }
}

test("cross-check with wasm-tools (jco): our binaries print as wasm-tools' own do", async (t) => {
  const tools = await jcoWasmTools();
  if (!tools) {
    t.skip("@bytecodealliance/jco-transpile is not installed");
    return;
  }
  for (const src of COMPONENTS) {
    const theirs = await tools.print(await tools.parse(src));
    const ours = await tools.print(parseComponentText(src));
    assert.equal(ours, theirs);
  }
});
