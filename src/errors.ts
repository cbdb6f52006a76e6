/**
 * The error classes of wasmhost. Each carries structured fields besides its message, so that callers
 * can act on what failed without parsing text. A leaf module (it imports only the type vocabulary).
 *
 * @module
 */

/**
 * A malformed or invalid WebAssembly binary.
 *
 * `offset` is the byte offset in the binary where decoding failed, when known; the message ends with
 * `(at offset 0x…)` then. Messages use the spec's wording ("unexpected end", "integer too large"), so
 * the spec suite's expected texts are substrings of ours. When the module has a name (given to
 * `new Module(engine, bytes, { name })`, from its name section, or its file), the message starts with
 * `module "name": ` and `module` holds it.
 */
export class CompileError extends Error {
  /** The byte offset in the binary where the problem was found, when known. */
  readonly offset: number | undefined;
  /** The message without the module prefix and the position suffix. */
  readonly reason: string;
  /** The name of the module being compiled, when it has one. */
  readonly module: string | undefined;
  /**
   * The WebAssembly proposal the module needs that the host engine lacks or the engine's config
   * switches off (`EngineConfig.features`), e.g. `"gc"`; `undefined` for every other problem.
   */
  readonly proposal: string | undefined;

  constructor(
    reason: string,
    offset?: number,
    options?: ErrorOptions & { readonly module?: string | undefined; readonly proposal?: string },
  ) {
    super(`${modulePrefix(options?.module)}${offset === undefined ? reason : `${reason} (at offset 0x${offset.toString(16)})`}`, options);
    this.name = "CompileError";
    this.reason = reason;
    this.offset = offset;
    this.module = options?.module;
    this.proposal = options?.proposal;
  }
}

/** `module "name": `, or nothing for a module without a name. */
function modulePrefix(module: string | undefined): string {
  return module === undefined ? "" : `module ${JSON.stringify(module)}: `;
}

/**
 * An import that cannot be satisfied: missing, of the wrong kind, or of an incompatible type; or an
 * instantiation that fails while initializing (a segment out of bounds, a start function that traps is a
 * `Trap` instead).
 *
 * `module` and `name` identify the import (`module::name` in the message); `expected` and `given`
 * describe the types when the problem is a type mismatch. When the module being instantiated has a name,
 * the message starts with `module "name": ` and `moduleName` holds it.
 */
export class LinkError extends Error {
  /** The import's module name. */
  readonly module: string;
  /** The import's field name. */
  declare readonly name: string;
  /** The type the module expects, rendered, when the import exists but does not match. */
  readonly expected: string | undefined;
  /** The type of what was provided, rendered, when the import exists but does not match. */
  readonly given: string | undefined;
  /** The name of the module being instantiated, when it has one. */
  readonly moduleName: string | undefined;
  /** The message without the module prefix. */
  readonly reason: string;

  constructor(
    message: string,
    fields: { module: string; name: string; expected?: string | undefined; given?: string | undefined; moduleName?: string | undefined },
    options?: ErrorOptions,
  ) {
    super(`${modulePrefix(fields.moduleName)}${message}`, options);
    this.reason = message;
    this.moduleName = fields.moduleName;
    // The contract makes `name` the import's name. Render the stack now, while `name` still reads
    // "LinkError" from the prototype, so that printed errors keep their class name.
    void this.stack;
    Object.defineProperty(this, "name", { value: fields.name, enumerable: true, writable: false });
    this.module = fields.module;
    this.expected = fields.expected;
    this.given = fields.given;
  }

  /** Always `"LinkError"` (the `name` field holds the import's name). */
  get errorName(): "LinkError" {
    return "LinkError";
  }

  override toString(): string {
    return `LinkError: ${this.message}`;
  }
}
Object.defineProperty(LinkError.prototype, "name", { value: "LinkError", writable: true, configurable: true });

/**
 * A text-format (WAT or `.wast`) error with its position.
 *
 * `line` and `column` are 1-based; `offset` is the UTF-16 offset in the source. The message renders
 * `file:line:col: reason`, the source line and a caret under the column.
 */
export class WatError extends Error {
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column of the error (in UTF-16 code units). */
  readonly column: number;
  /** Offset of the error in the source text. */
  readonly offset: number;
  /** The bare reason, without position or snippet, e.g. `unknown label $s`. */
  readonly reason: string;
  /** The file name given to the parser, if any. */
  readonly file: string | undefined;

  constructor(reason: string, source: string, offset: number, file?: string) {
    const { line, column, text } = lineAt(source, offset);
    const caret = " ".repeat(Math.max(0, column - 1)) + "^";
    super(`${file ?? "<input>"}:${line}:${column}: ${reason}\n  | ${text}\n  | ${caret}`);
    this.name = "WatError";
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.offset = offset;
    this.file = file;
  }
}

/**
 * A WIT error: a syntax error, a name that does not resolve, a cycle, a conflicting definition.
 *
 * The fields and the rendering are those of `WatError` (`file:line:col: reason`, the source line and a
 * caret), so tools print both alike; `file` is the path of the `.wit` file as given to the loader.
 * Errors that belong to no single place (a package that no file declares) have no position: `line`
 * and `column` are 0 then and the message is just the reason.
 */
export class WitError extends Error {
  /** 1-based line of the error, 0 when it has no position. */
  readonly line: number;
  /** 1-based column of the error (in UTF-16 code units), 0 when it has no position. */
  readonly column: number;
  /** Offset of the error in the source text, -1 when it has no position. */
  readonly offset: number;
  /** The bare reason, e.g. ``type `foo` is not defined``. */
  readonly reason: string;
  /** The file the error is in, if known. */
  readonly file: string | undefined;

  constructor(reason: string, source?: string, offset = -1, file?: string) {
    if (source === undefined || offset < 0) {
      super(file === undefined ? reason : `${file}: ${reason}`);
      this.line = 0;
      this.column = 0;
    } else {
      const { line, column, text } = lineAt(source, offset);
      const caret = " ".repeat(Math.max(0, column - 1)) + "^";
      super(`${file ?? "<input>"}:${line}:${column}: ${reason}\n  | ${text}\n  | ${caret}`);
      this.line = line;
      this.column = column;
    }
    this.name = "WitError";
    this.reason = reason;
    this.offset = source === undefined ? -1 : offset;
    this.file = file;
  }
}

function lineAt(source: string, offset: number): { line: number; column: number; text: string } {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = source.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = source.length;
  return { line, column: at - lineStart + 1, text: source.slice(lineStart, lineEnd).replace(/\r$/, "") };
}

/**
 * Why WebAssembly code trapped. The names follow Wasmtime's `Trap` codes.
 */
export type TrapCode =
  | "stack_overflow"
  | "memory_out_of_bounds"
  | "heap_misaligned"
  | "table_out_of_bounds"
  | "indirect_call_to_null"
  | "bad_signature"
  | "integer_overflow"
  | "integer_division_by_zero"
  | "bad_conversion_to_integer"
  | "unreachable"
  | "null_reference"
  | "array_out_of_bounds"
  | "allocation_too_large"
  | "cast_failure"
  | "interrupt"
  | "out_of_fuel"
  | "cannot_enter_component"
  | "cannot_leave_component"
  | "canonical_abi"
  | "unknown";

/** What each trap code says, worded so that the spec suite's expected trap texts are substrings. */
export const TRAP_MESSAGES: Readonly<Record<TrapCode, string>> = {
  stack_overflow: "call stack exhausted",
  memory_out_of_bounds: "out of bounds memory access",
  heap_misaligned: "unaligned atomic",
  table_out_of_bounds: "out of bounds table access",
  indirect_call_to_null: "uninitialized element",
  bad_signature: "indirect call type mismatch",
  integer_overflow: "integer overflow",
  integer_division_by_zero: "integer divide by zero",
  bad_conversion_to_integer: "invalid conversion to integer",
  unreachable: "unreachable instruction executed",
  null_reference: "null reference",
  array_out_of_bounds: "out of bounds array access",
  allocation_too_large: "allocation size too large",
  cast_failure: "cast failure",
  interrupt: "interrupt",
  out_of_fuel: "all fuel consumed",
  cannot_enter_component: "cannot enter component instance",
  cannot_leave_component: "cannot leave component instance",
  canonical_abi: "canonical ABI violation",
  unknown: "unknown trap",
};

/** One WebAssembly frame of a trap's backtrace. */
export interface FrameInfo {
  /** The module's name from its name section, when it has one. */
  readonly module?: string;
  /** The function's index in the module's function index space (imports first). */
  readonly funcIndex: number;
  /** The function's name from the name section, when it has one. */
  readonly funcName?: string;
  /** The byte offset of the instruction in the module's binary. */
  readonly offset: number;
}

/** Renders one frame like Wasmtime: `0x23 - calc!divide`, or `0x23 - <wasm function 3>`. */
export function formatFrame(frame: FrameInfo): string {
  const fn = frame.funcName ?? `<wasm function ${frame.funcIndex}>`;
  const where = frame.module === undefined ? fn : `${frame.module}!${fn}`;
  return `0x${frame.offset.toString(16)} - ${where}`;
}

/**
 * @internal The message of a `Trap` with these arguments: the code's text (or `options.message`), the
 * detail, then the backtrace when there are frames. Used where a trap's message is completed later.
 */
export function trapMessage(code: TrapCode, frames: readonly FrameInfo[], options?: { detail?: string; message?: string }): string {
  const head = `wasm trap: ${options?.message ?? TRAP_MESSAGES[code]}${options?.detail ? ` (${options.detail})` : ""}`;
  if (frames.length === 0) return head;
  const lines = frames.map((f, i) => `\n    ${i}: ${formatFrame(f)}`).join("");
  return `${head}\nwasm backtrace:${lines}`;
}

/**
 * WebAssembly code trapped.
 *
 * `code` says why; `frames` is the backtrace, innermost first, with names from the name section. The
 * message reads `wasm trap: integer divide by zero` followed by one line per frame
 * (`    0: 0x23 - calc!divide`). `cause` holds the engine's original error.
 *
 * `options.message` replaces the code's standard text where the trap has a more precise one: the
 * canonical ABI's traps (code `canonical_abi`) say what was wrong in Wasmtime's words
 * (`wasm trap: string pointer/length out of bounds of memory`).
 */
export class Trap extends Error {
  /** Why the code trapped. */
  readonly code: TrapCode;
  /** The WebAssembly frames, innermost first. */
  readonly frames: readonly FrameInfo[];

  constructor(
    code: TrapCode,
    frames: readonly FrameInfo[] = [],
    options?: ErrorOptions & { detail?: string; message?: string },
  ) {
    super(trapMessage(code, frames, options), options);
    this.name = "Trap";
    this.code = code;
    this.frames = frames;
  }
}

/** A WASI call failed in a way the host must see (for instance an invalid option); carries the errno name. */
export class WasiError extends Error {
  /** The WASI errno name, e.g. `"badf"`, when there is one. */
  readonly errno: string | undefined;

  constructor(message: string, errno?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WasiError";
    this.errno = errno;
  }
}

/** An internal invariant of wasmhost failed: a bug in wasmhost, never the user's fault. Please report it. */
export class WasmhostBug extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`wasmhost bug: ${message}`, options);
    this.name = "WasmhostBug";
  }
}

/**
 * `e` naming module `name` when it is a `CompileError` or `LinkError` that does not name one yet (a new
 * error of the same class, with the same fields and cause); anything else as it is.
 */
export function inModule(e: unknown, name: string | undefined): unknown {
  if (name === undefined) return e;
  if (e instanceof CompileError && e.module === undefined) {
    return new CompileError(e.reason, e.offset, { ...causeOf(e), module: name });
  }
  if (e instanceof LinkError && e.moduleName === undefined) {
    return new LinkError(e.reason, { module: e.module, name: e.name, expected: e.expected, given: e.given, moduleName: name }, causeOf(e));
  }
  return e;
}

function causeOf(e: Error): ErrorOptions {
  return e.cause === undefined ? {} : { cause: e.cause };
}

/** Why an async call or async host function could not proceed (see `AsyncError`). */
export type AsyncErrorCode =
  /** A synchronous call (`func.call`, a typed function, `instantiate`) reached an async host function. */
  | "sync_call"
  /** The engine was not created with `{ asyncSupport: true }`. */
  | "not_enabled"
  /** The chosen async mechanism cannot suspend here (named in the message). */
  | "unsupported"
  /**
   * The rewrite mechanism could not resume a call: the host changed a table element that a waiting
   * call had called through `call_indirect`.
   */
  | "table_changed";

/**
 * An async host function was reached where wasm cannot wait for it, or an async API was used without
 * async support. `code` says which; `func` names the host function (`module::name`) when there is one.
 */
export class AsyncError extends Error {
  /** What went wrong. */
  readonly code: AsyncErrorCode;
  /** The async host function concerned, as `module::name`, when there is one. */
  readonly func: string | undefined;

  constructor(code: AsyncErrorCode, message: string, func?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AsyncError";
    this.code = code;
    this.func = func;
  }
}
