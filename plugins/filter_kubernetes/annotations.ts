import type { Parser, ParserLookup } from '../../src/parsers/types.js';

/** What a pod's `fluentbit.io/*` annotations ask of one of its containers. */
export interface ContainerProps {
  stdoutParser?: Parser;
  stderrParser?: Parser;
  stdoutExclude: boolean;
  stderrExclude: boolean;
}

export interface PropsOptions {
  /** k8s-logging.parser */
  allowParser: boolean;
  /** k8s-logging.exclude */
  allowExclude: boolean;
  parsers: ParserLookup;
}

const PREFIX = 'fluentbit.io/';
const TRUE = new Set(['on', 'true', 'yes', '1']);

/**
 * Fluent Bit's pod annotations (when allowed by k8s-logging.parser / k8s-logging.exclude):
 * `fluentbit.io/parser[_stdout|_stderr][-<container>]: <parser>` and
 * `fluentbit.io/exclude[_stdout|_stderr][-<container>]: "true"`. A container-specific annotation
 * wins over a pod-wide one. An unknown parser is ignored (reported through `unknown`).
 * Undefined when nothing applies, so records of most pods take the fast path.
 */
export function containerProps(annotations: Record<string, string> | undefined, container: string | undefined,
  o: PropsOptions, unknown?: (parser: string) => void): ContainerProps | undefined {
  if (annotations === undefined || (!o.allowParser && !o.allowExclude)) return undefined;
  let props: ContainerProps | undefined;
  // Pod-wide first, container-specific second, so the latter wins.
  for (const specific of [false, true]) {
    for (const key in annotations) {
      if (!key.startsWith(PREFIX)) continue;
      const m = /^(parser|exclude)(?:_(stdout|stderr))?(?:-(.+))?$/.exec(key.slice(PREFIX.length));
      if (!m || (m[3] !== undefined) !== specific || (specific && m[3] !== container)) continue;
      const value = String(annotations[key]).trim();
      const stdout = m[2] !== 'stderr';
      const stderr = m[2] !== 'stdout';
      if (m[1] === 'parser') {
        if (!o.allowParser) continue;
        const p = o.parsers.get(value);
        if (!p) {
          unknown?.(value);
          continue;
        }
        props ??= { stdoutExclude: false, stderrExclude: false };
        if (stdout) props.stdoutParser = p;
        if (stderr) props.stderrParser = p;
      } else {
        if (!o.allowExclude) continue;
        const ex = TRUE.has(value.toLowerCase());
        props ??= { stdoutExclude: false, stderrExclude: false };
        if (stdout) props.stdoutExclude = ex;
        if (stderr) props.stderrExclude = ex;
      }
    }
  }
  return props;
}
