import { setField } from '../../src/record/fields.js';

/**
 * replace_dots: '.' in key names becomes '_', in maps at every level and in maps inside arrays
 * (Fluent Bit's os_pack_map_content). Records without dotted keys are left as they are.
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True when a key anywhere inside has a dot. */
export function hasDots(v: unknown): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (hasDots(v[i])) return true;
    return false;
  }
  if (!isPlainObject(v)) return false;
  for (const k in v) {
    if (k.includes('.')) return true;
    const x = v[k];
    if (x !== null && typeof x === 'object' && hasDots(x)) return true;
  }
  return false;
}

/** A copy with dots in keys replaced (values without dotted keys are shared, not copied). */
export function dotless(v: unknown): unknown {
  if (Array.isArray(v)) return hasDots(v) ? v.map(dotless) : v;
  if (!isPlainObject(v) || !hasDots(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k in v) setField(out, k.includes('.') ? k.replaceAll('.', '_') : k, dotless(v[k]));
  return out;
}
