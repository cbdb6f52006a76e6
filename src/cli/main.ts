/**
 * The `wasmhost` command line: `wasmhost <command> [arguments]`. Each command lives in
 * `commands/<name>.ts` and uses the public API only.
 *
 * @module
 */
import type { CliIO, Command } from "./io.js";
import { UsageError } from "./io.js";
import { describeError, describeFileError } from "./report.js";

const COMMANDS: Readonly<Record<string, string>> = {
  run: "run a module: WASI `_start`, or `--invoke NAME ARGS...`",
  inspect: "show a module's imports, exports, sections and names",
  wat2wasm: "translate the text format to a binary: wat2wasm IN -o OUT",
  print: "print a binary in the text format",
  wast: "run .wast spec scripts",
  component: "make components and print their WIT: component new|embed|wit",
  bindgen: "TypeScript bindings for a module, component or WIT: bindgen IN -o OUT.ts",
};

const USAGE = `usage: wasmhost <command> [arguments]

commands:
${Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(9)} ${v}`).join("\n")}

wasmhost run FILE [--invoke NAME [ARGS...]] [--dir HOST[::GUEST]] [--dir-ro HOST[::GUEST]]
             [--env K=V] [--fuel N] [--timeout MS] [--cache[=DIR]] [-- PROGRAM_ARGS...]
wasmhost inspect FILE
wasmhost wat2wasm IN -o OUT
wasmhost print IN [--flat]
wasmhost wast FILE...
wasmhost component new CORE.wasm [--wit WIT] [--world W] [--features F,...] [--adapt NAME=ADAPTER.wasm] -o OUT
wasmhost component embed CORE.wasm --wit WIT [--world W] -o OUT
wasmhost component wit FILE|DIR [--world W] [--wasm -o OUT]
wasmhost bindgen FILE|DIR [-o OUT.ts] [--world W]`;

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.err : io.out)(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.out(`wasmhost ${(await import("./version.js")).packageVersion()}\n`);
    return 0;
  }
  if (!(name in COMMANDS)) {
    io.err(`wasmhost: unknown command ${JSON.stringify(name)}\n\n${USAGE}\n`);
    return 2;
  }
  const own = rest.indexOf("--");
  if ((own < 0 ? rest : rest.slice(0, own)).some((a) => a === "--help" || a === "-h")) {
    io.out(`${commandHelp(name)}\n`);
    return 0;
  }
  let command: Command;
  try {
    command = ((await import(`./commands/${name}.js`)) as { default: Command }).default;
  } catch (e) {
    io.err(`wasmhost: the ${name} command is not available in this build (${(e as Error).message})\n`);
    return 1;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`wasmhost ${name}: ${e.message}\n(see wasmhost --help)\n`);
      return 2;
    }
    const fileError = describeFileError(e, rest);
    if (fileError !== undefined) {
      io.err(`wasmhost ${name}: ${fileError}\n`);
      return 2;
    }
    io.err(`${describeError(e)}\n`);
    return 1;
  }
}

/** `wasmhost NAME --help`: the command's line of the overview and its usage lines from `USAGE`. */
function commandHelp(name: string): string {
  const lines = USAGE.split("\n");
  const usage: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(`wasmhost ${name} `) && lines[i] !== `wasmhost ${name}`) continue;
    usage.push(lines[i]!);
    while (lines[i + 1]?.startsWith(" ")) usage.push(lines[++i]!);
  }
  return `wasmhost ${name}: ${COMMANDS[name]}\n\nusage:\n${usage.map((l) => `  ${l}`).join("\n")}`;
}

