/**
 * Component Model feature switches (`ComponentFeatures`): the `cm64` gate on 64-bit memories and
 * `i64` resources, 🪺 nested namespaces and packages in names, and how `.wast` scripts select them
 * from their `;; RUN:` line (`scriptFeatures`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeComponent } from "../../../src/component/binary/decoder.js";
import { type ComponentFeatures, validateComponent } from "../../../src/component/binary/validate.js";
import { parseComponentText } from "../../../src/component/text/parser.js";
import { scriptFeatures } from "../../../src/cli/commands/component-wast.js";
import { CompileError, WitError } from "../../../src/errors.js";
import { printWit, resolveWit, selectWorld } from "../../../src/component/index.js";

function check(text: string, features: ComponentFeatures): string | undefined {
  try {
    validateComponent(decodeComponent(parseComponentText(text)), { features });
    return undefined;
  } catch (e) {
    assert.ok(e instanceof CompileError, String(e));
    return e.message;
  }
}

test("cm64: 64-bit memories in canonical options and i64 resources need the gate (on unless turned off)", () => {
  const memory = `(component
    (import "x" (func $x (param "x" string)))
    (core module $A (memory (export "m") i64 1))
    (core instance $A (instantiate $A))
    (alias core export $A "m" (core memory $m))
    (core func (canon lower (func $x) (memory $m))))`;
  assert.equal(check(memory, {}), undefined);
  assert.equal(check(memory, { cm64: true }), undefined);
  assert.match(check(memory, { cm64: false }) ?? "", /64-bit memories require the `cm64` feature/);
  const resource = `(component (type $x (resource (rep i64))))`;
  assert.equal(check(resource, {}), undefined);
  assert.match(check(resource, { cm64: false }) ?? "", /resources with `i64` require the `cm64` feature/);
  assert.equal(check(`(component (type $x (resource (rep i32))))`, { cm64: false }), undefined);
});

test("🪺 nested names: nested namespaces, packages and dependency names only with the gate", () => {
  for (const name of ["a:b:c:d/e", "a:b-c:d-e:f-g/h-i/j-k/l-m/n/o/p@1.0.0", "unlocked-dep=<a:b:c:d/e/f/g@{>=1.2.3}>", "locked-dep=<a:b:c:d/e/f/g@1.2.3>,integrity=<sha256-a>"]) {
    const text = `(component (import ${JSON.stringify(name)} (func)))`;
    assert.equal(check(text, { nestedNames: true }), undefined, name);
    assert.match(check(text, {}) ?? "", /expected `\/` after package name|trailing characters/, name);
  }
  for (const bad of ["a:b:C/d", "a:b/c/d_e", "a:b:c", "a:b:/c", "a:b/c//d"]) {
    assert.notEqual(check(`(component (import ${JSON.stringify(bad)} (func)))`, { nestedNames: true }), undefined, bad);
  }
  assert.equal(check(`(component (import "a:b/c@0.2" (func)))`, {}), undefined);
});

test("scriptFeatures reads wasm-tools' RUN line: -f lists, --features=-x, defaults off with a RUN line", () => {
  const off = { cm64: false, nestedNames: false, sharedEverythingThreads: false };
  assert.deepEqual(scriptFeatures(";; RUN: wast --assert default --snapshot tests/snapshots %\n(component)"), off);
  assert.deepEqual(scriptFeatures(";; RUN: wast --assert default --snapshot tests/snapshots -f cm64 %\n"), { ...off, cm64: true });
  assert.deepEqual(scriptFeatures(";; RUN: wast % -f cm-async,cm-nested-names\n"), { ...off, nestedNames: true });
  assert.deepEqual(scriptFeatures(";; RUN: wast --features=cm64,-cm64 %\n"), off);
  assert.deepEqual(scriptFeatures(";; RUN: wast % -f cm-threading,shared-everything-threads,gc\n"), { ...off, sharedEverythingThreads: true });
  assert.deepEqual(scriptFeatures("(component)\n;; RUN: wast -f cm64\n"), {}, "only the first line counts");
  assert.deepEqual(scriptFeatures("(component)"), {});
});

test("shared-everything threads: shared core types, tables and heap types need the gate (on unless turned off)", () => {
  const coreType = `(component (core type $t (shared (func (param i32)))))`;
  const heapType = `(component (core type $t (func (param (ref null (shared any))))))`;
  const moduleType = `(component (core type (module (import "" "t" (table shared 1 2 (ref null (shared func)))))))`;
  const module = `(component (core module (table (export "t") shared 1 2 (ref null (shared func)))))`;
  const off = { sharedEverythingThreads: false };
  assert.match(check(coreType, off) ?? "", /shared composite types require the `shared-everything-threads` feature/);
  assert.match(check(heapType, off) ?? "", /shared reference types require the `shared-everything-threads` feature/);
  assert.match(check(moduleType, off) ?? "", /shared tables require the `shared-everything-threads` feature/);
  assert.match(check(module, off) ?? "", /invalid core module: shared table 0 requires the `shared-everything-threads` feature/);
  for (const text of [coreType, heapType, moduleType, module]) {
    assert.equal(check(text, {}), undefined, text);
    assert.equal(check(text, { sharedEverythingThreads: true }), undefined, text);
  }
});

test("a shared table satisfies only a shared table import, and the reverse", () => {
  const link = (exported: string, imported: string) => check(`(component
    (core module $A (table (export "t") ${exported}))
    (core instance $A (instantiate $A))
    (alias core export $A "t" (core table $t))
    (core module $B (import "" "" (table ${imported})))
    (core instance (instantiate $B (with "" (instance (export "" (table $t)))))))`, {});
  assert.equal(link("shared 1 2 (ref null (shared func))", "shared 1 2 (ref null (shared func))"), undefined);
  assert.match(link("shared 1 2 (ref null (shared func))", "1 2 (ref null (shared func))") ?? "", /mismatch in the shared flag for tables/);
  assert.match(link("1 2 (ref null (shared func))", "shared 1 2 (ref null (shared func))") ?? "", /mismatch in the shared flag for tables/);
  assert.match(link("1 2 funcref", "1 2 (ref null (shared func))") ?? "", /mismatch in table element type/);
});

test("🪺 nested namespaces and packages in WIT: off by default, on with nestedNames; names as the component names", () => {
  const text = `package a:b:c/d@1.0.0;
interface i { use e:f:g/h/j@2.0.0.{t}; f: func(x: t); }
world w { import i; }
package e:f:g/h@2.0.0 { interface j { type t = u32; g: func(x: t); } }`;
  assert.throws(() => resolveWit(text), (e: unknown) => e instanceof WitError && /nested namespaces and packages \(🪺\) are not enabled/.test(e.message) && e.line === 1);
  assert.throws(() => resolveWit("package a:b; interface i { use x:y:z/w.{t}; }"), /not enabled/);
  const r = resolveWit(text, { nestedNames: true });
  assert.deepEqual([...selectWorld(r).imports.keys()], ["e:f:g/h/j@2.0.0", "a:b:c/d/i@1.0.0"]);
  const printed = printWit(r);
  assert.match(printed, /^package a:b:c\/d@1\.0\.0;$/m);
  assert.match(printed, /use e:f:g\/h\/j@2\.0\.0\.\{t\};/);
  assert.equal(printWit(resolveWit(printed, { nestedNames: true })), printed, "the print parses back to itself");
  assert.throws(() => resolveWit("package a:b/c:d;", { nestedNames: true }), /a nested namespace cannot follow a nested package/);
});
