/**
 * The text format of WebAssembly: WAT to binary (`watToBinary`), binary to WAT (`printModule`), and
 * `.wast` spec scripts parsed into directives (`parseWast`).
 *
 * ```ts
 * import { watToBinary, printModule } from "wasmhost/text";
 * const bytes = watToBinary(`(module (func (export "f") (result i32) (i32.const 42)))`);
 * console.log(printModule(bytes));
 * ```
 *
 * @module
 */
import { lex } from "./lexer.js";
import { parseModuleTokens } from "./parser.js";

export { parseWast } from "./wast.js";
export type { WastDirective, WastAction, WastConst, WastExpected, WastModule, WastScript } from "./wast.js";
export { printModule } from "./print.js";
export type { PrintOptions } from "./print.js";

/** Options for `watToBinary`. */
export interface WatOptions {
  /** The file name shown in error messages (default `<input>`). */
  readonly file?: string;
}

/**
 * Assembles a module in the text format to a binary.
 *
 * Accepts `(module …)` or bare module fields, a leading byte-order mark, and the WebAssembly 2.0 text
 * format with tail calls, exception handling (legacy and new), threads, multi-memory, memory64,
 * typed function references, GC and relaxed SIMD. `$identifiers` become a `name` section.
 *
 * @throws WatError with `line`, `column` and a rendered snippet when the text is malformed.
 */
export function watToBinary(text: string, options: WatOptions = {}): Uint8Array<ArrayBuffer> {
  const tokens = lex(text, options.file);
  return parseModuleTokens(tokens, 0, tokens.count - 1);
}
