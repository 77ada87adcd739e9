// The scheduling board's arithmetic: the week shown, slot times and the capacity of every machine
// and department per day, all from the shared rules in sync/planning.ts so the board shows what the
// server will check.
import { availableHours, dayOf, hoursOver, scheduledHours, utilisation, type ShiftCalendar } from '../../../sync/planning';
import type { Machine, Stage } from '../../../sync/tables';

/**
 * Board times are plant wall-clock times: a slot of 06:00 on 2026-11-30 is stored as
 * `2026-11-30T06:00:00.000Z`, so its day is the day the planner chose (planning.ts counts days by
 * the date part of the timestamp) whatever the device's time zone.
 */
export function slotIso(day: string, hhmm: string): string {
  return `${day}T${hhmm}:00.000Z`;
}

/** `06:00` from a stored slot. */
export function slotTime(iso: string | null): string {
  return iso ? iso.slice(11, 16) : '';
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week holding `day`. */
export function mondayOf(day: string): string {
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, wd === 0 ? -6 : 1 - wd);
}

export function weekDays(day: string): string[] {
  const monday = mondayOf(day);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** The device's calendar date (the plant's "today"). */
export function localToday(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export interface Load { scheduled: number; available: number; load: number; over: boolean }

function load(scheduled: number, available: number): Load {
  const u = utilisation(scheduled, available);
  return { scheduled, available, load: u, over: u > 1 };
}

export type BoardStage = Pick<Stage, 'id' | 'machineId' | 'scheduledStart' | 'plannedMinutes' | 'status' | 'deletedAt' | 'departmentId'>;

/** Capacity of one machine on one day, optionally as if `extra` were scheduled there too. */
export function machineLoad(stages: BoardStage[], machine: Pick<Machine, 'id' | 'hoursPerDay'>, day: string, cal: ShiftCalendar, extra?: { id: string; minutes: number }): Load {
  const scheduled = scheduledHours(stages, machine.id, day, extra?.id) + (extra ? extra.minutes / 60 : 0);
  return load(scheduled, availableHours(machine, day, cal));
}

/** A department's capacity on a day: its machines' scheduled hours over their available hours. */
export function departmentLoad(stages: BoardStage[], machines: Pick<Machine, 'id' | 'hoursPerDay'>[], day: string, cal: ShiftCalendar): Load {
  const { scheduled, available } = hoursOver(stages, machines, [day], cal);
  return load(scheduled, available);
}

/** "41 %", or a word when there is nothing to divide by. */
export function percent(l: Load): string {
  if (!Number.isFinite(l.load)) return 'no shifts';
  return `${Math.round(l.load * 100)} %`;
}

export function hours(h: number): string {
  return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
}

/** Stages a planner still has to place: not finished, not cancelled with their order, without a slot. */
export function isUnscheduled(s: Pick<Stage, 'scheduledStart' | 'status' | 'deletedAt'>): boolean {
  return !s.deletedAt && !s.scheduledStart && s.status !== 'done';
}

export const scheduledDay = (s: Pick<Stage, 'scheduledStart'>) => (s.scheduledStart ? dayOf(s.scheduledStart) : null);
