// Commit order equals cursor order: a device that keeps pulling while other devices push at the
// same time (several connections on MariaDB) never skips a change.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../sync/ids';
import { useHarness } from './setup/harness';

const h = useHarness();

describe('pull while others push', () => {
  it('a device that pulls continuously during concurrent pushes receives every row exactly as the server has it', async () => {
    const mgr = await h.login('manager');
    const ops = await Promise.all(['operator.press', 'supervisor.press', 'manager', 'admin'].map((u) => h.login(u)));
    const machine = await h.deps.db.selectFrom('machines').selectAll().where('code', '=', 'PRS-01').executeTakeFirstOrThrow();
    const defect = await h.deps.db.selectFrom('defectCodes').selectAll().executeTakeFirstOrThrow();
    const watcher = uuidv7();
    const seen = new Map<string, number>();
    let cursor: string | undefined;
    const pullOnce = async () => {
      const qs = new URLSearchParams({ clientId: watcher, limit: '25' });
      if (cursor) qs.set('cursor', cursor);
      const r = await h.call('GET', `/api/sync/pull?${qs}`, { token: mgr.accessToken });
      for (const c of r.body.changes) if (c.table === 'rejects' && c.op === 'upsert') seen.set(c.id, c.row.quantity);
      cursor = r.body.cursor;
      return r.body.hasMore as boolean;
    };
    while (await pullOnce());
    let done = false;
    const writers = ops.map(async (s) => {
      const clientId = uuidv7();
      for (let b = 0; b < 8; b++) {
        const mutations = Array.from({ length: 5 }, (_, i) => ({
          id: uuidv7(), seq: b * 5 + i + 1, name: 'reject.create', at: new Date().toISOString(),
          args: { id: uuidv7(), machineId: machine.id, defectCodeId: defect.id, quantity: b * 5 + i + 1 },
        }));
        const r = await h.call('POST', '/api/sync/push', { token: s.accessToken, body: { clientId, schemaVersion: 1, mutations } });
        expect(r.status).toBe(200);
      }
    });
    const reader = (async () => {
      while (!done) {
        await pullOnce();
        // A device's pulls come over the network, each a turn of the server's event loop; called
        // in-process on SQLite (no I/O anywhere, the access token already verified) the loop
        // would run on microtasks alone and never let the pushes' turns come.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(writers);
    done = true;
    await reader;
    while (await pullOnce());
    const rows = await h.deps.db.selectFrom('rejects').select(['id', 'quantity']).execute();
    expect(seen.size).toBe(rows.length);
    for (const r of rows) expect(seen.get(r.id as string)).toBe(Number(r.quantity));
  });
});
