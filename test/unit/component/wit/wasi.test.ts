/**
 * Every WASI 0.2 package (../shared/wasi-0.2-wit) parses and resolves; printing round-trips through the
 * parser to the same resolved form; encoding to components and decoding back round-trips.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeComponent } from "../../../../src/component/binary/decoder.js";
import {
  type WitResolution, type WitSource, decodeWit, encodeWitPackage, encodeWorldMetadata, printWit, printWitPackage,
  WitTypeConverter, resolveWitPackages, worldComponentType,
} from "../../../../src/component/index.js";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const wasiDir = `${root}../shared/wasi-0.2-wit`;
const available = existsSync(wasiDir);

function wasiGroups(): WitSource[][] {
  return readdirSync(wasiDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => readdirSync(`${wasiDir}/${d.name}`).filter((f) => f.endsWith(".wit")).sort()
      .map((f) => ({ path: `${d.name}/${f}`, source: readFileSync(`${wasiDir}/${d.name}/${f}`, "utf8") })));
}

/** Each package printed on its own, resolved again from the printed texts. */
function reprint(res: WitResolution, allFeatures: boolean): WitResolution {
  return resolveWitPackages(res.packages.map((p, i) => [{ path: `printed-${i}.wit`, source: printWitPackage(p) }]), { allFeatures });
}

for (const allFeatures of [false, true]) {
  test(`every WASI 0.2 package resolves (${allFeatures ? "all features" : "stable only"}) and printing round-trips`, { skip: !available }, () => {
    const res = resolveWitPackages(wasiGroups(), { allFeatures });
    assert.deepEqual(res.packages.map(String).sort(), [
      "wasi:cli@0.2.12", "wasi:clocks@0.2.12", "wasi:filesystem@0.2.12", "wasi:http@0.2.12", "wasi:io@0.2.12",
      "wasi:random@0.2.12", "wasi:sockets@0.2.12",
    ]);
    const clocks = res.packages.find((p) => p.name.name === "clocks")!;
    assert.equal(clocks.interfaces.has("timezone"), allFeatures, "@unstable(feature = clocks-timezone) is gated");
    const again = reprint(res, allFeatures);
    // The printed text is a fixpoint ...
    assert.deepEqual(again.packages.map((p) => printWitPackage(p)).sort(), res.packages.map((p) => printWitPackage(p)).sort());
    // ... and means the same: every interface and world has the same component type (the maps compare
    // without regard to order: printing groups a resource's functions in its block, as wasm-tools does).
    const types = new WitTypeConverter();
    const typesAgain = new WitTypeConverter();
    for (const pkg of res.packages) {
      const other = again.packages.find((p) => String(p) === String(pkg))!;
      assert.deepEqual([...other.interfaces.keys()], [...pkg.interfaces.keys()]);
      for (const [name, iface] of pkg.interfaces) {
        assert.deepEqual(typesAgain.instanceType(other.interfaces.get(name)!), types.instanceType(iface), `${iface.qualifiedName}`);
      }
      for (const [name, w] of pkg.worlds) {
        assert.deepEqual(typesAgain.worldType(other.worlds.get(name)!), types.worldType(w), `${w.qualifiedName}`);
        assert.deepEqual([...other.worlds.get(name)!.imports.keys()], [...w.imports.keys()]);
      }
      // Printed once more, the encoding is stable too.
      const third = reprint(again, allFeatures).packages.find((p) => String(p) === String(pkg))!;
      assert.deepEqual(encodeWitPackage(third), encodeWitPackage(other), `${pkg} encodes the same after printing twice`);
    }
  });
}

test("WASI packages and worlds encode to valid components that decode to the same WIT", { skip: !available }, () => {
  const res = resolveWitPackages(wasiGroups());
  for (const pkg of res.packages) {
    // (Validity: the jco cross-check shows the world encodings are byte-identical to wit-component's.)
    const bytes = encodeWitPackage(pkg);
    const back = decodeWit(decodeComponent(bytes));
    assert.equal(String(back.root), String(pkg));
    assert.deepEqual(encodeWitPackage(back.root!), bytes, `${pkg} package round trip`);
    for (const w of pkg.worlds.values()) {
      const meta = encodeWorldMetadata(w);
      const decoded = decodeWit(decodeComponent(meta));
      const w2 = decoded.root!.worlds.get(w.name)!;
      assert.deepEqual(encodeWorldMetadata(w2), meta, `${w.qualifiedName} world round trip`);
      assert.deepEqual([...w2.imports.keys()], [...w.imports.keys()]);
      assert.deepEqual([...w2.exports.keys()], [...w.exports.keys()]);
    }
  }
});

test("the wasi:cli/command world: includes flattened, transitive imports first, typed as a ComponentType", { skip: !available }, () => {
  const res = resolveWitPackages(wasiGroups());
  const cli = res.packages.find((p) => p.name.name === "cli")!;
  const command = cli.worlds.get("command")!;
  const imports = [...command.imports.keys()];
  assert.ok(imports.includes("wasi:io/streams@0.2.12"));
  assert.ok(imports.indexOf("wasi:io/error@0.2.12") < imports.indexOf("wasi:io/streams@0.2.12"), "dependencies come first");
  assert.ok(imports.indexOf("wasi:io/streams@0.2.12") < imports.indexOf("wasi:cli/stdin@0.2.12"));
  assert.deepEqual([...command.exports.keys()], ["wasi:cli/run@0.2.12"]);
  const type = worldComponentType(command);
  const streams = type.imports.get("wasi:io/streams@0.2.12");
  const stdin = type.imports.get("wasi:cli/stdin@0.2.12");
  assert.equal(streams?.kind, "instance");
  assert.equal(stdin?.kind, "instance");
  if (streams?.kind !== "instance" || stdin?.kind !== "instance") return;
  const inputStream = streams.type.exports.get("input-stream");
  const getStdin = stdin.type.exports.get("get-stdin");
  assert.equal(getStdin?.kind, "func");
  if (getStdin?.kind !== "func" || inputStream?.kind !== "type") return;
  const result = getStdin.type.result;
  assert.equal(result?.kind, "own");
  // The resource `use`d by wasi:cli/stdin is the very resource wasi:io/streams defines.
  assert.equal(result?.kind === "own" ? result.resource : undefined, inputStream.type);
  assert.match(printWit(res), /^package wasi:[a-z]+@0\.2\.12;\n[^]*\npackage wasi:[a-z]+@0\.2\.12 \{\n/);
});
