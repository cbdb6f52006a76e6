/**
 * Resolved WIT -> the shared component type model (`../types.ts`): what a world or an interface means
 * to the canonical ABI and the runtime, names of definitions dropped, resources kept as identities.
 *
 * @module
 */
import {
  type ComponentExternType, type ComponentFuncType, type ComponentType, type InstanceType, ResourceType, type ValueType,
} from "../types.js";
import { type WitFunction, type WitInterface, type WitType, WitTypeDef, type WitWorld } from "./model.js";

/**
 * Turns WIT types into `ValueType` trees. One converter gives each WIT resource definition one
 * `ResourceType` (so the same resource reached through different `use`s is the same type) and each
 * named definition one tree (shared, so caches keyed on type objects work).
 */
export class WitTypeConverter {
  private readonly resources = new Map<WitTypeDef, ResourceType>();
  private readonly named = new Map<WitTypeDef, ValueType>();

  /** The resource type of a resource definition (following `use`s and aliases). */
  resource(def: WitTypeDef): ResourceType {
    const r = def.resolved();
    if (!(r instanceof WitTypeDef) || r.kind.kind !== "resource") throw new TypeError(`\`${def.name}\` is not a resource`);
    let t = this.resources.get(r);
    if (!t) this.resources.set(r, (t = new ResourceType(r.name, true)));
    return t;
  }

  /** The value type of a WIT type. */
  valueType(t: WitType): ValueType {
    switch (t.kind) {
      case "named": return this.namedType(t.def);
      case "borrow": return { kind: "borrow", resource: this.resource(t.def) };
      case "list": return t.length !== undefined ? { kind: "list", element: this.valueType(t.element), length: t.length } : { kind: "list", element: this.valueType(t.element) };
      case "option": return { kind: "option", type: this.valueType(t.type) };
      case "result": return { kind: "result", ...(t.ok ? { ok: this.valueType(t.ok) } : {}), ...(t.err ? { err: this.valueType(t.err) } : {}) };
      case "tuple": return { kind: "tuple", types: t.types.map((x) => this.valueType(x)) };
      case "map": return { kind: "map", key: this.valueType(t.key), value: this.valueType(t.value) };
      case "future": case "stream": return t.element ? { kind: t.kind, element: this.valueType(t.element) } : { kind: t.kind };
      default: return { kind: t.kind };
    }
  }

  private namedType(def: WitTypeDef): ValueType {
    const known = this.named.get(def);
    if (known) return known;
    const k = def.kind;
    let v: ValueType;
    switch (k.kind) {
      case "resource": v = { kind: "own", resource: this.resource(def) }; break;
      case "alias": v = this.valueType(k.type); break;
      case "record": v = { kind: "record", fields: k.fields.map((f) => ({ name: f.name, type: this.valueType(f.type) })) }; break;
      case "variant": v = { kind: "variant", cases: k.cases.map((c) => (c.type ? { name: c.name, type: this.valueType(c.type) } : { name: c.name })) }; break;
      case "enum": v = { kind: "enum", names: k.cases.map((c) => c.name) }; break;
      case "flags": v = { kind: "flags", names: k.flags.map((c) => c.name) }; break;
    }
    this.named.set(def, v);
    return v;
  }

  /** The function type of a WIT function. */
  funcType(f: WitFunction): ComponentFuncType {
    return {
      params: f.params.map((p) => ({ name: p.name, type: this.valueType(p.type) })),
      ...(f.result ? { result: this.valueType(f.result) } : {}),
      ...(f.async ? { async: true } : {}),
    };
  }

  /** The instance type of an interface: its types (resources as `ResourceType`s) and functions. */
  instanceType(iface: WitInterface): InstanceType {
    const exports = new Map<string, ComponentExternType>();
    for (const def of iface.types.values()) {
      const r = def.resolved();
      exports.set(def.name, { kind: "type", type: r instanceof WitTypeDef && r.kind.kind === "resource" ? this.resource(def) : this.namedType(def) });
    }
    for (const f of iface.functions.values()) exports.set(f.name, { kind: "func", type: this.funcType(f) });
    return { exports };
  }

  /** The component type of a world: imports and exports by their component-level names. */
  worldType(world: WitWorld): ComponentType {
    const side = (items: WitWorld["imports"]): Map<string, ComponentExternType> => {
      const out = new Map<string, ComponentExternType>();
      for (const [name, item] of items) {
        if (item.kind === "interface") out.set(name, { kind: "instance", type: this.instanceType(item.interface) });
        else if (item.kind === "function") out.set(name, { kind: "func", type: this.funcType(item.func) });
        else {
          const r = item.def.resolved();
          out.set(name, { kind: "type", type: r instanceof WitTypeDef && r.kind.kind === "resource" ? this.resource(item.def) : this.namedType(item.def) });
        }
      }
      return out;
    };
    return { imports: side(world.imports), exports: side(world.exports) };
  }
}

/** The component type of a world (a fresh converter: its resources are new `ResourceType`s). */
export function worldComponentType(world: WitWorld): ComponentType {
  return new WitTypeConverter().worldType(world);
}

