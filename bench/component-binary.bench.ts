/**
 * Component binary decode, validate and encode throughput (MB/s) on the largest component at hand.
 *
 * The component: a componentize-js output when one was built to `COMPONENT_BENCH_FILE` (see below),
 * otherwise a synthetic one of the same shape — the StarlingMonkey engine core module shipped in
 * componentize-js (about 10 MB, a devDependency of jco) wrapped in a component with a WASI-like
 * import surface (instances of resources, records, variants and functions) and lifted exports.
 * The anchor is V8 validating the same core module (`WebAssembly.validate`): the least any
 * component loader must do with those bytes.
 *
 * Rows: decode (`decodeComponent`, the core module decoded lazily as the runtime does), decode +
 * validate (types resolved, no core code validation), and encode (`encodeComponent`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeComponent } from "../src/component/binary/decoder.js";
import { encodeComponent } from "../src/component/binary/encoder.js";
import { validateComponent } from "../src/component/binary/validate.js";
import { parseComponentText } from "../src/component/text/parser.js";
import type { ComponentInfo, ComponentSection } from "../src/component/binary/ast.js";
import type { BenchRow, BenchSuite } from "./harness.js";

/** The core module: StarlingMonkey from componentize-js, when installed. */
function engineModule(): Uint8Array | undefined {
  // This file runs from dist/bench; the package sits in the repository's node_modules.
  const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const file = join(repo, "node_modules", "@bytecodealliance", "componentize-js", "lib", "starlingmonkey_embedding.wasm");
  return existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
}

/** A WASI-like interface with `n` resources, each with a record type and two functions. */
function interfaceText(n: number): string {
  const decls: string[] = [];
  // Per resource: the resource (type index 3i), a record (3i+1) and the record's export (3i+2).
  for (let i = 0; i < n; i++) {
    decls.push(
      `(export "r${i}" (type (sub resource)))`,
      `(type (record (field "a" u32) (field "b" string) (field "c" s64)))`,
      `(export "rec${i}" (type (eq ${3 * i + 1})))`,
    );
  }
  for (let i = 0; i < n; i++) {
    decls.push(
      `(export "[method]r${i}.get" (func (param "self" (borrow ${3 * i})) (result ${3 * i + 2})))`,
      `(export "f${i}" (func (param "x" ${3 * i + 2}) (result (result string (error u32)))))`,
    );
  }
  return `(instance ${decls.join(" ")})`;
}

/** The synthetic component: the engine module plus an import and export surface. */
function syntheticComponent(core: Uint8Array): Uint8Array {
  const imports: string[] = [];
  for (let k = 0; k < 20; k++) imports.push(`(import "wasi:io/iface${k}@0.2.0" ${interfaceText(8)})`);
  const shell = parseComponentText(`(component ${imports.join("\n")}
    (core module $shim (func (export "run") (param i32 i32) (result i32) i32.const 0)
      (memory (export "memory") 1) (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0))
    (core instance $s (instantiate $shim))
    (func (export "render") (param "markdown" string) (result string)
      (canon lift (core func $s "run") (memory (core memory $s "memory")) (realloc (core func $s "realloc")))))`);
  const info = decodeComponent(shell);
  const engine: ComponentSection = {
    id: "core-module",
    offset: 0,
    module: { offset: 0, bytes: core, info: undefined as never },
  };
  // The engine module goes last, so that the shell's module indices stay as they are.
  return encodeComponent({ sections: [...info.sections, engine] } as Pick<ComponentInfo, "sections">);
}

function bestMs(fn: () => unknown, rounds: number): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return Math.min(...times);
}

function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

const suite: BenchSuite = {
  title: "Component binary: decode / validate / encode",
  run(): BenchRow[] {
    const file = process.env.COMPONENT_BENCH_FILE;
    let bytes: Uint8Array;
    let what: string;
    if (file && existsSync(file)) {
      bytes = new Uint8Array(readFileSync(file));
      what = `${file.split("/").pop()} (${(bytes.length / 1e6).toFixed(1)} MB)`;
    } else {
      const core = engineModule();
      if (core === undefined) {
        console.log("  (skipped: @bytecodealliance/componentize-js is not installed and COMPONENT_BENCH_FILE is unset)");
        return [];
      }
      bytes = syntheticComponent(core);
      what = `synthetic ${(bytes.length / 1e6).toFixed(1)} MB component`;
    }
    const cores = decodeComponent(bytes).sections.flatMap((s) => (s.id === "core-module" ? [s.module.bytes] : []));
    const anchor = "V8 WebAssembly.validate of its core modules";
    const rounds = 7;
    const rows: BenchRow[] = [];
    const measure = (name: string, ours: () => unknown) => {
      ours();
      // Alternate ours and the anchor so that machine noise hits both alike.
      let o = Infinity;
      let t = Infinity;
      for (let r = 0; r < rounds; r++) {
        o = Math.min(o, bestMs(ours, 1));
        t = Math.min(t, bestMs(() => cores.every((c) => WebAssembly.validate(c as Uint8Array<ArrayBuffer>)), 1));
      }
      const ob = mbps(bytes.length, o);
      const tb = mbps(bytes.length, t);
      rows.push({ name: `${name}, ${what}`, anchor, ours: ob, theirs: tb, ratio: ob / tb, unit: "MB/s" });
    };
    measure("decode", () => decodeComponent(bytes));
    measure("decode + validate", () => validateComponent(decodeComponent(bytes)));
    const info = decodeComponent(bytes);
    measure("encode", () => encodeComponent(info));
    return rows;
  },
};

export default suite;
