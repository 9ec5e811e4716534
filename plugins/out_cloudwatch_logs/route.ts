import type { Template } from '../../src/record/accessor.js';
import { GROUP_NAME_RE, STREAM_NAME_RE, type CloudWatchConfig } from './config.js';

/**
 * Which log group and stream a record goes to. Templates are rendered per record; when a field
 * is missing (or the result is not a valid name) the plain `log_group_name` /
 * `log_stream_name` / `log_stream_prefix` + tag is used, as Fluent Bit does, and counted.
 */
export class Router {
  /** Renders that fell back to the plain name since the last `takeFallbacks()`. */
  private groupFallbacks = 0;
  private streamFallbacks = 0;

  constructor(private readonly cfg: CloudWatchConfig) {}

  /** True when every record of a tag goes to the same group and stream. */
  get fixed(): boolean {
    return !this.cfg.groupTemplate && !this.cfg.streamTemplate;
  }

  group(record: Record<string, unknown>, tag: string): string {
    const t = this.cfg.groupTemplate;
    if (!t) return this.cfg.logGroupName;
    const v = render(t, record, tag, GROUP_NAME_RE);
    if (v !== undefined) return v;
    this.groupFallbacks++;
    return this.cfg.logGroupName;
  }

  stream(record: Record<string, unknown>, tag: string): string {
    const t = this.cfg.streamTemplate;
    if (t) {
      const v = render(t, record, tag, STREAM_NAME_RE);
      if (v !== undefined) return v;
      this.streamFallbacks++;
    }
    return this.plainStream(tag);
  }

  plainStream(tag: string): string {
    return this.cfg.logStreamName ?? clip(this.cfg.logStreamPrefix + tag);
  }

  /** The fallback counts so far, reset. */
  takeFallbacks(): { group: number; stream: number } {
    const r = { group: this.groupFallbacks, stream: this.streamFallbacks };
    this.groupFallbacks = this.streamFallbacks = 0;
    return r;
  }
}

function render(t: Template, record: Record<string, unknown>, tag: string, valid: RegExp): string | undefined {
  const v = t.render(record, tag);
  return v !== undefined && valid.test(v) ? v : undefined;
}

/** Stream names are at most 512 characters and may not hold ':' or '*' (tags rarely do). */
function clip(name: string): string {
  const s = name.includes(':') || name.includes('*') ? name.replace(/[:*]/g, '_') : name;
  return s.length > 512 ? s.slice(0, 512) : s;
}
