import type { InputContext, InputInstance, LogEvent } from '../../src/engine/types.js';
import { formatSize } from '../../src/config/values.js';
import type { TailConfig } from './config.js';
import { FileTracker } from './file-tracker.js';
import { compileExclude } from './glob.js';
import { LineSplitter, type LongLineReport } from './line-splitter.js';
import { ContainerRecords } from './multiline.js';
import { loadXxh3 } from './fingerprint.js';
import { MultilineStage } from './multiline-stage.js';
import { OffsetsDb } from './offsets-db.js';
import { FileReader } from './reader.js';
import { Decorator, type RecordSink, TextRecords } from './records.js';
import type { TailFile } from './tail-file.js';

/** Bytes read from one file before the others get their turn. */
const FILE_BUDGET = 8 * 1024 * 1024;
/** Long-line logs per file at most this often (the rest are counted into the next one). */
const LONG_LOG_SPACING_MS = 1000;

/**
 * The running tail input. All file work happens in one loop (`run`): scan, rotation checks,
 * reads, closes; timers and file events only ask for another turn (`wake`). Reading stops while
 * the engine holds the input paused and resumes where it left off.
 */
export class TailInput implements InputInstance {
  private readonly tracker: FileTracker;
  private readonly reader: FileReader;
  private readonly sink: RecordSink;
  private readonly stage: MultilineStage | null;
  private db: OffsetsDb | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | null = null;
  private wanted = false;
  /** The next turn reads every file (poll tick, resume), not only those with events. */
  private sweepDue = true;
  private scanDue = false;
  private rotationDue = false;
  private paused = false;
  private stopped = false;
  private finished = false;

  constructor(
    private readonly ctx: InputContext,
    private readonly cfg: TailConfig,
  ) {
    const deco = new Decorator(cfg.pathKey, cfg.offsetKey);
    const text = new TextRecords(cfg.key, cfg.parser, deco);
    const lines = cfg.multiline.length > 0 ? new ContainerRecords(cfg.multiline, deco, text) : text;
    this.stage = cfg.multilineStage.length === 0 ? null
      : new MultilineStage(lines, cfg.multilineStage, cfg.multiline.length > 0 ? 'log' : cfg.key, () => ctx.metrics.add('multiline_truncated'));
    this.sink = this.stage ?? lines;
    const splitter = new LineSplitter(cfg.maxLine, cfg.longLines, cfg.skipEmpty, (r) => this.longLine(r));
    this.reader = new FileReader(cfg.maxLine, splitter, this.sink, (f, ev, bytes) => this.emitBatch(f, ev, bytes),
      () => this.isPaused(), (f, size) => this.truncated(f, size));
    this.tracker = new FileTracker(ctx, cfg, cfg.exclude.map(compileExclude), {
      wake: (rotation, file) => this.wake(rotation, file),
      finish: (f) => this.finishFile(f),
    });
  }

  async start(): Promise<void> {
    // SQLite (WebAssembly) is loaded here, only for a tail input with a db.
    if (this.cfg.db !== undefined) {
      void loadXxh3().catch(() => undefined); // loads beside SQLite; awaited where it is used
      this.db = await OffsetsDb.open(this.cfg.db, this.cfg.dbSync, this.ctx.log);
    }
    await this.tracker.start(this.db);
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms));
    every(this.cfg.watcherMs, () => this.wake(true)); // the poll: growth, rotation, truncation
    every(this.cfg.refreshMs, () => {
      this.scanDue = true;
      this.wake(false);
    });
    if (this.cfg.multiline.length > 0 || this.stage !== null) {
      const idleMs = Math.min(this.cfg.multiline.length > 0 ? this.cfg.multilineFlushMs : Infinity, this.stage?.flushMs ?? Infinity);
      every(Math.min(1000, Math.max(10, idleMs / 2)), () => this.flushIdleJoins());
    }
    this.wake(false);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake(false);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.running) await this.running;
    for (const f of [...this.tracker.files.values()]) {
      // Without a db, open joins would be lost: emit them. With one, they are read again next time.
      if (this.db === null) this.emitHeld(f, false);
      await this.tracker.close(f, false);
    }
    await this.db?.close();
  }

  private isPaused(): boolean {
    return this.paused || this.stopped || this.ctx.isPaused() || this.ctx.signal.aborted;
  }

  private wake(rotation: boolean, file?: TailFile): void {
    if (rotation) this.rotationDue = true;
    if (file === undefined) this.sweepDue = true;
    else file.dirty = true;
    this.wanted = true;
    if (this.running || this.stopped) return;
    this.running = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.wanted && !this.stopped) {
        this.wanted = false;
        await this.cycle();
      }
    } catch (err) {
      this.ctx.log.error({ err: (err as Error).message }, 'tail: unexpected error; will retry on the next check');
    } finally {
      this.running = null;
    }
  }

  private async cycle(): Promise<void> {
    if (this.scanDue) {
      this.scanDue = false;
      await this.tracker.scan('new');
    }
    if (this.rotationDue) {
      this.rotationDue = false;
      await this.tracker.checkRotations();
    }
    const sweep = this.sweepDue;
    this.sweepDue = false;
    for (const f of [...this.tracker.files.values()]) {
      if (this.isPaused()) {
        this.sweepDue = true; // resume reads everything again
        return;
      }
      if (f.stopped || f.closed || !(sweep || f.dirty)) continue;
      f.dirty = false;
      try {
        if ((await this.reader.read(f, FILE_BUDGET)) === 'more') {
          f.dirty = true;
          this.wanted = true;
        }
        await this.tracker.refreshHead(f);
      } catch (err) {
        f.stopped = true;
        this.ctx.metrics.add('errors');
        this.ctx.log.error({ file: f.name, err: (err as Error).message }, 'tail: cannot read file; it is no longer read');
      }
    }
    await this.tracker.closeDetached();
    this.checkEof();
  }

  /** exit_on_eof: once every followed file is read to its end, emit what is held and finish. */
  private checkEof(): void {
    if (!this.cfg.exitOnEof || this.finished || this.isPaused()) return;
    for (const f of this.tracker.files.values()) if (!f.stopped && f.readPos < f.size) return;
    this.finished = true;
    for (const f of this.tracker.files.values()) this.finishFile(f);
    this.ctx.log.debug('tail: every file read to its end (exit_on_eof)');
    this.ctx.done();
  }

  /** The file ends here: its last line without a newline and its open joins are emitted. */
  private finishFile(f: TailFile): void {
    this.emitHeld(f, true);
  }

  private emitHeld(f: TailFile, withCarry: boolean): void {
    const events: LogEvent[] = [];
    if (withCarry && !f.stopped) this.reader.finishCarry(f, events);
    this.sink.begin(f, events, Date.now());
    this.sink.flushJoins();
    this.emitBatch(f, events, 0);
  }

  private flushIdleJoins(): void {
    const idleSince = Date.now() - this.cfg.multilineFlushMs;
    for (const f of this.tracker.files.values()) {
      if ((f.joins === null || f.joins.size === 0) && f.heldFrom === Infinity) continue;
      const events: LogEvent[] = [];
      this.sink.begin(f, events, Date.now());
      this.sink.flushJoins(idleSince);
      if (events.length > 0) this.emitBatch(f, events, 0);
    }
  }

  private emitBatch(file: TailFile, events: LogEvent[], bytes: number): boolean {
    const safe = file.safeOffset();
    if (events.length === 0) {
      file.commits.advance(safe);
      return !this.isPaused();
    }
    const onDone = file.commits.add(safe);
    const ok = this.ctx.emit(events, { tag: file.tag, bytes, onDone });
    if (!ok) this.paused = true;
    return ok;
  }

  /** The file shrank or its bytes before the read position changed; returns the size to read up to. */
  private async truncated(file: TailFile, size: number): Promise<number> {
    if (await this.tracker.followCopy(file)) return file.size;
    this.ctx.log.info({ file: file.name, offset: file.readPos, size }, 'tail: file truncated; reading it from the start');
    this.ctx.metrics.add('files_truncated');
    this.emitHeld(file, false);
    file.resetTo(0);
    file.commits.reset(0);
    return size;
  }

  private longLine(r: LongLineReport): void {
    const { file } = r;
    const limit = formatSize(this.cfg.maxLine);
    if (r.policy === 'stop') {
      this.ctx.metrics.add('errors');
      this.ctx.log.error({ file: file.name, offset: r.offset, line_bytes: r.dropped },
        `tail: a line is longer than buffer_max_size (${limit}); this file is no longer read `
        + '(raise buffer_max_size, or set skip_long_lines or truncate_long_lines on)');
      return;
    }
    const verb = r.policy === 'truncate' ? 'truncated' : 'skipped';
    this.ctx.metrics.add(`${verb}_lines`);
    this.ctx.metrics.add(`${verb}_bytes`, r.dropped);
    const now = Date.now();
    if (now - file.lastLongLog < LONG_LOG_SPACING_MS) {
      file.unloggedLong++;
      return;
    }
    this.ctx.log.warn({ file: file.name, offset: r.offset, kept_bytes: r.kept, dropped_bytes: r.dropped, not_logged_since: file.unloggedLong },
      `tail: ${verb} a line longer than buffer_max_size (${limit})`);
    file.lastLongLog = now;
    file.unloggedLong = 0;
  }
}
