/**
 * Telling a component from a core module, binary or text, without loading the component toolchain
 * (the CLI decides with these which of the two it runs, and loads only that one).
 *
 * @module
 */
import { hasWasmMagic } from "../binary/decoder.js";

/** True when `bytes` starts with the component preamble (magic, version 0x0d, layer 1). */
export function isComponentBinary(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 8 && hasWasmMagic(bytes) && bytes[6] === 1 && bytes[7] === 0
  );
}

/** True when a text starts (after comments) with `(component`: a component, not a module. */
export function isComponentText(text: string): boolean {
  return /^(?:\s|;;[^\n]*(?:\n|$)|\(;[\s\S]*?;\))*\(\s*component\b/.test(text);
}
