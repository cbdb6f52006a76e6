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
 * @module
 */
import { CompileError } from "../../errors.js";
import type { ModuleInfo } from "../../binary/module-info.js";
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
  CoreTypeDef,
  Decl,
  ExternDesc,
  ExternName,
  Sort,
  TypeDef,
  ValTypeRef,
} from "./ast.js";
import {
  coreExternMismatch,
  coreExternOf,
  coreModuleType,
  moduleSigOf,
  moduleSig,
  sameFuncSig,
  type CoreExtern,
  type CoreFuncSig,
  type CoreInstanceSig,
  type CoreModuleSig,
  type CoreTypeEntry,
} from "./core-sigs.js";
import { checkCanon } from "./validate-canon.js";
import { checkAnnotated, checkVisible } from "./validate-visibility.js";
import { resolveDefValType, resolveFuncType } from "./validate-types.js";
import { NameSet, parseExternName, type ParsedName } from "./names.js";
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

/** An entry of the component type index space, resolved. */
export type TypeEntry =
  | { readonly kind: "value"; readonly type: ValueType }
  | { readonly kind: "func"; readonly type: ComponentFuncType }
  | { readonly kind: "component"; readonly type: ComponentType }
  | { readonly kind: "instance"; readonly type: InstanceType }
  | { readonly kind: "resource"; readonly type: ResourceType; readonly rep?: "i32" | "i64"; readonly dtor?: number };

/** Every index space of a component (or of a component or instance type), resolved, in index order. */
export interface ComponentSpaces {
  readonly funcs: ComponentFuncType[];
  readonly values: ValueType[];
  readonly types: TypeEntry[];
  readonly components: ComponentType[];
  readonly instances: InstanceType[];
  readonly coreFuncs: CoreFuncSig[];
  readonly coreTables: import("../../binary/module-info.js").TableDesc[];
  readonly coreMemories: import("../../binary/module-info.js").MemoryDesc[];
  readonly coreGlobals: import("../../binary/module-info.js").GlobalDesc[];
  readonly coreTags: CoreFuncSig[];
  readonly coreTypes: CoreTypeEntry[];
  readonly coreModules: CoreModuleSig[];
  readonly coreInstances: CoreInstanceSig[];
}

/** A validated component: its spaces, its type, and the validated components defined inside it. */
export interface ValidatedComponent {
  readonly info: ComponentInfo;
  /** The component's imports and exports. */
  readonly type: ComponentType;
  readonly spaces: ComponentSpaces;
  /** The nested components defined (not imported) in it, in definition order. */
  readonly nested: readonly ValidatedComponent[];
}

export { UNSUPPORTED } from "./validate-canon.js";

/** Options of `validateComponent`. */
/**
 * Component Model features behind flags (the gates of `Explainer.md` that `wasm-tools` switches per
 * script with `-f`); each defaults to what wasmhost accepts when not told otherwise.
 */
export interface ComponentFeatures {
  /** 64-bit memories in canonical options and `i64` resource representations (default on). */
  readonly cm64?: boolean;
  /** 🪺 nested namespaces and packages in interface names (`a:b:c/d/e`) (default off). */
  readonly nestedNames?: boolean;
}

export interface ValidateOptions {
  /** Feature switches (see `ComponentFeatures`). */
  readonly features?: ComponentFeatures;
  /**
   * Validates a core module's code (the decoder checks only its structure); return a reason to reject
   * it. The runtime passes the engine's validation here.
   */
  readonly validateCoreModule?: (bytes: Uint8Array, info: ModuleInfo) => string | undefined;
}

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

function emptySpaces(): ComponentSpaces {
  return {
    funcs: [], values: [], types: [], components: [], instances: [], coreFuncs: [], coreTables: [], coreMemories: [],
    coreGlobals: [], coreTags: [], coreTypes: [], coreModules: [], coreInstances: [],
  };
}


/** Value type nodes named by an import or export (external visibility). */
type NameOrigin = "import" | "export";

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
  private readonly keepNames = (original: object, copy: object): void => {
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
          const why = this.options.validateCoreModule?.(s.module.bytes, s.module.info);
          if (why !== undefined) this.fail(`invalid core module: ${why}`);
          this.spaces.coreModules.push(moduleSig(s.module.info));
          break;
        }
        case "core-instance":
          for (const i of s.items) {
            this.at = i.offset;
            this.coreInstance(i);
          }
          break;
        case "core-type":
          for (const t of s.items) {
            this.at = t.offset;
            this.coreType(t);
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
            this.importOrExportDecl("import", i.name, i.desc);
          }
          break;
        case "export":
          for (const e of s.items) {
            this.at = e.offset;
            this.export(e.name, e.sort, e.index, e.desc);
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
  private consumeValue(index: number): void {
    this.get(this.spaces.values, index, "value");
    if (this.kind !== "component") return;
    if (this.valueUsed[index]) this.fail(`value index ${index} cannot be used more than once`);
    this.valueUsed[index] = true;
  }

  private checkSize(n: number): void {
    if (n > MAX_TYPE_SIZE) this.fail(`effective type size exceeds the limit of ${MAX_TYPE_SIZE}`);
  }

  // ---- core ---------------------------------------------------------------------------------------

  private coreInstance(i: import("./ast.js").CoreInstanceDef): void {
    if (i.kind === "instantiate") {
      const module = this.get(this.spaces.coreModules, i.module, "module");
      const args = new Map<string, CoreInstanceSig>();
      for (const a of i.args) {
        if (args.has(a.name)) this.fail(`duplicate module instantiation argument named \`${a.name}\``);
        args.set(a.name, this.get(this.spaces.coreInstances, a.instance, "instance"));
      }
      for (const imp of module.imports) {
        const arg = args.get(imp.module);
        if (arg === undefined) this.fail(`missing module instantiation argument named \`${imp.module}\``);
        const actual = arg.exports.get(imp.name);
        if (actual === undefined) this.fail(`module instantiation argument \`${imp.module}\` does not export an item named \`${imp.name}\``);
        const why = coreExternMismatch(actual, imp.type);
        if (why) this.fail(`type mismatch for export \`${imp.name}\` of module instantiation argument \`${imp.module}\`: ${why}`);
      }
      this.spaces.coreInstances.push({ exports: module.exports });
      return;
    }
    const exports = new Map<string, CoreExtern>();
    for (const e of i.exports) {
      if (exports.has(e.name)) this.fail(`export name \`${e.name}\` already defined`);
      exports.set(e.name, this.coreItem(e.sort, e.index));
    }
    this.spaces.coreInstances.push({ exports });
  }

  /** The type of core item `index` of `sort` (only the sorts a core instance can export). */
  private coreItem(sort: import("./ast.js").CoreSort, index: number): CoreExtern {
    const s = this.spaces;
    switch (sort) {
      case "func": return { kind: "func", type: this.get(s.coreFuncs, index, "core function") };
      case "table": return { kind: "table", type: this.get(s.coreTables, index, "core table") };
      case "memory": return { kind: "memory", type: this.get(s.coreMemories, index, "core memory") };
      case "global": return { kind: "global", type: this.get(s.coreGlobals, index, "core global") };
      case "tag": return { kind: "tag", type: this.get(s.coreTags, index, "core tag") };
      default: return this.fail(`core instances cannot export a core ${sort}`);
    }
  }

  /** Entry `index` of `space`, or a failure naming `what`. */
  get<T>(space: readonly T[], index: number, what: string): T {
    const v = space[index];
    if (v === undefined) this.fail(`unknown ${what} ${index}: ${what} index out of bounds`);
    return v;
  }

  /** Checks the type indices a core value type refers to. */
  private coreRefs(types: readonly import("../../binary/module-info.js").ValueType[], limit: number, space: readonly CoreTypeEntry[]): void {
    for (const v of types) {
      if (typeof v === "string" || typeof v.ref === "string") continue;
      if (v.ref >= limit) this.fail(`type index out of bounds`);
      if (space[v.ref]?.kind === "module") this.fail(`type index ${v.ref} is a module type`);
    }
  }

  private coreType(t: CoreTypeDef): void {
    if (t.kind === "rec") {
      const limit = this.spaces.coreTypes.length + t.types.length;
      for (const sub of t.types) {
        if (sub.kind === "func") this.coreRefs([...sub.params, ...sub.results], limit, this.spaces.coreTypes);
        if (sub.kind === "struct") this.coreRefs(sub.fields.map((f) => f.storage).filter((x): x is import("../../binary/module-info.js").ValueType => x !== "i8" && x !== "i16"), limit, this.spaces.coreTypes);
        for (const st of sub.supertypes) {
          if (st >= limit) this.fail("type index out of bounds");
          const sup = this.spaces.coreTypes[st];
          if (sup !== undefined && sup.kind !== "module" && sup.final !== false) this.fail("sub type cannot have a final super type");
        }
      }
      for (const sub of t.types) {
        if (sub.kind === "func") this.spaces.coreTypes.push({ kind: "func", type: { params: sub.params, results: sub.results }, final: sub.final });
        else this.spaces.coreTypes.push({ kind: "gc", final: sub.final });
      }
      return;
    }
    this.spaces.coreTypes.push({ kind: "module", type: this.moduleType(t.decls) });
  }

  private moduleType(decls: import("./ast.js").CoreModuleDecl[] | readonly import("./ast.js").CoreModuleDecl[]): CoreModuleSig {
    const types: CoreTypeEntry[] = [];
    const imports: { module: string; name: string; type: CoreExtern }[] = [];
    const exports = new Map<string, CoreExtern>();
    const seenImports = new Set<string>();
    const funcType = (i: number): CoreFuncSig => {
      const t = types[i];
      if (t === undefined) this.fail(`type index ${i} out of bounds`);
      if (t.kind !== "func") this.fail(`type index ${i} is not a function type`);
      return t.type;
    };
    for (const d of decls) {
      switch (d.kind) {
        case "type":
          if (d.type.kind === "module") this.fail("core module types cannot be nested");
          for (const sub of d.type.types) {
            for (const st of sub.supertypes) {
              const sup = types[st];
              if (sup === undefined && st >= types.length + d.type.types.length) this.fail("type index out of bounds");
              if (sup !== undefined && sup.kind !== "module" && sup.final !== false) this.fail("sub type cannot have a final super type");
            }
            types.push(sub.kind === "func" ? { kind: "func", type: { params: sub.params, results: sub.results }, final: sub.final } : { kind: "gc", final: sub.final });
          }
          break;
        case "alias": {
          let s: Scope = this;
          // Count 0 is the module type itself; 1 is the scope that contains it.
          if (d.count === 0) {
            const t = types[d.index];
            if (t === undefined) this.fail(`type index ${d.index} out of bounds`);
            types.push(t);
            break;
          }
          for (let k = 1; k < d.count; k++) {
            if (s.parent === undefined) this.fail(`invalid outer alias count of ${d.count}`);
            s = s.parent;
          }
          const t = s.spaces.coreTypes[d.index];
          if (t === undefined) this.fail(`type index ${d.index} out of bounds`);
          if (t.kind === "module") this.fail("cannot alias a module type into a module type");
          types.push(t);
          break;
        }
        case "import": {
          const key = `${d.module}\0${d.name}`;
          if (seenImports.has(key)) this.fail(`duplicate import name \`${d.module}:${d.name}\``);
          seenImports.add(key);
          this.checkCoreLimits(d.desc);
          imports.push({ module: d.module, name: d.name, type: coreExternOf(d.desc, funcType)! });
          break;
        }
        case "export":
          if (exports.has(d.name)) this.fail(`export name \`${d.name}\` already defined`);
          this.checkCoreLimits(d.desc);
          exports.set(d.name, coreExternOf(d.desc, funcType)!);
          break;
      }
    }
    return { imports, exports };
  }

  /** The core limits of a memory or table type in a module type. */
  private checkCoreLimits(d: import("../../binary/module-info.js").ImportDesc): void {
    if (d.kind === "memory") {
      const m = d.type;
      const pages = m.memory64 ? 2 ** 48 : 65536;
      if (m.pageSizeLog2 !== undefined && m.pageSizeLog2 !== 0 && m.pageSizeLog2 !== 16) this.fail("invalid custom page size");
      const limit = m.pageSizeLog2 === 0 ? (m.memory64 ? 2 ** 64 - 1 : 2 ** 32 - 1) : pages;
      if (m.min > limit || (m.max !== undefined && m.max > limit)) this.fail(`memory size must be at most ${limit} pages`);
      if (m.max !== undefined && m.max < m.min) this.fail("size minimum must not be greater than maximum");
      if (m.shared && m.max === undefined) this.fail("shared memory must have maximum size");
    }
    if (d.kind === "table") {
      const t = d.type;
      if (t.max !== undefined && t.max < t.min) this.fail("size minimum must not be greater than maximum");
    }
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
      const parsed = this.checkName(e.name, "export");
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
  private itemType(sort: Sort, index: number): ComponentExternType {
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
  private addItem(sort: Sort, t: ComponentExternType, naming: NameOrigin | undefined): void {
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
          this.coreType(d.type);
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
          this.importOrExportDecl(d.kind, d.decl.name, d.decl.desc);
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

  // ---- imports and exports ----------------------------------------------------------------------

  private checkName(name: ExternName, what: "import" | "export"): ParsedName {
    const nested = this.options.features?.nestedNames === true;
    const parsed = parseExternName(name.name, nested);
    if (typeof parsed === "string") this.fail(parsed);
    if (what === "export" && parsed.kind === "other") this.fail(`\`${name.name}\` is not a valid export name`);
    const seen = new Set<string>();
    for (const a of name.attributes) {
      if (seen.has(a.kind)) this.fail(`duplicate \`${a.kind}\` attribute`);
      seen.add(a.kind);
      if (a.kind === "implements") {
        if (parsed.kind !== "label") this.fail(`name \`${name.name}\` is not valid with \`implements\``);
        const p = parseExternName(a.value, nested);
        if (typeof p === "string" || p.kind !== "interface") this.fail(`\`${a.value}\` must be an interface name`);
      }
      if (a.kind === "versionsuffix") {
        const at = name.name.lastIndexOf("@");
        if (parsed.kind !== "interface" || at < 0) this.fail("`versionsuffix` requires an interface name with a version");
        const version = name.name.slice(at + 1);
        if (!/^[0-9A-Za-z.+-]*$/.test(a.value)) this.fail(`invalid version suffix \`${a.value}\``);
        if (!isSemverString(version + a.value)) this.fail(`version \`${version}${a.value}\` is not a valid semver`);
      }
    }
    return parsed;
  }

  /** An import (of a component or component type) or an export declarator of a type. */
  private importOrExportDecl(which: "import" | "export", name: ExternName, desc: ExternDesc): void {
    const parsed = this.checkName(name, which);
    const names = which === "import" ? this.importNames : this.exportNames;
    const prev = names.add(name.name);
    if (prev !== undefined) this.fail(`${which} name \`${name.name}\` conflicts with previous name \`${prev}\``);
    if (name.attributes.some((a) => a.kind !== "external-id") && desc.kind !== "instance") {
      this.fail("only instances can have an `implements` or `versionsuffix` attribute");
    }
    let t = this.externDesc(desc, name.name, which);
    if (t.kind === "instance" || t.kind === "component") t = this.freshen(t, which);
    checkAnnotated(this, parsed, t, which);
    // Instance types check visibility where they are used; component types eagerly.
    if (this.kind !== "instance-type") checkVisible(this, t, which, which);
    (which === "import" ? this.imports : this.exports).set(name.name, this.addNamedItem(desc.kind === "module" ? "core module" : desc.kind, t, which, name.name));
  }

  /**
   * Gives an imported (or, in a type, exported) instance its own copies of the abstract resources its
   * type exports: two imports of the same instance type have distinct resources. The copies are
   * abstract resources of this scope.
   */
  private freshen(t: ComponentExternType & { kind: "instance" | "component" }, which: "import" | "export"): ComponentExternType {
    if (t.kind === "component") return t;
    const bound = boundResources(t.type);
    if (bound.length === 0) return t;
    const map = new Map<ResourceType, ResourceType>();
    const fresh: ResourceType[] = [];
    for (const r of bound) {
      const f = new ResourceType(r.name, r.defined);
      map.set(r, f);
      fresh.push(f);
    }
    (which === "import" ? this.importedResources : this.exportedResources).push(...fresh);
    const type = new Substitution(map, this.keepNames).instance(t.type);
    bindings.set(type, { imported: [], exported: fresh });
    return { kind: "instance", type };
  }

  /** Adds an imported/exported item to its index space; a type gets an external name. */
  /**
   * Adds an imported/exported item to its index space. A value type gets a new node for its new name
   * (the unnamed original stays unnamed); the extern type returned holds that node, so that what the
   * import or export names can be told apart, and substituted on instantiation.
   */
  private addNamedItem(sort: Sort, t: ComponentExternType, origin: NameOrigin, name: string): ComponentExternType {
    if (t.kind === "type") {
      if (t.type instanceof ResourceType) {
        const entry: TypeEntry = { kind: "resource", type: t.type };
        this.spaces.types.push(entry);
        this.named.set(entry, { origin, scope: this });
        if (!name.includes(":")) this.resourceNames[origin].set(name, t.type);
        return t;
      }
      if (isTypeDefinition(t.type)) {
        this.spaces.types.push(t.type.definition as TypeEntry);
        return t;
      }
      const named = copyFacts(t.type, { ...t.type } as ValueType);
      this.copiedFrom.set(named, t.type);
      this.named.set(named, { origin, scope: this });
      this.spaces.types.push({ kind: "value", type: named });
      return { kind: "type", type: named };
    }
    this.addItem(sort, t, t.kind === "instance" ? origin : undefined);
    return t;
  }

  /** The extern type of an import or export declarator. */
  private externDesc(d: ExternDesc, name: string, which: "import" | "export"): ComponentExternType {
    const types = this.spaces.types;
    const typeAt = (i: number) => {
      const t = types[i];
      if (t === undefined) this.fail(`type index ${i} out of bounds`);
      return t;
    };
    switch (d.kind) {
      case "module": {
        const t = this.spaces.coreTypes[d.type];
        if (t === undefined) this.fail(`core type index ${d.type} out of bounds`);
        if (t.kind !== "module") this.fail(`core type index ${d.type} is not a module type`);
        return { kind: "module", type: coreModuleType(t.type) };
      }
      case "func": {
        const t = typeAt(d.type);
        if (t.kind !== "func") this.fail(`type index ${d.type} is not a function type`);
        return { kind: "func", type: t.type };
      }
      case "component": {
        const t = typeAt(d.type);
        if (t.kind !== "component") this.fail(`type index ${d.type} is not a component type`);
        return { kind: "component", type: t.type };
      }
      case "instance": {
        const t = typeAt(d.type);
        if (t.kind !== "instance") this.fail(`type index ${d.type} is not an instance type`);
        return { kind: "instance", type: t.type };
      }
      case "value":
        return {
          kind: "value",
          type: d.bound.kind === "eq" ? this.get(this.spaces.values, d.bound.value, "value") : this.valType(d.bound.type),
        };
      case "type": {
        if (d.bound.kind === "sub-resource") {
          const r = new ResourceType(name, false);
          if (which === "import") this.importedResources.push(r);
          else this.exportedResources.push(r);
          return { kind: "type", type: r };
        }
        const t = typeAt(d.bound.type);
        if (t.kind === "value" || t.kind === "resource") return { kind: "type", type: t.type };
        return { kind: "type", type: { kind: "type-definition", definition: t } };
      }
    }
  }

  private export(name: ExternName, sort: Sort, index: number, ascribed: ExternDesc | undefined): void {
    const parsed = this.checkName(name, "export");
    const prev = this.exportNames.add(name.name);
    if (prev !== undefined) this.fail(`export name \`${name.name}\` conflicts with previous name \`${prev}\``);
    if (name.attributes.some((a) => a.kind !== "external-id") && sort !== "instance") {
      this.fail("only instances can have an `implements` or `versionsuffix` attribute");
    }
    if (sort !== "func" && sort !== "value" && sort !== "type" && sort !== "component" && sort !== "instance" && sort !== "core module") {
      this.fail(`${sort} not valid to be used as export`);
    }
    let t = this.itemType(sort, index);
    if (sort === "value") this.consumeValue(index);
    if (ascribed !== undefined) {
      const a = this.externDesc(ascribed, name.name, "export");
      const why = new Matcher().extern(t, a);
      if (why) this.fail(`type mismatch in export \`${name.name}\`: ${why}`);
      t = a;
    }
    checkAnnotated(this, parsed, t, "export");
    checkVisible(this, t, "export", "export");
    this.exports.set(name.name, this.addNamedItem(sort, t, "export", name.name));
    if (sort === "value") this.valueUsed[this.spaces.values.length - 1] = true;
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


/** The abstract resources an instance type binds (in its exports and its exported instances'). */
function boundResources(t: InstanceType): ResourceType[] {
  const out = [...(bindings.get(t)?.exported ?? [])];
  for (const e of t.exports.values()) {
    if (e.kind === "instance") for (const r of boundResources(e.type)) if (!out.includes(r)) out.push(r);
  }
  return out;
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


function isSemverString(v: string): boolean {
  return /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v);
}

