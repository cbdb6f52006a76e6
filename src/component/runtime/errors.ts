/**
 * `ComponentError`: the error case of a `result` crossing the host boundary.
 *
 * @module
 */

/**
 * The error case of a `result` crossing the boundary as a function's result: a component function
 * that returns `err(e)` throws it (with `payload` = `e`), and a host function throws it to return
 * `err(e)`.
 */
export class ComponentError extends Error {
  /** The `err` payload. */
  readonly payload: unknown;

  constructor(payload: unknown, message?: string) {
    super(message ?? `component function returned an error: ${describePayload(payload)}`);
    this.name = "ComponentError";
    this.payload = payload;
  }
}

function describePayload(p: unknown): string {
  try {
    return typeof p === "string" ? p : JSON.stringify(p, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(p);
  } catch {
    return String(p);
  }
}

/** Makes the `ComponentError` for an `err` payload. */
export const makeComponentError = (payload: unknown): Error => new ComponentError(payload);
/** Whether `e` is a `ComponentError`. */
export const isComponentError = (e: unknown): e is ComponentError => e instanceof ComponentError;
