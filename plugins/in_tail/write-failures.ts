import type { Logger } from '../../src/log.js';

const LOG_SPACING_MS = 60_000;

/**
 * Failed db writes: counted, logged at most once a minute with the reason (an unwritable folder
 * or a full disk fails every 100 ms otherwise), and once more when writes work again.
 */
export class WriteFailures {
  /** Consecutive failures (0: the last write worked). */
  count = 0;
  private unlogged = 0;
  private lastLog = -Infinity;

  constructor(
    private readonly log: Logger,
    private readonly path: string,
  ) {}

  failed(err: NodeJS.ErrnoException): void {
    this.count++;
    const now = Date.now();
    if (now - this.lastLog < LOG_SPACING_MS) {
      this.unlogged++;
      return;
    }
    this.log.error({ db: this.path, code: err.code, err: err.message, not_logged_since: this.unlogged },
      'tail: cannot write db file; offsets are kept in memory and retried (logged at most once a minute)');
    this.lastLog = now;
    this.unlogged = 0;
  }

  succeeded(): void {
    if (this.count > 0) this.log.info({ db: this.path, failed_attempts: this.count }, 'tail: db file written again');
    this.count = 0;
    this.unlogged = 0;
    this.lastLog = -Infinity;
  }
}
