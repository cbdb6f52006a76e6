/**
 * WAT -> binary throughput against the `wabt` npm package (an emscripten build of wabt's wat2wasm),
 * on multi-MB text: the printout of one of our C programs (test/fixtures/wasi/files.wasm, compiled
 * against WASI libc) with its code repeated to reach about 4 MB and 25 MB of text. wabt.js runs on the
 * 4 MB text only (it does not finish the large one in minutes); ours also runs the 25 MB text to show
 * that time grows linearly with size.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";
import { decodeModule } from "../src/binary/decoder.js";
import { encodeModule } from "../src/binary/encoder.js";
import type { ModuleInfo } from "../src/binary/module-info.js";
import { printModule, watToBinary } from "../src/text/index.js";
import { compare, compareThroughput, type BenchRow, type BenchSuite } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, "..", "..", "test", "fixtures", "wasi", "files.wasm");

/** The fixture with its functions repeated `copies` times (no name section), printed flat. */
function bigText(base: ModuleInfo, copies: number): string {
  const functions: number[] = [];
  const code: ModuleInfo["code"][number][] = [];
  for (let i = 0; i < copies; i++) {
    functions.push(...base.functions);
    code.push(...base.code);
  }
  const info: ModuleInfo = {
    ...base,
    functions,
    code,
    customSections: [], // wabt.js does not read @custom annotations
    names: { ...base.names, functions: new Map(), locals: new Map() },
  };
  return printModule(encodeModule(info), { folded: false });
}

const suite: BenchSuite = {
  title: "Text format: WAT -> binary",
  async run(): Promise<BenchRow[]> {
    const base = decodeModule(new Uint8Array(readFileSync(FIXTURE)));
    const unit = printModule(encodeModule({ ...base, customSections: [] }), { folded: false }).length;
    const small = bigText(base, Math.max(1, Math.round(4e6 / unit)));
    const large = bigText(base, Math.max(1, Math.round(25e6 / unit)));
    const wabt = await wabtInit();
    const features = { multi_value: true, bulk_memory: true, reference_types: true, sat_float_to_int: true, sign_extension: true, mutable_globals: true, simd: true };
    const viaWabt = (text: string) => {
      const m = wabt.parseWat("big.wat", text, features);
      try {
        return m.toBinary({}).buffer;
      } finally {
        m.destroy();
      }
    };
    // Check that both produce a module of the same size class.
    const ours4 = watToBinary(small);
    const theirs4 = viaWabt(small);
    if (Math.abs(ours4.length - theirs4.length) > ours4.length * 0.05) {
      throw new Error(`size mismatch: ours ${ours4.length} bytes, wabt ${theirs4.length} bytes`);
    }
    const mb = (s: string) => s.length / 1e6;
    // Both sides get the same warm-up (JIT tiers settle after a few runs) and alternate rounds.
    const speed = compareThroughput(`WAT->binary, ${mb(small).toFixed(1)} MB of text`, "wabt.js parseWat+toBinary", small.length,
      () => watToBinary(small), () => viaWabt(small), { warmup: 4, rounds: 7, goal: 1 });
    // Linear scaling: ours on the large text against ours on the small one, alternating as well.
    const scaling = compare("large vs small", "small", () => watToBinary(large), () => watToBinary(small), { warmup: 1, rounds: 3 });
    const sizeRatio = large.length / small.length;
    return [
      speed,
      {
        name: `WAT->binary, ${mb(large).toFixed(1)} MB of text (ours only: time vs the ${mb(small).toFixed(1)} MB run)`,
        anchor: "size ratio (linear scaling)",
        ours: scaling.ratio,
        theirs: sizeRatio,
        ratio: scaling.ratio / sizeRatio,
        goal: 1.25,
        unit: "x",
      },
    ];
  },
};

export default suite;
