/**
 * `wasmhost print IN [--flat|--folded] [-o OUT]`: prints a binary module in the text format (folded by
 * default). The output assembles back to the same binary. A text input is assembled first.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { printModule, watToBinary } from "../../text/index.js";
import { isComponentBinary, isComponentText } from "../../component/detect.js";
import { hasWasmMagic } from "../../binary/decoder.js";
import { parseComponentText } from "../../component/text/parser.js";
import { printComponent } from "../../component/text/print.js";
import type { CliIO } from "../io.js";
import { UsageError } from "../io.js";

/** The `print` command. */
export default function print(argv: string[], io: CliIO): number {
  let input: string | undefined;
  let output: string | undefined;
  let folded = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--flat") folded = false;
    else if (a === "--folded") folded = true;
    else if (a === "-o" || a === "--output") {
      output = argv[++i];
      if (output === undefined) throw new UsageError("-o needs a file name");
    } else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option ${a}`);
    else if (input === undefined) input = a;
    else throw new UsageError("print takes one input file");
  }
  if (input === undefined) throw new UsageError("print takes an input file: print IN [--flat]");
  let bytes: Uint8Array = new Uint8Array(readFileSync(input === "-" ? 0 : input));
  if (!hasWasmMagic(bytes)) {
    const source = new TextDecoder().decode(bytes);
    bytes = isComponentText(source) ? parseComponentText(source, { file: input }) : watToBinary(source, { file: input });
  }
  const text = isComponentBinary(bytes) ? printComponent(bytes) : printModule(bytes, { folded });
  if (output !== undefined) writeFileSync(output, text);
  else io.out(text);
  return 0;
}
