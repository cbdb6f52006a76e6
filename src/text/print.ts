export function printModule(b: Uint8Array): string { return String(b.length); }
export interface PrintOptions { folded?: boolean }
