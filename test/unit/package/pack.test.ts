/**
 * What `npm pack` ships: the built library with working source maps, the license, the npm README and
 * every file that package.json's `exports` and `bin` name; nothing of the tests, benchmarks or build.
 *
 * @module
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../../spec/suites.js";

interface PackEntry {
  readonly path: string;
  readonly size: number;
}

// --ignore-scripts: the README swap (prepack) is tested on a copy below; the listing is what matters here.
const listing = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8" }),
) as { files: PackEntry[]; size: number; unpackedSize: number }[];
const pack = listing[0]!;
const files = new Set(pack.files.map((f) => f.path));
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  engines: { node: string };
};

test("the package holds the built library, LICENSE, README.md and package.json, and nothing else", (t) => {
  t.diagnostic(`${pack.files.length} files, ${pack.size} bytes packed, ${pack.unpackedSize} unpacked`);
  const other = [...files].filter((p) => !p.startsWith("dist/src/") && !["LICENSE", "README.md", "package.json"].includes(p));
  assert.deepEqual(other, []);
  for (const p of ["LICENSE", "README.md", "package.json", "dist/src/index.js", "dist/src/index.d.ts"]) assert.ok(files.has(p), p);
  assert.match(readFileSync(join(REPO_ROOT, "LICENSE"), "utf8"), /^Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
});

test("every file that exports and bin name is in the package", () => {
  const targets: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") targets.push(v);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(pkg.exports);
  walk(pkg.bin);
  assert.ok(targets.length > 10);
  for (const target of targets) assert.ok(files.has(target.replace(/^\.\//, "")), `${target} is not packed`);
});

test("every packed source map carries its sources, so it works without the repository", () => {
  const maps = [...files].filter((p) => p.endsWith(".js.map"));
  assert.ok(maps.length > 50, `${maps.length} maps`);
  for (const p of maps) {
    const map = JSON.parse(readFileSync(join(REPO_ROOT, p), "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
    assert.equal(map.sourcesContent?.length, map.sources.length, `${p} has no sourcesContent`);
    assert.ok(map.sourcesContent.every((s) => typeof s === "string" && s.length > 0), `${p}: empty sourcesContent`);
  }
});

test("engines names the oldest Node that has what the package needs (process.getBuiltinModule: 20.16)", () => {
  assert.equal(pkg.engines.node, ">=20.16");
});

test("packing ships docs/npm/README.md as README.md and puts the repository's README back", () => {
  const root = mkdtempSync(join(tmpdir(), "wasmhost-pack-"));
  try {
    mkdirSync(join(root, "docs", "npm"), { recursive: true });
    writeFileSync(join(root, "README.md"), "repo readme");
    writeFileSync(join(root, "docs", "npm", "README.md"), "npm readme");
    const script = join(REPO_ROOT, "scripts", "pack-readme.mjs");
    execFileSync(process.execPath, [script, "in", root]);
    assert.equal(readFileSync(join(root, "README.md"), "utf8"), "npm readme");
    execFileSync(process.execPath, [script, "out", root]);
    assert.equal(readFileSync(join(root, "README.md"), "utf8"), "repo readme");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const npmReadme = readFileSync(join(REPO_ROOT, "docs", "npm", "README.md"), "utf8");
  assert.doesNotMatch(npmReadme, /\.\.\/shared|npm run demo/, "the npm README holds no repository-only notes");
});
