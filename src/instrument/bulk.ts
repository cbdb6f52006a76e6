/**
 * Bulk memory and table instructions on 64-bit memories and tables. Their length operands are i64
 * there, so the passes that weigh or split bulk instructions by their length (fuel's per-unit charge,
 * the interruption pass's chunking) leave them as they are and charge or check their flat cost.
 *
 * @module
 */
import { op } from "../binary/opcodes.js";
import { readLeb } from "./scan.js";

const MEMORY_FILL = op("memory.fill").id;
const MEMORY_COPY = op("memory.copy").id;
const MEMORY_INIT = op("memory.init").id;
const TABLE_FILL = op("table.fill").id;
const TABLE_COPY = op("table.copy").id;
const TABLE_INIT = op("table.init").id;
const TABLE_GROW = op("table.grow").id;

/** Whether memory or table `index` is 64-bit, by index space. */
export interface IndexWidths {
  memory64(index: number): boolean;
  table64(index: number): boolean;
}

/** Every memory and table 32-bit. */
export const NO_64_BIT: IndexWidths = { memory64: () => false, table64: () => false };

/** The end of the LEB128 number at `p`. */
function lebEnd(bytes: Uint8Array, p: number): number {
  while (bytes[p]! & 0x80) p++;
  return p + 1;
}

/**
 * True when bulk instruction `bytes[at..end)` (instruction id `o`, after its 0xfc prefix and
 * sub-opcode) touches a 64-bit memory or table, so that some of its operands are i64.
 */
export function bulkTouches64(bytes: Uint8Array, at: number, end: number, o: number, widths: IndexWidths): boolean {
  const p = lebEnd(bytes, at + 1); // past the prefix and the sub-opcode
  switch (o) {
    case MEMORY_FILL:
      return widths.memory64(readLeb(bytes, p, end));
    case MEMORY_COPY:
      return widths.memory64(readLeb(bytes, p, end)) || widths.memory64(readLeb(bytes, lebEnd(bytes, p), end));
    case MEMORY_INIT:
      return widths.memory64(readLeb(bytes, lebEnd(bytes, p), end)); // data index, then memory
    case TABLE_FILL:
    case TABLE_GROW:
      return widths.table64(readLeb(bytes, p, end));
    case TABLE_COPY:
      return widths.table64(readLeb(bytes, p, end)) || widths.table64(readLeb(bytes, lebEnd(bytes, p), end));
    case TABLE_INIT:
      return widths.table64(readLeb(bytes, lebEnd(bytes, p), end)); // element index, then table
    default:
      return false;
  }
}
