/**
 * The component printer: a component binary -> the text format, one definition per line in binary
 * order, references as plain indices, `$ids` from the `component-name` section, core modules through
 * the core printer. The output assembles back (with `parseComponentText`) to the same definitions;
 * custom sections other than the name section are not printed.
 *
 * Nested components and types are printed with an explicit stack-free recursion bounded by the
 * decoder's nesting cap.
 *
 * @module
 */
import type { TypeDef as CoreSubType, ValueType as CoreValueType, ImportDesc } from "../../binary/module-info.js";
import { formatId, formatString } from "../../text/format.js";
import { printModule } from "../../text/print.js";
import type {
  AliasDef,
  CanonDef,
  CanonOption,
  ComponentInfo,
  CoreTypeDef,
  Decl,
  DefValType,
  ExternDesc,
  ExternName,
  Sort,
  TypeDef,
  ValTypeRef,
} from "../binary/ast.js";
import { CANON_BY_NAME } from "../binary/canon.js";
import { decodeComponent } from "../binary/decoder.js";

const utf8 = new TextEncoder();

/** Prints a component binary in the text format. */
export function printComponent(bytes: Uint8Array): string {
  const out: string[] = [];
  new Printer(out).component(decodeComponent(bytes), 0);
  return out.join("\n") + "\n";
}

function str(s: string): string {
  return formatString(utf8.encode(s));
}

/** Index counters per sort, to attach `$ids` from the name section. */
class Counters {
  private readonly counts = new Map<Sort, number>();

  next(sort: Sort): number {
    const n = this.counts.get(sort) ?? 0;
    this.counts.set(sort, n + 1);
    return n;
  }
}

class Printer {
  constructor(private readonly out: string[]) {}

  private line(depth: number, text: string): void {
    this.out.push("  ".repeat(depth) + text);
  }

  component(info: ComponentInfo, depth: number): void {
    const counters = new Counters();
    const names = info.names;
    const id = (sort: Sort): string => {
      const index = counters.next(sort);
      const n = names.sorts.get(sort)?.get(index);
      return n === undefined ? "" : ` ${formatId(n)}`;
    };
    this.line(depth, `(component${names.component !== undefined ? ` ${formatId(names.component)}` : ""}`);
    const d = depth + 1;
    for (const s of info.sections) {
      switch (s.id) {
        case "custom": break;
        case "core-module": {
          const text = printModule(s.module.bytes).trimEnd().split("\n");
          text[0] = text[0]!.replace(/^\(module/, `(core module${id("core module")}`);
          for (const l of text) this.line(d, l);
          break;
        }
        case "core-instance":
          for (const i of s.items) {
            const name = id("core instance");
            if (i.kind === "instantiate") {
              const args = i.args.map((a) => ` (with ${str(a.name)} (instance ${a.instance}))`).join("");
              this.line(d, `(core instance${name} (instantiate ${i.module}${args}))`);
            } else {
              const ex = i.exports.map((e) => ` (export ${str(e.name)} (${e.sort} ${e.index}))`).join("");
              this.line(d, `(core instance${name}${ex})`);
            }
          }
          break;
        case "core-type":
          for (const t of s.items) {
            if (t.kind === "rec" && t.explicit) {
              const ids = t.types.map(() => id("core type"));
              this.line(d, `(core type (rec${t.types.map((x, k) => ` (type${ids[k]} ${subType(x)})`).join("")}))`);
            } else {
              this.line(d, `(core type${id("core type")} ${coreType(t)})`);
            }
          }
          break;
        case "component": {
          counters.next("component");
          this.component(s.component, d);
          break;
        }
        case "instance":
          for (const i of s.items) {
            const name = id("instance");
            if (i.kind === "instantiate") {
              const args = i.args.map((a) => ` (with ${str(a.name)} (${a.sort} ${a.index}))`).join("");
              this.line(d, `(instance${name} (instantiate ${i.component}${args}))`);
            } else {
              const ex = i.exports.map((e) => ` (export ${externName(e.name)} (${e.sort} ${e.index}))`).join("");
              this.line(d, `(instance${name}${ex})`);
            }
          }
          break;
        case "alias":
          for (const a of s.items) this.line(d, alias(a, id(a.sort)));
          break;
        case "type":
          for (const t of s.items) this.typeDef(t, id("type"), d);
          break;
        case "canon":
          for (const c of s.items) this.line(d, canon(c, id(c.kind === "lift" ? "func" : "core func")));
          break;
        case "start": {
          const st = s.start;
          const args = st.args.map((a) => ` (value ${a})`).join("");
          let results = "";
          for (let k = 0; k < st.results; k++) results += ` (result (value${id("value")}))`;
          this.line(d, `(start ${st.func}${args}${results})`);
          break;
        }
        case "import":
          for (const i of s.items) this.line(d, `(import ${externName(i.name)} ${externDesc(i.desc, id(sortOf(i.desc)))})`);
          break;
        case "export":
          for (const e of s.items) {
            const name = id(e.sort);
            const ascribed = e.desc === undefined ? "" : ` ${externDesc(e.desc, "")}`;
            this.line(d, `(export${name} ${externName(e.name)} (${e.sort} ${e.index})${ascribed})`);
          }
          break;
        case "value":
          for (const v of s.items) {
            id("value");
            this.line(d, `;; value of type ${valType(v.type)} (${v.value.length} bytes) not printed`);
          }
          break;
      }
    }
    this.line(depth, ")");
  }

  private typeDef(t: TypeDef, name: string, depth: number): void {
    if (t.kind === "component" || t.kind === "instance") {
      this.line(depth, `(type${name} (${t.kind}`);
      this.decls(t.decls, depth + 1);
      this.line(depth, "))");
      return;
    }
    this.line(depth, `(type${name} ${deftype(t)})`);
  }

  private decls(decls: readonly Decl[], depth: number): void {
    for (const dcl of decls) {
      switch (dcl.kind) {
        case "core-type": this.line(depth, `(core type ${coreType(dcl.type)})`); break;
        case "type": this.typeDef(dcl.type, "", depth); break;
        case "alias": this.line(depth, alias(dcl.alias, "")); break;
        case "import":
        case "export":
          this.line(depth, `(${dcl.kind} ${externName(dcl.decl.name)} ${externDesc(dcl.decl.desc, "")})`);
          break;
      }
    }
  }
}

function sortOf(d: ExternDesc): Sort {
  return d.kind === "module" ? "core module" : d.kind;
}

function externName(n: ExternName): string {
  if (n.form === 1) return `(interface ${str(n.name)})`;
  return str(n.name) + n.attributes.map((a) => ` (${a.kind} ${str(a.value)})`).join("");
}

function valType(t: ValTypeRef): string {
  return typeof t === "number" ? String(t) : t;
}

function deftype(t: DefValType | TypeDef): string {
  switch (t.kind) {
    case "primitive": return t.type;
    case "record": return `(record${t.fields.map((f) => ` (field ${str(f.name)} ${valType(f.type)})`).join("")})`;
    case "variant":
      return `(variant${t.cases.map((c) => ` (case ${str(c.name)}${c.type === undefined ? "" : ` ${valType(c.type)}`})`).join("")})`;
    case "list": return `(list ${valType(t.element)}${t.length === undefined ? "" : ` ${t.length}`})`;
    case "tuple": return `(tuple${t.types.map((x) => ` ${valType(x)}`).join("")})`;
    case "flags": case "enum": return `(${t.kind}${t.names.map((n) => ` ${str(n)}`).join("")})`;
    case "option": return `(option ${valType(t.type)})`;
    case "result":
      return `(result${t.ok === undefined ? "" : ` ${valType(t.ok)}`}${t.err === undefined ? "" : ` (error ${valType(t.err)})`})`;
    case "own": case "borrow": return `(${t.kind} ${t.resource})`;
    case "stream": case "future": return `(${t.kind}${t.element === undefined ? "" : ` ${valType(t.element)}`})`;
    case "map": return `(map ${valType(t.key)} ${valType(t.value)})`;
    case "func": {
      const params = t.params.map((p) => ` (param ${str(p.name)} ${valType(p.type)})`).join("");
      return `(func${t.async ? " async" : ""}${params}${t.result === undefined ? "" : ` (result ${valType(t.result)})`})`;
    }
    case "resource":
      return `(resource (rep ${coreValType(t.rep)})${t.dtor === undefined ? "" : ` (dtor (core func ${t.dtor}))`})`;
    case "component":
    case "instance":
      // Printed by `Printer.typeDef` (multi-line).
      return `(${t.kind})`;
  }
}

function externDesc(d: ExternDesc, id: string): string {
  switch (d.kind) {
    case "module": return `(core module${id} (type ${d.type}))`;
    case "func": case "component": case "instance": return `(${d.kind}${id} (type ${d.type}))`;
    case "value": return `(value${id} ${d.bound.kind === "eq" ? `(eq ${d.bound.value})` : valType(d.bound.type)})`;
    case "type": return `(type${id} ${d.bound.kind === "eq" ? `(eq ${d.bound.type})` : "(sub resource)"})`;
  }
}

function alias(a: AliasDef, id: string): string {
  switch (a.kind) {
    case "export": return `(alias export ${a.instance} ${str(a.name)} (${a.sort}${id}))`;
    case "core-export": return `(alias core export ${a.instance} ${str(a.name)} (${a.sort}${id}))`;
    case "outer": return `(alias outer ${a.count} ${a.index} (${a.sort}${id}))`;
  }
}

function options(opts: readonly CanonOption[] | undefined): string {
  return (opts ?? []).map((o) => {
    switch (o.kind) {
      case "utf8": case "utf16": case "latin1+utf16": return ` string-encoding=${o.kind}`;
      case "async": case "gc": return ` ${o.kind}`;
      default: return ` (${o.kind} ${o.index})`;
    }
  }).join("");
}

function canon(c: CanonDef, id: string): string {
  if (c.kind === "lift") return `(canon lift (core func ${c.func})${options(c.options)} (func${id} (type ${c.type})))`;
  if (c.kind === "lower") return `(canon lower (func ${c.func})${options(c.options)} (core func${id}))`;
  const op = CANON_BY_NAME.get(c.kind)!;
  const name = c.kind === "resource.drop async" ? "resource.drop" : c.kind;
  let imms = "";
  for (const imm of op.immediates) {
    switch (imm) {
      case "type": imms += ` ${c.type}`; break;
      case "options": imms += options(c.options); break;
      case "result": if (c.result !== undefined && c.result !== null) imms += ` (result ${valType(c.result)})`; break;
      case "valType": imms += ` ${coreValType(c.valType ?? "i32")}`; break;
      case "index": imms += ` ${c.index}`; break;
      case "async": if (c.async) imms += " async"; break;
      case "cancellable": if (c.cancellable) imms += " cancellable"; break;
      case "shared": if (c.shared) imms += " shared"; break;
      case "memory": imms += ` (memory ${c.memory})`; break;
      case "coreType": imms += ` ${c.coreType}`; break;
      case "table": imms += ` (table ${c.table})`; break;
    }
  }
  if (c.kind === "resource.drop async") imms += " async";
  return `(canon ${name}${imms} (core func${id}))`;
}

// ---- core types -------------------------------------------------------------------------------------

function coreValType(t: CoreValueType): string {
  if (typeof t === "string") return t;
  return `(ref${t.nullable ? " null" : ""} ${t.shared ? `(shared ${t.ref})` : t.ref})`;
}

function subType(t: CoreSubType): string {
  let body: string;
  switch (t.kind) {
    case "func": {
      const params = t.params.length ? ` (param${t.params.map((p) => ` ${coreValType(p)}`).join("")})` : "";
      const results = t.results.length ? ` (result${t.results.map((p) => ` ${coreValType(p)}`).join("")})` : "";
      body = `(func${params}${results})`;
      break;
    }
    case "struct": {
      const field = (f: { storage: string | CoreValueType; mutable: boolean }) => {
        const s = typeof f.storage === "string" ? f.storage : coreValType(f.storage);
        return f.mutable ? `(mut ${s})` : s;
      };
      body = `(struct${t.fields.map((f) => ` (field ${field(f)})`).join("")})`;
      break;
    }
    case "array": {
      const s = typeof t.element.storage === "string" ? t.element.storage : coreValType(t.element.storage);
      body = `(array ${t.element.mutable ? `(mut ${s})` : s})`;
      break;
    }
  }
  if (t.shared) body = `(shared ${body})`;
  if (!t.explicitSub) return body;
  return `(sub${t.final ? " final" : ""}${t.supertypes.map((s) => ` ${s}`).join("")} ${body})`;
}

function coreExtern(d: ImportDesc): string {
  switch (d.kind) {
    case "func": return `(func (type ${d.typeIndex}))`;
    case "tag": return `(tag (type ${d.typeIndex}))`;
    case "table": {
      const t = d.type;
      return `(table${t.shared ? " shared" : ""}${t.table64 ? " i64" : ""} ${t.min}${t.max === undefined ? "" : ` ${t.max}`} ${coreValType(t.element)})`;
    }
    case "memory": {
      const m = d.type;
      const page = m.pageSizeLog2 === undefined ? "" : ` (pagesize ${2 ** m.pageSizeLog2})`;
      return `(memory${m.memory64 ? " i64" : ""} ${m.min}${m.max === undefined ? "" : ` ${m.max}`}${m.shared ? " shared" : ""}${page})`;
    }
    case "global": {
      const v = coreValType(d.type.content);
      return `(global ${d.type.mutable ? `(mut ${v})` : v})`;
    }
  }
}

function coreType(t: CoreTypeDef): string {
  if (t.kind === "rec") {
    if (!t.explicit) return subType(t.types[0]!);
    return `(rec${t.types.map((s) => ` (type ${subType(s)})`).join("")})`;
  }
  const decls = t.decls.map((d) => {
    switch (d.kind) {
      case "import": return ` (import ${str(d.module)} ${str(d.name)} ${coreExtern(d.desc)})`;
      case "export": return ` (export ${str(d.name)} ${coreExtern(d.desc)})`;
      case "type": return ` (type ${coreType(d.type)})`;
      case "alias": return ` (alias outer ${d.count} ${d.index} (type))`;
    }
  });
  return `(module${decls.join("")})`;
}
