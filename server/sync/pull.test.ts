import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { DEMO_USERS } from '../seed';
import { pruneChangeLog, snapshotChanges } from './sync.repository';
import { pageJson, RawChange } from './codec';
import { SYNCED_TABLES } from '../../sync/tables';
import { horizon } from '../../sync/window';
import type { KyselyPlugin } from 'kysely';
import { writeAudited } from './write';

const h = useHarness();

async function pullAll(token: string, clientId: string, cursor?: string, limit = 500) {
  const changes: any[] = [];
  let hasMore = true;
  let reset = false;
  let pages = 0;
  while (hasMore) {
    const qs = new URLSearchParams({ clientId, limit: String(limit) });
    if (cursor) qs.set('cursor', cursor);
    const r = await h.call('GET', `/api/sync/pull?${qs}`, { token });
    expect(r.status).toBe(200);
    changes.push(...r.body.changes);
    cursor = r.body.cursor;
    hasMore = r.body.hasMore;
    reset ||= r.body.reset;
    pages++;
  }
  return { changes, cursor: cursor!, reset, pages };
}

async function dept(code: string) {
  return (await h.deps.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id as string;
}

async function push(token: string, clientId: string, seq: number, name: string, args: unknown) {
  const r = await h.call('POST', '/api/sync/push', { token, body: { clientId, schemaVersion: 1, mutations: [{ id: uuidv7(), seq, name, args, at: new Date().toISOString() }] } });
  expect(r.status).toBe(200);
  return r.body.results[0];
}

describe('pull', () => {
  it('a Paint operator never receives a Press stage, reject or ticket', async () => {
    const paint = await h.login('operator.paint');
    const press = await dept('PRS');
    const { changes } = await pullAll(paint.accessToken, uuidv7());
    const work = changes.filter((c) => ['stages', 'rejects', 'maintenanceTickets', 'maintenanceEvents', 'jobEvents'].includes(c.table));
    expect(work.length).toBeGreaterThan(0);
    expect(work.filter((c) => c.row.departmentId === press)).toEqual([]);
    const orders = changes.filter((c) => c.table === 'orders');
    expect(orders.every((c) => c.row.departmentIds.includes(paint.user.departmentId))).toBe(true);
    // Master data is held whole, and users carry no secrets.
    const users = changes.filter((c) => c.table === 'users');
    expect(users.length).toBe(DEMO_USERS.length);
    expect(users.every((c) => !('passwordHash' in c.row) && !('seq' in c.row))).toBe(true);
  });

  it('a ticket moved from Press to Paint disappears from Press devices and appears on Paint devices at their next pull', async () => {
    const press = await h.login('operator.press');
    const paint = await h.login('operator.paint');
    const sup = await h.login('supervisor.press');
    const pressClient = uuidv7();
    const paintClient = uuidv7();
    const supClient = uuidv7();
    const pressMachine = await h.deps.db.selectFrom('machines').selectAll().where('code', '=', 'PRS-03').executeTakeFirstOrThrow();
    const created = await push(sup.accessToken, supClient, 1, 'maintenance.create', { id: uuidv7(), machineId: pressMachine.id, type: 'corrective', priority: 2, description: 'Guard sensor faulty' });
    const a = await pullAll(press.accessToken, pressClient);
    const b = await pullAll(paint.accessToken, paintClient);
    const ticket = a.changes.find((c) => c.id === created.entity.id)!.row;
    expect(b.changes.find((c) => c.id === ticket.id)).toBeUndefined();
    const paintMachine = b.changes.find((c) => c.table === 'machines' && c.row.departmentId === paint.user.departmentId)!.row;
    // A supervisor moves tickets only within their department; maintenance moves it across.
    const refused = await push(sup.accessToken, supClient, 2, 'maintenance.update', { id: ticket.id, base: { machineId: ticket.machineId }, changes: { machineId: paintMachine.id } });
    expect(refused).toMatchObject({ status: 'rejected', code: 'forbidden' });
    const tech = await h.login('technician');
    const res = await push(tech.accessToken, uuidv7(), 1, 'maintenance.update', { id: ticket.id, base: { machineId: ticket.machineId }, changes: { machineId: paintMachine.id } });
    expect(res.status).toBe('applied');
    // A later edit that does not touch scope must not hide the move from the Press device.
    const res2 = await push(sup.accessToken, supClient, 3, 'maintenance.update', { id: ticket.id, base: { priority: ticket.priority }, changes: { priority: 4 } });
    expect(res2.status).toBe('applied');
    const a2 = await pullAll(press.accessToken, pressClient, a.cursor);
    expect(a2.changes).toContainEqual({ table: 'maintenanceTickets', op: 'delete', id: ticket.id });
    const b2 = await pullAll(paint.accessToken, paintClient, b.cursor);
    expect(b2.changes.find((c) => c.id === ticket.id)).toMatchObject({ op: 'upsert', row: { departmentId: paint.user.departmentId, priority: 4 } });
    // Its history moves with it: the 'created' event leaves Press devices and reaches Paint ones.
    const raised = b2.changes.find((c) => c.table === 'maintenanceEvents' && c.row.ticketId === ticket.id && c.row.kind === 'created');
    expect(raised?.row.departmentId).toBe(paint.user.departmentId);
    expect(a2.changes).toContainEqual({ table: 'maintenanceEvents', op: 'delete', id: raised.id });
  });

  it('pages a snapshot with hasMore and then continues from the cursor with only new changes', async () => {
    const mgr = await h.login('manager');
    const clientId = uuidv7();
    const all = await pullAll(mgr.accessToken, clientId);
    const paged = await pullAll(mgr.accessToken, uuidv7(), undefined, 7);
    expect(paged.pages).toBeGreaterThan(3);
    expect(paged.changes.map((c) => c.id).sort()).toEqual(all.changes.map((c) => c.id).sort());
    const again = await pullAll(mgr.accessToken, clientId, all.cursor);
    expect(again.changes).toEqual([]);
    const ticket = all.changes.find((c) => c.table === 'maintenanceTickets')!;
    await push(mgr.accessToken, clientId, 1, 'maintenance.comment', { id: uuidv7(), ticketId: ticket.id, note: 'Parts ordered' });
    const next = await h.call('GET', `/api/sync/pull?clientId=${clientId}&cursor=${all.cursor}`, { token: mgr.accessToken });
    expect(next.body.lastSeq).toBe(1);
    expect(next.body.changes).toEqual([expect.objectContaining({ table: 'maintenanceEvents', op: 'upsert', row: expect.objectContaining({ note: 'Parts ordered' }) })]);
  });

  it('a tombstoned row comes as a delete', async () => {
    const mgr = await h.login('manager');
    const clientId = uuidv7();
    const first = await pullAll(mgr.accessToken, clientId);
    const reject = first.changes.find((c) => c.table === 'rejects')!;
    await writeAudited(h.deps.db, { actor: mgr.user, name: 'test.tombstone' }, async (s) => {
      await s.update('rejects', reject.id, { deletedAt: new Date().toISOString() });
      return { table: 'rejects', id: reject.id };
    });
    const next = await pullAll(mgr.accessToken, clientId, first.cursor);
    expect(next.changes).toEqual([{ table: 'rejects', op: 'delete', id: reject.id }]);
  });

  it('an unknown cursor, or one older than the change-log retention, answers reset with a snapshot', async () => {
    const mgr = await h.login('manager');
    const clientId = uuidv7();
    const first = await pullAll(mgr.accessToken, clientId);
    const garbage = await h.call('GET', `/api/sync/pull?clientId=${clientId}&cursor=nonsense`, { token: mgr.accessToken });
    expect(garbage.body.reset).toBe(true);
    expect(garbage.body.changes.length).toBeGreaterThan(0);
    const ticket = first.changes.find((c) => c.table === 'maintenanceTickets')!;
    await push(mgr.accessToken, clientId, 1, 'maintenance.comment', { id: uuidv7(), ticketId: ticket.id, note: 'x' });
    await pruneChangeLog(h.deps.db, new Date(Date.now() + 1000).toISOString());
    const stale = await h.call('GET', `/api/sync/pull?clientId=${clientId}&cursor=${first.cursor}`, { token: mgr.accessToken });
    expect(stale.body.reset).toBe(true);
  });

  it('refuses a bad limit, an unknown query field and another user\'s client id', async () => {
    const op = await h.login('operator.press');
    const mgr = await h.login('manager');
    const clientId = uuidv7();
    await push(op.accessToken, clientId, 1, 'maintenance.comment', { id: uuidv7(), ticketId: (await h.deps.db.selectFrom('maintenanceTickets').select('id').executeTakeFirstOrThrow()).id, note: 'x' });
    expect((await h.call('GET', `/api/sync/pull?clientId=${clientId}&limit=5000`, { token: op.accessToken })).body.error.code).toBe('validation_failed');
    expect((await h.call('GET', `/api/sync/pull?clientId=${clientId}&evil=1`, { token: op.accessToken })).body.error.code).toBe('validation_failed');
    const other = await h.call('GET', `/api/sync/pull?clientId=${clientId}`, { token: mgr.accessToken });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('client_not_owned');
  });

  it('a first pull leaves out work that closed before the sync window, with its children, and keeps the rest', async () => {
    const mgr = await h.login('manager');
    const old = new Date(Date.now() - 45 * 86_400_000).toISOString();
    const done = await h.deps.db.selectFrom('orders').selectAll().where('status', '=', 'completed').executeTakeFirstOrThrow();
    await h.deps.db.updateTable('orders').set({ updatedAt: old }).where('id', '=', done.id).execute();
    const [closedReject, openReject] = await h.deps.db.selectFrom('rejects').selectAll().limit(2).execute();
    await h.deps.db.updateTable('rejects').set({ status: 'closed', updatedAt: old }).where('id', '=', closedReject.id).execute();
    const { changes } = await pullAll(mgr.accessToken, uuidv7());
    const ids = new Set(changes.map((c) => c.id));
    expect(ids.has(done.id)).toBe(false);
    expect(changes.some((c) => c.table === 'stages' && c.row.orderId === done.id)).toBe(false);
    expect(changes.some((c) => c.table === 'orderItems' && c.row.orderId === done.id)).toBe(false);
    expect(ids.has(closedReject.id)).toBe(false);
    expect(ids.has(openReject.id)).toBe(true);
    expect(changes.filter((c) => c.table === 'orders').length).toBeGreaterThan(5);
  });

  it('a snapshot page read as arrays is, byte for byte, the JSON of the rows read as objects, for every table and scope', async () => {
    const db = h.deps.db;
    // Rows whose JSON is easy to get wrong: text to escape, a JSON field stored with spaces, a false flag.
    const stage = await db.selectFrom('stages').selectAll().executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await db.insertInto('jobEvents').values({ id: uuidv7(), version: 1, createdAt: now, updatedAt: now, updatedBy: null, deletedAt: null, seq: 0, stageId: stage.id, orderId: stage.orderId, departmentId: stage.departmentId, kind: 'note', goodQty: 0, rejectQty: 0, minutes: 0, note: 'Grüße – "Öl" \\ 🔧\nnext line\t<tab>', userId: stage.id, at: now }).execute();
    const product = await db.selectFrom('products').select(['id', 'routing']).executeTakeFirstOrThrow();
    await db.updateTable('products').set({ routing: ` ${String(product.routing).replace(/,/g, ' , ')} ` }).where('id', '=', product.id).execute();
    await db.updateTable('machines').set({ active: 0 }).where('id', '=', (await db.selectFrom('machines').select('id').executeTakeFirstOrThrow()).id).execute();
    // Any plugin besides the handle's own sends the query the usual way (rows as objects).
    const passThrough: KyselyPlugin = { transformQuery: (a) => a.node, transformResult: async (a) => a.result };
    const asObjects = db.withPlugin(passThrough);
    const since = horizon(new Date());
    for (const username of ['admin', 'operator.paint']) {
      const user = await db.selectFrom('users').select(['id', 'role', 'departmentId']).where('username', '=', username).executeTakeFirstOrThrow();
      for (const table of SYNCED_TABLES) {
        const fast = await snapshotChanges(db, table, user, '', 100_000, since);
        const slow = await snapshotChanges(asObjects, table, user, '', 100_000, since);
        expect(fast.every((c) => c instanceof RawChange), table).toBe(true);
        expect(slow.some((c) => c instanceof RawChange), table).toBe(false);
        expect(Buffer.from(pageJson({ changes: fast })).toString('utf8'), `${username} ${table}`).toBe(JSON.stringify({ changes: slow }));
      }
    }
    const users = await snapshotChanges(db, 'users', { id: 'x', role: 'admin', departmentId: null }, '', 1000, since);
    expect(users.length).toBeGreaterThan(3);
    expect(Buffer.from(pageJson({ changes: users })).toString('utf8')).not.toContain('passwordHash');
  });
});
