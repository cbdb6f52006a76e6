/**
 * Folding for the printer: turns a flat instruction sequence into s-expressions where each
 * instruction takes the expressions computing its operands as children — `(i32.add (local.get 0)
 * (i32.const 1))` — and blocks become `(block …)`, `(if (cond) (then …) (else …))`,
 * `(try (do …) (catch $e …))`.
 *
 * Folding only groups consecutive instructions, so the folded text assembles to exactly the bytes of
 * the flat one whatever the operand counts; the counts (`stackEffect`) only decide how readable the
 * grouping is. The walk is iterative: deeply nested blocks cannot overflow the stack.
 *
 * @module
 */
import type { OpInfo } from "../binary/opcodes.js";

/** One folded expression: an instruction, its operand expressions, and for blocks their sections. */
export interface FoldNode {
  /** The instruction with its immediates, e.g. `i32.load offset=4` or `block (result i32)`. */
  readonly text: string;
  /** Operand expressions (for `if`, the condition). */
  readonly kids: FoldNode[];
  /** Values the expression leaves on the stack (-1 when unknown). */
  readonly pushes: number;
  /** Block sections: `""` (the body of block/loop/try_table), `then`, `else`, `do`, `catch …`, `delegate …`. */
  readonly sections?: { head: string; items: FoldNode[] }[];
}

/** Operand and result counts of an instruction; -1 pushes when unknown. */
export interface StackEffect {
  pops: number;
  pushes: number;
}

const UNARY = /\.(eqz|clz|ctz|popcnt|abs|neg|sqrt|ceil|floor|trunc|nearest|not|any_true|all_true|bitmask|splat)$|(wrap|trunc|convert|extend|reinterpret|promote|demote|extadd_pairwise)|extract_lane|_zero$/;
const TERNARY = /bitselect|relaxed_madd|relaxed_nmadd|laneselect|dot_i8x16_i7x16_add/;

const effectCache: (StackEffect | undefined)[] = [];

/** The stack effect of instructions whose effect follows from the name alone (not calls or blocks); cached. */
export function nameEffect(op: OpInfo): StackEffect {
  return (effectCache[op.id] ??= computeEffect(op));
}

function computeEffect(op: OpInfo): StackEffect {
  const name = op.name;
  switch (name) {
    case "unreachable": case "nop": case "br": case "return": case "atomic.fence": return { pops: 0, pushes: 0 };
    case "drop": case "br_if": case "br_table": case "local.set": case "global.set": case "throw_ref":
      return { pops: 1, pushes: 0 };
    case "local.tee": case "memory.grow": case "table.get": case "ref.is_null": case "ref.as_non_null": case "ref.i31":
    case "i31.get_s": case "i31.get_u": case "any.convert_extern": case "extern.convert_any": case "array.len":
    case "ref.test": case "ref.cast":
      return { pops: 1, pushes: 1 };
    case "select": return { pops: 3, pushes: 1 };
    case "local.get": case "global.get": case "memory.size": case "table.size": case "ref.null": case "ref.func":
      return { pops: 0, pushes: 1 };
    case "table.set": return { pops: 2, pushes: 0 };
    case "table.grow": case "ref.eq": return { pops: 2, pushes: 1 };
    case "memory.fill": case "memory.copy": case "memory.init": case "table.fill": case "table.copy": case "table.init":
      return { pops: 3, pushes: 0 };
    case "data.drop": case "elem.drop": return { pops: 0, pushes: 0 };
    case "memory.atomic.notify": return { pops: 2, pushes: 1 };
    case "memory.atomic.wait32": case "memory.atomic.wait64": return { pops: 3, pushes: 1 };
  }
  if (name.endsWith(".const")) return { pops: 0, pushes: 1 };
  if (name.includes(".atomic.")) {
    if (name.includes("cmpxchg")) return { pops: 3, pushes: 1 };
    if (name.includes(".rmw")) return { pops: 2, pushes: 1 };
    if (name.includes(".load")) return { pops: 1, pushes: 1 };
    return { pops: 2, pushes: 0 };
  }
  if (name.endsWith("_lane") && (name.includes(".load") || name.includes(".store"))) {
    return name.includes(".load") ? { pops: 2, pushes: 1 } : { pops: 2, pushes: 0 };
  }
  if (op.align >= 0) return name.includes(".store") ? { pops: 2, pushes: 0 } : { pops: 1, pushes: 1 };
  if (op.prefix === 0xfb) return { pops: 0, pushes: -1 };
  if (TERNARY.test(name)) return { pops: 3, pushes: 1 };
  if (UNARY.test(name) && !name.includes("narrow") && !name.includes("extmul")) return { pops: 1, pushes: 1 };
  if (/^[if](32|64)|^[if]\d+x\d+|^v128/.test(name)) return { pops: 2, pushes: 1 };
  return { pops: 0, pushes: -1 };
}

interface Frame {
  node: FoldNode & { sections: { head: string; items: FoldNode[] }[] };
  items: FoldNode[];
}

/** Builds folded expressions from instructions fed one at a time. */
export class Folder {
  readonly root: FoldNode[] = [];
  private readonly frames: Frame[] = [];

  private get items(): FoldNode[] {
    const f = this.frames[this.frames.length - 1];
    return f ? f.items : this.root;
  }

  /** A plain instruction with its stack effect. */
  plain(text: string, effect: StackEffect): void {
    const items = this.items;
    const kids = takeOperands(items, effect.pops);
    items.push({ text, kids, pushes: effect.pushes });
  }

  /** `block`, `loop`, `if`, `try` or `try_table` (`kind` its opcode), leaving `results` values. */
  open(text: string, kind: number, results: number): void {
    const items = this.items;
    const kids = kind === 0x04 ? takeOperands(items, 1) : [];
    const first = kind === 0x04 ? "then" : kind === 0x06 ? "do" : "";
    const section = { head: first, items: [] as FoldNode[] };
    const node = { text, kids, pushes: results, sections: [section] };
    items.push(node);
    this.frames.push({ node, items: section.items });
  }

  /** `else`, `catch …`, `catch_all`: a new section of the innermost block. */
  section(head: string): void {
    const f = this.frames[this.frames.length - 1];
    if (!f) return;
    const s = { head, items: [] as FoldNode[] };
    f.node.sections.push(s);
    f.items = s.items;
  }

  /** `end` (or `delegate`, given as a final section head): closes the innermost block. False at depth 0. */
  close(delegate?: string): boolean {
    const f = this.frames.pop();
    if (!f) return false;
    if (delegate !== undefined) f.node.sections.push({ head: delegate, items: [] });
    return true;
  }

  /** The number of open blocks. */
  get depth(): number {
    return this.frames.length;
  }
}

function takeOperands(items: FoldNode[], n: number): FoldNode[] {
  if (n <= 0 || items.length < n) return [];
  for (let i = items.length - n; i < items.length; i++) if (items[i]!.pushes !== 1) return [];
  return items.splice(items.length - n, n);
}

/** Renders folded expressions, one top-level expression per line group, indented by `indent` units. */
export function renderFolded(nodes: readonly FoldNode[], depth: number, unit: string, out: string[], maxIndent = 64): void {
  // An explicit stack keeps rendering iterative.
  type Task = { node: FoldNode; depth: number } | { close: string; depth: number };
  const stack: Task[] = [];
  const indents: string[] = [];
  const ind = (d: number) => {
    const k = d > maxIndent ? maxIndent : d;
    return (indents[k] ??= unit.repeat(k));
  };
  for (let i = nodes.length - 1; i >= 0; i--) stack.push({ node: nodes[i]!, depth });
  while (stack.length) {
    const task = stack.pop()!;
    if ("close" in task) {
      out.push(ind(task.depth) + task.close);
      continue;
    }
    const { node, depth: d } = task;
    const inline = inlineText(node, 100 - Math.min(d, maxIndent) * unit.length);
    if (inline !== undefined) {
      out.push(ind(d) + inline);
      continue;
    }
    out.push(`${ind(d)}(${node.text}`);
    stack.push({ close: ")", depth: d });
    const tasks: Task[] = [];
    for (const k of node.kids) tasks.push({ node: k, depth: d + 1 });
    for (const s of node.sections ?? []) {
      if (s.head === "") {
        for (const it of s.items) tasks.push({ node: it, depth: d + 1 });
      } else if (s.head.startsWith("delegate")) {
        tasks.push({ close: `(${s.head})`, depth: d + 1 });
      } else {
        tasks.push({ close: `(${s.head}`, depth: d + 1 });
        for (const it of s.items) tasks.push({ node: it, depth: d + 2 });
        tasks.push({ close: ")", depth: d + 1 });
      }
    }
    for (let i = tasks.length - 1; i >= 0; i--) stack.push(tasks[i]!);
  }
}

/** The one-line form of `node` when it is short and has no blocks inside, else `undefined`. */
function inlineText(node: FoldNode, budget: number): string | undefined {
  if (node.sections || budget <= 0) return undefined;
  if (node.kids.length === 0) return `(${node.text})`;
  const memo = inlineMemo.get(node);
  if (memo !== undefined) return memo.length <= budget ? memo : undefined;
  const text = inlineUncached(node, budget);
  // Remember the text when it fits (it is the same at any budget it fits in); remember failure only
  // for the widest budget there is.
  if (text !== undefined) inlineMemo.set(node, text);
  return text;
}

const inlineMemo = new WeakMap<FoldNode, string>();

function inlineUncached(node: FoldNode, budget: number): string | undefined {
  let s = `(${node.text}`;
  for (const k of node.kids) {
    const t = inlineText(k, budget - s.length);
    if (t === undefined) return undefined;
    s += ` ${t}`;
    if (s.length > budget) return undefined;
  }
  return `${s})`;
}
