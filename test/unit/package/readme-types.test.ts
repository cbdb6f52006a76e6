/**
 * The README's TypeScript examples compile under `--strict` against the built package, imported by
 * its name (`wasmhost`, `wasmhost/wasi`, ...) as a user's program imports it: the `ts` code blocks,
 * in order, as one program (later blocks continue earlier ones).
 *
 * @module
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { REPO_ROOT } from "../../spec/suites.js";

/** The bodies of the ```ts blocks of a markdown text. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

function typeErrors(source: string, name: string): string[] {
  // Inside the repository, so that `wasmhost` resolves to this package through its "exports".
  const dir = join(REPO_ROOT, "dist", "readme-check");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${source}\nexport {};\n`);
  const program = ts.createProgram([file], {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: ["node"],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${name}.ts${where ? `:${where.line + 1}:${where.character + 1}` : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

test("the README's TypeScript examples compile under --strict against the package", () => {
  const blocks = tsBlocks(readFileSync(join(REPO_ROOT, "README.md"), "utf8"));
  assert.ok(blocks.length >= 2, `found ${blocks.length} ts blocks`);
  assert.deepEqual(typeErrors(blocks.join("\n"), "readme"), []);
});
