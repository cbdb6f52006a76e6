/**
 * Component suite directives known to fail, by `file:line` (relative to ../shared), with why. The
 * component suites test (`test/unit/component/suites.test.ts`) fails when one of these passes (so the
 * list shrinks) or when anything else fails.
 */
export const COMPONENT_EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map([
  // Types of kinds other than value types and resources used as `type` imports and exports: the
  // shared type model's `type` externs hold value types and resources only.
  ["wasm-tools-component-tests/import.wast:3", "a function type imported as a type"],
  ["wasm-tools-component-tests/resources.wast:1135", "a component type exported as a type"],
  // Shared-everything threads: `shared` core types are not parsed.
  ["wasm-tools-component-tests/legacy-indices.wast:71", "`shared` core function types"],
  ["wasm-tools-component-tests/shared-everything-threads/not-accepted.wast:13", "`shared` core function types"],
]);
