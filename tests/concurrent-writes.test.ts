// Concurrent pushes from many devices to the same rows (several connections on MariaDB) lose nothing:
// every increment counts and every write gets its own version.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../sync/ids';
import { useHarness } from './setup/harness';

const h = useHarness();

describe('concurrent writes', () => {
  it('progress pushed at the same moment by eight devices on one stage all counts, and versions never repeat', async () => {
    const users = ['operator.press', 'supervisor.press', 'manager', 'admin'];
    const tokens = await Promise.all(users.map((u) => h.login(u)));
    const stage = await h.deps.db.selectFrom('stages').selectAll().where('status', '=', 'running').executeTakeFirstOrThrow();
    const defect = await h.deps.db.selectFrom('defectCodes').select('id').executeTakeFirstOrThrow();
    const devices = Array.from({ length: 8 }, (_, i) => ({ token: tokens[i % tokens.length].accessToken, clientId: uuidv7() }));
    const ROUNDS = 6;
    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all(devices.map((d) => h.call('POST', '/api/sync/push', {
        token: d.token,
        body: { clientId: d.clientId, schemaVersion: 1, mutations: [{ id: uuidv7(), seq: round, name: 'job.progress', at: new Date().toISOString(), args: { id: uuidv7(), stageId: stage.id, goodQty: 3, rejectQty: 1, reject: { id: uuidv7(), defectCodeId: defect.id } } }] },
      }).then((r) => expect(r.body.results?.[0]?.status, JSON.stringify(r.body)).toBe('applied'))));
    }
    const after = await h.deps.db.selectFrom('stages').selectAll().where('id', '=', stage.id).executeTakeFirstOrThrow();
    expect(Number(after.goodQty)).toBe(Number(stage.goodQty) + 3 * 8 * ROUNDS);
    expect(Number(after.rejectQty)).toBe(Number(stage.rejectQty) + 8 * ROUNDS);
    expect(Number(after.version)).toBe(Number(stage.version) + 8 * ROUNDS);
    const audits = await h.deps.db.selectFrom('auditLog').select('resultVersion').where('mutationName', '=', 'job.progress').execute();
    expect(audits).toHaveLength(8 * ROUNDS);
  });
});
