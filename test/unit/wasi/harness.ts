/**
 * Calls WASI functions directly on a bare memory, so that tests can lay out guest memory byte by byte
 * and read back exactly what a call wrote.
 */
import { Wasi, type WasiOptions } from "../../../src/wasi/index.js";

/** A Wasi bound to a fresh one-page (or larger) memory, with helpers to poke guest memory. */
export function bare(options: WasiOptions = {}, pages = 1) {
  const wasi = new Wasi(options);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 100 });
  wasi.setMemory(memory);
  const imports = wasi.getImports();
  const p1 = imports.wasi_snapshot_preview1!;
  const p0 = imports.wasi_unstable!;
  const enc = new TextEncoder();
  const call = (name: string, ...args: unknown[]): number => p1[name]!.fn(...args) as number;
  const call0 = (name: string, ...args: unknown[]): number => p0[name]!.fn(...args) as number;
  return {
    wasi,
    memory,
    call,
    call0,
    u8: () => new Uint8Array(memory.buffer),
    dv: () => new DataView(memory.buffer),
    /** Writes UTF-8 text at `addr`; returns its byte length. */
    put(addr: number, text: string | Uint8Array): number {
      const b = typeof text === "string" ? enc.encode(text) : text;
      new Uint8Array(memory.buffer).set(b, addr);
      return b.length;
    },
    get(addr: number, len: number): string {
      return new TextDecoder().decode(new Uint8Array(memory.buffer, addr, len));
    },
    /** path_open relative to `dir`; returns [errno, fd]. */
    open(dir: number, path: string, oflags = 0, rights = 0x1fffffffn, fdflags = 0, follow = 1): [number, number] {
      const len = this.put(1000, path);
      const e = call("path_open", dir, follow, 1000, len, oflags, rights, 0x1fffffffn, fdflags, 2000);
      return [e, new DataView(memory.buffer).getUint32(2000, true)];
    },
  };
}
