/**
 * Where the async rewrite keeps the values that unwinding frames save (src/instrument/asyncify.ts):
 * a small wasm module of our own, one instance per store, whose exports are the rewritten modules'
 * `async_save_*` / `async_load_*` imports. Numbers go to a stack in its memory, references to a stack
 * in its tables, so saving a frame is wasm-to-wasm calls (no call into JS, no BigInt for an i64).
 *
 * Values are popped in the reverse order of their pushes with the same types, so one byte stack serves
 * every numeric type; the memory grows as needed. Popping more than was pushed traps (a wasmhost bug).
 *
 * @module
 */
import { AsyncImport, SAVED_TYPES } from "../instrument/asyncify-frame.js";
import { ByteSink } from "../instrument/sink.js";

/** What the runtime uses of a saver instance, besides the save/load functions. */
export interface Saver {
  /** The imports to hand a rewritten module: `async_save_*` and `async_load_*`. */
  readonly imports: Readonly<Record<string, unknown>>;
  /** Pops a saved funcref (for `async_check_callee`). */
  readonly loadFuncref: () => unknown;
  /** How many bytes and references are saved (0 when empty). */
  readonly depth: () => number;
  /** Empties the stacks (after an error). */
  readonly reset: () => void;
}

const I32 = 0x7f;
const I64 = 0x7e;
const F32 = 0x7d;
const F64 = 0x7c;
const FUNCREF = 0x70;
const EXTERNREF = 0x6f;
const CODE: Readonly<Record<(typeof SAVED_TYPES)[number], number>> = { i32: I32, i64: I64, f32: F32, f64: F64, funcref: FUNCREF, externref: EXTERNREF };
/** Numeric types: size, load and store opcodes. */
const NUMERIC: Readonly<Record<number, readonly [size: number, load: number, store: number]>> = {
  [I32]: [4, 0x28, 0x36],
  [I64]: [8, 0x29, 0x37],
  [F32]: [4, 0x2a, 0x38],
  [F64]: [8, 0x2b, 0x39],
};

let compiled: WebAssembly.Module | undefined;

/** A new saver (the module is compiled once). */
export function newSaver(): Saver {
  compiled ??= new WebAssembly.Module(saverBytes() as Uint8Array<ArrayBuffer>);
  const exports = new WebAssembly.Instance(compiled).exports as Record<string, unknown>;
  const imports: Record<string, unknown> = {};
  for (const t of SAVED_TYPES) {
    imports[AsyncImport.save(t)] = exports[AsyncImport.save(t)];
    imports[AsyncImport.load(t)] = exports[AsyncImport.load(t)];
  }
  return {
    imports,
    loadFuncref: exports[AsyncImport.load("funcref")] as () => unknown,
    depth: exports.depth as () => number,
    reset: exports.reset as () => void,
  };
}

/**
 * The saver module. Globals: 0 the byte stack's top (in memory 0), 1 and 2 the funcref and externref
 * stacks' tops (in tables 0 and 1). Functions: a save and a load per type in `SAVED_TYPES` order, then
 * `depth`, `reset`, and `room` (grows the memory so that 8 more bytes fit).
 */
function saverBytes(): Uint8Array {
  const b = new ByteSink(1024);
  b.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  const section = (id: number, write: (s: ByteSink) => void): void => {
    const s = new ByteSink(256);
    write(s);
    b.u8(id);
    b.u32(s.length);
    b.bytes(s.view());
  };
  // Types: for each saved type t, (t) -> () then () -> (t); then () -> () and () -> (i32).
  const codes = SAVED_TYPES.map((t) => CODE[t]);
  const VOID = codes.length * 2;
  const TO_I32 = VOID + 1;
  section(1, (s) => {
    s.u32(codes.length * 2 + 2);
    for (const c of codes) {
      s.u8(0x60); s.u32(1); s.u8(c); s.u32(0);
      s.u8(0x60); s.u32(0); s.u32(1); s.u8(c);
    }
    s.u8(0x60); s.u32(0); s.u32(0);
    s.u8(0x60); s.u32(0); s.u32(1); s.u8(I32);
  });
  const DEPTH = codes.length * 2;
  const RESET = DEPTH + 1;
  const ROOM = DEPTH + 2;
  section(3, (s) => {
    s.u32(codes.length * 2 + 3);
    for (let k = 0; k < codes.length * 2; k++) s.u32(k);
    s.u32(TO_I32); s.u32(VOID); s.u32(VOID);
  });
  section(4, (s) => {
    s.u32(2);
    s.u8(FUNCREF); s.u8(0x00); s.u32(0);
    s.u8(EXTERNREF); s.u8(0x00); s.u32(0);
  });
  section(5, (s) => {
    s.u32(1); s.u8(0x00); s.u32(1);
  });
  section(6, (s) => {
    s.u32(3);
    for (let g = 0; g < 3; g++) { s.u8(I32); s.u8(0x01); s.u8(0x41); s.u8(0x00); s.u8(0x0b); }
  });
  section(7, (s) => {
    s.u32(codes.length * 2 + 2);
    const name = (n: string): void => {
      const bytes = new TextEncoder().encode(n);
      s.u32(bytes.length);
      s.bytes(bytes);
    };
    SAVED_TYPES.forEach((t, k) => {
      name(AsyncImport.save(t)); s.u8(0x00); s.u32(2 * k);
      name(AsyncImport.load(t)); s.u8(0x00); s.u32(2 * k + 1);
    });
    name("depth"); s.u8(0x00); s.u32(DEPTH);
    name("reset"); s.u8(0x00); s.u32(RESET);
  });
  section(10, (s) => {
    s.u32(codes.length * 2 + 3);
    const body = (write: (f: ByteSink) => void): void => {
      const f = new ByteSink(64);
      f.u32(0); // no locals
      write(f);
      f.u8(0x0b);
      s.u32(f.length);
      s.bytes(f.view());
    };
    const trapIf = (f: ByteSink, cond: (f: ByteSink) => void): void => {
      cond(f); f.u8(0x04); f.u8(0x40); f.u8(0x00); f.u8(0x0b);
    };
    for (const c of codes) {
      const numeric = NUMERIC[c];
      if (numeric) {
        const [size, load, store] = numeric;
        body((f) => {
          f.u8(0x10); f.u32(ROOM);
          f.u8(0x23); f.u32(0); f.u8(0x20); f.u32(0); f.u8(store); f.u32(0); f.u32(0);
          f.u8(0x23); f.u32(0); f.u8(0x41); f.sleb(size); f.u8(0x6a); f.u8(0x24); f.u32(0);
        });
        body((f) => {
          trapIf(f, (g) => { g.u8(0x23); g.u32(0); g.u8(0x41); g.sleb(size); g.u8(0x49); });
          f.u8(0x23); f.u32(0); f.u8(0x41); f.sleb(size); f.u8(0x6b); f.u8(0x24); f.u32(0);
          f.u8(0x23); f.u32(0); f.u8(load); f.u32(0); f.u32(0);
        });
      } else {
        const table = c === FUNCREF ? 0 : 1;
        const top = table + 1;
        body((f) => {
          // Grow the table by 16 when full.
          f.u8(0x23); f.u32(top); f.u8(0xfc); f.u32(16); f.u32(table); f.u8(0x4f); f.u8(0x04); f.u8(0x40);
          f.u8(0xd0); f.u8(c); f.u8(0x41); f.sleb(16); f.u8(0xfc); f.u32(15); f.u32(table); f.u8(0x1a);
          f.u8(0x0b);
          f.u8(0x23); f.u32(top); f.u8(0x20); f.u32(0); f.u8(0x26); f.u32(table);
          f.u8(0x23); f.u32(top); f.u8(0x41); f.sleb(1); f.u8(0x6a); f.u8(0x24); f.u32(top);
        });
        body((f) => {
          trapIf(f, (g) => { g.u8(0x23); g.u32(top); g.u8(0x45); });
          f.u8(0x23); f.u32(top); f.u8(0x41); f.sleb(1); f.u8(0x6b); f.u8(0x24); f.u32(top);
          // The value, and the slot cleared (so that the saver keeps nothing alive).
          f.u8(0x23); f.u32(top); f.u8(0x25); f.u32(table);
          f.u8(0x23); f.u32(top); f.u8(0xd0); f.u8(c); f.u8(0x26); f.u32(table);
        });
      }
    }
    // depth: bytes + funcrefs + externrefs.
    body((f) => {
      f.u8(0x23); f.u32(0); f.u8(0x23); f.u32(1); f.u8(0x6a); f.u8(0x23); f.u32(2); f.u8(0x6a);
    });
    // reset: tops to 0, tables cleared.
    body((f) => {
      for (let g = 0; g < 3; g++) { f.u8(0x41); f.u8(0x00); f.u8(0x24); f.u32(g); }
      for (const [table, c] of [[0, FUNCREF], [1, EXTERNREF]] as const) {
        f.u8(0x41); f.u8(0x00); f.u8(0xd0); f.u8(c); f.u8(0xfc); f.u32(16); f.u32(table); f.u8(0xfc); f.u32(17); f.u32(table);
      }
    });
    // room: grow the memory by a page when fewer than 8 bytes are left.
    body((f) => {
      f.u8(0x23); f.u32(0); f.u8(0x41); f.sleb(8); f.u8(0x6a);
      f.u8(0x3f); f.u8(0x00); f.u8(0x41); f.sleb(16); f.u8(0x74); f.u8(0x4b);
      f.u8(0x04); f.u8(0x40);
      trapIf(f, (g) => { g.u8(0x41); g.sleb(1); g.u8(0x40); g.u8(0x00); g.u8(0x41); g.sleb(-1); g.u8(0x46); });
      f.u8(0x0b);
    });
  });
  return b.view().slice();
}
