/**
 * The unwind/rewind rewrite ("asyncify"): lets wasm wait for an async host function on engines without
 * JSPI. See src/runtime/async-rewrite.ts for the host side, and asyncify-frame.ts for the contract
 * between the two and the code that saves and restores a frame.
 *
 * @module
 */
import { ALL_OPS } from "../binary/opcodes.js";
import type { ModuleInfo, ValueType } from "../binary/module-info.js";
import { funcTypeAt } from "../binary/module-info.js";
import { CompileError } from "../errors.js";
import { funcTypeIndex, reachingFunctions, sharedTables, typeKey, type CallGraph } from "./asyncify-graph.js";
import { AsyncState, checkCalleeFunc, type AsyncifyIndices, type Frame, frameEpilogue, framePrologue, saveFunc } from "./asyncify-frame.js";
import { liveAfter } from "./asyncify-live.js";
import { endsStack, SAVABLE, stackAfterBlock, stackAfterPlain, type StackSite, TYPE_NAME } from "./asyncify-stack.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { readLeb } from "./scan.js";
import { ByteSink } from "./sink.js";

const OP_NAME = ALL_OPS.map((o) => o.name);

/**
 * The body pass of the rewrite. Each function that can reach an async import is changed so that:
 *
 * - every call that may suspend (a "site": a call of such a function or import, or an indirect call
 *   of a type that may reach one) takes its arguments from fresh locals, and right after it checks the
 *   state: when unwinding, the function saves its locals and the site's number and returns placeholder
 *   results;
 * - every other stretch of code of a block that holds a site is guarded by `if (state != rewinding)`,
 *   and each site by `if (state != rewinding || site == k)`: on entry while rewinding the function
 *   restores its locals and `k`, so it skips straight to the site it left, through the blocks around it
 *   (an `if`'s condition is kept in a local to take the same arm again);
 * - branches inside a guarded stretch that leave it gain one label (the guard's).
 *
 * - values below a site's arguments, or below a block holding a site, are kept in locals across it and
 *   pushed back after it; a block holding a site that has parameters or results loses them: its
 *   parameters go to locals pushed at its start, its results to locals at its end (and at each branch
 *   to it, which carries them), pushed after it;
 * - dead code (after `br`, `return`, `unreachable`...) keeps a polymorphic stack: each guarded stretch
 *   of it starts with `unreachable`.
 *
 * The values kept must be of types the host can hold (no v128, no typed references); functions that
 * can reach an async import may not use exception handling, tail calls that reach one, or a `br_table`
 * out of a block that lost its results. Anything else is refused with a `CompileError` naming the
 * function and what it uses.
 */
export function asyncifyPass(
  info: ModuleInfo,
  asyncImports: ReadonlySet<number>,
  indices: () => AsyncifyIndices,
  options: { readonly sharedTables?: boolean } = {},
): BodyPass & { graph: CallGraph } {
  const graph = reachingFunctions(info, asyncImports, options.sharedTables ? sharedTables(info) : undefined);
  return {
    graph,
    visit(fn: FunctionContext): void {
      if (!graph.reaches[fn.funcIndex]) return;
      new FunctionRewrite(info, fn, graph, indices()).run();
    },
  };
}

interface Region {
  /** First and end instruction (exclusive: the `end` or `else` closing it). */
  readonly from: number;
  readonly to: number;
  readonly body: boolean;
  /** How many of the function's own blocks enclose the region. */
  readonly depth: number;
  /** The block's parameters: their types, and the locals that hold them until its first stretch. */
  readonly stack?: readonly number[];
  readonly pending?: readonly number[];
  /** The locals that take the block's results at its end. */
  readonly results?: readonly number[];
}

/**
 * The rewrite of one function. It is also what the stack model and the frame code read of the function
 * (`StackSite`, `Frame`).
 */
class FunctionRewrite implements StackSite, Frame {
  readonly info: ModuleInfo;
  private readonly fn: FunctionContext;
  private readonly graph: CallGraph;
  readonly ix: AsyncifyIndices;
  private readonly ops: Uint16Array;
  readonly start: Int32Array;
  private readonly n: number;
  /** Matching `end` of each block opener, and `else` of an `if` (-1 none). */
  private readonly endOf: Int32Array;
  private readonly elseOf: Int32Array;
  /** The innermost block opener around each instruction (-1: the function's own level). */
  private readonly parent: Int32Array;
  /**
   * Blocks holding a site that had parameters or results: they now have none, and what a branch to
   * one carries (a loop's parameters, a block's or if's results) goes through these locals.
   */
  private readonly converted = new Map<number, readonly number[]>();
  /** Prefix count of sites: sites in [a, b) = sitesBefore[b] - sitesBefore[a]. */
  private readonly sitesBefore: Int32Array;
  private readonly site: Uint8Array;
  /** Types (codes) of every local, parameters first; added locals appended. */
  readonly localTypes: number[] = [];
  private readonly planned: { insn: number; build: () => Uint8Array; mapTo?: number }[] = [];
  private readonly replaced = new Map<number, Uint8Array>();
  private siteCount = 0;
  private finalEnd: Snippet | undefined;
  k = -1;
  private readonly name: string;
  readonly bytes: Uint8Array;
  readonly funcIndex: number;

  constructor(info: ModuleInfo, fn: FunctionContext, graph: CallGraph, ix: AsyncifyIndices) {
    this.info = info;
    this.fn = fn;
    this.graph = graph;
    this.ix = ix;
    this.bytes = fn.bytes;
    this.funcIndex = fn.funcIndex;
    const scan = fn.scan;
    this.n = scan.n;
    this.ops = scan.op.slice(0, scan.n + 1);
    this.start = scan.start.slice(0, scan.n + 1);
    this.name = info.names.functions.get(fn.funcIndex) ?? `function ${fn.funcIndex}`;
    this.endOf = new Int32Array(this.n).fill(-1);
    this.elseOf = new Int32Array(this.n).fill(-1);
    this.site = new Uint8Array(this.n);
    this.sitesBefore = new Int32Array(this.n + 1);
    const openers: number[] = [];
    this.parent = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const name = OP_NAME[this.ops[i]!]!;
      this.parent[i] = openers.length > 0 ? openers[openers.length - 1]! : -1;
      if (name === "block" || name === "loop" || name === "if" || name === "try" || name === "try_table") openers.push(i);
      else if (name === "else") this.elseOf[openers[openers.length - 1]!] = i;
      else if (name === "end" && openers.length > 0) this.endOf[openers.pop()!] = i;
      this.site[i] = this.isSite(i, name) ? 1 : 0;
      this.sitesBefore[i + 1] = this.sitesBefore[i]! + this.site[i]!;
    }
    const type = funcTypeAt(info, info.functions[fn.funcIndex - info.importedFuncs]!)!;
    for (const p of type.params) this.localTypes.push(this.savable(p, "parameter"));
    for (const run of info.code[fn.funcIndex - info.importedFuncs]!.locals) {
      const code = this.savable(run.type, "local");
      for (let c = 0; c < run.count; c++) this.localTypes.push(code);
    }
  }

  fail(what: string, insn?: number): never {
    throw new CompileError(`the async rewrite cannot handle ${this.name} (it can reach an async import): ${what}`, insn === undefined ? undefined : this.start[insn]);
  }

  savable(t: ValueType, what: string): number {
    const code = typeof t === "string" ? SAVABLE[t] : undefined;
    if (code === undefined) this.fail(`a ${what} of type ${typeof t === "string" ? t : "reference"} cannot be saved across a suspension`);
    return code;
  }

  private imm(i: number): number {
    return readLeb(this.bytes, this.start[i]! + 1, this.start[i + 1]!);
  }

  private isSite(i: number, name: string): boolean {
    switch (name) {
      case "call":
      case "return_call": {
        const target = this.imm(i);
        if (!this.graph.reaches[target]) return false;
        if (name === "return_call") this.fail("a tail call that may suspend", i);
        return true;
      }
      case "call_indirect":
      case "return_call_indirect":
      case "call_ref":
      case "return_call_ref": {
        if (!this.graph.reachingIndirect.has(typeKey(this.info, this.imm(i))) && !(name === "call_indirect" && this.graph.reachingTables.has(this.secondImm(i)))) return false;
        if (name !== "call_indirect") this.fail(`a ${name} that may suspend`, i);
        return true;
      }
      default:
        return false;
    }
  }

  private sitesIn(from: number, to: number): number {
    return this.sitesBefore[to]! - this.sitesBefore[from]!;
  }

  private addLocal(code: number): number {
    const index = this.fn.addLocal(code);
    this.addedBase = index - (this.fn.addedLocals.length - 1);
    return index;
  }

  /** Locals the rewrite added, by `pooled`'s key. */
  private readonly pool = new Map<string, number>();

  /**
   * A local of type `code` for one use: a site's or block's `role` value number `ordinal`, in a
   * region at `depth`. Uses of one key never overlap (a site's values are pushed back before the next
   * site or block at its level; a block's live across its inside, one level deeper), so they share
   * the local: a function gets locals per level and role, not per site (locals cost each call).
   */
  private pooled(code: number, depth: number, role: string, ordinal: number): number {
    const key = `${code} ${depth} ${role} ${ordinal}`;
    let l = this.pool.get(key);
    if (l === undefined) this.pool.set(key, (l = this.addLocal(code)));
    return l;
  }

  /** The index of the first added local (of any pass). */
  private addedBase = 0;
  /** Which original locals are live after some site (computed once, when the frame code is built). */
  private live: Uint8Array | undefined;
  /** Locals the rewrite added that no site needs saved: arguments (but an indirect call's index) and results. */
  private readonly deadAtSites = new Set<number>();

  /** The instruction numbers of the sites. */
  private sites(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.site[i]) out.push(i);
    return out;
  }

  /**
   * Every local to save, with its type code: the parameters and declared locals live after some site
   * (asyncify-live.ts), and every pass's added locals but `k` and the rewrite's own that are dead at
   * every site (a site's arguments, which a rewinding callee does not read, and its results).
   */
  private savedLocals(): [index: number, code: number][] {
    const live = this.live ??= liveAfter(
      { n: this.n, ops: this.ops, start: this.start, bytes: this.bytes, endOf: this.endOf, elseOf: this.elseOf, locals: this.localTypes.length },
      this.sites(),
    );
    const out: [number, number][] = [];
    this.localTypes.forEach((c, j) => {
      if (live[j]) out.push([j, c]);
    });
    const added = this.fn.addedLocals;
    for (let a = 0; a < added.length; a++) {
      const j = this.addedBase + a;
      if (j === this.k || this.deadAtSites.has(j)) continue;
      const code = added[a]!;
      if (TYPE_NAME[code] === undefined) this.fail("another instrumentation added a local the rewrite cannot save");
      out.push([j, code]);
    }
    return out;
  }

  /** The parameter and result types of the call at `i`. */
  callType(i: number): { params: readonly ValueType[]; results: readonly ValueType[] } {
    const name = OP_NAME[this.ops[i]!]!;
    const typeIndex = name === "call" ? funcTypeIndex(this.info, this.imm(i)) : this.imm(i);
    const t = funcTypeAt(this.info, typeIndex)!;
    return name === "call_indirect" ? { params: [...t.params, "i32"], results: t.results } : t;
  }

  run(): void {
    this.k = this.addLocal(0x7f);
    this.region({ from: 0, to: this.n - 1, body: true, depth: 0 });
    // One epilogue saves the frame for every site (see `epilogue`); it replaces the final `end`, so that
    // it comes after whatever other passes insert there.
    this.finalEnd = lazySnippet(() => frameEpilogue(this, this.savedLocals()));
    // The prologue: while rewinding, restore the locals (saved in order, restored in reverse) and k.
    const prologue = this.planned;
    prologue.sort((a, b) => a.insn - b.insn);
    // Built when the core writes the body, after every pass has added its locals: they are saved too.
    this.fn.insert(0, lazySnippet(() => framePrologue(this, this.savedLocals())));
    // Insertions and replacements go to the core in instruction order (a replacement after the
    // insertions before the same instruction).
    const replaced = [...this.replaced].sort((a, b) => a[0] - b[0]);
    let r = 0;
    for (const p of prologue) {
      while (r < replaced.length && replaced[r]![0] < p.insn) this.fn.replace(replaced[r]![0], replaced[r++]![1]);
      this.fn.insert(p.insn, lazySnippet(p.build), p.mapTo);
    }
    for (; r < replaced.length; r++) this.fn.replace(replaced[r]![0], replaced[r]![1]);
    this.fn.replace(this.n - 1, this.finalEnd!);
  }

  /** The second immediate of instruction `i` (the table of a `call_indirect`). */
  private secondImm(i: number): number {
    const bytes = this.bytes;
    let p = this.start[i]! + 1;
    while ((bytes[p]! & 0x80) !== 0) p++;
    return readLeb(bytes, p + 1, this.start[i + 1]!);
  }

  /**
   * Rewrites the stretch `[from, to)` of one block level. `h` is the operand stack height above the
   * block's start (NaN once unknown).
   */
  private region(r: Region): void {
    // The operand stack above the block's start, as type codes (null once unknown).
    let stack: number[] | null = [...(r.stack ?? [])];
    let open = false;
    let depthInSegment = 0;
    let pending: number[] = [...(r.pending ?? [])];
    // After an instruction that never falls through (br, return, unreachable...) the rest of the block
    // is dead and its stack polymorphic: what it pops beyond the known values is nothing to keep.
    let poly = false;
    const lastSite = r.body ? this.lastInteresting(r.from, r.to) : Infinity;
    const openSegment = (at: number): void => {
      if (open) return;
      open = true;
      depthInSegment = 0;
      const push = pending;
      pending = [];
      const dead = poly;
      this.plan(at, () => {
        const b = new ByteSink(16);
        b.u8(0x23); b.u32(this.ix.state); b.u8(0x41); b.sleb(AsyncState.rewinding); b.u8(0x47); b.u8(0x04); b.u8(0x40);
        // In dead code, the stretch starts dead too (its stack polymorphic, as in the original).
        if (dead) b.u8(0x00);
        for (const l of push) { b.u8(0x20); b.u32(l); }
        return b.view().slice();
      });
    };
    const closeSegment = (at: number): void => {
      if (!open) return;
      open = false;
      this.plan(at, () => Uint8Array.of(0x0b));
    };
    for (let i = r.from; i < r.to; i++) {
      const name = OP_NAME[this.ops[i]!]!;
      const isOpener = name === "block" || name === "loop" || name === "if" || name === "try" || name === "try_table";
      const end = isOpener ? this.endOf[i]! : -1;
      if (this.site[i]) {
        const t = this.callType(i);
        if (stack === null || (!poly && stack.length < t.params.length)) this.fail("a call that may suspend follows code whose operand stack the rewrite cannot follow", i);
        openSegment(i);
        // Values below the arguments are kept in locals across the call, and pushed back after it.
        const indirect = name === "call_indirect";
        const below = stack.slice(0, Math.max(0, stack.length - t.params.length)).map((c, o) => this.pooled(c, r.depth, "below", o));
        const args = t.params.map((p, o) => this.pooled(this.savable(p, "call argument"), r.depth, indirect && o === t.params.length - 1 ? "slot" : "arg", o));
        const results = t.results.map((p, o) => this.pooled(this.savable(p, "call result"), r.depth, "result", o));
        const id = this.siteCount++;
        // An indirect site: the table and the local holding the element index (its last argument).
        const table = name === "call_indirect" ? this.secondImm(i) : -1;
        const slot = args[args.length - 1]!;
        // When rewinding, the call is made again only to get back into the callee, which restores its
        // own state: the arguments are not read (but the index an indirect call goes through is).
        for (const a of table >= 0 ? args.slice(0, -1) : args) this.deadAtSites.add(a);
        for (const l of results) this.deadAtSites.add(l);
        this.plan(i, () => {
          const b = new ByteSink(32);
          for (let a = args.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(args[a]!); }
          for (let a = below.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(below[a]!); }
          b.u8(0x0b); // end of the guarded stretch
          b.u8(0x23); b.u32(this.ix.state); b.u8(0x41); b.sleb(AsyncState.rewinding); b.u8(0x47);
          b.u8(0x20); b.u32(this.k); b.u8(0x41); b.sleb(id); b.u8(0x46); b.u8(0x72); b.u8(0x04); b.u8(0x40);
          if (table >= 0) {
            // Rewinding into an indirect call: the host checks that the table still holds the function
            // the call unwound through (the host may have changed the table while wasm waited).
            b.u8(0x23); b.u32(this.ix.state); b.u8(0x41); b.sleb(AsyncState.rewinding); b.u8(0x46); b.u8(0x04); b.u8(0x40);
            b.u8(0x20); b.u32(slot); b.u8(0x25); b.u32(table); b.u8(0x10); b.u32(checkCalleeFunc(this.ix));
            b.u8(0x0b);
          }
          for (const a of args) { b.u8(0x20); b.u32(a); }
          return b.view().slice();
        });
        open = false;
        this.plan(i + 1, () => {
          const b = new ByteSink(64);
          // When unwinding: k = this site, and out to the epilogue past the unwind check, the site's
          // guard, the enclosing blocks and the body's block.
          // if (state): one test on the normal path (the epilogue faults unless it is unwinding).
          b.u8(0x23); b.u32(this.ix.state); b.u8(0x04); b.u8(0x40);
          b.u8(0x41); b.sleb(id); b.u8(0x21); b.u32(this.k);
          // An indirect site saves the function it called (popped by the check when rewinding).
          if (table >= 0) { b.u8(0x20); b.u32(slot); b.u8(0x25); b.u32(table); b.u8(0x10); b.u32(saveFunc(this.ix, 0x70)); }
          b.u8(0x0c); b.u32(r.depth + 3);
          b.u8(0x0b);
          for (let a = results.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(results[a]!); }
          b.u8(0x0b);
          return b.view().slice();
        }, i);
        pending = [...below, ...results];
        stack = [...stack.slice(0, Math.max(0, stack.length - t.params.length)), ...t.results.map((p) => this.savable(p, "call result"))];
        continue;
      }
      if (isOpener && this.sitesIn(i + 1, end) > 0) {
        if (name !== "block" && name !== "loop" && name !== "if") this.fail(`a ${name} block around a call that may suspend`, i);
        const bt = this.blockType(i);
        const need = name === "if" ? 1 : 0;
        if (stack === null || (!poly && stack.length < need + bt.params.length)) this.fail(`a ${name} around a call that may suspend follows code whose operand stack the rewrite cannot follow`, i);
        // A block with parameters or results becomes one without: its parameters are kept in locals
        // and pushed at its start, its results are left in locals at its end (and by branches to it),
        // and pushed after it, as values below a site are.
        const base: number = Math.max(0, stack!.length - need - bt.params.length);
        const below = stack!.slice(0, base).map((c, o) => this.pooled(c, r.depth, "block below", o));
        const params = bt.params.map((c, o) => this.pooled(c, r.depth, "block param", o));
        const results = bt.results.map((c, o) => this.pooled(c, r.depth, "block result", o));
        // Read only before the first site of the block is reached (or set again by a branch first).
        for (const l of [...params, ...results]) this.deadAtSites.add(l);
        if (params.length > 0 || results.length > 0) {
          const opcode = this.bytes[this.start[i]!]!;
          this.replaced.set(i, Uint8Array.of(opcode, 0x40));
          this.converted.set(i, name === "loop" ? params : results);
        }
        const c = need ? this.pooled(0x7f, r.depth, "condition", 0) : -1;
        if (need || below.length > 0 || params.length > 0 || pending.length > 0) {
          openSegment(i);
          this.plan(i, () => encode((b) => {
            if (need) { b.u8(0x21); b.u32(c); }
            for (let a = params.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(params[a]!); }
            for (let a = below.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(below[a]!); }
            b.u8(0x0b);
            if (need) { b.u8(0x20); b.u32(c); }
          }));
          open = false;
        } else {
          closeSegment(i);
        }
        const inner = { body: false, depth: r.depth + 1, stack: bt.params, pending: params, results } as const;
        const els = this.elseOf[i]!;
        if (els >= 0) {
          this.region({ from: i + 1, to: els, ...inner });
          this.region({ from: els + 1, to: end, ...inner });
        } else {
          this.region({ from: i + 1, to: end, ...inner });
          // An if without else passes its parameters through as its results.
          if (name === "if" && results.length > 0) {
            this.plan(end, () => encode((b) => {
              b.u8(0x05);
              for (const l of params) { b.u8(0x20); b.u32(l); }
              for (let a = results.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(results[a]!); }
            }));
          }
        }
        stack = [...stack!.slice(0, base), ...bt.results];
        pending = [...below, ...results];
        i = end;
        continue;
      }
      // A plain instruction (or a block holding no site): part of a guarded stretch, unless it follows
      // the body's last site.
      if (i > lastSite) {
        if (pending.length > 0) {
          const push = pending;
          pending = [];
          this.plan(i, () => { const b = new ByteSink(8); for (const l of push) { b.u8(0x20); b.u32(l); } return b.view().slice(); });
        }
      } else {
        openSegment(i);
        this.renumberBranches(i, isOpener ? end : i, depthInSegment);
      }
      if (isOpener) {
        stack = stackAfterBlock(this, stack, i, name, poly);
        i = end;
        continue;
      }
      if (endsStack(name)) {
        stack = [];
        poly = true;
        continue;
      }
      stack = stackAfterPlain(this, stack, i, name, poly);
    }
    if (r.body) {
      if (pending.length > 0) {
        const push = pending;
        this.plan(r.to, () => { const b = new ByteSink(8); for (const l of push) { b.u8(0x20); b.u32(l); } return b.view().slice(); });
      }
      closeSegment(r.to);
    } else {
      const results = r.results ?? [];
      if (results.length > 0) {
        // The block's results, on the stack of the stretch now, go to its result locals.
        openSegment(r.to);
        this.plan(r.to, () => encode((b) => {
          for (let a = results.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(results[a]!); }
        }));
      } else if (pending.length > 0) {
        this.fail("a call's results must be used inside the block holding it", r.to);
      }
      closeSegment(r.to);
    }
  }

  /** The parameter and result types (codes) of block opener `i`. */
  private blockType(i: number): { params: number[]; results: number[] } {
    const bytes = this.bytes;
    const p = this.start[i]! + 1;
    const b = bytes[p]!;
    if (b === 0x40) return { params: [], results: [] };
    if (TYPE_NAME[b] !== undefined) return { params: [], results: [b] };
    if ((b & 0x80) === 0 && (b & 0x40) !== 0) this.fail("a block of a type the rewrite cannot hold in locals around a call that may suspend", i);
    const t = funcTypeAt(this.info, readLeb(bytes, p, this.start[i + 1]!));
    if (!t) this.fail("a block of an unknown type", i);
    return {
      params: t.params.map((x) => this.savable(x, "block parameter")),
      results: t.results.map((x) => this.savable(x, "block result")),
    };
  }

  /** The block opener that branch label `l` of instruction `i` names (-1: the function's own). */
  private branchTarget(i: number, l: number): number {
    let o = this.parent[i]!;
    for (let k = 0; k < l && o >= 0; k++) o = this.parent[o]!;
    return o;
  }

  /** The last site or block holding one at the body's level (-1 if none). */
  private lastInteresting(from: number, to: number): number {
    let last = -1;
    for (let i = from; i < to; i++) {
      const name = OP_NAME[this.ops[i]!]!;
      if (this.site[i]) last = i;
      else if (name === "block" || name === "loop" || name === "if" || name === "try" || name === "try_table") {
        const end = this.endOf[i]!;
        if (this.sitesIn(i + 1, end) > 0) last = end;
        i = end;
      }
    }
    return last;
  }

  /**
   * Branches in instructions `[from, to]` (one instruction, or a whole block holding no site) that leave
   * the guarded stretch gain one label; `depth` is how deep in the stretch `from` is (always 0 here).
   */
  private renumberBranches(from: number, to: number, depth: number): void {
    const bytes = this.bytes;
    let d = depth;
    for (let i = from; i <= to; i++) {
      const name = OP_NAME[this.ops[i]!]!;
      if (name === "block" || name === "loop" || name === "if" || name === "try" || name === "try_table") {
        if (name === "try" || name === "try_table") this.fail(`exception handling (${name}) in a function that may suspend`, i);
        d++;
        continue;
      }
      if (name === "end") {
        d--;
        continue;
      }
      if (name === "br" || name === "br_if") {
        const l = this.imm(i);
        const carried = this.converted.get(this.branchTarget(i, l));
        if (carried !== undefined) {
          // To a block that lost its type: what the branch carries goes to the block's locals first
          // (for br_if, kept on the stack too, for when it is not taken).
          const cond = name === "br_if" ? this.pooled(0x7f, 0, "br_if", 0) : -1;
          if (cond >= 0) this.deadAtSites.add(cond);
          this.replaced.set(i, encode((b) => {
            if (cond >= 0) { b.u8(0x21); b.u32(cond); }
            for (let a = carried.length - 1; a >= 0; a--) { b.u8(0x21); b.u32(carried[a]!); }
            if (cond >= 0) {
              for (const x of carried) { b.u8(0x20); b.u32(x); }
              b.u8(0x20); b.u32(cond);
            }
            b.u8(bytes[this.start[i]!]!); b.u32(l >= d ? l + 1 : l);
          }));
        } else if (l >= d) {
          this.replaced.set(i, encode((b) => { b.u8(bytes[this.start[i]!]!); b.u32(l + 1); }));
        }
      } else if (name === "br_table") {
        const p = { at: this.start[i]! + 1 };
        const end = this.start[i + 1]!;
        const readOne = (): number => {
          const v = readLeb(bytes, p.at, end);
          while (bytes[p.at]! & 0x80) p.at++;
          p.at++;
          return v;
        };
        const count = readOne();
        const save = p.at;
        for (let k = 0; k <= count; k++) {
          if (this.converted.has(this.branchTarget(i, readOne()))) this.fail("a br_table to a block with parameters or results around a call that may suspend", i);
        }
        p.at = save;
        this.replaced.set(i, encode((b) => {
          b.u8(0x0e);
          b.u32(count);
          for (let k = 0; k <= count; k++) {
            const l = readOne();
            b.u32(l >= d ? l + 1 : l);
          }
        }));
      } else if (name === "br_on_null" || name === "br_on_non_null" || name === "br_on_cast" || name === "br_on_cast_fail" || name === "delegate" || name === "rethrow") {
        this.fail(`${name} in a function that may suspend`, i);
      }
    }
  }

  private plan(insn: number, build: () => Uint8Array, mapTo?: number): void {
    this.planned.push({ insn, build, ...(mapTo !== undefined ? { mapTo } : {}) });
  }
}

/** A snippet whose bytes are made on first read. */
function lazySnippet(build: () => Uint8Array): Snippet {
  let bytes: Uint8Array | undefined;
  return {
    get bytes(): Uint8Array {
      return (bytes ??= build());
    },
    trapAt: -1,
    trapKind: 0,
  };
}

/** The bytes `write` puts in a fresh sink. */
function encode(write: (b: ByteSink) => void): Uint8Array {
  const b = new ByteSink(16);
  write(b);
  return b.view().slice();
}
