/**
 * What a CLI command gets: its arguments and the streams to write to. Commands return their exit code:
 * 0 success, 1 a trap or an error (message on stderr), 2 a usage error.
 *
 * @module
 */

/** Output streams of a command. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** A command: `argv` are the arguments after the command's name. */
export type Command = (argv: string[], io: CliIO) => Promise<number> | number;

/** A usage error: the command line is wrong (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
