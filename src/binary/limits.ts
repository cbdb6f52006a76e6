/**
 * Caps on what a binary may declare, equal to the limits the JS API's engines agreed on
 * (https://webassembly.github.io/spec/js-api/#limits). Hostile input hits one of these and gets a
 * `CompileError`, never an allocation sized by an attacker.
 *
 * @module
 */

export const MAX_MODULE_SIZE = 1024 * 1024 * 1024;
export const MAX_TYPES = 1_000_000;
export const MAX_FUNCTIONS = 1_000_000;
export const MAX_IMPORTS = 100_000;
export const MAX_EXPORTS = 100_000;
export const MAX_GLOBALS = 1_000_000;
export const MAX_TAGS = 1_000_000;
export const MAX_DATA_SEGMENTS = 100_000;
export const MAX_ELEMENT_SEGMENTS = 10_000_000;
export const MAX_TABLES = 100_000;
export const MAX_MEMORIES = 100_000;
export const MAX_TABLE_SIZE = 10_000_000;
export const MAX_STRING_SIZE = 100_000;
export const MAX_FUNCTION_SIZE = 7_654_321;
export const MAX_FUNCTION_LOCALS = 50_000;
export const MAX_FUNCTION_PARAMS = 1_000;
export const MAX_FUNCTION_RESULTS = 1_000;
export const MAX_STRUCT_FIELDS = 10_000;
export const MAX_REC_GROUP_SIZE = 1_000_000;
export const MAX_SUBTYPE_DEPTH = 63;
/** Pages of a 32-bit memory: 4 GiB. */
export const MAX_MEMORY32_PAGES = 65_536;
/** Pages of a 64-bit memory: 2^48 (2^64 bytes). */
export const MAX_MEMORY64_PAGES = 2 ** 48;
/** Entries in one name map of the name section. */
export const MAX_NAMES = 1_000_000;
