/**
 * The code section: each body scanned once, shown to the passes, and written straight into the output
 * with their insertions and the core's threading ones, its index immediates renumbered. Bodies are
 * not re-encoded instruction by instruction: the original bytes between insertion points are copied
 * as whole blocks and the index immediates that change are patched in place (a new index that fits
 * in the old one's bytes is written padded to the same length, so offsets stay one to one; one that
 * does not cuts the block). Function sizes are written as padded 5-byte LEB128s so that a body is
 * written once, in place, and its size patched afterwards. Every copied run and insertion is recorded
 * in the offset map (rewritten code offsets to original ones).
 *
 * @module
 */
import { funcTypeAt, SectionId } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import { OpClass, RefKind } from "./scan.js";
import { type ByteSink, readU32 } from "./sink.js";
import { IN_ARENA, InsertList, InsnMarks } from "./insert-list.js";
import type { FunctionContext } from "./plan.js";
import { CALL_ID, type RewriteState } from "./rewrite-state.js";
import type { ThreadCalls } from "./thread-calls.js";
import { BranchHints } from "./branch-hints.js";

/** The most parameters and locals a function may have in the host engine (V8's limit). */
const MAX_ENGINE_LOCALS = 50_000;

/** The insertion lists of the code section being written (see `CodeWriter.write`). */
const listPool: InsertList[] = [];

/** For an immediate of `len` bytes (1 to 4), the values that fit in it. */
const FITS = [0, 2 ** 7, 2 ** 14, 2 ** 21, 2 ** 28];

/** Writes the code section of one rewrite (see the module comment). */
export class CodeWriter {
  private readonly st: RewriteState;
  /** The core's threading insertions and the export wrappers' bodies. */
  private readonly threads: ThreadCalls;
  /** The threaded calls of the body being written. */
  private readonly threadedCalls = new InsnMarks();
  /** For each insertion list taking part in `writeCode`'s merge: its next entry. */
  private heads = new Int32Array(8);
  /** The insertion lists with something in them, for `writeCode`. */
  private readonly active: InsertList[] = [];
  /** The slow-path branches of the inserted checks, for the branch-hint section (`branch-hints.ts`). */
  readonly hints = new BranchHints();

  constructor(st: RewriteState, threads: ThreadCalls) {
    this.st = st;
    this.threads = threads;
  }


  /** Writes the code section; returns the offset of its payload in `out`. */
  write(out: ByteSink): number {
    const st = this.st;
    // List 0 holds the core's own insertions (threading); list k + 1 those of pass k. They come from
    // a pool shared by every rewrite (rewrites run one at a time), so that their buffers, grown to the
    // largest body seen, are not allocated again for every module.
    while (listPool.length < st.plan.passes.length + 1) listPool.push(new InsertList());
    const lists = listPool.slice(0, st.plan.passes.length + 1);
    try {
      return this.codeSectionWith(out, lists);
    } finally {
      for (const l of lists) l.release();
    }
  }

  private codeSectionWith(out: ByteSink, lists: InsertList[]): number {
    const st = this.st;
    const info = st.info;
    out.u8(SectionId.code);
    const sizeAt = out.u32Padded(0);
    const base = out.length;
    // Bodies are written straight into `out`; map offsets are recorded relative to `base`.
    const extraLocals: number[] = [];
    const values: number[] = [];
    const threadedCalls = this.threadedCalls;
    // Locals shared between passes, by key (a pass or two ask: a list beats a map cleared per body).
    const sharedKeys: string[] = [];
    const sharedLocals: number[] = [];
    let funcIndex = 0;
    let paramCount = 0;
    let localBase = 0;
    let currentPass = 0;
    let threaded = false;
    const ctx: FunctionContext = {
      get funcIndex() { return funcIndex; },
      get paramCount() { return paramCount; },
      get threaded() { return threaded; },
      bytes: st.src,
      scan: st.scan,
      insert: (insn, snippet, mapTo) => lists[currentPass + 1]!.add(insn * 16 + 1 + currentPass, snippet, mapTo ?? insn),
      replace: (insn, r, from, to) => {
        const list = lists[currentPass + 1]!;
        if (r instanceof Uint8Array) list.addBytes(insn * 16 + 15, r, from ?? 0, to ?? r.length, insn);
        else list.add(insn * 16 + 15, r, insn);
      },
      get addedLocals() { return extraLocals; },
      addLocal: (typeCode) => {
        extraLocals.push(typeCode);
        return localBase + extraLocals.length - 1;
      },
      sharedLocal: (key, typeCode) => {
        const k = sharedKeys.indexOf(key);
        if (k >= 0) return sharedLocals[k]!;
        extraLocals.push(typeCode);
        sharedKeys.push(key);
        return sharedLocals[sharedLocals.push(localBase + extraLocals.length - 1) - 1]!;
      },
      isThreaded: (f) => st.isThreaded(f),
      callsThreaded: (insn) => threadedCalls.has(insn),
      threadParam: (slot) => paramCount + slot,
      threadValue: (slot, local) => {
        values[slot] = local;
      },
    };
    out.u32(info.code.length + st.wrappers.length);
    for (let i = 0; i < info.code.length; i++) {
      const body = info.code[i]!;
      funcIndex = info.importedFuncs + i;
      paramCount = funcTypeAt(info, info.functions[i]!)?.params.length ?? 0;
      threaded = st.threaded[i] === 1;
      const shift = threaded ? st.extras.length : 0;
      st.localShiftFrom = paramCount;
      st.localShift = shift;
      localBase = paramCount + shift + body.localCount;
      extraLocals.length = 0;
      sharedKeys.length = 0;
      sharedLocals.length = 0;
      values.length = 0;
      const codeEnd = body.codeOffset + body.code.length;
      st.scan.localLimit = paramCount + body.localCount;
      // Only declared locals move (the threaded values come after the parameters).
      st.scan.recordLocals = shift > 0 && body.localCount > 0;
      st.scan.localFrom = paramCount;
      st.scan.scan(st.src, body.codeOffset, codeEnd);
      threadedCalls.reset(st.scan.n);
      st.checkRefs(st.scan, body.codeOffset, st.extras.length > 0 ? threadedCalls : undefined);
      if (st.extras.length > 0 && st.anyThreadedTable && st.threadedByShape.size > 0 && st.scan.mask & (OpClass.callIndirect | OpClass.tableAccess)) {
        this.threads.indirectCalls(threadedCalls);
      }
      for (let k = 0; k < lists.length; k++) lists[k]!.reset();
      for (let k = 0; k < st.plan.passes.length; k++) {
        currentPass = k;
        st.plan.passes[k]!.visit(ctx);
      }
      if (st.extras.length > 0) this.threads.threadCalls(lists[0]!, threaded, values, info.functions[i]!, threadedCalls, ctx.addLocal);
      const locals = paramCount + shift + body.localCount + extraLocals.length;
      if (locals > MAX_ENGINE_LOCALS && paramCount + body.localCount <= MAX_ENGINE_LOCALS) {
        throw new CompileError(
          `function ${funcIndex} has ${paramCount + body.localCount} parameters and locals; instrumentation (fuel, interruption) needs ${locals - paramCount - body.localCount} more, past the engine's limit of ${MAX_ENGINE_LOCALS}: compile it without instrumentation, or with fewer locals`,
          body.offset,
        );
      }
      const bodySizeAt = out.u32Padded(0);
      const bodyStart = out.length;
      this.hints.startFunction(funcIndex + st.funcShift);
      // Local declarations: the original runs, then the passes' extra locals.
      const pos = st.pos;
      readU32(st.src, body.offset, pos); // the body size
      const headerStart = pos.pos;
      if (extraLocals.length === 0) {
        out.copy(st.src, headerStart, body.codeOffset);
      } else {
        const runs = readU32(st.src, headerStart, pos);
        out.u32(runs + extraLocals.length);
        out.copy(st.src, pos.pos, body.codeOffset);
        for (const t of extraLocals) {
          out.u32(1);
          out.u8(t);
        }
      }
      this.writeCode(out, base, bodyStart, body.codeOffset, codeEnd, lists);
      out.patchU32(bodySizeAt, out.length - bodyStart);
    }
    for (const f of st.wrappers) this.threads.writeWrapper(out, base, f);
    out.patchU32(sizeAt, out.length - base);
    return base;
  }


  /**
   * Copies code `[from, to)` into `out`, inserting the passes' snippets and renumbering indices.
   * `bodyStart`: where the body's local declarations begin in `out` (branch hints count from there).
   */
  private writeCode(out: ByteSink, base: number, bodyStart: number, from: number, to: number, lists: InsertList[]): void {
    const st = this.st;
    const scan = st.scan;
    const src = st.src;
    const map = st.map;
    const start = scan.start;
    if (this.heads.length < lists.length) this.heads = new Int32Array(lists.length);
    const heads = this.heads;
    // Only the lists with something in them take part in the merge below.
    const active = this.active;
    let nactive = 0;
    for (let k = 0; k < lists.length; k++) {
      const l = lists[k]!;
      if (l.n > 0) {
        heads[nactive] = 0;
        active[nactive++] = l;
      }
    }
    // Renumbering, inlined (most immediates are locals of threaded functions).
    const { refAt, refEnd, refKind, refValue, refInsn } = scan;
    const nrefs = st.shifting || st.localShift > 0 ? scan.nrefs : 0;
    const importedFuncs = st.info.importedFuncs;
    const importedGlobals = st.info.importedGlobals;
    const funcShift = st.funcShift;
    const globalShift = st.globalShift;
    const localFrom = st.localShiftFrom;
    const localShift = st.localShift;
    const wrapperOf = st.wrappers.length > 0 ? st.wrapperOf : undefined;
    const ops = scan.op;
    let ref = 0;
    let cursor = from;
    map.copyRun(out.length - base, from);
    for (;;) {
      // The next insertion or replacement (by instruction, insertions first, then pass order).
      let best = -1;
      let bestKey = 0x7fffffff; // past every key (an int: the keys are 16 * insn + priority)
      let bestAt = to;
      for (let k = 0; k < nactive; k++) {
        const l = active[k]!;
        const h = heads[k]!;
        if (h < l.n && l.key[h]! < bestKey) {
          bestKey = l.key[h]!;
          bestAt = start[bestKey >>> 4]!;
          best = k;
        }
      }
      // The original bytes up to it, copied as one block, then the renumbered immediates in it
      // patched in place: one whose new value fits in the bytes of the old one (nearly all: indices
      // move up by a few) is written padded to the same length, so the offsets stay one to one and the
      // map needs no run. One that does not fit cuts the block there, and the copy resumes after it.
      if (bestAt > cursor) {
        let blockFrom = cursor;
        let outFrom = out.length;
        out.copy(src, cursor, bestAt);
        for (; ref < nrefs; ref++) {
          const at = refAt[ref]!;
          if (at >= bestAt) break;
          if (at < blockFrom) continue; // inside a replaced instruction
          const v = refValue[ref]!;
          const kind = refKind[ref]!;
          let nv = kind === RefKind.local ? (v >= localFrom ? v + localShift : v)
            : kind === RefKind.func ? (v >= importedFuncs ? v + funcShift : v)
            : v >= importedGlobals ? v + globalShift : v;
          // Only a direct call enters a wrapped function's threaded body; a reference is to its wrapper.
          if (wrapperOf !== undefined && kind === RefKind.func && v >= importedFuncs && wrapperOf[v - importedFuncs]! >= 0 && ops[refInsn[ref]!] !== CALL_ID) {
            nv = wrapperOf[v - importedFuncs]!;
          }
          if (nv === v) continue;
          const end = refEnd[ref]!;
          const len = end - at;
          if (len === 5 || nv < FITS[len]!) {
            const buf = out.buf;
            let w = outFrom + (at - blockFrom);
            for (let k = 1; k < len; k++) {
              buf[w++] = (nv & 0x7f) | 0x80;
              nv >>>= 7;
            }
            buf[w] = nv;
            continue;
          }
          out.length = outFrom + (at - blockFrom);
          map.insertRun(out.length - base, start[refInsn[ref]!]!);
          out.u32(nv);
          map.copyRun(out.length - base, end);
          blockFrom = end;
          outFrom = out.length;
          out.copy(src, end, bestAt);
        }
        cursor = bestAt;
      }
      if (best < 0) break;
      const l = active[best]!;
      const h = heads[best]!;
      const snippet = l.snip[h]!;
      const mapTo = start[l.mapTo[h]!]!;
      heads[best]!++;
      map.insertRun(out.length - base, mapTo);
      if (snippet === IN_ARENA) {
        const at = l.at[h]!;
        out.copy(l.arena, at, at + l.len[h]!);
      } else {
        if (snippet.trapAt >= 0) map.trap(out.length - base + snippet.trapAt, snippet.trapKind);
        if (snippet.moreTraps) for (const t of snippet.moreTraps) map.trap(out.length - base + t, snippet.trapKind);
        if (snippet.unlikelyAt !== undefined) this.hints.unlikely(out.length - bodyStart + snippet.unlikelyAt);
        out.bytes(snippet.bytes);
      }
      if ((bestKey & 15) === 15) cursor = start[(bestKey >>> 4) + 1]!; // a replacement: skip the original
      map.copyRun(out.length - base, cursor);
    }
  }
}
