// SOP compliance (issue 12) through real pushes, on SQLite and on MariaDB: raising tickets, answering,
// closing only with an approved NCR, the NCR's completeness and approval rules, notifications, and
// the escalation job (due, not due, down past due, no head, two passes at once).
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, countAll, devicePush, oneRow, tokenFor, userByName } from '../../tests/setup/helpers';
import { openDatabase } from '../db/db';
import type { Deps } from '../context';
import { escalationJob } from '../jobs/escalation';
import { startJobs } from '../jobs/jobs';

const h = useHarness();
const d = devicePush(h);
beforeEach(() => d.reset());

const TABLES = ['sopTickets', 'ncrReports', 'notifications'] as const;
const dept = (code: string) => oneRow(h, 'departments', { code });
const sop = (code: string) => oneRow(h, 'sops', { code });
const ticket = (id: string) => oneRow(h, 'sopTickets', { id }) as Promise<any>;
const ncr = (id: string) => oneRow(h, 'ncrReports', { id }) as Promise<any>;
const notesOf = async (username: string) => {
  const u = await userByName(h, username);
  return h.deps.db.selectFrom('notifications').selectAll().where('userId', '=', u.id).orderBy('at').execute();
};
const minutesLater = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000);

/** Paint's operator raises a ticket against Press (SOP-PRS-001): its id. */
async function raise(severity = 'high', username = 'operator.paint') {
  const id = uuidv7();
  const r = await d.send(username, 'sop.raise', { id, sopId: (await sop('SOP-PRS-001')).id, againstDepartmentId: (await dept('PRS')).id, severity, description: 'Burrs on the long edge of every bracket' });
  expect(r).toMatchObject({ status: 'applied' });
  return id;
}

describe('raising an SOP ticket', () => {
  it('any user raises one against another department: numbered, due by the severity\'s response time, the head told', async () => {
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    const id = uuidv7();
    const r = await d.send('operator.paint', 'sop.raise', { id, sopId: (await sop('SOP-PRS-001')).id, againstDepartmentId: (await dept('PRS')).id, severity: 'high', description: 'Burrs' }, at);
    expect(r.status).toBe('applied');
    const t = await ticket(id);
    expect(t).toMatchObject({ number: 'SOP-000006', status: 'open', escalationLevel: 0, raisedByDepartmentId: (await dept('PNT')).id, againstDepartmentId: (await dept('PRS')).id });
    expect(Date.parse(t.dueAt)).toBe(Date.parse(at) + 240 * 60_000); // high: 240 minutes from the device's action time
    expect((await notesOf('supervisor.press')).map((n) => n.kind)).toContain('sop_raised');
    const [audit] = (await auditRows(h, 'sop.raise')).slice(-1);
    expect(audit).toMatchObject({ outcome: 'applied', entity: 'sopTickets', entityId: id });
  });

  it('a ticket against one\'s own department, an unknown SOP and a severity that does not exist are refused, and nothing is written', async () => {
    const before = await countAll(h, TABLES);
    const own = await d.send('operator.press', 'sop.raise', { id: uuidv7(), sopId: (await sop('SOP-PRS-001')).id, againstDepartmentId: (await dept('PRS')).id, severity: 'low', description: 'x' });
    expect(own).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'againstDepartmentId' }] });
    expect(own.message).toMatch(/own department/);
    const unknown = await d.send('operator.paint', 'sop.raise', { id: uuidv7(), sopId: uuidv7(), againstDepartmentId: (await dept('PRS')).id, severity: 'low', description: 'x' });
    expect(unknown).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'sopId' }] });
    expect(unknown.message).toMatch(/no such SOP/);
    const severity = await d.send('operator.paint', 'sop.raise', { id: uuidv7(), sopId: (await sop('SOP-PRS-001')).id, againstDepartmentId: (await dept('PRS')).id, severity: 'urgent', description: 'x' });
    expect(severity).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(await countAll(h, TABLES)).toEqual(before);
    expect((await auditRows(h, 'sop.raise')).filter((a) => a.outcome === 'rejected')).toHaveLength(3);
  });

  it('both departments see the ticket; a third department and a technician do not', async () => {
    const id = await raise();
    const pulled = async (username: string) => {
      const r = await h.call('GET', `/api/sync/pull?clientId=${uuidv7()}&limit=1000`, { token: await tokenFor(h, username) });
      return r.body.changes.filter((c: { table: string }) => c.table === 'sopTickets').map((c: { id: string }) => c.id);
    };
    expect(await pulled('operator.paint')).toContain(id);
    expect(await pulled('operator.press')).toContain(id);
    expect(await pulled('head.assembly')).not.toContain(id);
    expect(await pulled('technician')).not.toContain(id);
    expect(await pulled('manager')).toContain(id);
  });
});

describe('answering and closing a ticket', () => {
  it('only the supervisors or head of the department it is against acknowledge it and ask for the NCR', async () => {
    const id = await raise();
    expect(await d.send('operator.press', 'sop.transition', { id, from: 'open', to: 'acknowledged' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    // Paint's head sees the ticket (raised by Paint) but it is not against Paint.
    expect(await d.send('head.paint', 'sop.transition', { id, from: 'open', to: 'acknowledged' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(await d.send('head.assembly', 'sop.transition', { id, from: 'open', to: 'acknowledged' })).toMatchObject({ status: 'rejected', code: 'not_found' });
    expect((await ticket(id)).status).toBe('open');
    expect(await d.send('supervisor.press', 'sop.transition', { id, from: 'open', to: 'acknowledged' })).toMatchObject({ status: 'applied' });
    const t = await ticket(id);
    expect(t.status).toBe('acknowledged');
    expect(t.respondedAt).not.toBeNull();
    expect(await d.send('supervisor.press', 'sop.transition', { id, from: 'acknowledged', to: 'ncr_required' })).toMatchObject({ status: 'applied' });
    expect(await d.send('supervisor.press', 'sop.transition', { id, from: 'ncr_required', to: 'closed' })).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
  });

  it('rejecting as no breach needs a note', async () => {
    const id = await raise();
    expect(await d.send('supervisor.press', 'sop.transition', { id, from: 'open', to: 'rejected' })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'note' }] });
    expect(await d.send('supervisor.press', 'sop.transition', { id, from: 'open', to: 'rejected', note: 'Shared aisle' })).toMatchObject({ status: 'applied' });
    expect((await ticket(id)).status).toBe('rejected');
    expect((await notesOf('operator.paint')).map((n) => n.kind)).toContain('sop_returned');
  });

  it('the NCR flow: submitting with an empty root cause is refused at the field; the owner cannot approve; approved, the ticket closes', async () => {
    const id = await raise();
    await d.send('supervisor.press', 'sop.transition', { id, from: 'open', to: 'acknowledged' });
    // An operator cannot open an NCR; Press's supervisor can.
    expect(await d.send('operator.press', 'ncr.create', { id: uuidv7(), sourceType: 'sop', sourceId: id })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    const ncrId = uuidv7();
    expect(await d.send('supervisor.press', 'ncr.create', { id: ncrId, sourceType: 'sop', sourceId: id, quantityAffected: 40 })).toMatchObject({ status: 'applied' });
    const draft = await ncr(ncrId);
    expect(draft).toMatchObject({ number: 'NCR-000002', status: 'draft', what: expect.stringContaining('SOP-PRS-001') });
    expect((await ticket(id)).status).toBe('ncr_required'); // opening the NCR is asking for it
    const ownerId = (await userByName(h, 'supervisor.press')).id;
    const fill = { containment: 'Quarantined 40 brackets', correctiveAction: 'Deburr the batch', preventiveAction: 'First-off check on the checklist', ownerId, dueDate: '2030-01-31' };
    expect(await d.send('supervisor.press', 'ncr.update', { id: ncrId, base: { containment: '', correctiveAction: '', preventiveAction: '', ownerId: null, dueDate: null }, changes: fill })).toMatchObject({ status: 'applied' });
    const empty = await d.send('supervisor.press', 'ncr.transition', { id: ncrId, from: 'draft', to: 'submitted' });
    expect(empty).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'rootCause', message: 'is required to submit' }] });
    expect((await ncr(ncrId)).status).toBe('draft');
    await d.send('supervisor.press', 'ncr.update', { id: ncrId, base: { rootCause: '' }, changes: { rootCause: 'No first-off inspection after the die change' } });
    expect(await d.send('supervisor.press', 'ncr.transition', { id: ncrId, from: 'draft', to: 'submitted' })).toMatchObject({ status: 'applied' });
    expect((await notesOf('manager')).map((n) => n.kind)).toContain('ncr_waiting'); // the head owns it: the managers approve
    // The owner (here the head) may not approve their own NCR.
    const own = await d.send('supervisor.press', 'ncr.transition', { id: ncrId, from: 'submitted', to: 'approved' });
    expect(own).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(own.message).toMatch(/owner/);
    expect(await d.send('manager', 'ncr.transition', { id: ncrId, from: 'submitted', to: 'returned' })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'note' }] });
    expect(await d.send('manager', 'ncr.transition', { id: ncrId, from: 'submitted', to: 'returned', note: 'Name the gauge' })).toMatchObject({ status: 'applied' });
    expect((await ncr(ncrId))).toMatchObject({ status: 'returned', returnNote: 'Name the gauge' });
    expect((await notesOf('supervisor.press')).map((n) => n.kind)).toContain('ncr_returned');
    await d.send('supervisor.press', 'ncr.update', { id: ncrId, base: { rootCause: 'No first-off inspection after the die change' }, changes: { rootCause: 'No first-off inspection: gauge G-12 was at calibration' } });
    expect(await d.send('supervisor.press', 'ncr.transition', { id: ncrId, from: 'returned', to: 'submitted' })).toMatchObject({ status: 'applied' });
    expect(await d.send('manager', 'ncr.transition', { id: ncrId, from: 'submitted', to: 'approved' })).toMatchObject({ status: 'applied' });
    const approved = await ncr(ncrId);
    expect(approved.approvedBy).toBe((await userByName(h, 'manager')).id);
    expect((await ticket(id)).status).toBe('ncr_submitted');
    // The approval made the corrective and preventive actions as CAPA rows, owned by the NCR's owner, who is told.
    const actions = await h.deps.db.selectFrom('correctiveActions').selectAll().where('sourceType', '=', 'ncr').where('sourceId', '=', ncrId).orderBy('number').execute();
    expect(actions.map((a) => [a.description.split(' ')[0], a.ownerId, a.dueDate, a.status])).toEqual([['Corrective', ownerId, '2030-01-31', 'open'], ['Preventive', ownerId, '2030-01-31', 'open']]);
    expect((await notesOf('supervisor.press')).filter((n) => n.kind === 'action_assigned').map((n) => n.entityId).sort()).toEqual(actions.map((a) => a.id).sort());
    // An approved NCR is no longer edited.
    expect(await d.send('supervisor.press', 'ncr.update', { id: ncrId, base: { containment: fill.containment }, changes: { containment: 'x' } })).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect(await d.send('operator.press', 'sop.transition', { id, from: 'ncr_submitted', to: 'closed' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(await d.send('supervisor.press', 'sop.transition', { id, from: 'ncr_submitted', to: 'closed' })).toMatchObject({ status: 'applied' });
    const closed = await ticket(id);
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).not.toBeNull();
    expect(JSON.parse(closed.history).map((e: { kind: string }) => e.kind)).toEqual(['raised', 'transition', 'ncr_created', 'ncr_submitted', 'ncr_returned', 'ncr_submitted', 'ncr_approved', 'transition']);
  });
});

describe('NCR edits from two devices', () => {
  it('merge field by field: a field changed since the device saw it is a conflict that keeps the server\'s value', async () => {
    const ncrRow = await h.deps.db.selectFrom('ncrReports').selectAll().executeTakeFirstOrThrow(); // the seeded draft
    const a = await d.send('supervisor.press', 'ncr.update', { id: ncrRow.id, base: { containment: ncrRow.containment }, changes: { containment: 'Held 3 pallets' } });
    expect(a.status).toBe('applied');
    const b = await d.send('operator.press', 'ncr.update', { id: ncrRow.id, base: { containment: ncrRow.containment, quantityAffected: 1200 }, changes: { containment: 'Held 2 pallets', quantityAffected: 1300 } });
    expect(b).toMatchObject({ status: 'conflict', conflicts: [{ field: 'containment', mine: 'Held 2 pallets', theirs: 'Held 3 pallets' }] });
    expect(await ncr(ncrRow.id)).toMatchObject({ containment: 'Held 3 pallets', quantityAffected: 1300 });
  });
});

describe('notifications', () => {
  it('a user marks their own notification read; another user\'s reads as not found', async () => {
    await raise();
    const [n] = await notesOf('supervisor.press');
    expect(n.status).toBe('unread');
    expect(await d.send('manager', 'notification.read', { id: n.id })).toMatchObject({ status: 'rejected', code: 'not_found' });
    expect(await d.send('supervisor.press', 'notification.read', { id: n.id })).toMatchObject({ status: 'applied' });
    expect((await oneRow(h, 'notifications', { id: n.id })).status).toBe('read');
    // Each user pulls only their own.
    const r = await h.call('GET', `/api/sync/pull?clientId=${uuidv7()}&limit=1000`, { token: await tokenFor(h, 'admin') });
    expect(r.body.changes.filter((c: { table: string }) => c.table === 'notifications')).toEqual([]);
  });
});

describe('the escalation job', () => {
  it('a ticket past its due time climbs to the head once, audited as the system; one not due stays', async () => {
    const due = await raise('critical');
    const notDue = await raise('low');
    const t = await ticket(due);
    const at = minutesLater(t.dueAt, 1);
    expect(await escalationJob.run(h.deps, at)).toBe(1);
    expect(await escalationJob.run(h.deps, at)).toBe(0);
    const head = await userByName(h, 'supervisor.press');
    expect(await ticket(due)).toMatchObject({ escalationLevel: 1, escalatedToId: head.id, escalatedAt: at.toISOString() });
    expect((await ticket(notDue)).escalationLevel).toBe(0);
    expect((await notesOf('supervisor.press')).filter((n) => n.kind === 'sop_escalated' && n.entityId === due)).toHaveLength(1);
    const audit = (await auditRows(h, 'sop.escalate')).filter((a) => a.entityId === due);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'applied', userId: null, username: 'system', message: expect.stringMatching(/escalated by the system/) });
    // The change reaches devices through pull.
    const r = await h.call('GET', `/api/sync/pull?clientId=${uuidv7()}&limit=1000`, { token: await tokenFor(h, 'operator.paint') });
    expect(r.body.changes.find((c: { id: string }) => c.id === due).row).toMatchObject({ escalationLevel: 1 });
  });

  it('after sop.escalateAfterMinutes more without an NCR the ticket climbs to the managers; with an NCR submitted it does not', async () => {
    const admin = await tokenFor(h, 'admin');
    expect((await h.call('PUT', '/api/admin/config/sop.escalateAfterMinutes', { token: admin, body: { value: 30 } })).status).toBe(200);
    const a = await raise('critical');
    const b = await raise('critical');
    const at = minutesLater((await ticket(a)).dueAt, 1);
    await escalationJob.run(h.deps, at);
    // b gets a submitted NCR.
    const ncrId = uuidv7();
    await d.send('supervisor.press', 'ncr.create', { id: ncrId, sourceType: 'sop', sourceId: b, what: 'SOP-PRS-001', containment: 'c', rootCause: 'r', correctiveAction: 'ca', preventiveAction: 'pa', ownerId: (await userByName(h, 'operator.press')).id, dueDate: '2030-01-01' });
    expect(await d.send('supervisor.press', 'ncr.transition', { id: ncrId, from: 'draft', to: 'submitted' })).toMatchObject({ status: 'applied' });
    expect(await escalationJob.run(h.deps, minutesLater(at.toISOString(), 29))).toBe(0);
    expect(await escalationJob.run(h.deps, minutesLater(at.toISOString(), 31))).toBe(1);
    expect((await ticket(a)).escalationLevel).toBe(2);
    expect((await ticket(b)).escalationLevel).toBe(1);
    expect((await notesOf('manager')).filter((n) => n.kind === 'sop_escalated' && n.entityId === a)).toHaveLength(1);
  });

  it('a department without a head escalates to the managers', async () => {
    await h.deps.db.updateTable('departments').set({ hodUserId: null }).where('code', '=', 'PRS').execute();
    const id = await raise('critical');
    await escalationJob.run(h.deps, minutesLater((await ticket(id)).dueAt, 1));
    expect(await ticket(id)).toMatchObject({ escalationLevel: 1, escalatedToId: null });
    expect((await notesOf('manager')).filter((n) => n.kind === 'sop_escalated' && n.entityId === id)).toHaveLength(1);
    expect((await notesOf('supervisor.press')).filter((n) => n.kind === 'sop_escalated' && n.entityId === id)).toHaveLength(0);
  });

  it('a server that was down past a due time escalates on its first pass after start', async () => {
    const id = await raise('critical');
    // Pretend the ticket fell due two hours ago while no server ran.
    await h.deps.db.updateTable('sopTickets').set({ dueAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }).where('id', '=', id).execute();
    const jobs = startJobs(h.deps, [escalationJob]);
    try {
      await jobs.runAll();
    } finally {
      jobs.stop();
    }
    expect((await ticket(id)).escalationLevel).toBe(1);
  });

  it('two processes passing at once escalate a due ticket exactly once', async () => {
    const ids = [await raise('critical'), await raise('critical'), await raise('critical')];
    const at = minutesLater((await ticket(ids[2])).dueAt, 1);
    // On MariaDB a second process: its own connection pool to the same database. (SQLite serves one
    // process only, docs/architecture.md "Scaling": there the passes overlap within one.)
    const other = h.deps.dialect === 'mysql' ? openDatabase(h.deps.env.DATABASE_URL) : null;
    const otherDeps: Deps = other ? { ...h.deps, db: other.db, dialect: other.dialect } : h.deps;
    try {
      const steps = await Promise.all([escalationJob.run(h.deps, at), escalationJob.run(otherDeps, at), escalationJob.run(h.deps, at), escalationJob.run(otherDeps, at)]);
      expect(steps.reduce((s, n) => s + n, 0)).toBe(3);
    } finally {
      await other?.close();
    }
    for (const id of ids) {
      expect((await ticket(id)).escalationLevel).toBe(1);
      expect((await auditRows(h, 'sop.escalate')).filter((a) => a.entityId === id)).toHaveLength(1);
      expect((await notesOf('supervisor.press')).filter((n) => n.kind === 'sop_escalated' && n.entityId === id)).toHaveLength(1);
    }
  });
});

describe('the SOP config and report', () => {
  it('the admin config refuses a negative number and keeps the old value', async () => {
    const admin = await tokenFor(h, 'admin');
    const neg = await h.call('PUT', '/api/admin/config/sop.responseMinutes', { token: admin, body: { value: { critical: -5, high: 240, medium: 1440, low: 4320 } } });
    expect(neg.status).toBe(400);
    expect(neg.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'value.critical' }] });
    expect(neg.body.error.message).toMatch(/not negative/);
    const after = await h.call('PUT', '/api/admin/config/sop.escalateAfterMinutes', { token: admin, body: { value: -1 } });
    expect(after.status).toBe(400);
    const list = await h.call('GET', '/api/admin/config', { token: admin });
    expect(list.body.items.find((i: { key: string }) => i.key === 'sop.responseMinutes').value.critical).toBe(60);
    // A valid change is used by the next ticket.
    expect((await h.call('PUT', '/api/admin/config/sop.responseMinutes', { token: admin, body: { value: { critical: 1, high: 2, medium: 3, low: 4 } } })).status).toBe(200);
    const at = new Date().toISOString();
    const id = uuidv7();
    await d.send('operator.paint', 'sop.raise', { id, sopId: (await sop('SOP-PRS-001')).id, againstDepartmentId: (await dept('PRS')).id, severity: 'critical', description: 'x' }, at);
    expect(Date.parse((await ticket(id)).dueAt)).toBe(Date.parse(at) + 60_000);
    expect((await auditRows(h, 'admin.config.update')).map((a) => a.after.key)).toEqual(['sop.responseMinutes']);
  });

  it('the report counts tickets by department, SOP and severity with on-time response and escalations', async () => {
    const id = await raise('critical');
    await d.send('supervisor.press', 'sop.transition', { id, from: 'open', to: 'acknowledged' });
    const r = await h.call('GET', '/api/reports/sop', { token: await tokenFor(h, 'manager') });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(6);
    const press = r.body.byDepartment.find((x: { code: string }) => x.code === 'PRS');
    expect(press).toMatchObject({ tickets: 4, escalations: 1 });
    expect(r.body.bySop.find((x: { code: string }) => x.code === 'SOP-PRS-001').tickets).toBe(4);
    expect(r.body.bySeverity.find((x: { severity: string }) => x.severity === 'critical').tickets).toBe(2);
    expect(r.body.onTimeResponsePct).toBeGreaterThan(0);
    const bad = await h.call('GET', '/api/reports/sop?from=2026-02-01&to=2026-01-01', { token: await tokenFor(h, 'manager') });
    expect(bad.status).toBe(400);
  });
});
