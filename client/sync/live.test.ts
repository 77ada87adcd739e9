// The device's poke client against the real server app: a change by another device calls onChanged
// with the new sequence, an expired token is refreshed through the AuthedClient on reconnect, a
// stream that fails reconnects with backoff, and the scheduler turns a burst of pokes into one pass.
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { makeDevice, type Device } from '../../tests/setup/device';
import { LivePoke } from './live';
import { SyncScheduler } from './scheduler';
import { LoginRequired } from '../auth/client';

const h = useHarness();

async function until(test: () => boolean, ms = 5000) {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function poke(d: Device, onChanged: (seq: number) => void, extra: Partial<ConstructorParameters<typeof LivePoke>[0]> = {}) {
  const live = new LivePoke({
    open: (signal) => d.engine.client.open('/api/sync/events', { signal, accept: 'text/event-stream' }),
    onChanged,
    isPermanent: (e) => e instanceof LoginRequired,
    ...extra,
  });
  cleanup.push(() => live.stop());
  return live;
}

async function rejectFrom(d: Device) {
  const machine = (await d.db.rows('machines').toArray()).find((m) => m.code === 'PRS-01')!;
  const defect = (await d.db.rows('defectCodes').toArray())[0];
  await d.engine.mutate('reject.create', { id: uuidv7(), machineId: machine.id, defectCodeId: defect.id, quantity: 3 });
  await d.engine.sync();
}

describe('LivePoke', () => {
  it('calls onChanged with the new sequence when another device writes, and not again for the same sequence', async () => {
    const a = await makeDevice(h, 'operator.press');
    const b = await makeDevice(h, 'supervisor.press');
    cleanup.push(() => a.close(), () => b.close());
    await a.engine.sync();
    await b.engine.sync();
    const seen: number[] = [];
    const live = poke(b, (s) => seen.push(s));
    live.start();
    await until(() => seen.length === 1); // the baseline of the connection
    await rejectFrom(a);
    await until(() => seen.length === 2);
    expect(seen[1]).toBeGreaterThan(seen[0]);
    await new Promise((r) => setTimeout(r, 1200));
    expect(seen).toHaveLength(2);
  });

  it('with an expired or spoiled access token, the reconnect refreshes it through the AuthedClient', async () => {
    const d = await makeDevice(h, 'operator.press');
    cleanup.push(() => d.close());
    const s = (await d.sessions.get(d.user.id))!;
    await d.sessions.save({ ...s, accessToken: 'expired.token.value' });
    const seen: number[] = [];
    const live = poke(d, (n) => seen.push(n));
    live.start();
    await until(() => seen.length === 1);
    expect(live.connected).toBe(true);
    expect((await d.sessions.get(d.user.id))!.accessToken).not.toBe('expired.token.value');
  });

  it('reconnects with growing, jittered backoff while the server cannot be reached, and at once on kick()', async () => {
    const d = await makeDevice(h, 'operator.press');
    cleanup.push(() => d.close());
    d.network.offline = true;
    const waits: number[] = [];
    const live = poke(d, () => {}, {
      random: () => 1,
      setTimer: (fn, ms) => {
        waits.push(ms);
        return setTimeout(fn, 5); // run the waits fast, record what was asked
      },
    });
    live.start();
    await until(() => waits.length >= 4);
    expect(waits.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(live.backoff(20)).toBe(60_000);
    d.network.offline = false;
    const seen: number[] = [];
    (live as any).o.onChanged = (n: number) => seen.push(n);
    live.kick();
    await until(() => seen.length === 1);
    expect(live.failures).toBe(0);
  });

  it('the scheduler pulls on a poke, a burst of pokes is one pass, and the regular interval stays', async () => {
    const timers: { fn: () => void; ms: number }[] = [];
    let runs = 0;
    const s = new SyncScheduler({
      run: async () => { runs += 1; },
      setTimer: (fn, ms) => { const t = { fn, ms }; timers.push(t); return t; },
      clearTimer: (t) => { const i = timers.indexOf(t as any); if (i >= 0) timers.splice(i, 1); },
      now: () => 0,
    });
    s.start();
    timers.shift()!.fn(); // the start pass
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(1);
    expect(timers.map((t) => t.ms)).toEqual([30_000]);
    s.poke();
    s.poke();
    s.poke();
    expect(timers.map((t) => t.ms)).toEqual([50]);
    timers.shift()!.fn();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    expect(timers.map((t) => t.ms)).toEqual([30_000]); // the scheduled pull goes on as before
    s.stop();
  });
});
