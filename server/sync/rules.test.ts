// Rules of the mutators that had no test of their own: order edits, reject approval and closing,
// SLA due times, downtime totals. Pushed as a device would, on SQLite and on MariaDB.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { DEFAULT_SLA } from '../../sync/mutations';
import { byName } from '../db/db';
import { useHarness } from '../../tests/setup/harness';
import { tokenFor } from '../../tests/setup/helpers';

const h = useHarness();

const devices = new Map<string, { clientId: string; seq: number }>();
beforeEach(() => devices.clear());
async function send(username: string, name: string, args: Record<string, unknown>, at = new Date().toISOString()) {
  const d = devices.get(username) ?? { clientId: uuidv7(), seq: 0 };
  devices.set(username, d);
  d.seq += 1;
  const r = await h.call('POST', '/api/sync/push', { token: await tokenFor(h, username), body: { clientId: d.clientId, schemaVersion: 1, mutations: [{ id: uuidv7(), seq: d.seq, name, args, at }] } });
  expect(r.status).toBe(200);
  return r.body.results[0] as { status: string; code?: string; message?: string; conflicts?: { field: string }[]; details?: { field: string }[] };
}
const one = (table: string, where: Record<string, unknown>) => {
  let q = byName(h.deps.db).selectFrom(table).selectAll();
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  return q.executeTakeFirstOrThrow();
};

describe('order edits', () => {
  it('a planner edits an order field by field; an edit from a stale view conflicts and keeps the newer value', async () => {
    const order = await one('orders', { customerName: 'Husqvarna' });
    const first = await send('manager', 'order.update', { id: order.id, base: { dueDate: order.dueDate, priority: order.priority }, changes: { dueDate: '2030-06-30', priority: 1 } });
    expect(first.status).toBe('applied');
    const stale = await send('admin', 'order.update', { id: order.id, base: { dueDate: order.dueDate, notes: order.notes }, changes: { dueDate: '2030-07-31', notes: 'Ship in two lots' } });
    expect(stale.status).toBe('conflict');
    expect(stale.conflicts?.map((c) => c.field)).toEqual(['dueDate']);
    expect(await one('orders', { id: order.id })).toMatchObject({ dueDate: '2030-06-30', priority: 1, notes: 'Ship in two lots', version: order.version + 2 });
    const operator = await send('operator.press', 'order.update', { id: order.id, base: { priority: 1 }, changes: { priority: 4 } });
    expect(operator).toMatchObject({ status: 'rejected', code: 'forbidden' });
  });
});

describe('reject review', () => {
  it('approval needs a disposition and closing needs a root cause; with them the reject is approved and closed', async () => {
    const reject = await h.deps.db.selectFrom('rejects').selectAll().where('status', '=', 'open').executeTakeFirstOrThrow();
    expect((await send('admin', 'reject.transition', { id: reject.id, from: 'open', to: 'under_review' })).status).toBe('applied');
    const bare = await send('manager', 'reject.transition', { id: reject.id, from: 'under_review', to: 'approved' });
    expect(bare).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(bare.details?.[0].field).toBe('disposition');
    expect((await one('rejects', { id: reject.id })).status).toBe('under_review');
    expect((await send('manager', 'reject.transition', { id: reject.id, from: 'under_review', to: 'approved', disposition: 'scrap' })).status).toBe('applied');
    const noCause = await send('manager', 'reject.transition', { id: reject.id, from: 'approved', to: 'closed' });
    expect(noCause).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(noCause.details?.[0].field).toBe('rootCause');
    expect((await send('manager', 'reject.transition', { id: reject.id, from: 'approved', to: 'closed', rootCause: 'Worn punch' })).status).toBe('applied');
    expect(await one('rejects', { id: reject.id })).toMatchObject({ status: 'closed', disposition: 'scrap', rootCause: 'Worn punch' });
  });
});

describe('maintenance SLA', () => {
  it('a request gets its response and resolution due times from its priority, counted from when it was raised', async () => {
    const machine = await one('machines', { code: 'PRS-01' });
    const raisedAt = new Date(Date.now() - 10 * 60_000).toISOString(); // raised offline ten minutes ago
    for (const priority of [1, 4]) {
      const id = uuidv7();
      expect((await send('operator.press', 'maintenance.create', { id, machineId: machine.id, type: 'corrective', priority, description: `P${priority} fault` }, raisedAt)).status).toBe('applied');
      const t = await one('maintenanceTickets', { id });
      const target = DEFAULT_SLA[String(priority)];
      expect(Date.parse(t.responseDueAt) - Date.parse(raisedAt)).toBe(target.responseHours * 3_600_000);
      expect(Date.parse(t.resolutionDueAt) - Date.parse(raisedAt)).toBe(target.resolutionHours * 3_600_000);
    }
  });
});

describe('downtime totals', () => {
  it('downtime events from two devices both add to the stage total, and a day is the most one event may hold', async () => {
    const stage = await one('stages', { name: 'Blank and form', status: 'running' });
    expect((await send('operator.press', 'job.downtime', { id: uuidv7(), stageId: stage.id, reason: 'changeover', minutes: 25 })).status).toBe('applied');
    expect((await send('supervisor.press', 'job.downtime', { id: uuidv7(), stageId: stage.id, reason: 'no_material', minutes: 40 })).status).toBe('applied');
    const tooLong = await send('operator.press', 'job.downtime', { id: uuidv7(), stageId: stage.id, reason: 'breakdown', minutes: 5000 });
    expect(tooLong).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(Number((await one('stages', { id: stage.id })).downtimeMinutes)).toBe(Number(stage.downtimeMinutes) + 65);
  });
});

describe('finished stages are history', () => {
  it('a done stage cannot be renamed, re-timed or rescheduled, by anyone', async () => {
    const stage = await h.deps.db.selectFrom('stages').selectAll().where('status', '=', 'done').executeTakeFirstOrThrow();
    const edit = await send('manager', 'stage.update', { id: stage.id, base: { plannedMinutes: stage.plannedMinutes }, changes: { plannedMinutes: 5 } });
    expect(edit).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    const machine = await h.deps.db.selectFrom('machines').selectAll().where('departmentId', '=', stage.departmentId).executeTakeFirstOrThrow();
    const slot = await send('admin', 'stage.schedule', { id: stage.id, machineId: machine.id, scheduledStart: '2030-01-02T06:00:00.000Z' });
    expect(slot).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect(await one('stages', { id: stage.id })).toMatchObject({ plannedMinutes: stage.plannedMinutes, version: stage.version });
  });
});
