import { DEFAULT_FLUSH_TIMEOUT_MS, type MultilineRuleSpec, type MultilineSpec } from './spec.js';

/**
 * The language multiline parsers Fluent Bit ships (`multiline.parser go|java|python|ruby`): the
 * same states and the same line patterns, so a stack trace is cut where Fluent Bit cuts it.
 * (`docker` and `cri` are container formats: the tail input joins those itself.)
 */

const rule = (from: string, regex: string, to: string): MultilineRuleSpec => ({ from: from.split(',').map((s) => s.trim()), regex, to });

const GO: MultilineRuleSpec[] = [
  rule('start_state', '/\\bpanic: /', 'go_after_panic'),
  rule('start_state', '/http: panic serving/', 'go_goroutine'),
  rule('go_after_panic', '/^$/', 'go_goroutine'),
  rule('go_after_panic, go_after_signal, go_frame_1', '/^$/', 'go_goroutine'),
  rule('go_after_panic', '/^\\[signal /', 'go_after_signal'),
  rule('go_goroutine', '/^goroutine \\d+ \\[[^\\]]+\\]:$/', 'go_frame_1'),
  rule('go_frame_1', '/^(?:[^\\s.:]+\\.)*[^\\s.():]+\\(|^created by /', 'go_frame_2'),
  rule('go_frame_2', '/^\\s/', 'go_frame_1'),
];

const JAVA: MultilineRuleSpec[] = [
  rule('start_state, java_start_exception', '/(.)(?:Exception|Error|Throwable|V8 errors stack trace)[:\\r\\n]/', 'java_after_exception'),
  rule('java_after_exception', '/^[\\t ]*nested exception is:[\\t ]*/', 'java_start_exception'),
  rule('java_after_exception', '/^[\\r\\n]*$/', 'java_after_exception'),
  rule('java_after_exception, java', '/^[\\t ]+(?:eval )?at /', 'java'),
  // C#: a nested exception, and an exception thrown from async code
  rule('java_after_exception, java', '/^[\\t ]+--- End of inner exception stack trace ---$/', 'java'),
  rule('java_after_exception, java', '/^--- End of stack trace from previous location where exception was thrown ---$/', 'java'),
  rule('java_after_exception, java', '/^[\\t ]*(?:Caused by|Suppressed):/', 'java_after_exception'),
  rule('java_after_exception, java', '/^[\\t ]*... \\d+ (?:more|common frames omitted)/', 'java'),
];

const PYTHON: MultilineRuleSpec[] = [
  rule('start_state', '/^Traceback \\(most recent call last\\):$/', 'python'),
  rule('python', '/^[\\t ]+File /', 'python_code'),
  rule('python_code', '/[^\\t ]/', 'python'),
  // the exception line ends the traceback
  rule('python', '/^(?:[^\\s.():]+\\.)*[^\\s.():]+:/', 'start_state'),
];

const RUBY: MultilineRuleSpec[] = [
  rule('start_state, ruby_start_exception', '/^.+:\\d+:in\\s+.*/', 'ruby_after_exception'),
  rule('ruby_after_exception, ruby', '/^\\s+from\\s+.*:\\d+:in\\s+.*/', 'ruby'),
];

const spec = (name: string, rules: MultilineRuleSpec[]): MultilineSpec => ({ name, type: 'regex', flushTimeoutMs: DEFAULT_FLUSH_TIMEOUT_MS, rules });

export const BUILTIN_MULTILINE_SPECS: readonly MultilineSpec[] = [
  spec('go', GO),
  spec('java', JAVA),
  spec('python', PYTHON),
  spec('ruby', RUBY),
];

/** Container formats Fluent Bit lists among its multiline parsers; the tail input handles these itself. */
export const CONTAINER_MULTILINE = ['docker', 'cri'] as const;
