/**
 * What the async tests share: the two mechanisms behind the async API, each with the reason it is
 * skipped on this engine (JSPI needs `WebAssembly.Suspending`; the rewrite runs everywhere), and a
 * way to let the event loop turn.
 *
 * @module
 */

/** Whether this engine has JSPI. */
export const HAS_JSPI = typeof (WebAssembly as { Suspending?: unknown }).Suspending === "function";

/** The async mechanisms, each with the reason to skip it here (undefined: it runs). */
export const MECHANISMS = [
  { name: "jspi", skip: HAS_JSPI ? undefined : `this engine (Node ${process.versions.node}) lacks JSPI (WebAssembly.Suspending)` },
  { name: "rewrite", skip: undefined },
] as const;

/** Resolves after `ms` milliseconds (0: the next turn of the event loop). */
export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
