import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eventBuffers } from './buffer-pool.js';

/**
 * Keeps V8's young generation small unless Wren is busy, and gives memory back once it is quiet.
 *
 * V8 grows the young generation (two semi-spaces, up to 16 MB each on 64-bit) when scavenges see
 * many survivors, and shrinks it only after its memory reducer notices a long idle stretch. A
 * burst at start-up or the first seconds of an outage therefore left 32 MB committed for as long
 * as the outage lasted (measured: 86–93 MB RSS with mem_buf_limit 2M and the destination down,
 * 71–75 MB with this governor). Fixing the size with --max-semi-space-size costs 15–40% CPU at full
 * speed, so instead the size follows the load:
 * - growth is allowed (V8's default factor, 2) once the process has used more than BUSY_SHARE of
 *   a core for GROW_AFTER_MS in a row, and stopped (factor 1: the young generation stays as it
 *   is) as soon as it has not; V8 reads the factor each time it would grow, so this needs no
 *   restart. Start-up and the burst that fills mem_buf_limit before an outage pauses the inputs
 *   are shorter than that, so they no longer leave a 32 MB young generation behind;
 * - after QUIET_MS without being busy (idle, an outage waiting out its retries, inputs paused),
 *   one full collection and the free event buffers are let go; again, at most every QUIET_MS,
 *   while buffers made since (an outage's retries encode their request again each time) add up to
 *   REGROWTH bytes. (A full collection does not shrink the young generation: V8's memory reducer
 *   does that on its own, about 8 s into a quiet stretch.)
 *
 * A semi-space size given on Node's command line or in NODE_OPTIONS is left alone.
 */
const TICK_MS = 250;
const BUSY_SHARE = 0.3;
const QUIET_MS = 2000;
const GROW_AFTER_MS = 1000;
const REGROWTH = 4 * 1024 * 1024;

export interface HeapGovernorOptions {
  /** Node's own flags (process.execArgv and NODE_OPTIONS): a semi-space size there disables the governor. */
  nodeFlags?: string;
  /** CPU microseconds used so far (tests). */
  cpuMicros?: () => number;
  /** Bytes in ArrayBuffers now (tests). */
  bufferBytes?: () => number;
  /** A full collection (tests). */
  collect?: () => void;
  /** Sets a V8 flag (tests). */
  setFlag?: (flag: string) => void;
}

export class HeapGovernor {
  private timer?: NodeJS.Timeout;
  private lastCpu = 0;
  private growing = false;
  private quietFor = 0;
  private busyFor = 0;
  private collected = true;
  /** ArrayBuffer bytes after the last collection, and how long since it. */
  private buffersAfter = 0;
  private sinceCollection = 0;
  private readonly cpuMicros: () => number;
  private readonly setFlag: (flag: string) => void;
  private collect?: () => void;
  /** Full collections done because Wren went quiet. */
  collections = 0;

  constructor(private readonly o: HeapGovernorOptions = {}) {
    this.cpuMicros = o.cpuMicros ?? (() => {
      const u = process.cpuUsage();
      return u.user + u.system;
    });
    this.setFlag = o.setFlag ?? setFlagsFromString;
  }

  /** Whether the governor runs: not when the user sized the young generation. */
  static enabled(nodeFlags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`): boolean {
    return !/--(max|min)[-_]semi[-_]space[-_]size|--max[-_]young[-_]generation/.test(nodeFlags);
  }

  /**
   * Stop the young generation's growth before the pipeline's modules load (their start-up
   * allocations alone grew it to 8 MB); start() then lets it follow the load.
   */
  static holdGrowth(nodeFlags?: string): void {
    if (HeapGovernor.enabled(nodeFlags)) setFlagsFromString('--semi-space-growth-factor=1');
    // WebAssembly (undici's HTTP parser, sql.js for the tail db, xxhash3) runs on V8's baseline
    // compiler only: its optimizing tier-up, in background threads, left 9–13 MB of RSS behind for
    // good (after the first HTTP answer: 54 → 63 MB) for parsers that handle little data here
    setFlagsFromString('--liftoff-only');
  }

  start(): this {
    if (!HeapGovernor.enabled(this.o.nodeFlags)) return this;
    this.collect = this.o.collect ?? fullCollection();
    this.lastCpu = this.cpuMicros();
    this.setGrowth(false);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // leave V8 as it found it
    if (!this.growing && this.collect) this.setGrowth(true);
  }

  /** One interval: busy (CPU over BUSY_SHARE of a core) or quiet. Public for tests. */
  tick(elapsedMs = TICK_MS): void {
    const cpu = this.cpuMicros();
    const used = cpu - this.lastCpu;
    this.lastCpu = cpu;
    if (used > BUSY_SHARE * elapsedMs * 1000) {
      this.quietFor = 0;
      this.busyFor += elapsedMs;
      this.collected = false;
      if (!this.growing && this.busyFor >= GROW_AFTER_MS) this.setGrowth(true);
      return;
    }
    this.busyFor = 0;
    if (this.growing) this.setGrowth(false);
    this.quietFor += elapsedMs;
    this.sinceCollection += elapsedMs;
    if (this.quietFor < QUIET_MS) return;
    if (this.collected && (this.sinceCollection < QUIET_MS || this.bufferBytes() - this.buffersAfter < REGROWTH)) return;
    this.collected = true;
    this.collections++;
    eventBuffers.trim(0);
    this.collect?.();
    this.sinceCollection = 0;
    this.buffersAfter = this.bufferBytes();
  }

  private bufferBytes(): number {
    return this.o.bufferBytes ? this.o.bufferBytes() : process.memoryUsage().arrayBuffers;
  }

  private setGrowth(on: boolean): void {
    this.growing = on;
    this.setFlag(`--semi-space-growth-factor=${on ? 2 : 1}`);
  }
}

/** `gc()` without starting Node with --expose-gc: the flag set now applies to contexts made after it. */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
