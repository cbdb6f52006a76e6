/**
 * The package's version, for `wasmhost --version`: read from the package.json that ships beside `dist/`.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** The `version` field of wasmhost's package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}
