/**
 * The WIT parser: tokens of one file -> its syntax tree (`FileAst`), following the grammar of
 * `WIT.md`. Recursive descent; type nesting deeper than `MAX_TYPE_DEPTH` is an error so hostile input
 * cannot overflow the stack. Names are not resolved here (the resolver does that over whole packages).
 *
 * @module
 */
import { WitError } from "../../errors.js";
import type {
  ExternAst, FileAst, FuncTypeAst, GateAst, Ident, ImportExportAst, IncludeAst, InterfaceAst,
  InterfaceItemAst, ItemHead, NamedTypeAst, PackageBodyAst, PackageNameAst, ResourceFuncAst, TopUseAst,
  TypeAst, TypeDefAst, UseAst, UsePathAst, WorldAst, WorldItemAst,
} from "./ast.js";
import { KEYWORDS, lex, type Token } from "./lexer.js";

/** The deepest type nesting accepted (`list<list<...>>`). */
export const MAX_TYPE_DEPTH = 100;

const PRIMITIVES: ReadonlySet<string> = new Set([
  "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string", "error-context",
]);

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Whether `text` is a valid semantic version (`1.2.3`, `1.0.0-rc.1+build`). */
export function isSemver(text: string): boolean {
  return SEMVER.test(text);
}

/** Options of `parseWitFile`. */
export interface WitParseOptions {
  /**
   * 🪺 nested namespaces and packages: `package a:b:c/d;` and `use a:b:c/d/iface`. The namespace
   * keeps its nesting (`a:b`) and the package name its path (`c/d`), so that qualified names come
   * out as the component names of the feature (`a:b:c/d/iface`).
   */
  readonly nestedNames?: boolean;
}

/** Parses one WIT file. `file` names it in errors. */
export function parseWitFile(source: string, file?: string, options: WitParseOptions = {}): FileAst {
  return new Parser(source, file, options.nestedNames === true).file();
}

class Parser {
  private readonly toks: Token[];
  private pos = 0;

  constructor(private readonly src: string, private readonly fileName: string | undefined, private readonly nested = false) {
    this.toks = lex(src, fileName);
  }

  // ---- token helpers ----

  private get tok(): Token {
    return this.toks[this.pos]!;
  }

  private peek(k = 1): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!;
  }

  private fail(reason: string, at: number = this.tok.start): never {
    throw new WitError(reason, this.src, at, this.fileName);
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case "eof": return "end of file";
      case "string": return "a string literal";
      case "number": return `\`${t.text}\``;
      case "explicit-id": return `\`%${t.text}\``;
      default: return `\`${t.text}\``;
    }
  }

  private isOp(op: string, t: Token = this.tok): boolean {
    return t.kind === "op" && t.text === op;
  }

  private isKeyword(word: string, t: Token = this.tok): boolean {
    return t.kind === "id" && t.text === word;
  }

  private eatOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.pos++;
    return true;
  }

  private expectOp(op: string, what?: string): Token {
    if (!this.isOp(op)) this.fail(`expected \`${op}\`${what ? ` ${what}` : ""}, found ${this.describe(this.tok)}`);
    return this.toks[this.pos++]!;
  }

  private eatKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.pos++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.eatKeyword(word)) this.fail(`expected \`${word}\`, found ${this.describe(this.tok)}`);
  }

  /** An identifier that is not a keyword (or is `%`-escaped). */
  private ident(what = "an identifier"): Ident {
    const t = this.tok;
    if (t.kind === "explicit-id" || (t.kind === "id" && !KEYWORDS.has(t.text))) {
      this.pos++;
      return { name: t.text, at: t.start };
    }
    if (t.kind === "id") this.fail(`expected ${what}, found keyword \`${t.text}\` (write \`%${t.text}\` to use it as a name)`);
    return this.fail(`expected ${what}, found ${this.describe(t)}`);
  }

  private version(): string {
    const t = this.tok;
    if (t.kind !== "number" || !isSemver(t.text)) this.fail(`expected a semantic version such as \`1.0.0\`, found ${this.describe(t)}`);
    this.pos++;
    return t.text;
  }

  /** Docs of the item starting at the current token (docs sit on its first token, gates included). */
  private docs(): string | undefined {
    return this.tok.docs;
  }

  // ---- file structure ----

  file(): FileAst {
    const nested: PackageBodyAst[] = [];
    let pkg: PackageNameAst | undefined;
    let pkgDocs: string | undefined;
    const items: PackageBodyAst["items"][number][] = [];
    if (this.isKeyword("package")) {
      pkgDocs = this.docs();
      this.pos++;
      pkg = this.packageName();
      if (this.isOp("{")) {
        nested.push(this.nestedBody(pkg, pkgDocs));
        pkg = undefined;
        pkgDocs = undefined;
      } else this.expectOp(";", "after the package declaration");
    }
    while (this.tok.kind !== "eof") {
      if (this.isKeyword("package")) {
        const docs = this.docs();
        this.pos++;
        const name = this.packageName();
        if (!this.isOp("{")) this.fail("a second `package` declaration must be a nested package: `package a:b { ... }`");
        nested.push(this.nestedBody(name, docs));
        continue;
      }
      items.push(this.packageItem());
    }
    const root: PackageBodyAst = { items, ...(pkg ? { package: pkg } : {}), ...(pkgDocs ? { docs: pkgDocs } : {}) };
    return { file: this.fileName, source: this.src, root, nested };
  }

  private nestedBody(pkg: PackageNameAst, docs: string | undefined): PackageBodyAst {
    const items = this.block("nested package", () => {
      if (this.isKeyword("package")) this.fail("packages cannot be nested more than one level");
      return this.packageItem();
    });
    return { package: pkg, items, ...(docs ? { docs } : {}) };
  }

  private packageName(): PackageNameAst {
    const at = this.tok.start;
    const segments = [this.ident("a package namespace").name];
    this.expectOp(":", "in the package name (`namespace:name`)");
    segments.push(this.ident("a package name").name);
    while (this.isOp(":") || this.isOp("/")) {
      if (!this.nested) this.fail("nested namespaces and packages (🪺) are not enabled");
      const op = this.tok.text;
      this.pos++;
      if (op === ":" && segments.some((x) => x.includes("/"))) this.fail("a nested namespace cannot follow a nested package");
      const next = this.ident(op === ":" ? "a package name" : "a nested package name").name;
      if (op === ":") segments.push(next);
      else segments[segments.length - 1] += `/${next}`;
    }
    const name = segments.pop()!;
    const namespace = segments.join(":");
    let version: string | undefined;
    if (this.eatOp("@")) version = this.version();
    return { namespace, name, at, ...(version !== undefined ? { version } : {}) };
  }

  private packageItem(): TopUseAst | InterfaceAst | WorldAst {
    const head = this.head();
    if (this.isKeyword("use")) {
      if (head.gate || head.externalId) this.fail("a top-level `use` cannot be gated", head.gate?.at);
      const at = this.tok.start;
      this.pos++;
      const path = this.usePath();
      let as: Ident | undefined;
      if (this.eatKeyword("as")) as = this.ident();
      this.expectOp(";");
      return { kind: "top-use", path, at, ...(as ? { as } : {}) };
    }
    if (head.externalId !== undefined) this.fail("`@external-id` is not allowed here");
    if (this.eatKeyword("interface")) {
      const name = this.ident("an interface name");
      return { kind: "interface", name, items: this.interfaceBody(), ...head };
    }
    if (this.eatKeyword("world")) {
      const name = this.ident("a world name");
      return { kind: "world", name, items: this.worldBody(), ...head };
    }
    return this.fail(`expected \`interface\`, \`world\`, \`use\` or \`package\`, found ${this.describe(this.tok)}`);
  }

  /** Docs, then any gates and `@external-id`. */
  private head(): ItemHead {
    const docs = this.docs();
    let since: string | undefined;
    let unstable: string | undefined;
    let deprecated: string | undefined;
    let externalId: string | undefined;
    let gateAt = -1;
    while (this.tok.kind === "gate") {
      const t = this.toks[this.pos++]!;
      if (gateAt < 0 && t.text !== "@external-id") gateAt = t.start;
      this.expectOp("(");
      if (t.text === "@external-id") {
        if (externalId !== undefined) this.fail("duplicate `@external-id`", t.start);
        const lit: Token = this.toks[this.pos]!;
        if (lit.kind !== "string") this.fail("expected a string literal");
        externalId = lit.text;
        this.pos++;
      } else if (t.text === "@unstable") {
        if (unstable !== undefined) this.fail("duplicate `@unstable` gate", t.start);
        this.expectKeyword("feature");
        this.expectOp("=");
        unstable = this.ident("a feature name").name;
      } else {
        const field = this.tok;
        if (!(field.kind === "id" && field.text === "version")) this.fail(`expected \`version\`, found ${this.describe(field)}`);
        this.pos++;
        this.expectOp("=");
        const v = this.version();
        if (t.text === "@since") {
          if (since !== undefined) this.fail("duplicate `@since` gate", t.start);
          since = v;
        } else {
          if (deprecated !== undefined) this.fail("duplicate `@deprecated` gate", t.start);
          deprecated = v;
        }
      }
      this.expectOp(")");
    }
    if (since !== undefined && unstable !== undefined) this.fail("an item cannot be both `@since` and `@unstable`", gateAt);
    if (deprecated !== undefined && since === undefined && unstable === undefined) {
      this.fail("`@deprecated` must be paired with `@since` or `@unstable`", gateAt);
    }
    const gate: GateAst | undefined = gateAt < 0 ? undefined : {
      at: gateAt,
      ...(since !== undefined ? { since } : {}),
      ...(unstable !== undefined ? { unstable } : {}),
      ...(deprecated !== undefined ? { deprecated } : {}),
    };
    return { ...(docs !== undefined ? { docs } : {}), ...(gate ? { gate } : {}), ...(externalId !== undefined ? { externalId } : {}) };
  }

  private usePath(): UsePathAst {
    const first = this.ident("an interface name");
    if (!this.isOp(":")) return { kind: "local", name: first };
    this.pos++;
    const namespaces = [first.name];
    let name = this.ident("a package name").name;
    while (this.isOp(":")) {
      if (!this.nested) this.fail("nested namespaces and packages (🪺) are not enabled");
      this.pos++;
      namespaces.push(name);
      name = this.ident("a package name").name;
    }
    this.expectOp("/", "between the package and the interface name");
    let iface = this.ident("an interface name");
    while (this.isOp("/")) {
      if (!this.nested) this.fail("nested namespaces and packages (🪺) are not enabled");
      this.pos++;
      name += `/${iface.name}`;
      iface = this.ident("an interface name");
    }
    let version: string | undefined;
    if (this.eatOp("@")) version = this.version();
    return {
      kind: "package",
      package: { namespace: namespaces.join(":"), name, at: first.at, ...(version !== undefined ? { version } : {}) },
      name: iface,
    };
  }

  // ---- interfaces ----

  /** `{ item* }`: the body of an interface, a world, a resource or a nested package. */
  private block<T>(what: string, item: () => T): T[] {
    this.expectOp("{");
    const items: T[] = [];
    while (!this.eatOp("}")) {
      if (this.tok.kind === "eof") this.fail(`expected \`}\` to close the ${what}`);
      items.push(item());
    }
    return items;
  }

  private interfaceBody(): InterfaceItemAst[] {
    return this.block("interface", () => this.interfaceItem());
  }

  private interfaceItem(): InterfaceItemAst {
    const head = this.head();
    if (this.isKeyword("use")) return this.useItem(head);
    const typedef = this.typeDef(head);
    if (typedef) return typedef;
    const name = this.ident("a function or type definition");
    this.expectOp(":");
    const type = this.funcType();
    this.expectOp(";");
    return { kind: "func", name, type, ...head };
  }

  private useItem(head: ItemHead): UseAst {
    if (head.externalId !== undefined) this.fail("`@external-id` is not allowed on `use`");
    const at = this.tok.start;
    this.expectKeyword("use");
    const path = this.usePath();
    this.expectOp(".", "and a list of names (`use iface.{a, b}`)");
    this.expectOp("{");
    const names: { name: Ident; as?: Ident }[] = [];
    do {
      if (this.isOp("}")) break;
      const name = this.ident("a type name");
      if (this.eatKeyword("as")) names.push({ name, as: this.ident() });
      else names.push({ name });
    } while (this.eatOp(","));
    this.expectOp("}");
    if (names.length === 0) this.fail("`use` must name at least one type", at);
    this.expectOp(";");
    return { kind: "use", path, names, at, ...head };
  }

  private typeDef(head: ItemHead): TypeDefAst | undefined {
    const t = this.tok;
    if (t.kind !== "id") return undefined;
    switch (t.text) {
      case "type": {
        this.pos++;
        const name = this.ident("a type name");
        this.expectOp("=");
        const type = this.type(0);
        this.expectOp(";");
        return { kind: "alias", name, type, ...head };
      }
      case "record": {
        this.pos++;
        const name = this.ident("a record name");
        const fields = this.commaList("field", () => {
          const h = this.fieldHead();
          const fname = this.ident("a field name");
          this.expectOp(":");
          return { name: fname, type: this.type(0), ...h };
        });
        return { kind: "record", name, fields, ...head };
      }
      case "variant": {
        this.pos++;
        const name = this.ident("a variant name");
        const cases = this.commaList("case", () => {
          const h = this.fieldHead();
          const cname = this.ident("a case name");
          if (this.eatOp("(")) {
            const type = this.type(0);
            this.expectOp(")");
            return { name: cname, type, ...h };
          }
          return { name: cname, ...h };
        });
        return { kind: "variant", name, cases, ...head };
      }
      case "enum":
      case "flags": {
        this.pos++;
        const name = this.ident(`${t.text === "enum" ? "an enum" : "a flags"} name`);
        const names = this.commaList(t.text === "enum" ? "case" : "flag", () => ({ ...this.fieldHead(), name: this.ident() }));
        return t.text === "enum" ? { kind: "enum", name, cases: names, ...head } : { kind: "flags", name, flags: names, ...head };
      }
      case "resource": {
        this.pos++;
        const name = this.ident("a resource name");
        if (this.eatOp(";")) return { kind: "resource", name, funcs: [], ...head };
        const funcs: ResourceFuncAst[] = this.block("resource", () => this.resourceFunc());
        return { kind: "resource", name, funcs, ...head };
      }
      default:
        return undefined;
    }
  }

  /** Record fields and cases take docs (kept) but no gates. */
  private fieldHead(): ItemHead {
    const docs = this.docs();
    return docs !== undefined ? { docs } : {};
  }

  private commaList<T>(what: string, item: () => T): T[] {
    const open = this.expectOp("{");
    const out: T[] = [];
    while (!this.isOp("}")) {
      out.push(item());
      if (!this.eatOp(",")) break;
    }
    this.expectOp("}");
    if (out.length === 0) this.fail(`expected at least one ${what}`, open.start);
    return out;
  }

  private resourceFunc(): ResourceFuncAst {
    const head = this.head();
    if (this.isKeyword("constructor")) {
      const at = this.tok.start;
      this.pos++;
      const params = this.params();
      let result: TypeAst | undefined;
      if (this.eatOp("->")) result = this.type(0);
      this.expectOp(";");
      return { kind: "constructor", name: { name: "constructor", at }, type: { async: false, params, ...(result ? { result } : {}) }, ...head };
    }
    const name = this.ident("a method name or `constructor`");
    this.expectOp(":");
    const isStatic = this.eatKeyword("static");
    const type = this.funcType();
    this.expectOp(";");
    return { kind: isStatic ? "static" : "method", name, type, ...head };
  }

  private funcType(): FuncTypeAst {
    const isAsync = this.eatKeyword("async");
    this.expectKeyword("func");
    const params = this.params();
    let result: TypeAst | undefined;
    if (this.eatOp("->")) {
      if (this.isOp("(")) this.fail("named results are no longer part of WIT: return a single type (a tuple or record)");
      result = this.type(0);
    }
    return { async: isAsync, params, ...(result ? { result } : {}) };
  }

  private params(): NamedTypeAst[] {
    this.expectOp("(");
    const params: NamedTypeAst[] = [];
    while (!this.isOp(")")) {
      const name = this.ident("a parameter name");
      this.expectOp(":");
      params.push({ name, type: this.type(0) });
      if (!this.eatOp(",")) break;
    }
    this.expectOp(")");
    return params;
  }

  // ---- types ----

  private type(depth: number): TypeAst {
    if (depth > MAX_TYPE_DEPTH) this.fail(`types nest deeper than ${MAX_TYPE_DEPTH} levels`);
    const t = this.tok;
    if (t.kind === "explicit-id") {
      this.pos++;
      return { kind: "name", name: { name: t.text, at: t.start } };
    }
    if (t.kind !== "id") return this.fail(`expected a type, found ${this.describe(t)}`);
    const at = t.start;
    if (PRIMITIVES.has(t.text)) {
      this.pos++;
      return { kind: "prim", name: t.text, at };
    }
    switch (t.text) {
      case "list": {
        this.pos++;
        this.expectOp("<");
        const element = this.type(depth + 1);
        if (this.eatOp(",")) {
          const n = this.tok;
          if (n.kind !== "number" || !/^[1-9][0-9]*$/.test(n.text) || Number(n.text) > 0xffffffff) {
            this.fail(`expected a list length (a positive integer), found ${this.describe(n)}`);
          }
          this.pos++;
          this.expectOp(">");
          return { kind: "list", element, length: Number(n.text), at };
        }
        this.expectOp(">");
        return { kind: "list", element, at };
      }
      case "option": {
        this.pos++;
        this.expectOp("<");
        const type = this.type(depth + 1);
        this.expectOp(">");
        return { kind: "option", type, at };
      }
      case "result": {
        this.pos++;
        if (!this.eatOp("<")) return { kind: "result", at };
        let ok: TypeAst | undefined;
        if (this.isOp("_")) this.pos++;
        else ok = this.type(depth + 1);
        let err: TypeAst | undefined;
        if (this.eatOp(",")) err = this.type(depth + 1);
        else if (!ok) this.fail("`result<_>` needs an error type: `result<_, E>`");
        this.expectOp(">");
        return { kind: "result", at, ...(ok ? { ok } : {}), ...(err ? { err } : {}) };
      }
      case "tuple": {
        this.pos++;
        this.expectOp("<");
        const types: TypeAst[] = [];
        while (!this.isOp(">")) {
          types.push(this.type(depth + 1));
          if (!this.eatOp(",")) break;
        }
        this.expectOp(">");
        if (types.length === 0) this.fail("a tuple needs at least one type", at);
        return { kind: "tuple", types, at };
      }
      case "map": {
        this.pos++;
        this.expectOp("<");
        const key = this.type(depth + 1);
        this.expectOp(",");
        const value = this.type(depth + 1);
        this.expectOp(">");
        return { kind: "map", key, value, at };
      }
      case "borrow":
      case "own": {
        this.pos++;
        this.expectOp("<");
        const resource = this.ident("a resource name");
        this.expectOp(">");
        return { kind: t.text, resource, at };
      }
      case "future":
      case "stream": {
        this.pos++;
        if (!this.eatOp("<")) return { kind: t.text, at };
        const element = this.type(depth + 1);
        this.expectOp(">");
        return { kind: t.text, element, at };
      }
      default:
        if (KEYWORDS.has(t.text)) this.fail(`expected a type, found keyword \`${t.text}\``);
        this.pos++;
        return { kind: "name", name: { name: t.text, at } };
    }
  }

  // ---- worlds ----

  private worldBody(): WorldItemAst[] {
    return this.block("world", () => this.worldItem());
  }

  private worldItem(): WorldItemAst {
    const head = this.head();
    if (this.isKeyword("use")) return this.useItem(head);
    if (this.isKeyword("import") || this.isKeyword("export")) return this.importExport(head);
    if (this.isKeyword("include")) {
      if (head.externalId !== undefined) this.fail("`@external-id` is not allowed on `include`");
      const at = this.tok.start;
      this.pos++;
      const path = this.usePath();
      const renames: { from: Ident; to: Ident }[] = [];
      if (this.eatKeyword("with")) {
        this.expectOp("{");
        while (!this.isOp("}")) {
          const from = this.ident();
          this.expectKeyword("as");
          renames.push({ from, to: this.ident() });
          if (!this.eatOp(",")) break;
        }
        this.expectOp("}");
        // WIT.md writes `include w with { a as b }` both with and without a closing `;`.
        this.eatOp(";");
      } else this.expectOp(";");
      return { kind: "include", path, with: renames, at, ...head } satisfies IncludeAst;
    }
    const typedef = this.typeDef(head);
    if (typedef) return typedef;
    return this.fail(`expected \`import\`, \`export\`, \`include\`, \`use\` or a type definition, found ${this.describe(this.tok)}`);
  }

  private importExport(head: ItemHead): ImportExportAst {
    const kw = this.toks[this.pos++]!;
    const kind = kw.text as "import" | "export";
    const at = kw.start;
    const first = this.tok;
    const second = this.peek(1);
    const third = this.peek(2);
    // `a:b/c` (written without spaces) is a package path; `a: ...` a plain name.
    const packagePath = this.isOp(":", second) && second.start === first.end && third.start === second.end &&
      (third.kind === "id" || third.kind === "explicit-id");
    let ext: ExternAst;
    if (!packagePath && (first.kind === "id" || first.kind === "explicit-id") && this.isOp(":", second)) {
      const name = this.ident(`an ${kind} name`);
      this.pos++; // ':'
      if (this.isKeyword("func") || this.isKeyword("async")) {
        ext = { kind: "func", name, type: this.funcType() };
        this.expectOp(";");
      } else if (this.eatKeyword("interface")) {
        ext = { kind: "interface", name, items: this.interfaceBody() };
      } else {
        ext = { kind: "named-path", name, path: this.usePath() };
        this.expectOp(";");
      }
    } else {
      ext = { kind: "path", path: this.usePath() };
      this.expectOp(";");
    }
    if (head.externalId !== undefined && ext.kind === "path") this.fail("`@external-id` needs a plain name (`import name: ...`)", at);
    return { kind, extern: ext, at, ...head };
  }
}
