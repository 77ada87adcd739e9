// CSV exports of the remaining lists (issue 15 §3): customer returns, corrective actions, SOP tickets
// and NCRs; the rejects export's department / machine / defect code / period filters; the maintenance
// export's sla=breached|near. BOM and header, the formula prefix, the supervisor's scope, the filters,
// and a 400 JSON error for a bad filter value. On SQLite and MariaDB (the mysql project runs it too).
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { slaState } from '../../sync/sla';
import { canSee } from '../../sync/tables';
import { useHarness } from '../../tests/setup/harness';
import { tokenFor, userByName } from '../../tests/setup/helpers';
import { parseUpload } from '../import/import.parse';
import { byName } from '../db/db';
import type { KyselyPlugin } from 'kysely';
import { createApp } from '../app';

const h = useHarness();

async function csv(path: string, username: string) {
  const res = await h.app.request(path, { headers: { authorization: `Bearer ${await tokenFor(h, username)}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = Buffer.from(bytes).toString('utf8');
  if (res.status !== 200) return { res, text, bytes, rows: [] as string[][], header: [] as string[] };
  if (text.split('\r\n').filter(Boolean).length === 1) return { res, text, bytes, header: text.slice(1).split('\r\n')[0].split(','), rows: [] as string[][] };
  const parsed = await parseUpload('x.csv', bytes);
  return { res, text, bytes, header: parsed.headers, rows: parsed.rows.map((r) => r.cells.map((c) => String(c ?? ''))) };
}
const col = (c: { header: string[]; rows: string[][] }, name: string) => c.rows.map((r) => r[c.header.indexOf(name)]);
const k = () => byName(h.deps.db);
const actorOf = async (username: string) => { const u = await userByName(h, username); return { id: u.id, role: u.role, departmentId: u.departmentId }; };
const deptId = async (code: string) => (await k().selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id as string;
/** Rows as the device reads them: JSON arrays parsed. */
const rowsOf = async (table: string) => (await k().selectFrom(table).selectAll().where('deletedAt', 'is', null).execute())
  .map((r: any) => ({ ...r, ...(typeof r.departmentIds === 'string' ? { departmentIds: JSON.parse(r.departmentIds) } : {}) }));

function expectDownload(out: Awaited<ReturnType<typeof csv>>, name: string, header: string[]) {
  expect(out.res.status).toBe(200);
  expect(out.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(out.res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${name}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
  expect([...out.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(out.header.slice(0, header.length)).toEqual(header);
}

async function expectBad(path: string, field: string) {
  const out = await csv(path, 'manager');
  expect(out.res.status).toBe(400);
  expect(out.res.headers.get('content-type')).toContain('application/json');
  const body = JSON.parse(out.text);
  expect(body.error.code).toBe('validation_failed');
  expect(JSON.stringify(body.error)).toContain(field);
}

describe('CSV exports of returns, corrective actions, SOP tickets and NCRs', () => {
  it('customer returns: BOM and header, the Open/Closed/All chips and the search (number, customer, reason, SKU), the supervisor\'s scope, the formula prefix', async () => {
    const all = await csv('/api/returns/export.csv?show=All', 'manager');
    expectDownload(all, 'returns', ['Number', 'Received', 'Customer', 'Order', 'Product', 'Quantity', 'Reason', 'Status']);
    expect(new Set(col(all, 'Customer'))).toEqual(new Set(['Volvo Cars', 'Scania']));
    // Newest received first, as the screen.
    expect(col(all, 'Received')).toEqual([...col(all, 'Received')].sort().reverse());
    expect(col(await csv('/api/returns/export.csv?show=All&q=BRITTLE', 'manager'), 'Customer')).toEqual(['Volvo Cars']);
    expect(col(await csv('/api/returns/export.csv?show=All&q=clp-400', 'manager'), 'Product')).toEqual(['CLP-400', 'CLP-400']);
    const volvo = await k().selectFrom('customerReturns').selectAll().where('customerName', '=', 'Volvo Cars').executeTakeFirstOrThrow();
    await k().updateTable('customerReturns').set({ status: 'closed', closedAt: new Date().toISOString() }).where('id', '=', volvo.id).execute();
    expect(col(await csv('/api/returns/export.csv', 'manager'), 'Customer')).toEqual(['Scania']); // default: Open
    expect(col(await csv('/api/returns/export.csv?show=Closed', 'manager'), 'Customer')).toEqual(['Volvo Cars']);

    // Press's supervisor sees the return made Press's, not the one only Quality holds.
    const sup = await actorOf('supervisor.press');
    const mine = (await rowsOf('customerReturns')).filter((r) => canSee(sup, 'customerReturns', r));
    const theirs = await csv('/api/returns/export.csv?show=All', 'supervisor.press');
    expect(col(theirs, 'Customer')).toEqual(mine.map((r) => r.customerName));
    expect(col(theirs, 'Customer')).toEqual(['Volvo Cars']);
    expect(col(theirs, 'Responsible department')).toEqual(['Press']);

    await k().updateTable('customerReturns').set({ reason: '=HYPERLINK("http://evil","x")' }).where('id', '=', volvo.id).execute();
    expect(col(await csv('/api/returns/export.csv?show=Closed', 'manager'), 'Reason')).toEqual(['\'=HYPERLINK("http://evil","x")']);
    await expectBad('/api/returns/export.csv?show=Lost', 'show');
  });

  it('corrective actions: the My actions chips, owner and source filters, Overdue by the device\'s day, the source\'s number, scope and the formula prefix', async () => {
    const sup = await userByName(h, 'supervisor.press');
    const seeded = await k().selectFrom('correctiveActions').selectAll().executeTakeFirstOrThrow();
    const reject = await k().selectFrom('rejects').selectAll().where('id', '=', seeded.sourceId).executeTakeFirstOrThrow();
    // A second action, on the Scania return (Quality's only), owned by the quality lead, done.
    const scania = await k().selectFrom('customerReturns').selectAll().where('customerName', '=', 'Scania').executeTakeFirstOrThrow();
    const lead = await userByName(h, 'quality.lead');
    const now = new Date().toISOString();
    await k().insertInto('correctiveActions').values({
      id: uuidv7(), version: 1, createdAt: now, updatedAt: now, updatedBy: lead.id, deletedAt: null, seq: 0, number: 'CA-TEST-2', sourceType: 'return', sourceId: scania.id,
      departmentIds: scania.departmentIds, description: '+Pack the panels in foam', ownerId: lead.id, dueDate: '2026-01-10', status: 'done',
      doneNote: 'Foam ordered', doneAt: now, reopenNote: null, verifiedBy: null, verifiedAt: null,
    }).execute();

    const all = await csv('/api/actions/export.csv', 'manager');
    expectDownload(all, 'actions', ['Number', 'Source', 'Source number', 'Description', 'Owner', 'Due date', 'Overdue', 'Status']);
    expect(all.rows).toHaveLength(2);
    expect(col(all, 'Due date')).toEqual([...col(all, 'Due date')].sort()); // soonest due first
    expect(col(all, 'Source number')).toEqual([scania.number, reject.number]);
    expect(col(all, 'Source')).toEqual(['Customer return', 'Reject']);
    expect(col(all, 'Description')).toContain("'+Pack the panels in foam");

    // My actions: the owner's, chip by chip.
    expect(col(await csv(`/api/actions/export.csv?show=To%20do&ownerId=${sup.id}`, 'supervisor.press'), 'Description')).toEqual([seeded.description]);
    expect((await csv(`/api/actions/export.csv?show=Waiting%20for%20verification&ownerId=${sup.id}`, 'supervisor.press')).rows).toHaveLength(0);
    expect(col(await csv('/api/actions/export.csv?show=Waiting%20for%20verification', 'manager'), 'Number')).toEqual(['CA-TEST-2']);
    // The actions of one source (a reject's page).
    expect(col(await csv(`/api/actions/export.csv?sourceType=reject&sourceId=${reject.id}`, 'manager'), 'Source number')).toEqual([reject.number]);
    // Overdue: open and due before the device's day.
    const after = new Date(Date.parse(`${seeded.dueDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect((await csv(`/api/actions/export.csv?show=Overdue&today=${seeded.dueDate}`, 'manager')).rows).toHaveLength(0);
    const overdue = await csv(`/api/actions/export.csv?show=Overdue&today=${after}`, 'manager');
    expect(col(overdue, 'Overdue')).toEqual(['yes']);

    // Press's supervisor: the action on the Press reject, not the one on Quality's return.
    const actor = await actorOf('supervisor.press');
    const visible = (await rowsOf('correctiveActions')).filter((a) => canSee(actor, 'correctiveActions', a));
    const theirs = await csv('/api/actions/export.csv', 'supervisor.press');
    expect(col(theirs, 'Description')).toEqual(visible.map((a) => a.description));
    expect(col(theirs, 'Source')).toEqual(['Reject']);
    await expectBad('/api/actions/export.csv?sourceType=order', 'sourceType');
    await expectBad('/api/actions/export.csv?today=yesterday', 'today');
  });

  it('SOP tickets: the screen\'s default view per user, Mine / My department\'s / Escalated to me / All, Overdue, "closed too", scope and the formula prefix', async () => {
    const tickets = await rowsOf('sopTickets');
    const prs = await deptId('PRS');
    const sup = await actorOf('supervisor.press');
    const open = (t: any) => !['closed', 'rejected'].includes(t.status);

    const every = await csv('/api/sop/export.csv?show=All&closed=1', 'manager');
    expectDownload(every, 'sop-tickets', ['Number', 'Raised at', 'SOP', 'Severity', 'Raised by']);
    expect(every.rows).toHaveLength(tickets.length);
    expect(col(every, 'Raised at')).toEqual([...col(every, 'Raised at')].sort().reverse());
    // A manager has no department: the default view is All, closed and rejected left out.
    expect((await csv('/api/sop/export.csv', 'manager')).rows).toHaveLength(tickets.filter(open).length);
    // A supervisor's default is their department's: raised by or against Press.
    const dept = await csv('/api/sop/export.csv', 'supervisor.press');
    expect(dept.rows).toHaveLength(tickets.filter((t) => open(t) && (t.againstDepartmentId === prs || t.raisedByDepartmentId === prs)).length);
    const [against, raisedBy] = [col(dept, 'Against department'), col(dept, 'Raised by department')];
    expect(against.every((d, i) => d === 'Press' || raisedBy[i] === 'Press')).toBe(true);
    // The chip's name as the page sends it (URLSearchParams: space as +, the apostrophe as %27).
    expect((await csv(`/api/sop/export.csv?${new URLSearchParams({ show: "My department's" })}`, 'supervisor.press')).rows).toEqual(dept.rows);
    // Everything a supervisor exports is in their scope.
    const all = await csv('/api/sop/export.csv?show=All&closed=1', 'supervisor.press');
    expect(all.rows).toHaveLength(tickets.filter((t) => canSee(sup, 'sopTickets', t)).length);
    expect(all.rows.length).toBeLessThan(tickets.length);
    // Mine: raised by the caller (operator.press raised the rejected one).
    expect(col(await csv('/api/sop/export.csv?show=Mine&closed=1', 'operator.press'), 'Status')).toEqual(['rejected']);
    expect((await csv('/api/sop/export.csv?show=Mine', 'operator.press')).rows).toHaveLength(0);
    // Escalated to me: the head of Press got the level-1 ticket.
    expect(col(await csv('/api/sop/export.csv?show=Escalated%20to%20me', 'supervisor.press'), 'Escalation level')).toEqual(['1']);
    // Overdue: open or acknowledged past the answer's due time.
    const now = new Date().toISOString();
    const overdue = tickets.filter((t) => ['open', 'acknowledged'].includes(t.status) && t.dueAt < now);
    expect(overdue.length).toBeGreaterThan(0);
    const out = await csv('/api/sop/export.csv?show=Overdue', 'manager');
    expect(new Set(col(out, 'Number'))).toEqual(new Set(overdue.map((t) => t.number)));
    expect(col(out, 'Overdue').every((o) => o === 'yes')).toBe(true);

    await k().updateTable('sopTickets').set({ description: '@SUM(A1:A9)' }).where('id', '=', overdue[0].id).execute();
    expect(col(await csv('/api/sop/export.csv?show=Overdue', 'manager'), 'Description')).toContain("'@SUM(A1:A9)");
    await expectBad('/api/sop/export.csv?show=Late', 'show');
    await expectBad('/api/sop/export.csv?closed=yes', 'closed');
  });

  it('NCRs: the status filter, the source ticket\'s number, the supervisor\'s scope and the formula prefix', async () => {
    const ncr = await k().selectFrom('ncrReports').selectAll().executeTakeFirstOrThrow();
    const ticket = await k().selectFrom('sopTickets').selectAll().where('id', '=', ncr.sourceId).executeTakeFirstOrThrow();
    const all = await csv('/api/ncrs/export.csv', 'manager');
    expectDownload(all, 'ncrs', ['Number', 'Created at', 'Source', 'Source number', 'What']);
    expect(all.rows).toHaveLength(1);
    expect(col(all, 'Source number')).toEqual([ticket.number]);
    expect(col(all, 'Department')).toEqual(['Press']);
    expect(col(await csv('/api/ncrs/export.csv?status=draft', 'manager'), 'Number')).toEqual([ncr.number]);
    expect((await csv('/api/ncrs/export.csv?status=approved', 'manager')).rows).toHaveLength(0);
    // Press and Assembly see it; Paint does not.
    expect((await csv('/api/ncrs/export.csv', 'supervisor.press')).rows).toHaveLength(1);
    expect((await csv('/api/ncrs/export.csv', 'head.paint')).rows).toHaveLength(0);
    await k().updateTable('ncrReports').set({ rootCause: '-1+cmd' }).where('id', '=', ncr.id).execute();
    expect(col(await csv('/api/ncrs/export.csv', 'manager'), 'Root cause')).toEqual(["'-1+cmd"]);
    await expectBad('/api/ncrs/export.csv?status=open', 'status');
  });
});

describe('the rejects export has the screen\'s filters; the maintenance export has sla=breached|near', () => {
  it('rejects: department, machine, defect code and period (days back from the device\'s midnight) as the list filters them', async () => {
    const rejects = await rowsOf('rejects');
    const r0 = rejects[0];
    const byMachine = await csv(`/api/rejects/export.csv?show=All&machineId=${r0.machineId}`, 'manager');
    expect(byMachine.rows).toHaveLength(rejects.filter((r) => r.machineId === r0.machineId).length);
    expect(byMachine.rows.length).toBeLessThan(rejects.length);
    const byDefect = await csv(`/api/rejects/export.csv?show=All&defectCodeId=${r0.defectCodeId}`, 'manager');
    expect(byDefect.rows).toHaveLength(rejects.filter((r) => r.defectCodeId === r0.defectCodeId).length);
    const byDept = await csv(`/api/rejects/export.csv?show=All&departmentId=${r0.departmentId}&machineId=${r0.machineId}&defectCodeId=${r0.defectCodeId}`, 'manager');
    expect(byDept.rows).toHaveLength(rejects.filter((r) => r.departmentId === r0.departmentId && r.machineId === r0.machineId && r.defectCodeId === r0.defectCodeId).length);

    // Period: move one reject 10 days back, one 3 days back, one to today.
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const [a, b, c] = rejects;
    for (const [r, days] of [[a, 10], [b, 3], [c, 0]] as const) await k().updateTable('rejects').set({ createdAt: ago(days) }).where('id', '=', r.id).execute();
    for (const r of rejects.slice(3)) await k().updateTable('rejects').set({ createdAt: ago(40) }).where('id', '=', r.id).execute();
    const midnight = (daysBack: number) => { const d = new Date(); d.setUTCHours(0, 0, 0, 0); return new Date(d.getTime() - daysBack * 86_400_000).toISOString(); };
    expect(new Set(col(await csv('/api/rejects/export.csv?show=All&period=6', 'manager'), 'Number'))).toEqual(new Set([b.number, c.number]));
    expect(new Set(col(await csv('/api/rejects/export.csv?show=All&period=29', 'manager'), 'Number'))).toEqual(new Set([a.number, b.number, c.number]));
    expect(col(await csv(`/api/rejects/export.csv?show=All&period=0&since=${encodeURIComponent(midnight(0))}`, 'manager'), 'Number')).toEqual([c.number]);
    // The device's own midnight decides where the period starts (a device 11 days behind counts the 10-day-old one in).
    expect(new Set(col(await csv(`/api/rejects/export.csv?show=All&period=6&since=${encodeURIComponent(midnight(11))}`, 'manager'), 'Number'))).toEqual(new Set([a.number, b.number, c.number]));

    // The supervisor's export stays in their department whatever the filter asks.
    const sup = await actorOf('supervisor.press');
    const other = rejects.find((r) => r.departmentId !== sup.departmentId && !canSee(sup, 'rejects', r));
    expect(other).toBeDefined();
    expect((await csv(`/api/rejects/export.csv?show=All&departmentId=${other!.departmentId}`, 'supervisor.press')).rows).toHaveLength(0);

    await expectBad('/api/rejects/export.csv?period=7', 'period');
    await expectBad('/api/rejects/export.csv?period=6&since=monday', 'since');
  });

  it('maintenance: sla=breached and sla=near keep the open tickets whose running clock has run out or has under 25 % of its target left (sync/sla.ts slaState)', async () => {
    const tickets = await rowsOf('maintenanceTickets');
    expect(tickets.length).toBeGreaterThanOrEqual(4);
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    // Not answered, 4 h to respond: raised 5 h ago (breached), 3.5 h ago (near: 30 min of 4 h left), 1 h ago (ok); one breached but completed.
    const set = async (t: any, raisedHoursAgo: number, status: string) => k().updateTable('maintenanceTickets').set({
      status, raisedAt: at(-raisedHoursAgo), createdAt: at(-raisedHoursAgo), respondedAt: null, completedAt: status === 'completed' ? at(0) : null,
      responseDueAt: at(4 - raisedHoursAgo), resolutionDueAt: at(24 - raisedHoursAgo), pausedSeconds: 0, pausedSince: null,
    }).where('id', '=', t.id).execute();
    const [late, near, fine, done] = tickets;
    await set(late, 5, 'open');
    await set(near, 3.5, 'assigned');
    await set(fine, 1, 'open');
    await set(done, 30, 'completed');
    for (const t of tickets.slice(4)) await set(t, 0.5, 'open');
    const now = new Date().toISOString();
    const rows = await rowsOf('maintenanceTickets');
    expect(rows.filter((t) => slaState(t, now) === 'breached').map((t) => t.id)).toEqual([late.id]);

    const breached = await csv('/api/maintenance/export.csv?show=All&sla=breached', 'manager');
    expect(col(breached, 'Number')).toEqual([late.number]);
    expect(col(await csv('/api/maintenance/export.csv?sla=near', 'technician'), 'Number')).toEqual([near.number]);
    expect((await csv(`/api/maintenance/export.csv?sla=breached&machineId=${fine.machineId === late.machineId ? uuidv7() : fine.machineId}`, 'manager')).rows).toHaveLength(0);
    await expectBad('/api/maintenance/export.csv?sla=soon', 'sla');
  });
});

describe('every report downloads as CSV of what it shows', () => {
  it('the SOP report: its totals, then by department, by SOP and by severity, for managers only', async () => {
    const token = await tokenFor(h, 'manager');
    const json = (await h.call('GET', '/api/reports/sop', { token })).body;
    const out = await csv('/api/reports/sop?format=csv', 'manager');
    expect(out.res.status).toBe(200);
    expect(out.res.headers.get('content-disposition')).toBe(`attachment; filename="sop-report-${json.from}-${json.to}.csv"`);
    expect([...out.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(out.header).toEqual(['Section', 'Code', 'Name', 'Tickets', 'Open', 'Escalations', 'On-time response %', 'Mean time to close (h)']);
    const section = (name: string) => out.rows.filter((r) => r[0] === name);
    expect(section('Total')).toEqual([['Total', '', `${json.from} to ${json.to}`, String(json.total), '', String(json.escalations), String(json.onTimeResponsePct ?? ''), String(json.meanTimeToCloseHours ?? '')]]);
    expect(section('By department raised against').map((r) => [r[1], r[3], r[5]])).toEqual(json.byDepartment.map((d: any) => [d.code, String(d.tickets), String(d.escalations)]));
    expect(section('By SOP').map((r) => [r[1], r[3]])).toEqual(json.bySop.map((s: any) => [s.code, String(s.tickets)]));
    expect(section('By severity').map((r) => r[3])).toEqual(json.bySeverity.map((s: any) => String(s.tickets)));
    expect((await csv('/api/reports/sop?format=csv', 'supervisor.press')).res.status).toBe(403);
    await expectBad('/api/reports/sop?format=xlsx', 'format');
  });

  it('the maintenance report\'s machine and department tables end with the total the page shows above them', async () => {
    const token = await tokenFor(h, 'manager');
    const json = (await h.call('GET', '/api/reports/maintenance', { token })).body;
    const machines = await csv('/api/reports/maintenance?format=csv&table=machines', 'manager');
    expect(machines.rows.at(-1)!.slice(0, 4)).toEqual(['Total', `${json.from} to ${json.to}`, String(json.total.mttrMinutes ?? ''), String(json.total.mtbfHours ?? '')]);
    expect(machines.rows).toHaveLength(json.byMachine.length + 1);
    const depts = await csv('/api/reports/maintenance?format=csv&table=departments', 'manager');
    expect(depts.rows.at(-1)!.slice(0, 5)).toEqual(['Total', String(json.total.mttrMinutes ?? ''), String(json.total.mtbfHours ?? ''), String(json.total.availabilityPct ?? ''), String(json.total.repairs)]);
  });
});

describe('the page-at-a-time exports stream too', () => {
  it('10 000 corrective actions: the first chunk leaves after one page of rows and one query for their sources\' numbers, the rest as it is taken', { timeout: 120_000 }, async () => {
    const reject = await k().selectFrom('rejects').selectAll().executeTakeFirstOrThrow();
    const owner = await userByName(h, 'supervisor.press');
    const N = 10_000;
    const now = new Date().toISOString();
    for (let b = 0; b < N; b += 1000) {
      await k().insertInto('correctiveActions').values(Array.from({ length: 1000 }, (_, i) => ({
        id: uuidv7(), version: 1, createdAt: now, updatedAt: now, updatedBy: owner.id, deletedAt: null, seq: 0, number: `CA-B${b + i}`, sourceType: 'reject', sourceId: reject.id,
        departmentIds: JSON.stringify([reject.departmentId]), description: `bulk ${b + i}`, ownerId: owner.id, dueDate: '2026-01-01', status: 'open',
        doneNote: null, doneAt: null, reopenNote: null, verifiedBy: null, verifiedAt: null,
      }))).execute();
    }
    let queries = 0;
    const counting: KyselyPlugin = { transformQuery: (a) => { queries += 1; return a.node; }, transformResult: async (a) => a.result };
    const app = createApp({ ...h.deps, db: h.deps.db.withPlugin(counting) });
    const res = await app.request('/api/actions/export.csv', { headers: { authorization: `Bearer ${await tokenFor(h, 'manager')}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const before = queries; // the session check and the names read before the first row
    const first = await reader.read();
    const afterFirst = queries;
    expect(Buffer.from(first.value!).toString('utf8').startsWith('\uFEFFNumber,Source')).toBe(true);
    // One page of actions and one query for their rejects' numbers (ten pages would be 20).
    expect(afterFirst - before).toBeLessThanOrEqual(3);
    let lines = Buffer.from(first.value!).toString('utf8').split('\r\n').length - 1;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      lines += Buffer.from(value).toString('utf8').split('\r\n').length - 1;
    }
    expect(lines).toBe(N + 1 + 1); // the header, the bulk and the seeded action
    expect(queries - afterFirst).toBeGreaterThanOrEqual(2 * 9);
  });
});
