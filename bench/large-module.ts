/**
 * Builds a large, valid module of about `targetBytes` for compile and decode benchmarks: many functions
 * with locals and arithmetic bodies, a table with all of them, exports, data, and a name section.
 */

function leb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function name(out: number[], s: string): void {
  leb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  leb(out, body.length);
  for (const b of body) out.push(b);
}

/** A module of roughly `targetBytes` bytes. */
export function largeModule(targetBytes: number): Uint8Array {
  // Each function: (param i32 i32) (result i32), 2 locals, a body of ~120 bytes.
  const body: number[] = [];
  body.push(1, 2, 0x7f); // one run of 2 i32 locals
  for (let k = 0; k < 12; k++) {
    body.push(0x20, 0, 0x41); // local.get 0, i32.const k*37
    sleb(body, k * 37);
    body.push(0x6a, 0x20, 1, 0x6c, 0x21, 2); // i32.add, local.get 1, i32.mul, local.set 2
    body.push(0x20, 2, 0x21, 1); // local.get 2, local.set 1
  }
  body.push(0x20, 1, 0x0b);
  const perFunc = body.length + 2;
  const count = Math.max(1, Math.floor(targetBytes / (perFunc + 12)));

  const out: number[] = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  section(out, 1, [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f]);
  const funcs: number[] = [];
  leb(funcs, count);
  for (let i = 0; i < count; i++) funcs.push(0);
  section(out, 3, funcs);
  const table: number[] = [1, 0x70, 0];
  leb(table, count);
  section(out, 4, table);
  section(out, 5, [1, 0, 1]);
  const exports: number[] = [];
  const exported = Math.min(count, 1000);
  leb(exports, exported);
  for (let i = 0; i < exported; i++) {
    name(exports, `f${i}`);
    exports.push(0);
    leb(exports, i);
  }
  section(out, 7, exports);
  const elem: number[] = [1, 0, 0x41, 0, 0x0b];
  leb(elem, count);
  for (let i = 0; i < count; i++) leb(elem, i);
  section(out, 9, elem);
  const code: number[] = [];
  leb(code, count);
  for (let i = 0; i < count; i++) {
    leb(code, body.length);
    for (const b of body) code.push(b);
  }
  section(out, 10, code);
  const data: number[] = [1, 0, 0x41, 0, 0x0b];
  leb(data, 256);
  for (let i = 0; i < 256; i++) data.push(i);
  section(out, 11, data);
  const names: number[] = [];
  name(names, "name");
  const fnames: number[] = [];
  leb(fnames, count);
  for (let i = 0; i < count; i++) {
    leb(fnames, i);
    name(fnames, `func_${i}`);
  }
  names.push(1);
  leb(names, fnames.length);
  for (const b of fnames) names.push(b);
  section(out, 0, names);
  return new Uint8Array(out);
}
