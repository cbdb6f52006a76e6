/**
 * The Component Model's run-time conformance tests (`../shared/component-model/test/` values/,
 * resources/, linking/) through the component `.wast` runner, with wasmhost's component runtime as
 * its execution host. Prints the totals per folder; skipped visibly when ../shared is missing.
 */
import { engineFeatures } from "../../../src/runtime/features.js";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Engine } from "../../../src/runtime/engine.js";
import { Store } from "../../../src/runtime/store.js";
import { Component, ComponentLinker, ComponentInstance } from "../../../src/component/index.js";
import type { ValueType } from "../../../src/component/types.js";
import type { ComponentValue } from "../../../src/component/text/wast.js";
import { camelCase } from "../../../src/component/abi/values.js";
import {
  emptyComponentResult,
  runComponentWastFile,
  type ComponentScriptHost,
  type ComponentScriptInstance,
} from "../../../src/cli/commands/component-wast.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const suite = `${root}../shared/component-model/test`;
const skip = existsSync(suite) ? false : `${suite} is missing`;

const TYPED = new Set(["u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64", "f32", "f64"]);

/** A script value as the JS value of type `t`. */
function toJs(v: ComponentValue, t: ValueType, nested = false): unknown {
  switch (t.kind) {
    case "list":
      return (v as { values: readonly ComponentValue[] }).values.map((x) => toJs(x, t.element));
    case "map":
      return (v as { values: readonly ComponentValue[] }).values.map((x) => toJs(x, { kind: "tuple", types: [t.key, t.value] }));
    case "tuple":
      return (v as { values: readonly ComponentValue[] }).values.map((x, i) => toJs(x, t.types[i]!));
    case "record": {
      const o: Record<string, unknown> = {};
      const fields = (v as { fields: readonly { name: string; value: ComponentValue }[] }).fields;
      for (const f of t.fields) {
        const given = fields.find((x) => x.name === f.name);
        o[camelCase(f.name)] = given ? toJs(given.value, f.type) : undefined;
      }
      return o;
    }
    case "variant": {
      const c = v as { case: string; value?: ComponentValue };
      const ct = t.cases.find((x) => x.name === c.case);
      return c.value !== undefined && ct?.type ? { tag: c.case, val: toJs(c.value, ct.type) } : { tag: c.case };
    }
    case "enum":
      return (v as { case: string }).case;
    case "flags": {
      const names = (v as { names: readonly string[] }).names;
      return Object.fromEntries(t.names.map((n) => [camelCase(n), names.includes(n)]));
    }
    case "option": {
      const o = v as { value?: ComponentValue };
      if (nested) return o.value === undefined ? { tag: "none" } : { tag: "some", val: toJs(o.value, t.type, true) };
      return o.value === undefined ? undefined : toJs(o.value, t.type, true);
    }
    case "result": {
      const r = v as { ok: boolean; value?: ComponentValue };
      const pt = r.ok ? t.ok : t.err;
      return r.value !== undefined && pt ? { tag: r.ok ? "ok" : "err", val: toJs(r.value, pt) } : { tag: r.ok ? "ok" : "err" };
    }
    default:
      return (v as { value: unknown }).value;
  }
}

/** A JS value of type `t` as a script value. */
function fromJs(v: unknown, t: ValueType, nested = false): ComponentValue {
  switch (t.kind) {
    case "list":
      return { kind: "list", values: Array.from(v as ArrayLike<unknown>, (x) => fromJs(x, t.element)) };
    case "map":
      return { kind: "list", values: Array.from(v as ArrayLike<unknown>, (x) => fromJs(x, { kind: "tuple", types: [t.key, t.value] })) };
    case "tuple":
      return { kind: "tuple", values: (v as unknown[]).map((x, i) => fromJs(x, t.types[i]!)) };
    case "record":
      return { kind: "record", fields: t.fields.map((f) => ({ name: f.name, value: fromJs((v as Record<string, unknown>)[camelCase(f.name)], f.type) })) };
    case "variant": {
      const o = v as { tag: string; val?: unknown };
      const ct = t.cases.find((c) => c.name === o.tag)!;
      return { kind: "variant", case: o.tag, ...(ct.type ? { value: fromJs(o.val, ct.type) } : {}) };
    }
    case "enum":
      return { kind: "enum", case: v as string };
    case "flags":
      return { kind: "flags", names: t.names.filter((n) => (v as Record<string, boolean>)[camelCase(n)]) };
    case "option": {
      if (nested) {
        const o = v as { tag: string; val?: unknown };
        return o.tag === "none" ? { kind: "option" } : { kind: "option", value: fromJs(o.val, t.type, true) };
      }
      return v === undefined ? { kind: "option" } : { kind: "option", value: fromJs(v, t.type, true) };
    }
    case "result": {
      const o = v as { tag: string; val?: unknown };
      const pt = o.tag === "ok" ? t.ok : t.err;
      return { kind: "result", ok: o.tag === "ok", ...(pt ? { value: fromJs(o.val, pt) } : {}) };
    }
    default:
      return { kind: t.kind, value: v } as ComponentValue;
  }
}

class Host implements ComponentScriptHost {
  readonly engine = new Engine();
  readonly store = new Store(this.engine);
  readonly linker = new ComponentLinker(this.engine);

  instantiate(bytes: Uint8Array, kind: "component" | "module"): ComponentScriptInstance & { instance?: ComponentInstance } {
    if (kind === "module") throw new Error("core modules at the top of a component script are not supported");
    const instance = this.linker.instantiate(this.store, new Component(this.engine, bytes));
    return {
      instance,
      invoke(name, args) {
        const f = instance.getFunc(name);
        if (f === undefined) throw new Error(`no exported function "${name}"`);
        const params = f.type.params;
        const js = args.map((a, i) => toJs(a, params[i]!.type));
        const r = f.impl.invoke(js, undefined, "utf16");
        return f.type.result ? [fromJs(r, f.type.result)] : [];
      },
    };
  }

  register(inst: ComponentScriptInstance & { instance?: ComponentInstance }, as: string): void {
    if (inst.instance) this.linker.defineInstance(as, inst.instance.items);
  }
}

/**
 * Directives that fail for reasons outside the component runtime, by `file:line`, with the reason.
 * The units themselves count as unsupported (the engine rejects them for want of a feature); what is
 * listed here are the directives that use them. A listed directive that passes fails the test, so
 * the list stays true.
 */
const hostFeatures = engineFeatures();
const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map([
  // Engines without exception references (try_table; Node 20): tags.wast's components do not compile.
  ...(hostFeatures.exceptions ? [] : [31, 32, 60, 89, 133, 134].map((l) => [`linking/tags.wast:${l}`, "engine: no exnref"] as const)),
  // Engines without multi-memory (Node 20): unit.wast's components with two memories do not compile.
  ...(hostFeatures["multi-memory"] ? [] : [295, 296, 297, 298, 299, 300, 301, 302, 344, 345, 346, 347, 348, 349, 350, 351, 374, 375].map(
    (l) => [`linking/unit.wast:${l}`, "engine: no multi-memory"] as const,
  )),
]);

for (const folder of ["values", "resources", "linking"]) {
  test(`component-model ${folder}/ runs with 0 failures`, { skip }, async () => {
    const total = emptyComponentResult();
    for (const f of readdirSync(`${suite}/${folder}`).filter((n) => n.endsWith(".wast")).sort()) {
      const r = await runComponentWastFile(`${suite}/${folder}/${f}`, { host: new Host(), label: `${folder}/${f}` });
      total.passed += r.passed;
      total.failed += r.failed;
      total.unsupported += r.unsupported;
      total.notRun += r.notRun;
      total.failures.push(...r.failures);
    }
    const key = (f: string) => f.slice(0, f.indexOf(":", f.indexOf(".wast:") + 6));
    const unexpected = total.failures.filter((f) => !EXPECTED_FAILURES.has(key(f)));
    const failedKeys = new Set(total.failures.map(key));
    const nowPassing = [...EXPECTED_FAILURES.keys()].filter((k) => k.startsWith(`${folder}/`) && !failedKeys.has(k));
    const expected = total.failed - unexpected.length;
    console.log(`${folder}/: ${total.passed} passed, ${total.failed} failed (${expected} expected: engine features), ${total.unsupported} unsupported`);
    for (const f of unexpected) console.log(`  ${f}`);
    assert.deepEqual(unexpected, []);
    assert.deepEqual(nowPassing, [], "listed as expected failures but passing");
  });
}
