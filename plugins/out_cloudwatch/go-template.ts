import type { Template } from '../../src/record/accessor.js';

/**
 * The aws-for-fluent-bit Go cloudwatch plugin's name templates: `$(var)` in log_group_name and
 * log_stream_name, where var is
 * - `tag`, or `tag[n]` (n 0-9: the tag split on '.');
 * - `uuid`: a random id made once per output (as the Go plugin: fixed until restart);
 * - `ecs_task_id`, `ecs_cluster`, `ecs_task_arn`: from the ECS task metadata endpoint;
 * - a record key, `key['sub']['sub2']` for nested values (text values only).
 * A variable that cannot be filled makes the whole name fall back to the default name. Rendered
 * names are made valid as the Go plugin does: in a group name a character outside
 * `[A-Za-z0-9_./-]` becomes '.', in a stream name ':' and '*' become '.'; both cut to 512.
 */
export interface EcsMetadata {
  taskId?: string;
  cluster?: string;
  taskArn?: string;
}

type Part = string | ((record: Record<string, unknown>, tag: string) => string | undefined);

export function hasGoTemplate(text: string): boolean {
  return /\$\([^)]*\)/.test(text);
}

export function usesEcs(text: string): boolean {
  return /\$\(ecs_(task_id|cluster|task_arn)\)/.test(text);
}

function lookup(record: Record<string, unknown>, expr: string): string | undefined {
  const m = /^([^[\]]+)((?:\['[^']*'\])*)$/.exec(expr.trim());
  if (!m) return undefined;
  let cur: unknown = record[m[1]!];
  for (const s of m[2]!.matchAll(/\['([^']*)'\]/g)) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[s[1]!];
  }
  return typeof cur === 'string' ? cur : undefined;
}

export function compileGoTemplate(source: string, kind: 'group' | 'stream', uuid: string, ecs: () => EcsMetadata): Template {
  const parts: Part[] = [];
  let last = 0;
  for (const m of source.matchAll(/\$\(([^)]*)\)/g)) {
    if (m.index > last) parts.push(source.slice(last, m.index));
    last = m.index + m[0].length;
    const v = m[1]!.trim();
    const tagPart = /^tag(?:\[(\d)\])?$/.exec(v);
    if (tagPart) {
      const n = tagPart[1] === undefined ? undefined : Number(tagPart[1]);
      parts.push((_r, tag) => (n === undefined ? tag : tag.split('.', 10)[n]));
    } else if (v === 'uuid') {
      parts.push(uuid);
    } else if (v === 'ecs_task_id' || v === 'ecs_cluster' || v === 'ecs_task_arn') {
      const field = v === 'ecs_task_id' ? 'taskId' : v === 'ecs_cluster' ? 'cluster' : 'taskArn';
      parts.push(() => ecs()[field]);
    } else {
      parts.push((r) => lookup(r, v));
    }
  }
  if (last < source.length) parts.push(source.slice(last));
  const clean = kind === 'group' ? (s: string) => s.replace(/[^A-Za-z0-9_./-]/g, '.') : (s: string) => s.replace(/[:*]/g, '.');
  return {
    source,
    render(record, tag) {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const v = p(record, tag);
        if (v === undefined) return undefined;
        out += clean(v);
      }
      if (out.length === 0) return undefined;
      return out.length > 512 ? out.slice(0, 512) : out;
    },
  };
}
