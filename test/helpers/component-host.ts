/**
 * The component runtime as the `.wast` runner's execution host (`ComponentScriptHost`): instantiates
 * components with wasmhost's `ComponentLinker`, converts the scripts' typed values (`str.const`,
 * `record.const`, ...) to JS values of each function's parameter types and results back, and links
 * `register`ed instances to later components by name.
 */
import { Engine } from "../../src/runtime/engine.js";
import { Store } from "../../src/runtime/store.js";
import { Component, ComponentLinker, ComponentInstance } from "../../src/component/index.js";
import type { ValueType } from "../../src/component/types.js";
import type { ComponentValue } from "../../src/component/text/wast.js";
import { camelCase } from "../../src/component/abi/values.js";
import type { ComponentScriptHost, ComponentScriptInstance } from "../../src/cli/commands/component-wast.js";
import type { ComponentFeatures } from "../../src/component/binary/validate.js";

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

/** A fresh host: one engine, store and linker per script. */
export class ComponentRuntimeHost implements ComponentScriptHost {
  readonly engine = new Engine();
  readonly store = new Store(this.engine);
  readonly linker = new ComponentLinker(this.engine);

  instantiate(bytes: Uint8Array, kind: "component" | "module", _name?: string, features?: ComponentFeatures): ComponentScriptInstance & { instance?: ComponentInstance } {
    if (kind === "module") throw new Error("core modules at the top of a component script are not supported");
    // As Wasmtime's wast runner does: imports nothing in the script provides trap when called.
    const component = new Component(this.engine, bytes, features ? { features } : {});
    const linker = this.linker.clone().defineUnknownImportsAsTraps(component);
    const instance = linker.instantiate(this.store, component);
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

