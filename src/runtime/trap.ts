/**
 * Turns the engine's errors into `Trap`s: the trap code from the engine's message, and the backtrace
 * from the error's stack, with each frame's module and function named from our metadata.
 *
 * This runs only when something was thrown: calls that return normally pay nothing for it.
 *
 * @module
 */
import type { FrameInfo, TrapCode } from "../errors.js";
import { AsyncError, Trap, trapMessage } from "../errors.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { InstrCursor } from "../binary/instructions.js";
import { bodyAt, instructionTraps } from "../binary/traps.js";
import { modulesNamed } from "./registry.js";
import { exceptionOf, isNativeException, toWasmError } from "./exception.js";

/**
 * Engine trap messages and the code each means, by a pattern that the wordings of every V8 in the
 * matrix (Node 20 to 26) match. Order matters: the first match wins.
 */
const MESSAGE_CODES: readonly (readonly [RegExp, TrapCode])[] = [
  [/unreachable/, "unreachable"],
  [/array element access out of bounds|array (?:index|access) out of bounds/, "array_out_of_bounds"],
  [/requested new array is too large|array (?:allocation|length) too large/, "allocation_too_large"],
  [/memory access out of bounds|data segment(?: \d+)? (?:is )?out of bounds/, "memory_out_of_bounds"],
  [/remainder by zero|divide by zero/, "integer_division_by_zero"],
  [/divide result unrepresentable/, "integer_overflow"],
  [/float unrepresentable in integer range/, "bad_conversion_to_integer"],
  [/table index is out of bounds|element segment(?: \d+)? (?:is )?out of bounds|table access out of bounds|table (?:\d+ )?(?:is )?out of bounds/, "table_out_of_bounds"],
  [/null function or function signature mismatch|function signature mismatch/, "bad_signature"],
  [/dereferencing a null pointer|null/, "null_reference"],
  [/illegal cast/, "cast_failure"],
  [/unaligned/, "heap_misaligned"],
  [/Maximum call stack size exceeded/, "stack_overflow"],
];

/**
 * Engine errors at a wasm instruction that are not the spec's traps but the embedder refusing the
 * operation: a browser's main thread cannot block, so `memory.atomic.wait32/64` throws there ("Atomics.wait
 * cannot be called in this context"). Their code is `"unknown"` (with the engine's message kept),
 * whatever the instruction could otherwise trap with.
 */
const REFUSALS: readonly RegExp[] = [/cannot be called in this context/];

/** The trap code for an engine message, or `"unknown"`. */
export function trapCodeOf(message: string): TrapCode {
  for (const [pattern, code] of MESSAGE_CODES) if (pattern.test(message)) return code;
  return "unknown";
}

/**
 * The trap code (and a detail to show) for an engine trap: by the engine's message where it names one
 * of the codes the trapping instruction can have, else by the instruction alone; by the message when
 * the instruction is not known (a trap at instantiation: no wasm frame). An engine's refusal (`REFUSALS`)
 * is `"unknown"`.
 */
export function trapCodeFor(message: string, instruction: string | undefined): { code: TrapCode; detail?: string } {
  const byMessage = trapCodeOf(message);
  if (byMessage === "unknown" && REFUSALS.some((p) => p.test(message))) return { code: "unknown" };
  const traps = instruction === undefined ? undefined : instructionTraps(instruction);
  if (!traps) return { code: byMessage };
  const code = traps.codes.includes(byMessage) ? byMessage : traps.codes[0]!;
  return code === "null_reference" && traps.nullDetail ? { code, detail: traps.nullDetail } : { code };
}

const FRAME = /wasm:\/\/wasm\/(?:([A-Za-z0-9_.$~]+)-)?[0-9a-f]+:wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

/** How far each module's code section moved in the binary given to the engine (see prepare.ts). */
const codeDeltas = new WeakMap<ModuleInfo, number>();

/** Records that frames of module `info` must have `codeDelta` subtracted from their engine offsets. */
export function registerFrameModule(info: ModuleInfo, codeDelta: number, name?: string): void {
  codeDeltas.set(info, codeDelta);
  if (name !== undefined) displayNames.set(info, name);
}

/** Module names given by the user (`new Module(engine, bytes, { name })`), which replace the name section's. */
const displayNames = new WeakMap<ModuleInfo, string>();

/**
 * Maps frames of an instrumented binary (src/instrument) back to the original module: function
 * indices and offsets, and the trap code of an `unreachable` that instrumentation inserted.
 */
export interface FrameMapper {
  funcIndex(engineIndex: number): number;
  /**
   * True when engine function `engineIndex` is an export wrapper that instrumentation added in front
   * of a function's body: its frame, just outside that body's, is left out (the function shows once).
   */
  wrapper?(engineIndex: number): boolean;
  offset(engineOffset: number): number;
  /** The trap that an `unreachable` at `engineOffset` stands for, if instrumentation inserted it. */
  site(engineOffset: number): TrapCode | undefined;
  /** What to add to the fuel global for it to bill exactly what ran when the engine traps at `engineOffset`. */
  fuelAdjust?(engineOffset: number): number;
}

const frameMappers = new WeakMap<ModuleInfo, FrameMapper>();

/** Records how frames of the instrumented module `info` map back to the original module. */
export function registerFrameMapper(info: ModuleInfo, mapper: FrameMapper): void {
  frameMappers.set(info, mapper);
}

/** What the innermost frame of a trap tells beyond its position. */
interface InnermostFrame {
  /** The trap an instruction inserted by instrumentation stands for. */
  site?: TrapCode;
  /** The name of the instruction the frame stopped at (read from the binary the engine ran). */
  instruction?: string;
  /** What to add to the fuel global so that it bills exactly what ran (src/instrument/fuel.ts). */
  fuelAdjust?: number;
}

const cursor = new InstrCursor();

/**
 * The name of the instruction at `offset` of the binary `info` was decoded from, or `undefined` when
 * the offset is not an instruction's start in a function body. Runs only when a trap is converted.
 */
export function instructionAt(info: ModuleInfo, offset: number): string | undefined {
  const body = bodyAt(info, offset);
  if (!body) return undefined;
  try {
    cursor.reset(body.code, offset - body.codeOffset, body.code.length, body.codeOffset);
    return cursor.next() ? cursor.op.name : undefined;
  } catch {
    return undefined;
  }
}

/** One frame as the engine prints it. */
interface RawFrame {
  readonly url: string;
  readonly name: string | undefined;
  readonly funcIndex: number;
  readonly offset: number;
}

/** Parses the WebAssembly frames of a stack string, innermost first. */
export function parseWasmFrames(stack: string | undefined, innermost?: InnermostFrame): FrameInfo[] {
  return wasmFramesLater(stack, innermost)();
}

/**
 * `parseWasmFrames` in two steps: the frames are found in `stack`, their modules resolved and
 * `innermost` filled in now; the `FrameInfo` of each frame is built by the function returned, when
 * called. A trap deep in a recursion thus costs its backtrace only when someone reads it (the deadline
 * of a store is not overrun by building thousands of frames nobody asked for).
 */
export function wasmFramesLater(stack: string | undefined, innermost?: InnermostFrame): () => FrameInfo[] {
  if (!stack) return () => [];
  const raw: RawFrame[] = [];
  let pos = 0;
  for (;;) {
    const at = stack.indexOf("wasm://wasm/", pos);
    if (at < 0) break;
    const lineEnd = stack.indexOf("\n", at);
    const line = stack.slice(at, lineEnd < 0 ? stack.length : lineEnd);
    pos = lineEnd < 0 ? stack.length : lineEnd;
    const m = FRAME.exec(line);
    if (!m) continue;
    raw.push({ url: line.slice(0, line.indexOf(":wasm-function")), name: m[1], funcIndex: Number(m[2]), offset: parseInt(m[3]!, 16) });
  }
  // Resolve each engine module (one URL) once, checking all of its frames against the candidates.
  const resolved = new Map<string, ModuleInfo | undefined>();
  for (const f of raw) {
    if (!resolved.has(f.url)) resolved.set(f.url, resolveFrameModule(f.name, raw.filter((g) => g.url === f.url)));
  }
  const first = raw[0];
  const firstInfo = first && resolved.get(first.url);
  if (first && firstInfo && innermost) {
    const offset = first.offset - (codeDeltas.get(firstInfo) ?? 0);
    innermost.instruction = instructionAt(firstInfo, offset);
    const mapper = frameMappers.get(firstInfo);
    if (mapper) {
      const site = mapper.site(offset);
      if (site) innermost.site = site;
      else if (mapper.fuelAdjust) innermost.fuelAdjust = mapper.fuelAdjust(offset);
    }
  }
  return () => buildFrames(raw, resolved);
}

/** The `FrameInfo`s of frames found and resolved by `wasmFramesLater`. */
function buildFrames(raw: readonly RawFrame[], resolved: ReadonlyMap<string, ModuleInfo | undefined>): FrameInfo[] {
  let wrapped = -1;
  const frames = raw.map((f, i) => {
    const info = resolved.get(f.url);
    if (!info) return { funcIndex: f.funcIndex, offset: f.offset };
    const names = info.names;
    const moduleName = displayNames.get(info) ?? names.module;
    const funcName = names.functions.get(f.funcIndex);
    let funcIndex = f.funcIndex;
    let offset = f.offset - (codeDeltas.get(info) ?? 0);
    const mapper = frameMappers.get(info);
    if (mapper) {
      // A wrapper's frame right outside its function's body (same engine module, same function).
      if (i > 0 && mapper.wrapper?.(funcIndex) && raw[i - 1]!.url === f.url && mapper.funcIndex(raw[i - 1]!.funcIndex) === mapper.funcIndex(funcIndex)) {
        wrapped = i;
      }
      funcIndex = mapper.funcIndex(funcIndex);
      offset = mapper.offset(offset);
    }
    if (wrapped === i) return undefined;
    return {
      ...(moduleName !== undefined ? { module: moduleName } : {}),
      funcIndex,
      ...(funcName !== undefined ? { funcName } : {}),
      offset,
    };
  });
  return frames.filter((f): f is FrameInfo => f !== undefined);
}

/**
 * A `Trap` whose `frames` (and the backtrace in its `message`) are built from `frames` on first read.
 * The message reads exactly as `new Trap(code, frames(), options)`'s (`trapMessage`).
 */
function trapLater(code: TrapCode, frames: () => FrameInfo[], options: ErrorOptions & { detail?: string }): Trap {
  const trap = new Trap(code, [], options);
  const v8 = Error as { captureStackTrace?: (target: object, omit?: unknown) => void };
  v8.captureStackTrace?.(trap, trapLater);
  // The stack as made now (its first line is the message without frames), completed when read.
  const early = trap.stack;
  const earlyHead = `${trap.name}: ${trap.message}`;
  let built: readonly FrameInfo[] | undefined;
  let message: string | undefined;
  let stack: string | undefined;
  const framesOf = (): readonly FrameInfo[] => (built ??= frames());
  const messageOf = (): string => (message ??= trapMessage(code, framesOf(), options));
  Object.defineProperty(trap, "frames", { get: framesOf, enumerable: true, configurable: true });
  Object.defineProperty(trap, "message", { get: messageOf, enumerable: false, configurable: true });
  Object.defineProperty(trap, "stack", {
    get: () => (stack ??= early?.startsWith(earlyHead) ? `${trap.name}: ${messageOf()}${early.slice(earlyHead.length)}` : early),
    set: (v: string) => void (stack = v),
    enumerable: false,
    configurable: true,
  });
  return trap;
}

/**
 * The module that the engine calls `name` whose functions contain all of `frames`; when several
 * registered modules share the name, the offsets decide.
 */
function resolveFrameModule(name: string | undefined, frames: readonly RawFrame[]): ModuleInfo | undefined {
  if (name === undefined) return undefined;
  const candidates = modulesNamed(name);
  if (candidates.length <= 1) return candidates[0];
  return candidates.find((info) => frames.every((f) => containsFrame(info, f))) ?? candidates[candidates.length - 1];
}

function containsFrame(info: ModuleInfo, f: RawFrame): boolean {
  const body = info.code[f.funcIndex - info.importedFuncs];
  if (!body) return false;
  const offset = f.offset - (codeDeltas.get(info) ?? 0);
  return offset >= body.codeOffset && offset < body.codeOffset + body.code.length;
}

/** True when the innermost frame of `stack` is a WebAssembly frame. */
function innermostIsWasm(stack: string | undefined): boolean {
  if (!stack) return false;
  const first = stack.indexOf("\n    at ");
  if (first < 0) return false;
  const end = stack.indexOf("\n", first + 1);
  const line = stack.slice(first, end < 0 ? stack.length : end);
  if (line.includes("wasm://wasm/")) return true;
  // The interruption check (src/instrument/host.ts) is called from wasm: an overflow may hit it or
  // anything it calls (the clock), above the wasm frames.
  const check = stack.indexOf("at wasmhostInterruptCheck ");
  return check >= 0 && check < stack.indexOf("wasm://wasm/");
}

/**
 * Converts what a call into wasm threw: an engine trap becomes a `Trap`; a stack overflow in wasm code
 * becomes a `stack_overflow` Trap; anything else (a host function's error, a `Trap` from a nested call,
 * a wasm exception) is returned as the same object, except that a wasm exception becomes an `Exception`.
 *
 * `fuel` is the store's fuel global when the engine consumes fuel: instrumented code keeps the fuel
 * left in a local and stores it only at some points, so an engine trap sets the global to what the
 * path from the last such point to the trap leaves (src/instrument/fuel.ts, `fuelAdjustAt`): the store
 * is billed exactly what ran.
 */
export function toTrap(error: unknown, fuel?: WebAssembly.Global): unknown {
  if (error instanceof WebAssembly.RuntimeError) {
    const innermost: InnermostFrame = {};
    const frames = wasmFramesLater(error.stack, innermost);
    if (fuel !== undefined && innermost.fuelAdjust) fuel.value = (fuel.value as bigint) + BigInt(innermost.fuelAdjust);
    const found = trapCodeFor(error.message, innermost.instruction);
    let code = found.code;
    if (code === "unreachable" && innermost.site) code = innermost.site;
    // An engine message we do not know is kept; a call through a null table entry and a signature
    // mismatch are reported alike by the engine.
    const detail = trapCodeOf(error.message) === "unknown"
      ? error.message
      : error.message.includes("null function or function signature mismatch")
        ? "or uninitialized element: the engine reports both alike"
        : found.detail;
    return trapLater(code, frames, { cause: error, ...(detail ? { detail } : {}) });
  }
  if (isNativeException(error)) return exceptionOf(error, undefined);
  if (isSuspendError(error)) {
    return new AsyncError("sync_call", "an async host function was called from a synchronous call into wasm; call the export with callAsync or getTypedFuncAsync (or instantiate with instantiateAsync)", undefined, { cause: error });
  }
  if (error instanceof RangeError && error.message.includes("Maximum call stack size exceeded") && innermostIsWasm(error.stack)) {
    return new Trap("stack_overflow", parseWasmFrames(error.stack), { cause: error });
  }
  return error;
}

/** Where host errors left host code: a stack captured at that moment (it includes the wasm frames below). */
const hostErrorStacks = new WeakMap<object, { stack?: string }>();

/**
 * @internal Records, for an error leaving a host function into wasm, the stack at that point, so that
 * `wasmFramesOf` can list the wasm frames it crosses even when the error was created elsewhere.
 * Only the innermost crossing is kept; it holds every frame below it. Returns the error itself.
 */
export function noteHostError(error: unknown): unknown {
  if (typeof error === "object" && error !== null && !(error instanceof Trap) && !hostErrorStacks.has(error)) {
    const v8 = Error as { captureStackTrace?: (target: object, omit?: unknown) => void };
    const holder: { stack?: string } = {};
    if (typeof v8.captureStackTrace === "function") v8.captureStackTrace(holder, noteHostError);
    else holder.stack = new Error().stack;
    hostErrorStacks.set(error, holder);
  }
  return toWasmError(error);
}

/**
 * The WebAssembly frames that an error thrown by a host function crossed on its way out to the host,
 * innermost first. For a `Trap`, its own `frames`.
 *
 * Host errors reach the caller of wasm as the very object the host function threw; wasmhost notes the
 * stack where the error left the host function (at no cost until an error is thrown) and this reads
 * the wasm frames from it.
 */
export function wasmFramesOf(error: unknown): readonly FrameInfo[] {
  if (error instanceof Trap) return error.frames;
  if (typeof error === "object" && error !== null) {
    const noted = hostErrorStacks.get(error);
    if (noted) return parseWasmFrames(noted.stack);
    if (error instanceof Error) return parseWasmFrames(error.stack);
  }
  return [];
}

/** JSPI's error for a suspending import reached without `WebAssembly.promising` on the stack. */
function isSuspendError(error: unknown): boolean {
  const ctor = (WebAssembly as unknown as { SuspendError?: new () => Error }).SuspendError;
  return ctor !== undefined && error instanceof ctor;
}
