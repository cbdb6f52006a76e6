/**
 * Instruction names looked up straight from the source text, without slicing it into a string.
 *
 * @module
 */
import { ALL_OPS, type OpInfo, opByName } from "../binary/opcodes.js";

const OP_HASH_BITS = 12;

const OP_TABLE: (OpInfo[] | undefined)[] = new Array(1 << OP_HASH_BITS);

function hashName(src: string, s: number, e: number): number {
  let h = 0;
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + src.charCodeAt(i)) | 0;
  return (h ^ (h >>> 13)) & ((1 << OP_HASH_BITS) - 1);
}
for (const name of new Set(ALL_OPS.map((o) => o.name))) {
  const op = opByName(name)!;
  const h = hashName(name, 0, name.length);
  (OP_TABLE[h] ??= []).push(op);
}

/** The instruction named by `src[s..e)`, or `undefined`. */
export function lookupOp(src: string, s: number, e: number): OpInfo | undefined {
  const bucket = OP_TABLE[hashName(src, s, e)];
  if (bucket === undefined) return undefined;
  const len = e - s;
  for (let k = 0; k < bucket.length; k++) {
    const op = bucket[k]!;
    if (op.name.length === len && src.startsWith(op.name, s)) return op;
  }
  return undefined;
}
