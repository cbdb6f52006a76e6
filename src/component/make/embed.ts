/**
 * The `component-type` custom section of a core module: the world a module was compiled against, as
 * `wasm-tools component embed` writes it and `component new` reads it.
 *
 * @module
 */
import { concatBytes, u32Leb } from "../../binary/encoder.js";
import { CompileError } from "../../errors.js";
import { decodeComponent } from "../binary/decoder.js";
import { decodeWit } from "../wit/decode.js";
import { encodeWorldMetadata } from "../wit/encode.js";
import { WitWorld } from "../wit/model.js";

/** One top-level section of a core module: its id and byte range (header included). */
export interface CoreSectionRange {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  /** For custom sections, the name. */
  readonly name?: string;
  /** For custom sections, the payload. */
  readonly payload?: Uint8Array;
}

function leb(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    const b = bytes[pos++];
    if (b === undefined) throw new CompileError("unexpected end", pos - 1);
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7;
  }
  throw new CompileError("integer representation too long", pos - 1);
}

/** Splits a core module into its sections (no decoding of their contents). */
export function coreSections(module: Uint8Array): CoreSectionRange[] {
  if (module.length < 8 || module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d || module[4] !== 1) {
    throw new CompileError("not a core WebAssembly module (bad magic or version)", 0);
  }
  const out: CoreSectionRange[] = [];
  let pos = 8;
  while (pos < module.length) {
    const start = pos;
    const id = module[pos++]!;
    const [size, body] = leb(module, pos);
    const end = body + size;
    if (end > module.length) throw new CompileError("section size mismatch: unexpected end", start);
    if (id === 0) {
      const [nameLen, nameStart] = leb(module, body);
      if (nameStart + nameLen > end) throw new CompileError("malformed custom section name", body);
      const name = new TextDecoder("utf-8", { fatal: true }).decode(module.subarray(nameStart, nameStart + nameLen));
      out.push({ id, start, end, name, payload: module.subarray(nameStart + nameLen, end) });
    } else out.push({ id, start, end });
    pos = end;
  }
  return out;
}

/** Whether a custom section name is a `component-type` section (`component-type` or `component-type:...`). */
export function isComponentTypeSection(name: string | undefined): boolean {
  return name === "component-type" || (name !== undefined && name.startsWith("component-type:"));
}

/**
 * Adds a `component-type:<world>` custom section describing `world` to a core module (what
 * `wasm-tools component embed` does), replacing any `component-type` sections it already has.
 */
export function embedWorld(module: Uint8Array, world: WitWorld): Uint8Array {
  const kept = stripComponentTypes(module);
  const payload = encodeWorldMetadata(world);
  const name = new TextEncoder().encode(`component-type:${world.name}`);
  const body = [...u32Leb(name.length), ...name];
  const size = body.length + payload.length;
  const header = [0, ...u32Leb(size), ...body];
  const out = new Uint8Array(kept.length + header.length + payload.length);
  out.set(kept, 0);
  out.set(header, kept.length);
  out.set(payload, kept.length + header.length);
  return out;
}

/** The module without its `component-type` custom sections (byte ranges cut out, nothing re-encoded). */
export function stripComponentTypes(module: Uint8Array): Uint8Array {
  const sections = coreSections(module);
  const drop = sections.filter((s) => isComponentTypeSection(s.name));
  if (!drop.length) return module;
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (const s of drop) {
    parts.push(module.subarray(pos, s.start));
    pos = s.end;
  }
  parts.push(module.subarray(pos));
  return concatBytes(parts);
}

/** The worlds of a core module's `component-type` sections, in order. */
export function embeddedWorlds(module: Uint8Array): WitWorld[] {
  const worlds: WitWorld[] = [];
  for (const s of coreSections(module)) {
    if (!isComponentTypeSection(s.name)) continue;
    const res = decodeWit(decodeComponent(s.payload!));
    const world = res.root ? [...res.root.worlds.values()][0] : undefined;
    if (!world) throw new CompileError(`custom section \`${s.name}\` does not describe a world`, s.start);
    worlds.push(world);
  }
  return worlds;
}

/** The world of a module's one `component-type` section. */
export function singleWorld(module: Uint8Array): WitWorld {
  const worlds = embeddedWorlds(module);
  if (worlds.length === 0) throw new CompileError("the module has no `component-type` section: give the world (`--wit`)");
  if (worlds.length > 1) throw new CompileError(`the module has ${worlds.length} \`component-type\` sections; merging worlds is not supported yet`);
  return worlds[0]!;
}

/** The module's world, or an empty one when it has none (its imports are all the adapters'). */
export function worldOrEmpty(module: Uint8Array): WitWorld {
  return embeddedWorlds(module).length ? singleWorld(module) : new WitWorld("root", undefined);
}
