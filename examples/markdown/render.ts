/**
 * The "passing data" example: a Markdown renderer written in C runs in WebAssembly; TypeScript
 * passes it a string and gets HTML back through the guest's linear memory.
 */
import { Engine, Linker, Module, Store } from "../../src/index.js";
import { GuestMemory } from "./guest.js";

/** Renders Markdown with the WebAssembly renderer in `wasmPath`. */
export class MarkdownRenderer {
  private readonly guest: GuestMemory;
  private readonly renderFn: (ptr: number, len: number) => [number, number];

  constructor(wasmPath: string, engine = new Engine()) {
    const instance = new Linker(engine).instantiate(new Store(engine), Module.fromFile(engine, wasmPath));
    this.guest = new GuestMemory(instance);
    this.renderFn = instance.getTypedFunc("render", ["i32", "i32"], ["i32", "i32"]);
  }

  /** Markdown in, HTML out. */
  render(markdown: string): string {
    const [ptr, len] = this.guest.putString(markdown);
    try {
      const [outPtr, outLen] = this.renderFn(ptr, len);
      if (outPtr === 0) throw new RangeError("the renderer ran out of memory");
      return this.guest.takeString(outPtr, outLen);
    } finally {
      this.guest.release(ptr);
    }
  }
}
