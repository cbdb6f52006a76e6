/**
 * `Component`: a compiled component (API.md, "Components").
 *
 * @module
 */
import type { ComponentInfo } from "../binary/ast.js";
import { decodeComponent } from "../binary/decoder.js";
import { hasWasmMagic } from "../../binary/decoder.js";
import { type ComponentFeatures, validateComponent, type ValidatedComponent } from "../binary/validate.js";
import { componentWit } from "../wit/index.js";
import { parseComponentText } from "../text/parser.js";
import type { ComponentExternType } from "../types.js";
import type { Engine } from "../../runtime/engine.js";
import { installedFileReader, Module } from "../../runtime/module.js";
import { handOver, ownBytes } from "../../runtime/owned-bytes.js";
import { concatBytes } from "../../binary/encoder.js";
import { CompileError } from "../../errors.js";
import type { ComponentDefinition } from "./items.js";

function compileDefinition(engine: Engine, info: ComponentInfo, compile: (bytes: Uint8Array) => Module): ComponentDefinition {
  const modules: Module[] = [];
  const nested: ComponentDefinition[] = [];
  for (const s of info.sections) {
    if (s.id === "core-module") modules.push(compile(s.module.bytes));
    else if (s.id === "component") nested.push(compileDefinition(engine, s.component, compile));
  }
  return { info, scope: undefined, modules, nested };
}

/** The core modules of `info` in definition order, depth first (the order of `serialize`). */
function coreModuleBytes(info: ComponentInfo, out: Uint8Array[] = []): Uint8Array[] {
  for (const s of info.sections) {
    if (s.id === "core-module") out.push(s.module.bytes);
    else if (s.id === "component") coreModuleBytes(s.component, out);
  }
  return out;
}

/** The start of a serialized component: "\0wasmhost-component" and a format version. */
const ARTIFACT_MAGIC = new TextEncoder().encode("\0wasmhost-component\x01");

/** One import or export of a component, with its component type. */
export interface ComponentItemType {
  readonly name: string;
  readonly type: ComponentExternType;
}

/**
 * A compiled component: decoded, validated, its core modules compiled (through the same path as
 * `Module`, so fuel, limits, epochs and trap frames apply to its code). It holds no state:
 * instantiate it with a `ComponentLinker`.
 */
export class Component {
  readonly engine: Engine;
  /** @internal The decoded component and its compiled core modules. */
  readonly definition: ComponentDefinition;
  private readonly validated: ValidatedComponent;
  private readonly bytes: Uint8Array;

  /**
   * Compiles a component binary. The component keeps a copy of `bytes`: the caller may reuse its buffer.
   * @param options.features Component Model feature switches (`cm64`, 🪺 `nestedNames`, `sharedEverythingThreads`) for validation.
   * @throws CompileError on a malformed or invalid component, with the byte offset.
   */
  constructor(engine: Engine, bytes: Uint8Array, options: { readonly features?: ComponentFeatures } = {}) {
    const own = bytes instanceof Uint8Array ? ownBytes(bytes) : bytes; // (anything else: decodeComponent says what)
    this.engine = engine;
    this.bytes = own;
    const info = decodeComponent(own);
    this.validated = validateComponent(info, options.features ? { features: options.features } : {});
    // The core modules are views into the component's own copy: handed over, not copied again.
    this.definition = compileDefinition(engine, info, (b) => new Module(engine, handOver(b)));
  }

  private static assemble(engine: Engine, bytes: Uint8Array, modules: readonly Module[]): Component {
    const c = Object.create(Component.prototype) as { -readonly [K in keyof Component]: Component[K] } & Record<string, unknown>;
    const info = decodeComponent(bytes);
    c.engine = engine;
    c.bytes = bytes;
    c.validated = validateComponent(info);
    let i = 0;
    c.definition = compileDefinition(engine, info, () => modules[i++]!);
    return c as unknown as Component;
  }

  /** Compiles a component asynchronously (its core modules off the main thread where the engine can). */
  static async compile(engine: Engine, bytes: Uint8Array): Promise<Component> {
    const own = bytes instanceof Uint8Array ? ownBytes(bytes) : bytes;
    const info = decodeComponent(own);
    validateComponent(info);
    const modules = await Promise.all(coreModuleBytes(info).map((b) => Module.compile(engine, handOver(b))));
    return Component.assemble(engine, own, modules);
  }

  /** Checks that `bytes` is a valid component. @throws CompileError with the offset of the first problem. */
  static validate(engine: Engine, bytes: Uint8Array): void {
    void new Component(engine, bytes);
  }

  /** Compiles a component from its text format (`(component ...)`). @throws WatError, CompileError. */
  static fromText(engine: Engine, text: string): Component {
    return new Component(engine, handOver(parseComponentText(text)));
  }

  /** Compiles the component in file `path` (Node only): binary, or text when it does not start with `\0asm`. */
  static fromFile(engine: Engine, path: string): Component {
    const read = installedFileReader();
    if (read === undefined) throw new Error("Component.fromFile: reading files needs Node.js (import \"wasmhost\" first)");
    const bytes = read(path);
    if (hasWasmMagic(bytes)) {
      return new Component(engine, handOver(bytes));
    }
    return Component.fromText(engine, new TextDecoder().decode(bytes));
  }

  /**
   * A precompiled artifact: the component binary and each core module's artifact
   * (`Module.serialize`), so that `Component.deserialize` skips decoding and instrumenting them.
   */
  serialize(): Uint8Array {
    const parts: Uint8Array[] = [ARTIFACT_MAGIC, u32(this.bytes.length), this.bytes];
    const modules = allModules(this.definition);
    parts.push(u32(modules.length));
    for (const m of modules) {
      const a = m.serialize();
      parts.push(u32(a.length), a);
    }
    return concatBytes(parts);
  }

  /**
   * Loads an artifact made by `component.serialize()`.
   * @throws CompileError when `bytes` is not such an artifact or is damaged.
   */
  static deserialize(engine: Engine, bytes: Uint8Array): Component {
    const bad = (why: string): never => {
      throw new CompileError(`not a serialized component: ${why}`, 0);
    };
    if (bytes.length < ARTIFACT_MAGIC.length || ARTIFACT_MAGIC.some((b, i) => bytes[i] !== b)) bad("wrong header");
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = ARTIFACT_MAGIC.length;
    const next = (): Uint8Array => {
      if (at + 4 > bytes.length) bad("truncated");
      const n = dv.getUint32(at, true);
      at += 4;
      if (at + n > bytes.length) bad("truncated");
      const part = bytes.subarray(at, at + n);
      at += n;
      return part;
    };
    const component = next().slice(); // (a copy: the component keeps it)
    if (at + 4 > bytes.length) bad("truncated");
    const count = dv.getUint32(at, true);
    at += 4;
    const modules: Module[] = [];
    for (let i = 0; i < count; i++) modules.push(Module.deserialize(engine, next()));
    if (coreModuleBytes(decodeComponent(component)).length !== count) bad("module count does not match");
    return Component.assemble(engine, component, modules);
  }

  /** The component's imports with their component types, in order. */
  get imports(): readonly ComponentItemType[] {
    return [...this.validated.type.imports].map(([name, type]) => ({ name, type }));
  }

  /** The component's exports with their component types, in order. */
  get exports(): readonly ComponentItemType[] {
    return [...this.validated.type.exports].map(([name, type]) => ({ name, type }));
  }

  /** The component's world as WIT text, as `wasm-tools component wit` prints it. */
  wit(): string {
    return componentWit(this.definition.info);
  }
}

function allModules(def: ComponentDefinition, out: Module[] = []): Module[] {
  let m = 0;
  let c = 0;
  for (const s of def.info.sections) {
    if (s.id === "core-module") out.push(def.modules[m++]!);
    else if (s.id === "component") allModules(def.nested[c++]!, out);
  }
  return out;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
