import { describe, expect, it } from 'vitest';
import type { JobEvent, Machine, Order, OrderItem, Stage } from '../../../sync/tables';
import { barWidth, machineCounts, machinesNow, myStages, percentOf, planToday, planTotals, showPercent, stagesToday, tally } from './floor';

const meta = { createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z', updatedBy: null, version: 1, deletedAt: null };
const local = (h: number, m = 0, day = 25) => new Date(2026, 10, day, h, m);
const TODAY = '2026-11-25';
const DAY = { today: TODAY, from: local(0), to: local(0, 0, 26) };

function stage(id: string, o: Partial<Stage> = {}): Stage {
  return {
    ...meta, id, orderId: 'o1', orderItemId: 'i1', sequence: 1, name: `Stage ${id}`, departmentId: 'press', machineId: 'm1',
    plannedMinutes: 120, scheduledStart: null, scheduledEnd: null, assigneeId: null, status: 'ready', statusBeforeBlock: null,
    goodQty: 0, rejectQty: 0, downtimeMinutes: 0, startedAt: null, completedAt: null, ...o,
  };
}
function item(id: string, quantity: number): OrderItem {
  return { ...meta, id, orderId: 'o1', productId: 'p1', quantity, goodQty: 0, rejectQty: 0, departmentIds: ['press'] };
}
function order(id: string, o: Partial<Order> = {}): Order {
  return {
    ...meta, id, number: 'ORD-000001', customerName: 'Atlas', externalRef: null, dueDate: '2026-11-30', priority: 3, status: 'in_progress',
    holdReason: null, statusBeforeHold: null, source: 'manual', notes: null, departmentIds: ['press'], completedAt: null, ...o,
  };
}
function ev(stageId: string, at: Date, o: { kind?: string; good?: number; rej?: number; min?: number; user?: string; dept?: string; deleted?: boolean } = {}): JobEvent {
  return {
    ...meta, id: `${stageId}-${at.getTime()}-${o.kind ?? 'p'}`, stageId, orderId: 'o1', departmentId: o.dept ?? 'press', kind: o.kind ?? 'progress',
    goodQty: o.good ?? 0, rejectQty: o.rej ?? 0, downtimeReason: o.kind === 'downtime' ? 'breakdown' : null, minutes: o.min ?? 0, note: null,
    userId: o.user ?? 'olivia', at: at.toISOString(), deletedAt: o.deleted ? '2026-11-25T10:00:00.000Z' : null,
  };
}
function machine(id: string, code: string, o: Partial<Machine> = {}): Machine {
  return { ...meta, id, code, name: code, departmentId: 'press', status: 'idle', hoursPerDay: 16, idealCycleSeconds: 6, active: true, allowParallel: false, ...o };
}

describe('tally', () => {
  it('sums good, rejected (corrections taken off) and downtime inside [from, to), skipping deleted events', () => {
    const events = [
      ev('s1', local(6, 30), { good: 40, rej: 2 }),
      ev('s1', local(9), { kind: 'correction', good: -5, rej: -1 }),
      ev('s1', local(10), { kind: 'downtime', min: 15 }),
      ev('s1', local(11), { good: 100, deleted: true }),
      ev('s1', local(14), { good: 7 }), // the next shift: outside [06:00, 14:00)
      ev('s1', local(5, 59), { good: 3 }), // before it
    ];
    expect(tally(events, local(6), local(14))).toEqual({ good: 35, rejected: 1, downtimeMinutes: 15, entries: 3 });
    expect(tally(events, local(6), local(14), (e) => e.kind === 'downtime')).toEqual({ good: 0, rejected: 0, downtimeMinutes: 15, entries: 1 });
  });
});

describe('percentages', () => {
  it('rounds part of whole, and has none (—) for no plan or a plan of 0: no division by zero', () => {
    expect(percentOf(45, 180)).toBe(25);
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(200, 180)).toBe(111);
    expect(percentOf(10, 0)).toBeNull();
    expect(percentOf(0, null)).toBeNull();
    expect(showPercent(null)).toBe('—');
    expect(showPercent(111)).toBe('111 %');
    expect(barWidth(111)).toBe(100);
    expect(barWidth(null)).toBe(0);
  });
});

describe('plan for today', () => {
  it('is what the item still needed when the day began, for a stage scheduled to start today', () => {
    // 300 on the item, 145 good on the stage of which 25 today: 120 were made before today, 180 remain planned.
    expect(planToday({ scheduledStart: `${TODAY}T06:00:00.000Z`, goodQty: 145 }, item('i1', 300), 25, TODAY)).toBe(180);
    // Finished before today: nothing left to plan.
    expect(planToday({ scheduledStart: `${TODAY}T06:00:00.000Z`, goodQty: 310 }, item('i1', 300), 0, TODAY)).toBe(0);
  });

  it('has none for a stage scheduled another day, unscheduled, or without its item', () => {
    expect(planToday({ scheduledStart: '2026-11-24T06:00:00.000Z', goodQty: 0 }, item('i1', 300), 0, TODAY)).toBeNull();
    expect(planToday({ scheduledStart: null, goodQty: 0 }, item('i1', 300), 0, TODAY)).toBeNull();
    expect(planToday({ scheduledStart: `${TODAY}T06:00:00.000Z`, goodQty: 0 }, undefined, 0, TODAY)).toBeNull();
  });
});

describe("today's stages of a department", () => {
  const orders = new Map([['o1', order('o1')], ['o2', order('o2', { status: 'cancelled' })]]);
  const items = new Map([['i1', item('i1', 300)], ['i2', item('i2', 0)], ['i3', item('i3', 500)]]);
  const stages = [
    stage('sched', { scheduledStart: `${TODAY}T06:00:00.000Z`, status: 'running', goodQty: 145, rejectQty: 4 }),
    stage('carried', { scheduledStart: '2026-11-24T06:00:00.000Z', status: 'paused', orderItemId: 'i3', goodQty: 60 }),
    stage('zero', { scheduledStart: `${TODAY}T10:00:00.000Z`, status: 'ready', orderItemId: 'i2' }),
    stage('worked', { status: 'done', completedAt: local(9).toISOString(), goodQty: 300 }),
    stage('later', { scheduledStart: '2026-11-27T06:00:00.000Z', status: 'ready' }),
    stage('idle', { status: 'ready' }),
    stage('cancelled', { orderId: 'o2', status: 'running' }),
    stage('paint', { departmentId: 'paint', status: 'running' }),
    stage('gone', { status: 'running', deletedAt: '2026-11-24T00:00:00.000Z' }),
  ];
  const events = [
    ev('sched', local(7), { good: 30, rej: 4 }),
    ev('sched', local(8), { kind: 'correction', good: -5 }),
    ev('sched', local(8, 30), { kind: 'downtime', min: 20 }),
    ev('sched', local(23, 30, 24), { good: 50 }), // yesterday
    ev('carried', local(9), { good: 12, user: 'oscar' }),
    ev('worked', local(8), { good: 10 }),
  ];
  const rows = stagesToday({ stages, orders, items }, events, 'press', DAY);

  it('holds the scheduled, running or paused, worked and finished stages of today, running first and finished last', () => {
    expect(rows.map((r) => r.stage.id)).toEqual(['sched', 'carried', 'zero', 'worked']);
  });

  it("counts today's events against the plan: 25 good of 180 planned is 14 %", () => {
    const s = rows[0];
    expect(s.today).toEqual({ good: 25, rejected: 4, downtimeMinutes: 20, entries: 3 });
    // 145 good on the stage, 25 of them today: 120 before, so 300 − 120 = 180 planned today.
    expect(s.plan).toBe(180);
    expect(s.percent).toBe(14);
  });

  it('shows a carried-over stage with its output and no plan (—), and a plan of 0 parts without a percentage', () => {
    expect(rows[1].today.good).toBe(12);
    expect(rows[1].plan).toBeNull();
    expect(showPercent(rows[1].percent)).toBe('—');
    expect(rows[2].plan).toBe(0);
    expect(rows[2].percent).toBeNull();
  });

  it('adds up the plans that exist for the headline', () => {
    // sched 25 of 180 and zero 0 of 0; carried and worked have no plan.
    expect(planTotals(rows)).toEqual({ good: 25, plan: 180, percent: 14 });
    expect(planTotals(rows.filter((r) => r.plan == null))).toEqual({ good: 0, plan: null, percent: null });
  });
});

describe('machines now', () => {
  it('reads down and maintenance from the machine, running or paused from its stages, else idle', () => {
    const machines = [
      machine('m1', 'PRS-01'), machine('m2', 'PRS-02', { status: 'down' }), machine('m3', 'PRS-03'),
      machine('m4', 'PRS-04', { status: 'maintenance' }), machine('m5', 'PRS-05'),
      machine('m6', 'PRS-06', { active: false }), machine('p1', 'PNT-01', { departmentId: 'paint' }),
    ];
    const stages = [
      stage('a', { machineId: 'm1', status: 'paused' }), stage('b', { machineId: 'm1', status: 'running' }),
      stage('c', { machineId: 'm2', status: 'running' }), stage('d', { machineId: 'm3', status: 'paused' }),
      stage('e', { machineId: 'm5', status: 'done' }),
    ];
    const rows = machinesNow(machines, stages, 'press');
    expect(rows.map((r) => [r.machine.code, r.state, r.stage?.id ?? null])).toEqual([
      ['PRS-01', 'running', 'b'], ['PRS-02', 'down', 'c'], ['PRS-03', 'paused', 'd'], ['PRS-04', 'maintenance', null], ['PRS-05', 'idle', null],
    ]);
    expect(machineCounts(rows)).toEqual({ running: 1, paused: 1, down: 1, maintenance: 1, idle: 1 });
  });
});

describe("an operator's stages", () => {
  it('holds the stages I logged on this shift and those assigned to me, with the stage against its quantity', () => {
    const orders = new Map([['o1', order('o1')]]);
    const items = new Map([['i1', item('i1', 300)], ['i2', item('i2', 0)]]);
    const stages = [
      stage('s1', { status: 'running', goodQty: 145 }),
      stage('s2', { status: 'ready', assigneeId: 'olivia', orderItemId: 'i2' }),
      stage('s3', { status: 'done', assigneeId: 'olivia', goodQty: 300 }), // assigned but finished, not logged on: not mine now
      stage('s4', { status: 'running', goodQty: 50 }), // only someone else logged on it
      stage('s5', { status: 'running', goodQty: 10, orderItemId: 'missing' }),
    ];
    const events = [
      ev('s1', local(7), { good: 20 }), ev('s1', local(9), { good: 5, rej: 1 }),
      ev('s4', local(8), { good: 50, user: 'oscar' }),
      ev('s5', local(10), { good: 10 }),
      ev('s1', local(15), { good: 99 }), // after the shift
    ];
    const rows = myStages({ stages, orders, items }, events, 'olivia', local(6), local(14));
    expect(rows.map((r) => r.stage.id)).toEqual(['s5', 's1', 's2']);
    const s1 = rows[1];
    expect([s1.good, s1.quantity, s1.percent]).toEqual([145, 300, 48]);
    expect(s1.mine).toEqual({ good: 25, rejected: 1, downtimeMinutes: 0, entries: 2 });
    // A quantity of 0, and an item the device does not hold: no percentage.
    expect([rows[2].quantity, rows[2].percent]).toEqual([0, null]);
    expect([rows[0].quantity, rows[0].percent]).toEqual([null, null]);
  });
});
