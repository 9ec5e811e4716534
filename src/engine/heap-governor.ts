import type { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lazyRequire } from '../lazy-require.js';
import { EXPOSE_GC, LIFTOFF_ONLY, OLD_GROWTH } from '../v8-flags.cjs';
import { eventBuffers } from './buffer-pool.js';

const perfHooks = lazyRequire<typeof import('node:perf_hooks')>('node:perf_hooks');

/**
 * Keeps V8's young generation small unless Wren is busy, and gives memory back once it is quiet.
 *
 * V8 grows the young generation (two semi-spaces, up to 16 MB each on 64-bit) when scavenges see
 * many survivors, and shrinks it only when its memory reducer notices a long idle stretch (about
 * 8 s in). A start-up, or the burst that fills mem_buf_limit as an outage begins, left 32 MB
 * committed for the whole outage. A fixed size (--max-semi-space-size) costs 15–40% CPU at full
 * speed, so the size follows the load instead:
 * - Growth (V8's default factor, 2; V8 reads it each time it would grow) is held while modules
 *   load (beforeRun), allowed once the process has used more than BUSY_SHARE of a core over the
 *   last GROW_AFTER_MS, and held again (factor 1) once Wren is quiet: under BUSY_SHARE over the
 *   last QUIET_WINDOW_MS. An outage's retries, tens of ms of work a second, are quiet; a dip of a
 *   few hundred ms at full speed is not. (Allowing growth only after a whole second of load cost
 *   15–30% of a 2 s run's throughput.) Not while no records come in (every input paused on its
 *   mem_buf_limit, `flowing`): the burst that fills the limit as an outage begins was busy for a
 *   moment, grew the young generation to its ceiling and kept it there for the whole outage. The
 *   CLI starts the governor once the pipeline runs, so loading and building count for nothing.
 * - After QUIET_MS of quiet: the free event buffers are let go, and one full collection if
 *   REGROWTH bytes of buffers or heap came since the last (or since the start); again, at most
 *   every QUIET_MS, while buffers made since add up to REGROWTH bytes (each retry encodes its
 *   request again). A full collection does not shrink the young generation; V8's memory reducer
 *   does, later.
 *
 * - Growth goes straight to a ceiling, YOUNG_CEILING (two 6 MB semi-spaces; V8's own is 32 MB):
 *   the factor is set so that V8's next growth step lands on it (from 2 MB, a factor of 6), and
 *   growth stops there, checked after each scavenge while it is allowed (V8 grows one step at a
 *   time, after scavenges whose survivors add up to the young generation's size, so the check is
 *   in time). Once records became bytes without a string each (src/codec/json-bytes.ts), the
 *   larger young generation no longer paid for itself: tail → kubernetes → opensearch ran at the
 *   same CPU with 16 MB as with 32 and peaked 10–15 MB lower, and with 12 MB 2–5 MB lower again;
 *   at 8 MB, objects promoted early grew the old generation by more than that.
 *
 * Measured with mem_buf_limit 2M and a destination answering 503: peak RSS 102 MB before,
 * 69–76 MB with the governor. A semi-space size given to Node turns it off.
 */
const TICK_MS = 100;
const BUSY_SHARE = 0.3;
const QUIET_MS = 2000;
const GROW_AFTER_MS = 200;
const QUIET_WINDOW_MS = 1000;
const WINDOW_TICKS = QUIET_WINDOW_MS / TICK_MS;
const REGROWTH = 4 * 1024 * 1024;
const YOUNG_CEILING = 12 * 1024 * 1024;

export interface HeapGovernorOptions {
  /** Node's own flags (process.execArgv and NODE_OPTIONS): a semi-space size there disables the governor. */
  nodeFlags?: string;
  /** CPU microseconds used so far (tests). */
  cpuMicros?: () => number;
  /** Bytes in ArrayBuffers now (tests). */
  bufferBytes?: () => number;
  /** A full collection (tests). */
  collect?: () => void;
  /** Bytes of V8's heap in use now (tests). */
  heapBytes?: () => number;
  /** Bytes the young generation holds now (tests). */
  youngBytes?: () => number;
  /** Sets a V8 flag (tests). */
  setFlag?: (flag: string) => void;
  /**
   * Whether records are coming in (some input is not paused on its mem_buf_limit): the young
   * generation grows only then. The burst that fills mem_buf_limit as an outage begins is busy for
   * a moment, and growing to the ceiling then kept 7-8 MB more for as long as the outage lasted.
   */
  flowing?: () => boolean;
}

export class HeapGovernor {
  private timer?: NodeJS.Timeout;
  private lastCpu = 0;
  private growing = false;
  private quietFor = 0;
  /** CPU microseconds used in each of the last ticks. */
  private readonly recent: { ms: number; cpu: number }[] = [];
  private collected = true;
  /** ArrayBuffer and heap bytes after the last collection (or the start), and how long since it. */
  private buffersAfter = 0;
  private heapAfter = 0;
  private sinceCollection = 0;
  private readonly cpuMicros: () => number;
  private readonly setFlag: (flag: string) => void;
  private collect?: () => void;
  /** Watches scavenges while the young generation may grow (it stops at YOUNG_CEILING). */
  private gcWatch?: PerformanceObserver;

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
   * V8's settings for `wren run`, before the pipeline's modules load: the young generation's
   * growth held (their start-up allocations alone grew it to 8 MB; start() then lets it follow
   * the load), and WebAssembly (undici's HTTP parser, sql.js for the tail db, xxhash3) on V8's
   * baseline tier only: its optimizing tier-up, in background threads, left 9–13 MB of RSS behind
   * for good (after the first HTTP answer: 54 → 63 MB), for parsers that handle little data here.
   * And the old generation's growth kept to half its size (src/v8-flags.cts, OLD_GROWTH).
   */
  static beforeRun(nodeFlags?: string): void {
    if (HeapGovernor.enabled(nodeFlags)) setFlagsFromString('--semi-space-growth-factor=1');
    setFlagsFromString(LIFTOFF_ONLY);
    setFlagsFromString(OLD_GROWTH);
  }

  start(): this {
    if (!HeapGovernor.enabled(this.o.nodeFlags)) return this;
    this.collect = this.o.collect ?? fullCollection();
    this.lastCpu = this.cpuMicros();
    this.heapAfter = this.heapBytes();
    this.setGrowth(false);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watchScavenges(false);
    // leave V8 as it found it
    if (this.collect) {
      this.growing = true;
      this.setFlag('--semi-space-growth-factor=2'); // V8's default
    }
  }

  /**
   * One interval. Loaded: over BUSY_SHARE of a core through the last GROW_AFTER_MS (the young
   * generation may grow from then on). Quiet: under it through the last QUIET_WINDOW_MS (growth
   * stops), so that an outage's retries, a few tens of ms of work every second, leave Wren quiet.
   * Public for tests.
   */
  tick(elapsedMs = TICK_MS): void {
    const cpu = this.cpuMicros();
    this.recent.push({ ms: elapsedMs, cpu: cpu - this.lastCpu });
    this.lastCpu = cpu;
    if (this.recent.length > WINDOW_TICKS) this.recent.shift();
    if (!this.growing && this.share(GROW_AFTER_MS) > BUSY_SHARE && !this.atCeiling() && (this.o.flowing?.() ?? true)) this.setGrowth(true);
    if (!(this.share(QUIET_WINDOW_MS) <= BUSY_SHARE)) {
      this.quietFor = 0;
      this.collected = false;
      return;
    }
    // quiet: a dip of a few hundred ms at full speed (the VM took the core away) is not
    if (this.growing) this.setGrowth(false);
    this.quietFor += elapsedMs;
    this.sinceCollection += elapsedMs;
    if (this.quietFor < QUIET_MS) return;
    if (this.collected && this.sinceCollection < QUIET_MS) return;
    this.collected = true;
    eventBuffers.trim(0);
    // A forced collection puts V8's memory reducer off by 8 s and does less than it (no compaction,
    // no pages given back): only worth it once REGROWTH bytes of buffers or heap came since the
    // last one. (Right after start-up, forcing one left an idle Wren at 50-51 MB until 11 s in;
    // left to the reducer, it is at 48.9 MB from 8 s on.)
    if (this.bufferBytes() - this.buffersAfter < REGROWTH && this.heapBytes() - this.heapAfter < REGROWTH) return;
    this.collect?.();
    this.sinceCollection = 0;
    this.buffersAfter = this.bufferBytes();
    this.heapAfter = this.heapBytes();
  }

  /** The share of a core used over the last `ms` (NaN until that much has been seen: neither loaded nor quiet). */
  private share(ms: number): number {
    let seen = 0;
    let cpu = 0;
    for (let i = this.recent.length - 1; i >= 0 && seen < ms; i--) {
      seen += this.recent[i]!.ms;
      cpu += this.recent[i]!.cpu;
    }
    return seen < ms ? NaN : cpu / (seen * 1000);
  }

  private bufferBytes(): number {
    return this.o.bufferBytes ? this.o.bufferBytes() : process.memoryUsage().arrayBuffers;
  }

  /** The growth factor that takes the young generation to the ceiling in one step (under 2: it is there). */
  private factorToCeiling(): number {
    return Math.floor(YOUNG_CEILING / Math.max(1, this.youngBytes()));
  }

  /** Is the young generation as large as it may get? */
  private atCeiling(): boolean {
    return this.factorToCeiling() < 2;
  }

  /** After a scavenge while growing (public for tests): growth stops at the ceiling. */
  afterScavenge(): void {
    if (this.growing && this.atCeiling()) this.setGrowth(false);
  }

  private heapBytes(): number {
    return this.o.heapBytes ? this.o.heapBytes() : getHeapStatistics().used_heap_size;
  }

  /**
   * The young generation's size as V8 grows it: two semi-spaces of the capacity of the one in use
   * (used + available). Not space_size, which is what is committed: right after a full
   * collection only one semi-space is, half the size, and a growth factor worked out from that
   * doubled the young generation past the ceiling (24 MB, seen under load).
   */
  private youngBytes(): number {
    if (this.o.youngBytes) return this.o.youngBytes();
    for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return 2 * (s.space_used_size + s.space_available_size);
    return 0;
  }

  private setGrowth(on: boolean): void {
    this.growing = on;
    this.setFlag(`--semi-space-growth-factor=${on ? Math.max(2, this.factorToCeiling()) : 1}`);
    if (this.timer !== undefined && !this.o.youngBytes) this.watchScavenges(on);
  }

  private watchScavenges(on: boolean): void {
    if (!on) {
      this.gcWatch?.disconnect();
      this.gcWatch = undefined;
      return;
    }
    if (this.gcWatch) return;
    // node:perf_hooks loads the first time growth is allowed: never in a quiet run or an outage
    this.gcWatch = new (perfHooks().PerformanceObserver)(() => this.afterScavenge());
    this.gcWatch.observe({ entryTypes: ['gc'] });
  }
}

/** `gc()` without starting Node with --expose-gc: the flag set now applies to contexts made after it. */
function fullCollection(): () => void {
  setFlagsFromString(EXPOSE_GC);
  return runInNewContext('gc') as () => void;
}
