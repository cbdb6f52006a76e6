import assert from "node:assert/strict";
import { test } from "node:test";
import { CompileError, Engine, Linker, Module, Store, Trap } from "../../../src/index.js";
import { handOver } from "../../../src/runtime/owned-bytes.js";
import { wat } from "../../helpers/wat.js";
import { trapOf } from "../../helpers/trap.js";

const TEXT = `(module $art
  (memory (export "memory") 1)
  (data (i32.const 8) "artifact")
  (func $spin (export "spin") (loop $l (br $l)))
  (func (export "sum") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (local.get $s)))`;


function invalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CompileError, `expected a CompileError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test("an artifact round-trips: same exports, same behaviour, same fuel counts and trap frames", () => {
  const engine = new Engine({ consumeFuel: true, epochInterruption: true });
  const original = new Module(engine, wat(TEXT));
  const artifact = original.serialize();
  const loaded = Module.deserialize(engine, artifact);
  assert.deepEqual(loaded.exports, original.exports);
  assert.deepEqual(loaded.imports, original.imports);
  assert.equal(loaded.name, "art");
  const fuelLeft: number[] = [];
  for (const module of [original, loaded]) {
    const store = new Store(engine);
    store.setFuel(10_000);
    const instance = new Linker(engine).instantiate(store, module);
    assert.equal(instance.getTypedFunc("sum", ["i32"], ["i32"])(100), 5050);
    assert.equal(instance.getMemory("memory")!.readString(8, 8), "artifact");
    fuelLeft.push(store.getFuel());
    store.setFuel(50);
    const trap = trapOf(() => instance.getFunc("spin")!.call());
    assert.equal(trap.code, "out_of_fuel");
    assert.deepEqual(trap.frames.map((f) => [f.module, f.funcName, f.offset]), [["art", "spin", trapOfPlain()]]);
  }
  assert.equal(fuelLeft[0], fuelLeft[1]);
});

/** The original offset of `spin`'s loop body (its `br`), where its out_of_fuel trap points. */
function trapOfPlain(): number {
  const bytes = wat(TEXT);
  // The body of `spin` is `loop (empty) br 0 end end`: 03 40 0c 00 0b 0b; the trap points at `br`.
  for (let i = 0; i + 5 < bytes.length; i++) {
    if (bytes[i] === 0x03 && bytes[i + 1] === 0x40 && bytes[i + 2] === 0x0c && bytes[i + 3] === 0x00 && bytes[i + 4] === 0x0b) return i + 2;
  }
  throw new Error("spin's body not found");
}

test("an artifact of a plain engine loads and runs with limits", () => {
  const engine = new Engine();
  const loaded = Module.deserialize(engine, new Module(engine, wat(TEXT)).serialize());
  const store = new Store(engine, { limits: { memorySize: 65536 } });
  const instance = new Linker(engine).instantiate(store, loaded);
  assert.equal(instance.getTypedFunc("sum", ["i32"], ["i32"])(10), 55);
  assert.equal(instance.getMemory("memory")!.readString(8, 8), "artifact");
});

test("an artifact in a Node Buffer at an offset of its pool (as readFileSync returns it) loads", () => {
  const engine = new Engine({ consumeFuel: true });
  const artifact = new Module(engine, wat(TEXT)).serialize();
  // A Buffer's slice() is a view, not a copy: reading must not assume the bytes start their buffer.
  const pool = Buffer.alloc(artifact.length + 13);
  pool.set(artifact, 13);
  const loaded = Module.deserialize(engine, pool.subarray(13));
  const store = new Store(engine);
  store.setFuel(10_000);
  assert.equal(new Linker(engine).instantiate(store, loaded).getTypedFunc("sum", ["i32"], ["i32"])(10), 55);
});

test("an artifact handed over (as the CLI's cache does) is read in place when 4-aligned, copied when not", () => {
  const engine = new Engine({ consumeFuel: true });
  const artifact = new Module(engine, wat(TEXT)).serialize();
  for (const offset of [0, 8, 13]) {
    const pool = new Uint8Array(artifact.length + offset);
    pool.set(artifact, offset);
    const loaded = Module.deserialize(engine, handOver(pool.subarray(offset)));
    const store = new Store(engine);
    store.setFuel(10_000);
    assert.equal(new Linker(engine).instantiate(store, loaded).getTypedFunc("sum", ["i32"], ["i32"])(10), 55, `offset ${offset}`);
    // The module's own binary is a view into the handed-over bytes only where they were aligned.
    const original = (loaded as unknown as { info: { bytes: Uint8Array } }).info.bytes;
    assert.equal(original.buffer === pool.buffer, offset % 4 === 0, `offset ${offset}`);
  }
  // A damaged artifact handed over is refused as any other.
  const damaged = artifact.slice();
  damaged[damaged.length - 10]! ^= 1;
  invalid(() => Module.deserialize(engine, handOver(damaged)), /checksum mismatch/);
});

test("an artifact made with other engine settings is refused, naming both", () => {
  const fueled = new Engine({ consumeFuel: true });
  const artifact = new Module(fueled, wat(TEXT)).serialize();
  invalid(() => Module.deserialize(new Engine(), artifact), /other instrumentation settings \(consumeFuel, fuelCosts [0-9a-f]+, fuelBulkPerUnit, storeResources\); this engine has no instrumentation/);
  invalid(() => Module.deserialize(new Engine({ consumeFuel: true, fuelCosts: { call: 5 } }), artifact), /other instrumentation settings/);
  assert.ok(Module.deserialize(new Engine({ consumeFuel: true }), artifact), "an engine with the same settings loads it");
});

test("a damaged, truncated or foreign artifact is refused with a clear error", () => {
  const engine = new Engine({ timeLimits: true });
  const artifact = new Module(engine, wat(TEXT)).serialize();
  const flipped = artifact.slice();
  flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
  invalid(() => Module.deserialize(engine, flipped), /checksum mismatch/);
  invalid(() => Module.deserialize(engine, artifact.subarray(0, artifact.length - 10)), /checksum mismatch|truncated/);
  invalid(() => Module.deserialize(engine, new Uint8Array(5)), /not a wasmhost artifact/);
  invalid(() => Module.deserialize(engine, wat(TEXT)), /a WebAssembly binary, not an artifact/);
  const future = artifact.slice();
  future[18] = 99;
  invalid(() => Module.deserialize(engine, future), /artifact version 99/);
});
