/**
 * `V128`: a 128-bit SIMD value as the host sees it — 16 bytes, little-endian, read and built by lanes.
 *
 * @module
 */

/** The tuple of `N` values of type `T`. */
type Lanes<T, N extends number, Acc extends readonly T[] = []> = Acc["length"] extends N ? Acc : Lanes<T, N, readonly [...Acc, T]>;

/**
 * A `v128` value: 16 immutable bytes. Build one from lanes (`V128.i32x4(1, 2, 3, 4)`,
 * `V128.f64x2(0.5, -1)`, `V128.fromBytes(bytes)`) and read it back by lanes (`v.i32x4`, `v.u8x16`, ...).
 * Lane 0 is the lowest-addressed, as wasm's `extract_lane` numbers them. Two values are `equals` when
 * their bits are equal (so a NaN lane compares by its bits).
 */
export class V128 {
  private readonly data: Uint8Array;
  private readonly view: DataView;

  private constructor(data: Uint8Array) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, 16);
    Object.freeze(this);
  }

  /** The value with these 16 bytes (copied). @throws TypeError unless `bytes` has exactly 16 bytes. */
  static fromBytes(bytes: ArrayLike<number>): V128 {
    if (bytes === null || typeof bytes !== "object" || bytes.length !== 16) {
      throw new TypeError(`V128.fromBytes: bytes must hold 16 bytes, got ${bytes === null || typeof bytes !== "object" ? String(bytes) : `${bytes.length}`}`);
    }
    return new V128(Uint8Array.from(bytes));
  }

  /** The zero value. */
  static zero(): V128 {
    return new V128(new Uint8Array(16));
  }

  /** From 16 lanes of 8 bits (each wrapped to 8 bits). */
  static i8x16(...lanes: Lanes<number, 16>): V128 {
    return V128.build(lanes, 16, "i8x16", (dv, i, v) => dv.setUint8(i, Number(v) & 0xff));
  }

  /** From 8 lanes of 16 bits (each wrapped to 16 bits). */
  static i16x8(...lanes: Lanes<number, 8>): V128 {
    return V128.build(lanes, 8, "i16x8", (dv, i, v) => dv.setUint16(i * 2, Number(v) & 0xffff, true));
  }

  /** From 4 lanes of 32 bits (each wrapped to 32 bits). */
  static i32x4(...lanes: Lanes<number, 4>): V128 {
    return V128.build(lanes, 4, "i32x4", (dv, i, v) => dv.setInt32(i * 4, Number(v) | 0, true));
  }

  /** From 2 lanes of 64 bits, as bigints (each wrapped to 64 bits). */
  static i64x2(...lanes: Lanes<bigint, 2>): V128 {
    return V128.build(lanes, 2, "i64x2", (dv, i, v) => {
      if (typeof v !== "bigint") throw new TypeError(`V128.i64x2: lane ${i} must be a bigint, got ${typeof v}`);
      dv.setBigUint64(i * 8, BigInt.asUintN(64, v), true);
    });
  }

  /** From 4 lanes of f32 (each rounded to f32). */
  static f32x4(...lanes: Lanes<number, 4>): V128 {
    return V128.build(lanes, 4, "f32x4", (dv, i, v) => dv.setFloat32(i * 4, Number(v), true));
  }

  /** From 2 lanes of f64. */
  static f64x2(...lanes: Lanes<number, 2>): V128 {
    return V128.build(lanes, 2, "f64x2", (dv, i, v) => dv.setFloat64(i * 8, Number(v), true));
  }

  private static build(lanes: readonly unknown[], n: number, what: string, set: (dv: DataView, i: number, v: unknown) => void): V128 {
    if (lanes.length !== n) throw new TypeError(`V128.${what}: expected ${n} lanes, got ${lanes.length}`);
    const data = new Uint8Array(16);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < n; i++) {
      const v = lanes[i];
      if (what !== "i64x2" && typeof v !== "number") throw new TypeError(`V128.${what}: lane ${i} must be a number, got ${typeof v}`);
      set(dv, i, v);
    }
    return new V128(data);
  }

  /** A copy of the 16 bytes, lowest address first. */
  get bytes(): Uint8Array {
    return this.data.slice();
  }

  /** The 16 lanes as signed 8-bit integers. */
  get i8x16(): Lanes<number, 16> {
    return this.lanes(16, (i) => this.view.getInt8(i));
  }

  /** The 16 lanes as unsigned 8-bit integers. */
  get u8x16(): Lanes<number, 16> {
    return this.lanes(16, (i) => this.view.getUint8(i));
  }

  /** The 8 lanes as signed 16-bit integers. */
  get i16x8(): Lanes<number, 8> {
    return this.lanes(8, (i) => this.view.getInt16(i * 2, true));
  }

  /** The 8 lanes as unsigned 16-bit integers. */
  get u16x8(): Lanes<number, 8> {
    return this.lanes(8, (i) => this.view.getUint16(i * 2, true));
  }

  /** The 4 lanes as signed 32-bit integers. */
  get i32x4(): Lanes<number, 4> {
    return this.lanes(4, (i) => this.view.getInt32(i * 4, true));
  }

  /** The 4 lanes as unsigned 32-bit integers. */
  get u32x4(): Lanes<number, 4> {
    return this.lanes(4, (i) => this.view.getUint32(i * 4, true));
  }

  /** The 2 lanes as signed 64-bit integers. */
  get i64x2(): Lanes<bigint, 2> {
    return this.lanes(2, (i) => this.view.getBigInt64(i * 8, true));
  }

  /** The 2 lanes as unsigned 64-bit integers. */
  get u64x2(): Lanes<bigint, 2> {
    return this.lanes(2, (i) => this.view.getBigUint64(i * 8, true));
  }

  /** The 4 lanes as f32 (NaN payloads are not preserved by JS numbers: read `bytes` for exact bits). */
  get f32x4(): Lanes<number, 4> {
    return this.lanes(4, (i) => this.view.getFloat32(i * 4, true));
  }

  /** The 2 lanes as f64. */
  get f64x2(): Lanes<number, 2> {
    return this.lanes(2, (i) => this.view.getFloat64(i * 8, true));
  }

  private lanes<T, N extends number>(n: N, get: (i: number) => T): Lanes<T, N> {
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(get(i));
    return Object.freeze(out) as unknown as Lanes<T, N>;
  }

  /** True when `other` is a V128 with the same 16 bytes. */
  equals(other: unknown): boolean {
    if (!(other instanceof V128)) return false;
    for (let i = 0; i < 16; i++) if (this.data[i] !== other.data[i]) return false;
    return true;
  }

  /** The value as wasm's text format writes a constant: `v128.const i32x4 0x00000001 ...`. */
  toString(): string {
    return `v128.const i32x4 ${this.u32x4.map((l) => `0x${l.toString(16).padStart(8, "0")}`).join(" ")}`;
  }

  /** @internal Lane `i` (0..3) as a signed 32-bit integer: how the bridges pass the value. */
  lane32(i: number): number {
    return this.view.getInt32(i * 4, true);
  }

  /** @internal From four signed 32-bit lanes (how the bridges return the value). */
  static fromLanes32(a: number, b: number, c: number, d: number): V128 {
    const data = new Uint8Array(16);
    const dv = new DataView(data.buffer);
    dv.setInt32(0, a, true);
    dv.setInt32(4, b, true);
    dv.setInt32(8, c, true);
    dv.setInt32(12, d, true);
    return new V128(data);
  }
}
