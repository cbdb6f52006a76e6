/**
 * The component binary format: decode a component into `ComponentInfo`, validate it, encode it back.
 *
 * @module
 */
export type * from "./ast.js";
export { COMPONENT_SECTION_ID } from "./ast.js";
export { decodeComponent, decodeComponentNames, isComponentBinary, MAX_NESTING } from "./decoder.js";
export { encodeComponent } from "./encoder.js";
export { CANON_OPS, type CanonOp, type CanonImmediate } from "./canon.js";
