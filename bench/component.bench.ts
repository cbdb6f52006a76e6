/**
 * Component calls: wasmhost's canonical ABI against hand-written glue on the same core module (the
 * allocator dance a user writes without components), in the same run.
 *
 * One component wraps one core module: `echo(string) -> string` (the core function returns a pointer
 * to the `(ptr, len)` of its argument, `post-return` resets the bump allocator), `add(u32, u32) -> u32`
 * and `sum(list<u8>) -> u32` (returns the length; the row measures the copy in). The glue calls the
 * same core instance's exports directly: `realloc`, `TextEncoder.encodeInto`, the call, a `DataView`
 * read of the result, `TextDecoder`, `post-return`. When jco is installed, the same component
 * transpiled by jco (build-time generated glue) gives context rows.
 */
import { Engine } from "../src/runtime/engine.js";
import { Store } from "../src/runtime/store.js";
import { Component, ComponentLinker } from "../src/component/index.js";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { watToBinary } from "../src/text/index.js";
import { parseComponentText } from "../src/component/index.js";
import { compare, type BenchRow, type BenchSuite } from "./harness.js";

const CORE_FIELDS = `
    (memory (export "mem") 17)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.const 1)))))
      ;; a moved block keeps its content (min(old, new) bytes)
      (memory.copy (local.get $p) (local.get 0) (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))
      (local.get $p))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 8) (local.get 0))
      (i32.store (i32.const 12) (local.get 1))
      (i32.const 8))
    (func (export "reset") (param i32) (global.set $bump (i32.const 1024)))
    (func (export "reset-list") (global.set $bump (i32.const 1024)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "sum") (param i32 i32) (result i32)
      (global.set $bump (i32.const 1024))
      (local.get 1))
`;

/** The core module, for the glue and the bare calls. */
const CORE = `(module ${CORE_FIELDS})`;

/** The component around it. */
export const BENCH_COMPONENT = `(component
  (core module $M ${CORE_FIELDS})
  (core instance $m (instantiate $M))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))
      (post-return (core func $m "reset"))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "add")))
  (func (export "sum") (param "bytes" (list u8)) (result u32)
    (canon lift (core func $m "sum") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
)`;

/** jco's transpiler (`@bytecodealliance/jco-transpile`, a devDependency), when installed. */
interface JcoExports {
  echo(s: string): string;
  add(a: number, b: number): number;
  sum(b: Uint8Array): number;
}

/** The bench component transpiled by jco and instantiated, or undefined when jco is not installed. */
async function jcoInstance(bytes: Uint8Array): Promise<JcoExports | undefined> {
  const here = dirname(fileURLToPath(import.meta.url));
  const jco = join(here, "..", "..", "node_modules", "@bytecodealliance", "jco-transpile", "dist", "transpile.js");
  if (!existsSync(jco)) return undefined;
  type Transpile = (b: Uint8Array, o: { name: string; instantiation: "async" }) => Promise<{ files: Record<string, Uint8Array> }>;
  const { transpileBytes } = (await import(pathToFileURL(jco).href)) as { transpileBytes: Transpile };
  const dir = mkdtempSync(join(tmpdir(), "wasmhost-bench-jco-"));
  const { files } = await transpileBytes(bytes, { name: "bench", instantiation: "async" });
  for (const [file, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), data);
  }
  const mod = (await import(pathToFileURL(join(dir, "bench.js")).href)) as {
    instantiate(compile: (p: string) => Promise<WebAssembly.Module>, imports: object): Promise<JcoExports>;
  };
  return mod.instantiate(async (p) => WebAssembly.compile(readFileSync(join(dir, p))), {});
}

const suite: BenchSuite = {
  title: "Components: canonical ABI calls vs hand-written glue on the same core module (and jco as context)",
  async run(): Promise<BenchRow[]> {
    const engine = new Engine();
    const component = Component.fromText(engine, BENCH_COMPONENT);
    const instance = new ComponentLinker(engine).instantiate(new Store(engine), component);
    const echo = instance.exports.echo as (s: string) => string;
    const add = instance.exports.add as (a: number, b: number) => number;
    const sum = instance.exports.sum as (b: Uint8Array) => number;

    // The same core module instantiated bare, for the glue and the bare call.
    const core = bareCore();
    const mem = core.mem;
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    const glueEcho = (s: string): string => {
      const cap = s.length * 3;
      const p = core.realloc(0, 0, 1, cap);
      const { written } = enc.encodeInto(s, new Uint8Array(mem.buffer, p, cap));
      const r = core.echo(p, written);
      const dv = new DataView(mem.buffer);
      const out = dec.decode(new Uint8Array(mem.buffer, dv.getUint32(r, true), dv.getUint32(r + 4, true)));
      core.reset(r);
      return out;
    };
    const glueSum = (b: Uint8Array): number => {
      const p = core.realloc(0, 0, 1, b.length);
      new Uint8Array(mem.buffer).set(b, p);
      return core.sum(p, b.length);
    };

    const text = "The quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog again!!";
    const N = 100_000;
    const mib = new Uint8Array(1 << 20).fill(7);
    const rows: BenchRow[] = [];
    let sink = 0;
    rows.push(
      compare(
        `echo(string) -> string, ${text.length} ASCII bytes`,
        "hand-written glue",
        () => {
          for (let i = 0; i < N; i++) sink += echo(text).length;
        },
        () => {
          for (let i = 0; i < N; i++) sink += glueEcho(text).length;
        },
        { opsPerRound: N, goal: 1.5 },
      ),
    );
    rows.push(
      compare(
        "add(u32, u32) -> u32",
        "bare core call",
        () => {
          for (let i = 0; i < N; i++) sink += add(i, 1);
        },
        () => {
          for (let i = 0; i < N; i++) sink += core.add(i, 1);
        },
        { opsPerRound: N, goal: 2 },
      ),
    );
    rows.push(
      compare(
        "sum(list<u8>), 1 MiB",
        "memcpy through the glue",
        () => {
          for (let i = 0; i < 50; i++) sink += sum(mib);
        },
        () => {
          for (let i = 0; i < 50; i++) sink += glueSum(mib);
        },
        { opsPerRound: 50, goal: 1.2 },
      ),
    );
    // Context: the same component transpiled by jco 1.35 (build-time glue), ratio = ours / jco.
    const jco = await jcoInstance(parseComponentText(BENCH_COMPONENT));
    if (jco !== undefined) {
      const jcoSum = jco.sum.bind(jco);
      rows.push(
        compare(`echo(string) -> string, ${text.length} ASCII bytes`, "jco transpile", () => {
          for (let i = 0; i < N; i++) sink += echo(text).length;
        }, () => {
          for (let i = 0; i < N; i++) sink += jco.echo(text).length;
        }, { opsPerRound: N }),
      );
      rows.push(
        compare("add(u32, u32) -> u32", "jco transpile", () => {
          for (let i = 0; i < N; i++) sink += add(i, 1);
        }, () => {
          for (let i = 0; i < N; i++) sink += jco.add(i, 1);
        }, { opsPerRound: N }),
      );
      rows.push(
        compare("sum(list<u8>), 1 MiB", "jco transpile", () => {
          for (let i = 0; i < 50; i++) sink += sum(mib);
        }, () => {
          for (let i = 0; i < 50; i++) sink += jcoSum(mib);
        }, { opsPerRound: 50 }),
      );
    }
    if (sink === 42) console.log(sink);
    return rows;
  },
};

interface BareCore {
  mem: WebAssembly.Memory;
  realloc(a: number, b: number, c: number, d: number): number;
  echo(p: number, n: number): number;
  reset(p: number): void;
  add(a: number, b: number): number;
  sum(p: number, n: number): number;
}

function bareCore(): BareCore {
  return new WebAssembly.Instance(new WebAssembly.Module(watToBinary(CORE) as Uint8Array<ArrayBuffer>)).exports as unknown as BareCore;
}

export default suite;
