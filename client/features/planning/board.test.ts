import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR } from '../../../sync/planning';
import type { StageStatus } from '../../../sync/state-machines';
import { departmentLoad, isUnscheduled, machineLoad, mondayOf, percent, slotIso, weekDays, type BoardStage } from './board';

const stage = (id: string, machineId: string, start: string | null, plannedMinutes: number, status: StageStatus = 'ready'): BoardStage =>
  ({ id, machineId, scheduledStart: start, plannedMinutes, status, deletedAt: null, departmentId: 'd' });

describe('scheduling board', () => {
  it('shows the week from Monday to Sunday, whichever day it is opened on', () => {
    expect(mondayOf('2026-11-29')).toBe('2026-11-23'); // a Sunday
    expect(weekDays('2026-11-25')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
  });

  it('keeps a slot on the day the planner chose', () => {
    expect(slotIso('2026-11-30', '22:30').slice(0, 10)).toBe('2026-11-30');
  });

  it('flags a machine over capacity on a day, and a done stage no longer counts', () => {
    const m = { id: 'm1', hoursPerDay: 8 };
    const stages = [stage('a', 'm1', slotIso('2026-11-25', '06:00'), 300), stage('b', 'm1', slotIso('2026-11-25', '11:00'), 240)];
    expect(machineLoad(stages, m, '2026-11-25', DEFAULT_CALENDAR)).toMatchObject({ scheduled: 9, available: 8, over: true });
    stages[1].status = 'done';
    expect(machineLoad(stages, m, '2026-11-25', DEFAULT_CALENDAR).over).toBe(false);
  });

  it('previews a stage on a machine without counting it twice when it is already there', () => {
    const m = { id: 'm1', hoursPerDay: 16 };
    const stages = [stage('a', 'm1', slotIso('2026-11-25', '06:00'), 600)];
    expect(machineLoad(stages, m, '2026-11-25', DEFAULT_CALENDAR, { id: 'a', minutes: 600 }).scheduled).toBe(10);
    expect(machineLoad(stages, m, '2026-11-25', DEFAULT_CALENDAR, { id: 'b', minutes: 420 })).toMatchObject({ scheduled: 17, over: true });
  });

  it('sums a department over its machines and shows a weekend with work on it as having no shifts', () => {
    const ms = [{ id: 'm1', hoursPerDay: 16 }, { id: 'm2', hoursPerDay: 8 }];
    const stages = [stage('a', 'm1', slotIso('2026-11-25', '06:00'), 720), stage('b', 'm2', slotIso('2026-11-25', '06:00'), 360), stage('c', 'm2', slotIso('2026-11-28', '06:00'), 60)];
    const wed = departmentLoad(stages, ms, '2026-11-25', DEFAULT_CALENDAR);
    expect(wed).toMatchObject({ scheduled: 18, available: 24, over: false });
    expect(percent(wed)).toBe('75 %');
    const sat = departmentLoad(stages, ms, '2026-11-28', DEFAULT_CALENDAR);
    expect(sat.over).toBe(true);
    expect(percent(sat)).toBe('no shifts');
  });

  it('lists only open stages without a slot as unscheduled', () => {
    expect(isUnscheduled(stage('a', 'm1', null, 60))).toBe(true);
    expect(isUnscheduled(stage('a', 'm1', null, 60, 'done'))).toBe(false);
    expect(isUnscheduled(stage('a', 'm1', slotIso('2026-11-25', '06:00'), 60))).toBe(false);
  });
});
