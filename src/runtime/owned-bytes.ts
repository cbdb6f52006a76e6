/**
 * Who owns the bytes a module or component is compiled from. A `Module` keeps its binary: names,
 * function bodies and custom sections are decoded from it on first use, and the variants compiled
 * later (for stores with size limits, for async imports) are rewritten from it; a `Component` keeps
 * its binary for `serialize`. So a compiled module must not share its caller's buffer: a caller that
 * reuses the buffer (reads the next file into it) would change the module's export names, and the
 * code of its later variants, under it. The public entry points therefore take a copy, as
 * `WebAssembly.Module` does. Buffers wasmhost made itself (a file it read, text it assembled, a
 * component's own copy of its core modules) are handed over instead and kept as they are: copying
 * them would only cost time (3-4 ms per MB in a fresh process on the 2-core machine) and memory.
 *
 * @module
 */

const handedOver = new WeakSet<Uint8Array>();

/**
 * @internal Hands `bytes` over to the module or component about to be compiled from them, which keeps
 * them instead of a copy. Only for buffers wasmhost made and no one else holds.
 */
export function handOver<T extends Uint8Array>(bytes: T): T {
  handedOver.add(bytes);
  return bytes;
}

/** @internal The bytes to keep for `bytes`: themselves if they were handed over, else a copy. */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  // `new Uint8Array(view)` copies the elements (also of a Node Buffer, whose `slice()` would be a view).
  return handedOver.delete(bytes) ? bytes : new Uint8Array(bytes);
}
