#!/usr/bin/env node
/**
 * The `wasmhost` executable: runs the CLI with the process's arguments and streams, and exits with
 * the command's exit code (a WASI program's own exit code for `wasmhost run`).
 *
 * @module
 */
import { main } from "./main.js";

const argv = process.argv.slice(2);
// Commands get host directories for WASI (registered by node-fs); help and version start without it.
if (argv[0] !== undefined && !argv[0].startsWith("-") && argv[0] !== "help" && argv[0] !== "version") await import("../host/node-fs.js");
const code = await main(argv, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
// Exit codes are 8 bits wide, as a shell sees them (a guest's exit(-1) is 255). Setting exitCode
// rather than calling process.exit lets piped output drain first.
process.exitCode = code & 0xff;
