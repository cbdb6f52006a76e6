/**
 * The interruption pass (epoch deadlines and time limits): a check at every function entry and at the
 * top of every loop body (so once per back-edge), and nowhere else.
 *
 * Node's engine has neither shared globals nor multi-memory, so wasm cannot read the engine's epoch (a
 * SharedArrayBuffer another thread may write) or the clock by itself. Each check therefore only counts
 * down an imported mutable i32 global owned by the store (`HOST_MODULE`.`countdown`); when it goes
 * negative, the check calls the imported host function `HOST_MODULE`.`check`, which compares the
 * clock with the store's time limit and the engine's epoch with the store's deadline, re-arms the
 * countdown, and returns 1 to interrupt:
 *
 * ```wasm
 * global.get $countdown  i32.const 1  i32.sub  local.tee $t  global.set $countdown
 * local.get $t  i32.const 0  i32.lt_s
 * if  call $check  if  unreachable  end  end                 ;; interrupted: trap here
 * ```
 *
 * The host re-arms the countdown adaptively (see `host.ts`) so that it is consulted about every
 * quarter of a millisecond whatever the code does per iteration: the common path is a decrement and
 * a not-taken branch. As with fuel, the trap is an `unreachable` at a recorded offset, so it is known
 * to be `interrupt` from the frame alone.
 *
 * @module
 */
import { op } from "../binary/opcodes.js";
import { TrapSite } from "./offsets.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { ByteSink } from "./sink.js";

const LOOP = op("loop").id;

/** The interruption pass, using countdown global `countdown` and host function `check` (indices after rewriting). */
export function interruptPass(countdown: number, check: number): BodyPass {
  const snippets = new Map<number, Snippet>();
  const snippetFor = (scratch: number): Snippet => {
    let s = snippets.get(scratch);
    if (!s) {
      const b = new ByteSink(40);
      b.u8(0x23); b.u32(countdown); // global.get
      b.u8(0x41); b.u8(0x01); // i32.const 1
      b.u8(0x6b); // i32.sub
      b.u8(0x22); b.u32(scratch); // local.tee
      b.u8(0x24); b.u32(countdown); // global.set
      b.u8(0x20); b.u32(scratch); // local.get
      b.u8(0x41); b.u8(0x00); // i32.const 0
      b.u8(0x48); // i32.lt_s
      b.u8(0x04); b.u8(0x40); // if
      b.u8(0x10); b.u32(check); // call $check
      b.u8(0x04); b.u8(0x40); // if
      const trapAt = b.length;
      b.u8(0x00); // unreachable
      b.u8(0x0b); b.u8(0x0b); // end end
      s = { bytes: b.view().slice(), trapAt, trapKind: TrapSite.interrupt };
      snippets.set(scratch, s);
    }
    return s;
  };
  return {
    visit(fn: FunctionContext): void {
      const { n, op: ops } = fn.scan;
      const s = snippetFor(fn.addLocal(0x7f));
      fn.insert(0, s);
      for (let i = 0; i < n; i++) if (ops[i] === LOOP) fn.insert(i + 1, s);
    },
  };
}
