/**
 * The rewrite saves only the locals live after a call that may suspend (src/instrument/asyncify-live.ts):
 * counted here as the frame's saves in the rewritten code, and run to check that what is kept is enough.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModule } from "../../../src/binary/decoder.js";
import { Engine, Linker, Module, Store } from "../../../src/index.js";
import { instrumentModule } from "../../../src/instrument/index.js";
import { AsyncImport } from "../../../src/instrument/asyncify-frame.js";
import { printModule } from "../../../src/text/print.js";
import { wat } from "../../helpers/wat.js";

/**
 * How many values function `name`'s frame saves when it unwinds: its calls of the save imports, which
 * the rewrite adds right after the module's one import, a save and a load per type (saves at 1, 3, ..., 11).
 */
function savesOf(source: string, name: string): number {
  const info = decodeModule(wat(source));
  const text = printModule(instrumentModule(info, { asyncImports: [0] }).bytes);
  assert.match(text, new RegExp(`"${AsyncImport.save("i32")}" \\(func \\(type \\d+\\)`), "the save of i32 is function 1");
  const body = text.slice(text.indexOf(`(func $${name} `));
  const end = body.indexOf("\n  (func ", 1);
  const fn = end < 0 ? body : body.slice(0, end);
  let n = 0;
  for (const m of fn.matchAll(/\bcall (\d+)\b/g)) {
    const f = Number(m[1]);
    if (f >= 1 && f <= 11 && f % 2 === 1) n++;
  }
  return n;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

const STRAIGHT = `(module
  (import "host" "get" (func $get (param i32) (result i32)))
  (func $f (export "f") (param i32) (result i32) (local i32 i32 i32 i64)
    (local.set 1 (i32.const 5))                              ;; overwritten by the call's result: dead
    (local.set 2 (i32.add (local.get 0) (i32.const 6)))      ;; read after the call: live
    (local.set 3 (i32.mul (local.get 0) (i32.const 2)))      ;; never read after it: dead
    (local.set 4 (i64.const 9))                              ;; written again before any read: dead
    (drop (local.get 3))
    (local.set 1 (call $get (local.get 0)))
    (local.set 4 (i64.const 1))
    (i32.add (i32.add (local.get 1) (local.get 2)) (i32.wrap_i64 (local.get 4)))))`;

const LOOP = `(module
  (import "host" "get" (func $get (param i32) (result i32)))
  (func $g (export "g") (param i32) (result i32) (local i32 i32)
    ;; local 1 (the sum) and 0 (the counter) are read again in the next iteration: live;
    ;; local 2 is only a temporary of the code before the call: dead
    (loop $l
      (local.set 2 (i32.mul (local.get 0) (i32.const 3)))
      (local.set 1 (i32.add (local.get 1) (call $get (local.get 2))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1)))`;

test("the rewrite saves the locals live after the call, not the dead ones", () => {
  // f: local 2 and the site number.
  assert.equal(savesOf(STRAIGHT, "f"), 2);
  // g: the counter, the sum and the site number.
  assert.equal(savesOf(LOOP, "g"), 3);
});

test("what the rewrite keeps is enough: the functions compute the same with the import async", async () => {
  for (const [source, name, arg] of [[STRAIGHT, "f", 4], [LOOP, "g", 5]] as const) {
    const sync = new Engine();
    const expected = new Linker(sync)
      .defineFunc("host", "get", { params: ["i32"], results: ["i32"] }, (_c, x) => x * 7 + 1)
      .instantiate(new Store(sync), new Module(sync, wat(source)))
      .getTypedFunc(name, ["i32"], ["i32"])(arg);
    const engine = new Engine({ asyncSupport: true, asyncMechanism: "rewrite" });
    const got = await new Linker(engine)
      .defineFuncAsync("host", "get", { params: ["i32"], results: ["i32"] }, async (_c, x) => {
        await tick();
        return x * 7 + 1;
      })
      .instantiate(new Store(engine), new Module(engine, wat(source)))
      .getTypedFuncAsync(name, ["i32"], ["i32"])(arg);
    assert.equal(got, expected, name);
  }
});

