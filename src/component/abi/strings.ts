/**
 * Strings across the canonical ABI: lifting from and lowering into linear memory in the three string
 * encodings, with the spec's `realloc` call sequence (`CanonicalABI.md`, "Loading" and "Storing").
 *
 * JS strings are UTF-16, so a string from the host is lowered as a UTF-16 source: for a UTF-8 guest
 * that means "allocate one byte per code unit, copy ASCII, and on the first non-ASCII code unit grow
 * to the worst case (3 bytes per unit), then shrink to fit". `TextEncoder.encodeInto` does the copying
 * (a short-ASCII loop for small strings, where the call costs more than it saves); `TextDecoder` in
 * fatal mode does the decoding, so invalid UTF-8 or UTF-16 traps instead of becoming U+FFFD.
 *
 * @module
 */
import type { AbiContext } from "./context.js";
import { MAX_BYTE_LENGTH } from "./layout.js";
import { abiTrap, MESSAGES, utf8Trap } from "./traps.js";

/** The `latin1+utf16` tag bit of a 32-bit tagged code unit count. */
const UTF16_TAG = 0x8000_0000;
/** Strings up to this many bytes are decoded and encoded by a JS loop when they are ASCII. */
const SHORT = 24;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf16Decoder = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** `load_string_from_range`: the string at `ptr` of `tagged` code units in the context's encoding. */
export function liftString(cx: AbiContext, ptr: number, tagged: number): string {
  let byteLength: number;
  let align: number;
  let kind: 0 | 1 | 2; // utf8, utf16, latin1
  switch (cx.stringEncoding) {
    case "utf8":
      byteLength = tagged;
      align = 1;
      kind = 0;
      break;
    case "utf16":
      byteLength = 2 * tagged;
      align = 2;
      kind = 1;
      break;
    default:
      align = 2;
      if (tagged & UTF16_TAG) {
        byteLength = 2 * (tagged ^ UTF16_TAG);
        kind = 1;
      } else {
        byteLength = tagged;
        kind = 2;
      }
  }
  cx.sync();
  const u8 = cx.u8;
  if (byteLength > MAX_BYTE_LENGTH && ptr + byteLength <= u8.length) throw abiTrap(MESSAGES.stringTooLong);
  if ((ptr & (align - 1)) !== 0) throw abiTrap(cx.messages.stringAlign);
  if (ptr + byteLength > u8.length) throw abiTrap(cx.messages.stringBounds);
  if (kind === 0) {
    if (byteLength <= SHORT) {
      let s = "";
      let i = ptr;
      const end = ptr + byteLength;
      for (; i < end; i++) {
        const b = u8[i]!;
        if (b >= 0x80) break;
        s += String.fromCharCode(b);
      }
      if (i === end) return s;
    }
    const bytes = u8.subarray(ptr, ptr + byteLength);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw utf8Trap(bytes);
    }
  }
  if (kind === 1) {
    try {
      return utf16Decoder.decode(u8.subarray(ptr, ptr + byteLength));
    } catch {
      throw abiTrap(MESSAGES.utf16);
    }
  }
  return latin1(u8, ptr, byteLength);
}

function latin1(u8: Uint8Array, ptr: number, length: number): string {
  let s = "";
  for (let at = ptr, end = ptr + length; at < end; at += 0x2000) {
    s += String.fromCharCode.apply(null, u8.subarray(at, Math.min(end, at + 0x2000)) as unknown as number[]);
  }
  return s;
}

/** The number of UTF-8 bytes of a well-formed string. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // a surrogate pair: 2 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * `store_string_into_range`: lowers `s` into the context's memory with its `realloc`, as the spec
 * does for a source in `cx.sourceEncoding`. Returns the pointer; the (tagged) code unit count is left
 * in `cx.stringUnits`. `s` must be well formed (no lone surrogates); the caller checked it.
 */
export function lowerString(cx: AbiContext, s: string): number {
  switch (cx.stringEncoding) {
    case "utf8":
      switch (cx.sourceEncoding) {
        case "utf8":
          return copyString(cx, s, utf8Length(s), 1);
        case "latin1+utf16":
          if (isLatin1(s)) return toUtf8(cx, s, 2);
          return toUtf8(cx, s, 3);
        default:
          return toUtf8(cx, s, 3);
      }
    case "utf16":
      if (cx.sourceEncoding === "utf8") return utf8ToUtf16(cx, s);
      return copyString(cx, s, s.length, 2);
    default:
      switch (cx.sourceEncoding) {
        case "utf8":
          return toLatin1OrUtf16(cx, s, utf8Length(s));
        case "utf16":
          return toLatin1OrUtf16(cx, s, s.length);
        default:
          if (isLatin1(s)) return copyString(cx, s, s.length, 3);
          return probablyUtf16(cx, s);
      }
  }
}

/** Writes UTF-16LE code units of `s` from index `from` at byte `at`. */
function writeUtf16(u8: Uint8Array, at: number, s: string, from: number): void {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    u8[at++] = c & 0xff;
    u8[at++] = c >>> 8;
  }
}

/**
 * `store_string_copy`: one allocation of the exact size. `unit` is 1 (UTF-8), 2 (UTF-16) or 3
 * (Latin-1 into a `latin1+utf16` memory: 1-byte units, 2-byte alignment).
 */
function copyString(cx: AbiContext, s: string, units: number, unit: 1 | 2 | 3): number {
  const size = unit === 2 ? 2 * units : units;
  const ptr = cx.reallocate(0, 0, unit === 1 ? 1 : 2, size, false);
  const u8 = cx.u8;
  if (unit === 1) encoder.encodeInto(s, u8.subarray(ptr, ptr + size));
  else if (unit === 2) writeUtf16(u8, ptr, s, 0);
  else for (let i = 0; i < s.length; i++) u8[ptr + i] = s.charCodeAt(i);
  cx.stringUnits = units;
  return ptr;
}

/**
 * `store_string_to_utf8` from a UTF-16 (`worst` = 3) or Latin-1 (`worst` = 2) source of `s.length`
 * code units: allocate one byte per unit, copy while ASCII, then grow to the worst case and shrink.
 */
function toUtf8(cx: AbiContext, s: string, worst: 2 | 3): number {
  const n = s.length;
  let ptr = cx.reallocate(0, 0, 1, n, false);
  let u8 = cx.u8;
  let read: number;
  let written: number;
  if (n <= SHORT) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      u8[ptr + i] = c;
    }
    read = written = i;
  } else {
    const r = encoder.encodeInto(s, u8.subarray(ptr, ptr + n));
    read = r.read;
    written = r.written;
  }
  if (read === n) {
    cx.stringUnits = n;
    return ptr;
  }
  const worstSize = worst * n;
  ptr = cx.reallocate(ptr, n, 1, worstSize, false);
  u8 = cx.u8;
  const rest = encoder.encodeInto(read === 0 ? s : s.substring(read), u8.subarray(ptr + written, ptr + worstSize));
  const length = written + rest.written;
  if (worstSize > length) ptr = cx.reallocate(ptr, worstSize, 1, length, false);
  cx.stringUnits = length;
  return ptr;
}

/** `store_utf8_to_utf16`: allocate two bytes per UTF-8 byte, write UTF-16, shrink to fit. */
function utf8ToUtf16(cx: AbiContext, s: string): number {
  const worstSize = 2 * utf8Length(s);
  let ptr = cx.reallocate(0, 0, 2, worstSize, false);
  writeUtf16(cx.u8, ptr, s, 0);
  const length = 2 * s.length;
  if (length < worstSize) ptr = cx.reallocate(ptr, worstSize, 2, length, false);
  cx.stringUnits = s.length;
  return ptr;
}

/**
 * `store_string_to_latin1_or_utf16` from a source of `units` code units: Latin-1 while every code
 * point fits a byte; else inflate what was written to UTF-16 and continue in UTF-16.
 */
function toLatin1OrUtf16(cx: AbiContext, s: string, units: number): number {
  let ptr = cx.reallocate(0, 0, 2, units, false);
  let u8 = cx.u8;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) break;
    u8[ptr + i] = c;
  }
  if (i === s.length) {
    if (i < units) ptr = cx.reallocate(ptr, units, 2, i, false);
    cx.stringUnits = i;
    return ptr;
  }
  const worstSize = 2 * units;
  ptr = cx.reallocate(ptr, units, 2, worstSize, false);
  u8 = cx.u8;
  for (let j = i - 1; j >= 0; j--) {
    u8[ptr + 2 * j] = u8[ptr + j]!;
    u8[ptr + 2 * j + 1] = 0;
  }
  writeUtf16(u8, ptr + 2 * i, s, i);
  const length = 2 * s.length;
  if (worstSize > length) ptr = cx.reallocate(ptr, worstSize, 2, length, false);
  cx.stringUnits = (s.length | UTF16_TAG) >>> 0;
  return ptr;
}

/** `store_probably_utf16_to_latin1_or_utf16`: copy as UTF-16, then compact to Latin-1 if it fits. */
function probablyUtf16(cx: AbiContext, s: string): number {
  const size = 2 * s.length;
  let ptr = cx.reallocate(0, 0, 2, size, false);
  const u8 = cx.u8;
  writeUtf16(u8, ptr, s, 0);
  if (!isLatin1(s)) {
    cx.stringUnits = (s.length | UTF16_TAG) >>> 0;
    return ptr;
  }
  for (let i = 0; i < s.length; i++) u8[ptr + i] = u8[ptr + 2 * i]!;
  ptr = cx.reallocate(ptr, size, 1, s.length, false);
  cx.stringUnits = s.length;
  return ptr;
}
