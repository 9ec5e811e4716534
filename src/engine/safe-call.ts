import { errorLine } from '../errors.js';
import type { Logger } from '../log.js';

/** Run a plugin's start or stop: a failure is logged ("stopping failed: …"), never thrown. */
export async function safeCall(fn: (() => unknown) | undefined, log: Logger, doing = 'stopping'): Promise<void> {
  if (!fn) return;
  try {
    await fn();
  } catch (err) {
    log.error(`${doing} failed: ${errorLine(err)}`);
  }
}
