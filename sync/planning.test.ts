import { describe, expect, it } from 'vitest';
import type { StageStatus } from './state-machines';
import { availableHours, isLate, itemProgress, nextFreeStart, orderPercent, overlaps, scheduledHours, sequenceProblem, utilisation, DEFAULT_CALENDAR } from './planning';

describe('planning derivations', () => {
  it('a machine has its hoursPerDay on a working day, bounded by the shifts, and nothing on a weekend or holiday', () => {
    expect(availableHours({ hoursPerDay: 16 }, '2026-11-25')).toBe(16); // Wednesday, two 8 h shifts
    expect(availableHours({ hoursPerDay: 24 }, '2026-11-25')).toBe(16);
    expect(availableHours({ hoursPerDay: 8 }, '2026-11-28')).toBe(0); // Saturday
    expect(availableHours({ hoursPerDay: 8 }, '2026-12-24', { ...DEFAULT_CALENDAR, holidays: ['2026-12-24'] })).toBe(0);
  });

  it('scheduled hours count the unfinished stages of one machine on one day', () => {
    const s = (id: string, machineId: string, start: string | null, minutes: number, status: StageStatus = 'ready') => ({ id, machineId, scheduledStart: start, plannedMinutes: minutes, status, deletedAt: null });
    const stages = [s('a', 'm1', '2026-11-25T06:00:00.000Z', 120), s('b', 'm1', '2026-11-25T09:00:00.000Z', 60), s('c', 'm1', '2026-11-26T06:00:00.000Z', 600), s('d', 'm2', '2026-11-25T06:00:00.000Z', 60), s('e', 'm1', '2026-11-25T10:00:00.000Z', 60, 'done')];
    expect(scheduledHours(stages, 'm1', '2026-11-25')).toBe(3);
    expect(scheduledHours(stages, 'm1', '2026-11-25', 'a')).toBe(1);
    expect(utilisation(20, 16)).toBe(1.25);
    expect(utilisation(1, 0)).toBe(Infinity);
  });

  it('progress is good, rejected and remaining per item and a percentage per order', () => {
    expect(itemProgress({ id: 'i', quantity: 100, goodQty: 40, rejectQty: 5 })).toEqual({ itemId: 'i', quantity: 100, good: 40, rejected: 5, remaining: 60 });
    expect(orderPercent([{ id: 'a', quantity: 100, goodQty: 50, rejectQty: 0 }, { id: 'b', quantity: 100, goodQty: 150, rejectQty: 0 }])).toBe(75);
  });

  it('an order is late when its due date has passed and it is not complete', () => {
    expect(isLate({ dueDate: '2026-11-24', status: 'in_progress' }, '2026-11-25')).toBe(true);
    expect(isLate({ dueDate: '2026-11-25', status: 'in_progress' }, '2026-11-25')).toBe(false);
    expect(isLate({ dueDate: '2026-11-01', status: 'completed' }, '2026-11-25')).toBe(false);
  });
});

describe('sequencing on the board', () => {
  const s = (id: string, machineId: string, start: string | null, minutes: number, status: StageStatus = 'ready') =>
    ({ id, machineId, scheduledStart: start, scheduledEnd: start ? new Date(Date.parse(start) + minutes * 60_000).toISOString() : null, plannedMinutes: minutes, status, deletedAt: null });

  it('the next free start is the end of the machine\'s last unfinished stage that day, else the first shift start', () => {
    const stages = [s('a', 'm1', '2026-11-25T06:00:00.000Z', 120), s('b', 'm1', '2026-11-25T08:00:00.000Z', 90), s('c', 'm1', '2026-11-25T12:00:00.000Z', 60, 'done'), s('d', 'm2', '2026-11-25T06:00:00.000Z', 600)];
    expect(nextFreeStart(stages, 'm1', '2026-11-25')).toBe('2026-11-25T09:30:00.000Z');
    expect(nextFreeStart(stages, 'm1', '2026-11-25', DEFAULT_CALENDAR, 'b')).toBe('2026-11-25T08:00:00.000Z');
    expect(nextFreeStart(stages, 'm1', '2026-11-26')).toBe('2026-11-26T06:00:00.000Z');
    expect(nextFreeStart([], 'm1', '2026-11-26', { ...DEFAULT_CALENDAR, shifts: [{ name: 'Late', start: '14:00', end: '22:00' }, { name: 'Early', start: '05:30', end: '14:00' }] })).toBe('2026-11-26T05:30:00.000Z');
  });

  it('overlaps are the machine\'s unfinished stages whose slot intersects the interval; touching ends do not overlap', () => {
    const stages = [s('a', 'm1', '2026-11-25T06:00:00.000Z', 120), s('b', 'm1', '2026-11-25T09:00:00.000Z', 60), s('c', 'm1', '2026-11-25T07:00:00.000Z', 60, 'done'), s('d', 'm2', '2026-11-25T07:00:00.000Z', 60)];
    expect(overlaps(stages, 'm1', '2026-11-25T07:00:00.000Z', '2026-11-25T09:30:00.000Z').map((x) => x.id)).toEqual(['a', 'b']);
    expect(overlaps(stages, 'm1', '2026-11-25T08:00:00.000Z', '2026-11-25T09:00:00.000Z')).toEqual([]);
    expect(overlaps(stages, 'm1', '2026-11-25T06:30:00.000Z', '2026-11-25T07:00:00.000Z', 'a')).toEqual([]);
  });

  it('a stage scheduled before an earlier stage of its item is a sequence problem', () => {
    const st = (id: string, sequence: number, start: string | null, status: StageStatus = 'pending', orderItemId = 'i1') => ({ id, orderItemId, sequence, scheduledStart: start, status, deletedAt: null });
    const press = st('p', 1, '2026-11-26T06:00:00.000Z', 'ready');
    const paint = st('q', 2, '2026-11-25T06:00:00.000Z');
    const pack = st('r', 3, '2026-11-27T06:00:00.000Z');
    const all = [press, paint, pack, st('x', 1, '2026-11-28T06:00:00.000Z', 'ready', 'i2')];
    expect(sequenceProblem(paint, all)).toBe(press);
    expect(sequenceProblem(pack, all)).toBeNull();
    expect(sequenceProblem(press, all)).toBeNull();
    expect(sequenceProblem({ ...paint, scheduledStart: null }, all)).toBeNull();
    expect(sequenceProblem(paint, [{ ...press, status: 'done' }, paint])).toBeNull();
  });
});
