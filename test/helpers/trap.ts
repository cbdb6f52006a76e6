/** Test helper: runs `fn` and returns the `Trap` it throws (failing the test otherwise). */
import assert from "node:assert/strict";
import { Trap } from "../../src/index.js";

/** The Trap that `fn` throws; fails when it returns or throws something else. */
export function trapOf(fn: () => unknown): Trap {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Trap, `expected a Trap, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a trap");
}
