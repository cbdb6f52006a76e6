/**
 * Compiles the same binary each way a caller can (synchronously, asynchronously, from an artifact),
 * overwriting the caller's buffer with zeros right after each, and during the asynchronous compile: what
 * a program that reads one file after another into the same buffer does. The results are for the test
 * to check that nothing of them changed.
 */

/** How one kind of compiled thing (a module, a component) is made, saved and loaded. */
export interface CompileWays<T> {
  readonly name: string;
  compile(bytes: Uint8Array): T;
  compileAsync(bytes: Uint8Array): Promise<T>;
  serialize(compiled: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

/** The compiled results, each with the way it was made (for assertion messages). */
export async function compiledFromReusedBuffers<T>(fresh: () => Uint8Array, ways: CompileWays<T>): Promise<[T, string][]> {
  const out: [T, string][] = [];
  let bytes = fresh();
  out.push([ways.compile(bytes), `new ${ways.name}`]);
  bytes.fill(0);
  bytes = fresh();
  const pending = ways.compileAsync(bytes);
  bytes.fill(0); // while the asynchronous compile is under way
  out.push([await pending, `${ways.name}.compile`]);
  bytes = ways.serialize(ways.compile(fresh()));
  out.push([ways.deserialize(bytes), `${ways.name}.deserialize`]);
  bytes.fill(0);
  return out;
}
