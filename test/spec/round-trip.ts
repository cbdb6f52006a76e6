/**
 * The print -> parse round trip: a module printed by `printModule` (flat and folded) must assemble
 * back to exactly the same bytes.
 */
import { printModule, watToBinary } from "../../src/text/index.js";

/** Returns why `bytes` does not survive print -> parse, or `undefined` when it does. */
export function checkRoundTrip(bytes: Uint8Array): string | undefined {
  for (const folded of [false, true]) {
    let text: string;
    try {
      text = printModule(bytes, { folded });
    } catch (e) {
      return `${folded ? "folded" : "flat"} print fails: ${(e as Error).message.split("\n")[0]}`;
    }
    let again: Uint8Array;
    try {
      again = watToBinary(text, { file: folded ? "folded.wat" : "flat.wat" });
    } catch (e) {
      return `${folded ? "folded" : "flat"} print does not parse: ${(e as Error).message.split("\n")[0]}`;
    }
    if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
      const at = again.findIndex((b, i) => b !== bytes[i]);
      return `${folded ? "folded" : "flat"} print parses to different bytes (first difference at 0x${(at < 0 ? Math.min(again.length, bytes.length) : at).toString(16)})`;
    }
  }
  return undefined;
}
