import type { ComponentInfo } from "./ast.js";
/** Validates a decoded component. */
export function validateComponent(info: ComponentInfo): void {
  void info;
}
