#!/usr/bin/env node
/**
 * The `wasmhost` executable: runs the CLI with the process's arguments and streams, and exits with
 * the command's exit code (a WASI program's own exit code for `wasmhost run`).
 *
 * @module
 */
import "../host/node-fs.js";
import { main } from "./main.js";

const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
// Exit codes are 8 bits wide, as a shell sees them (a guest's exit(-1) is 255). Setting exitCode
// rather than calling process.exit lets piped output drain first.
process.exitCode = code & 0xff;
