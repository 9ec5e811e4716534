/**
 * `${VAR}` and `${VAR:-default}` expansion, as Fluent Bit does for its YAML: variables come from
 * the config's `env:` section first, then the process environment. A missing variable without a
 * default is an error (reported by the caller with the value's position).
 */

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g;

export interface ExpandResult {
  value: string;
  /** Names referenced but not defined and without a default. */
  missing: string[];
}

export function expandVars(text: string, vars: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): ExpandResult {
  if (!text.includes('${')) return { value: text, missing: [] };
  const missing: string[] = [];
  const value = text.replace(REF, (whole, name: string, def: string | undefined) => {
    const v = vars.get(name) ?? env[name];
    if (v !== undefined && !(v === '' && def !== undefined && whole.includes(':-'))) return v;
    if (def !== undefined) return def;
    missing.push(name);
    return '';
  });
  return { value, missing };
}
