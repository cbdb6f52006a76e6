/**
 * The unwind/rewind rewrite on the fuzz corpus (test/fixtures/fuzz, binaryen's random modules): with
 * the `fuzzing-support` log imports made async (each awaits, then logs), every export called through
 * `callAsync` must give the plain run's transcript (test/helpers/differential.ts): the same results,
 * traps and logs in order. Random control flow around calls that suspend is what the rewrite, and its
 * liveness analysis (which locals a frame saves), must get right. Modules the rewrite refuses (a
 * CompileError naming what it cannot handle) are counted, not compared.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { CompileError, Engine, Linker, Module, Store } from "../../../src/index.js";
import { argsFor, describe, show, transcript } from "../../helpers/differential.js";

const dir = new URL("../../../../test/fixtures/fuzz/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".wasm")).sort();

/** The transcript with the log imports async (null when the rewrite refuses the module). */
async function asyncTranscript(bytes: Uint8Array): Promise<string[] | null> {
  const out: string[] = [];
  const engine = new Engine({ asyncSupport: true, asyncMechanism: "rewrite" });
  const store = new Store(engine);
  const linker = new Linker(engine);
  for (const [name, type] of [["log-i32", "i32"], ["log-i64", "i64"], ["log-f32", "f32"], ["log-f64", "f64"]] as const) {
    linker.defineFuncAsync("fuzzing-support", name, { params: [type], results: [] }, async (_caller, v: unknown) => {
      await Promise.resolve();
      out.push(`  log ${show(v)}`);
    });
  }
  const module = new Module(engine, bytes);
  let instance;
  try {
    instance = linker.instantiate(store, module);
  } catch (e) {
    if (e instanceof CompileError && /async rewrite cannot handle/.test(e.message)) return null;
    out.push(`instantiate: ${describe(e)}`);
    return out;
  }
  const reset = instance.getFunc("hangLimitInitializer");
  for (const round of [0, 1]) {
    for (const e of module.info.exports) {
      if (e.kind !== "func" || e.name === "hangLimitInitializer") continue;
      const f = instance.getFunc(e.name)!;
      const args = argsFor(f.type.params, round);
      try {
        await reset?.callAsync();
        out.push(`${e.name}(${args.map(show).join(",")}) = ${show(await f.callAsync(...args))}`);
      } catch (err) {
        out.push(`${e.name}(${args.map(show).join(",")}) ${describe(err)}`);
      }
    }
  }
  return out;
}

test("fuzz corpus with async log imports (rewrite): the plain run's transcript", async () => {
  let compared = 0;
  const refused: string[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(new URL(file, dir)));
    const plain = transcript(bytes, { config: {} });
    const got = await asyncTranscript(bytes);
    if (got === null) {
      refused.push(file);
      continue;
    }
    assert.deepEqual(got, plain, file);
    compared++;
  }
  // 11 of the 28 modules are accepted today (binaryen likes blocks with results around calls).
  assert.ok(compared >= 10, `compared ${compared} of ${files.length}; refused: ${refused.join(", ")}`);
});
