import { clsx, type ClassValue } from "clsx";

/**
 * Joins class names (clsx). No class merging: a component's own classes and the ones passed in must not
 * set the same property (use a variant instead), which keeps a merge library out of every page's script.
 */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}
