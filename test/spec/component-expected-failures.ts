/**
 * Component suite directives known to fail, by `file:line` (relative to ../shared), with why. The
 * component suites test (`test/unit/component/suites.test.ts`) fails when one of these passes (so the
 * list shrinks) or when anything else fails.
 */
export const COMPONENT_EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map<string, string>([]);
