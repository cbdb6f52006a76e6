/**
 * The component binary format: decode a component into `ComponentInfo`, validate it (resolving its
 * types into the shared type model), encode it back.
 *
 * @module
 */
export type * from "./ast.js";
export { COMPONENT_SECTION_ID, definitionSorts } from "./ast.js";
export { decodeComponent, decodeComponentNames, MAX_NESTING } from "./decoder.js";
export { isComponentBinary } from "../detect.js";
export { encodeComponent } from "./encoder.js";
export { CANON_OPS, type CanonOp, type CanonImmediate } from "./canon.js";
export {
  validateComponent,
  type ComponentSpaces,
  type TypeEntry,
  type ValidatedComponent,
  type ComponentFeatures,
  type ValidateOptions,
} from "./validate.js";
export type { CoreExtern, CoreFuncSig, CoreInstanceSig, CoreModuleSig, CoreTypeEntry } from "./core-sigs.js";
export { flattenFuncType, flattenType, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from "./flatten.js";
