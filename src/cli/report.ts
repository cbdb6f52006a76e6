/**
 * How the CLI shows errors: the message of our error classes (a trap's backtrace included), the
 * stack only for unexpected errors.
 *
 * @module
 */
import { statSync } from "node:fs";
import { CompileError, LinkError, Trap, WasiError, WatError } from "../errors.js";

/** Node's file errors a user causes (a wrong path, a directory for a file), in words. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
};

/**
 * One line for a file error of the command line's making (a missing, unreadable or misplaced file),
 * e.g. `missing.wasm: no such file or directory`; `undefined` for every other error. `argv` finds the
 * path when Node's error lacks it (reading a directory).
 */
export function describeFileError(e: unknown, argv: readonly string[]): string | undefined {
  const { code, path } = (e ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== "string" || !Object.hasOwn(FILE_ERRORS, code)) return undefined;
  const where = typeof path === "string" ? path : code === "EISDIR" ? argv.find(isDirectory) : undefined;
  return `${where ?? "a file argument"}: ${FILE_ERRORS[code]}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The text to print for an error that ended a command. */
export function describeError(e: unknown): string {
  if (e instanceof Trap) return `error: ${e.message}`;
  if (e instanceof CompileError) {
    // The message starts with `module "<name>": ` when the module has a name (a file's is its name).
    const named = e.module === undefined ? "" : ` ${JSON.stringify(e.module)}`;
    return `error: invalid module${named}: ${e.message.slice(named === "" ? 0 : `module${named}: `.length)}`;
  }
  // A LinkError is raised while linking, or later by a call to an import defined as a trap ("called …").
  if (e instanceof LinkError) return e.reason.startsWith("called ") ? `error: ${e.message}` : `error: cannot link: ${e.message}`;
  if (e instanceof WatError) return `error: ${e.message}`;
  if (e instanceof WasiError) return `error: ${e.message}`;
  if (e instanceof Error && (e.name === "TypeError" || e.name === "RangeError")) return `error: ${e.message}`;
  if (e instanceof Error) return `error: ${e.stack ?? e.message}`;
  return `error: ${String(e)}`;
}
