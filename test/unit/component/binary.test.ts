import { test } from "node:test";
import assert from "node:assert/strict";
import { CompileError } from "../../../src/errors.js";
import {
  decodeComponent,
  definitionSorts,
  encodeComponent,
  isComponentBinary,
  MAX_NESTING,
  parseComponentText,
  ResourceType,
  validateComponent,
} from "../../../src/component/index.js";

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

const SAMPLE = `(component $sample
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
    (func (export "echo") (param i32 i32) (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (type $point (record (field "x" s32) (field "y" s32)))
  (export $point' "point" (type $point))
  (type $shape (variant (case "dot" $point') (case "none")))
  (export $shape' "shape" (type $shape))
  (func $echo (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (export "echo" (func $echo))
  (import "host" (instance $host
    (export "res" (type (sub resource)))
    (export "log" (func (param "msg" string)))))
)`;

test("decode -> encode reproduces the binary, and the sections come in binary order", () => {
  const bytes = parseComponentText(SAMPLE);
  assert.ok(isComponentBinary(bytes));
  const info = decodeComponent(bytes);
  assert.deepEqual(
    info.sections.map((s) => s.id),
    // The three inline export aliases (`$i "echo"`, `"mem"`, `"realloc"`) share one alias section.
    ["core-module", "core-instance", "type", "export", "type", "export", "type", "alias", "canon", "export", "type", "import", "custom"],
  );
  assert.deepEqual(encodeComponent(info), bytes);
  assert.equal(info.names.component, "sample");
  assert.equal(info.names.sorts.get("func")?.get(0), "echo");
  const mod = info.sections[0]!;
  assert.ok(mod.id === "core-module" && mod.module.info.exports.length === 3);
});

test("validation resolves types into the shared model: records, variants, functions, resources", () => {
  const v = validateComponent(decodeComponent(parseComponentText(SAMPLE)));
  const echo = v.type.exports.get("echo");
  assert.ok(echo?.kind === "func");
  assert.deepEqual(echo.type.params.map((p) => [p.name, p.type.kind]), [["s", "string"]]);
  assert.equal(echo.type.result?.kind, "string");
  const shape = v.type.exports.get("shape");
  assert.ok(shape?.kind === "type" && !(shape.type instanceof ResourceType) && shape.type.kind === "variant");
  assert.equal(shape.type.cases[0]!.type?.kind, "record");
  const host = v.type.imports.get("host");
  assert.ok(host?.kind === "instance");
  const res = host.type.exports.get("res");
  assert.ok(res?.kind === "type" && res.type instanceof ResourceType);
  assert.equal(v.spaces.funcs.length, 2); // the lifted function and its export
  assert.equal(v.spaces.coreInstances.length, 1);
});

test("errors carry the absolute byte offset of the offending definition", () => {
  // An export of function 5, which does not exist: the export entry starts at offset 11.
  const info = decodeComponent(new Uint8Array([...PREAMBLE, 0x0b, 0x07, 0x01, 0x00, 0x01, 0x66, 0x01, 0x05, 0x00]));
  assert.throws(() => validateComponent(info), (e: unknown) => e instanceof CompileError && e.offset === 11 && /func/.test(e.reason));
  // Truncated section.
  assert.throws(() => decodeComponent(new Uint8Array([...PREAMBLE, 0x07, 0x05, 0x01])), (e: unknown) => e instanceof CompileError && e.offset === 10);
  // A core module is not a component.
  assert.throws(() => decodeComponent(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), /found a core module/);
});

test("hostile input: deep nesting is capped, huge counts fail at the end of the data, not in allocation", () => {
  // MAX_NESTING + 2 nested components, built from the inside out.
  let inner = new Uint8Array(PREAMBLE);
  for (let i = 0; i < MAX_NESTING + 2; i++) {
    const size = leb(inner.length);
    inner = new Uint8Array([...PREAMBLE, 0x04, ...size, ...inner]);
  }
  assert.throws(() => decodeComponent(inner), (e: unknown) => e instanceof CompileError && /nested too deeply/.test(e.reason));
  // A type section claiming 2^32-1 types in 6 bytes.
  const huge = new Uint8Array([...PREAMBLE, 0x07, 0x06, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x73]);
  assert.throws(() => decodeComponent(huge), CompileError);
  // Deeply nested component types in the text format are capped the same way when decoded.
  let text = "(type (instance))";
  for (let i = 0; i < MAX_NESTING + 1; i++) text = `(type (component ${text}))`;
  assert.throws(() => decodeComponent(parseComponentText(`(component ${text})`)), /nested too deeply/);
});

test("value types past the Canonical ABI's size limit and borrow results are invalid", () => {
  const big = `(component (type $a (list u8 65536)) (type $b (list $a 65536)))`;
  assert.throws(() => validateComponent(decodeComponent(parseComponentText(big))), /maximum byte size/);
  const borrow = `(component (type $r (resource (rep i32))) (type (func (result (borrow $r)))))`;
  assert.throws(() => validateComponent(decodeComponent(parseComponentText(borrow))), /borrow/);
});

test("names: kebab case and strong uniqueness", () => {
  const check = (src: string) => validateComponent(decodeComponent(parseComponentText(src)));
  assert.throws(() => check(`(component (import "NotKebab-case" (func)))`), /kebab/);
  assert.throws(() => check(`(component (import "a-b" (func)) (import "A-B" (func)))`), /conflicts/);
  check(`(component (import "a-b" (func)) (import "wasi:http/types@0.2.0" (instance)))`);
});

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

test("type indices of 64 and more are signed LEB128 in value types (0xc0 0x00, not the opcode 0x40)", () => {
  const types = Array.from({ length: 70 }, (_, i) => `(type $t${i} (list u${i % 2 ? 8 : 16}))`).join(" ");
  const bytes = parseComponentText(`(component ${types} (type (option $t65)))`);
  const info = decodeComponent(bytes);
  assert.deepEqual(encodeComponent(info), bytes);
  const last = info.sections.find((s) => s.id === "type");
  assert.ok(last?.id === "type");
  assert.deepEqual(last.items[70], { kind: "option", type: 65, offset: last.items[70]!.offset });
  const v = validateComponent(info);
  const t = v.spaces.types[70];
  assert.ok(t?.kind === "value" && t.type.kind === "option" && t.type.type.kind === "list");
});

test("definitionSorts walks the index spaces the way validation builds them", () => {
  const info = decodeComponent(parseComponentText(SAMPLE));
  const counts = new Map<string, number>();
  for (const s of info.sections) for (const sort of definitionSorts(s)) counts.set(sort, (counts.get(sort) ?? 0) + 1);
  const v = validateComponent(info);
  assert.equal(counts.get("func"), v.spaces.funcs.length);
  assert.equal(counts.get("type"), v.spaces.types.length);
  assert.equal(counts.get("core func"), v.spaces.coreFuncs.length);
  assert.equal(counts.get("instance"), v.spaces.instances.length);
  assert.equal(counts.get("core memory"), v.spaces.coreMemories.length);
});
