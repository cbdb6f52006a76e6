/** The spec runner lives with the `wasmhost wast` command; the suite tests use it from there. */
export { runWastFile } from "../../src/cli/commands/wast.js";
export type { RunOptions, RunResult } from "../../src/cli/commands/wast.js";
