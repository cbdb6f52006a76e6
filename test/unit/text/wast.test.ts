import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWast } from "../../../src/text/index.js";

test("scripts parse into directives with lines", () => {
  const s = parseWast(`(module $m (func (export "f") (param i32) (result i32) (local.get 0)))
(register "m" $m)
(assert_return (invoke $m "f" (i32.const 5)) (i32.const 5))
(assert_return (invoke "g") (f32.const nan:canonical) (v128.const f32x4 1 nan:arithmetic 2 3) (ref.null func) (ref.extern 1))
(assert_trap (invoke "t") "unreachable")
(assert_malformed (module quote "(func (i32.const 1.0))") "unexpected token")
(assert_invalid (module binary "\\00asm" "\\01\\00\\00\\00") "nothing wrong")
(module (func (br $missing)))
(get "g")`, { file: "x.wast" });
  const d = s.directives;
  assert.deepEqual(d.map((x) => x.type), ["module", "register", "assert_return", "assert_return", "assert_trap", "assert_malformed", "assert_invalid", "module", "action"]);
  assert.deepEqual(d.map((x) => x.line), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const first = d[0]!;
  assert.ok(first.type === "module" && first.module.name === "m" && first.module.bytes instanceof Uint8Array);
  const ret = d[3]!;
  assert.ok(ret.type === "assert_return");
  assert.deepEqual(ret.expected[0], { type: "f32", nan: "canonical" });
  assert.deepEqual(ret.expected[1], { type: "v128", shape: "f32x4", lanes: [0x3f800000, "nan:arithmetic", 0x40000000, 0x40400000] });
  assert.deepEqual(ret.expected[3], { type: "ref.extern", value: 1 });
  const mal = d[5]!;
  assert.ok(mal.type === "assert_malformed" && mal.module.error !== undefined && mal.module.form === "quote");
  const bad = d[7]!;
  assert.ok(bad.type === "module" && bad.module.error?.reason === "unknown label $missing");
});
