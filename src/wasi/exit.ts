/**
 * `WasiExit`: what `proc_exit` throws to unwind the guest. `Wasi.start` catches it and returns the code;
 * it reaches you only when you call a guest export yourself and the guest exits inside it.
 *
 * @module
 */

/** The guest called `proc_exit(code)` (or was ended by `proc_raise`). */
export class WasiExit extends Error {
  /** The exit code (an unsigned 32-bit number). */
  readonly code: number;
  constructor(code: number) {
    super(`WASI program exited with code ${code}`);
    this.name = "WasiExit";
    this.code = code;
  }
}
