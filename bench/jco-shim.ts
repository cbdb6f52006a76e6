/**
 * jco's way of running a WASI 0.2 component on Node, for context rows in bench/wasi-p2.bench.ts: the
 * component transpiled by jco (`transpile`, at bench time, into a temp directory that is removed
 * afterwards) and instantiated with `@bytecodealliance/preview2-shim` (the copy jco depends on).
 * Dev-only: both come with the `@bytecodealliance/jco` devDependency; without it the rows are skipped.
 *
 * The shim preopens host directories only (no in-memory filesystem) and writes stdout to the
 * process's own, so only rows without output on a host directory compare like with like.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A transpiled command component on the shim: `run(args, preopens)` runs `wasi:cli/run` once. */
export interface JcoCommand {
  run(args: readonly string[], preopens: Record<string, string>): void;
  /** Removes the transpiled files. */
  dispose(): void;
}

type Shim = Record<string, Record<string, unknown> | ((...a: unknown[]) => unknown)>;

/** The directory of the shim's Node modules, or undefined when jco is not installed. */
function shimDir(): string | undefined {
  try {
    const api = fileURLToPath(import.meta.resolve("@bytecodealliance/jco"));
    const nested = join(dirname(api), "..", "node_modules", "@bytecodealliance", "preview2-shim", "dist", "nodejs");
    try {
      readFileSync(join(nested, "cli.js"));
      return nested;
    } catch {
      return dirname(fileURLToPath(import.meta.resolve("@bytecodealliance/preview2-shim/cli")));
    }
  } catch {
    return undefined;
  }
}

/** The shim's export name as a WIT interface name: `terminalStdout` -> `terminal-stdout`. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Transpiles `bytes` with jco and links it to the shim; undefined when jco or the shim is missing. */
export async function jcoCommand(bytes: Uint8Array): Promise<JcoCommand | undefined> {
  const dir = shimDir();
  if (dir === undefined) return undefined;
  const { transpile } = (await import("@bytecodealliance/jco")) as unknown as {
    transpile(b: Uint8Array, o: object): Promise<{ files: Record<string, Uint8Array> }>;
  };
  const { files } = await transpile(bytes, { name: "component", instantiation: "sync", noTypescript: true, quiet: true });
  const out = mkdtempSync(join(tmpdir(), "wasmhost-bench-jco-"));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), data);
  }
  const packages = ["cli", "clocks", "filesystem", "io", "random", "sockets"];
  const shims = await Promise.all(packages.map(async (p) => (await import(pathToFileURL(join(dir, `${p}.js`)).href)) as Shim));
  const imports: Record<string, unknown> = {};
  packages.forEach((p, i) => {
    for (const [k, v] of Object.entries(shims[i]!)) if (!k.startsWith("_") && typeof v === "object") imports[`wasi:${p}/${kebab(k)}`] = v;
  });
  const cli = shims[0]!;
  const fs = shims[2]!;
  const { instantiate } = (await import(pathToFileURL(join(out, "component.js")).href)) as {
    instantiate(getCoreModule: (f: string) => WebAssembly.Module, imports: object): { run: { run(): void } };
  };
  const modules = new Map<string, WebAssembly.Module>();
  const getCoreModule = (f: string): WebAssembly.Module => {
    let m = modules.get(f);
    if (m === undefined) modules.set(f, (m = new WebAssembly.Module(readFileSync(join(out, f)))));
    return m;
  };
  return {
    run(args, preopens) {
      (cli._setArgs as (a: readonly string[]) => void)(args);
      (fs._setPreopens as (p: Record<string, string>) => void)(preopens);
      instantiate(getCoreModule, imports).run.run();
    },
    dispose() {
      rmSync(out, { recursive: true, force: true });
    },
  };
}
