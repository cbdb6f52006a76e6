/**
 * `wasmhost bindgen INPUT -o OUT.ts [--world NAME]`: TypeScript bindings for a core module (`.wasm`,
 * `.wat`), a component, or WIT (a file, or a directory with `deps/`).
 *
 * @module
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { bindingsOf, bindingsOfWitFiles, emitTypeScript } from "../../bindgen/index.js";
import type { CliIO } from "../io.js";
import { UsageError } from "../io.js";
import { hasWasmMagic } from "../../binary/decoder.js";

/** Every `.wit` file under `dir`, paths relative to it with `/`. */
function witFiles(dir: string): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".wit")) out.push({ path: relative(dir, p).split("\\").join("/"), source: readFileSync(p, "utf8") });
    }
  };
  walk(dir);
  return out;
}

/** The `bindgen` command. */
export default function bindgen(argv: string[], io: CliIO): number {
  let input: string | undefined;
  let output: string | undefined;
  let world: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-o" || a === "--output") {
      output = argv[++i];
      if (output === undefined) throw new UsageError("-o needs a file name");
    } else if (a === "--world") {
      world = argv[++i];
      if (world === undefined) throw new UsageError("--world needs a name");
    } else if (a.startsWith("-")) {
      throw new UsageError(`unknown option ${a}`);
    } else if (input === undefined) {
      input = a;
    } else {
      throw new UsageError("bindgen takes one input");
    }
  }
  if (input === undefined) throw new UsageError("bindgen takes an input: bindgen INPUT -o OUT.ts [--world NAME]");
  const options = { world, source: input.split(/[\\/]/).pop()! };
  let model;
  if (statSync(input).isDirectory()) {
    model = bindingsOfWitFiles(".", witFiles(input), options);
  } else {
    const bytes = readFileSync(input);
    const binary = hasWasmMagic(bytes);
    model = bindingsOf(binary ? new Uint8Array(bytes) : bytes.toString("utf8"), options);
  }
  const ts = emitTypeScript(model, options.source);
  if (output === undefined) io.out(ts);
  else {
    writeFileSync(output, ts);
    io.out(`wrote ${output}\n`);
  }
  return 0;
}
