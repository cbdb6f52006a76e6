/**
 * Instrumentation appends function types, so a reference to a type index just past the module's own
 * types would become valid in the rewritten binary. This checks the references outside function code
 * (the type section, imports, tables, globals, element segments, locals) before the rewrite; the body
 * scanner checks those inside code (`Scanner.typeLimit`).
 *
 * @module
 */
import { CompileError } from "../errors.js";
import type { ModuleInfo, StorageType, ValueType } from "../binary/module-info.js";

/** @throws CompileError `unknown type` at the first reference to a type index the module lacks. */
export function checkTypeReferences(info: ModuleInfo): void {
  const limit = info.types.length;
  const typeSection = info.sections.find((s) => s.id === 1)?.offset ?? 0;
  const check = (t: StorageType, offset: number) => {
    if (typeof t === "object" && typeof t.ref === "number" && t.ref >= limit) {
      throw new CompileError(`unknown type ${t.ref}: the module has ${limit} types`, offset);
    }
  };
  const checkAll = (ts: readonly ValueType[], offset: number) => {
    for (const t of ts) check(t, offset);
  };
  for (const def of info.types) {
    for (const s of def.supertypes) if (s >= limit) throw new CompileError(`unknown type ${s}: the module has ${limit} types`, typeSection);
    if (def.kind === "func") {
      checkAll(def.params, typeSection);
      checkAll(def.results, typeSection);
    } else if (def.kind === "struct") {
      for (const f of def.fields) check(f.storage, typeSection);
    } else {
      check(def.element.storage, typeSection);
    }
  }
  for (const imp of info.imports) {
    if (imp.kind === "global") check(imp.type.content, imp.offset);
    else if (imp.kind === "table") check(imp.type.element, imp.offset);
  }
  for (const t of info.tables) check(t.type.element, t.init?.offset ?? 0);
  for (const g of info.globals) check(g.type.content, g.init.offset);
  for (const e of info.elements) check(e.elementType, e.offset);
  for (const body of info.code) for (const run of body.locals) check(run.type, body.offset);
}
