// The holes a probe of the running server found (issue 8): each one pushed as an attacker or a
// careless device would, on SQLite and on MariaDB.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { MUTATIONS } from '../../sync/mutations';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, countAll, expectCleanError, tokenFor } from '../../tests/setup/helpers';
import { byName } from '../db/db';

const h = useHarness();

const m = (seq: number, name: string, args: Record<string, unknown>, at = new Date().toISOString()) => ({ id: uuidv7(), seq, name, args, at });
const one = (table: string, where: Record<string, unknown>) => {
  let q = byName(h.deps.db).selectFrom(table).selectAll();
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  return q.executeTakeFirstOrThrow();
};
const WRITTEN = ['orders', 'orderItems', 'stages', 'jobEvents', 'rejects', 'maintenanceTickets', 'maintenanceEvents', /* quality */ 'correctiveActions', 'customerReturns', /* maintenance */ 'preventivePlans'] as const;

async function pushAs(username: string, mutations: unknown[], clientId = uuidv7()) {
  return h.call('POST', '/api/sync/push', { token: await tokenFor(h, username), body: { clientId, schemaVersion: 1, mutations } });
}
async function results(username: string, mutations: unknown[]) {
  const r = await pushAs(username, mutations);
  expect(r.status).toBe(200);
  return r.body.results as { status: string; code?: string; message?: string }[];
}

describe('order moves are the stage mutators\' to make', () => {
  it('an operator or supervisor cannot start or complete an order by hand, and a planner cannot complete one with stages not done', async () => {
    const order = await one('orders', { customerName: 'Atlas Copco' }); // in progress, Press stage running, later stages pending
    const before = await countAll(h, WRITTEN);
    for (const user of ['operator.press', 'supervisor.press']) {
      const [r] = await results(user, [m(1, 'order.transition', { id: order.id, from: 'in_progress', to: 'completed' })]);
      expect(r).toMatchObject({ status: 'rejected', code: 'forbidden' });
    }
    const [mgr] = await results('manager', [m(1, 'order.transition', { id: order.id, from: 'in_progress', to: 'completed' })]);
    expect(mgr).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect(mgr.message).toMatch(/stages? (is|are) not done/);
    expect((await one('orders', { id: order.id })).status).toBe('in_progress');
    expect(await countAll(h, WRITTEN)).toEqual(before);

    const released = await h.deps.db.selectFrom('orders').selectAll().where('status', '=', 'released').executeTakeFirstOrThrow();
    const [start] = await results('operator.paint', [m(1, 'order.transition', { id: released.id, from: 'released', to: 'in_progress' })]);
    expect(start.status).toBe('rejected');
    expect((await one('orders', { id: released.id })).status).toBe('released');
  });

  it('the stages of a cancelled order cannot be started', async () => {
    const order = await h.deps.db.selectFrom('orders').selectAll().where('status', '=', 'released').executeTakeFirstOrThrow();
    const stage = await h.deps.db.selectFrom('stages').selectAll().where('orderId', '=', order.id).where('status', '=', 'ready').executeTakeFirstOrThrow();
    const [cancel] = await results('manager', [m(1, 'order.transition', { id: order.id, from: 'released', to: 'cancelled' })]);
    expect(cancel.status).toBe('applied');
    const [start] = await results('manager', [m(1, 'stage.transition', { id: stage.id, from: 'ready', to: 'running' })]);
    expect(start).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect((await one('orders', { id: order.id })).status).toBe('cancelled');
    expect((await one('stages', { id: stage.id })).status).toBe('ready');
  });
});

describe('every reference a create carries is checked', () => {
  it('a Press operator cannot log a reject on a Paint machine, on a Paint stage, or against a made-up product', async () => {
    const paintMachine = await one('machines', { code: 'PNT-01' });
    const pressMachine = await one('machines', { code: 'PRS-01' });
    const paintStage = await one('stages', { name: 'Powder coat' });
    const defect = await one('defectCodes', { code: 'BURR' });
    const before = await countAll(h, WRITTEN);
    const r = await results('operator.press', [
      m(1, 'reject.create', { id: uuidv7(), machineId: paintMachine.id, defectCodeId: defect.id, quantity: 3, stageId: paintStage.id }),
      m(2, 'reject.create', { id: uuidv7(), machineId: pressMachine.id, defectCodeId: defect.id, quantity: 3, stageId: paintStage.id }),
      m(3, 'reject.create', { id: uuidv7(), machineId: pressMachine.id, defectCodeId: defect.id, quantity: 3, productId: uuidv7() }),
      m(4, 'reject.create', { id: uuidv7(), machineId: uuidv7(), defectCodeId: defect.id, quantity: 3 }),
      m(5, 'reject.create', { id: uuidv7(), machineId: pressMachine.id, defectCodeId: uuidv7(), quantity: 3 }),
    ]);
    expect(r.map((x) => [x.status, x.code])).toEqual([
      ['rejected', 'forbidden'], ['rejected', 'not_found'], ['rejected', 'not_found'], ['rejected', 'not_found'], ['rejected', 'not_found'],
    ]);
    expect(await countAll(h, WRITTEN)).toEqual(before);
  });

  it('a reject on a stage must agree with its order and product, and a count far beyond the order is refused', async () => {
    const pressStage = await one('stages', { name: 'Blank and form', status: 'running' });
    const item = await one('orderItems', { id: pressStage.orderItemId });
    const otherOrder = await h.deps.db.selectFrom('orders').select('id').where('id', '!=', pressStage.orderId).executeTakeFirstOrThrow();
    const machine = await one('machines', { code: 'PRS-01' });
    const defect = await one('defectCodes', { code: 'BURR' });
    const base = { machineId: machine.id, defectCodeId: defect.id, stageId: pressStage.id };
    const before = await countAll(h, WRITTEN);
    const r = await results('operator.press', [
      m(1, 'reject.create', { id: uuidv7(), ...base, quantity: 3, orderId: otherOrder.id }),
      m(2, 'reject.create', { id: uuidv7(), ...base, quantity: 999_999 }),
    ]);
    expect(r.map((x) => [x.status, x.code])).toEqual([['rejected', 'validation_failed'], ['rejected', 'validation_failed']]);
    expect(await countAll(h, WRITTEN)).toEqual(before);
    const id = uuidv7();
    const [ok] = await results('operator.press', [m(1, 'reject.create', { id, ...base, quantity: 3 })]);
    expect(ok.status).toBe('applied');
    expect(await one('rejects', { id })).toMatchObject({ orderId: pressStage.orderId, productId: item.productId, departmentId: machine.departmentId });
  });

  it('a stage is never put on another department\'s machine or a machine that does not exist, with or without a time', async () => {
    const stage = await one('stages', { name: 'Blank and form', status: 'running' });
    const paintMachine = await one('machines', { code: 'PNT-01' });
    const r = await results('supervisor.press', [
      m(1, 'stage.schedule', { id: stage.id, machineId: paintMachine.id, scheduledStart: null }),
      m(2, 'stage.schedule', { id: stage.id, machineId: uuidv7(), scheduledStart: null }),
    ]);
    expect(r.map((x) => [x.status, x.code])).toEqual([['rejected', 'validation_failed'], ['rejected', 'not_found']]);
    expect((await one('stages', { id: stage.id })).machineId).toBe(stage.machineId);
  });

  it('anyone may raise a maintenance request on any machine and keeps seeing it; a supervisor cannot move it to another department', async () => {
    const paintMachine = await one('machines', { code: 'PNT-01' });
    const id = uuidv7();
    const [raised] = await results('operator.press', [m(1, 'maintenance.create', { id, machineId: paintMachine.id, type: 'corrective', priority: 2, description: 'Paint booth fan is smoking' })]);
    expect(raised.status).toBe('applied');
    const pull = await h.call('GET', `/api/sync/pull?clientId=${uuidv7()}`, { token: await tokenFor(h, 'operator.press') });
    expect(pull.body.changes.some((c: { id: string }) => c.id === id)).toBe(true);
    const pressTicket = await h.deps.db.selectFrom('maintenanceTickets').selectAll().where('departmentId', '=', (await one('departments', { code: 'PRS' })).id).executeTakeFirstOrThrow();
    const [moved] = await results('supervisor.press', [m(1, 'maintenance.update', { id: pressTicket.id, base: { machineId: pressTicket.machineId }, changes: { machineId: paintMachine.id } })]);
    expect(moved).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await one('maintenanceTickets', { id: pressTicket.id })).machineId).toBe(pressTicket.machineId);
  });
});

describe('a taken id is the device\'s mistake, never a 500 that freezes its queue', () => {
  it('every create and event mutation sent with an id that exists is rejected as already_exists, and the next mutation applies', async () => {
    const stage = await one('stages', { name: 'Blank and form', status: 'running' });
    const machine = await one('machines', { code: 'PRS-01' });
    const defect = await one('defectCodes', { code: 'BURR' });
    const product = await one('products', { sku: 'CLP-400' });
    const ticket = await h.deps.db.selectFrom('maintenanceTickets').selectAll().executeTakeFirstOrThrow();
    const event = { id: uuidv7() };
    const mEvent = { id: uuidv7() };
    const hold = { id: uuidv7() };
    // quality (CAPA)
    const action = { id: uuidv7() };
    const ret = { id: uuidv7(), customerName: 'Volvo', productId: product.id, quantity: 2, reason: 'Cracked' };
    const anyReject = await h.deps.db.selectFrom('rejects').selectAll().executeTakeFirstOrThrow();
    const admin = await one('users', { username: 'admin' });
    const made = await results('admin', [
      m(1, 'job.progress', { id: event.id, stageId: stage.id, goodQty: 1, rejectQty: 0 }),
      m(2, 'maintenance.comment', { id: mEvent.id, ticketId: ticket.id, note: 'first' }),
      m(3, 'holdRequest.create', { id: hold.id, orderId: stage.orderId, reason: 'first' }),
      m(4, 'action.create', { id: action.id, sourceType: 'reject', sourceId: anyReject.id, description: 'first', ownerId: admin.id, dueDate: '2030-01-01' }),
      m(5, 'return.create', ret),
    ]);
    expect(made.map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    const reject = await h.deps.db.selectFrom('rejects').selectAll().executeTakeFirstOrThrow();
    const order = await one('orders', { customerName: 'Atlas Copco' });
    const plan = await one('preventivePlans', {}); // maintenance (issue 13): the demo plans
    const taken: Record<string, Record<string, unknown>> = {
      'job.progress': { id: event.id, stageId: stage.id, goodQty: 1, rejectQty: 0 },
      'job.downtime': { id: event.id, stageId: stage.id, reason: 'breakdown', minutes: 5 },
      'reject.create': { id: reject.id, machineId: machine.id, defectCodeId: defect.id, quantity: 1 },
      'job.correction': { id: event.id, stageId: stage.id, goodQty: -1, rejectQty: 0, reason: 'typo' },
      'holdRequest.create': { id: hold.id, orderId: stage.orderId, reason: 'again' },
      'maintenance.create': { id: ticket.id, machineId: machine.id, type: 'corrective', priority: 3, description: 'again' },
      'maintenance.comment': { id: mEvent.id, ticketId: ticket.id, note: 'again' },
      'order.create': { id: order.id, customerName: 'Again', dueDate: '2030-01-01', items: [{ id: uuidv7(), productId: product.id, quantity: 5 }] },
      // quality (CAPA)
      'action.create': { id: action.id, sourceType: 'reject', sourceId: anyReject.id, description: 'again', ownerId: admin.id, dueDate: '2030-01-01' },
      // quality (returns)
      'return.create': { ...ret, reason: 'again' },
      // SOP compliance (issue 12)
      'sop.raise': { id: (await h.deps.db.selectFrom('sopTickets').select('id').executeTakeFirstOrThrow()).id, sopId: uuidv7(), againstDepartmentId: machine.departmentId, severity: 'low', description: 'again' },
      'ncr.create': { id: (await h.deps.db.selectFrom('ncrReports').select('id').executeTakeFirstOrThrow()).id, sourceType: 'sop', sourceId: uuidv7() },
      // maintenance (issue 13)
      'maintenance.tick': { id: mEvent.id, ticketId: ticket.id, item: 0 },
      'plan.create': { id: plan.id, machineId: machine.id, task: 'again', intervalDays: 7 },
      'plan.due': { id: ticket.id, planId: plan.id, dueAt: plan.nextDueAt },
    };
    // A new create or event mutation fails this test until it is listed above.
    const creates = [...MUTATIONS.values()].filter((d) => d.kind === 'create' || d.kind === 'event').map((d) => d.name).sort();
    expect(Object.keys(taken).sort()).toEqual(creates);
    const newStage = uuidv7();
    const nested = [
      // An order whose item reuses an existing item's id, one whose stage reuses a stage's id, and one
      // with the same new id twice (only the database's own key catches that one).
      { id: uuidv7(), customerName: 'Item id', dueDate: '2030-01-01', items: [{ id: stage.orderItemId, productId: product.id, quantity: 5 }] },
      { id: uuidv7(), customerName: 'Stage id', dueDate: '2030-01-01', items: [{ id: uuidv7(), productId: product.id, quantity: 5, stages: [{ id: stage.id, name: 'X', departmentId: stage.departmentId, plannedMinutes: 5 }] }] },
      { id: uuidv7(), customerName: 'Twice', dueDate: '2030-01-01', items: [{ id: uuidv7(), productId: product.id, quantity: 5, stages: [
        { id: newStage, name: 'A', departmentId: stage.departmentId, plannedMinutes: 5 }, { id: newStage, name: 'B', departmentId: stage.departmentId, plannedMinutes: 5 },
      ] }] },
    ];
    const before = await countAll(h, WRITTEN);
    const mutations = [...Object.entries(taken).map(([name, args], i) => m(i + 1, name, args)), ...nested.map((args, i) => m(Object.keys(taken).length + 1 + i, 'order.create', args))];
    const r = await pushAs('admin', mutations);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { code?: string }) => x.code)).toEqual(Array(mutations.length).fill('already_exists'));
    expect(r.body.lastSeq).toBe(mutations.length);
    expect(await countAll(h, WRITTEN)).toEqual(before);
    expect((await auditRows(h)).filter((a) => a.code === 'already_exists')).toHaveLength(mutations.length);
  });
});

describe('bodies and args are bounded before anything recursive', () => {
  it('a push nested 20,000 levels deep answers 400 and a mutation with args nested 20 levels is rejected and audited', async () => {
    const clientId = uuidv7();
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const raw = JSON.stringify({ clientId, schemaVersion: 1, mutations: [m(1, 'reject.create', { id: uuidv7(), x: 'DEEP' })] }).replace('"DEEP"', deep);
    const huge = await h.call('POST', '/api/sync/push', { token: await tokenFor(h, 'operator.press'), raw, headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(400);
    expectCleanError(huge.body, 'validation_failed');
    let twenty: unknown = 1;
    for (let i = 0; i < 20; i++) twenty = { a: twenty };
    const r = await pushAs('operator.press', [m(1, 'reject.create', { id: uuidv7(), x: twenty })], clientId);
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(r.body.lastSeq).toBe(1);
  });
});

describe('a push that stops early says what it committed', () => {
  it('a seq gap after two applied mutations answers 409 with the expected seq and the two results', async () => {
    const stage = await one('stages', { name: 'Blank and form', status: 'running' });
    const clientId = uuidv7();
    const a = m(1, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0 });
    const b = m(2, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 2, rejectQty: 0 });
    const r = await pushAs('operator.press', [a, b, m(5, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 3, rejectQty: 0 })], clientId);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('seq_gap');
    expect(r.body.error.details[0]).toMatchObject({ expected: 3, lastSeq: 2, results: [{ id: a.id, seq: 1, status: 'applied' }, { id: b.id, seq: 2, status: 'applied' }] });
    expect((await one('stages', { id: stage.id })).goodQty).toBe(stage.goodQty + 3);
  });
});

describe('one date and one timestamp rule for every mutation', () => {
  it('impossible dates and times are refused, not rolled over, and a year-9999 slot is refused', async () => {
    const product = await one('products', { sku: 'CLP-400' });
    const stage = await one('stages', { name: 'Blank and form', status: 'running' });
    const machine = await one('machines', { code: 'PRS-01' });
    const before = await countAll(h, WRITTEN);
    const r = await results('admin', [
      m(1, 'order.create', { id: uuidv7(), customerName: 'Feb', dueDate: '2027-02-31', items: [{ id: uuidv7(), productId: product.id, quantity: 5 }] }),
      m(2, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0 }, '2026-02-31T10:00:00.000Z'),
      m(3, 'stage.schedule', { id: stage.id, machineId: machine.id, scheduledStart: '9999-01-04T06:00:00.000Z' }),
      m(4, 'stage.schedule', { id: stage.id, machineId: machine.id, scheduledStart: '+010000-01-01T06:00:00.000Z' }),
      m(5, 'stage.schedule', { id: stage.id, machineId: machine.id, scheduledStart: '2026-12-02T25:00:00.000Z' }),
    ]);
    expect(r.map((x) => [x.status, x.code])).toEqual(Array(5).fill(['rejected', 'validation_failed']));
    expect(await countAll(h, WRITTEN)).toEqual(before);
    expect((await one('stages', { id: stage.id })).scheduledStart).toBe(stage.scheduledStart);
  });

  it('a rejected mutation is audited with the device time in UTC, as an applied one is', async () => {
    const clientId = uuidv7();
    const r = await pushAs('operator.press', [m(1, 'stage.transition', { id: uuidv7(), from: 'ready', to: 'running' }, '2026-11-25T09:00:00.123-05:00')], clientId);
    expect(r.body.results[0].status).toBe('rejected');
    const [audit] = (await auditRows(h, 'stage.transition')).filter((a) => a.clientId === clientId);
    expect(audit.clientAt).toBe('2026-11-25T14:00:00.123Z');
  });
});
