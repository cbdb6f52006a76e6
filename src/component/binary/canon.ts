/**
 * The canonical built-ins by opcode: their text names and immediates, in the order the binary (and the
 * text format) spells them. The decoder, the encoder, the text parser and the printer are all driven by
 * this one table, so adding a built-in is one line.
 *
 * @module
 */

/**
 * One immediate of a canonical built-in:
 * - `type`: a component type index;
 * - `options`: a vector of canonical options;
 * - `result`: a `resultlist` (`task.return`);
 * - `valType`, `index`: a core value type and a u32 (`context.get`/`set`);
 * - `async`, `cancellable`, `shared`: a 0x00/0x01 flag;
 * - `memory`, `coreType`, `table`: a core index.
 */
export type CanonImmediate =
  | "type"
  | "options"
  | "result"
  | "valType"
  | "index"
  | "async"
  | "cancellable"
  | "shared"
  | "memory"
  | "coreType"
  | "table";

/** A canonical built-in: its opcode, its text name and its immediates after the opcode. */
export interface CanonOp {
  readonly code: number;
  readonly name: string;
  readonly immediates: readonly CanonImmediate[];
}

const op = (code: number, name: string, ...immediates: CanonImmediate[]): CanonOp => ({ code, name, immediates });

/**
 * Every built-in but `lift` (0x00) and `lower` (0x01), whose encodings (a sort byte, then a function
 * index) the decoder and encoder handle themselves.
 */
export const CANON_OPS: readonly CanonOp[] = [
  op(0x02, "resource.new", "type"),
  op(0x03, "resource.drop", "type"),
  op(0x07, "resource.drop async", "type"),
  op(0x04, "resource.rep", "type"),
  op(0x24, "backpressure.inc"),
  op(0x25, "backpressure.dec"),
  op(0x08, "backpressure.set"),
  op(0x09, "task.return", "result", "options"),
  op(0x05, "task.cancel"),
  op(0x0a, "context.get", "valType", "index"),
  op(0x0b, "context.set", "valType", "index"),
  op(0x06, "subtask.cancel", "async"),
  op(0x0d, "subtask.drop"),
  op(0x0e, "stream.new", "type"),
  op(0x0f, "stream.read", "type", "options"),
  op(0x10, "stream.write", "type", "options"),
  op(0x11, "stream.cancel-read", "type", "async"),
  op(0x12, "stream.cancel-write", "type", "async"),
  op(0x13, "stream.drop-readable", "type"),
  op(0x14, "stream.drop-writable", "type"),
  op(0x15, "future.new", "type"),
  op(0x16, "future.read", "type", "options"),
  op(0x17, "future.write", "type", "options"),
  op(0x18, "future.cancel-read", "type", "async"),
  op(0x19, "future.cancel-write", "type", "async"),
  op(0x1a, "future.drop-readable", "type"),
  op(0x1b, "future.drop-writable", "type"),
  op(0x1c, "error-context.new", "options"),
  op(0x1d, "error-context.debug-message", "options"),
  op(0x1e, "error-context.drop"),
  op(0x1f, "waitable-set.new"),
  op(0x20, "waitable-set.wait", "cancellable", "memory"),
  op(0x21, "waitable-set.poll", "cancellable", "memory"),
  op(0x22, "waitable-set.drop"),
  op(0x23, "waitable.join"),
  op(0x26, "thread.index"),
  op(0x27, "thread.new-indirect", "coreType", "table"),
  op(0x28, "thread.resume-later"),
  op(0x29, "thread.suspend", "cancellable"),
  op(0x0c, "thread.yield", "cancellable"),
  op(0x2a, "thread.suspend-then-resume", "cancellable"),
  op(0x2b, "thread.yield-then-resume", "cancellable"),
  op(0x2c, "thread.suspend-then-promote", "cancellable"),
  op(0x2d, "thread.yield-then-promote", "cancellable"),
  op(0x40, "thread.spawn-ref", "shared", "coreType"),
  op(0x41, "thread.spawn-indirect", "shared", "coreType", "table"),
  op(0x42, "thread.available-parallelism", "shared"),
];

/** Built-ins by opcode. */
export const CANON_BY_CODE: ReadonlyMap<number, CanonOp> = new Map(CANON_OPS.map((o) => [o.code, o]));
/** Built-ins by text name. */
export const CANON_BY_NAME: ReadonlyMap<string, CanonOp> = new Map(CANON_OPS.map((o) => [o.name, o]));

/** Canonical options by opcode: the flag options and those that take a core index. */
export const CANON_OPTION_CODES = {
  utf8: 0x00,
  utf16: 0x01,
  "latin1+utf16": 0x02,
  memory: 0x03,
  realloc: 0x04,
  "post-return": 0x05,
  async: 0x06,
  callback: 0x07,
  "core-type": 0x08,
  gc: 0x09,
} as const;
