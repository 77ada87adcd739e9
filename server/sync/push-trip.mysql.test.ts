// On MariaDB a push's closing writes go in one multi-statement query (server/db/one-trip.ts). When
// the database fails that query for a moment (here a deadlock, raised once by a trigger; no plugin,
// so the real path runs), the transaction is tried again and every mutation lands exactly once.
// MariaDB suite only: SQLite sends its statements one by one.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { byName } from '../db/db';

const h = useHarness();
const mutation = (seq: number, name: string, args: Record<string, unknown>) => ({ id: uuidv7(), seq, name, args, at: new Date().toISOString() });

describe('push on MariaDB, closing writes in one query', () => {
  it('a deadlock in the closing query tries the transaction again: every mutation applied once, one audit entry and one stored result each', async () => {
    const op = await h.login('operator.press');
    const stage = await byName(h.deps.db).selectFrom('stages').selectAll().where('status', '=', 'running').executeTakeFirstOrThrow();
    // MyISAM: the count survives the rollback of the statement that fired the trigger.
    await sql`CREATE TABLE fail_once (n INT NOT NULL) ENGINE=MyISAM`.execute(h.deps.db);
    await sql`INSERT INTO fail_once VALUES (1)`.execute(h.deps.db);
    await sql.raw(`CREATE TRIGGER deadlock_once BEFORE INSERT ON job_events FOR EACH ROW BEGIN
      IF (SELECT n FROM fail_once) > 0 THEN
        UPDATE fail_once SET n = n - 1;
        SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock (test)';
      END IF;
    END`).execute(h.deps.db);
    const ms = Array.from({ length: 5 }, (_, i) => mutation(i + 1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0, confirmOverPlan: true, note: `try ${i}` }));
    const clientId = uuidv7();
    let r;
    try {
      r = await h.call('POST', '/api/sync/push', { token: op.accessToken, body: { clientId, schemaVersion: 1, mutations: ms } });
      expect(Number(((await sql<{ n: number }>`SELECT n FROM fail_once`.execute(h.deps.db)).rows[0]).n)).toBe(0); // it did fire
    } finally {
      await sql`DROP TRIGGER IF EXISTS deadlock_once`.execute(h.deps.db);
      await sql`DROP TABLE IF EXISTS fail_once`.execute(h.deps.db);
    }
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(r.body.lastSeq).toBe(5);
    const after = await byName(h.deps.db).selectFrom('stages').selectAll().where('id', '=', stage.id).executeTakeFirstOrThrow();
    expect(Number(after.goodQty)).toBe(Number(stage.goodQty) + 5);
    const ids = ms.map((m) => m.id);
    expect(await h.deps.db.selectFrom('auditLog').select('mutationId').where('mutationId', 'in', ids).execute()).toHaveLength(5);
    expect(await h.deps.db.selectFrom('syncMutations').select('seq').where('clientId', '=', clientId).execute()).toHaveLength(5);
    expect(await h.deps.db.selectFrom('jobEvents').select('id').where('id', 'in', ms.map((m) => (m.args as any).id)).execute()).toHaveLength(5);
  });
});
