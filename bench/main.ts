/**
 * `npm run bench`: runs every `bench/*.bench.js` suite (or those named on the command line) and prints
 * each as a table of ratios against its anchor, measured in the same run.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatRows, type BenchSuite } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const file of files) {
  const suite = (await import(pathToFileURL(join(here, file)).href)).default as BenchSuite;
  const rows = await suite.run();
  console.log(formatRows(suite.title, rows));
  console.log();
}
