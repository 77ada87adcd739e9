// The poke (GET /api/sync/events): a "changed" message with the latest sequence when the change log
// advances, seen by every process (a write through another app on the same database), one watcher
// read a second however many listen, heartbeats, and the end of the stream when the token expires.
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { tokenFor } from '../../tests/setup/helpers';
import { createApp } from '../app';
import { openDatabase } from '../db/db';
import { issueAccessToken, ACCESS_TOKEN_SECONDS } from '../auth/tokens';
import { readCounter } from './sync.repository';
import { eventStream, openSseConnections, SequenceWatcher, watcherOf } from './events';

const h = useHarness();

/** Reads SSE messages from a response as they arrive. */
function reader(res: Response) {
  const r = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const messages: { event: string; data: string; comment?: string }[] = [];
  let done = false;
  const pump = (async () => {
    for (;;) {
      const { value, done: d } = await r.read().catch(() => ({ value: undefined, done: true }));
      if (d) break;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m = { event: 'message', data: '', comment: undefined as string | undefined };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) m.comment = line.slice(1).trim();
          else if (line.startsWith('event: ')) m.event = line.slice(7);
          else if (line.startsWith('data: ')) m.data += line.slice(6);
        }
        messages.push(m);
      }
    }
    done = true;
  })();
  return {
    messages,
    get done() { return done; },
    changed: () => messages.filter((m) => m.event === 'changed').map((m) => JSON.parse(m.data).seq as number),
    cancel: async () => { await r.cancel().catch(() => {}); await pump; },
    ended: () => pump,
  };
}

async function until(test: () => boolean, ms = 4000) {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function openStream(token: string, app = h.app) {
  const res = await app.request('/api/sync/events', { headers: { authorization: `Bearer ${token}` } });
  return { res, s: res.status === 200 ? reader(res) : null };
}

async function pushReject(token: string, app = h.app) {
  const machine = await h.deps.db.selectFrom('machines').select('id').where('code', '=', 'PRS-01').executeTakeFirstOrThrow();
  const defect = await h.deps.db.selectFrom('defectCodes').select('id').where('code', '=', 'BURR').executeTakeFirstOrThrow();
  const res = await app.request('/api/sync/push', {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: uuidv7(), schemaVersion: 1, mutations: [{ id: uuidv7(), seq: 1, name: 'reject.create', args: { id: uuidv7(), machineId: machine.id, defectCodeId: defect.id, quantity: 2 }, at: new Date().toISOString() }] }),
  });
  expect((await res.json()).results[0].status).toBe('applied');
}

const open: { cancel(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.cancel();
});

describe('GET /api/sync/events', () => {
  it('needs an access token in the Authorization header', async () => {
    const res = await h.app.request('/api/sync/events');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthenticated');
  });

  it('sends the current sequence first, then "changed" with only the new sequence when the change log advances', async () => {
    const token = await tokenFor(h, 'operator.press');
    const { res, s } = await openStream(token);
    open.push(s!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const start = await readCounter(h.deps.db, 'sync');
    await until(() => s!.changed().length === 1);
    expect(s!.changed()).toEqual([start]);
    await pushReject(token);
    const after = await readCounter(h.deps.db, 'sync');
    expect(after).toBeGreaterThan(start);
    const t0 = Date.now();
    await until(() => s!.changed().length === 2);
    expect(Date.now() - t0).toBeLessThan(1500); // one watcher tick
    expect(s!.changed()).toEqual([start, after]);
    // Tiny: the sequence and nothing else.
    expect(s!.messages.find((m) => m.event === 'changed')!.data).toBe(`{"seq":${start}}`);
  });

  it('sees a write made through another server process on the same database (no in-process fan-out)', async () => {
    // A second process: its own database handle and its own app, as behind a load balancer.
    const other = openDatabase(h.url);
    try {
      const app2 = createApp({ ...h.deps, db: other.db });
      const token = await tokenFor(h, 'supervisor.press');
      const { s } = await openStream(token);
      open.push(s!);
      await until(() => s!.changed().length === 1);
      await pushReject(await tokenFor(h, 'operator.press'), app2);
      await until(() => s!.changed().length === 2);
      expect(s!.changed()[1]).toBe(await readCounter(h.deps.db, 'sync'));
    } finally {
      await other.close();
    }
  });

  it('one watcher per process reads the sequence at most once a second for all its listeners, and only while someone listens', async () => {
    const tokens = await Promise.all(['operator.press', 'supervisor.press', 'manager', 'technician'].map((u) => tokenFor(h, u)));
    const before = openSseConnections();
    const streams: ReturnType<typeof reader>[] = [];
    for (const t of tokens) {
      const { s } = await openStream(t);
      open.push(s!);
      streams.push(s!);
    }
    expect(openSseConnections()).toBe(before + 4);
    const w = watcherOf(h.deps.db)!;
    expect(w.size).toBe(4);
    await until(() => streams.every((s) => s.changed().length === 1));
    const reads0 = w.reads;
    await new Promise((r) => setTimeout(r, 2600));
    expect(w.reads - reads0).toBeGreaterThanOrEqual(2);
    expect(w.reads - reads0).toBeLessThanOrEqual(3); // 4 listeners, one read a second
    for (const s of open.splice(0)) await s.cancel();
    await until(() => openSseConnections() === before);
    expect(w.size).toBe(0);
    const reads1 = w.reads;
    await new Promise((r) => setTimeout(r, 1300));
    expect(w.reads).toBe(reads1); // nobody listens: no query
  });

  it('ends the stream when the access token expires, so the device refreshes and reconnects', async () => {
    const u = await h.deps.db.selectFrom('users').selectAll().where('username', '=', 'operator.press').executeTakeFirstOrThrow();
    const { issueSession } = await import('../auth/sessions');
    const session = await issueSession(h.deps, { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentId: u.departmentId }, uuidv7(), new Date());
    // The same session's token, issued so that it has one second left.
    const claims = JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url').toString());
    const almost = await issueAccessToken(h.deps.env.JWT_SECRET, { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentId: u.departmentId }, claims.sid, Math.floor(Date.now() / 1000) - ACCESS_TOKEN_SECONDS + 1);
    const { res, s } = await openStream(almost);
    expect(res.status).toBe(200);
    const t0 = Date.now();
    await s!.ended();
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(s!.messages.some((m) => m.event === 'expired')).toBe(true);
  });

  it('sends a heartbeat comment so proxies keep an idle stream open', async () => {
    const res = eventStream(h.deps.db, () => {}, { endsAt: Date.now() + 10_000, heartbeatMs: 100 });
    const s = reader(res);
    open.push(s);
    await until(() => s.messages.filter((m) => m.comment === 'keep-alive').length >= 2, 2000);
  });
});

describe('SequenceWatcher', () => {
  it('tells listeners only when the sequence moves, and keeps going when a read fails', async () => {
    let seq = 5;
    let fail = false;
    const errors: unknown[] = [];
    const w = new SequenceWatcher(async () => {
      if (fail) throw new Error('db away');
      return seq;
    }, 20, (e) => errors.push(e));
    const got: number[] = [];
    const off = w.subscribe((n) => got.push(n));
    await until(() => got.length === 1);
    await new Promise((r) => setTimeout(r, 80));
    expect(got).toEqual([5]);
    fail = true;
    await until(() => errors.length > 0);
    seq = 7;
    fail = false;
    await until(() => got.length === 2);
    expect(got).toEqual([5, 7]);
    // A late listener gets the known sequence at once.
    const late: number[] = [];
    const off2 = w.subscribe((n) => late.push(n));
    expect(late).toEqual([7]);
    off();
    off2();
    expect(w.size).toBe(0);
  });

  it('a listener who comes back while the last read of a stopped period is under way does not start a second loop', async () => {
    const releases: ((n: number) => void)[] = [];
    const w = new SequenceWatcher(() => new Promise<number>((ok) => releases.push(ok)), 30);
    const off = w.subscribe(() => {});
    await until(() => releases.length === 1);
    off(); // stopped while its read is under way
    const got: number[] = [];
    const off2 = w.subscribe((n) => got.push(n));
    await until(() => releases.length === 2); // the new period's own read
    releases[0](1); // the old read answers late
    await new Promise((r) => setTimeout(r, 100));
    expect(releases).toHaveLength(2); // it scheduled no read of its own
    expect(got).toEqual([]); // and told nobody
    releases[1](2);
    await until(() => got.length === 1);
    expect(got).toEqual([2]);
    off2();
  });
});
