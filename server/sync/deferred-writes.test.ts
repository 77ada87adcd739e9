// A push's mutations write to memory and the transaction writes it all at its end (deferred-writes.ts):
// until then, each later mutation must read rows as the earlier ones left them, the database's copy
// notwithstanding — by id, and by find() on a field a write changed.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { Counters, ServerStore, type SharedWrite } from './server-store';
import { DeferredWrites } from './deferred-writes';

const h = useHarness();

describe('deferred writes of a push transaction', () => {
  it('a later mutation finds a stage under the machine an earlier one moved it to, not the old one; a refused mutation leaves nothing; the end writes the rows', async () => {
    const stage = await h.deps.db.selectFrom('stages').selectAll().where('machineId', 'is not', null).executeTakeFirstOrThrow();
    const other = await h.deps.db.selectFrom('machines').selectAll().where('id', '!=', stage.machineId!).executeTakeFirstOrThrow();
    const admin = await h.deps.db.selectFrom('users').selectAll().where('username', '=', 'admin').executeTakeFirstOrThrow();
    const note = uuidv7();
    await h.deps.db.transaction().execute(async (trx) => {
      const shared: SharedWrite = { counters: new Counters(trx), log: [], rows: new Map(), found: new Map(), deferred: new DeferredWrites() };
      const now = new Date().toISOString();
      const store = () => new ServerStore(trx, admin.id, now, { shared });
      const ids = async (s: ServerStore, machineId: string) => (await s.find('stages', 'machineId', machineId)).map((r) => r.id);

      const first = store();
      await first.update('stages', stage.id, { machineId: other.id });
      first.settle();
      const refused = store(); // a mutation that wrote, then was refused: never settled
      await refused.insert('jobEvents', {
        id: note, stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'note', goodQty: 0, rejectQty: 0, downtimeReason: null, minutes: 0, note: 'refused', userId: admin.id, at: now,
      });
      const second = store();
      expect(await ids(second, stage.machineId!)).not.toContain(stage.id);
      expect(await ids(second, other.id)).toContain(stage.id);
      expect((await second.get('stages', stage.id))?.machineId).toBe(other.id);
      expect(await second.find('jobEvents', 'stageId', stage.id)).not.toContainEqual(expect.objectContaining({ id: note }));
      // Nothing is in the database before the end of the transaction.
      const stored = async () => (await trx.selectFrom('stages').select(['machineId', 'version']).where('id', '=', stage.id).executeTakeFirstOrThrow());
      expect((await stored()).machineId).toBe(stage.machineId);
      await shared.deferred!.flush(trx, (key) => shared.rows.get(key));
      expect(await stored()).toEqual({ machineId: other.id, version: stage.version + 1 });
    });
    expect(await h.deps.db.selectFrom('jobEvents').select('id').where('id', '=', note).executeTakeFirst()).toBeUndefined();
  });
});
