/**
 * Spec commands expected to fail, each with its reason: `file:line` -> why. The runner fails a run in
 * which a listed command passes, so this list only ever shrinks when the engine or wasmhost improves.
 *
 * Reasons name the engine (V8 in Node 20) when the engine is at fault.
 */
export const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map<string, string>([
]);
