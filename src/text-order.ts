/**
 * Order of two strings by code unit (stable across machines and locales). Not localeCompare:
 * that loads ICU's collation data, 2 MB of the node binary's pages kept in RSS for good (idle RSS
 * is held to 50 MB).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
