#!/usr/bin/env node
/**
 * The `wasmhost` executable: runs the CLI with the process's arguments and streams, and exits with
 * the command's exit code (a WASI program's own exit code for `wasmhost run`).
 *
 * @module
 */
import "../host/node-fs.js";
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
