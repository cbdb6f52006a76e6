/**
 * Spelling helpers for generated TypeScript: identifiers, property keys, string literals and doc
 * comments.
 *
 * @module
 */
import { camelCase } from "../component/abi/values.js";

export { camelCase };

/** `foo-bar` → `FooBar`. */
export function pascalCase(name: string): string {
  const c = camelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Words that cannot name a parameter or a top-level `export const`. */
const RESERVED = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "arguments", "eval",
]);

/** Whether `name` can be written as a plain identifier (a binding or `export const`). */
export function isBindingName(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** A property key: the name itself when it is an identifier, else a string literal. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A parameter name: `name`, or `name_` when `name` is reserved. */
export function parameterName(name: string): string {
  return isBindingName(name) ? name : IDENTIFIER.test(name) ? `${name}_` : "arg";
}

/** A doc comment of `text` at `indent` (nothing for no text). `*\/` inside the text is defused. */
export function docComment(text: string | undefined, indent: string): string {
  if (text === undefined || text.trim() === "") return "";
  const lines = text.replace(/\*\//g, "*\\/").split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]!.trim()} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l === "" ? "" : ` ${l}`}`.trimEnd()).join("\n")}\n${indent} */\n`;
}
