// A push handles its mutations in transactions of up to mutationsPerTransaction(), each mutation's
// writes kept in memory until it is applied and all written at the end: what a device notices is the
// same as one transaction per mutation — each mutation all or nothing, a later one sees the earlier
// ones, and a transaction the database fails leaves nothing half-written: the resend applies every
// mutation exactly once.
import { sql, type KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { byName } from '../db/db';
import { mutationsPerTransaction } from './push';

const h = useHarness();

async function firstRow(table: string, where: Record<string, unknown> = {}) {
  let q = byName(h.deps.db).selectFrom(table).selectAll();
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  return q.executeTakeFirstOrThrow();
}

const mutation = (seq: number, name: string, args: Record<string, unknown>) => ({ id: uuidv7(), seq, name, args, at: new Date().toISOString() });
const push = (token: string, clientId: string, mutations: unknown[]) => h.call('POST', '/api/sync/push', { token, body: { clientId, schemaVersion: 1, mutations } });

async function auditCount(ids: string[]) {
  const rows = await h.deps.db.selectFrom('auditLog').select('mutationId').where('mutationId', 'in', ids).execute();
  return rows.length;
}

/** Fails the next `times` inserts of stored results (after letting `pass` through) as a busy database would. */
function failStoredResults(pass: number, times: number): KyselyPlugin {
  let seen = 0;
  return {
    transformQuery(args) {
      const node = args.node as { kind: string; into?: { table?: { identifier?: { name?: string } } } };
      if (node.kind === 'InsertQueryNode' && /sync_?mutations/i.test(node.into?.table?.identifier?.name ?? '')) {
        seen += 1;
        if (seen > pass && seen <= pass + times) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

/** Fails every insert into job_events that carries `marker` in a value, as a column too short for it would. */
function refuseMarked(marker: string): KyselyPlugin {
  return {
    transformQuery(args) {
      const node = args.node as { kind: string; into?: { table?: { identifier?: { name?: string } } }; values?: unknown };
      if (node.kind === 'InsertQueryNode' && /job_?events/i.test(node.into?.table?.identifier?.name ?? '') && JSON.stringify(node.values).includes(marker)) {
        throw Object.assign(new Error(`Data too long for column 'note'`), { code: 'ER_DATA_TOO_LONG', errno: 1406 });
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

describe('push in batched transactions', () => {
  it('a mutation sees what the earlier ones of its push wrote: a second NCR for the same reject is refused', async () => {
    const taken = (await h.deps.db.selectFrom('ncrReports').select('sourceId').execute()).map((n) => n.sourceId);
    let q = h.deps.db.selectFrom('rejects').selectAll();
    if (taken.length) q = q.where('id', 'not in', taken);
    const reject = await q.executeTakeFirstOrThrow();
    const admin = await h.login('admin');
    const ncr = () => ({ id: uuidv7(), sourceType: 'reject', sourceId: reject.id });
    const r = await push(admin.accessToken, uuidv7(), [mutation(1, 'ncr.create', ncr()), mutation(2, 'ncr.create', ncr())]);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'rejected']);
    expect(r.body.results[1].message).toMatch(/already has an NCR/);
    expect(await h.deps.db.selectFrom('ncrReports').select('id').where('sourceId', '=', reject.id).execute()).toHaveLength(1);
  });

  it('an order refused after its number was drawn gives the number back: the next order, in the same push or a later one, has the next number', async () => {
    const admin = await h.login('admin');
    const product = await firstRow('products');
    const dept = await firstRow('departments', { code: 'PRS' });
    const clientId = uuidv7();
    const numberOf = async (id: string) => Number(String((await firstRow('orders', { id })).number).split('-')[1]);
    const stage = (id: string, name: string) => ({ id, name, departmentId: dept.id, plannedMinutes: 5 });
    // The same new stage id twice: refused when the second stage is written, after the order's number was drawn.
    const twice = () => { const id = uuidv7(); return { id: uuidv7(), customerName: 'Twice', dueDate: '2030-01-01', items: [{ id: uuidv7(), productId: product.id, quantity: 5, stages: [stage(id, 'A'), stage(id, 'B')] }] }; };
    const good = () => ({ id: uuidv7(), customerName: 'Good', dueDate: '2030-01-01', items: [{ id: uuidv7(), productId: product.id, quantity: 5, stages: [stage(uuidv7(), 'A')] }] });
    const first = good();
    const second = good();
    const one = await push(admin.accessToken, clientId, [mutation(1, 'order.create', first), mutation(2, 'order.create', twice()), mutation(3, 'order.create', second)]);
    expect(one.body.results.map((x: any) => x.code ?? x.status)).toEqual(['applied', 'already_exists', 'applied']);
    expect(await numberOf(second.id)).toBe((await numberOf(first.id)) + 1);
    // A push whose only order is refused leaves the counter as it was.
    const alone = await push(admin.accessToken, clientId, [mutation(4, 'order.create', twice())]);
    expect(alone.body.results[0].code).toBe('already_exists');
    const third = good();
    await push(admin.accessToken, clientId, [mutation(5, 'order.create', third)]);
    expect(await numberOf(third.id)).toBe((await numberOf(second.id)) + 1);
  });

  it('a row the database refuses at the end of a batched transaction costs only its own mutation: the push goes one at a time and the others apply once', async () => {
    const op = await h.login('operator.press');
    const stage = await firstRow('stages', { status: 'running' });
    const ms = Array.from({ length: 5 }, (_, i) => mutation(i + 1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0, confirmOverPlan: true, note: i === 2 ? 'MARK-too-long' : 'fine' }));
    const db = h.deps.db;
    h.deps.db = db.withPlugin(refuseMarked('MARK-too-long'));
    let r;
    try {
      r = await push(op.accessToken, uuidv7(), ms);
    } finally {
      h.deps.db = db;
    }
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'applied', 'rejected', 'applied', 'applied']);
    expect(r.body.results[2].code).toBe('validation_failed');
    const after = await firstRow('stages', { id: stage.id });
    expect(Number(after.goodQty)).toBe(Number(stage.goodQty) + 4);
    expect(Number(after.version)).toBe(Number(stage.version) + 4);
    expect(await auditCount(ms.map((m) => m.id))).toBe(5);
  });

  it('a row a database trigger refuses at the end (no plugin: on MySQL the closing writes go in one query) costs only its own mutation', async () => {
    const op = await h.login('operator.press');
    const stage = await firstRow('stages', { status: 'running' });
    const marker = 'MARK-trigger';
    await sql.raw(h.deps.dialect === 'mysql'
      ? `CREATE TRIGGER refuse_marked BEFORE INSERT ON job_events FOR EACH ROW BEGIN IF NEW.note = '${marker}' THEN SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = 'refused by trigger'; END IF; END`
      : `CREATE TRIGGER refuse_marked BEFORE INSERT ON job_events WHEN NEW.note = '${marker}' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END`).execute(h.deps.db);
    let r;
    const ms = Array.from({ length: 5 }, (_, i) => mutation(i + 1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0, confirmOverPlan: true, note: i === 1 ? marker : 'fine' }));
    try {
      r = await push(op.accessToken, uuidv7(), ms);
    } finally {
      await sql.raw('DROP TRIGGER refuse_marked').execute(h.deps.db);
    }
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'rejected', 'applied', 'applied', 'applied']);
    const after = await firstRow('stages', { id: stage.id });
    expect(Number(after.goodQty)).toBe(Number(stage.goodQty) + 4);
    expect(Number(after.version)).toBe(Number(stage.version) + 4);
    expect(await h.deps.db.selectFrom('jobEvents').select('id').where('id', '=', (ms[1].args as any).id).executeTakeFirst()).toBeUndefined();
    expect(await auditCount(ms.map((m) => m.id))).toBe(5);
  });

  it('two progress entries on one stage in one push both count, and a refused one between them writes nothing', async () => {
    const op = await h.login('operator.press');
    const stage = await firstRow('stages', { status: 'running' });
    const events = async () => (await h.deps.db.selectFrom('jobEvents').select('id').where('stageId', '=', stage.id).execute()).length;
    const before = await events();
    const refused = mutation(2, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 2 }); // rejected parts need a defect code
    const ms = [mutation(1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 2, rejectQty: 0 }), refused, mutation(3, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 3, rejectQty: 0 })];
    const r = await push(op.accessToken, uuidv7(), ms);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'rejected', 'applied']);
    const after = await firstRow('stages', { id: stage.id });
    expect(Number(after.goodQty)).toBe(Number(stage.goodQty) + 5);
    expect(Number(after.version)).toBe(Number(stage.version) + 2);
    expect(await events()).toBe(before + 2);
    expect(await h.deps.db.selectFrom('jobEvents').select('id').where('id', '=', (refused.args as any).id).executeTakeFirst()).toBeUndefined();
    expect(await auditCount(ms.map((m) => m.id))).toBe(3);
  });

  it('a create whose id an earlier mutation of the same push took is refused as already_exists', async () => {
    const op = await h.login('operator.press');
    const machine = await firstRow('machines', { code: 'PRS-01' });
    const defect = await firstRow('defectCodes', { code: 'BURR' });
    const id = uuidv7();
    const r = await push(op.accessToken, uuidv7(), [
      mutation(1, 'reject.create', { id, machineId: machine.id, defectCodeId: defect.id, quantity: 1 }),
      mutation(2, 'reject.create', { id, machineId: machine.id, defectCodeId: defect.id, quantity: 2 }),
    ]);
    expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'rejected']);
    expect(r.body.results[1].code).toBe('already_exists');
    expect(Number((await firstRow('rejects', { id })).quantity)).toBe(1);
  });

  it(`a push of two transactions' worth and 20 more whose second transaction the database fails answers 503 with the first part, and the resend counts every mutation once`, async () => {
    const op = await h.login('operator.press');
    const stage = await firstRow('stages', { status: 'running' });
    const clientId = uuidv7();
    const MUTATIONS_PER_TRANSACTION = mutationsPerTransaction(h.deps.dialect);
    const n = MUTATIONS_PER_TRANSACTION * 2 + 20;
    const ms = Array.from({ length: n }, (_, i) => mutation(i + 1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0, confirmOverPlan: true }));
    const db = h.deps.db;
    h.deps.db = db.withPlugin(failStoredResults(1, 3)); // the first part commits, the second fails on each of its 3 tries
    let stopped;
    try {
      stopped = await push(op.accessToken, clientId, ms);
    } finally {
      h.deps.db = db;
    }
    expect(stopped.status).toBe(503);
    expect(stopped.body.error.details[0].lastSeq).toBe(MUTATIONS_PER_TRANSACTION);
    expect(stopped.body.error.details[0].results).toHaveLength(MUTATIONS_PER_TRANSACTION);
    expect(Number((await firstRow('stages', { id: stage.id })).goodQty)).toBe(Number(stage.goodQty) + MUTATIONS_PER_TRANSACTION);

    const again = await push(op.accessToken, clientId, ms);
    expect(again.status).toBe(200);
    expect(again.body.lastSeq).toBe(n);
    expect(again.body.results.slice(0, MUTATIONS_PER_TRANSACTION)).toEqual(stopped.body.error.details[0].results);
    expect(again.body.results.every((x: any) => x.status === 'applied')).toBe(true);
    const after = await firstRow('stages', { id: stage.id });
    expect(Number(after.goodQty)).toBe(Number(stage.goodQty) + n);
    expect(Number(after.version)).toBe(Number(stage.version) + n);
    expect(await auditCount(ms.map((m) => m.id))).toBe(n);
    // And once more: all replays, nothing written.
    const third = await push(op.accessToken, clientId, ms);
    expect(third.body.results).toEqual(again.body.results);
    expect(Number((await firstRow('stages', { id: stage.id })).goodQty)).toBe(Number(stage.goodQty) + n);
    expect(await auditCount(ms.map((m) => m.id))).toBe(n);
  });

  it('a database failure that a retry cures is retried inside the push: the device gets a 200', async () => {
    const op = await h.login('operator.press');
    const stage = await firstRow('stages', { status: 'running' });
    const ms = Array.from({ length: 3 }, (_, i) => mutation(i + 1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0, confirmOverPlan: true }));
    const db = h.deps.db;
    h.deps.db = db.withPlugin(failStoredResults(0, 2));
    try {
      const r = await push(op.accessToken, uuidv7(), ms);
      expect(r.status).toBe(200);
      expect(r.body.results.map((x: any) => x.status)).toEqual(['applied', 'applied', 'applied']);
    } finally {
      h.deps.db = db;
    }
    expect(Number((await firstRow('stages', { id: stage.id })).goodQty)).toBe(Number(stage.goodQty) + 3);
    expect(await auditCount(ms.map((m) => m.id))).toBe(3);
  });
});
