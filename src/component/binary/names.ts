/**
 * The rules for component names (`Explainer.md`, "Import and Export Definitions"): kebab-case labels,
 * the `[constructor]`/`[method]`/`[static]` annotations, interface names with versions, the
 * dependency and URL forms the reference tools accept, and strong uniqueness.
 *
 * Each check returns `undefined` when the name is valid, or the reason it is not.
 *
 * @module
 */

/** A parsed plain or interface name. */
export type ParsedName =
  | { readonly kind: "label"; readonly label: string }
  | { readonly kind: "constructor"; readonly resource: string }
  | { readonly kind: "method" | "static"; readonly resource: string; readonly name: string }
  | { readonly kind: "async"; readonly label: string }
  | { readonly kind: "async method" | "async static"; readonly resource: string; readonly name: string }
  | { readonly kind: "interface"; readonly name: string }
  | { readonly kind: "other"; readonly name: string };

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}
function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Why `s` is not a kebab-case label, or undefined when it is one. */
export function labelError(s: string): string | undefined {
  if (s.length === 0) return "`` is not in kebab case";
  const fragments = s.split("-");
  for (let f = 0; f < fragments.length; f++) {
    const frag = fragments[f]!;
    if (frag.length === 0) return `\`${s}\` is not in kebab case`;
    const c0 = frag.charCodeAt(0);
    if (f === 0 && !isLower(c0) && !isUpper(c0)) return `\`${s}\` is not in kebab case`;
    let upper: boolean | undefined;
    for (let i = 0; i < frag.length; i++) {
      const c = frag.charCodeAt(i);
      if (isDigit(c)) continue;
      const u = isUpper(c);
      if (!u && !isLower(c)) return `\`${s}\` is not in kebab case`;
      if (upper === undefined) upper = u;
      else if (upper !== u) return `\`${s}\` is not in kebab case`;
    }
  }
  return undefined;
}

/** `words ::= first-word ('-' word)*`, all lowercase. */
function wordsError(s: string, what: string): string | undefined {
  if (s.length === 0) return `empty identifier segment`;
  for (const frag of s.split("-")) {
    if (frag.length === 0) return `\`${s}\` is not in kebab case`;
    for (let i = 0; i < frag.length; i++) {
      const c = frag.charCodeAt(i);
      if (isUpper(c)) return `character \`${frag[i]}\` is not lowercase in ${what}`;
      if (!isLower(c) && !isDigit(c)) return `character \`${frag[i]}\` is not a valid character in ${what}`;
    }
  }
  if (!isLower(s.charCodeAt(0))) return `\`${s}\` is not in kebab case`;
  return undefined;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const CANON_VERSION = /^(?:[1-9]\d*|0\.[1-9]\d*|0\.0\.[1-9]\d*|0\.0\.0)$/;

/** True when `v` is a valid semantic version. */
export function isSemver(v: string): boolean {
  return SEMVER.test(v);
}

/** True when `v` is a canonical version (`1`, `0.2`, `0.0.3`, `0.0.0`). */
export function isCanonVersion(v: string): boolean {
  return CANON_VERSION.test(v);
}

/**
 * Why `s` is not an interface name (`ns:pkg/iface@version`), or undefined. With `nested` (🪺), the
 * namespace and the package may nest: `ns:sub:pkg/iface/inner@version`.
 */
export function interfaceNameError(s: string, nested = false): string | undefined {
  const at = s.indexOf("@");
  const body = at < 0 ? s : s.slice(0, at);
  if (at >= 0) {
    const version = s.slice(at + 1);
    if (version.length === 0 || /(^|[.-])$/.test(version) || version.includes("..")) return "empty identifier segment";
    if (!isSemver(version) && !isCanonVersion(version)) return `\`${version}\` is not a valid semver`;
  }
  const colon = body.indexOf(":");
  if (colon < 0) return `\`${s}\` is not a valid extern name`;
  const slash = body.indexOf("/");
  if (slash < 0) return "expected `/` after package name";
  const packagePath = body.slice(0, slash).split(":");
  if (packagePath.length > 2 && !nested) return "expected `/` after package name";
  if (packagePath.length < 2) return `\`${s}\` is not a valid extern name`;
  for (const w of packagePath) {
    const e = wordsError(w, "package name/namespace");
    if (e) return e;
  }
  const projections = body.slice(slash + 1).split("/");
  if (projections.length > 1 && !nested) return `trailing characters found: \`${body.slice(slash + 1 + projections[0]!.length)}\``;
  for (const p of projections) {
    const e = labelError(p);
    if (e) return e;
  }
  return undefined;
}

/** Parses and checks an import or export name. */
export function parseExternName(s: string, nested = false): ParsedName | string {
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) return `\`${s}\` is not a valid extern name`;
    const annotation = s.slice(1, close);
    const rest = s.slice(close + 1);
    switch (annotation) {
      case "constructor": {
        const e = labelError(rest);
        return e ?? { kind: "constructor", resource: rest };
      }
      case "method":
      case "static":
      case "async method":
      case "async static": {
        const dot = rest.indexOf(".");
        if (dot < 0) return "failed to find `.` character";
        const resource = rest.slice(0, dot);
        const name = rest.slice(dot + 1);
        const e = labelError(resource) ?? labelError(name);
        return e ?? { kind: annotation, resource, name };
      }
      case "async": {
        const e = labelError(rest);
        return e ?? { kind: "async", label: rest };
      }
      default:
        return `\`${s}\` is not a valid extern name`;
    }
  }
  const eq = s.indexOf("=");
  if (eq > 0 && /^(unlocked-dep|locked-dep|url|relative-url|integrity)$/.test(s.slice(0, eq))) {
    const e = depNameError(s.slice(0, eq), s.slice(eq + 1), nested);
    return e ?? { kind: "other", name: s };
  }
  if (s.includes(":")) {
    const e = interfaceNameError(s, nested);
    return e ?? { kind: "interface", name: s };
  }
  const e = labelError(s);
  return e ?? { kind: "label", label: s };
}

function depNameError(kind: string, rest: string, nested: boolean): string | undefined {
  if (!rest.startsWith("<")) return `expected \`<\` at \`${rest}\``;
  // The closing `>`, skipping a version range's `{...}` (which may hold `>=`).
  let close = -1;
  for (let i = 1, braces = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "{") braces++;
    else if (c === "}") braces--;
    else if (c === ">" && braces === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return `expected \`>\` at \`${rest}\``;
  const inner = rest.slice(1, close);
  const after = rest.slice(close + 1);
  if (kind === "integrity") return integrityError(inner) ?? (after.length ? `trailing characters found: \`${after}\`` : undefined);
  if (kind === "url" || kind === "relative-url") {
    if (inner.includes("<")) return `\`${rest}\` is not a valid extern name`;
    if (kind === "url" && after.startsWith(",integrity=")) return depNameError("integrity", after.slice(11), nested);
    return after.length === 0 ? undefined : `trailing characters found: \`${after}\``;
  }
  // unlocked-dep=<ns:pkg[@{range}|@*]> or locked-dep=<ns:pkg[@version]>(,integrity=<...>)?
  const at = inner.indexOf("@");
  const pkg = at < 0 ? inner : inner.slice(0, at);
  const colon = pkg.indexOf(":");
  if (colon < 0) return `expected \`:\` in \`${inner}\``;
  // 🪺 nested: `ns:sub:pkg/inner/...` names a nested package.
  const slash = nested ? pkg.indexOf("/") : -1;
  const parts = (slash < 0 ? pkg : pkg.slice(0, slash)).split(":");
  if (parts.length > 2 && !nested) return "expected `/` after package name";
  for (const part of parts) {
    const e = wordsError(part, "package name/namespace");
    if (e) return e;
  }
  if (slash >= 0) {
    for (const p of pkg.slice(slash + 1).split("/")) {
      const e = labelError(p);
      if (e) return e;
    }
  }
  if (at >= 0) {
    const v = inner.slice(at + 1);
    if (kind === "locked-dep") {
      if (!isSemver(v)) return `\`${v}\` is not a valid semver`;
    } else if (v !== "*") {
      if (!v.startsWith("{") || !v.endsWith("}")) return `expected \`{\` at \`${v}\``;
      const e = rangeError(v.slice(1, -1));
      if (e) return e;
    }
  }
  if (after.length > 0) {
    if (kind === "locked-dep" && after.startsWith(",integrity=")) return depNameError("integrity", after.slice(11), nested);
    return `trailing characters found: \`${after}\``;
  }
  return undefined;
}

/** A version range: `>=V`, `<V` or `>=V <V`. */
function rangeError(r: string): string | undefined {
  const m = /^>=(\S+)(?: <(\S+))?$/.exec(r) ?? /^<(\S+)$/.exec(r);
  if (!m) {
    if (!r.startsWith(">=") && !r.startsWith("<")) return "expected `>=` or `<` at start of version range";
    const v = r.replace(/^(>=|<)/, "");
    return `\`${v}\` is not a valid semver`;
  }
  for (const v of m.slice(1)) if (v !== undefined && !isSemver(v)) return `\`${v}\` is not a valid semver`;
  return undefined;
}

/** `integrity=<...>`: one or more `algo-base64(?options)`, space-separated (Subresource Integrity). */
function integrityError(s: string): string | undefined {
  if (s.trim().length === 0) return "integrity hash cannot be empty";
  for (const part of s.trim().split(/\s+/)) {
    const m = /^(sha256|sha384|sha512)(-?)(.*)$/.exec(part);
    if (!m) return `unrecognized hash algorithm: \`${part}\``;
    if (m[2] !== "-") return "expected `-` after hash algorithm";
    const hash = m[3]!.split("?")[0]!;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(hash)) return "not valid base64";
  }
  return undefined;
}

/**
 * The canonical form of a name for strong uniqueness: acronyms lowercased, `[method]l.l` and
 * `[static]l.l` reduced to `l`, annotations other than `[constructor]` stripped.
 */
export function uniquenessKey(s: string): string {
  // Dependency, URL and integrity names are compared as written.
  if (/^(unlocked-dep|locked-dep|url|relative-url|integrity)=/.test(s)) return s;
  let n = s.toLowerCase();
  const m = /^\[(method|static|async method|async static)\]([^.]*)\.(.*)$/.exec(n);
  if (m && m[2] === m[3]) return m[2]!;
  if (n.startsWith("[") && !n.startsWith("[constructor]")) n = n.slice(n.indexOf("]") + 1);
  return n;
}

/** A set of strongly-unique names: `add` returns the earlier name that conflicts, if any. */
export class NameSet {
  private readonly keys = new Map<string, string>();

  add(name: string): string | undefined {
    const key = uniquenessKey(name);
    const prev = this.keys.get(key);
    if (prev !== undefined) return prev;
    this.keys.set(key, name);
    return undefined;
  }

  has(name: string): boolean {
    return this.keys.has(uniquenessKey(name));
  }
}
