/**
 * The canonical ABI's traps, worded as Wasmtime words them so that the component test suites' expected
 * texts are substrings of ours.
 *
 * Wasmtime words some traps differently when the host lifts or lowers a value (its typed and dynamic
 * `Func::call`) than when a fused adapter copies a value between two components: a string out of
 * bounds is "string pointer/length out of bounds of memory" for the first and "string content
 * out-of-bounds" for the second. `AbiMessages` holds both sets; a context picks one.
 *
 * @module
 */
import { Trap } from "../../errors.js";

/** A canonical ABI trap: code `canonical_abi`, message `wasm trap: <text>`. */
export function abiTrap(text: string): Trap {
  return new Trap("canonical_abi", [], { message: text });
}

/** The texts that depend on who copies the value. */
export interface AbiMessages {
  readonly stringBounds: string;
  readonly listBounds: string;
  readonly listAlign: string;
  readonly stringAlign: string;
  readonly reallocAlign: string;
  /** `realloc` returned memory out of bounds, for a string (the list text is `reallocListBounds`). */
  readonly reallocStringBounds: string;
  readonly reallocListBounds: string;
  readonly pointerAlign: string;
  readonly pointerBounds: string;
}

/** Texts for values the host lifts from or lowers into a guest. */
export const HOST_MESSAGES: AbiMessages = {
  stringBounds: "string pointer/length out of bounds of memory",
  listBounds: "list pointer/length out of bounds of memory",
  listAlign: "list pointer is not aligned",
  stringAlign: "unaligned pointer",
  reallocAlign: "realloc return: result not aligned",
  reallocStringBounds: "realloc return: beyond end of memory",
  reallocListBounds: "realloc return: beyond end of memory",
  pointerAlign: "pointer not aligned",
  pointerBounds: "pointer out of bounds of memory",
};

/** Texts for values copied between two component instances (Wasmtime's fused adapters). */
export const FUSED_MESSAGES: AbiMessages = {
  stringBounds: "string content out-of-bounds",
  listBounds: "list content out-of-bounds",
  listAlign: "unaligned pointer",
  stringAlign: "unaligned pointer",
  reallocAlign: "unaligned pointer",
  reallocStringBounds: "string content out-of-bounds",
  reallocListBounds: "list content out-of-bounds",
  pointerAlign: "unaligned pointer",
  pointerBounds: "pointer out of bounds of memory",
};

/** Texts that do not depend on who copies. */
export const MESSAGES = {
  char: "invalid `char` bit pattern",
  discriminant: "invalid variant discriminant",
  flags: "invalid flags: bits set beyond the declared flags",
  utf16: "invalid utf-16: lone surrogate found",
  borrowsRemain: "borrow handles still remain at the end of the call",
  noTaskReturn: "async-lifted export failed to produce a result",
  taskReturned: "task.return called more than once or outside an async task",
  stringTooLong: "string byte length exceeds 2^28 - 1",
  listTooLong: "list byte length exceeds 2^28 - 1",
  unknownHandle: (i: number) => `unknown handle index ${i}`,
  wrongHandleType: (i: number, expectedGuest: boolean, foundGuest: boolean) =>
    `handle index ${i} used with the wrong type, expected ${expectedGuest ? "guest" : "host"}-defined resource but found a different ${foundGuest ? "guest" : "host"}-defined resource`,
  lent: "cannot remove owned resource while borrowed",
  notOwned: (i: number) => `handle index ${i} is a borrow, not an owned resource`,
  tableFull: "resource table has no free slot",
} as const;

/** The trap for leaving an instance that may not be left (a call out during `realloc` or `post-return`). */
export function cannotLeave(): Trap {
  return new Trap("cannot_leave_component");
}

/** The trap for entering an instance that may not be entered (re-entrance). */
export function cannotEnter(): Trap {
  return new Trap("cannot_enter_component");
}

/**
 * The trap for invalid UTF-8, in the words of Rust's `str::from_utf8` error that Wasmtime reports:
 * `invalid utf-8 sequence of 1 bytes from index 3` or `incomplete utf-8 byte sequence from index 3`.
 * Runs only once decoding has already failed.
 */
export function utf8Trap(bytes: Uint8Array): Trap {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const width = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (width === 0) return abiTrap(`invalid utf-8 sequence of 1 bytes from index ${i}`);
    // The second byte's range depends on the first (no overlongs, surrogates or values past U+10FFFF).
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    let k = 1;
    for (; k < width; k++) {
      if (i + k >= n) return abiTrap(`incomplete utf-8 byte sequence from index ${i}`);
      const c = bytes[i + k]!;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) {
        return abiTrap(`invalid utf-8 sequence of ${k} bytes from index ${i}`);
      }
    }
    i += width;
  }
  return abiTrap("invalid utf-8");
}
