// Maintenance, complete (issue 13), through real pushes and the real job, on SQLite and on MariaDB:
// SLA clocks and pauses, assignment, machine status, the preventive job, checklist ticks, the report.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { planTicketId } from '../../sync/preventive';
import { Rejection } from '../../sync/store';
import { pausesOf } from '../../sync/sla';
import { byName } from '../db/db';
import { preventiveJob } from '../jobs/preventive';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, devicePush, oneRow, tokenFor } from '../../tests/setup/helpers';
import { makeDevice } from '../../tests/setup/device';
import { fromDb } from '../sync/codec';

const h = useHarness();
const push = devicePush(h);
beforeEach(() => push.reset());
const send = push.send;
const one = (table: string, where: Record<string, unknown>) => oneRow(h, table, where);
const ticketRow = async (id: string) => fromDb('maintenanceTickets', await one('maintenanceTickets', { id })) as Record<string, any>;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const H = 3_600_000;

/** A new corrective ticket on a machine, raised by the press operator `raisedAgo` ms ago (a device that was offline). */
async function raise(code: string, raisedAgo = 0, priority = 2, type = 'corrective') {
  const machine = await one('machines', { code });
  const id = uuidv7();
  expect((await send('operator.press', 'maintenance.create', { id, machineId: machine.id, type, priority, description: `Broken ${code}` }, ago(raisedAgo))).status).toBe('applied');
  return { id, machine };
}
async function move(username: string, id: string, from: string, to: string, extra: Record<string, unknown> = {}, at?: string) {
  return send(username, 'maintenance.transition', { id, from, to, ...extra }, at);
}

describe('SLA clocks and their pauses', () => {
  it('response is the first start of work; a hold needs a reason, and two hours waiting for parts are kept as events the ticket sums', async () => {
    const { id } = await raise('PRS-03', 6 * H, 2);
    const raised = await ticketRow(id);
    expect(raised.responseDueAt).toBe(new Date(Date.parse(raised.raisedAt) + 4 * H).toISOString());
    expect((await move('technician', id, 'open', 'assigned', {}, ago(5 * H))).status).toBe('applied');
    expect((await move('technician', id, 'assigned', 'in_progress', {}, ago(5 * H))).status).toBe('applied');
    const noReason = await move('technician', id, 'in_progress', 'on_hold', {}, ago(4 * H));
    expect(noReason).toMatchObject({ status: 'rejected', code: 'validation_failed', message: 'Putting a ticket on hold needs a reason.' });
    expect((await ticketRow(id)).status).toBe('in_progress');
    expect((await move('technician', id, 'in_progress', 'on_hold', { reason: 'waiting_parts' }, ago(4 * H))).status).toBe('applied');
    expect(await ticketRow(id)).toMatchObject({ status: 'on_hold', holdReason: 'waiting_parts', pausedSince: expect.any(String) });
    expect((await move('technician', id, 'on_hold', 'in_progress', {}, ago(2 * H))).status).toBe('applied');
    const resumed = await ticketRow(id);
    expect(resumed).toMatchObject({ status: 'in_progress', holdReason: null, pausedSince: null });
    expect(resumed.pausedSeconds).toBeGreaterThanOrEqual(7199);
    expect(resumed.pausedSeconds).toBeLessThanOrEqual(7201);
    // The response counts from when the technician acted (offline, 5 hours ago), within its 4 hours.
    expect(Date.parse(resumed.respondedAt)).toBeLessThan(Date.parse(resumed.responseDueAt));
    const events = (await byName(h.deps.db).selectFrom('maintenanceEvents').selectAll().where('ticketId', '=', id).execute()) as any[];
    expect(events.find((e) => e.toStatus === 'on_hold')).toMatchObject({ reason: 'waiting_parts', note: 'Waiting for parts' });
    expect(pausesOf(events).reduce((s, p) => s + p.seconds, 0)).toBe(resumed.pausedSeconds);
  });

  it('a device clock two hours ahead cannot make a late response look on time: it counts at the server\'s receive time', async () => {
    const { id } = await raise('PRS-03', 5 * H, 2); // response due 1 hour ago
    await move('technician', id, 'open', 'assigned');
    const ahead = new Date(Date.now() + 2 * H).toISOString();
    const before = Date.now();
    expect((await move('technician', id, 'assigned', 'in_progress', {}, ahead)).status).toBe('applied');
    const t = await ticketRow(id);
    expect(Date.parse(t.respondedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(t.respondedAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(t.respondedAt)).toBeGreaterThan(Date.parse(t.responseDueAt));
    // The audit keeps what the device said.
    const audit = (await auditRows(h, 'maintenance.transition')).at(-1)!;
    expect(audit.clientAt).toBe(ahead);
  });
});

describe('assignment', () => {
  it('a supervisor assigns to a technician of maintenance; an operator or another department\'s technician is refused with the reason; a technician takes an unassigned ticket', async () => {
    const { id } = await raise('PRS-03');
    const operator = await one('users', { username: 'operator.press' });
    const refused = await move('supervisor.press', id, 'open', 'assigned', { assigneeId: operator.id });
    expect(refused).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(refused.message).toContain('only technicians take maintenance tickets');
    // A technician of Paint may not take a Press machine's ticket from a supervisor.
    const paint = await one('departments', { code: 'PNT' });
    const painter = uuidv7();
    const tech = await one('users', { username: 'technician' });
    await h.deps.db.insertInto('users').values({ ...tech, id: painter, username: 'tech.paint', displayName: 'Paint Technician', departmentId: paint.id } as never).execute();
    const other = await move('supervisor.press', id, 'open', 'assigned', { assigneeId: painter });
    expect(other).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(other.message).toContain('another department');
    expect((await ticketRow(id)).status).toBe('open');
    expect((await move('technician', id, 'open', 'assigned')).status).toBe('applied');
    expect((await ticketRow(id)).assigneeId).toBe(tech.id);
  });
});

describe('machine status follows the work', () => {
  it('a corrective ticket in progress marks the machine down, preventive work alone marks it in maintenance, and completing the last one brings it back to idle', async () => {
    const a = await raise('PRS-03');
    const b = await raise('PRS-03', 0, 3, 'preventive');
    for (const t of [a, b]) await move('technician', t.id, 'open', 'assigned');
    await move('technician', b.id, 'assigned', 'in_progress');
    expect((await one('machines', { code: 'PRS-03' })).status).toBe('maintenance');
    await move('technician', a.id, 'assigned', 'in_progress');
    expect((await one('machines', { code: 'PRS-03' })).status).toBe('down');
    await move('technician', a.id, 'in_progress', 'on_hold', { reason: 'waiting_production' });
    expect((await one('machines', { code: 'PRS-03' })).status).toBe('down');
    await move('technician', a.id, 'on_hold', 'in_progress');
    await move('technician', a.id, 'in_progress', 'completed');
    expect((await one('machines', { code: 'PRS-03' })).status).toBe('maintenance');
    await move('technician', b.id, 'in_progress', 'completed');
    expect((await one('machines', { code: 'PRS-03' })).status).toBe('idle');
    // The repair's downtime was counted from the start of work.
    expect((await ticketRow(a.id)).downtimeMinutes).toBe(0);
  });

  it('a stage does not start on a down machine without the operator confirming, offline too', async () => {
    const stage = await byName(h.deps.db).selectFrom('stages').selectAll().where('status', '=', 'ready').where('machineId', 'is not', null).executeTakeFirstOrThrow();
    // On a machine nothing else runs on (so only the breakdown is asked about).
    const spare = await one('machines', { code: 'PRS-03' });
    await h.deps.db.updateTable('stages').set({ machineId: spare.id }).where('id', '=', stage.id).execute();
    await h.deps.db.updateTable('machines').set({ status: 'down' }).where('id', '=', spare.id).execute();
    const d = await makeDevice(h, 'admin');
    await d.engine.sync();
    d.network.offline = true;
    const asked = await d.engine.mutate('stage.transition', { id: stage.id, from: 'ready', to: 'running' }).then(() => 'queued', (e: Rejection) => (e.details?.[0] as { code?: string })?.code);
    expect(asked).toBe('machine_down');
    expect(await d.engine.pendingCount()).toBe(0);
    await d.engine.mutate('stage.transition', { id: stage.id, from: 'ready', to: 'running', confirmDown: true });
    d.network.offline = false;
    await d.engine.sync();
    d.close();
    expect((await one('stages', { id: stage.id })).status).toBe('running');
  });
});

describe('the preventive job', () => {
  const plan = (code: string) => h.deps.db.selectFrom('preventivePlans as p').innerJoin('machines as m', 'm.id', 'p.machineId').selectAll('p').where('m.code', '=', code).executeTakeFirstOrThrow();
  /** The tickets of a plan for its current due time (the demo history has done ones before). */
  const planTickets = async (planId: string) => {
    const p = await h.deps.db.selectFrom('preventivePlans').select('nextDueAt').where('id', '=', planId).executeTakeFirstOrThrow();
    return h.deps.db.selectFrom('maintenanceTickets').selectAll().where('planId', '=', planId).where('planDueAt', '=', p.nextDueAt).execute();
  };

  it('opens a ticket with the checklist for a plan due within the lead days, and none for a plan due later or paused', async () => {
    const due = await plan('PRS-03'); // due in 2 hours
    const later = await plan('ASM-01'); // due in 20 days
    const paused = await plan('PNT-02');
    expect(await preventiveJob.run(h.deps, new Date())).toBe(1);
    const [t] = await planTickets(due.id);
    expect(fromDb('maintenanceTickets', t)).toMatchObject({ type: 'preventive', status: 'open', planDueAt: due.nextDueAt, description: due.task, reportedBy: '00000000-0000-7000-8000-000000000001' });
    expect((fromDb('maintenanceTickets', t).checklist as unknown[]).length).toBe(4);
    expect(await planTickets(later.id)).toHaveLength(0);
    expect(await planTickets(paused.id)).toHaveLength(0);
    const audit = (await auditRows(h, 'plan.due'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ username: 'system', userId: null, outcome: 'applied', entityId: t.id });
    // A second pass finds nothing to do.
    expect(await preventiveJob.run(h.deps, new Date())).toBe(0);
    expect(await planTickets(due.id)).toHaveLength(1);
  });

  it('two passes at once (two servers) open exactly one ticket per plan and due date', async () => {
    const due = await plan('PRS-03');
    const counts = await Promise.all([preventiveJob.run(h.deps, new Date()), preventiveJob.run(h.deps, new Date()), preventiveJob.run(h.deps, new Date())]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await planTickets(due.id)).toHaveLength(1);
    expect(await auditRows(h, 'plan.due')).toHaveLength(1);
    // And the database's key stands behind the mutator: a second ticket for the same plan and due time cannot be stored.
    const [t] = await planTickets(due.id);
    await expect(h.deps.db.insertInto('maintenanceTickets').values({ ...t, id: uuidv7(), number: 'MT-X' } as never).execute()).rejects.toThrow();
    expect(planTicketId(due.id, due.nextDueAt)).toBe(t.id);
  });

  it('catches up after downtime: a plan due ten days ago gets its ticket at the first pass, once; completing it moves the next due date by the interval from the completion', async () => {
    const due = await plan('PNT-01'); // every 30 days
    await h.deps.db.updateTable('preventivePlans').set({ nextDueAt: ago(10 * 24 * H) }).where('id', '=', due.id).execute();
    expect(await preventiveJob.run(h.deps, new Date())).toBe(2); // this one and PRS-03's, due today
    const [t] = await planTickets(due.id);
    await move('technician', t.id, 'open', 'assigned');
    await move('technician', t.id, 'assigned', 'in_progress');
    const early = await move('technician', t.id, 'in_progress', 'completed');
    expect(early).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(early.message).toContain('Ceiling filters replaced');
    for (const item of [0, 1]) expect((await send('technician', 'maintenance.tick', { id: uuidv7(), ticketId: t.id, item, reading: item === 1 ? 'ok' : undefined })).status).toBe('applied');
    // The last item is optional: completing now is allowed.
    expect((await move('technician', t.id, 'in_progress', 'completed')).status).toBe('applied');
    const done = await ticketRow(t.id);
    const after = fromDb('preventivePlans', await one('preventivePlans', { id: due.id }));
    expect(after.lastDoneAt).toBe(done.completedAt);
    expect(after.nextDueAt).toBe(new Date(Date.parse(done.completedAt) + 30 * 24 * H).toISOString());
    expect(await preventiveJob.run(h.deps, new Date())).toBe(0);
  });
});

describe('checklists', () => {
  it('two technicians ticking different items offline both count, whatever order they sync in', async () => {
    await preventiveJob.run(h.deps, new Date());
    const plan = await h.deps.db.selectFrom('preventivePlans as p').innerJoin('machines as m', 'm.id', 'p.machineId').selectAll('p').where('m.code', '=', 'PRS-03').executeTakeFirstOrThrow();
    const t = await one('maintenanceTickets', { planId: plan.id, planDueAt: plan.nextDueAt });
    const a = await makeDevice(h, 'technician');
    const b = await makeDevice(h, 'supervisor.press');
    await a.engine.sync();
    await b.engine.sync();
    a.network.offline = true;
    b.network.offline = true;
    await a.engine.mutate('maintenance.tick', { id: uuidv7(), ticketId: t.id, item: 0, note: 'between the marks' });
    await b.engine.mutate('maintenance.tick', { id: uuidv7(), ticketId: t.id, item: 2 });
    b.network.offline = false;
    await b.engine.sync();
    a.network.offline = false;
    await a.engine.sync();
    await b.engine.sync();
    const list = (await ticketRow(t.id)).checklist as { done: boolean; note: string | null }[];
    expect(list.map((c) => c.done)).toEqual([true, false, true, false]);
    expect(list[0].note).toBe('between the marks');
    // Both devices converge on the server's list.
    for (const d of [a, b]) expect(((await d.db.rows('maintenanceTickets').get(t.id))!.checklist).map((c) => c.done)).toEqual([true, false, true, false]);
    a.close();
    b.close();
  });
});

describe('preventive plans: bad input', () => {
  it('an interval of 0, a negative one, or days and hours together are refused with the field named, and nothing is written', async () => {
    const machine = await one('machines', { code: 'PRS-01' });
    const before = await h.deps.db.selectFrom('preventivePlans').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    for (const bad of [{ intervalDays: 0 }, { intervalDays: -7 }, { intervalDays: 7, intervalHours: 100 }, {}]) {
      const r = await send('manager', 'plan.create', { id: uuidv7(), machineId: machine.id, task: 'Grease', ...bad });
      expect(r).toMatchObject({ status: 'rejected', code: 'validation_failed' });
      expect(r.details?.[0].field).toMatch(/^interval/);
    }
    // The Press supervisor is not the maintenance supervisor.
    expect(await send('supervisor.press', 'plan.create', { id: uuidv7(), machineId: machine.id, task: 'Grease', intervalDays: 7 })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    const after = await h.deps.db.selectFrom('preventivePlans').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const id = uuidv7();
    expect((await send('manager', 'plan.create', { id, machineId: machine.id, task: 'Grease', intervalDays: 7, checklist: [{ text: 'Nipples greased' }] })).status).toBe('applied');
    expect((await send('manager', 'plan.transition', { id, from: 'active', to: 'paused' })).status).toBe('applied');
    expect((await one('preventivePlans', { id })).status).toBe('paused');
  });
});

describe('the maintenance report', () => {
  it('answers MTTR, MTBF and SLA compliance per machine and department from the demo history, and the same figures as CSV', async () => {
    const token = await tokenFor(h, 'manager');
    const prs01 = await one('machines', { code: 'PRS-01' });
    const from = ago(60 * 24 * H).slice(0, 10);
    const to = new Date().toISOString().slice(0, 10);
    const r = await h.call('GET', `/api/reports/maintenance?from=${from}&to=${to}&machineId=${prs01.id}`, { token });
    expect(r.status).toBe(200);
    // Three repairs on PRS-01: 60 + 120 + 30 minutes of downtime.
    expect(r.body.total).toMatchObject({ repairs: 3, repairDowntimeMinutes: 210, mttrMinutes: 70, breakdowns: 3 });
    // 16 h a day over 61 days, less 3.5 h down, over 3 breakdowns.
    expect(r.body.total.mtbfHours).toBeCloseTo((16 * 61 - 3.5) / 3, 0);
    expect(r.body.byMachine).toHaveLength(1);
    const csv = await h.app.request(`/api/reports/maintenance?from=${from}&to=${to}&machineId=${prs01.id}&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toContain('MTTR (min)');
    expect(lines[1]).toMatch(/^PRS-01,Press 250 t,70,/);
  });

  it('refuses an operator, a bad date and a period that ends before it starts; a supervisor sees only their department', async () => {
    expect((await h.call('GET', '/api/reports/maintenance', { token: await tokenFor(h, 'operator.press') })).status).toBe(403);
    const token = await tokenFor(h, 'supervisor.press');
    expect((await h.call('GET', '/api/reports/maintenance?from=2026-13-40', { token })).body.error.code).toBe('validation_failed');
    expect((await h.call('GET', '/api/reports/maintenance?from=2026-11-10&to=2026-11-01', { token })).status).toBe(400);
    const r = await h.call('GET', '/api/reports/maintenance', { token });
    const press = await one('departments', { code: 'PRS' });
    expect(r.body.byDepartment.map((d: { departmentId: string }) => d.departmentId)).toEqual([press.id]);
  });

  it('SLA targets with a resolution shorter than the response are refused and nothing changes; good ones are kept and audited', async () => {
    const token = await tokenFor(h, 'admin');
    const sla = { 1: { responseHours: 1, resolutionHours: 8 }, 2: { responseHours: 4, resolutionHours: 24 }, 3: { responseHours: 8, resolutionHours: 72 }, 4: { responseHours: 24, resolutionHours: 168 } };
    const bad = await h.call('PUT', '/api/maintenance/sla', { token, body: { sla: { ...sla, 3: { responseHours: 8, resolutionHours: 4 } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('cannot be shorter than the response time');
    expect((await h.call('GET', '/api/maintenance/sla', { token })).body.sla['3'].resolutionHours).toBe(72);
    expect((await h.call('PUT', '/api/maintenance/sla', { token, body: { sla: { ...sla, 3: { responseHours: 6, resolutionHours: 48 } } } })).status).toBe(200);
    expect((await h.call('GET', '/api/maintenance/sla', { token })).body.sla['3']).toEqual({ responseHours: 6, resolutionHours: 48 });
    expect(await auditRows(h, 'admin.config.sla')).toHaveLength(1);
    // A new priority-3 ticket is due by the new targets.
    const { id } = await raise('PRS-03', 0, 3);
    const t = await ticketRow(id);
    expect(Date.parse(t.resolutionDueAt) - Date.parse(t.raisedAt)).toBe(48 * H);
  });
});
