/**
 * Records are plain data: every key is an ordinary field, `__proto__`, `constructor` and
 * `prototype` included. Plain `obj[key] = v` with key `__proto__` would replace the object's
 * prototype (the field vanishes), and `key in obj` / `obj[key]` see Object.prototype's
 * `constructor`, `toString`… as if the record had them. Code that handles keys it did not write
 * itself (from log data or configuration) uses these instead.
 */

const hasOwn = Object.prototype.hasOwnProperty;

/** The record has this field (its own, not inherited). */
export function hasField(r: object, key: string): boolean {
  return hasOwn.call(r, key);
}

/** The field's value; undefined when the record does not have it (inherited names included). */
export function getField(r: Record<string, unknown>, key: string): unknown {
  return hasOwn.call(r, key) ? r[key] : undefined;
}

/** Set a field as an ordinary own property, whatever its name. */
export function setField(r: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(r, key, { value, writable: true, enumerable: true, configurable: true });
  else r[key] = value;
}

/** Copy every own field of `from` into `to` (Object.assign, but `__proto__` stays a field). */
export function assignFields(to: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const k in from) if (hasOwn.call(from, k)) setField(to, k, from[k]);
  return to;
}
