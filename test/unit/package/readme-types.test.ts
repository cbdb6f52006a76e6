/**
 * The READMEs' TypeScript examples (the repository's and the npm package's) compile under `--strict` against the built package, imported by
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

const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";?[ \t]*$/gm;

/**
 * The blocks as one program: their imports merged at the top, the first block at the top level (later
 * blocks may continue it, using its `linker`, `store`, ...), every later block in a scope of its own
 * (a block may start a new example and declare its own `engine`). `bytes` stands for a module's bytes.
 */
export function examplesProgram(blocks: readonly string[]): string {
  const imports = new Map<string, Set<string>>();
  const bodies = blocks.map((block) =>
    block.replace(IMPORT, (_all, names: string, from: string) => {
      const set = imports.get(from) ?? new Set<string>();
      for (const n of names.split(",").map((x) => x.trim()).filter(Boolean)) set.add(n);
      imports.set(from, set);
      return "";
    }),
  );
  const head = [...imports].map(([from, names]) => `import { ${[...names].join(", ")} } from "${from}";`);
  return [...head, "declare const bytes: Uint8Array;", bodies[0] ?? "", ...bodies.slice(1).map((b) => `{\n${b}}`)].join("\n");
}

function typeErrors(source: string, name: string, resolution = ts.ModuleResolutionKind.NodeNext): string[] {
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
    module: resolution === ts.ModuleResolutionKind.Bundler ? ts.ModuleKind.ESNext : ts.ModuleKind.NodeNext,
    moduleResolution: resolution,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: ["node"],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${name}.ts${where ? `:${where.line + 1}:${where.character + 1}` : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

for (const [readme, name] of [["README.md", "readme"], ["docs/npm/README.md", "npm-readme"]] as const) {
  test(`${readme}'s TypeScript examples compile under --strict against the package`, () => {
    const blocks = tsBlocks(readFileSync(join(REPO_ROOT, readme), "utf8"));
    assert.ok(blocks.length >= 2, `found ${blocks.length} ts blocks`);
    assert.deepEqual(typeErrors(examplesProgram(blocks), name), []);
  });
}

test("browser builds (bundler resolution) see wasmhost/wasi without the Node-only NodeFs; Node builds see it", () => {
  const source = 'import { NodeFs, Wasi } from "wasmhost/wasi";\nvoid NodeFs; void Wasi;';
  assert.deepEqual(typeErrors(source, "wasi-node"), []);
  const browser = typeErrors(source, "wasi-browser", ts.ModuleResolutionKind.Bundler);
  assert.equal(browser.length, 1, browser.join("\n"));
  assert.match(browser[0]!, /has no exported member 'NodeFs'/);
});
