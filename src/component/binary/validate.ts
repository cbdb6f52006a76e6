/**
 * Component validation: walks a decoded component (`ComponentInfo`) in binary order, builds every
 * index space, resolves every type index into the trees of `../types.ts`, and checks what
 * `Binary.md` and `Explainer.md` require (index bounds, outer aliases, type equality and subtyping
 * at instantiation and export ascription, resources, names and strong uniqueness, the Canonical
 * ABI's option and signature rules, limits on type sizes). Errors are `CompileError`s with the
 * absolute byte offset of the offending definition.
 *
 * The result (`ValidatedComponent`) is what the runtime instantiates from: per index space, the
 * resolved type of each index, and the component's type (imports and exports).
 *
 * This file holds the walk and the `Scope` (index spaces, instances, aliases, types, start); the
 * rest is split by what it checks: `validate-core.ts` (core instances, types and module types),
 * `validate-externs.ts` (names, imports and exports), `validate-canon.ts` (canonical built-ins),
 * `validate-types.ts` (defined value types), `validate-visibility.ts` (named types of exports) and
 * `validate-model.ts` (the result and option types).
 *
 * @module
 */
import { CompileError } from "../../errors.js";
import type {
  ComponentExternType,
  ComponentFuncType,
  ComponentType,
  CoreModuleType,
  InstanceType,
  ValueType,
} from "../types.js";
import { ResourceType } from "../types.js";
import type {
  AliasDef,
  ComponentInfo,
  Decl,
  Sort,
  TypeDef,
  ValTypeRef,
} from "./ast.js";
import {
  coreModuleType,
  moduleSigOf,
  moduleSig,
  sameFuncSig,
  type CoreExtern,
} from "./core-sigs.js";
import { checkCanon } from "./validate-canon.js";
import { type TypeEntry, type ValidatedComponent, type ValidateOptions, emptySpaces } from "./validate-model.js";
import { checkCoreModuleFeatures, coreInstance, coreType } from "./validate-core.js";
import { checkName, exportItem, importOrExportDecl } from "./validate-externs.js";
import { checkAnnotated } from "./validate-visibility.js";
import { resolveDefValType, resolveFuncType } from "./validate-types.js";
import { NameSet } from "./names.js";
import {
  primitive,
  bindings,
  componentSize,
  copyFacts,
  funcSize,
  instanceSize,
  factsOf,
  Matcher,
  MAX_TYPE_SIZE,
  Substitution,
  definitionExtern,
  isTypeDefinition,
} from "./type-ops.js";

export { UNSUPPORTED } from "./validate-canon.js";
export type { ComponentFeatures, ComponentSpaces, TypeEntry, ValidatedComponent, ValidateOptions } from "./validate-model.js";

/**
 * Validates a decoded component.
 *
 * @throws CompileError with the offset of the offending definition.
 */
export function validateComponent(info: ComponentInfo, options: ValidateOptions = {}): ValidatedComponent {
  const v = new Scope("component", undefined, options);
  return v.component(info);
}

type ScopeKind = "component" | "component-type" | "instance-type";

/** Value type nodes named by an import or export (external visibility). */
export type NameOrigin = "import" | "export";

/** Where a type got its external name: by an import or an export, in which scope. */
interface Naming {
  readonly origin: NameOrigin;
  readonly scope: Scope;
}

/** A validation scope: a component, or a component or instance type being declared. */
export class Scope {
  readonly spaces = emptySpaces();
  readonly imports = new Map<string, ComponentExternType>();
  readonly exports = new Map<string, ComponentExternType>();
  readonly importNames = new NameSet();
  readonly exportNames = new NameSet();
  /** Resources created here (imported abstract ones, defined ones, exported abstract ones). */
  readonly importedResources: ResourceType[] = [];
  readonly exportedResources: ResourceType[] = [];
  readonly definedResources = new Set<ResourceType>();
  /** Resources made fresh by instantiations inside this component. */
  readonly createdResources: ResourceType[] = [];
  /**
   * Type index entries, value type nodes and handle nodes that have an external name, and by what
   * (shared by all scopes of one validation: nodes are unique to where they were made).
   */
  readonly named: WeakMap<object, Naming>;
  /** The node each renamed copy was made from (shared by all scopes of one validation). */
  readonly copiedFrom: WeakMap<ValueType, ValueType>;
  /** The external naming of each instance index (imported or exported instances name their types). */
  readonly instanceNaming: (NameOrigin | undefined)[] = [];
  /** Resource names of this scope's imports/exports (for `[constructor]` etc.). */
  readonly resourceNames = { import: new Map<string, ResourceType>(), export: new Map<string, ResourceType>() };
  readonly nested: ValidatedComponent[] = [];
  hasStart = false;
  /** Whether each value (🪙) has been consumed: every value must be used exactly once. */
  readonly valueUsed: boolean[] = [];
  /** The type of each context slot used by `context.get`/`context.set` in this component. */
  readonly contextTypes = new Map<number, string>();
  /** Offset for errors of the definition being checked. */
  at = 0;

  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | undefined,
    readonly options: ValidateOptions,
  ) {
    this.named = parent?.named ?? new WeakMap();
    this.copiedFrom = parent?.copiedFrom ?? new WeakMap();
  }

  /** Carries external names over to the copies a substitution makes. */
  readonly keepNames = (original: object, copy: object): void => {
    const naming = this.named.get(original);
    if (naming !== undefined) this.named.set(copy, naming);
  };

  fail(reason: string, offset: number = this.at): never {
    throw new CompileError(reason, offset);
  }

  // ---- components -------------------------------------------------------------------------------

  component(info: ComponentInfo): ValidatedComponent {
    for (const s of info.sections) {
      switch (s.id) {
        case "custom": break;
        case "core-module": {
          this.at = s.module.offset;
          const seen = new Set<string>();
          for (const imp of s.module.info.imports) {
            const key = `${imp.module}:${imp.name}`;
            if (seen.has(key)) this.fail(`duplicate import name \`${key}\``, s.module.offset + imp.offset);
            seen.add(key);
          }
          checkCoreModuleFeatures(this, s.module.info);
          const why = this.options.validateCoreModule?.(s.module.bytes, s.module.info);
          if (why !== undefined) this.fail(`invalid core module: ${why}`);
          this.spaces.coreModules.push(moduleSig(s.module.info));
          break;
        }
        case "core-instance":
          for (const i of s.items) {
            this.at = i.offset;
            coreInstance(this, i);
          }
          break;
        case "core-type":
          for (const t of s.items) {
            this.at = t.offset;
            coreType(this, t);
          }
          break;
        case "component": {
          this.at = s.component.offset;
          const inner = new Scope("component", this, this.options);
          const v = inner.component(s.component);
          this.at = s.component.offset;
          this.checkSize(componentSize(v.type));
          this.nested.push(v);
          this.spaces.components.push(v.type);
          break;
        }
        case "instance":
          for (const i of s.items) {
            this.at = i.offset;
            this.instance(i);
          }
          break;
        case "alias":
          for (const a of s.items) {
            this.at = a.offset;
            this.alias(a);
          }
          break;
        case "type":
          for (const t of s.items) {
            this.at = t.offset;
            this.type(t);
          }
          break;
        case "canon":
          for (const c of s.items) {
            this.at = c.offset;
            checkCanon(this, c);
          }
          break;
        case "start":
          this.at = s.start.offset;
          this.start(s.start.func, s.start.args, s.start.results);
          break;
        case "import":
          for (const i of s.items) {
            this.at = i.offset;
            importOrExportDecl(this, "import", i.name, i.desc);
          }
          break;
        case "export":
          for (const e of s.items) {
            this.at = e.offset;
            exportItem(this, e.name, e.sort, e.index, e.desc);
          }
          break;
        case "value":
          for (const v of s.items) {
            this.at = v.offset;
            this.spaces.values.push(this.valType(v.type));
          }
          break;
      }
    }
    for (let i = 0; i < this.spaces.values.length; i++) {
      if (!this.valueUsed[i]) {
        this.fail(`value index ${i} was not used as part of an instantiation, start function, or export`, info.end);
      }
    }
    const type: ComponentType = { imports: this.imports, exports: this.exports };
    bindings.set(type, {
      imported: this.importedResources,
      exported: [...this.exportedResources, ...this.definedResources, ...this.createdResources],
    });
    return { info, type, spaces: this.spaces, nested: this.nested };
  }

  /** Marks value `index` consumed (by an export, an instantiation or the start function). */
  consumeValue(index: number): void {
    this.get(this.spaces.values, index, "value");
    if (this.kind !== "component") return;
    if (this.valueUsed[index]) this.fail(`value index ${index} cannot be used more than once`);
    this.valueUsed[index] = true;
  }

  private checkSize(n: number): void {
    if (n > MAX_TYPE_SIZE) this.fail(`effective type size exceeds the limit of ${MAX_TYPE_SIZE}`);
  }

  /** Entry `index` of `space`, or a failure naming `what`. */
  get<T>(space: readonly T[], index: number, what: string): T {
    const v = space[index];
    if (v === undefined) this.fail(`unknown ${what} ${index}: ${what} index out of bounds`);
    return v;
  }
  // ---- instances and aliases --------------------------------------------------------------------

  private instance(i: import("./ast.js").InstanceDef): void {
    if (i.kind === "instantiate") {
      const component = this.get(this.spaces.components, i.component, "component");
      const args = new Map<string, ComponentExternType>();
      const argNames = new NameSet();
      for (const a of i.args) {
        if (argNames.add(a.name) !== undefined) this.fail(`instantiation argument \`${a.name}\` conflicts with previous argument`);
        args.set(a.name, this.itemType(a.sort, a.index));
        if (a.sort === "value") this.consumeValue(a.index);
      }
      const inst = this.instantiate(component, args);
      this.checkSize(instanceSize(inst));
      this.spaces.instances.push(inst);
      this.instanceNaming.push(undefined);
      return;
    }
    const exports = new Map<string, ComponentExternType>();
    const names = new NameSet();
    // The bag's own resource names, for its `[constructor]`/`[method]`/`[static]` exports.
    const resources = new Map<string, ResourceType>();
    for (const e of i.exports) {
      const parsed = checkName(this, e.name, "export");
      const prev = names.add(e.name.name);
      if (prev !== undefined) this.fail(`export name \`${e.name.name}\` conflicts with previous name \`${prev}\``);
      const t = this.itemType(e.sort, e.index);
      if (t.kind === "type" && t.type instanceof ResourceType && parsed.kind === "label") resources.set(e.name.name, t.type);
      if (t.kind === "func" && parsed.kind !== "label" && parsed.kind !== "interface" && parsed.kind !== "other") {
        checkAnnotated(this, parsed, t, "export", resources);
        for (const p of [...t.type.params.map((x) => x.type), ...(t.type.result ? [t.type.result] : [])]) {
          if ((p.kind === "own" || p.kind === "borrow") && this.named.get(p)?.scope !== this) {
            this.fail("resource used in function does not have a name in this context");
          }
        }
      }
      exports.set(e.name.name, t);
      if (e.sort === "value") this.consumeValue(e.index);
    }
    const inst: InstanceType = { exports };
    this.checkSize(instanceSize(inst));
    this.spaces.instances.push(inst);
    this.instanceNaming.push(undefined);
  }

  /** Type-checks instantiating `component` with `args`; returns the instance's type. */
  private instantiate(component: ComponentType, args: ReadonlyMap<string, ComponentExternType>): InstanceType {
    const binding = bindings.get(component) ?? { imported: [], exported: [] };
    const matcher = new Matcher(new Set(binding.imported));
    for (const [name, expected] of component.imports) {
      const actual = args.get(name);
      if (actual === undefined) this.fail(`missing import named \`${name}\``);
      // Earlier arguments' resources are substituted into later imports' types.
      const why = matcher.extern(actual, expected);
      if (why) this.fail(`type mismatch for import \`${name}\`: ${why}`);
    }
    const map = new Map(matcher.bound);
    for (const r of binding.exported) {
      const fresh = new ResourceType(r.name, r.defined);
      map.set(r, fresh);
      this.createdResources.push(fresh);
    }
    const sub = new Substitution(map, this.keepNames, matcher.boundTypes, (t) => this.copiedFrom.get(t));
    const exports = new Map<string, ComponentExternType>();
    for (const [name, t] of component.exports) exports.set(name, sub.extern(t));
    return { exports };
  }

  /** The extern type of item `index` of `sort` (what exporting or passing it gives). */
  itemType(sort: Sort, index: number): ComponentExternType {
    const s = this.spaces;
    switch (sort) {
      case "func": return { kind: "func", type: this.get(s.funcs, index, "func") };
      case "value": return { kind: "value", type: this.get(s.values, index, "value") };
      case "component": return { kind: "component", type: this.get(s.components, index, "component") };
      case "instance": return { kind: "instance", type: this.get(s.instances, index, "instance") };
      case "type": {
        const t = this.get(s.types, index, "type");
        if (t.kind === "value" || t.kind === "resource") return { kind: "type", type: t.type };
        return { kind: "type", type: { kind: "type-definition", definition: t } };
      }
      case "core module":
        return { kind: "module", type: coreModuleType(this.get(s.coreModules, index, "module")) };
      default:
        return this.fail(`${sort} not valid to be used as export`);
    }
  }

  private alias(a: AliasDef): void {
    switch (a.kind) {
      case "export": {
        const inst = this.get(this.spaces.instances, a.instance, "instance");
        const t = inst.exports.get(a.name);
        if (t === undefined) this.fail(`instance ${a.instance} has no export named \`${a.name}\``);
        this.addItem(a.sort, t, this.instanceNaming[a.instance]);
        return;
      }
      case "core-export": {
        const inst = this.get(this.spaces.coreInstances, a.instance, "core instance");
        const t = inst.exports.get(a.name);
        if (t === undefined) this.fail(`core instance ${a.instance} has no export named \`${a.name}\``);
        if (a.sort !== `core ${t.kind}`) this.fail(`export \`${a.name}\` for core instance ${a.instance} is not a ${a.sort.slice(5)}`);
        this.addCore(t);
        return;
      }
      case "outer": {
        if (a.sort !== "type" && a.sort !== "core type" && a.sort !== "core module" && a.sort !== "component") {
          this.fail("outer aliases may only refer to types, modules, and components");
        }
        let target: Scope = this;
        let crossesComponent = false;
        for (let k = 0; k < a.count; k++) {
          if (target.parent === undefined) this.fail(`invalid outer alias count of ${a.count}`);
          if (target.kind === "component") crossesComponent = true;
          target = target.parent;
        }
        switch (a.sort) {
          case "type": {
            const t = target.spaces.types[a.index];
            if (t === undefined) this.fail(`type index ${a.index} out of bounds`);
            if (crossesComponent && refersToResources(t)) {
              this.fail("refers to resources not defined in the current component: an outer alias of a type that transitively refers to resources");
            }
            this.spaces.types.push(t);
            return;
          }
          case "core type": {
            const t = target.spaces.coreTypes[a.index];
            if (t === undefined) this.fail(`core type index ${a.index} out of bounds`);
            this.spaces.coreTypes.push(t);
            return;
          }
          case "core module": {
            const t = target.spaces.coreModules[a.index];
            if (t === undefined) this.fail(`module index ${a.index} out of bounds`);
            this.spaces.coreModules.push(t);
            return;
          }
          case "component": {
            const t = target.spaces.components[a.index];
            if (t === undefined) this.fail(`component index ${a.index} out of bounds`);
            this.spaces.components.push(t);
            return;
          }
        }
      }
    }
  }

  /** Adds an item of `sort` with extern type `t` to its index space (aliases, imports, exports). */
  addItem(sort: Sort, t: ComponentExternType, naming: NameOrigin | undefined): void {
    const s = this.spaces;
    const mismatch = (): never => this.fail(`expected ${sort}, found ${t.kind}`);
    switch (sort) {
      case "func": if (t.kind !== "func") mismatch(); s.funcs.push(t.type as ComponentFuncType); return;
      case "value": if (t.kind !== "value") mismatch(); s.values.push(t.type as ValueType); return;
      case "component": if (t.kind !== "component") mismatch(); s.components.push(t.type as ComponentType); return;
      case "instance":
        if (t.kind !== "instance") mismatch();
        s.instances.push(t.type as InstanceType);
        this.instanceNaming.push(naming);
        return;
      case "core module": if (t.kind !== "module") mismatch(); s.coreModules.push(moduleSigOf(t.type as CoreModuleType)); return;
      case "type": {
        if (t.kind !== "type") mismatch();
        const ty = t.type as ValueType | ResourceType;
        if (ty instanceof ResourceType) {
          const entry: TypeEntry = { kind: "resource", type: ty };
          s.types.push(entry);
          if (naming) this.named.set(entry, { origin: naming, scope: this });
        } else if (naming) {
          const named = copyFacts(ty, { ...ty } as ValueType);
          this.copiedFrom.set(named, ty);
          this.named.set(named, { origin: naming, scope: this });
          s.types.push({ kind: "value", type: named });
        } else {
          s.types.push({ kind: "value", type: ty });
        }
        return;
      }
      default:
        return this.fail(`cannot alias a ${sort} from a component instance`);
    }
  }

  private addCore(t: CoreExtern): void {
    const s = this.spaces;
    switch (t.kind) {
      case "func": s.coreFuncs.push(t.type); return;
      case "table": s.coreTables.push(t.type); return;
      case "memory": s.coreMemories.push(t.type); return;
      case "global": s.coreGlobals.push(t.type); return;
      case "tag": s.coreTags.push(t.type); return;
    }
  }

  // ---- types --------------------------------------------------------------------------------------

  /** A value type reference resolved. */
  valType(t: ValTypeRef): ValueType {
    if (typeof t !== "number") return primitive(t);
    const e = this.spaces.types[t];
    if (e === undefined) this.fail(`type index ${t} out of bounds`);
    if (e.kind !== "value") this.fail(`type index ${t} is not a defined type`);
    return e.type;
  }

  private type(t: TypeDef): void {
    switch (t.kind) {
      case "func": {
        const ft = resolveFuncType(this, t);
        this.checkSize(funcSize(ft));
        this.spaces.types.push({ kind: "func", type: ft });
        return;
      }
      case "component":
      case "instance": {
        const inner = new Scope(t.kind === "component" ? "component-type" : "instance-type", this, this.options);
        const entry = inner.typeDecls(t.decls, t.kind);
        this.checkSize(entry.kind === "component" ? componentSize(entry.type as ComponentType) : instanceSize(entry.type as InstanceType));
        this.spaces.types.push(entry);
        return;
      }
      case "resource": {
        if (this.kind !== "component") this.fail("resources can only be defined within a concrete component");
        if (t.rep !== "i32" && t.rep !== "i64") this.fail("resources can only be represented by `i32` or `i64`");
        if (t.rep === "i64" && this.options.features?.cm64 === false) this.fail("resources with `i64` require the `cm64` feature to be enabled");
        if (t.dtor !== undefined) {
          const f = this.get(this.spaces.coreFuncs, t.dtor, "core function");
          if (!sameFuncSig(f, { params: [t.rep], results: [] })) this.fail("wrong signature for a destructor");
        }
        const r = new ResourceType("", true);
        this.definedResources.add(r);
        this.spaces.types.push({ kind: "resource", type: r, rep: t.rep as "i32" | "i64", ...(t.dtor !== undefined ? { dtor: t.dtor } : {}) });
        return;
      }
      default:
        this.spaces.types.push({ kind: "value", type: resolveDefValType(this, t) });
    }
  }

  /** Validates the declarators of a component or instance type (this scope is the type's). */
  typeDecls(decls: readonly Decl[], kind: "component" | "instance"): TypeEntry {
    for (const d of decls) {
      switch (d.kind) {
        case "core-type":
          this.at = d.type.offset;
          coreType(this, d.type);
          break;
        case "type":
          this.at = d.type.offset;
          this.type(d.type);
          break;
        case "alias":
          this.at = d.alias.offset;
          if (d.alias.kind === "core-export") this.fail("core export aliases are not allowed in type declarations");
          if (d.alias.kind === "export" && d.alias.sort !== "type" && d.alias.sort !== "instance") {
            this.fail("export aliases in type declarations may only refer to types or instances");
          }
          if (d.alias.kind === "outer" && d.alias.sort !== "type" && d.alias.sort !== "core type") {
            this.fail("outer aliases in type declarations may only refer to types or core types");
          }
          this.alias(d.alias);
          break;
        case "import":
        case "export":
          this.at = d.decl.offset;
          importOrExportDecl(this, d.kind, d.decl.name, d.decl.desc);
          break;
      }
    }
    if (kind === "instance") {
      const type: InstanceType = { exports: this.exports };
      bindings.set(type, { imported: [], exported: this.exportedResources });
      return { kind: "instance", type };
    }
    const type: ComponentType = { imports: this.imports, exports: this.exports };
    bindings.set(type, { imported: this.importedResources, exported: this.exportedResources });
    return { kind: "component", type };
  }

  // ---- canon and start ----------------------------------------------------------------------------

  private start(func: number, args: readonly number[], results: number): void {
    if (this.hasStart) this.fail("component cannot have more than one start function");
    this.hasStart = true;
    const ft = this.get(this.spaces.funcs, func, "func");
    if (ft.params.length !== args.length) this.fail(`start function requires ${ft.params.length} arguments`);
    for (let i = 0; i < args.length; i++) {
      const v = this.get(this.spaces.values, args[i]!, "value");
      this.consumeValue(args[i]!);
      const why = new Matcher().value(v, ft.params[i]!.type);
      if (why) this.fail(`type mismatch for start function argument ${i}: ${why}`);
    }
    if ((ft.result ? 1 : 0) !== results) this.fail(`start function results size mismatch: expected ${ft.result ? 1 : 0}, found ${results}`);
    if (ft.result) this.spaces.values.push(ft.result);
  }
}

function refersToResources(t: TypeEntry): boolean {
  switch (t.kind) {
    case "resource": return true;
    case "value": return factsOf(t.type).resources.length > 0;
    case "func": return resourcesOfFunc(t.type).length > 0;
    case "instance": return [...t.type.exports.values()].some(externRefersToResources);
    case "component":
      return [...t.type.imports.values(), ...t.type.exports.values()].some(externRefersToResources);
  }
}

function externRefersToResources(t: ComponentExternType): boolean {
  switch (t.kind) {
    case "func": return resourcesOfFunc(t.type).length > 0;
    case "value": return factsOf(t.type).resources.length > 0;
    case "type":
      if (isTypeDefinition(t.type)) return externRefersToResources(definitionExtern(t.type));
      return t.type instanceof ResourceType || factsOf(t.type).resources.length > 0;
    case "instance": return [...t.type.exports.values()].some(externRefersToResources);
    case "component": return false;
    case "module": return false;
  }
}

function resourcesOfFunc(ft: ComponentFuncType): ResourceType[] {
  const out: ResourceType[] = [];
  const add = (t: ValueType) => {
    for (const r of factsOf(t).resources) if (!out.includes(r)) out.push(r);
  };
  for (const p of ft.params) add(p.type);
  if (ft.result) add(ft.result);
  return out;
}

