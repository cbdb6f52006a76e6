/**
 * `wasmhost component new|wit|embed`: making components and reading their WIT.
 *
 *   wasmhost component new CORE.wasm [--wit WIT] [--world W] [--features F,..] [--adapt NAME=ADAPTER.wasm] -o OUT
 *       wraps a core module into a component for a world (read from `--wit`, a file or a directory
 *       with `deps/`, or from the module's `component-type` section), as `wasm-tools component new`;
 *       `--adapt` links an adapter for the import module NAME (the WASI preview1 adapter for
 *       `wasi_snapshot_preview1`), whose own world is added to the component's
 *   wasmhost component embed CORE.wasm --wit WIT [--world W] -o OUT
 *       adds the world's `component-type` section to a core module, as `wasm-tools component embed`
 *   wasmhost component wit FILE [--world W] [--wasm -o OUT]
 *       prints the WIT of a component (its world), of a WIT package encoded as a component, of a core
 *       module's `component-type` section, or of a WIT file or directory; with `--wasm`, writes the
 *       root package of a WIT file or directory encoded as a component
 *
 * @module
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type WitResolution, type WitSource, componentNew, componentWit, embedWorld, embeddedWorlds, encodeWitPackage,
  isComponentBinary, printWit, printWitPackage, resolveWit, resolveWitFiles, selectWorld,
} from "../../component/index.js";
import type { CliIO } from "../io.js";
import { UsageError } from "../io.js";
import { hasWasmMagic } from "../../binary/decoder.js";

interface Args {
  positional: string[];
  wit?: string;
  world?: string;
  output?: string;
  features: string[];
  adapt: string[];
  wasm: boolean;
}

function parse(argv: readonly string[]): Args {
  const a: Args = { positional: [], features: [], adapt: [], wasm: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-o" || arg === "--output") a.output = value(++i, arg);
    else if (arg === "--wit") a.wit = value(++i, arg);
    else if (arg === "--world" || arg === "-w") a.world = value(++i, arg);
    else if (arg === "--features") a.features.push(...value(++i, arg).split(",").filter(Boolean));
    else if (arg === "--adapt") a.adapt.push(value(++i, arg));
    else if (arg === "--wasm") a.wasm = true;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else a.positional.push(arg);
  }
  return a;
}

/** Reads a WIT file, or a WIT directory with its `deps/`, and resolves it. */
export function loadWit(path: string, features: readonly string[]): WitResolution {
  const options = { features };
  if (!statSync(path).isDirectory()) return resolveWit(readFileSync(path, "utf8"), { path, ...options });
  const files: WitSource[] = [];
  const add = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name).replace(/\\/g, "/");
      if (e.isFile() && e.name.endsWith(".wit")) files.push({ path: p, source: readFileSync(p, "utf8") });
      else if (e.isDirectory() && ((depth === 0 && e.name === "deps") || depth === 1)) add(p, depth + 1);
    }
  };
  add(path, 0);
  return resolveWitFiles(path.replace(/\\/g, "/"), files, options);
}

function isCoreModule(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && hasWasmMagic(bytes) && bytes[4] === 1 && bytes[6] === 0;
}

/** The `component` command. */
export default function component(argv: string[], io: CliIO): number {
  const [sub, ...rest] = argv;
  const a = parse(rest);
  switch (sub) {
    case "new": {
      const [input, extra] = a.positional;
      if (input === undefined || extra !== undefined) throw new UsageError("component new takes one core module: component new CORE.wasm --wit WIT -o OUT");
      if (a.output === undefined) throw new UsageError("component new needs -o OUT");
      const adapters = a.adapt.map((spec) => {
        const eq = spec.indexOf("=");
        if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--adapt takes NAME=ADAPTER.wasm (e.g. wasi_snapshot_preview1=adapter.wasm), not \`${spec}\``);
        return { name: spec.slice(0, eq), module: readFileSync(spec.slice(eq + 1)) };
      });
      const module = readFileSync(input);
      const world = a.wit !== undefined ? selectWorld(loadWit(a.wit, a.features), a.world) : undefined;
      const bytes = componentNew(module, { ...(world ? { world } : {}), ...(adapters.length ? { adapters } : {}) });
      writeFileSync(a.output, bytes);
      io.out(`wrote ${a.output} (${bytes.length} bytes)\n`);
      return 0;
    }
    case "embed": {
      const [input] = a.positional;
      if (input === undefined || a.wit === undefined || a.output === undefined) throw new UsageError("usage: component embed CORE.wasm --wit WIT [--world W] -o OUT");
      const world = selectWorld(loadWit(a.wit, a.features), a.world);
      const bytes = embedWorld(readFileSync(input), world);
      writeFileSync(a.output, bytes);
      io.out(`wrote ${a.output} (${bytes.length} bytes)\n`);
      return 0;
    }
    case "wit": {
      const [input, extra] = a.positional;
      if (input === undefined || extra !== undefined) throw new UsageError("component wit takes one file or directory");
      if (!statSync(input).isDirectory()) {
        const bytes = readFileSync(input);
        if (isComponentBinary(bytes)) {
          io.out(componentWit(bytes));
          return 0;
        }
        if (isCoreModule(bytes)) {
          const worlds = embeddedWorlds(bytes);
          if (!worlds.length) throw new UsageError(`${input} is a core module without a \`component-type\` section`);
          for (const w of worlds) io.out(printWitPackage(w.package!));
          return 0;
        }
      }
      const res = loadWit(input, a.features);
      if (a.wasm) {
        if (a.output === undefined) throw new UsageError("--wasm needs -o OUT");
        if (!res.root) throw new UsageError(`${input} has no root package`);
        const bytes = encodeWitPackage(res.root);
        writeFileSync(a.output, bytes);
        io.out(`wrote ${a.output} (${bytes.length} bytes)\n`);
        return 0;
      }
      if (a.world !== undefined) selectWorld(res, a.world);
      io.out(printWit(res));
      return 0;
    }
    default:
      throw new UsageError("usage: component new|embed|wit ... (see wasmhost --help)");
  }
}
