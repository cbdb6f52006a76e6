/**
 * `wasmhost/binary`: the binary format on its own — decode a module into metadata, walk its
 * instructions, and encode metadata back into a binary. The runtime is built on these.
 *
 * @module
 */
export { decodeModule, type DecodeOptions } from "./decoder.js";
export { decodeNameSection, readModuleName } from "./names.js";
export { encodeModule, encodeNameSection, ByteWriter, type EncodeOptions } from "./encoder.js";
export { InstrCursor, skipExpression } from "./instructions.js";
export { ALL_OPS, opByCode, opByName, type ImmKind, type OpInfo } from "./opcodes.js";
export { SectionId, funcCount, funcTypeAt, funcTypeIndex } from "./module-info.js";
export type * from "./module-info.js";
export * as limits from "./limits.js";
