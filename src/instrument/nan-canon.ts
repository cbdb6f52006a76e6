/**
 * NaN canonicalization (`EngineConfig.nanCanonicalization`): after every float instruction that can
 * produce a NaN, a NaN result is replaced by the canonical one (sign 0, quiet bit set, zero payload:
 * `0x7fc00000` for f32, `0x7ff8000000000000` for f64, in every lane for SIMD). The NaN bits an
 * arithmetic instruction produces differ between CPUs; with this, the same module computes the same
 * bits everywhere, as Wasmtime's `cranelift_nan_canonicalization` does.
 *
 * Instructions covered, as Wasmtime's: `add`, `sub`, `mul`, `div`, `sqrt`, `min`, `max`, `ceil`,
 * `floor`, `trunc`, `nearest` of f32 and f64, `f32.demote_f64`, `f64.promote_f32`, their f32x4/f64x2
 * forms, `f32x4.demote_f64x2_zero`, `f64x2.promote_low_f32x4`, and relaxed SIMD `madd`, `nmadd`,
 * `min`, `max`. Not covered, as in Wasmtime: instructions that move bits without arithmetic (`abs`,
 * `neg`, `copysign`, loads, constants, reinterpretations, `select`, `pmin`/`pmax`), which never make a
 * NaN of their own.
 *
 * A result that the next instruction consumes at once, when that instruction is covered too and makes
 * a NaN of any NaN operand, is left alone: the consumer's result is canonicalized, and a NaN's payload
 * cannot change whether that result is NaN.
 *
 * The inserted code (after the instruction, with frames mapped to it) for a scalar:
 * `local.tee $t; <canonical NaN>; local.get $t; local.get $t; <type>.eq; select` — x where x == x,
 * else the canonical NaN; for vectors `v128.bitselect` with the lane mask of `eq`.
 *
 * @module
 */
import { ALL_OPS, op } from "../binary/opcodes.js";
import type { BodyPass, FunctionContext, Snippet } from "./rewrite.js";
import { u32Leb } from "../binary/encoder.js";

const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

/** The result kind of each instruction, by op id: 1 f32, 2 f64, 3 f32x4, 4 f64x2, 0 not covered. */
const KIND = new Uint8Array(ALL_OPS.length);
const cover = (name: string, kind: number): void => {
  KIND[op(name).id] = kind;
};
for (const name of ["ceil", "floor", "trunc", "nearest", "sqrt", "add", "sub", "mul", "div", "min", "max"]) {
  cover(`f32.${name}`, 1);
  cover(`f64.${name}`, 2);
  cover(`f32x4.${name}`, 3);
  cover(`f64x2.${name}`, 4);
}
cover("f32.demote_f64", 1);
cover("f64.promote_f32", 2);
cover("f32x4.demote_f64x2_zero", 3);
cover("f64x2.promote_low_f32x4", 4);
for (const name of ["relaxed_madd", "relaxed_nmadd", "relaxed_min", "relaxed_max"]) {
  cover(`f32x4.${name}`, 3);
  cover(`f64x2.${name}`, 4);
}

/**
 * Covered instructions whose result is NaN whenever an operand is, whatever its payload: a value they
 * consume right away needs no canonicalization of its own (theirs follows). Relaxed min/max may return
 * the other operand for a NaN one, so they are not among them.
 */
const PROPAGATES = KIND.map((kind) => (kind === 0 ? 0 : 1));
for (const name of ["relaxed_min", "relaxed_max"]) {
  PROPAGATES[op(`f32x4.${name}`).id] = 0;
  PROPAGATES[op(`f64x2.${name}`).id] = 0;
}

/** The local type each kind needs. */
const LOCAL_TYPE = [0, F32, F64, V128, V128] as const;

/** The canonical-NaN replacement snippet of `kind` using local `t`. */
function snippet(kind: number, t: number): Snippet {
  const idx = u32Leb(t);
  const tee = [0x22, ...idx];
  const get = [0x20, ...idx];
  let bytes: number[];
  switch (kind) {
    case 1: // f32.const nan; f32.eq; select
      bytes = [...tee, 0x43, 0x00, 0x00, 0xc0, 0x7f, ...get, ...get, 0x5b, 0x1b];
      break;
    case 2: // f64.const nan; f64.eq; select
      bytes = [...tee, 0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, ...get, ...get, 0x61, 0x1b];
      break;
    case 3: // v128.const f32x4 nan x4; f32x4.eq; v128.bitselect
      bytes = [...tee, 0xfd, 0x0c, ...repeat([0x00, 0x00, 0xc0, 0x7f], 4), ...get, ...get, 0xfd, 0x41, 0xfd, 0x52];
      break;
    default: // v128.const f64x2 nan x2; f64x2.eq; v128.bitselect
      bytes = [...tee, 0xfd, 0x0c, ...repeat([0, 0, 0, 0, 0, 0, 0xf8, 0x7f], 2), ...get, ...get, 0xfd, 0x47, 0xfd, 0x52];
      break;
  }
  return { bytes: Uint8Array.from(bytes), trapAt: -1, trapKind: 0 };
}

/** The pass: canonicalize the NaN results of the covered instructions. */
export function nanCanonicalizationPass(): BodyPass {
  return {
    visit(fn: FunctionContext): void {
      const { n, op: ops } = fn.scan;
      // One scratch local per kind of value, added on first use; snippets cached per function.
      const snippets: (Snippet | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
      const locals = [-1, -1, -1, -1, -1];
      // The last instruction of a body is its `end`: a covered instruction always has a successor.
      for (let i = 0; i < n - 1; i++) {
        const kind = KIND[ops[i]!]!;
        if (kind === 0) continue;
        // The next instruction takes the top of the stack — this result — as an operand; when it is a
        // covered instruction that turns any NaN operand into a NaN result, its canonicalization is enough
        // (e.g. the multiply of a multiply-add).
        if (PROPAGATES[ops[i + 1]!] === 1) continue;
        let s = snippets[kind];
        if (s === undefined) {
          const type = LOCAL_TYPE[kind]!;
          const shared = locals.findIndex((l, k) => l >= 0 && LOCAL_TYPE[k] === type);
          const local = shared >= 0 ? locals[shared]! : fn.addLocal(type);
          locals[kind] = local;
          s = snippets[kind] = snippet(kind, local);
        }
        fn.insert(i + 1, s, i);
      }
    },
  };
}

function repeat(bytes: readonly number[], times: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(...bytes);
  return out;
}

