/**
 * The contract between a module rewritten for async imports (`asyncify.ts`) and its host
 * (`runtime/async-rewrite.ts`, `runtime/async-saver.ts`): the values of the state global, the hidden
 * imports and what they report. And the code at the two edges of each rewritten function's frame that
 * talks to them: the prologue that restores the frame while rewinding, the epilogue that saves it while
 * unwinding.
 *
 * @module
 */
import type { ModuleInfo, ValueType } from "../binary/module-info.js";
import { funcTypeAt } from "../binary/module-info.js";
import { typeKey } from "./asyncify-graph.js";
import { TYPE_NAME } from "./asyncify-stack.js";
import { ByteSink } from "./sink.js";

/** Values of the state global a rewritten module imports. */
export const AsyncState = { normal: 0, unwinding: 1, rewinding: 2 } as const;

/** Names of the rewrite's hidden imports (under `HOST_MODULE`). */
export const AsyncImport = {
  state: "async_state",
  save: (t: string): string => `async_save_${t}`,
  load: (t: string): string => `async_load_${t}`,
  /** `(funcref)`: while rewinding, checks that a `call_indirect` calls what it called when it unwound. */
  checkCallee: "async_check_callee",
  /**
   * `(i32)`: the state was not what rewritten code expects (`AsyncFault`): code the rewrite did not
   * prepare ran in the middle of an unwind or a rewind. Throws.
   */
  fault: "async_fault",
} as const;

/** What `AsyncImport.fault` reports. */
export const AsyncFault = {
  /** A function that may suspend was entered while unwinding. */
  enteredUnwinding: 0,
  /** A call that may suspend came back neither normally nor unwinding (the rewind went nowhere). */
  rewindLost: 1,
} as const;

/** The order of the save/load functions among the rewrite's added imports. */
export const SAVED_TYPES = ["i32", "i64", "f32", "f64", "funcref", "externref"] as const;

/** Where the rewrite's added imports are, in the rewritten module's index spaces. */
export interface AsyncifyIndices {
  /** The state global. */
  readonly state: number;
  /** The first save function (`SAVED_TYPES` order: save_i32, load_i32, save_i64, load_i64, ...). */
  readonly firstFunc: number;
}

/** The function imports the rewrite adds: a save and a load per savable type. */
export function asyncifyFuncs(): { name: string; params: string[]; results: string[] }[] {
  return [
    ...SAVED_TYPES.flatMap((t) => [
      { name: AsyncImport.save(t), params: [t], results: [] },
      { name: AsyncImport.load(t), params: [], results: [t] },
    ]),
    { name: AsyncImport.checkCallee, params: ["funcref"], results: [] },
    { name: AsyncImport.fault, params: ["i32"], results: [] },
  ];
}

/** The save function of type `code`. */
export function saveFunc(ix: AsyncifyIndices, code: number): number {
  return ix.firstFunc + 2 * SAVED_TYPES.indexOf(TYPE_NAME[code] as (typeof SAVED_TYPES)[number]);
}

/** The load function of type `code`. */
export function loadFunc(ix: AsyncifyIndices, code: number): number {
  return saveFunc(ix, code) + 1;
}

/** `AsyncImport.checkCallee`. */
export function checkCalleeFunc(ix: AsyncifyIndices): number {
  return ix.firstFunc + 2 * SAVED_TYPES.length;
}

/** `AsyncImport.fault`. */
export function faultFunc(ix: AsyncifyIndices): number {
  return ix.firstFunc + 2 * SAVED_TYPES.length + 1;
}

/** What the frame code needs of the function being rewritten. */
export interface Frame {
  readonly info: ModuleInfo;
  readonly funcIndex: number;
  readonly ix: AsyncifyIndices;
  /** The local holding the number of the site the frame unwound at. */
  readonly k: number;
  /** The type code of `t`, refused with a `CompileError` naming `what` when it cannot be saved. */
  savable(t: ValueType, what: string): number;
  fail(what: string): never;
}

/**
 * The frame's entry: while rewinding, restores the saved locals (saved in order, restored in reverse)
 * and `k`, then opens the blocks the epilogue closes.
 */
export function framePrologue(f: Frame, saved: readonly (readonly [number, number])[]): Uint8Array {
  const b = new ByteSink(64);
  // if (state) { if (state != rewinding) fault; restore }: one test on the normal path.
  b.u8(0x23); b.u32(f.ix.state); b.u8(0x04); b.u8(0x40);
  b.u8(0x23); b.u32(f.ix.state); b.u8(0x41); b.sleb(AsyncState.rewinding); b.u8(0x47); b.u8(0x04); b.u8(0x40);
  b.u8(0x41); b.sleb(AsyncFault.enteredUnwinding); b.u8(0x10); b.u32(faultFunc(f.ix)); b.u8(0x0b);
  b.u8(0x10); b.u32(loadFunc(f.ix, 0x7f)); b.u8(0x21); b.u32(f.k);
  for (let s = saved.length - 1; s >= 0; s--) {
    const [j, code] = saved[s]!;
    b.u8(0x10); b.u32(loadFunc(f.ix, code)); b.u8(0x21); b.u32(j);
  }
  b.u8(0x0b);
  // block (result R) $wrap; block $unwind; block (result R) $body
  resultBlockType(b, 0x02, f); b.u8(0x02); b.u8(0x40); resultBlockType(b, 0x02, f);
  return b.view().slice();
}

/**
 * The frame's exit, before the body's final `end`. The body runs inside
 * `block (result R) $wrap  block $unwind  block (result R) $body ... end  br $wrap  end  <save>  end`:
 * a normal exit carries the results past the save; an unwinding site branches to `$unwind`, which
 * saves every local and `k` and leaves placeholder results.
 */
export function frameEpilogue(f: Frame, saved: readonly (readonly [number, number])[]): Uint8Array {
  const b = new ByteSink(64);
  b.u8(0x0b); b.u8(0x0c); b.u32(1); b.u8(0x0b);
  // A site came back neither normally nor unwinding: a rewind that went nowhere.
  b.u8(0x23); b.u32(f.ix.state); b.u8(0x41); b.sleb(AsyncState.unwinding); b.u8(0x47); b.u8(0x04); b.u8(0x40);
  b.u8(0x41); b.sleb(AsyncFault.rewindLost); b.u8(0x10); b.u32(faultFunc(f.ix)); b.u8(0x0b);
  for (const [j, code] of saved) {
    b.u8(0x20); b.u32(j); b.u8(0x10); b.u32(saveFunc(f.ix, code));
  }
  b.u8(0x20); b.u32(f.k); b.u8(0x10); b.u32(saveFunc(f.ix, 0x7f));
  placeholderResults(b, f);
  b.u8(0x0b); // $wrap
  b.u8(0x0b); // the function's own end, replaced
  return b.view().slice();
}

/** Writes `opcode` with the function's results as block type. */
function resultBlockType(b: ByteSink, opcode: number, f: Frame): void {
  const type = funcTypeAt(f.info, f.info.functions[f.funcIndex - f.info.importedFuncs]!)!;
  b.u8(opcode);
  if (type.results.length === 0) b.u8(0x40);
  else if (type.results.length === 1) b.u8(f.savable(type.results[0]!, "result"));
  else {
    const key = JSON.stringify([[], type.results]);
    const t = f.info.types.findIndex((d, i) => d.kind === "func" && typeKey(f.info, i) === key);
    if (t >= 0) {
      b.u32(t);
    } else {
      // No type [] -> results: the block takes the function's own type, given the parameters'
      // current values, which it drops.
      b.length -= 1;
      for (let p = 0; p < type.params.length; p++) { b.u8(0x20); b.u32(p); }
      b.u8(opcode);
      b.u32(f.info.functions[f.funcIndex - f.info.importedFuncs]!);
      for (let p = 0; p < type.params.length; p++) b.u8(0x1a);
    }
  }
}

/** Placeholder values of the function's results (what an unwinding frame returns). */
function placeholderResults(b: ByteSink, f: Frame): void {
  const type = funcTypeAt(f.info, f.info.functions[f.funcIndex - f.info.importedFuncs]!)!;
  for (const r of type.results) {
    switch (r) {
      case "i32": b.u8(0x41); b.u8(0); break;
      case "i64": b.u8(0x42); b.u8(0); break;
      case "f32": b.u8(0x43); b.bytes(new Uint8Array(4)); break;
      case "f64": b.u8(0x44); b.bytes(new Uint8Array(8)); break;
      case "funcref": b.u8(0xd0); b.u8(0x70); break;
      case "externref": b.u8(0xd0); b.u8(0x6f); break;
      default: f.fail("a result type the rewrite cannot make a placeholder for");
    }
  }
}
