/**
 * A reference for fuel (issue 8): the same module rewritten the simplest way, adding each
 * instruction's cost to a counter right before the instruction runs (and the entry cost at each
 * function's start), with no segments, no local copy, no threading and nothing given back after a
 * trap. Slow, but obviously exact, so that the fuel the real pass bills — before a return, an engine
 * trap of any kind or a host call — can be checked against it on random modules. Bulk instructions
 * cost their flat cost here: compare with `fuelBulkPerUnit: false`.
 */
import { decodeModule } from "../../src/binary/decoder.js";
import { FUNCTION_ENTRY_COST, fuelCostTable } from "../../src/instrument/fuel-costs.js";
import { HOST_MODULE, rewriteModule, type BodyPass, type FunctionContext } from "../../src/instrument/rewrite.js";
import { ByteSink } from "../../src/instrument/sink.js";

/** The import (under `HOST_MODULE`) holding the counter: a mutable i64 global the caller creates. */
export const REFERENCE_COUNTER = "count";

/** `bytes` rewritten to count what it runs in the imported global `REFERENCE_COUNTER`. */
export function referenceMetered(bytes: Uint8Array): Uint8Array {
  const info = decodeModule(bytes);
  const costs = fuelCostTable();
  const counter = info.importedGlobals; // the added import comes after the module's own global imports
  const snippets = new Map<number, { bytes: Uint8Array; trapAt: number; trapKind: number }>();
  const add = (cost: number) => {
    let s = snippets.get(cost);
    if (!s) {
      const b = new ByteSink(24);
      b.u8(0x23); b.u32(counter); // global.get
      b.u8(0x42); b.sleb(cost); // i64.const
      b.u8(0x7c); // i64.add
      b.u8(0x24); b.u32(counter); // global.set
      snippets.set(cost, (s = { bytes: b.view().slice(), trapAt: -1, trapKind: 0 }));
    }
    return s;
  };
  const pass: BodyPass = {
    visit(fn: FunctionContext): void {
      const { n, op } = fn.scan;
      for (let i = 0; i < n; i++) {
        const cost = costs[op[i]!]! + (i === 0 ? FUNCTION_ENTRY_COST : 0);
        if (cost > 0) fn.insert(i, add(cost));
      }
    },
  };
  return rewriteModule(info, {
    globals: [{ name: REFERENCE_COUNTER, type: "i64", mutable: true }],
    definedGlobals: [],
    funcs: [],
    importMemories: false,
    importTables: false,
    passes: [pass],
  }).bytes;
}

export { HOST_MODULE };
