import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { expectCleanError, tokenFor, userByName } from '../../tests/setup/helpers';
import { writeAudit } from './audit';

const h = useHarness();
let admin: string;
beforeEach(async () => {
  admin = await tokenFor(h, 'admin');
});

const audit = async (qs: string, token = admin) => {
  const r = await h.call('GET', `/api/audit${qs}`, { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { total: number; page: number; pageSize: number; entries: any[] };
};

/** Audit rows at fixed times (oldest first), so that filters have something exact to find. */
async function history() {
  const alice = uuidv7();
  const bob = uuidv7();
  const machine = uuidv7();
  const rows = [
    { at: '2026-01-01T08:00:00.000Z', userId: alice, entity: 'machines', entityId: machine, mutationName: 'admin.machines.create' },
    { at: '2026-01-01T09:00:00.000Z', userId: bob, entity: 'machines', entityId: machine, mutationName: 'admin.machines.update' },
    { at: '2026-01-02T08:00:00.000Z', userId: alice, entity: 'products', entityId: uuidv7(), mutationName: 'admin.products.create' },
    { at: '2026-01-03T08:00:00.000Z', userId: bob, entity: 'machines', entityId: uuidv7(), mutationName: 'admin.machines.create' },
  ];
  for (const r of rows) await writeAudit(h.deps.db, { ...r, outcome: 'applied', before: null, after: { name: 'x' } });
  return { alice, bob, machine };
}

describe('GET /api/audit', () => {
  it('lists entries newest first with before and after as JSON', async () => {
    await history();
    const r = await audit('?entity=machines');
    expect(r.total).toBe(3);
    expect(r.entries.map((e) => e.at)).toEqual(['2026-01-03T08:00:00.000Z', '2026-01-01T09:00:00.000Z', '2026-01-01T08:00:00.000Z']);
    expect(r.entries[0].after).toEqual({ name: 'x' });
    expect(r.entries[0].before).toBeNull();
  });

  it('filters by entity and entity id together', async () => {
    const { machine } = await history();
    const r = await audit(`?entity=machines&entityId=${machine}`);
    expect(r.entries.map((e) => e.mutationName)).toEqual(['admin.machines.update', 'admin.machines.create']);
  });

  it('filters by user', async () => {
    const { alice } = await history();
    const r = await audit(`?userId=${alice}`);
    expect(r.total).toBe(2);
    expect(r.entries.every((e) => e.userId === alice)).toBe(true);
  });

  it('filters by a time range, both ends included, in any ISO-8601 offset', async () => {
    await history();
    const day1 = await audit('?from=2026-01-01T08:00:00.000Z&to=2026-01-01T09:00:00.000Z');
    expect(day1.entries.map((e) => e.at)).toEqual(['2026-01-01T09:00:00.000Z', '2026-01-01T08:00:00.000Z']);
    const since = await audit(`?from=${encodeURIComponent('2026-01-02T10:00:00+02:00')}`);
    expect(since.entries.map((e) => e.at)).toContain('2026-01-02T08:00:00.000Z');
    expect(since.entries.map((e) => e.at)).not.toContain('2026-01-01T09:00:00.000Z');
    expect((await audit('?to=2025-12-31T23:59:59.999Z')).total).toBe(0);
  });

  it('pages through the entries without losing or repeating one', async () => {
    const user = uuidv7();
    for (let i = 0; i < 7; i++) await writeAudit(h.deps.db, { at: `2026-02-01T00:00:0${i}.000Z`, userId: user, mutationName: 'test.page', outcome: 'applied' });
    const pages = [await audit(`?userId=${user}&pageSize=3`), await audit(`?userId=${user}&pageSize=3&page=2`), await audit(`?userId=${user}&pageSize=3&page=3`)];
    expect(pages.map((p) => p.entries.length)).toEqual([3, 3, 1]);
    expect(pages.every((p) => p.total === 7 && p.pageSize === 3)).toBe(true);
    const ats = pages.flatMap((p) => p.entries.map((e) => e.at));
    expect(new Set(ats).size).toBe(7);
    expect(ats).toEqual([...ats].sort().reverse());
    expect((await audit(`?userId=${user}&pageSize=3&page=4`)).entries).toEqual([]);
  });

  it('shows the admin changes made through the API, with who made them', async () => {
    const dept = (await h.deps.db.selectFrom('departments').select('id').where('code', '=', 'PRS').executeTakeFirstOrThrow()).id;
    const created = await h.call('POST', '/api/admin/machines', { token: admin, body: { code: 'AUD-1', name: 'Audited', departmentId: dept } });
    await h.call('PATCH', `/api/admin/machines/${created.body.item.id}`, { token: admin, body: { name: 'Audited twice' } });
    const r = await audit(`?entity=machines&entityId=${created.body.item.id}`, await tokenFor(h, 'manager'));
    const adminUser = await userByName(h, 'admin');
    expect(r.entries.map((e) => [e.mutationName, e.userId, e.username])).toEqual([
      ['admin.machines.update', adminUser.id, 'admin'],
      ['admin.machines.create', adminUser.id, 'admin'],
    ]);
    expect(r.entries[0]).toMatchObject({ before: { name: 'Audited' }, after: { name: 'Audited twice' } });
  });

  it('refuses bad filters with 400 naming the field', async () => {
    for (const [qs, field] of [
      ['?from=yesterday', 'from'], ['?to=2026-13-45', 'to'], ['?from=2026-02-31T00:00:00Z', 'from'], ['?page=0', 'page'], ['?pageSize=1000', 'pageSize'],
      ['?pageSize=ten', 'pageSize'], ['?entityId=' + 'x'.repeat(100), 'entityId'], ['?action=delete', 'action'],
    ]) {
      const r = await h.call('GET', `/api/audit${qs}`, { token: admin });
      expect(r.status, qs).toBe(400);
      expectCleanError(r.body, 'validation_failed');
      expect(r.body.error.details.map((d: any) => d.field)).toContain(field);
    }
  });
});

describe('the audit log is append-only', () => {
  it('has no route that changes or deletes an entry: every attempt is 404 and the rows stay as they were', async () => {
    await history();
    const snapshot = async () => h.deps.db.selectFrom('auditLog').selectAll().orderBy('id').execute();
    const before = await snapshot();
    const id = before[0].id;
    const attempts: [string, string][] = [];
    for (const method of ['PUT', 'PATCH', 'DELETE']) attempts.push([method, '/api/audit'], [method, `/api/audit/${id}`]);
    attempts.push(['POST', '/api/audit'], ['POST', `/api/audit/${id}`], ['GET', `/api/audit/${id}/delete`]);
    for (const [method, path] of attempts) {
      const r = await h.call(method, path, { token: admin, body: method === 'GET' ? undefined : { outcome: 'rejected', before: null } });
      expect(r.status, `${method} ${path}`).toBe(404);
      expectCleanError(r.body, 'not_found');
    }
    expect(await snapshot()).toEqual(before);
  });
});
