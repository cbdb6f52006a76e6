/**
 * The component text parser's canonical definitions: the body of `(canon name immediates* options*)`
 * for `lift`, `lower` and every built-in of `CANON_BY_NAME`, its options (string encodings, memory,
 * realloc, post-return, callback, async), and the type use of a lifted function.
 *
 * @module
 */
import { Tok } from "../../text/lexer.js";
import type { CanonDef, CanonOption } from "../binary/ast.js";
import { CANON_BY_NAME } from "../binary/canon.js";
import { RefParser } from "./refs.js";

/** Canonical definitions (see the module comment). */
export abstract class CanonParser extends RefParser {
  /**
   * The body of `(canon name immediates* options* target?)`. With `withTarget`, the trailing
   * `(core func $id?)` / `(func $id? typeuse)` is parsed and the definition emitted here.
   */
  protected canonBody(withTarget = false): CanonDef {
    const nameTok = this.p;
    const name = this.text();
    this.p++;
    let def: CanonDef;
    if (name === "lift") {
      const func = this.coreRef("core func");
      const options = this.canonOptions();
      if (withTarget) {
        this.expectLP();
        this.expectAtom("func");
        const id = this.optId();
        const exports = this.inlineExports();
        const type = this.funcTypeUse();
        this.expectRP();
        def = { kind: "lift", func, options, type, offset: 0 };
        this.pushItem("canon", def);
        const index = this.define("func", id, nameTok);
        this.emitExports(exports, "func", index);
        return def;
      }
      return { kind: "lift", func, options, offset: 0 };
    }
    if (name === "lower") {
      const func = this.ref("func");
      const options = this.canonOptions();
      def = { kind: "lower", func, options, offset: 0 };
    } else {
      let op = CANON_BY_NAME.get(name);
      if (op === undefined) this.fail(`unexpected token ${name}: unknown canonical built-in`, nameTok);
      const d: { -readonly [K in keyof CanonDef]: CanonDef[K] } = { kind: name, offset: 0 };
      for (const imm of op.immediates) {
        switch (imm) {
          case "type": d.type = this.ref("type"); break;
          case "options": d.options = this.canonOptions(); break;
          case "result":
            if (this.eatOpen("result")) {
              d.result = this.valType();
              this.expectRP();
            } else {
              d.result = null;
            }
            break;
          case "valType": d.valType = this.coreValType(); break;
          case "index": d.index = this.u32(); break;
          case "async": d.async = this.eatAtom("async"); break;
          case "cancellable": d.cancellable = this.eatAtom("cancellable"); break;
          case "shared": d.shared = this.eatAtom("shared"); break;
          case "memory":
            this.expectLP();
            this.expectAtom("memory");
            d.memory = this.coreRef("core memory");
            this.expectRP();
            break;
          case "coreType": d.coreType = this.coreRef("core type"); break;
          case "table": d.table = this.looseCoreRef("table", "core table"); break;
        }
      }
      if (name === "resource.drop" && this.eatAtom("async")) {
        op = CANON_BY_NAME.get("resource.drop async")!;
        d.kind = op.name;
      }
      def = d;
    }
    if (withTarget) {
      this.expectLP();
      this.expectAtom("core");
      this.expectAtom("func");
      const id = this.optId();
      this.expectRP();
      this.pushItem("canon", def);
      this.define("core func", id, nameTok);
    }
    return def;
  }

  /** The function type of a lifted function: `(type idx)` or inline `(param ...) (result ...)`. */
  protected funcTypeUse(): number {
    return this.typeUse(() => this.funcTypeBody());
  }

  protected canonOptions(): CanonOption[] {
    const options: CanonOption[] = [];
    for (;;) {
      const i = this.p;
      if (this.kind[i] === Tok.atom) {
        const w = this.text(i);
        if (w === "string-encoding=utf8") options.push({ kind: "utf8" });
        else if (w === "string-encoding=utf16") options.push({ kind: "utf16" });
        else if (w === "string-encoding=latin1+utf16") options.push({ kind: "latin1+utf16" });
        else if (w === "async") options.push({ kind: "async" });
        else if (w === "gc") options.push({ kind: "gc" });
        else break;
        this.p++;
        continue;
      }
      if (this.kind[i] !== Tok.lparen) break;
      const w = this.text(i + 1);
      if (w === "memory" || w === "realloc" || w === "post-return" || w === "callback" || w === "core-type") {
        this.p += 2;
        const index = this.coreRef(w === "memory" ? "core memory" : w === "core-type" ? "core type" : "core func");
        this.expectRP();
        options.push({ kind: w, index });
        continue;
      }
      break;
    }
    return options;
  }

}
