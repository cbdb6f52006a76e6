/**
 * The branch-hint section the rewrite adds (src/instrument/branch-hints.ts): every hint points at the
 * `if` or `br_if` of an inserted check, in the order the format wants, before the code section; an
 * input's own hints are dropped once its bodies move.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModule } from "../../../src/binary/decoder.js";
import { SectionId, type ModuleInfo } from "../../../src/binary/module-info.js";
import { BinaryReader } from "../../../src/binary/reader.js";
import { Engine, Linker, Module, Store, Trap } from "../../../src/index.js";
import { BRANCH_HINT_SECTION } from "../../../src/instrument/branch-hints.js";
import { fuelCostTable, instrumentModule } from "../../../src/instrument/index.js";
import { wat } from "../../helpers/wat.js";

const TEXT = `(module
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $sum (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "run") (param $n i32) (result i32)
    (i32.add (call $fib (local.get $n)) (call $sum (local.get $n)))))`;

/** The hints of `info`'s branch-hint section: [function index, offsets][]. */
function hintsOf(info: ModuleInfo): [number, number[]][] {
  const sections = info.customSections.filter((c) => c.name === BRANCH_HINT_SECTION);
  assert.equal(sections.length, 1, "one branch-hint section");
  const r = new BinaryReader(sections[0]!.data);
  const out: [number, number[]][] = [];
  for (let f = r.u32(); f > 0; f--) {
    const func = r.u32();
    const offsets: number[] = [];
    for (let k = r.u32(); k > 0; k--) {
      offsets.push(r.u32());
      assert.equal(r.u32(), 1, "a hint's size is 1");
      assert.equal(r.u8(), 0, "the checks' slow paths are unlikely");
    }
    out.push([func, offsets]);
  }
  assert.ok(r.done, "nothing after the hints");
  return out;
}

for (const [mode, options] of [
  ["fuel", { fuelCosts: fuelCostTable() }],
  ["interruption", { interrupt: true }],
  ["fuel and interruption", { fuelCosts: fuelCostTable(), interrupt: true, storeResources: true }],
] as const) {
  test(`${mode}: every hint points at a check's if or br_if, in order, before the code section`, () => {
    const out = decodeModule(instrumentModule(decodeModule(wat(TEXT)), options).bytes);
    const hints = hintsOf(out);
    const hintAt = out.sections.findIndex((s) => s.id === SectionId.custom && s.name === BRANCH_HINT_SECTION);
    assert.ok(hintAt >= 0 && hintAt < out.sections.findIndex((s) => s.id === SectionId.code), "the hints come before the code");
    assert.ok(hints.length >= 3, `the three functions are hinted (got ${hints.length})`);
    let lastFunc = -1;
    for (const [func, offsets] of hints) {
      assert.ok(func > lastFunc, "functions in increasing index order");
      lastFunc = func;
      const body = out.code[func - out.importedFuncs]!;
      // Offsets count from the body's start: its local declarations, just after its size.
      let start = body.offset;
      while (out.bytes[start]! & 0x80) start++;
      start++;
      let last = -1;
      for (const offset of offsets) {
        assert.ok(offset > last, "offsets increase");
        last = offset;
        const at = start + offset;
        assert.ok(at >= body.codeOffset && at < body.codeOffset + body.code.length, "inside the body's code");
        assert.ok([0x04, 0x0d].includes(out.bytes[at]!), `function ${func} +${offset} is an if or br_if (0x${out.bytes[at]!.toString(16)})`);
      }
    }
  });
}

test("the hinted module runs as the plain one, and still runs out of fuel", () => {
  const bytes = wat(TEXT);
  const plainEngine = new Engine();
  const plain = new Linker(plainEngine).instantiate(new Store(plainEngine), new Module(plainEngine, bytes));
  const expected = plain.getTypedFunc("run", ["i32"], ["i32"])(20);
  const engine = new Engine({ consumeFuel: true, timeLimits: true });
  const store = new Store(engine);
  store.setFuel(1e9);
  store.setTimeLimit(60_000);
  const run = new Linker(engine).instantiate(store, new Module(engine, bytes)).getTypedFunc("run", ["i32"], ["i32"]);
  assert.equal(run(20), expected);
  store.setFuel(1000);
  assert.throws(() => run(20), (e: unknown) => e instanceof Trap && e.code === "out_of_fuel");
});

test("an input's own branch hints are dropped when its bodies are rewritten, kept when they are not", () => {
  // Hints for function 0 at offset 3, as a compiler might have left them (the rewrite moves that code).
  const own = `(@custom "${BRANCH_HINT_SECTION}" (before code) "\\01\\00\\01\\03\\01\\01")`;
  const input = decodeModule(wat(TEXT.replace(/\)$/, ` ${own})`)));
  assert.equal(input.customSections.filter((c) => c.name === BRANCH_HINT_SECTION).length, 1);
  const rewritten = decodeModule(instrumentModule(input, { interrupt: true }).bytes);
  // One section is left (`hintsOf` checks), the rewrite's own: its hints are all for defined functions,
  // which the added import of the interruption check moved up by one, so none is the input's for 0.
  const hints = hintsOf(rewritten);
  assert.ok(hints.length > 0 && hints.every(([f]) => f >= rewritten.importedFuncs && f > 0), "the input's hint is gone");
  // Nothing to rewrite: the module is handed back as it was, hints and all.
  assert.equal(instrumentModule(input, {}).bytes, input.bytes);
});
