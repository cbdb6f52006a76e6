/**
 * Component `.wast` scripts (the Component Model's reference tests and wasm-tools' component tests)
 * parsed into directives, as data: components and core modules are assembled while parsing (one
 * that fails to assemble carries its `WatError`, which is what `assert_malformed` expects), and
 * typed component values (`str.const`, `record.const`, ...) are parsed into `ComponentValue`s.
 *
 * @module
 */
import { concatBytes } from "../../binary/encoder.js";
import { WatError } from "../../errors.js";
import { Tok, lex, stringBytes } from "../../text/lexer.js";
import { f64Out, parseF32, parseF64, parseI64, parseInt as parseInteger } from "../../text/numbers.js";
import { parseModuleTokens } from "../../text/parser.js";
import { ScriptReader } from "../../text/wast.js";
import { parseComponentTokens } from "./parser.js";

/** A component or core module of a script: assembled bytes, or the error that prevented it. */
export interface WastUnit {
  /** `component` or core `module`. */
  readonly kind: "component" | "module";
  /** `$name` given to it, if any. */
  readonly name?: string;
  readonly form: "text" | "binary" | "quote";
  readonly bytes?: Uint8Array;
  readonly error?: WatError;
  /** `(component definition ...)`: compile only; instantiate with `component_instance`. */
  readonly definition?: boolean;
  readonly line: number;
}

/** A typed component value of a script (`(u32.const 7)`, `(str.const "x")`, `(list.const ...)`). */
export type ComponentValue =
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "s8" | "u8" | "s16" | "u16" | "s32" | "u32"; readonly value: number }
  | { readonly kind: "s64" | "u64"; readonly value: bigint }
  | { readonly kind: "f32" | "f64"; readonly value: number }
  | { readonly kind: "char" | "string"; readonly value: string }
  | { readonly kind: "list" | "tuple"; readonly values: readonly ComponentValue[] }
  | { readonly kind: "record"; readonly fields: readonly { readonly name: string; readonly value: ComponentValue }[] }
  | { readonly kind: "variant"; readonly case: string; readonly value?: ComponentValue }
  | { readonly kind: "enum"; readonly case: string }
  | { readonly kind: "flags"; readonly names: readonly string[] }
  | { readonly kind: "option"; readonly value?: ComponentValue }
  | { readonly kind: "result"; readonly ok: boolean; readonly value?: ComponentValue }
  /** A 32- or 64-bit core value (core modules' `i32.const`/`i64.const` in mixed scripts). */
  | { readonly kind: "i32"; readonly value: number }
  | { readonly kind: "i64"; readonly value: bigint };

/** `(invoke $instance? "name" value*)`. */
export interface ComponentAction {
  readonly instance?: string;
  readonly name: string;
  readonly args: readonly ComponentValue[];
}

/** One directive of a component script. */
export type ComponentWastDirective =
  | { readonly type: "unit"; readonly line: number; readonly unit: WastUnit }
  | { readonly type: "instance"; readonly line: number; readonly instance?: string; readonly component?: string }
  | { readonly type: "action"; readonly line: number; readonly action: ComponentAction }
  | { readonly type: "assert_return"; readonly line: number; readonly action: ComponentAction; readonly expected: readonly ComponentValue[] }
  | { readonly type: "assert_trap"; readonly line: number; readonly action?: ComponentAction; readonly unit?: WastUnit; readonly text: string }
  | {
      readonly type: "assert_invalid" | "assert_malformed" | "assert_unlinkable" | "assert_uninstantiable";
      readonly line: number;
      readonly unit: WastUnit;
      readonly text: string;
    }
  | { readonly type: "register"; readonly line: number; readonly as: string; readonly instance?: string }
  | { readonly type: "unknown"; readonly line: number; readonly keyword: string };

/** A parsed component script. */
export interface ComponentWastScript {
  readonly file: string | undefined;
  readonly directives: readonly ComponentWastDirective[];
}

/**
 * Parses a component `.wast` script.
 *
 * @throws WatError when the script itself is malformed (a unit that fails to assemble is recorded in
 * its `WastUnit.error` instead).
 */
export function parseComponentWast(text: string, options: { file?: string } = {}): ComponentWastScript {
  const t = lex(text, options.file);
  const p = new ScriptParser(t);
  const directives: ComponentWastDirective[] = [];
  for (let i = 0; t.kind[i] !== Tok.eof; i = t.match[i]! + 1) {
    if (t.kind[i] !== Tok.lparen) p.fail("unexpected token: expected a directive", i);
    directives.push(p.directive(i));
  }
  if (t.pending) throw t.pending;
  return { file: options.file, directives };
}

class ScriptParser extends ScriptReader {
  directive(i: number): ComponentWastDirective {
    const t = this.t;
    const kw = this.text(i + 1);
    const line = this.line(i);
    const close = t.match[i]!;
    switch (kw) {
      case "component":
        if (this.isAtom(i + 2, "instance")) {
          let j = i + 3;
          const instance = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
          const component = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
          return { type: "instance", line, ...(instance ? { instance } : {}), ...(component ? { component } : {}) };
        }
        return { type: "unit", line, unit: this.unit(i) };
      case "module":
        return { type: "unit", line, unit: this.unit(i) };
      case "register": {
        const as = this.str(i + 2);
        const instance = t.kind[i + 3] === Tok.id ? this.idName(i + 3) : undefined;
        return { type: "register", line, as, ...(instance ? { instance } : {}) };
      }
      case "invoke":
        return { type: "action", line, action: this.action(i) };
      case "assert_return": {
        const action = this.action(i + 2);
        const expected: ComponentValue[] = [];
        for (let j = t.match[i + 2]! + 1; j < close; j = t.match[j]! + 1) expected.push(this.value(j));
        return { type: "assert_return", line, action, expected };
      }
      case "assert_trap": {
        const text = this.str(t.match[i + 2]! + 1);
        if (this.isAtom(i + 3, "component") || this.isAtom(i + 3, "module")) {
          return { type: "assert_trap", line, unit: this.unit(i + 2), text };
        }
        return { type: "assert_trap", line, action: this.action(i + 2), text };
      }
      case "assert_invalid": case "assert_malformed": case "assert_unlinkable": case "assert_uninstantiable":
        return { type: kw, line, unit: this.unit(i + 2), text: this.str(t.match[i + 2]! + 1) };
    }
    return { type: "unknown", line, keyword: kw };
  }

  /** `(component $name? ...)`, `(component definition $name? ...)`, `binary`/`quote` forms, or a core `(module ...)`. */
  unit(i: number): WastUnit {
    const t = this.t;
    const kind: "component" | "module" | undefined =
      this.isAtom(i + 1, "component") ? "component" : this.isAtom(i + 1, "module") ? "module" : undefined;
    if (kind === undefined) return this.fail("unexpected token: expected a component or module", i + 1);
    const line = this.line(i);
    const close = t.match[i]!;
    let j = i + 2;
    const definition = this.isAtom(j, "definition");
    if (definition) j++;
    const name = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
    const base = { kind, ...(name !== undefined ? { name } : {}), ...(definition ? { definition } : {}), line };
    if (this.isAtom(j, "binary") || this.isAtom(j, "quote")) {
      const quote = this.isAtom(j, "quote");
      const parts: Uint8Array[] = [];
      for (j++; j < close; j++) {
        if (t.kind[j] !== Tok.string) this.fail("unexpected token: expected a string", j);
        parts.push(stringBytes(t, t.start[j]!, t.end[j]!));
      }
      const bytes = concatBytes(parts);
      if (!quote) return { ...base, form: "binary", bytes };
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        return { ...base, form: "quote", error: new WatError("malformed UTF-8 encoding", t.src, t.start[i]!, t.file) };
      }
      try {
        const qt = lex(text, t.file);
        const out = kind === "component" ? parseComponentTokens(qt, 0) : parseModuleTokens(qt, 0, qt.count - 1);
        if (qt.pending) throw qt.pending;
        return { ...base, form: "quote", bytes: out };
      } catch (e) {
        if (e instanceof WatError) return { ...base, form: "quote", error: e };
        throw e;
      }
    }
    try {
      const bytes = kind === "component" ? parseComponentTokens(t, i, close + 1) : parseModuleTokens(t, i, close + 1);
      return { ...base, form: "text", bytes };
    } catch (e) {
      if (e instanceof WatError) return { ...base, form: "text", error: e };
      throw e;
    }
  }

  action(i: number): ComponentAction {
    const t = this.t;
    if (!this.isAtom(i + 1, "invoke")) this.fail("unexpected token: expected invoke", i + 1);
    let j = i + 2;
    const instance = t.kind[j] === Tok.id ? this.idName(j++) : undefined;
    const name = this.str(j++);
    const args: ComponentValue[] = [];
    const close = t.match[i]!;
    for (; j < close; j = t.match[j]! + 1) args.push(this.value(j));
    return { ...(instance !== undefined ? { instance } : {}), name, args };
  }

  /** A parenthesized typed value at token `i`. */
  value(i: number): ComponentValue {
    if (this.t.kind[i] !== Tok.lparen) this.fail("unexpected token: expected a value", i);
    const v = this.bareValue(i + 1, this.t.match[i]!);
    return v;
  }

  /** A value written as `kw arg*` from token `k` up to `close` (exclusive). */
  private bareValue(k: number, close: number): ComponentValue {
    const t = this.t;
    const kw = this.text(k);
    const a = k + 1;
    const children = (): ComponentValue[] => {
      const out: ComponentValue[] = [];
      for (let j = a; j < close; j = t.match[j]! + 1) out.push(this.value(j));
      return out;
    };
    const optionalChild = (at: number): ComponentValue | undefined => (at < close ? this.value(at) : undefined);
    switch (kw) {
      case "bool.const": {
        if (this.isAtom(a, "true")) return { kind: "bool", value: true };
        if (this.isAtom(a, "false")) return { kind: "bool", value: false };
        return this.fail("expected true or false", a);
      }
      case "s8.const": case "u8.const": case "s16.const": case "u16.const": case "s32.const": case "u32.const":
      case "i32.const": {
        const kind = kw.slice(0, kw.indexOf(".")) as "s8" | "u8" | "s16" | "u16" | "s32" | "u32" | "i32";
        const x = parseInteger(t.src, t.start[a]!, t.end[a]!);
        if (x === undefined || typeof x === "bigint") return this.fail("constant out of range", a);
        return { kind, value: x };
      }
      case "s64.const": case "u64.const": case "i64.const": {
        const kind = kw.slice(0, 3) as "s64" | "u64" | "i64";
        const x = parseI64(t.src, t.start[a]!, t.end[a]!) ?? parseInteger(t.src, t.start[a]!, t.end[a]!);
        if (x === undefined) return this.fail("constant out of range", a);
        const big = BigInt(x);
        return { kind, value: kind === "u64" ? BigInt.asUintN(64, big) : BigInt.asIntN(64, big) };
      }
      case "f32.const": {
        const bits = parseF32(t.src, t.start[a]!, t.end[a]!);
        if (bits === undefined || bits === null) return this.fail("constant out of range", a);
        const f = new Float32Array(new Uint32Array([bits]).buffer)[0]!;
        return { kind: "f32", value: f };
      }
      case "f64.const": {
        const ok = parseF64(t.src, t.start[a]!, t.end[a]!);
        if (ok === undefined || ok === null) return this.fail("constant out of range", a);
        const f = new Float64Array(new Uint32Array([f64Out[0]!, f64Out[1]!]).buffer)[0]!;
        return { kind: "f64", value: f };
      }
      case "char.const": {
        const s = this.str(a);
        if ([...s].length !== 1) return this.fail("a char constant holds one character", a);
        return { kind: "char", value: s };
      }
      case "str.const": return { kind: "string", value: this.str(a) };
      case "list.const": return { kind: "list", values: children() };
      case "tuple.const": return { kind: "tuple", values: children() };
      case "record.const": {
        const fields: { name: string; value: ComponentValue }[] = [];
        for (let j = a; j < close; j = t.match[j]! + 1) {
          if (!(t.kind[j] === Tok.lparen && this.isAtom(j + 1, "field"))) this.fail("expected (field ...)", j);
          const name = this.str(j + 2);
          const v = j + 3;
          fields.push({ name, value: t.kind[v] === Tok.lparen ? this.value(v) : this.bareValue(v, t.match[j]!) });
        }
        return { kind: "record", fields };
      }
      case "variant.const": {
        const name = this.str(a);
        const value = optionalChild(a + 1);
        return value === undefined ? { kind: "variant", case: name } : { kind: "variant", case: name, value };
      }
      case "enum.const": return { kind: "enum", case: this.str(a) };
      case "flags.const": {
        const names: string[] = [];
        for (let j = a; j < close; j++) names.push(this.str(j));
        return { kind: "flags", names };
      }
      case "option.none": return { kind: "option" };
      case "option.some": {
        const value = optionalChild(a);
        if (value === undefined) return this.fail("option.some needs a value", a);
        return { kind: "option", value };
      }
      case "result.ok": case "result.err": {
        const value = optionalChild(a);
        const ok = kw === "result.ok";
        return value === undefined ? { kind: "result", ok } : { kind: "result", ok, value };
      }
    }
    return this.fail(`unknown value ${kw}`, k);
  }
}

/** Structural equality of two component values (NaNs equal each other; `-0` differs from `0`). */
export function componentValuesEqual(a: ComponentValue, b: ComponentValue): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "f32": case "f64": {
      const y = (b as typeof a).value;
      return Object.is(a.value, y) || (Number.isNaN(a.value) && Number.isNaN(y));
    }
    case "list": case "tuple": {
      const y = (b as typeof a).values;
      return a.values.length === y.length && a.values.every((v, i) => componentValuesEqual(v, y[i]!));
    }
    case "record": {
      const y = (b as typeof a).fields;
      return a.fields.length === y.length &&
        a.fields.every((f, i) => f.name === y[i]!.name && componentValuesEqual(f.value, y[i]!.value));
    }
    case "variant": {
      const y = b as typeof a;
      return a.case === y.case && optionalEqual(a.value, y.value);
    }
    case "enum": return a.case === (b as typeof a).case;
    case "flags": {
      const y = new Set((b as typeof a).names);
      return a.names.length === y.size && a.names.every((n) => y.has(n));
    }
    case "option": return optionalEqual(a.value, (b as typeof a).value);
    case "result": {
      const y = b as typeof a;
      return a.ok === y.ok && optionalEqual(a.value, y.value);
    }
    default:
      return a.value === (b as { value: unknown }).value;
  }
}

function optionalEqual(a: ComponentValue | undefined, b: ComponentValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return componentValuesEqual(a, b);
}
