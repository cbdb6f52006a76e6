/**
 * A component's type (its imports and exports with their component types), worked out from the
 * decoded definitions without instantiating anything: the type-level half of `instantiate.ts`'s walk.
 *
 * Resource types imported abstractly (`(sub resource)`) get a fresh `ResourceType` per call.
 *
 * @module
 */
import type { ComponentInfo, ExternDesc, Sort } from "../binary/ast.js";
import {
  ResourceType,
  type ComponentExternType,
  type ComponentFuncType,
  type ComponentType,
  type InstanceType,
} from "../types.js";
import { CompileError } from "../../errors.js";
import type { TypeEntry, TypeScope } from "./items.js";
import { funcType, instanceTypeExports, outerScope, resolveTypeDef, type InstanceTypeExport } from "./resolve.js";

type Extern = ComponentExternType;

class Spaces implements TypeScope {
  readonly types: TypeEntry[] = [];
  readonly components: never[] = [];
  readonly modules: never[] = [];
  readonly funcs: ComponentFuncType[] = [];
  readonly instances: Map<string, Extern>[] = [];
  readonly componentInfos: { info: ComponentInfo; scope: TypeScope }[] = [];
  constructor(readonly parent: TypeScope | undefined) {}
}

/** The component type of `info` (in the enclosing `scope`, for nested components). */
export function componentTypeOf(info: ComponentInfo, scope?: TypeScope, args?: ReadonlyMap<string, Extern>): ComponentType {
  const s = new Spaces(scope);
  const imports = new Map<string, Extern>();
  const exports = new Map<string, Extern>();
  for (const section of info.sections) {
    switch (section.id) {
      case "type":
        for (const t of section.items) s.types.push(resolveTypeDef(s, t));
        break;
      case "component":
        s.componentInfos.push({ info: section.component, scope: s });
        break;
      case "import":
        for (const imp of section.items) {
          const given = args?.get(imp.name.name);
          const t = given ?? externOfDesc(s, imp.name.name, imp.desc);
          imports.set(imp.name.name, t);
          add(s, t);
        }
        break;
      case "alias":
        for (const a of section.items) {
          if (a.kind === "export") {
            const t = s.instances[a.instance]?.get(a.name);
            if (t === undefined) throw new CompileError(`instance ${a.instance} has no export "${a.name}"`, a.offset);
            add(s, t);
          } else if (a.kind === "outer") {
            if (a.sort === "type") {
              const e = outerScope(s, a.count).types[a.index];
              if (e === undefined) throw new CompileError(`outer alias of unknown type ${a.index}`, a.offset);
              s.types.push(e);
            } else if (a.sort === "component") {
              const outer = outerScope(s, a.count) as Spaces;
              const c = outer.componentInfos?.[a.index];
              if (c === undefined) throw new CompileError(`outer alias of unknown component ${a.index}`, a.offset);
              s.componentInfos.push(c);
            }
          }
        }
        break;
      case "canon":
        for (const c of section.items) if (c.kind === "lift") s.funcs.push(funcType(s, c.type!));
        break;
      case "instance":
        for (const inst of section.items) {
          if (inst.kind === "exports") {
            s.instances.push(new Map(inst.exports.map((e) => [e.name.name, externOf(s, e.sort, e.index)])));
            continue;
          }
          const c = s.componentInfos[inst.component];
          if (c === undefined) throw new CompileError(`unknown component ${inst.component}`, inst.offset);
          const given = new Map(inst.args.map((a) => [a.name, externOf(s, a.sort, a.index)]));
          s.instances.push(new Map(componentTypeOf(c.info, c.scope, given).exports));
        }
        break;
      case "export":
        for (const e of section.items) {
          const t = externOf(s, e.sort, e.index);
          exports.set(e.name.name, t);
          add(s, t);
        }
        break;
      default:
        break;
    }
  }
  return { imports, exports };
}

function add(s: Spaces, t: Extern): void {
  if (t.kind === "func") s.funcs.push(t.type);
  else if (t.kind === "instance") s.instances.push(new Map(t.type.exports));
  else if (t.kind === "type") {
    const v = t.type;
    s.types.push(v instanceof ResourceType ? { t: "resource", type: v } : { t: "value", type: v });
  }
}

function externOf(s: Spaces, sort: Sort, index: number): Extern {
  switch (sort) {
    case "func": {
      const f = s.funcs[index];
      if (f === undefined) throw new CompileError(`unknown func ${index}`);
      return { kind: "func", type: f };
    }
    case "instance": {
      const i = s.instances[index];
      if (i === undefined) throw new CompileError(`unknown instance ${index}`);
      return { kind: "instance", type: { exports: i } };
    }
    case "type": {
      const e = s.types[index];
      if (e === undefined) throw new CompileError(`unknown type ${index}`);
      if (e.t === "resource" || e.t === "value") return { kind: "type", type: e.type };
      return { kind: "type", type: { kind: "tuple", types: [] } };
    }
    case "component": {
      const c = s.componentInfos[index];
      if (c === undefined) throw new CompileError(`unknown component ${index}`);
      return { kind: "component", type: componentTypeOf(c.info, c.scope) };
    }
    default:
      return { kind: "module", type: { imports: [], exports: [] } };
  }
}

function externOfExport(e: InstanceTypeExport): Extern | undefined {
  switch (e.kind) {
    case "func":
      return { kind: "func", type: e.type };
    case "type":
      return e.entry.t === "value" || e.entry.t === "resource" ? { kind: "type", type: e.entry.type } : undefined;
    case "instance":
      return { kind: "instance", type: instanceOf(e.exports) };
    default:
      return undefined;
  }
}

function instanceOf(exports: ReadonlyMap<string, InstanceTypeExport>): InstanceType {
  const out = new Map<string, Extern>();
  for (const [n, e] of exports) {
    const t = externOfExport(e);
    if (t !== undefined) out.set(n, t);
  }
  return { exports: out };
}

/** The extern type of an import declared as `desc`. */
export function externOfDesc(s: TypeScope, name: string, desc: ExternDesc): Extern {
  switch (desc.kind) {
    case "func":
      return { kind: "func", type: funcType(s, desc.type) };
    case "instance": {
      const e = s.types[desc.type];
      if (e === undefined || e.t !== "instance") throw new CompileError(`type ${desc.type} is not an instance type`);
      return { kind: "instance", type: instanceOf(instanceTypeExports(e.decls, e.scope, (r) => new ResourceType(r, false))) };
    }
    case "type":
      if (desc.bound.kind === "sub-resource") return { kind: "type", type: new ResourceType(name, false) };
      {
        const e = s.types[desc.bound.type];
        if (e?.t === "value" || e?.t === "resource") return { kind: "type", type: e.type };
        throw new CompileError(`type ${desc.bound.type} is not a value or resource type`);
      }
    case "component": {
      const e = s.types[desc.type];
      if (e === undefined || e.t !== "component") throw new CompileError(`type ${desc.type} is not a component type`);
      const imports = instanceOf(instanceTypeExports(e.decls, e.scope, (r) => new ResourceType(r, false), "import")).exports;
      const exports = instanceOf(instanceTypeExports(e.decls, e.scope, (r) => new ResourceType(r, false))).exports;
      return { kind: "component", type: { imports, exports } };
    }
    case "value":
      return { kind: "value", type: { kind: "tuple", types: [] } };
    default:
      return { kind: "module", type: { imports: [], exports: [] } };
  }
}
