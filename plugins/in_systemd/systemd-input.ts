import { spawn, type ChildProcess } from 'node:child_process';
import type { InputContext, InputInstance, LogEvent } from '../../src/engine/types.js';
import { WrenError } from '../../src/errors.js';
import { journalctlArgs, type SystemdConfig } from './config.js';
import { CursorDb, CursorQueue } from './cursor-db.js';
import { ExportParser } from './export-parser.js';
import { EntryBuilder } from './records.js';

/** A batch is emitted at this many bytes even below max_entries (Fluent Bit: ~1 MB). */
const BATCH_BYTES = 1024 * 1024;
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;

/**
 * The `systemd` input: reads the journal through `journalctl --output=export --follow` (a stable
 * public interface on every systemd host, no native binding), from the db cursor, else from the
 * head or (read_from_tail) the end. What one read of journalctl's output holds (at most max_entries
 * entries) becomes one batch per tag; its last cursor is committed to the db once they are all
 * delivered, in order. While the
 * engine holds the input paused, journalctl's output is not read (it blocks on the pipe).
 * journalctl exiting is logged and it is started again after the last entry read.
 */
export class SystemdInput implements InputInstance {
  private child: ChildProcess | null = null;
  private parser!: ExportParser;
  private readonly builder: EntryBuilder;
  private readonly db: CursorDb | null;
  private readonly commits: CursorQueue | null;
  /** The cursor of the last entry emitted: where a restarted journalctl goes on. */
  private lastCursor: string | undefined;
  /** The entries read and not yet emitted, by tag, in order of first appearance. */
  private readonly runs = new Map<string, { events: LogEvent[]; bytes: number }>();
  private segEntries = 0;
  private segBytes = 0;
  private segCursor = '';
  private paused = false;
  private stopped = false;
  private restartMs = RESTART_MIN_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private readSinceStart = 0;
  private stderrTail = '';

  constructor(
    private readonly ctx: InputContext,
    private readonly cfg: SystemdConfig,
  ) {
    this.db = cfg.db === undefined ? null : CursorDb.open(cfg.db, cfg.dbSync, ctx.log);
    this.commits = this.db === null ? null : new CursorQueue((c) => this.db!.set(c));
    this.lastCursor = this.db?.get();
    this.builder = new EntryBuilder({ maxFields: cfg.maxFields, stripUnderscores: cfg.stripUnderscores, lowercase: cfg.lowercase, tag: ctx.tag, match: cfg.match },
      (event, cursor, tag, bytes) => this.entry(event, cursor, tag, bytes));
  }

  async start(): Promise<void> {
    const child = this.launch();
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err: NodeJS.ErrnoException) => reject(new WrenError('input', `systemd: cannot run ${this.cfg.journalctl}: ${err.code ?? err.message}`, {
        hint: err.code === 'ENOENT' ? 'install systemd\'s journalctl (Debian: the systemd package), or set journalctl to its path' : undefined,
        cause: err,
      })));
    });
  }

  pause(): void {
    this.paused = true;
    this.child?.stdout?.pause();
  }

  resume(): void {
    this.paused = false;
    if (!this.stopped) this.child?.stdout?.resume();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    }
    await this.db?.close();
  }

  private launch(): ChildProcess {
    const args = journalctlArgs(this.cfg, this.lastCursor);
    this.ctx.log.debug({ journalctl: this.cfg.journalctl, args }, 'systemd: starting journalctl');
    this.parser = new ExportParser(this.builder);
    this.readSinceStart = 0;
    this.stderrTail = '';
    const child = spawn(this.cfg.journalctl, args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.ctx.env ?? process.env });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => this.data(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim() !== '') this.ctx.log.warn({ journalctl: line.trim() }, 'systemd: journalctl says');
    });
    child.on('error', (err) => {
      if (child.pid !== undefined) this.ctx.log.error({ err: err.message }, 'systemd: journalctl failed');
    });
    child.on('exit', (code, signal) => this.exited(child, code, signal));
    if (this.paused) child.stdout!.pause();
    return child;
  }

  private data(chunk: Buffer): void {
    this.readSinceStart += chunk.length;
    try {
      this.parser.push(chunk);
    } catch (err) {
      this.ctx.metrics.add('errors');
      this.ctx.log.error({ err: (err as Error).message }, 'systemd: journalctl output is malformed; restarting it after the last entry read');
      this.flushRun();
      this.child?.kill('SIGTERM');
      return;
    }
    this.flushRun();
  }

  private entry(event: LogEvent, cursor: string, tag: string, bytes: number): void {
    let run = this.runs.get(tag);
    if (run === undefined) this.runs.set(tag, (run = { events: [], bytes: 0 }));
    run.events.push(event);
    run.bytes += bytes;
    if (cursor !== '') this.segCursor = cursor;
    this.segBytes += bytes;
    if (++this.segEntries >= this.cfg.maxEntries || this.segBytes >= BATCH_BYTES) this.flushRun();
  }

  /**
   * Emit what was read: one batch per tag (the journal interleaves units; a batch per change of
   * unit would make batches of one entry). The segment's last cursor is committed once all of
   * its batches are delivered.
   */
  private flushRun(): void {
    if (this.segEntries === 0) return;
    const cursor = this.segCursor;
    this.segEntries = 0;
    this.segBytes = 0;
    if (cursor !== '') this.lastCursor = cursor;
    let onDone: (() => void) | undefined;
    if (this.commits !== null && cursor !== '') {
      const done = this.commits.add(cursor);
      let left = this.runs.size;
      onDone = () => {
        if (--left === 0) done();
      };
    }
    let ok = true;
    for (const [tag, run] of this.runs) ok = this.ctx.emit(run.events, { tag, bytes: run.bytes, onDone }) && ok;
    this.runs.clear();
    if (!ok) this.pause();
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.flushRun();
    if (this.stopped) return;
    this.ctx.metrics.add('restarts');
    const wait = this.readSinceStart > 0 ? RESTART_MIN_MS : this.restartMs;
    this.restartMs = this.readSinceStart > 0 ? RESTART_MIN_MS : Math.min(RESTART_MAX_MS, this.restartMs * 2);
    if (this.readSinceStart === 0 && this.lastCursor !== undefined && /cursor/i.test(this.stderrTail)) {
      this.ctx.log.warn({ cursor: this.lastCursor }, `systemd: the saved cursor is not in the journal (rotated away?); reading from the ${this.cfg.readFromTail ? 'end' : 'head'}`);
      this.lastCursor = undefined;
    } else {
      this.ctx.log.error({ code, signal }, `systemd: journalctl exited; starting it again in ${wait} ms, after the last entry read`);
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopped) this.launch();
    }, wait);
  }
}
