/**
 * Growing the typed arrays the rewrite keeps per body (they keep their room from body to body).
 *
 * @module
 */

/** A typed array the rewrite grows. */
type Grown = Int32Array | Uint8Array | Uint16Array | Float64Array;

/** A new array of `a`'s kind with room for `size` elements, holding `a`'s elements at the start. */
export function grown<A extends Grown>(a: A, size: number): A {
  const b = new (a.constructor as new (n: number) => A)(size);
  b.set(a as never);
  return b;
}
