// When the device syncs: at start, when the network or the tab comes back, shortly after each change,
// at once when the server pokes (client/sync/live.ts; a burst of pokes is one pass), every 30 s, and after a failure with exponential backoff and jitter. The engine's Web Lock keeps it
// to one tab at a time; this decides only when to ask.

export interface SchedulerOptions {
  /** One sync pass; a throw counts as a failure. */
  run: () => Promise<void>;
  /** false means do not even try (navigator.onLine is false); true means try. */
  isOnline?: () => boolean;
  /** A failure that retrying cannot fix (sign-in needed): wait for the normal interval or an event. */
  isPermanent?: (err: unknown) => boolean;
  intervalMs?: number;
  afterChangeMs?: number;
  /** The debounce of a poke from the server: pokes within it share one pass. */
  afterPokeMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  /** Where `online` and `visibilitychange` come from (window and document in the browser). */
  events?: { window?: EventTarget; document?: EventTarget & { visibilityState?: string } };
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  now?: () => number;
}

export class SyncScheduler {
  private readonly o: Required<Omit<SchedulerOptions, 'events'>> & Pick<SchedulerOptions, 'events'>;
  private timer: unknown = null;
  private dueAt = Infinity;
  private running = false;
  private rerun = false;
  private stopped = true;
  /** Consecutive failed passes; 0 after a success. */
  failures = 0;
  private readonly unlisten: (() => void)[] = [];

  constructor(opts: SchedulerOptions) {
    this.o = {
      isOnline: () => true,
      isPermanent: () => false,
      intervalMs: 30_000,
      afterChangeMs: 1_000,
      afterPokeMs: 50,
      backoffBaseMs: 2_000,
      backoffMaxMs: 5 * 60_000,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      now: () => Date.now(),
      ...opts,
    };
  }

  /** Syncs now and keeps syncing until stop(). */
  start() {
    if (!this.stopped) return;
    this.stopped = false;
    const { window: win, document: doc } = this.o.events ?? {};
    const onOnline = () => {
      this.failures = 0;
      this.schedule(0);
    };
    const onVisible = () => {
      if (doc?.visibilityState === 'visible') this.schedule(0);
    };
    win?.addEventListener('online', onOnline);
    doc?.addEventListener('visibilitychange', onVisible);
    this.unlisten.push(() => win?.removeEventListener('online', onOnline), () => doc?.removeEventListener('visibilitychange', onVisible));
    this.schedule(0);
  }

  stop() {
    this.stopped = true;
    for (const u of this.unlisten.splice(0)) u();
    this.clear();
  }

  /** A change was queued: sync soon (a burst of changes goes in one push). */
  changed() {
    this.schedule(this.o.afterChangeMs);
  }

  /** The server said its change log moved (the poke): pull now, keeping the regular schedule as the fallback. */
  poke() {
    this.schedule(this.o.afterPokeMs);
  }

  /** The user asked ("Sync now"): runs at once even when navigator.onLine says no, and rejects with the pass's error. A pass under way runs again right after. */
  async now(): Promise<void> {
    this.clear();
    return this.pass(true);
  }

  /** The delay before the next try after `failures` failures in a row: 2 s, 4 s, 8 s … up to 5 min, each cut by up to half at random. */
  backoff(failures: number): number {
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.max(0, failures - 1));
    return Math.round(ceiling * (0.5 + 0.5 * this.o.random()));
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    const due = this.o.now() + ms;
    if (this.timer !== null && this.dueAt <= due) return; // an earlier run is already planned
    this.clear();
    this.dueAt = due;
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      this.dueAt = Infinity;
      void this.pass(false).catch(() => undefined); // failures are counted and shown by the engine's state
    }, ms);
  }

  private clear() {
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
    this.dueAt = Infinity;
  }

  private async pass(asked: boolean): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return;
    }
    if (!asked && !this.o.isOnline()) {
      this.schedule(this.o.intervalMs); // the `online` event brings it back sooner
      return;
    }
    this.running = true;
    let error: unknown = null;
    try {
      await this.o.run();
      this.failures = 0;
    } catch (err) {
      error = err;
      this.failures = this.o.isPermanent(err) ? 0 : this.failures + 1;
    } finally {
      this.running = false;
    }
    if (this.rerun) {
      this.rerun = false;
      this.schedule(0);
    } else {
      this.schedule(this.failures > 0 ? this.backoff(this.failures) : this.o.intervalMs);
    }
    if (error !== null) throw error;
  }
}
