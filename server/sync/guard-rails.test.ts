// Shop-floor guard rails (issue 10): no one-tap irreversible mistakes, counts that can be corrected,
// one job per machine, hold requests from the floor. The rules live in sync/ and are checked here
// through real pushes, on SQLite and on MariaDB.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { byName } from '../db/db';
import { useHarness } from '../../tests/setup/harness';
import { tokenFor } from '../../tests/setup/helpers';

const h = useHarness();

type Result = { status: string; code?: string; message?: string; details?: { field: string; code?: string }[] };
const devices = new Map<string, { clientId: string; seq: number }>();
beforeEach(() => devices.clear());
async function send(username: string, name: string, args: Record<string, unknown>): Promise<Result> {
  const d = devices.get(username) ?? { clientId: uuidv7(), seq: 0 };
  devices.set(username, d);
  d.seq += 1;
  const r = await h.call('POST', '/api/sync/push', { token: await tokenFor(h, username), body: { clientId: d.clientId, schemaVersion: 1, mutations: [{ id: uuidv7(), seq: d.seq, name, args, at: new Date().toISOString() }] } });
  expect(r.status).toBe(200);
  return r.body.results[0];
}
const one = (table: string, where: Record<string, unknown>) => {
  let q = byName(h.deps.db).selectFrom(table).selectAll();
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  return q.executeTakeFirstOrThrow();
};
/** The running Press stage of the demo plant (Atlas Copco, 300 pieces) and its item. */
async function runningStage() {
  const stage = await one('stages', { name: 'Blank and form', status: 'running' });
  return { stage, item: await one('orderItems', { id: stage.orderItemId }) };
}
/** Every hour of every day is a shift, so the shift rule does not depend on when the suite runs. */
async function roundTheClock() {
  const value = JSON.stringify({ workingDays: [0, 1, 2, 3, 4, 5, 6], shifts: [{ name: 'Day', start: '00:00', end: '12:00' }, { name: 'Night', start: '12:00', end: '00:00' }], holidays: [] });
  await h.deps.db.updateTable('config').set({ value }).where('key', '=', 'shiftCalendar').execute();
}

describe('completing and reopening a stage', () => {
  it('completing short of the planned quantity asks first; a supervisor reopens it while the next stage has not started', async () => {
    const { stage, item } = await runningStage();
    const short = await send('operator.press', 'stage.transition', { id: stage.id, from: 'running', to: 'done' });
    expect(short).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(short.message).toContain(`${stage.goodQty} good of ${item.quantity}`);
    expect(short.details?.[0].code).toBe('short');
    expect((await one('stages', { id: stage.id })).status).toBe('running');

    expect((await send('operator.press', 'stage.transition', { id: stage.id, from: 'running', to: 'done', confirmShort: true })).status).toBe('applied');
    const next = await h.deps.db.selectFrom('stages').selectAll().where('orderItemId', '=', stage.orderItemId).where('sequence', '=', stage.sequence + 1).executeTakeFirstOrThrow();
    expect(next.status).toBe('ready');
    expect(await send('operator.press', 'stage.transition', { id: stage.id, from: 'done', to: 'running' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await send('supervisor.press', 'stage.transition', { id: stage.id, from: 'done', to: 'running' })).status).toBe('applied');
    expect(await one('stages', { id: stage.id })).toMatchObject({ status: 'running', completedAt: null });
    expect((await one('stages', { id: next.id })).status).toBe('pending');
  });

  it('a stage cannot be reopened once the next stage has started', async () => {
    // An order whose Press stage is done and whose next stage runs (the demo's SKF and Alfa Laval).
    const next = await one('stages', { sequence: 2, status: 'running' });
    const stage = await one('stages', { orderItemId: next.orderItemId, sequence: 1 });
    expect(stage.status).toBe('done');
    const r = await send('admin', 'stage.transition', { id: stage.id, from: 'done', to: 'running' });
    expect(r).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect((await one('stages', { id: stage.id })).status).toBe('done');
  });
});

describe('counts', () => {
  it('a count far beyond the plan is refused, one beyond what is still needed asks first', async () => {
    const { stage, item } = await runningStage();
    const typo = await send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 999_999, rejectQty: 0 });
    expect(typo).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    const remaining = item.quantity - stage.goodQty;
    const over = await send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: remaining + 5, rejectQty: 0 });
    expect(over.details?.[0].code).toBe('over_plan');
    expect((await one('stages', { id: stage.id })).goodQty).toBe(stage.goodQty);
    expect((await send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: remaining + 5, rejectQty: 0, confirmOverPlan: true })).status).toBe('applied');
    expect((await one('stages', { id: stage.id })).goodQty).toBe(item.quantity + 5);
  });

  it('an operator corrects their own entry of the shift with a reason; more than they logged, or below zero, is refused; a supervisor corrects any', async () => {
    await roundTheClock();
    const { stage } = await runningStage();
    expect((await send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 50, rejectQty: 0 })).status).toBe('applied');
    const id = uuidv7();
    expect((await send('operator.press', 'job.correction', { id, stageId: stage.id, goodQty: -45, rejectQty: 0, reason: 'Typed 50 instead of 5' })).status).toBe('applied');
    expect(await one('jobEvents', { id })).toMatchObject({ kind: 'correction', goodQty: -45, note: 'Typed 50 instead of 5' });
    expect((await one('stages', { id: stage.id })).goodQty).toBe(stage.goodQty + 5);
    const more = await send('operator.press', 'job.correction', { id: uuidv7(), stageId: stage.id, goodQty: -10, rejectQty: 0, reason: 'again' });
    expect(more).toMatchObject({ status: 'rejected', code: 'forbidden' });
    const noReason = await send('operator.press', 'job.correction', { id: uuidv7(), stageId: stage.id, goodQty: -1, rejectQty: 0, reason: ' ' });
    expect(noReason).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    const below = await send('supervisor.press', 'job.correction', { id: uuidv7(), stageId: stage.id, goodQty: -(stage.goodQty + 6), rejectQty: 0, reason: 'wrong' });
    expect(below).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect((await send('supervisor.press', 'job.correction', { id: uuidv7(), stageId: stage.id, goodQty: -5, rejectQty: 0, reason: 'Counted twice' })).status).toBe('applied');
    expect((await one('stages', { id: stage.id })).goodQty).toBe(stage.goodQty);
  });

  it('rejected parts in a progress entry need a defect code and become a reject in the quality queue', async () => {
    const { stage, item } = await runningStage();
    const defect = await one('defectCodes', { code: 'BURR' });
    const bare = await send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 0, rejectQty: 4 });
    expect(bare).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(bare.details?.[0].field).toBe('reject');
    const rejectId = uuidv7();
    expect((await send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 0, rejectQty: 4, reject: { id: rejectId, defectCodeId: defect.id } })).status).toBe('applied');
    expect(await one('rejects', { id: rejectId })).toMatchObject({ quantity: 4, stageId: stage.id, orderId: stage.orderId, productId: item.productId, machineId: stage.machineId, defectCodeId: defect.id, status: 'open' });
    expect((await one('stages', { id: stage.id })).rejectQty).toBe(stage.rejectQty + 4);
  });
});

describe('one job per machine', () => {
  it('starting a stage on a machine that runs another is refused unless the machine allows parallel work and the start is confirmed', async () => {
    const { stage: busy } = await runningStage();
    const ready = await h.deps.db.selectFrom('stages').selectAll().where('status', '=', 'ready').where('departmentId', '=', busy.departmentId).executeTakeFirstOrThrow();
    await h.deps.db.updateTable('stages').set({ machineId: busy.machineId }).where('id', '=', ready.id).execute();
    const refused = await send('operator.press', 'stage.transition', { id: ready.id, from: 'ready', to: 'running' });
    expect(refused).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect(refused.details?.[0].code).toBe('machine_busy');
    await h.deps.db.updateTable('machines').set({ allowParallel: 1 }).where('id', '=', busy.machineId).execute();
    const ask = await send('operator.press', 'stage.transition', { id: ready.id, from: 'ready', to: 'running' });
    expect(ask).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect((await send('operator.press', 'stage.transition', { id: ready.id, from: 'ready', to: 'running', confirmParallel: true })).status).toBe('applied');
  });
});

describe('new orders', () => {
  it('a due date in the past asks first', async () => {
    const product = await one('products', { sku: 'CLP-400' });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const args = { id: uuidv7(), customerName: 'Late entry', dueDate: yesterday, items: [{ id: uuidv7(), productId: product.id, quantity: 10 }] };
    const r = await send('manager', 'order.create', args);
    expect(r).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect(r.details?.[0]).toMatchObject({ field: 'dueDate', code: 'past_due' });
    expect((await send('manager', 'order.create', { ...args, confirmPastDue: true })).status).toBe('applied');
  });
});

describe('hold requests from the floor', () => {
  it('an operator asks for a hold; a planner grants it and the order is held with that reason; a decline needs a note; the requester sees the answer', async () => {
    const { stage } = await runningStage();
    const id = uuidv7();
    expect((await send('operator.press', 'holdRequest.create', { id, orderId: stage.orderId, stageId: stage.id, reason: 'Coil 4471 has rust spots' })).status).toBe('applied');
    expect(await send('supervisor.press', 'holdRequest.transition', { id, from: 'open', to: 'granted' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await send('manager', 'holdRequest.transition', { id, from: 'open', to: 'granted' })).status).toBe('applied');
    expect(await one('orders', { id: stage.orderId })).toMatchObject({ status: 'on_hold', holdReason: 'Coil 4471 has rust spots' });
    expect((await one('stages', { id: stage.id })).status).toBe('blocked');

    const other = await h.deps.db.selectFrom('orders').selectAll().where('status', '=', 'released').where('departmentIds', 'like', `%${stage.departmentId}%`).executeTakeFirstOrThrow();
    const second = uuidv7();
    expect((await send('operator.press', 'holdRequest.create', { id: second, orderId: other.id, reason: 'Drawing revision unclear' })).status).toBe('applied');
    expect(await send('manager', 'holdRequest.transition', { id: second, from: 'open', to: 'declined' })).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    expect((await send('manager', 'holdRequest.transition', { id: second, from: 'open', to: 'declined', note: 'Revision B is correct, go ahead' })).status).toBe('applied');
    expect((await one('orders', { id: other.id })).status).toBe('released');

    const pull = await h.call('GET', `/api/sync/pull?clientId=${uuidv7()}`, { token: await tokenFor(h, 'operator.press') });
    const answers = pull.body.changes.filter((c: { table: string }) => c.table === 'holdRequests').map((c: { row: Record<string, unknown> }) => c.row);
    expect(answers).toEqual(expect.arrayContaining([
      expect.objectContaining({ id, status: 'granted' }),
      expect.objectContaining({ id: second, status: 'declined', answerNote: 'Revision B is correct, go ahead' }),
    ]));
  });
});
