/**
 * How the CLI shows errors: the message of our error classes (a trap's backtrace included), the
 * stack only for unexpected errors.
 *
 * @module
 */
import { CompileError, LinkError, Trap, WasiError, WatError } from "../index.js";

/** The text to print for an error that ended a command. */
export function describeError(e: unknown): string {
  if (e instanceof Trap) return `error: ${e.message}`;
  if (e instanceof CompileError) {
    // The message starts with `module "<name>": ` when the module has a name (a file's is its name).
    const named = e.module === undefined ? "" : ` ${JSON.stringify(e.module)}`;
    return `error: invalid module${named}: ${e.message.slice(named === "" ? 0 : `module${named}: `.length)}`;
  }
  if (e instanceof LinkError) return `error: cannot link: ${e.message}`;
  if (e instanceof WatError) return `error: ${e.message}`;
  if (e instanceof WasiError) return `error: ${e.message}`;
  if (e instanceof Error && (e.name === "TypeError" || e.name === "RangeError")) return `error: ${e.message}`;
  if (e instanceof Error) return `error: ${e.stack ?? e.message}`;
  return `error: ${String(e)}`;
}
