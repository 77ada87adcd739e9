// A push's closing writes reach MariaDB/MySQL in one query, and fail as they did one by one.
import { Connection } from 'mysql2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { insertRows, selectWhereIn } from './compiled';
import { inOneTrip, selectInOneTrip } from './one-trip';

const h = useHarness();

const entry = (seq: number) => ({ seq, tableName: 'stages', rowId: uuidv7(), evict: 0, at: new Date().toISOString() });
const seqs = async (from: number) => (await h.deps.db.selectFrom('changeLog').select('seq').where('seq', '>=', from).orderBy('seq').execute()).map((r) => Number(r.seq));

describe('closing writes in one trip', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes every statement, in one query on MySQL, again the second time (compiled shapes from the cache)', async () => {
    const sent = vi.spyOn(Connection.prototype, 'query');
    const base = 900_000_000;
    for (const round of [0, 1]) {
      const from = base + round * 10;
      await h.deps.db.transaction().execute(async (trx) => {
        const before = sent.mock.calls.length;
        await inOneTrip(trx, h.deps.dialect, async (db) => {
          await insertRows(db, 'changeLog', [entry(from + 1), entry(from + 2)]);
          await insertRows(db, 'changeLog', [entry(from + 3)]);
          await db.updateTable('counters').set({ value: 7 }).where('name', '=', 'no-such-counter').execute();
        });
        if (h.deps.dialect === 'mysql') expect(sent.mock.calls.length - before).toBe(1);
      });
      expect(await seqs(from)).toEqual([from + 1, from + 2, from + 3]);
    }
  });

  it('a statement the database refuses fails the trip with its own error, the later ones do not run, and the transaction leaves nothing', async () => {
    const from = 910_000_000;
    const taken = entry(from + 2);
    await insertRows(h.deps.db, 'changeLog', [taken]);
    const failed = await h.deps.db.transaction().execute(async (trx) => {
      await inOneTrip(trx, h.deps.dialect, async (db) => {
        await insertRows(db, 'changeLog', [entry(from + 1)]);
        await insertRows(db, 'changeLog', [{ ...entry(from + 2) }]); // the same seq: the key refuses it
        await insertRows(db, 'changeLog', [entry(from + 3)]);
      });
    }).then(() => null, (err: unknown) => err as { code?: string });
    expect(failed?.code).toMatch(/^(ER_DUP_ENTRY|SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE)$/);
    expect(await seqs(from)).toEqual([from + 2]);
  });

  it('reads several tables in one query on MySQL, each row as the handle reads it on its own (camelCase keys, the same values)', async () => {
    const stages = await h.deps.db.selectFrom('stages').select('id').limit(3).execute();
    const machines = await h.deps.db.selectFrom('machines').select('id').limit(2).execute();
    const reads = [
      (db: typeof h.deps.db) => selectWhereIn(db, 'stages', 'id', stages.map((r) => r.id), false),
      (db: typeof h.deps.db) => selectWhereIn(db, 'machines', 'id', machines.map((r) => r.id), false),
      (db: typeof h.deps.db) => selectWhereIn(db, 'orders', 'id', [uuidv7()], false), // none
      (db: typeof h.deps.db) => selectWhereIn(db, 'orders', 'id', [], false), // asks nothing
    ];
    const alone = [];
    for (const read of reads) alone.push(await read(h.deps.db));
    const sent = vi.spyOn(Connection.prototype, 'query');
    const together = await h.deps.db.transaction().execute(async (trx) => {
      const before = sent.mock.calls.length;
      const sets = await selectInOneTrip(trx, h.deps.dialect, reads);
      if (h.deps.dialect === 'mysql') expect(sent.mock.calls.length - before).toBe(1);
      return sets;
    });
    const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(together.map(byId)).toEqual(alone.map(byId));
    expect(together.map((rows) => rows.length)).toEqual([3, 2, 0, 0]);
    // One statement among them, or none: the same answers.
    expect(await h.deps.db.transaction().execute((trx) => selectInOneTrip(trx, h.deps.dialect, [reads[3], reads[1]]))).toEqual([[], alone[1]]);
    expect(await h.deps.db.transaction().execute((trx) => selectInOneTrip(trx, h.deps.dialect, [reads[3], reads[3]]))).toEqual([[], []]);
    expect(Object.keys(together[0][0])).toContain('orderItemId');
  });
});
