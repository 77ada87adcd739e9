import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncScheduler } from './scheduler';

function setup(run: () => Promise<void>, extra: Partial<ConstructorParameters<typeof SyncScheduler>[0]> = {}) {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const s = new SyncScheduler({ run, random: () => 1, events: { window: win, document: doc }, ...extra });
  return { s, win, doc };
}

describe('sync scheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('syncs at start, then every 30 seconds', async () => {
    const run = vi.fn(async () => {});
    const { s } = setup(run);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(2);
    s.stop();
  });

  it('syncs about a second after a change, once for a burst of changes', async () => {
    const run = vi.fn(async () => {});
    const { s } = setup(run);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    s.changed();
    s.changed();
    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    s.stop();
  });

  it('backs off exponentially after failures, with jitter, and resets when the network comes back', async () => {
    const run = vi.fn(async () => { throw new Error('offline'); });
    const { s, win } = setup(run);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.failures).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(3);
    expect(s.backoff(20)).toBe(5 * 60_000);
    win.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(4);
    s.stop();
  });

  it('jitter shortens a delay by at most half', () => {
    const low = new SyncScheduler({ run: async () => {}, random: () => 0 });
    expect(low.backoff(3)).toBe(4_000);
    const high = new SyncScheduler({ run: async () => {}, random: () => 0.999999 });
    expect(high.backoff(3)).toBe(8_000);
  });

  it('syncs when the tab becomes visible again', async () => {
    const run = vi.fn(async () => {});
    const { s, doc } = setup(run);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    doc.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
    s.stop();
  });

  it('does not try while the browser says it is offline', async () => {
    const run = vi.fn(async () => {});
    const { s } = setup(run, { isOnline: () => false });
    s.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).not.toHaveBeenCalled();
    s.stop();
  });

  it('runs a pass asked for during another one right after it', async () => {
    let release!: () => void;
    const run = vi.fn(() => new Promise<void>((ok) => (release = ok)));
    const { s } = setup(run);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const asked = s.now();
    release();
    await asked;
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
    release();
    s.stop();
  });
});
