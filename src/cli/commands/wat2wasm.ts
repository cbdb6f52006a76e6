/**
 * `wasmhost wat2wasm IN [-o OUT]`: assembles a module in the text format to a binary (with a `name`
 * section for its `$identifiers`). Without `-o`, writes `IN` with its extension changed to `.wasm`.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { watToBinary } from "../../text/index.js";
import { isComponentText } from "../../component/detect.js";
import { parseComponentText } from "../../component/text/parser.js";
import type { CliIO } from "../io.js";
import { UsageError } from "../io.js";

/** The `wat2wasm` command. */
export default function wat2wasm(argv: string[], io: CliIO): number {
  let input: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-o" || a === "--output") {
      output = argv[++i];
      if (output === undefined) throw new UsageError("-o needs a file name");
    } else if (a.startsWith("-") && a !== "-") {
      throw new UsageError(`unknown option ${a}`);
    } else if (input === undefined) {
      input = a;
    } else {
      throw new UsageError("wat2wasm takes one input file");
    }
  }
  if (input === undefined) throw new UsageError("wat2wasm takes an input file: wat2wasm IN -o OUT");
  const text = readFileSync(input === "-" ? 0 : input, "utf8");
  const bytes = isComponentText(text) ? parseComponentText(text, { file: input }) : watToBinary(text, { file: input });
  const out = output ?? (input === "-" ? undefined : input.replace(/\.(wat|wast|txt)$/i, "") + ".wasm");
  if (out === undefined) throw new UsageError("reading stdin needs -o OUT");
  writeFileSync(out, bytes);
  io.out(`wrote ${out} (${bytes.length} bytes)\n`);
  return 0;
}
