/**
 * `Extern`: anything an instance imports or exports.
 *
 * @module
 */
import type { ExternType } from "../types.js";
import { Func } from "./func.js";
import { Global } from "./global.js";
import { Memory } from "./memory.js";
import { Table } from "./table.js";
import { Tag } from "./tag.js";

/** Something importable and exportable: a function, global, table, memory or tag. */
export type Extern = Func | Global | Table | Memory | Tag;

/** True when `v` is an Extern. */
export function isExtern(v: unknown): v is Extern {
  return v instanceof Func || v instanceof Global || v instanceof Table || v instanceof Memory || v instanceof Tag;
}

/** The current type of an extern (a table's or memory's `min` is its current size). */
export function externTypeOf(e: Extern): ExternType {
  if (e instanceof Func) return { kind: "func", ...e.type };
  if (e instanceof Global) return { kind: "global", ...e.type };
  if (e instanceof Table) return { kind: "table", ...e.type };
  if (e instanceof Memory) return { kind: "memory", ...e.type };
  return { kind: "tag", ...e.type };
}

/** The kind of an extern. */
export function externKindOf(e: Extern): ExternType["kind"] {
  if (e instanceof Func) return "func";
  if (e instanceof Global) return "global";
  if (e instanceof Table) return "table";
  if (e instanceof Memory) return "memory";
  return "tag";
}
