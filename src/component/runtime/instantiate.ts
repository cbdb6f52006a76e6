/**
 * Instantiation of a component: its definitions run in order, filling the index spaces (core modules
 * and instances, core functions and memories, component functions, types, nested components and
 * instances) until the exports are known.
 *
 * Core modules are wasmhost `Module`s instantiated as `Instance`s in the same `Store`, so fuel,
 * time limits, epochs, store limits and trap frames apply to component code as to any module.
 * `canon lift` and `canon lower` go through `abi/function.ts`; resource built-ins act on the handle
 * table of the instance they belong to.
 *
 * @module
 */
import type { AliasDef, CanonDef, CanonOption, ExternDesc, Sort } from "../binary/ast.js";
import type { ComponentFuncType, ResourceType } from "../types.js";
import { CompileError, LinkError } from "../../errors.js";
import { Instance } from "../../runtime/instance.js";
import type { Store } from "../../runtime/store.js";
import { Func, makeHostFunc } from "../../runtime/func.js";
import { Memory } from "../../runtime/memory.js";
import type { Extern } from "../../runtime/extern.js";
import { toTrap } from "../../runtime/trap.js";
import { callInTurn } from "../../runtime/async-call.js";
import type { FuncType as CoreFuncType } from "../../types.js";
import { type CanonOptions, type ResourceBridge, type StringEncoding } from "../abi/context.js";
import { type ComponentFuncImpl, liftFunction, lowerFunction } from "../abi/function.js";
import { lowerFunctionAsync } from "../abi/async.js";
import { defineResourceImpl, InstanceState, ResourceHandle, resourceImpl } from "../abi/handles.js";
import { flattenLower, flattenLowerAsync } from "../abi/layout.js";
import { abiTrap, cannotEnter, cannotLeave, MESSAGES } from "../abi/traps.js";
import type { ComponentDefinition, Item, TypeEntry, TypeScope } from "./items.js";
import { funcType, outerScope, resolveTypeDef, resourceType, valueType } from "./resolve.js";

/** The store's fuel global, which trap conversion gives back fuel to (runtime/trap.ts), when it has one. */
const fuelOf = (store: Store): WebAssembly.Global | undefined => store.instrumentation.fuel;

/** Supplies a top-level import: the item for import `name` of type `desc` (resolved in `scope`). */
export type ImportResolver = (name: string, desc: ExternDesc, scope: TypeScope) => Item;

/** A running component instance: its exports, and its state for the ABI. */
export interface Instantiated {
  readonly exports: Map<string, Item>;
  readonly state: InstanceState;
}

/** Everything an instantiation shares with its nested instantiations. */
interface Env {
  readonly store: Store;
  readonly resources: ResourceBridge;
  /** Under the async rewrite, with async host functions linked: see `InstanceOptions.asyncSharedTables`. */
  readonly asyncSharedTables: boolean;
}

/** A core module instantiation `run` asks its driver for (synchronous, or async for `instantiateAsync`). */
interface CoreInstantiation {
  readonly module: import("../../runtime/module.js").Module;
  readonly externs: readonly Extern[];
}

/** The steps of an instantiation: yields each core instantiation, and gets the `Instance` back. */
type Steps<R> = Generator<CoreInstantiation, R, Instance>;

/** A core instance's exports by name (only `get` is used: an instance's are made on demand). */
type CoreInstance = { get(name: string): Extern | undefined };

/** The index spaces of one component instance. */
class Spaces implements TypeScope {
  readonly types: TypeEntry[] = [];
  readonly components: ComponentDefinition[] = [];
  readonly modules: import("../../runtime/module.js").Module[] = [];
  readonly coreInstances: CoreInstance[] = [];
  readonly coreFuncs: Func[] = [];
  readonly coreMemories: Memory[] = [];
  readonly coreTables: Extern[] = [];
  readonly coreGlobals: Extern[] = [];
  readonly coreTags: Extern[] = [];
  readonly funcs: ComponentFuncImpl[] = [];
  readonly instances: ReadonlyMap<string, Item>[] = [];
  readonly values: unknown[] = [];
  constructor(readonly parent: TypeScope | undefined) {}
}

/** Instantiates component definition `def`; `imports` supplies each import by name. */
export function instantiateComponent(
  store: Store,
  def: ComponentDefinition,
  imports: ImportResolver,
  resources: ResourceBridge,
  options: { readonly parent?: InstanceState; readonly asyncImports?: boolean } = {},
): Instantiated {
  const env = envFor(store, resources, options.asyncImports === true);
  const steps = run(env, def, imports, options.parent);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    const options = { asyncSharedTables: env.asyncSharedTables };
    step = steps.next(new Instance(store, step.value.module, step.value.externs, options));
  }
}

/**
 * `instantiateComponent` for `instantiateAsync`: each core instance is made with
 * `Instance.instantiateAsync`, so that on an async engine its start function may call async imports.
 */
export async function instantiateComponentAsync(
  store: Store,
  def: ComponentDefinition,
  imports: ImportResolver,
  resources: ResourceBridge,
  options: { readonly asyncImports?: boolean } = {},
): Promise<Instantiated> {
  const env = envFor(store, resources, options.asyncImports === true);
  const steps = run(env, def, imports, undefined);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    const options = { asyncSharedTables: env.asyncSharedTables };
    step = steps.next(await Instance.instantiateAsync(store, step.value.module, step.value.externs, options));
  }
}

function envFor(store: Store, resources: ResourceBridge, asyncImports: boolean): Env {
  return { store, resources, asyncSharedTables: asyncImports && store.engine.asyncMechanism === "rewrite" };
}

function* run(env: Env, def: ComponentDefinition, imports: ImportResolver, parent: InstanceState | undefined): Steps<Instantiated> {
  const s = new Spaces(def.scope);
  const state = new InstanceState(parent, env.resources);
  const exports = new Map<string, Item>();
  let moduleIndex = 0;
  let componentIndex = 0;
  for (const section of def.info.sections) {
    switch (section.id) {
      case "core-module":
        s.modules.push(def.modules[moduleIndex++]!);
        break;
      case "component":
        s.components.push({ ...def.nested[componentIndex++]!, scope: s });
        break;
      case "core-type":
      case "custom":
        break;
      case "type":
        for (const t of section.items) {
          const entry = resolveTypeDef(s, t);
          if (entry.t === "resource" && t.kind === "resource") {
            const dtor = t.dtor === undefined ? undefined : (s.coreFuncs[t.dtor] ?? fail(`unknown core func ${t.dtor}`));
            defineResourceImpl(entry.type, { instance: state, dtor: dtor ? guestDestructor(state, dtor) : undefined });
          }
          s.types.push(entry);
        }
        break;
      case "import":
        for (const imp of section.items) addItem(s, imports(imp.name.name, imp.desc, s));
        break;
      case "core-instance":
        for (const ci of section.items) {
          if (ci.kind === "exports") {
            const m = new Map<string, Extern>();
            for (const e of ci.exports) m.set(e.name, coreItem(s, e.sort, e.index));
            s.coreInstances.push(m);
            continue;
          }
          const module = s.modules[ci.module];
          if (module === undefined) throw new CompileError(`unknown core module ${ci.module}`, ci.offset);
          const args = new Map(ci.args.map((a) => [a.name, s.coreInstances[a.instance]]));
          const externs = module.imports.map((imp) => {
            const from = args.get(imp.module);
            const e = from?.get(imp.name);
            if (e === undefined) {
              throw new LinkError(`core module import ${imp.module}::${imp.name} was not supplied`, { module: imp.module, name: imp.name });
            }
            return e;
          });
          const instance = yield { module, externs };
          // Exports are wrapped when an alias or another instance asks for them, not all up front.
          s.coreInstances.push({ get: (name) => instance.getExport(name) });
        }
        break;
      case "alias":
        for (const a of section.items) alias(s, a);
        break;
      case "canon":
        for (const c of section.items) canon(env, s, state, c);
        break;
      case "instance":
        for (const inst of section.items) {
          if (inst.kind === "exports") {
            const m = new Map<string, Item>();
            for (const e of inst.exports) m.set(e.name.name, itemOf(s, e.sort, e.index));
            s.instances.push(m);
            continue;
          }
          const child = s.components[inst.component];
          if (child === undefined) throw new CompileError(`unknown component ${inst.component}`, inst.offset);
          const args = new Map(inst.args.map((a) => [a.name, itemOf(s, a.sort, a.index)]));
          const result = yield* run(env, child, (name) => {
            const item = args.get(name);
            if (item === undefined) throw new LinkError(`missing instantiation argument "${name}"`, { module: "", name });
            return item;
          }, state);
          s.instances.push(result.exports);
        }
        break;
      case "export":
        for (const e of section.items) {
          const item = itemOf(s, e.sort, e.index);
          exports.set(e.name.name, item);
          addItem(s, item);
        }
        break;
      case "start":
      case "value":
        throw new CompileError(`component ${section.id} definitions are not supported yet`, section.offset);
    }
  }
  return { exports, state };
}

function addItem(s: Spaces, item: Item): void {
  switch (item.sort) {
    case "func":
      s.funcs.push(item.func);
      break;
    case "type":
      s.types.push(item.type);
      break;
    case "instance":
      s.instances.push(item.exports);
      break;
    case "component":
      s.components.push(item.def);
      break;
    case "core module":
      s.modules.push(item.module);
      break;
    case "value":
      s.values.push(item.value);
      break;
  }
}

function itemOf(s: Spaces, sort: Sort, index: number): Item {
  const missing = (): never => {
    throw new CompileError(`unknown ${sort} ${index}`);
  };
  switch (sort) {
    case "func":
      return { sort: "func", func: s.funcs[index] ?? missing() };
    case "type":
      return { sort: "type", type: s.types[index] ?? missing() };
    case "instance":
      return { sort: "instance", exports: s.instances[index] ?? missing() };
    case "component":
      return { sort: "component", def: s.components[index] ?? missing() };
    case "core module":
      return { sort: "core module", module: s.modules[index] ?? missing() };
    case "value":
      return { sort: "value", value: s.values[index] };
    default:
      throw new CompileError(`${sort} items cannot be exported from a component instance here`);
  }
}

function coreItem(s: Spaces, sort: string, index: number): Extern {
  const space =
    sort === "func" ? s.coreFuncs : sort === "memory" ? s.coreMemories : sort === "table" ? s.coreTables : sort === "global" ? s.coreGlobals : s.coreTags;
  const e = space[index];
  if (e === undefined) throw new CompileError(`unknown core ${sort} ${index}`);
  return e;
}

function alias(s: Spaces, a: AliasDef): void {
  if (a.kind === "core-export") {
    const inst = s.coreInstances[a.instance];
    const e = inst?.get(a.name);
    if (e === undefined) throw new CompileError(`core instance ${a.instance} has no export "${a.name}"`, a.offset);
    switch (a.sort) {
      case "core func":
        s.coreFuncs.push(e as Func);
        return;
      case "core memory":
        s.coreMemories.push(e as Memory);
        return;
      case "core table":
        s.coreTables.push(e);
        return;
      case "core global":
        s.coreGlobals.push(e);
        return;
      default:
        s.coreTags.push(e);
        return;
    }
  }
  if (a.kind === "export") {
    const inst = s.instances[a.instance];
    const item = inst?.get(a.name);
    if (item === undefined) throw new CompileError(`instance ${a.instance} has no export "${a.name}"`, a.offset);
    addItem(s, item);
    return;
  }
  const outer = outerScope(s, a.count);
  switch (a.sort) {
    case "type": {
      const e = outer.types[a.index];
      if (e === undefined) throw new CompileError(`outer alias of unknown type ${a.index}`, a.offset);
      s.types.push(e);
      return;
    }
    case "component": {
      const c = outer.components[a.index];
      if (c === undefined) throw new CompileError(`outer alias of unknown component ${a.index}`, a.offset);
      s.components.push(c);
      return;
    }
    case "core module": {
      const m = outer.modules[a.index];
      if (m === undefined) throw new CompileError(`outer alias of unknown module ${a.index}`, a.offset);
      s.modules.push(m);
      return;
    }
    case "core type":
      return; // core types are only checked by validation
    default:
      throw new CompileError(`outer aliases of ${a.sort} are not allowed`, a.offset);
  }
}

/** The canonical options of a `canon lift`/`lower`, and whether `async` is among them. */
function canonOptions(s: Spaces, options: readonly CanonOption[] | undefined): CanonOptions & { async: boolean; callback: boolean } {
  let isAsync = false;
  let callback = false;
  let stringEncoding: StringEncoding = "utf8";
  let memory: WebAssembly.Memory | undefined;
  let realloc: CanonOptions["realloc"];
  let postReturn: CanonOptions["postReturn"];
  for (const o of options ?? []) {
    switch (o.kind) {
      case "utf8":
      case "utf16":
      case "latin1+utf16":
        stringEncoding = o.kind;
        break;
      case "memory":
        memory = (s.coreMemories[o.index] ?? fail(`unknown core memory ${o.index}`)).native;
        break;
      case "realloc": {
        const f = s.coreFuncs[o.index] ?? fail(`unknown core func ${o.index}`);
        realloc = (engineFunction(f) ?? f.call) as CanonOptions["realloc"];
        break;
      }
      case "post-return": {
        const f = s.coreFuncs[o.index] ?? fail(`unknown core func ${o.index}`);
        postReturn = engineFunction(f) ?? f.call;
        break;
      }
      case "async":
        isAsync = true;
        break;
      case "callback":
        callback = true;
        break;
      default:
        throw new CompileError(`canonical option ${o.kind} is not supported`);
    }
  }
  return { stringEncoding, memory, realloc, postReturn, async: isAsync, callback };
}

/**
 * The engine's function of a core function when calling it directly is what `Func.call` would do
 * (a wasm function, in a store without call hooks); engine errors then reach the caller unconverted
 * and the lifted function's `toTrap` converts them.
 */
function engineFunction(f: Func): ((...args: unknown[]) => unknown) | undefined {
  return f.host === undefined && !f.store.hasCallHooks ? (f.native as (...args: unknown[]) => unknown) : undefined;
}

function fail(message: string): never {
  throw new CompileError(message);
}

/** The core function type of a lowered component function. */
function coreTypeOfLowered(type: ComponentFuncType, isAsync: boolean): CoreFuncType {
  const sig = isAsync ? flattenLowerAsync(type) : flattenLower(type);
  return { params: sig.params, results: sig.results };
}

const i32 = "i32" as const;
/**
 * Core signatures of the async, stream, future, waitable and thread built-ins. wasmhost does not run
 * them (async is not implemented), but components that merely define them instantiate, and a call
 * checks may-leave first, as the spec's definitions do, then traps.
 */
const BUILTIN_SIGNATURES: Readonly<Record<string, CoreFuncType>> = {
  "resource.drop async": { params: [i32], results: [] },
  "backpressure.set": { params: [i32], results: [] },
  "task.cancel": { params: [], results: [] },
  "subtask.cancel": { params: [i32], results: [i32] },
  "subtask.drop": { params: [i32], results: [] },
  "stream.new": { params: [], results: ["i64"] },
  "future.new": { params: [], results: ["i64"] },
  "stream.read": { params: [i32, i32, i32], results: [i32] },
  "stream.write": { params: [i32, i32, i32], results: [i32] },
  "future.read": { params: [i32, i32], results: [i32] },
  "future.write": { params: [i32, i32], results: [i32] },
  "stream.cancel-read": { params: [i32], results: [i32] },
  "stream.cancel-write": { params: [i32], results: [i32] },
  "future.cancel-read": { params: [i32], results: [i32] },
  "future.cancel-write": { params: [i32], results: [i32] },
  "stream.drop-readable": { params: [i32], results: [] },
  "stream.drop-writable": { params: [i32], results: [] },
  "future.drop-readable": { params: [i32], results: [] },
  "future.drop-writable": { params: [i32], results: [] },
  "error-context.new": { params: [i32, i32], results: [i32] },
  "error-context.debug-message": { params: [i32, i32], results: [] },
  "error-context.drop": { params: [i32], results: [] },
  "waitable-set.new": { params: [], results: [i32] },
  "waitable-set.wait": { params: [i32, i32], results: [i32] },
  "waitable-set.poll": { params: [i32, i32], results: [i32] },
  "waitable-set.drop": { params: [i32], results: [] },
  "waitable.join": { params: [i32, i32], results: [] },
  "thread.index": { params: [], results: [i32] },
  "thread.new-indirect": { params: [i32, i32], results: [i32] },
  "thread.resume-later": { params: [i32], results: [] },
  "thread.suspend": { params: [], results: [i32] },
  "thread.yield": { params: [], results: [i32] },
  "thread.suspend-then-resume": { params: [i32], results: [i32] },
  "thread.yield-then-resume": { params: [i32], results: [i32] },
  "thread.suspend-then-promote": { params: [i32], results: [i32] },
  "thread.yield-then-promote": { params: [i32], results: [i32] },
};

function canon(env: Env, s: Spaces, state: InstanceState, c: CanonDef): void {
  switch (c.kind) {
    case "lift": {
      const core = s.coreFuncs[c.func!] ?? fail(`unknown core func ${c.func}`);
      const type = funcType(s, c.type!);
      const options = canonOptions(s, c.options);
      if (options.callback) {
        // An async export with a callback needs the event loop of async components: not implemented.
        const unsupported = (): never => {
          throw abiTrap("async exports with a callback are not supported: wasmhost does not implement async components yet");
        };
        s.funcs.push({ type, stringEncoding: options.stringEncoding, invoke: unsupported, hostEntry: () => unsupported });
        return;
      }
      s.funcs.push(
        liftFunction({
          name: core.name,
          type,
          callee: core.call,
          native: engineFunction(core),
          options,
          instance: state,
          resources: env.resources,
          toTrap: fuelOf(env.store) ? (e: unknown) => toTrap(e, fuelOf(env.store)) : toTrap,
          async: options.async,
          calleeAsync: env.store.engine.asyncMechanism === undefined ? undefined : (...flat: unknown[]) => callInTurn(core, flat),
        }),
      );
      return;
    }
    case "lower": {
      const callee = s.funcs[c.func!] ?? fail(`unknown func ${c.func}`);
      const options = canonOptions(s, c.options);
      const fused = callee.stringEncoding !== undefined;
      const spec = {
        name: callee.name ?? "import",
        type: callee.type,
        callee,
        options,
        instance: state,
        resources: env.resources,
        fused,
        async: options.async,
      };
      const coreType = coreTypeOfLowered(callee.type, options.async);
      // An async host function becomes an async host function of the core instance: its guest waits.
      const func = callee.isAsync === true
        ? makeHostFunc(env.store, coreType, lowerFunctionAsync(spec), true, spec.name, true)
        : makeHostFunc(env.store, coreType, lowerFunction(spec), true, "lowered function");
      s.coreFuncs.push(func);
      return;
    }
    case "resource.new": {
      const rt = resourceType(s, c.type!);
      s.coreFuncs.push(
        makeHostFunc(env.store, { params: ["i32"], results: ["i32"] }, (rep: unknown) => {
          if (!state.mayLeave) throw cannotLeave();
          return state.handles.add(new ResourceHandle(rt, (rep as number) >>> 0, true));
        }, true, "resource.new"),
      );
      return;
    }
    case "resource.rep": {
      const rt = resourceType(s, c.type!);
      s.coreFuncs.push(
        makeHostFunc(env.store, { params: ["i32"], results: ["i32"] }, (i: unknown) => state.handles.getTyped((i as number) >>> 0, rt).rep, true, "resource.rep"),
      );
      return;
    }
    case "resource.drop": {
      const rt = resourceType(s, c.type!);
      s.coreFuncs.push(
        makeHostFunc(env.store, { params: ["i32"], results: [] }, (i: unknown) => {
          if (!state.mayLeave) throw cannotLeave();
          dropHandle(state, rt, (i as number) >>> 0);
        }, true, "resource.drop"),
      );
      return;
    }
    case "task.return": {
      const resultType = c.result === undefined || c.result === null ? undefined : valueType(s, c.result);
      const options = canonOptions(s, c.options);
      const type: ComponentFuncType = { params: resultType ? [{ name: "result", type: resultType }] : [] };
      // task.return lifts its arguments as a lowered call would lift a callee's parameters.
      const deliver: ComponentFuncImpl = {
        type,
        stringEncoding: undefined,
        invoke: (args) => {
          if (!state.inAsyncTask || state.taskResult !== undefined) throw abiTrap(MESSAGES.taskReturned);
          state.taskResult = { value: args[0] };
          return undefined;
        },
        hostEntry: () => () => {
          throw abiTrap(MESSAGES.taskReturned);
        },
      };
      const fn = lowerFunction({ name: "task.return", type, callee: deliver, options, instance: state, resources: env.resources });
      s.coreFuncs.push(makeHostFunc(env.store, coreTypeOfLowered(type, false), fn, true, "task.return"));
      return;
    }
    case "context.get":
    case "context.set": {
      const slot = c.index ?? 0;
      const get = c.kind === "context.get";
      s.coreFuncs.push(
        makeHostFunc(env.store, get ? { params: [], results: ["i32"] } : { params: ["i32"], results: [] }, (v: unknown) => {
          if (get) return state.context[slot] ?? 0;
          state.context[slot] = (v as number) | 0;
          return undefined;
        }, true, c.kind),
      );
      return;
    }
    case "backpressure.inc":
    case "backpressure.dec": {
      const delta = c.kind === "backpressure.inc" ? 1 : -1;
      s.coreFuncs.push(
        makeHostFunc(env.store, { params: [], results: [] }, () => {
          // Allowed during post-return (the spec's backpressure built-ins do not check may-leave).
          state.backpressure += delta;
        }, true, c.kind),
      );
      return;
    }
    default: {
      const sig = BUILTIN_SIGNATURES[c.kind];
      if (sig === undefined) throw new CompileError(`canon ${c.kind} is not supported`, c.offset);
      s.coreFuncs.push(
        makeHostFunc(env.store, sig, () => {
          if (!state.mayLeave) throw cannotLeave();
          throw abiTrap(`canon ${c.kind} is not supported: wasmhost does not implement async components yet`);
        }, true, c.kind),
      );
    }
  }
}

/** `canon resource.drop`: removes the handle; an own handle runs the resource's destructor. */
export function dropHandle(state: InstanceState, rt: ResourceType, i: number): void {
  const h = state.handles.getTyped(i, rt);
  if (h.own && h.lends !== 0) throw abiTrap(MESSAGES.lent);
  state.handles.remove(i);
  if (!h.own) {
    if (h.scope !== undefined) h.scope.borrows--;
    return;
  }
  resourceImpl(rt)?.dtor?.(h.rep, state);
}

/**
 * A guest destructor as a `ResourceImpl.dtor`: called from another instance or the host, it enters
 * the defining instance (may-enter checked and cleared for the call); from the defining instance
 * itself it is a plain call.
 */
function guestDestructor(owner: InstanceState, dtor: Func): (rep: number, caller: InstanceState | undefined) => void {
  return (rep, caller) => {
    if (caller === owner) {
      dtor.call(rep);
      return;
    }
    if (!owner.mayEnter || owner.poisoned) throw cannotEnter();
    owner.mayEnter = false;
    try {
      dtor.call(rep);
    } catch (e) {
      owner.poisoned = true;
      throw e;
    } finally {
      owner.mayEnter = true;
    }
  };
}
