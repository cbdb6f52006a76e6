/** Store count limits hold across concurrent `instantiateAsync` calls (reserved before the await). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine, Linker, Module, Store } from "../../../src/index.js";
import { wat } from "../../helpers/wat.js";

test("five concurrent instantiateAsync into a store limited to 2 instances: 2 succeed, 3 fail with the limit", async () => {
  const engine = new Engine();
  const module = new Module(engine, wat(`(module (memory 1) (func (export "f") (result i32) (i32.const 7)))`));
  const store = new Store(engine, { limits: { instances: 2 } });
  const linker = new Linker(engine);
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => linker.instantiateAsync(store, module)));
  const ok = results.filter((r) => r.status === "fulfilled");
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  assert.equal(ok.length, 2);
  assert.equal(failed.length, 3);
  for (const f of failed) assert.ok(f.reason instanceof RangeError && /limited to 2 instances/.test(f.reason.message), String(f.reason));
  assert.equal(store.instances.length, 2);
  // The store carries on: its instances work, and a store with room left accepts more.
  assert.equal((ok[0] as PromiseFulfilledResult<{ getFunc(n: string): { call(): unknown } }>).value.getFunc("f").call(), 7);
  const roomy = new Store(engine, { limits: { memories: 3 } });
  const more = await Promise.allSettled(Array.from({ length: 4 }, () => linker.instantiateAsync(roomy, module)));
  assert.equal(more.filter((r) => r.status === "fulfilled").length, 3);
});

test("a failed asynchronous instantiation gives its reservation back", async () => {
  const engine = new Engine();
  const store = new Store(engine, { limits: { instances: 1 } });
  const linker = new Linker(engine);
  // The engine fails it (a data segment out of bounds) while it is reserved.
  const trapping = new Module(engine, wat(`(module (memory 0) (data (i32.const 0) "x"))`));
  await assert.rejects(linker.instantiateAsync(store, trapping));
  const fine = new Module(engine, wat(`(module)`));
  await linker.instantiateAsync(store, fine);
  assert.equal(store.instances.length, 1);
});
