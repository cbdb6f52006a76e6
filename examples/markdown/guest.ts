/**
 * A small allocator helper for passing data through a guest's linear memory: it copies inputs in
 * with the guest's own `malloc`, and frees what it allocated when the work is done.
 */
import type { Instance, Memory } from "../../src/index.js";

/** Strings and bytes in and out of a guest that exports `memory`, `malloc` and `free`. */
export class GuestMemory {
  readonly memory: Memory;
  private readonly malloc: (size: number) => number;
  private readonly free: (ptr: number) => void;
  private static readonly encoder = new TextEncoder();

  constructor(instance: Instance) {
    const memory = instance.getMemory("memory");
    if (!memory) throw new Error("the guest exports no memory");
    this.memory = memory;
    this.malloc = instance.getTypedFunc("malloc", ["i32"], ["i32"]);
    this.free = instance.getTypedFunc("free", ["i32"], []);
  }

  /** Copies `text` into guest memory as UTF-8 and returns `[ptr, len]`; release it with `release`. */
  putString(text: string): [ptr: number, len: number] {
    const bytes = GuestMemory.encoder.encode(text);
    const ptr = this.malloc(bytes.length);
    if (ptr === 0) throw new RangeError(`the guest could not allocate ${bytes.length} bytes`);
    this.memory.write(ptr, bytes);
    return [ptr, bytes.length];
  }

  /** Reads `len` bytes at `ptr` as UTF-8, then frees `ptr` with the guest's `free`. */
  takeString(ptr: number, len: number): string {
    try {
      return this.memory.readString(ptr, len);
    } finally {
      this.free(ptr);
    }
  }

  /** Frees memory the guest allocated. */
  release(ptr: number): void {
    this.free(ptr);
  }
}
