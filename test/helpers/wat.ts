/**
 * Test helper: WAT source -> binary, through wasmhost's own text format (so that the runtime tests also
 * exercise it).
 */
import { watToBinary } from "../../src/text/index.js";

/** Assembles `text` (a module in the text format) to a binary. */
export function wat(text: string): Uint8Array {
  return watToBinary(text, { file: "test.wat" });
}
