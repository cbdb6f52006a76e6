/**
 * `wasmhost inspect FILE`: a module's imports and exports with their types, its sections with offsets
 * and sizes, and what its name section names.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { decodeModule, SectionId } from "../../binary/index.js";
import { Engine, Module, type ExternType } from "../../index.js";
import type { CliIO } from "../io.js";
import { UsageError } from "../io.js";

const SECTION_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(SectionId).map(([k, v]) => [v, k]));

function formatType(t: ExternType): string {
  switch (t.kind) {
    case "func":
      return `func (${t.params.join(", ")}) -> (${t.results.join(", ")})`;
    case "global":
      return `global ${t.mutable ? "mut " : ""}${t.content}`;
    case "table":
      return `table ${t.element} ${t.min}${t.max !== undefined ? `..${t.max}` : ".."}`;
    case "memory":
      return `memory ${t.min}${t.max !== undefined ? `..${t.max}` : ".."} pages${t.shared ? " shared" : ""}${t.memory64 ? " i64" : ""}`;
    case "tag":
      return `tag (${t.params.join(", ")})`;
  }
}

/** The `inspect` command. */
export default function inspect(argv: string[], io: CliIO): number {
  if (argv.length !== 1 || argv[0]!.startsWith("-")) throw new UsageError("inspect takes exactly one FILE");
  const file = argv[0]!;
  const module = Module.fromFile(new Engine(), file);
  const bytes = new Uint8Array(readFileSync(file));
  // A text file was compiled by fromFile; show the binary it became.
  const info = decodeModule(bytes[0] === 0 && bytes[1] === 0x61 ? bytes : textBinary(module));
  const lines: string[] = [];
  lines.push(`module ${module.name !== undefined ? JSON.stringify(module.name) : "(no name)"}: ${info.bytes.length} bytes`);
  lines.push(`imports (${module.imports.length}):`);
  for (const i of module.imports) lines.push(`  ${i.module}::${i.name}: ${formatType(i.type)}`);
  lines.push(`exports (${module.exports.length}):`);
  for (const e of module.exports) lines.push(`  ${e.name}: ${formatType(e.type)}`);
  lines.push(`sections (${info.sections.length}):`);
  for (const s of info.sections) {
    const name = s.id === 0 ? `custom ${JSON.stringify(s.name)}` : (SECTION_NAMES[s.id] ?? `id ${s.id}`);
    lines.push(`  ${name.padEnd(22)} at 0x${s.offset.toString(16).padStart(6, "0")}  ${s.end - s.payloadOffset} bytes`);
  }
  const n = info.names;
  lines.push("names:");
  lines.push(`  module: ${n.module !== undefined ? JSON.stringify(n.module) : "-"}`);
  lines.push(`  functions: ${n.functions.size} named of ${info.importedFuncs + info.functions.length}`);
  const locals = [...n.locals.values()].reduce((a, m) => a + m.size, 0);
  lines.push(`  locals: ${locals} named in ${n.locals.size} functions`);
  for (const [label, map] of [["globals", n.globals], ["tables", n.tables], ["memories", n.memories], ["types", n.types], ["tags", n.tags]] as const) {
    if (map.size > 0) lines.push(`  ${label}: ${map.size} named`);
  }
  if (n.malformed) lines.push(`  (the name section is malformed and was ignored: ${n.malformed})`);
  io.out(`${lines.join("\n")}\n`);
  return 0;
}

function textBinary(module: Module): Uint8Array {
  return (module as unknown as { info: { bytes: Uint8Array } }).info.bytes;
}
