/**
 * Name resolution for the text format: one `Namespace` per index space (`$id` -> index, collected in
 * a first pass over the module's fields so that uses may precede definitions), and the label stack
 * of a function body (`$label` -> relative depth).
 *
 * @module
 */

/** The kinds of names a module has, as words used in messages ("unknown function $f"). */
export type SpaceKind =
  | "type" | "function" | "table" | "memory" | "global" | "tag" | "elem" | "data" | "local" | "field";

/** `$name` -> index for one index space, plus the inverse (index -> name) for the name section. */
export class Namespace {
  readonly byName = new Map<string, number>();
  readonly names = new Map<number, string>();
  /** How many entries the index space has so far. */
  count = 0;

  constructor(readonly kind: SpaceKind) {}

  /** Adds the next entry (named or not) and returns its index; `undefined` means no name. Returns -1 on a duplicate. */
  add(name: string | undefined): number {
    const index = this.count++;
    if (name !== undefined) {
      if (this.byName.has(name)) return -1;
      this.byName.set(name, index);
      this.names.set(index, name);
    }
    return index;
  }

  /** The index of `$name`, or `undefined`. */
  get(name: string): number | undefined {
    return this.byName.get(name);
  }
}

/** The labels of the blocks enclosing the current instruction (innermost last). */
export class LabelStack {
  private readonly names: (string | undefined)[] = [];

  get depth(): number {
    return this.names.length;
  }

  push(name: string | undefined): void {
    this.names.push(name);
  }

  pop(): string | undefined {
    return this.names.pop();
  }

  /** The relative depth of the innermost label named `name`, or -1. */
  find(name: string): number {
    const names = this.names;
    for (let i = names.length - 1; i >= 0; i--) if (names[i] === name) return names.length - 1 - i;
    return -1;
  }

  clear(): void {
    this.names.length = 0;
  }
}
