// Write scope: a user may change only rows they may see (sync/tables.ts scopeFor), whatever ids they send.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, tokenFor } from '../../tests/setup/helpers';

const h = useHarness();

const dept = async (code: string) => (await h.deps.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const machine = async (code: string) => (await h.deps.db.selectFrom('machines').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const m = (seq: number, name: string, args: Record<string, unknown>) => ({ id: uuidv7(), seq, name, args, at: new Date().toISOString() });

async function push(username: string, mutations: unknown[]) {
  const r = await h.call('POST', '/api/sync/push', { token: await tokenFor(h, username), body: { clientId: uuidv7(), schemaVersion: 1, mutations } });
  expect(r.status).toBe(200);
  return r.body.results as { status: string; code?: string }[];
}

describe('write scope', () => {
  it('a Press operator cannot pause a Paint stage or report progress or downtime on it, and nothing of it is written', async () => {
    const paint = await dept('PNT');
    const stage = await h.deps.db.selectFrom('stages').selectAll().where('departmentId', '=', paint).where('status', '=', 'running').executeTakeFirstOrThrow();
    const results = await push('operator.press', [
      m(1, 'stage.transition', { id: stage.id, from: 'running', to: 'paused' }),
      m(2, 'job.progress', { id: uuidv7(), stageId: stage.id, goodQty: 5, rejectQty: 0 }),
      m(3, 'job.downtime', { id: uuidv7(), stageId: stage.id, reason: 'breakdown', minutes: 10 }),
    ]);
    // Answered as a made-up id would be, so another department's ids cannot be probed.
    expect(results.map((r) => [r.status, r.code])).toEqual([['rejected', 'not_found'], ['rejected', 'not_found'], ['rejected', 'not_found']]);
    const after = await h.deps.db.selectFrom('stages').selectAll().where('id', '=', stage.id).executeTakeFirstOrThrow();
    expect(after).toEqual(stage);
    expect((await auditRows(h)).filter((a) => a.outcome === 'rejected' && a.code === 'not_found')).toHaveLength(3);
    const madeUp = uuidv7();
    const [probe] = await push('operator.press', [m(1, 'stage.transition', { id: madeUp, from: 'running', to: 'paused' })]);
    expect((probe as { message?: string }).message?.replace(madeUp, 'ID')).toBe((results[0] as { message?: string }).message?.replace(stage.id, 'ID'));
  });

  it('a Press supervisor cannot move a Paint reject, cancel a Paint ticket, comment on it, or release an order without a Press stage', async () => {
    const paintMachine = await machine('PNT-01');
    const reject = await h.deps.db.selectFrom('rejects').selectAll().where('machineId', '=', paintMachine).executeTakeFirstOrThrow();
    const ticket = await h.deps.db.selectFrom('maintenanceTickets').selectAll().where('machineId', '=', paintMachine).executeTakeFirstOrThrow();
    // A draft order, created by a manager, whose only stage is in Paint.
    const orderId = uuidv7();
    const product = await h.deps.db.selectFrom('products').select('id').where('sku', '=', 'CLP-400').executeTakeFirstOrThrow();
    const created = await push('manager', [m(1, 'order.create', {
      id: orderId, customerName: 'Paint only', dueDate: '2030-01-01',
      items: [{ id: uuidv7(), productId: product.id, quantity: 10, stages: [{ id: uuidv7(), name: 'Paint', departmentId: await dept('PNT'), plannedMinutes: 30 }] }],
    })]);
    expect(created[0].status).toBe('applied');

    const results = await push('supervisor.press', [
      m(1, 'reject.transition', { id: reject.id, from: 'open', to: 'under_review' }),
      m(2, 'maintenance.transition', { id: ticket.id, from: 'open', to: 'cancelled' }),
      m(3, 'maintenance.comment', { id: uuidv7(), ticketId: ticket.id, note: 'not mine' }),
      m(4, 'maintenance.update', { id: ticket.id, base: { priority: ticket.priority }, changes: { priority: 4 } }),
      m(5, 'order.transition', { id: orderId, from: 'draft', to: 'released' }),
    ]);
    expect(results.map((r) => [r.status, r.code])).toEqual(Array(5).fill(['rejected', 'not_found']));
    expect((await h.deps.db.selectFrom('rejects').select('status').where('id', '=', reject.id).executeTakeFirstOrThrow()).status).toBe('open');
    expect(await h.deps.db.selectFrom('maintenanceTickets').select(['status', 'priority']).where('id', '=', ticket.id).executeTakeFirstOrThrow()).toEqual({ status: 'open', priority: ticket.priority });
    expect(await h.deps.db.selectFrom('maintenanceEvents').select('id').where('ticketId', '=', ticket.id).where('kind', '=', 'comment').execute()).toEqual([]);
    expect((await h.deps.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status).toBe('draft');
  });

  it('rows in scope still work: a Press supervisor reviews a Press reject and comments on a ticket they raised in Assembly', async () => {
    const reject = await h.deps.db.selectFrom('rejects').selectAll().where('machineId', '=', await machine('PRS-01')).executeTakeFirstOrThrow();
    const ticket = await h.deps.db.selectFrom('maintenanceTickets').selectAll().where('machineId', '=', await machine('ASM-01')).executeTakeFirstOrThrow();
    const results = await push('supervisor.press', [
      m(1, 'reject.transition', { id: reject.id, from: 'open', to: 'under_review' }),
      m(2, 'maintenance.comment', { id: uuidv7(), ticketId: ticket.id, note: 'calibration booked' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
  });
});
