// CSV exports (GET /api/<list>/export.csv): UTF-8 with BOM, formula-injection safe, the screen's
// filters and the user's department scope, and a 50 000-row export that streams (the first chunk
// leaves after one database page, not after all of them). On SQLite and MariaDB.
import { describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { uuidv7 } from '../../sync/ids';
import { canSee } from '../../sync/tables';
import { addDays, mondayOf } from '../../sync/kpi';
import { useHarness } from '../../tests/setup/harness';
import { tokenFor } from '../../tests/setup/helpers';
import { parseUpload } from '../import/import.parse';
import { createApp } from '../app';
import { byName } from '../db/db';

const h = useHarness();

async function csv(path: string, username: string, app = h.app) {
  const res = await app.request(path, { headers: { authorization: `Bearer ${await tokenFor(h, username)}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = Buffer.from(bytes).toString('utf8');
  if (res.status !== 200) return { res, text, rows: [] as string[][], header: [] as string[] };
  if (text.split('\r\n').filter(Boolean).length === 1) return { res, text, bytes, header: text.slice(1).split('\r\n')[0].split(','), rows: [] as string[][] };
  const parsed = await parseUpload('x.csv', bytes);
  return { res, text, bytes, header: parsed.headers, rows: parsed.rows.map((r) => r.cells.map((c) => String(c ?? ''))) };
}

const col = (c: { header: string[]; rows: string[][] }, name: string) => c.rows.map((r) => r[c.header.indexOf(name)]);

describe('CSV exports', () => {
  it('orders: a download with a BOM, the screen\'s filter chips and search, numbers of the seed as they are', async () => {
    const all = await csv('/api/orders/export.csv?show=All', 'manager');
    expect(all.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(all.res.headers.get('content-disposition')).toMatch(/^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...all.bytes!.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(all.header.slice(0, 4)).toEqual(['Number', 'Customer', 'External ref', 'Status']);
    expect(all.rows).toHaveLength(13); // the dozen of server/seed.ts and the draft planned ahead by server/dashboard/dashboard.seed.ts
    // Sorted by due date, as the screen.
    const due = col(all, 'Due date');
    expect(due).toEqual([...due].sort());
    const open = await csv('/api/orders/export.csv', 'manager'); // the screen's default chip: Open
    expect(col(open, 'Status').every((s) => !['completed', 'cancelled'].includes(s))).toBe(true);
    expect(open.rows).toHaveLength(11);
    const late = await csv('/api/orders/export.csv?show=Late', 'manager');
    expect(col(late, 'Customer')).toEqual(['Alfa Laval']);
    expect(col(late, 'Late')).toEqual(['yes']);
    // "Due this week" (the dashboard tile's list): open orders due Monday to Sunday of the day sent.
    const today = new Date().toISOString().slice(0, 10);
    const [mon, sun] = [mondayOf(today), addDays(mondayOf(today), 6)];
    const dueWeek = await csv(`/api/orders/export.csv?show=Due%20this%20week&today=${today}`, 'manager');
    const [iStatus, iDue, iNumber] = ['Status', 'Due date', 'Number'].map((n) => all.header.indexOf(n));
    const expected = all.rows.filter((r) => !['completed', 'cancelled'].includes(r[iStatus]) && r[iDue] >= mon && r[iDue] <= sun).map((r) => r[iNumber]);
    expect(dueWeek.rows.map((r) => r[iNumber])).toEqual(expected);
    expect(dueWeek.rows.length).toBeLessThan(open.rows.length); // the seed has open orders due in later weeks
    const search = await csv('/api/orders/export.csv?show=All&q=SCANIA', 'manager');
    expect(col(search, 'Customer')).toEqual(['Scania Södertälje']); // case-blind, UTF-8 kept
    const onHold = await csv('/api/orders/export.csv?show=On%20hold', 'manager');
    expect(col(onHold, 'Hold reason')).toEqual(['Customer changed the hole pattern; waiting for revision B drawing']);
  });

  it('prefixes a quote to text a spreadsheet would run as a formula, after trimming', async () => {
    const rows = await byName(h.deps.db).selectFrom('orders').select(['id']).orderBy('dueDate').limit(3).execute();
    const evil = ["=HYPERLINK(\"http://evil\",\"x\")", ' +cmd|\' /C calc\'!A0', '@SUM(A1)'];
    for (const [i, r] of rows.entries()) await byName(h.deps.db).updateTable('orders').set({ customerName: evil[i], notes: '-2+3' }).where('id', '=', r.id).execute();
    const out = await csv('/api/orders/export.csv?show=All', 'manager');
    const customers = col(out, 'Customer');
    for (const e of evil) expect(customers).toContain(`'${e}`);
    expect(col(out, 'Notes').filter((n) => n)).toEqual(["'-2+3", "'-2+3", "'-2+3"]);
    expect(col(out, 'Priority').every((p) => /^\d$/.test(p))).toBe(true); // numbers are not touched
  });

  it('each list keeps to the user\'s department scope, the same rule as the device\'s copy', async () => {
    const sup = await h.deps.db.selectFrom('users').selectAll().where('username', '=', 'supervisor.press').executeTakeFirstOrThrow();
    const actor = { id: sup.id, role: sup.role, departmentId: sup.departmentId };
    const rejects = await byName(h.deps.db).selectFrom('rejects').selectAll().where('deletedAt', 'is', null).execute();
    const mine = rejects.filter((r) => canSee(actor, 'rejects', { ...r }));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(rejects.length);
    const out = await csv('/api/rejects/export.csv?show=All', 'supervisor.press');
    expect(out.rows).toHaveLength(mine.length);
    const pressName = (await h.deps.db.selectFrom('departments').select('name').where('id', '=', sup.departmentId!).executeTakeFirstOrThrow()).name;
    expect(new Set(col(out, 'Department'))).toEqual(new Set([pressName]));
    expect((await csv('/api/rejects/export.csv?show=All', 'manager')).rows).toHaveLength(rejects.length);

    // Orders are scoped by the departments of their stages: the paint operator sees those that pass through paint.
    const paint = await h.deps.db.selectFrom('users').selectAll().where('username', '=', 'operator.paint').executeTakeFirstOrThrow();
    const orders = (await h.deps.db.selectFrom('orders').selectAll().execute()).map((o) => ({ ...o, departmentIds: JSON.parse(String(o.departmentIds)) }));
    const theirs = orders.filter((o) => canSee({ id: paint.id, role: paint.role, departmentId: paint.departmentId }, 'orders', o));
    const paintOrders = await csv('/api/orders/export.csv?show=All', 'operator.paint');
    expect(paintOrders.rows).toHaveLength(theirs.length);
    expect(paintOrders.rows.length).toBeLessThan(12);
    expect(new Set(col(paintOrders, 'Customer'))).toEqual(new Set(theirs.map((o) => o.customerName)));
    // A technician sees no production data: the header and nothing else.
    expect((await csv('/api/orders/export.csv?show=All', 'technician')).rows).toHaveLength(0);
    const stages = await csv('/api/stages/export.csv?show=open', 'supervisor.press');
    expect(new Set(col(stages, 'Department'))).toEqual(new Set([pressName]));
  });

  it('stages, maintenance tickets and audit entries apply their screens\' filters; audit is for admin and manager only', async () => {
    const now = await csv('/api/stages/export.csv', 'manager');
    expect(new Set(col(now, 'Status'))).toEqual(new Set(['ready', 'running', 'paused'].filter((s) => col(now, 'Status').includes(s))));
    expect(now.rows.length).toBeGreaterThan(0);
    const working = await csv('/api/stages/export.csv?show=active', 'manager');
    expect(col(working, 'Status').every((s) => s === 'running' || s === 'paused')).toBe(true);

    const tickets = await byName(h.deps.db).selectFrom('maintenanceTickets').selectAll().execute();
    const t = tickets[0];
    const byMachine = await csv(`/api/maintenance/export.csv?show=All&machineId=${t.machineId}`, 'technician');
    expect(byMachine.rows).toHaveLength(tickets.filter((x) => x.machineId === t.machineId).length);
    const p1 = await csv('/api/maintenance/export.csv?show=All&priority=1', 'manager');
    expect(p1.rows).toHaveLength(tickets.filter((x) => x.priority === 1).length);
    const word = t.description.split(' ')[0].toUpperCase();
    const found = await csv(`/api/maintenance/export.csv?show=All&q=${encodeURIComponent(word)}`, 'manager');
    expect(col(found, 'Description')).toContain(t.description);
    const open = await csv('/api/maintenance/export.csv', 'manager');
    expect(col(open, 'Status').every((s) => ['open', 'assigned', 'in_progress', 'on_hold'].includes(s))).toBe(true);

    await tokenFor(h, 'manager');
    const audit = await csv('/api/audit/export.csv?entity=users', 'manager');
    expect(audit.header.slice(0, 3)).toEqual(['At', 'User', 'Change']);
    expect(col(audit, 'Entity').every((e) => e === 'users')).toBe(true);
    expect((await csv('/api/audit/export.csv', 'operator.press')).res.status).toBe(403);
    expect((await csv('/api/audit/export.csv', 'supervisor.press')).res.status).toBe(403);
  });

  it('refuses an unknown filter value and a missing session with the JSON error shape', async () => {
    const bad = await csv('/api/orders/export.csv?show=Everything', 'manager');
    expect(bad.res.status).toBe(400);
    expect(JSON.parse(bad.text).error.code).toBe('validation_failed');
    const unknown = await csv('/api/rejects/export.csv?colour=red', 'manager');
    expect(unknown.res.status).toBe(400);
    const anon = await h.app.request('/api/orders/export.csv');
    expect(anon.status).toBe(401);
  });

  it('a 50 000-row export streams: the first chunk arrives after one database page, the rest is read as it is taken', { timeout: 180_000 }, async () => {
    const at = Date.now();
    const N = 50_000;
    for (let b = 0; b < N; b += 1000) {
      const rows = Array.from({ length: 1000 }, (_, i) => ({
        id: uuidv7(), at: new Date(at - (b + i) * 1000).toISOString(), userId: null, username: 'bulk', clientId: null, mutationId: null,
        mutationName: 'bulk.test', entity: 'orders', entityId: null, baseVersion: null, resultVersion: null, outcome: 'applied',
        code: null, message: b + i === 0 ? '=1+1' : `row ${b + i}`, before: null, after: null, conflicts: null, clientAt: null, ip: null,
      }));
      await h.deps.db.insertInto('auditLog').values(rows as never).execute();
    }
    // An app whose database counts the queries it runs.
    let queries = 0;
    const counting: KyselyPlugin = { transformQuery: (a) => { queries += 1; return a.node; }, transformResult: async (a) => a.result };
    const app = createApp({ ...h.deps, db: h.deps.db.withPlugin(counting) });
    const token = await tokenFor(h, 'manager');
    const res = await app.request('/api/audit/export.csv?entity=orders', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    const afterFirst = queries;
    const head = Buffer.from(first.value!).toString('utf8');
    expect(head.startsWith('\uFEFFAt,User,Change')).toBe(true);
    expect(head).toContain("'=1+1");
    // The session check and one page (of 50): a buffered export would have read all of them by now.
    expect(afterFirst).toBeLessThanOrEqual(4);
    expect(first.value!.length).toBeLessThan(200 * 1024);
    let bytes = first.value!.length;
    let lines = head.split('\r\n').length - 1;
    let chunks = 1;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks += 1;
      bytes += value.length;
      lines += Buffer.from(value).toString('utf8').split('\r\n').length - 1;
    }
    expect(lines).toBe(N + 1);
    expect(chunks).toBeGreaterThan(20);
    expect(queries - afterFirst).toBeGreaterThanOrEqual(49);
    expect(bytes).toBeGreaterThan(N * 40);
  });
});
