/**
 * `Module`: a compiled, validated, immutable module, shareable across stores.
 *
 * Compiling runs our decoder (metadata, spec-worded errors for malformed binaries), prepares the
 * binary for the engine (prepare.ts) and compiles it natively.
 *
 * @module
 */
import { decodeModule, hasWasmMagic } from "../binary/decoder.js";
import { readBinaryModuleName, readModuleName } from "../binary/names.js";
import { InstrCursor } from "../binary/instructions.js";
import { Imm } from "../binary/opcodes.js";
import type { ImportInfo, ModuleInfo, ValueType } from "../binary/module-info.js";
import { CompileError, inModule } from "../errors.js";
import type { ConcreteHeapType, ExportType, ExternType, FuncType, ImportType, RefType, TableType, ValType } from "../types.js";
import { Engine, hostEngineName } from "./engine.js";
import { checkDisabledProposals, missingHostProposal } from "./feature-check.js";
import { readArtifact, writeArtifact } from "../instrument/artifact.js";
import { fromInstrumented, instrumentForEngine, type InstrumentedCompile } from "../instrument/compile.js";
import { handOver, ownBytes } from "./owned-bytes.js";
import { prepareBinary, type PreparedBinary } from "./prepare.js";
import { registerModuleName } from "./registry.js";
import { registerFrameMapper, registerFrameModule } from "./trap.js";
import { checkArg, checkObject, checkString, describeValue } from "./values.js";

/** Options of `new Module` and `Module.compile`. */
export interface ModuleOptions {
  /**
   * The module's name (default: the name in its name section). Errors about the module
   * (`CompileError`, `LinkError`) and the frames of its traps name it.
   */
  readonly name?: string;
}

/** Bytes a module can be compiled from. */
export type ModuleSource = Uint8Array | ArrayBuffer | ArrayBufferView;

/** The text-format compiler, installed by the `wasmhost` entry point when the text format is present. */
let textCompiler: ((text: string, file?: string) => Uint8Array) | undefined;

/** @internal Installs the WAT compiler used by `Module.fromText` and `Module.fromFile`. */
export function setTextCompiler(compile: (text: string, file?: string) => Uint8Array): void {
  textCompiler = compile;
}

/** @internal Reads a file (installed by the Node host support). */
let fileReader: ((path: string) => Uint8Array) | undefined;

/** @internal Installs the file reader used by `Module.fromFile`. */
export function setFileReader(read: (path: string) => Uint8Array): void {
  fileReader = read;
}

/** @internal The installed file reader (Node only), for other `fromFile`s (`Component.fromFile`). */
export function installedFileReader(): ((path: string) => Uint8Array) | undefined {
  return fileReader;
}

/**
 * A compiled WebAssembly module. It holds no state: instantiate it in a store with a `Linker` or
 * `new Instance`. The same module can be instantiated many times, in many stores.
 */
export class Module {
  /** The engine the module was compiled for. */
  readonly engine: Engine;
  /** @internal The decoded metadata. */
  readonly info: ModuleInfo;
  /** @internal The engine's compiled module. */
  readonly native: WebAssembly.Module;
  /** @internal What prepare.ts did to the binary (its bytes went to the engine and are not kept). */
  readonly prepared: PreparedLayout;
  /** @internal What instrumentation did to the binary (undefined when it changed nothing). */
  readonly instrumented: InstrumentedModule | undefined;
  /** @internal The variant whose memories and tables the store creates, compiled for stores with size limits. */
  private limitedVariant: CompiledVariant | undefined;
  /** @internal Variants rewritten for async imports (see `compiledForAsync`). */
  private asyncVariants: Map<string, CompiledVariant> | undefined;
  private importTypes: readonly ImportType[] | undefined;
  private readonly givenName: string | undefined;
  private exportTypes: readonly ExportType[] | undefined;

  /**
   * Compiles `bytes` synchronously. Large modules compile faster and without blocking with
   * `Module.compile`. The module keeps a copy of `bytes` (as `WebAssembly.Module` does): the caller may
   * reuse its buffer.
   *
   * @throws CompileError when the binary is malformed or invalid, with the byte offset when known.
   */
  constructor(engine: Engine, bytes: ModuleSource, options: ModuleOptions = {}) {
    const name = checkModuleArgs(engine, options, "new Module");
    let info: ModuleInfo;
    let native: WebAssembly.Module;
    let prepared: PreparedBinary;
    let instrumented: InstrumentedModule | undefined;
    try {
      ({ info, prepared, instrumented } = prepare(engine, bytes, name));
      try {
        native = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
      } catch (e) {
        throw engineCompileError(e, info);
      }
    } catch (e) {
      throw inModule(e, name ?? moduleNameOf(bytes));
    }
    this.givenName = name;
    this.engine = engine;
    this.info = info;
    this.native = native;
    this.prepared = layoutOf(prepared);
    this.instrumented = instrumented;
  }

  /** @internal Builds a module from parts already compiled (used by `Module.compile`). */
  private static fromParts(engine: Engine, info: ModuleInfo, prepared: PreparedBinary, native: WebAssembly.Module, instrumented: InstrumentedModule | undefined, name: string | undefined): Module {
    const m = Object.create(Module.prototype) as { -readonly [K in keyof Module]: Module[K] } & { givenName: string | undefined };
    m.givenName = name;
    m.engine = engine;
    m.info = info;
    m.native = native;
    m.prepared = layoutOf(prepared);
    m.instrumented = instrumented;
    return m as unknown as Module;
  }

  /** Compiles `bytes` asynchronously (off the main thread where the engine can). @throws CompileError. */
  static async compile(engine: Engine, bytes: ModuleSource, options: ModuleOptions = {}): Promise<Module> {
    const name = checkModuleArgs(engine, options, "Module.compile");
    let info: ModuleInfo | undefined;
    try {
      const p = prepare(engine, bytes, name);
      info = p.info;
      let native: WebAssembly.Module;
      try {
        // The prepared bytes live in a scratch buffer: give the asynchronous compile its own copy.
        native = await WebAssembly.compile(p.prepared.bytes.slice());
      } catch (e) {
        throw engineCompileError(e, p.info);
      }
      return Module.fromParts(engine, p.info, p.prepared, native, p.instrumented, name);
    } catch (e) {
      throw inModule(e, name ?? info?.names.module ?? moduleNameOf(bytes));
    }
  }

  /** Checks that `bytes` is a valid module without keeping it. @throws CompileError describing the first problem. */
  static validate(engine: Engine, bytes: ModuleSource, options: ModuleOptions = {}): void {
    void new Module(engine, bytes, options);
  }

  /**
   * Compiles a module from the WebAssembly text format.
   *
   * @throws WatError with line and column on a text error; CompileError if the result is invalid.
   */
  static fromText(engine: Engine, text: string, file?: string): Module {
    checkArg(engine, Engine, "Module.fromText", "engine");
    checkString(text, "Module.fromText", "text");
    if (file !== undefined) checkString(file, "Module.fromText", "file");
    if (!textCompiler) {
      throw new Error(
        'Module.fromText: the text format is not loaded: "wasmhost/core" leaves it out; import from "wasmhost" instead, or compile the text with watToBinary from "wasmhost/text" and pass the bytes to new Module',
      );
    }
    const bytes = textCompiler(text, file);
    // The text's own name ((module $name ...)) is in the name section; else the file's name.
    const own = moduleNameOf(bytes);
    return new Module(engine, handOver(bytes), own === undefined && file !== undefined ? { name: baseName(file) } : {});
  }

  /**
   * Compiles the module in file `path` (Node only): binary or text, told apart by the content (a binary
   * starts with `\0asm`).
   */
  static fromFile(engine: Engine, path: string): Module {
    checkArg(engine, Engine, "Module.fromFile", "engine");
    checkString(path, "Module.fromFile", "path");
    if (!fileReader) throw new Error("Module.fromFile: reading files needs Node.js");
    return moduleFromFileBytes(engine, fileReader(path), path);
  }

  /**
   * The module's name: the one given to `new Module` (or the file's, for `Module.fromFile` and
   * `Module.fromText` with a file), else the one in its name section, if any.
   */
  get name(): string | undefined {
    return this.givenName ?? this.info.names.module;
  }

  /** The module's imports with their types, in order. */
  get imports(): readonly ImportType[] {
    return (this.importTypes ??= Object.freeze(
      this.info.imports.map((imp) => Object.freeze({ module: imp.module, name: imp.name, type: importExternType(this.info, imp) })),
    ));
  }

  /** The module's exports with their types, in order. */
  get exports(): readonly ExportType[] {
    if (!this.exportTypes) {
      const byKind = importsByKind(this.info);
      this.exportTypes = Object.freeze(
        this.info.exports.map((e) => Object.freeze({ name: e.name, type: exportExternType(this.info, e.kind, e.index, byKind) })),
      );
    }
    return this.exportTypes;
  }

  /**
   * @internal The compiled form to instantiate in `store`: this one, or — for a store that limits
   * memory or table sizes — a variant (compiled once, on first use) whose memories and tables the store
   * creates with its limits as their maximum (see src/instrument/limits.ts).
   */
  compiledFor(store: { readonly limits: { readonly memorySize?: number; readonly tableElements?: number } }): CompiledVariant {
    const own: CompiledVariant = this;
    if (store.limits.memorySize === undefined && store.limits.tableElements === undefined) return own;
    if (this.engine.instrumentation.storeResources || (this.info.memories.length === 0 && this.info.tables.length === 0)) return own;
    if (!this.limitedVariant) {
      const { prepared, instrumented } = prepareFor(this.info, { ...this.engine.instrumentation, storeResources: true }, this.givenName);
      let native: WebAssembly.Module;
      try {
        native = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
      } catch (e) {
        throw engineCompileError(e, this.info);
      }
      this.limitedVariant = { native, prepared: layoutOf(prepared), instrumented };
    }
    return this.limitedVariant;
  }

  /**
   * @internal The compiled form for an instance whose function imports `asyncImports` (indices) are
   * async host functions, under the rewrite mechanism: rewritten to unwind and rewind around them
   * (src/instrument/asyncify.ts), compiled once per set of async imports (and store limits).
   *
   * @throws CompileError when the rewrite cannot handle a function that can reach one of them.
   */
  compiledForAsync(
    store: { readonly limits: { readonly memorySize?: number; readonly tableElements?: number } },
    asyncImports: readonly number[],
    sharedTables = false,
  ): CompiledVariant {
    // Shared tables matter only to a module that has some and calls through a table.
    const shared = sharedTables && hasSharedTables(this.info);
    if (asyncImports.length === 0 && !shared) return this.compiledFor(store);
    const limited = store.limits.memorySize !== undefined || store.limits.tableElements !== undefined;
    const key = `${limited ? "L" : ""}${shared ? "T" : ""}${asyncImports.join(",")}`;
    let variant = (this.asyncVariants ??= new Map()).get(key);
    if (!variant) {
      const options = { ...this.engine.instrumentation, asyncImports, ...(shared ? { asyncSharedTables: true } : {}), ...(limited ? { storeResources: true } : {}) };
      const { prepared, instrumented } = prepareFor(this.info, options, this.givenName);
      let native: WebAssembly.Module;
      try {
        native = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
      } catch (e) {
        throw engineCompileError(e, this.info);
      }
      variant = { native, prepared: layoutOf(prepared), instrumented };
      this.asyncVariants.set(key, variant);
    }
    return variant;
  }

  /**
   * A precompiled artifact of this module: its binary after decoding and instrumentation, with the
   * decoded metadata. `Module.deserialize` loads it again without decoding or instrumenting; only the
   * engine's compilation remains.
   */
  serialize(): Uint8Array {
    return writeArtifact({ info: this.info, instrumented: this.instrumented }, this.engine.instrumentation);
  }

  /**
   * Loads an artifact made by `module.serialize()`. The module keeps a copy of `bytes`.
   *
   * @throws CompileError when `bytes` is not an artifact, is damaged or truncated, comes from another
   *   version of wasmhost's instrumentation, or was made by an engine with other fuel or
   *   interruption settings than `engine`.
   */
  static deserialize(engine: Engine, bytes: Uint8Array, options: ModuleOptions = {}): Module {
    const name = checkModuleArgs(engine, options, "Module.deserialize");
    checkArg(bytes, Uint8Array, "Module.deserialize", "bytes");
    let info: ModuleInfo | undefined;
    try {
      // The module keeps views into the artifact (its two binaries): into its own copy of it.
      const artifact = readArtifact(ownBytes(bytes), engine.instrumentation);
      info = artifact.info;
      const instrumented = artifact.instrumented;
      const compiled = instrumented ? fromInstrumented(instrumented, instrumented.engineInfo, info, engine.instrumentation.fuelCosts) : undefined;
      const { prepared } = prepareFor(info, engine.instrumentation, name, { compiled });
      let native: WebAssembly.Module;
      try {
        native = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
      } catch (e) {
        throw engineCompileError(e, info);
      }
      return Module.fromParts(engine, info, prepared, native, compiled?.instrumented, name);
    } catch (e) {
      throw inModule(e, name ?? info?.names.module);
    }
  }

  /** The payloads of the custom sections called `name`, in order (copies). */
  customSections(name: string): Uint8Array[] {
    checkString(name, "Module.customSections", "name");
    return this.info.customSections.filter((c) => c.name === name).map((c) => c.data.slice());
  }
}

/** @internal What instrumentation made of a module, with the decoded instrumented binary. */
export type InstrumentedModule = InstrumentedCompile["instrumented"];

/** @internal One compiled form of a module (see `Module.compiledFor`). */
export interface CompiledVariant {
  readonly native: WebAssembly.Module;
  readonly prepared: PreparedLayout;
  readonly instrumented: InstrumentedModule | undefined;
}

/** What the runtime keeps of a prepared binary: everything but the bytes. */
export type PreparedLayout = Omit<PreparedBinary, "bytes">;

function layoutOf(p: PreparedBinary): PreparedLayout {
  return { codeDelta: p.codeDelta, start: p.start, refs: p.refs };
}

function toBytes(bytes: ModuleSource): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(`expected the module's bytes (Uint8Array, ArrayBuffer or a view), got ${describeValue(bytes)}`);
}

function prepare(engine: Engine, source: ModuleSource, name: string | undefined): { info: ModuleInfo; prepared: PreparedBinary; instrumented: InstrumentedModule | undefined } {
  const info = decodeModule(ownBytes(toBytes(source)), { lazy: true });
  checkDisabledProposals(info, engine.disabledProposals);
  return { info, ...prepareFor(info, engine.instrumentation, name) };
}

/**
 * What `Module.fromFile` does once the file is read: `bytes` are the content of the file at `path`
 * (binary or text, told apart by the content), handed over to the module (kept, not copied). The CLI,
 * which reads the file once to tell a component from a module, hands its bytes here.
 * @internal
 */
export function moduleFromFileBytes(engine: Engine, bytes: Uint8Array, path: string): Module {
  if (hasWasmMagic(bytes)) {
    return new Module(engine, handOver(bytes), moduleNameOf(bytes) === undefined ? { name: baseName(path) } : {});
  }
  if (!isText(bytes)) {
    throw new CompileError(
      "neither a WebAssembly binary (it does not start with \\0asm) nor the text format (it is not UTF-8 text)",
      0,
      { module: baseName(path) },
    );
  }
  return Module.fromText(engine, new TextDecoder().decode(bytes), path);
}

/** Checks the engine and options of a constructor; returns the given name. */
function checkModuleArgs(engine: unknown, options: unknown, where: string): string | undefined {
  checkArg(engine, Engine, where, "engine");
  checkObject(options, where, "options");
  const name = (options as ModuleOptions).name;
  if (name !== undefined) checkString(name, where, "options.name");
  return name;
}

/** The module name in a binary's name section, read without decoding the module (for error messages). */
function moduleNameOf(source: ModuleSource): string | undefined {
  try {
    return readBinaryModuleName(toBytes(source));
  } catch {
    return undefined; // not bytes: the decoder reports that
  }
}

/** The last component of a path. */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/**
 * Instruments `info` when `options` ask for it (src/instrument), then prepares the binary the engine
 * will see. Frames of instrumented code are mapped back to the original module (`registerFrameMapper`).
 */
function prepareFor(
  info: ModuleInfo,
  options: Engine["instrumentation"],
  givenName: string | undefined,
  given?: { compiled: InstrumentedCompile | undefined },
): { prepared: PreparedBinary; instrumented: InstrumentedModule | undefined } {
  let compiled: InstrumentedCompile | undefined;
  try {
    compiled = given ? given.compiled : instrumentForEngine(info, options);
  } catch (e) {
    throw instrumentError(e, info);
  }
  const engineInfo = compiled ? compiled.engineInfo : info;
  const nameSection = engineInfo.customSections.find((c) => c.name === "name");
  const engineName = registerModuleName(givenName, givenName === undefined && nameSection ? readModuleName(nameSection.data) : undefined, engineInfo);
  let prepared: PreparedBinary;
  try {
    prepared = prepareBinary(engineInfo, engineName);
  } catch (e) {
    throw e instanceof WebAssembly.CompileError ? engineCompileError(e, info) : e;
  }
  registerFrameModule(engineInfo, prepared.codeDelta, givenName);
  if (compiled) registerFrameMapper(engineInfo, compiled.mapper);
  return { prepared, instrumented: compiled?.instrumented };
}

/**
 * Instrumentation fails on a body our scanner cannot read: report the engine's own error for the
 * original binary when it has one (its wording is the spec's), else ours.
 */
function instrumentError(e: unknown, info: ModuleInfo): unknown {
  if (!(e instanceof CompileError)) return e;
  try {
    new WebAssembly.Module(info.bytes as Uint8Array<ArrayBuffer>);
  } catch (engineError) {
    return engineCompileError(engineError, info);
  }
  return e;
}

/**
 * Turns the engine's compile error into a `CompileError`. The engine saw the prepared binary, whose
 * offsets differ from the original's; the original is compiled again (only on this failure path) to
 * report the engine's message with the user's offsets.
 */
function engineCompileError(e: unknown, info: ModuleInfo): CompileError {
  // Bodies were framed lazily: a malformed one gets our spec-worded error and offset first.
  scanBodies(info);
  // A proposal the host engine lacks is named as such, not in the engine's words.
  const missing = missingHostProposal(info, e, hostEngineName());
  if (missing) return missing;
  let message = e instanceof Error ? e.message : String(e);
  try {
    new WebAssembly.Module(info.bytes as Uint8Array<ArrayBuffer>);
  } catch (original) {
    if (original instanceof Error) message = original.message;
  }
  const m = /@\+(\d+)\s*$/.exec(message);
  const reason = message.replace(/^WebAssembly\.Module\(\): /, "").replace(/\s*@\+\d+\s*$/, "");
  return new CompileError(reason, m ? Number(m[1]) : undefined, { cause: e });
}

/**
 * Walks every function body's instructions (only when the engine rejected the module), so that a
 * malformed body is reported with the spec's wording and our offset rather than the engine's.
 *
 * @throws CompileError for the first malformed instruction.
 */
function scanBodies(info: ModuleInfo): void {
  const cursor = new InstrCursor();
  // With at most one memory, memory indices are the reserved zero bytes and flags of WebAssembly 2.0.
  const singleMemory = info.importedMemories + info.memories.length <= 1;
  for (const body of info.code) {
    const code = body.code;
    cursor.reset(code, 0, code.length, body.codeOffset);
    while (cursor.next()) {
      const name = cursor.op.name;
      if (info.dataCount === undefined && (name === "memory.init" || name === "data.drop")) {
        throw new CompileError("data count section required", cursor.offset);
      }
      if (singleMemory && (name === "memory.size" || name === "memory.grow") && code[cursor.offset - body.codeOffset + 1] !== 0) {
        throw new CompileError("zero byte expected", cursor.offset + 1);
      }
      if (singleMemory && cursor.op.imms.includes(Imm.memarg) && (cursor.memAlign >= 32 || cursor.memIndex !== 0)) {
        throw new CompileError("malformed memop flags", cursor.offset + 1);
      }
    }
  }
}

/** The short names of the nullable abstract reference types. */
const NULLABLE_NAMES: Readonly<Record<string, RefType>> = {
  func: "funcref", extern: "externref", any: "anyref", eq: "eqref", i31: "i31ref", struct: "structref", array: "arrayref",
  exn: "exnref", none: "nullref", nofunc: "nullfuncref", noextern: "nullexternref", noexn: "nullexnref",
};

/** Concrete heap types already made, per module (also what breaks the cycle of recursive types). */
const concreteTypes = new WeakMap<ModuleInfo, Map<number, ConcreteHeapType>>();

/**
 * The public form of a value type of module `info`: a string for number types, v128 and nullable
 * abstract references, a `RefValType` for the others (see `ValType`).
 */
export function publicValType(t: ValueType, info: ModuleInfo): ValType {
  if (typeof t === "string") return t;
  if (typeof t.ref === "string") {
    const short = t.nullable ? NULLABLE_NAMES[t.ref] : undefined;
    return short ?? Object.freeze({ ref: t.ref, nullable: t.nullable });
  }
  return Object.freeze({ ref: concreteHeapType(info, t.ref), nullable: t.nullable });
}

function concreteHeapType(info: ModuleInfo, index: number): ConcreteHeapType {
  let byIndex = concreteTypes.get(info);
  if (!byIndex) concreteTypes.set(info, (byIndex = new Map()));
  let heap = byIndex.get(index);
  if (!heap) {
    const def = info.types[index];
    const kind = def?.kind === "struct" || def?.kind === "array" ? def.kind : "func";
    let func: FuncType | undefined;
    // The signature is made on first read: a recursive type would otherwise never finish.
    heap = Object.freeze(
      kind === "func"
        ? { index, kind, get func(): FuncType { return (func ??= Object.freeze(publicFuncType(info, index))); } }
        : { index, kind },
    );
    byIndex.set(index, heap);
  }
  return heap;
}

function publicFuncType(info: ModuleInfo, typeIndex: number): { params: ValType[]; results: ValType[] } {
  const def = info.types[typeIndex];
  if (!def || def.kind !== "func") return { params: [], results: [] };
  return { params: def.params.map((t) => publicValType(t, info)), results: def.results.map((t) => publicValType(t, info)) };
}

/** The type of an import, in the public vocabulary. */
export function importExternType(info: ModuleInfo, imp: ImportInfo): ExternType {
  switch (imp.kind) {
    case "func":
      return { kind: "func", ...publicFuncType(info, imp.typeIndex) };
    case "tag":
      return { kind: "tag", params: publicFuncType(info, imp.typeIndex).params };
    case "global":
      return { kind: "global", content: publicValType(imp.type.content, info), mutable: imp.type.mutable };
    case "table": {
      const t = imp.type;
      return { kind: "table", element: publicValType(t.element, info) as TableType["element"], min: t.min, ...(t.max !== undefined ? { max: t.max } : {}) };
    }
    case "memory": {
      const t = imp.type;
      return { kind: "memory", min: t.min, ...(t.max !== undefined ? { max: t.max } : {}), shared: t.shared, memory64: t.memory64 };
    }
  }
}

/** The imports of each kind, in order: index `i` of a kind's index space is import `i` while `i < length`. */
export function importsByKind(info: ModuleInfo): Readonly<Record<ExternType["kind"], ImportInfo[]>> {
  const out: Record<ExternType["kind"], ImportInfo[]> = { func: [], table: [], memory: [], global: [], tag: [] };
  for (const imp of info.imports) out[imp.kind].push(imp);
  return out;
}

/** The type of the entity `index` of `kind` (imported or defined), in the public vocabulary. */
export function exportExternType(
  info: ModuleInfo,
  kind: ExternType["kind"],
  index: number,
  byKind: Readonly<Record<ExternType["kind"], ImportInfo[]>> = importsByKind(info),
): ExternType {
  const imported = byKind[kind];
  if (index < imported.length) return importExternType(info, imported[index]!);
  const local = index - imported.length;
  switch (kind) {
    case "func":
      return { kind: "func", ...publicFuncType(info, info.functions[local] ?? -1) };
    case "tag":
      return { kind: "tag", params: publicFuncType(info, info.tags[local]?.typeIndex ?? -1).params };
    case "global": {
      const g = info.globals[local]!;
      return { kind: "global", content: publicValType(g.type.content, info), mutable: g.type.mutable };
    }
    case "table": {
      const t = info.tables[local]!.type;
      return { kind: "table", element: publicValType(t.element, info) as TableType["element"], min: t.min, ...(t.max !== undefined ? { max: t.max } : {}) };
    }
    case "memory": {
      const t = info.memories[local]!;
      return { kind: "memory", min: t.min, ...(t.max !== undefined ? { max: t.max } : {}), shared: t.shared, memory64: t.memory64 };
    }
  }
}

/**
 * Whether `bytes` can be a text-format file: valid UTF-8 without NUL bytes (which no WAT source holds
 * but nearly every binary file does).
 */
function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether `info` imports or exports a table and has code (an indirect call through it may suspend). */
function hasSharedTables(info: ModuleInfo): boolean {
  return info.code.length > 0 && (info.importedTables > 0 || info.exports.some((e) => e.kind === "table"));
}
