#!/usr/bin/env node
// npm ships the package root's README.md. The repository's README is for developers (it starts with the
// commands that build and test the repo), so packing swaps in docs/npm/README.md and puts the
// repository's back afterwards:
//   node scripts/pack-readme.mjs in [ROOT]    (prepack)  README.md -> .README.repo.md, npm README in
//   node scripts/pack-readme.mjs out [ROOT]   (postpack) the repository's README.md back
import { copyFileSync, existsSync, renameSync } from "node:fs";
import { join } from "node:path";

const [step, root = process.cwd()] = process.argv.slice(2);
const readme = join(root, "README.md");
const saved = join(root, ".README.repo.md");
if (step === "in") {
  if (existsSync(saved)) throw new Error(`${saved} exists: an earlier pack did not finish; restore README.md from it first`);
  renameSync(readme, saved);
  copyFileSync(join(root, "docs", "npm", "README.md"), readme);
} else if (step === "out") {
  if (existsSync(saved)) renameSync(saved, readme);
} else {
  console.error("usage: pack-readme.mjs in|out [ROOT]");
  process.exitCode = 2;
}
