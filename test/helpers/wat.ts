/**
 * Test helper: WAT source -> binary. Uses wasmhost's own text format when it is available, so that the
 * runtime tests also exercise it; until then, the `wabt` devDependency.
 */
import wabtInit from "wabt";

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
const wabt: Wabt = await wabtInit();

/** Assembles `text` (a module in the text format) to a binary. */
export function wat(text: string): Uint8Array {
  const mod = wabt.parseWat("test.wat", text, { multi_value: true, exceptions: true, reference_types: true, bulk_memory: true, threads: true, tail_call: true, simd: true });
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({ write_debug_names: true }).buffer;
  } finally {
    mod.destroy();
  }
}
