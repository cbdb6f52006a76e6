/**
 * Spelling values in the text format: identifiers, string literals and float literals, each of which
 * parses back to exactly what was printed (used by the module and component printers).
 *
 * @module
 */
import { isIdChar } from "./lexer.js";

/** `$name` or `$"escaped name"`. */
export function formatId(name: string): string {
  let plain = name.length > 0;
  for (let i = 0; i < name.length && plain; i++) plain = isIdChar(name.charCodeAt(i));
  if (plain) return `$${name}`;
  // Quoted: printable characters (Unicode included) as they are, the rest escaped.
  let out = "";
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || c === 0x22 || c === 0x5c) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return `$"${out}"`;
}

/** A string literal for `bytes`: printable ASCII kept, everything else as `\hh`. */
export function formatString(bytes: Uint8Array): string {
  const parts: string[] = [];
  let run = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) run += String.fromCharCode(b);
    else run += `\\${HEX2[b]}`;
    if (run.length > 4096) {
      parts.push(run);
      run = "";
    }
  }
  parts.push(run);
  return `"${parts.join("")}"`;
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** An f32 literal for `bits` that parses back to the same bits. */
export function formatF32(bits: number): string {
  const sign = bits >>> 31 ? "-" : "";
  if ((bits & 0x7f800000) === 0x7f800000) {
    const payload = bits & 0x7fffff;
    if (payload === 0) return `${sign}inf`;
    return payload === 0x400000 ? `${sign}nan` : `${sign}nan:0x${payload.toString(16)}`;
  }
  U32[0] = bits;
  // The f32 value is exact as a double; its shortest double spelling rounds back to the same f32.
  const x = F32[0]!;
  return Object.is(x, -0) ? "-0" : String(x);
}

/** An f64 literal for `bits` that parses back to the same bits. */
export function formatF64(bits: bigint): string {
  const sign = bits >> 63n ? "-" : "";
  if ((bits & 0x7ff0000000000000n) === 0x7ff0000000000000n) {
    const payload = bits & 0xfffffffffffffn;
    if (payload === 0n) return `${sign}inf`;
    return payload === 0x8000000000000n ? `${sign}nan` : `${sign}nan:0x${payload.toString(16)}`;
  }
  U64[0] = bits;
  const x = F64[0]!;
  return Object.is(x, -0) ? "-0" : String(x);
}
