// The dashboard's KPI rules against figures worked out by hand (the arithmetic is in the comments).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR } from './planning';
import { addDays, daysBetween, machineCapacity, machineOeeInput, mondayOf, oee, onTimeDelivery, plannedMinutes, sumOeeInputs, type CapacityStage } from './kpi';

describe('OEE', () => {
  // Press A: 480 min planned, 60 min down → run 420 min. Ideal cycle 30 s, 700 good + 20 rejected = 720.
  // availability = 420 / 480 = 0.875
  // performance  = 30 s × 720 / (420 min × 60) = 21 600 / 25 200 = 0.857142…
  // quality      = 700 / 720 = 0.972222…
  // OEE = 0.875 × 0.857142… × 0.972222… = 0.75 × 0.972222… = 0.729166…
  const pressA = machineOeeInput({ idealCycleSeconds: 30 }, { plannedMinutes: 480, downtimeMinutes: 60, goodCount: 700, rejectCount: 20 });

  it('multiplies availability, performance and quality', () => {
    const r = oee(pressA);
    expect(r).toMatchObject({ plannedMinutes: 480, runMinutes: 420, downtimeMinutes: 60, totalCount: 720, goodCount: 700 });
    expect(r.availability).toBeCloseTo(0.875, 10);
    expect(r.performance).toBeCloseTo(0.857142857, 8);
    expect(r.quality).toBeCloseTo(0.972222222, 8);
    expect(r.oee).toBeCloseTo(0.729166667, 8);
  });

  it('caps performance at 1 when more was made than the ideal cycle allows', () => {
    // 480 min planned, no downtime; ideal 60 s × 600 parts = 36 000 s = 600 min > 480 min run → 1.25, capped to 1.
    // quality 600 / 600 = 1, availability 480 / 480 = 1 → OEE 1.
    const r = oee(machineOeeInput({ idealCycleSeconds: 60 }, { plannedMinutes: 480, downtimeMinutes: 0, goodCount: 600, rejectCount: 0 }));
    expect(r).toMatchObject({ availability: 1, performance: 1, quality: 1, oee: 1 });
  });

  it('gives a machine without production null factors and a null OEE, not a division by zero', () => {
    const r = oee(machineOeeInput({ idealCycleSeconds: 30 }, { plannedMinutes: 480, downtimeMinutes: 0, goodCount: 0, rejectCount: 0 }));
    expect(r).toEqual({ plannedMinutes: 480, runMinutes: 480, downtimeMinutes: 0, totalCount: 0, goodCount: 0, availability: null, performance: null, quality: null, oee: null });
    // No planned time either (a day off): still nulls, and never NaN or Infinity.
    const off = oee(machineOeeInput({ idealCycleSeconds: 30 }, { plannedMinutes: 0, downtimeMinutes: 0, goodCount: 0, rejectCount: 0 }));
    expect([off.availability, off.performance, off.quality, off.oee]).toEqual([null, null, null, null]);
  });

  it('gives null for a factor without a denominator: parts made on a day with no planned time', () => {
    // planned 0 → availability null; run 0 → performance null; quality 9 / 10 = 0.9; OEE null.
    const r = oee(machineOeeInput({ idealCycleSeconds: 30 }, { plannedMinutes: 0, downtimeMinutes: 0, goodCount: 9, rejectCount: 1 }));
    expect(r).toMatchObject({ availability: null, performance: null, quality: 0.9, oee: null });
    // Down longer than planned: run 0 (never negative), availability 0 / 60 = 0, performance null.
    const down = oee(machineOeeInput({ idealCycleSeconds: 30 }, { plannedMinutes: 60, downtimeMinutes: 90, goodCount: 5, rejectCount: 0 }));
    expect(down).toMatchObject({ runMinutes: 0, availability: 0, performance: null, oee: null });
  });

  it('sums a department over its machines, the idle ones too', () => {
    // Press A (above) + Press C idle (480 planned, nothing made):
    // planned 960, down 60 → run 900; availability 900 / 960 = 0.9375
    // performance 21 600 s / (900 × 60 s) = 0.4; quality 700 / 720; OEE 0.9375 × 0.4 × 0.97222… = 0.364583…
    const idle = machineOeeInput({ idealCycleSeconds: 45 }, { plannedMinutes: 480, downtimeMinutes: 0, goodCount: 0, rejectCount: 0 });
    const r = oee(sumOeeInputs([pressA, idle]));
    expect(r).toMatchObject({ plannedMinutes: 960, runMinutes: 900, downtimeMinutes: 60, totalCount: 720, goodCount: 700 });
    expect(r.availability).toBeCloseTo(0.9375, 10);
    expect(r.performance).toBeCloseTo(0.4, 10);
    expect(r.oee).toBeCloseTo(0.364583333, 8);
  });
});

describe('planned time', () => {
  // The default calendar: Monday–Friday, 06:00–14:00 and 14:00–22:00 (16 h). 2026-11-25 is a Wednesday.
  it('counts a past day in full, today up to now, a coming day not at all', () => {
    const m16 = { hoursPerDay: 16 };
    expect(plannedMinutes(m16, '2026-11-24', DEFAULT_CALENDAR, '2026-11-25T10:30:00.000Z')).toBe(960); // 16 h
    // 10:30: the early shift has run 06:00 → 10:30 = 270 min, the late one not yet.
    expect(plannedMinutes(m16, '2026-11-25', DEFAULT_CALENDAR, '2026-11-25T10:30:00.000Z')).toBe(270);
    expect(plannedMinutes(m16, '2026-11-26', DEFAULT_CALENDAR, '2026-11-25T10:30:00.000Z')).toBe(0);
    // An 8-hour machine at 15:00: 480 + 60 shift minutes gone, but at most its 8 h = 480.
    expect(plannedMinutes({ hoursPerDay: 8 }, '2026-11-25', DEFAULT_CALENDAR, '2026-11-25T15:00:00.000Z')).toBe(480);
    // Saturday: no shifts.
    expect(plannedMinutes(m16, '2026-11-28', DEFAULT_CALENDAR, '2026-11-30T10:00:00.000Z')).toBe(0);
    // A night shift 22:00–06:00: at 23:00 one hour of it has gone by.
    const night = { ...DEFAULT_CALENDAR, shifts: [{ name: 'Night', start: '22:00', end: '06:00' }] };
    expect(plannedMinutes(m16, '2026-11-25', night, '2026-11-25T23:00:00.000Z')).toBe(60);
  });

  it('finds the Monday-to-Sunday week of a day', () => {
    expect(mondayOf('2026-12-02')).toBe('2026-11-30'); // a Wednesday
    expect(mondayOf('2026-12-06')).toBe('2026-11-30'); // the Sunday belongs to the week before it
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(daysBetween('2026-11-30', addDays('2026-11-30', 6))).toHaveLength(7);
  });
});

describe('capacity utilisation', () => {
  const week = daysBetween('2026-11-23', '2026-11-29'); // Monday–Sunday
  const stage = (id: string, machineId: string, start: string, minutes: number, status: CapacityStage['status'] = 'ready'): CapacityStage =>
    ({ id, machineId, scheduledStart: start, plannedMinutes: minutes, status, deletedAt: null });
  const stages = [
    stage('a', 'm1', '2026-11-23T06:00:00.000Z', 300), // Monday 5 h
    stage('b', 'm1', '2026-11-24T06:00:00.000Z', 600), // Tuesday 10 h
    stage('c', 'm1', '2026-11-25T06:00:00.000Z', 120, 'done'), // done: no longer load
    stage('d', 'm2', '2026-11-23T06:00:00.000Z', 480), // another machine
  ];

  it('is scheduled hours over the calendar hours of the week', () => {
    // m1 runs 8 h a day, 5 working days → 40 h; scheduled 5 + 10 = 15 h → 15 / 40 = 0.375.
    expect(machineCapacity(stages, { id: 'm1', hoursPerDay: 8 }, week, DEFAULT_CALENDAR)).toEqual({ scheduledHours: 15, availableHours: 40, utilisation: 0.375 });
  });

  it('goes over 1 when more is scheduled than the machine has', () => {
    // Tuesday alone: 10 h scheduled on an 8-hour machine → 1.25.
    expect(machineCapacity(stages, { id: 'm1', hoursPerDay: 8 }, ['2026-11-24'], DEFAULT_CALENDAR)).toEqual({ scheduledHours: 10, availableHours: 8, utilisation: 1.25 });
  });

  it('has no ratio on days without hours, even with something scheduled', () => {
    const sat = [stage('e', 'm1', '2026-11-28T06:00:00.000Z', 120)];
    expect(machineCapacity(sat, { id: 'm1', hoursPerDay: 8 }, ['2026-11-28', '2026-11-29'], DEFAULT_CALENDAR)).toEqual({ scheduledHours: 2, availableHours: 0, utilisation: null });
  });
});

describe('on-time delivery', () => {
  it('is lines finished on or before their due day over lines due from `from` to today', () => {
    const r = onTimeDelivery([
      { dueDate: '2026-11-10', completedAt: '2026-11-09T15:00:00.000Z' }, // due, on time
      { dueDate: '2026-11-10', completedAt: '2026-11-10T23:59:00.000Z' }, // due, on time (the due day itself)
      { dueDate: '2026-11-10', completedAt: '2026-11-11T00:01:00.000Z' }, // due, late
      { dueDate: '2026-11-20', completedAt: null }, //                     due, not finished
      { dueDate: '2026-12-02', completedAt: null }, //                     due today, still open: not decided, not counted
      { dueDate: '2026-12-02', completedAt: '2026-12-02T08:00:00.000Z' }, // due today and finished: on time
      { dueDate: '2026-11-01', completedAt: null }, //                     before the period
      { dueDate: '2026-12-03', completedAt: '2026-12-01T08:00:00.000Z' }, // due after today
    ], '2026-11-02', '2026-12-02');
    // due: 5 (three of 11-10, 11-20, the finished one of 12-02); on time: 3 → 0.6
    expect(r).toEqual({ from: '2026-11-02', to: '2026-12-02', linesDue: 5, linesOnTime: 3, ratio: 0.6 });
  });

  it('has no ratio without a line due', () => {
    expect(onTimeDelivery([], '2026-11-02', '2026-12-02').ratio).toBeNull();
  });
});
