// Shop-floor guard rails (issue 10): no one-tap irreversible mistakes, counts that can be corrected,
// one job per machine, hold requests from the floor. The rules live in sync/ and are checked here
// through real pushes, on SQLite and on MariaDB.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { byName } from '../db/db';
import { writeAudited } from './write';
import { useHarness } from '../../tests/setup/harness';
import { tokenFor } from '../../tests/setup/helpers';
import { makeDevice } from '../../tests/setup/device';
import { Rejection } from '../../sync/store';

/** What a device's mutate() asks before queueing: the question's code, or 'queued' when it asked nothing. */
async function asked(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'queued';
  } catch (err) {
    if (!(err instanceof Rejection)) throw err;
    return (err.details?.[0] as { code?: string } | undefined)?.code ?? err.code;
  }
}

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
  it('completing short of the planned quantity asks first on the device, offline; a supervisor reopens it while the next stage has not started', async () => {
    const { stage, item } = await runningStage();
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    d.network.offline = true;
    const short = d.engine.mutate('stage.transition', { id: stage.id, from: 'running', to: 'done' });
    await expect(short).rejects.toThrow(`${stage.goodQty} good of ${item.quantity}`);
    expect(await asked(d.engine.mutate('stage.transition', { id: stage.id, from: 'running', to: 'done' }))).toBe('short');
    expect(await d.engine.pendingCount()).toBe(0);
    expect(await asked(d.engine.mutate('stage.transition', { id: stage.id, from: 'running', to: 'done', confirmShort: true }))).toBe('queued');
    d.network.offline = false;
    await d.engine.sync();
    d.close();
    expect((await one('stages', { id: stage.id })).status).toBe('done');
    const next = await h.deps.db.selectFrom('stages').selectAll().where('orderItemId', '=', stage.orderItemId).where('sequence', '=', stage.sequence + 1).executeTakeFirstOrThrow();
    expect(next.status).toBe('ready');
    expect(await send('operator.press', 'stage.transition', { id: stage.id, from: 'done', to: 'running' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await send('supervisor.press', 'stage.transition', { id: stage.id, from: 'done', to: 'running' })).status).toBe('applied');
    expect(await one('stages', { id: stage.id })).toMatchObject({ status: 'running', completedAt: null });
    expect((await one('stages', { id: next.id })).status).toBe('pending');
  });

  it('the last stage of an order that completed with it can be reopened, and the order is in progress again', async () => {
    const order = await one('orders', { customerName: 'Trelleborg' }); // completed, every stage done
    const stages = await byName(h.deps.db).selectFrom('stages').selectAll().where('orderId', '=', order.id).orderBy('sequence', 'desc').execute();
    const last = stages[0];
    expect((await send('admin', 'stage.transition', { id: last.id, from: 'done', to: 'running' })).status).toBe('applied');
    expect((await one('orders', { id: order.id })).status).toBe('in_progress');
    expect((await one('stages', { id: last.id })).status).toBe('running');
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
  it('a count far beyond the plan is refused on both sides; one beyond what is still needed is asked on the device', async () => {
    const { stage, item } = await runningStage();
    const typo = await send('operator.press', 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 999_999, rejectQty: 0 });
    expect(typo).toMatchObject({ status: 'rejected', code: 'validation_failed' });
    const remaining = item.quantity - stage.goodQty;
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    expect(await asked(d.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 999_999, rejectQty: 0 }))).toBe('validation_failed');
    expect(await asked(d.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: remaining + 5, rejectQty: 0 }))).toBe('over_plan');
    expect(await asked(d.engine.mutate('job.progress', { id: uuidv7(), stageId: stage.id, goodQty: remaining + 5, rejectQty: 0, confirmOverPlan: true }))).toBe('queued');
    await d.engine.sync();
    d.close();
    expect((await one('stages', { id: stage.id })).goodQty).toBe(item.quantity + 5);
  });

  it('the server records what the floor did: two devices\' offline progress both counts, even past the plan, and a short completion stands', async () => {
    const { stage, item } = await runningStage();
    const remaining = item.quantity - stage.goodQty;
    // Each device saw enough still needed; together they pass the plan. Neither is refused.
    for (const user of ['operator.press', 'supervisor.press']) {
      expect((await send(user, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: remaining - 1, rejectQty: 0 })).status).toBe('applied');
    }
    expect((await one('stages', { id: stage.id })).goodQty).toBe(stage.goodQty + 2 * (remaining - 1));
    const other = await one('stages', { name: 'Progressive die', status: 'ready' });
    expect((await send('operator.press', 'stage.transition', { id: other.id, from: 'ready', to: 'running' })).status).toBe('applied');
    expect((await send('operator.press', 'stage.transition', { id: other.id, from: 'running', to: 'done' })).status).toBe('applied');
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
  it('starting a stage on a machine that runs another asks on the device: pause the other first, or run both where the machine allows it', async () => {
    const { stage: busy } = await runningStage();
    const ready = await h.deps.db.selectFrom('stages').selectAll().where('status', '=', 'ready').where('departmentId', '=', busy.departmentId).executeTakeFirstOrThrow();
    await h.deps.db.updateTable('stages').set({ machineId: busy.machineId }).where('id', '=', ready.id).execute();
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    d.network.offline = true;
    const refused = await d.engine.mutate('stage.transition', { id: ready.id, from: 'ready', to: 'running' }).catch((e: Rejection) => e);
    expect(refused).toBeInstanceOf(Rejection);
    expect((refused as Rejection).details?.[0]).toMatchObject({ code: 'machine_busy', parallel: false, running: [busy.id] });
    // "Pause it and start this one": both queued, one stage runs.
    await d.engine.mutate('stage.transition', { id: busy.id, from: 'running', to: 'paused' });
    expect(await asked(d.engine.mutate('stage.transition', { id: ready.id, from: 'ready', to: 'running' }))).toBe('queued');
    d.network.offline = false;
    await d.engine.sync();
    expect((await one('stages', { id: busy.id })).status).toBe('paused');
    expect((await one('stages', { id: ready.id })).status).toBe('running');
    // A machine that runs several stages at once: the device asks "run both?".
    // An admin marks the machine as one that runs several stages at once; the device hears of it at its next sync.
    await writeAudited(h.deps.db, { actor: { id: (await one('users', { username: 'admin' })).id, username: 'admin' }, name: 'admin.machines.update' }, async (store) => {
      await store.update('machines', busy.machineId, { allowParallel: true });
      return { table: 'machines', id: busy.machineId };
    });
    await d.engine.sync();
    const parallel = await d.engine.mutate('stage.transition', { id: busy.id, from: 'paused', to: 'running' }).catch((e: Rejection) => e);
    expect((parallel as Rejection).details?.[0]).toMatchObject({ code: 'machine_busy', parallel: true });
    expect(await asked(d.engine.mutate('stage.transition', { id: busy.id, from: 'paused', to: 'running', confirmParallel: true }))).toBe('queued');
    d.close();
  });
});

describe('new orders', () => {
  it('a due date in the past asks first on the planner\'s device', async () => {
    const product = await one('products', { sku: 'CLP-400' });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const args = { id: uuidv7(), customerName: 'Late entry', dueDate: yesterday, items: [{ id: uuidv7(), productId: product.id, quantity: 10 }] };
    const d = await makeDevice(h, 'manager');
    await d.engine.sync();
    const r = await d.engine.mutate('order.create', args).catch((e: Rejection) => e);
    expect((r as Rejection).details?.[0]).toMatchObject({ field: 'dueDate', code: 'past_due' });
    expect(await d.engine.pendingCount()).toBe(0);
    expect(await asked(d.engine.mutate('order.create', { ...args, confirmPastDue: true }))).toBe('queued');
    await d.engine.sync();
    d.close();
    expect((await one('orders', { id: args.id })).dueDate).toBe(yesterday);
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
