/**
 * Which functions of a module can reach an async import, through the call graph: direct calls, and
 * indirect ones (`call_indirect`, `call_ref`) soundly — an indirect call of type T may reach every
 * function of a type structurally equal to T that the module could put in a table or make a reference
 * of (element segments, `ref.func`, exports: the host can put an exported function in a table) and
 * every imported function of that type. Only the functions found here are rewritten.
 *
 * @module
 */
import { op } from "../binary/opcodes.js";
import type { ModuleInfo } from "../binary/module-info.js";
import { funcTypeAt } from "../binary/module-info.js";
import { BodyScan, readLeb, RefKind } from "./scan.js";

const CALL = op("call").id;
const RETURN_CALL = op("return_call").id;
const CALL_INDIRECT = op("call_indirect").id;
const RETURN_CALL_INDIRECT = op("return_call_indirect").id;
const CALL_REF = op("call_ref").id;
const RETURN_CALL_REF = op("return_call_ref").id;
const REF_FUNC = op("ref.func").id;

/** The structural key of function type `typeIndex` (indirect calls match types structurally). */
export function typeKey(info: ModuleInfo, typeIndex: number): string {
  const t = funcTypeAt(info, typeIndex);
  return t ? JSON.stringify([t.params, t.results]) : `#${typeIndex}`;
}

/** The type index of function `f` (imported or defined). */
export function funcTypeIndex(info: ModuleInfo, f: number): number {
  if (f < info.importedFuncs) {
    let k = 0;
    for (const imp of info.imports) {
      if (imp.kind !== "func") continue;
      if (k++ === f) return imp.typeIndex;
    }
    return -1;
  }
  return info.functions[f - info.importedFuncs] ?? -1;
}

/** The call graph facts `reachingFunctions` needs, and what the rewrite reuses. */
export interface CallGraph {
  /** For each function (imported first): 1 when it can reach an async import (or is one). */
  readonly reaches: Uint8Array;
  /** Type keys of indirect calls that may reach an async import. */
  readonly reachingIndirect: ReadonlySet<string>;
  /**
   * Tables whose every indirect call may reach an async import, whatever its type: tables another
   * instance may fill with functions that suspend (see `sharedTables`).
   */
  readonly reachingTables: ReadonlySet<number>;
}

/** The tables of `info` that other instances can see (imported or exported). */
export function sharedTables(info: ModuleInfo): Set<number> {
  const out = new Set<number>();
  for (let t = 0; t < info.importedTables; t++) out.add(t);
  for (const e of info.exports) if (e.kind === "table") out.add(e.index);
  return out;
}

/**
 * The functions that can reach one of `asyncImports` (function indices of imports).
 *
 * @throws CompileError when a body cannot be scanned.
 */
export function reachingFunctions(info: ModuleInfo, asyncImports: ReadonlySet<number>, reachingTables: ReadonlySet<number> = new Set()): CallGraph {
  const total = info.importedFuncs + info.functions.length;
  const direct: number[][] = [];
  const indirect: string[][] = [];
  /** Functions with an indirect call through one of `reachingTables`. */
  const throughShared = new Uint8Array(info.code.length);
  const referenced = new Set<number>();
  for (const e of info.exports) if (e.kind === "func") referenced.add(e.index);
  for (const seg of info.elements) {
    if (seg.items.kind === "functions") for (const f of seg.items.indices) referenced.add(f);
  }
  const scan = new BodyScan();
  const exprs = [...info.globals.map((g) => g.init), ...info.elements.flatMap((s) => (s.items.kind === "functions" ? [] : s.items.exprs))];
  for (const e of exprs) {
    scan.scan(info.bytes, e.offset, e.offset + e.bytes.length);
    for (let k = 0; k < scan.nrefs; k++) if (scan.refKind[k] === RefKind.func) referenced.add(scan.refValue[k]!);
  }
  for (let i = 0; i < info.code.length; i++) {
    const body = info.code[i]!;
    scan.scan(info.bytes, body.codeOffset, body.codeOffset + body.code.length);
    const calls: number[] = [];
    const types: string[] = [];
    for (let k = 0; k < scan.nrefs; k++) {
      if (scan.refKind[k] !== RefKind.func) continue;
      const o = scan.op[scan.refInsn[k]!]!;
      if (o === CALL || o === RETURN_CALL) calls.push(scan.refValue[k]!);
      else if (o === REF_FUNC) referenced.add(scan.refValue[k]!);
    }
    for (let j = 0; j < scan.n; j++) {
      const o = scan.op[j]!;
      if (o === CALL_INDIRECT || o === RETURN_CALL_INDIRECT || o === CALL_REF || o === RETURN_CALL_REF) {
        types.push(typeKey(info, readLeb(info.bytes, scan.start[j]! + 1, scan.start[j + 1]!)));
        if (o === CALL_INDIRECT && reachingTables.size > 0 && reachingTables.has(secondLeb(info.bytes, scan.start[j]! + 1, scan.start[j + 1]!))) throughShared[i] = 1;
      }
    }
    direct.push(calls);
    indirect.push(types);
  }
  // Imported functions may be put in tables by the host: any of them is a possible indirect callee.
  for (let f = 0; f < info.importedFuncs; f++) referenced.add(f);
  const reaches = new Uint8Array(total);
  for (const f of asyncImports) reaches[f] = 1;
  for (let i = 0; i < info.code.length; i++) if (throughShared[i]) reaches[info.importedFuncs + i] = 1;
  const reachingIndirect = new Set<string>();
  // Fixed point: at most one pass per function that changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of referenced) if (reaches[f] && f < total) reachingIndirect.add(typeKey(info, funcTypeIndex(info, f)));
    for (let i = 0; i < info.code.length; i++) {
      const f = info.importedFuncs + i;
      if (reaches[f]) continue;
      if (direct[i]!.some((g) => reaches[g] === 1) || indirect[i]!.some((t) => reachingIndirect.has(t))) {
        reaches[f] = 1;
        changed = true;
      }
    }
  }
  return { reaches, reachingIndirect, reachingTables };
}

/** The second LEB128 immediate of the instruction whose immediates start at `p` (before `end`). */
function secondLeb(bytes: Uint8Array, p: number, end: number): number {
  while ((bytes[p]! & 0x80) !== 0) p++;
  return readLeb(bytes, p + 1, end);
}
