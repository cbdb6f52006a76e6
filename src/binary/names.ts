/**
 * The `name` custom section: the whole section decoded into `NameInfo` (what `ModuleInfo.names` gives
 * on first read), and the module name alone, read from a section's payload or straight from a binary by
 * walking its section headers, for the places that need just that. A malformed name section never makes
 * a module malformed (the spec says to ignore it).
 *
 * @module
 */
import { CompileError } from "../errors.js";
import * as L from "./limits.js";
import type { NameInfo } from "./module-info.js";
import { BinaryReader, SECTION_EOF } from "./reader.js";

/**
 * The module name of a `name` section payload (its first subsection, id 0), read without decoding the
 * rest; `undefined` when there is none or it is malformed.
 */
export function readModuleName(payload: Uint8Array): string | undefined {
  try {
    const r = new BinaryReader(payload);
    if (r.u8() !== 0) return undefined;
    const size = r.u32();
    return r.withLimit(size, SECTION_EOF, () => r.name());
  } catch {
    return undefined;
  }
}

/**
 * The module name in the `name` section of binary `bytes`, found by walking the section headers only;
 * `undefined` when there is none or the binary is malformed before it.
 */
export function readBinaryModuleName(bytes: Uint8Array): string | undefined {
  try {
    const r = new BinaryReader(bytes, 8);
    while (r.pos < bytes.length) {
      const id = r.u8();
      const size = r.u32();
      const end = r.pos + size;
      if (end > bytes.length) return undefined;
      if (id === 0) {
        const nameLength = r.u32();
        const name = new TextDecoder().decode(bytes.subarray(r.pos, r.pos + nameLength));
        if (name === "name") return readModuleName(bytes.subarray(r.pos + nameLength, end));
      }
      r.pos = end;
    }
  } catch {
    // malformed: no name
  }
  return undefined;
}

/** A name section with no names. */
export function emptyNames(): NameInfo {
  const none = new Map<number, never>();
  return {
    functions: none, locals: none, labels: none, types: none, tables: none, memories: none,
    globals: none, elements: none, data: none, fields: none, tags: none,
  };
}

/**
 * Decodes the `name` custom section's payload at `bytes[start..end)`. A malformed name section does not
 * make the module malformed (the spec says to ignore it): the result then has `malformed` set and keeps
 * the subsections decoded before the fault.
 */
export function decodeNameSection(bytes: Uint8Array, start: number, end: number): NameInfo {
  const r = new BinaryReader(bytes, start, end);
  const out = {
    module: undefined as string | undefined,
    functions: new Map<number, string>(),
    locals: new Map<number, Map<number, string>>(),
    labels: new Map<number, Map<number, string>>(),
    types: new Map<number, string>(),
    tables: new Map<number, string>(),
    memories: new Map<number, string>(),
    globals: new Map<number, string>(),
    elements: new Map<number, string>(),
    data: new Map<number, string>(),
    fields: new Map<number, Map<number, string>>(),
    tags: new Map<number, string>(),
  };
  const direct: Record<number, Map<number, string>> = {
    1: out.functions, 4: out.types, 5: out.tables, 6: out.memories, 7: out.globals, 8: out.elements,
    9: out.data, 11: out.tags,
  };
  const indirect: Record<number, Map<number, Map<number, string>>> = { 2: out.locals, 3: out.labels, 10: out.fields };
  let malformed: string | undefined;
  try {
    let lastId = -1;
    while (!r.done) {
      const id = r.u8();
      const size = r.u32();
      if (id <= lastId && id <= 11) throw new CompileError("name subsections out of order", r.pos);
      lastId = id;
      r.withLimit(size, SECTION_EOF, () => {
        if (id === 0) {
          out.module = r.name();
        } else if (direct[id]) {
          readNameMap(r, direct[id]!);
        } else if (indirect[id]) {
          const target = indirect[id]!;
          const n = r.count(L.MAX_NAMES, "names");
          for (let i = 0; i < n; i++) {
            const outer = r.u32();
            const inner = new Map<number, string>();
            readNameMap(r, inner);
            target.set(outer, inner);
          }
        } else {
          r.skip(r.remaining); // an unknown subsection: skip it
        }
        if (!r.done) throw new CompileError("name subsection size mismatch", r.pos);
      });
    }
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    malformed = e.message;
  }
  const { module, ...maps } = out;
  return { ...(module !== undefined ? { module } : {}), ...maps, ...(malformed ? { malformed } : {}) };
}

function readNameMap(r: BinaryReader, into: Map<number, string>): void {
  const n = r.count(L.MAX_NAMES, "names");
  for (let i = 0; i < n; i++) {
    const index = r.u32();
    into.set(index, r.name());
  }
}
