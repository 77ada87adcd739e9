// The plant dashboard's figures (issue 15 §2), exactly as DOMAIN.md "KPI definitions" says: OEE and its
// three factors, capacity utilisation, on-time delivery. Pure: the server computes the dashboard with
// them (server/dashboard/), a test checks them by hand (sync/kpi.test.ts). docs/dashboard.md explains
// each figure. Capacity reuses the planning board's own rules (sync/planning.ts), never a second copy.
import type { Ratio, OeeRow } from './dashboard';
import { availableHours, hoursOver, type ShiftCalendar } from './planning';
import type { Machine, Stage } from './tables';

const DAY_MS = 86_400_000;

/** A ratio, or null when there is nothing to divide by. */
export function ratio(part: number, whole: number): Ratio {
  return whole > 0 ? part / whole : null;
}

// ── days and weeks (UTC days, decision 0004; weeks Monday–Sunday) ──────────

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of the week holding `day`. */
export function mondayOf(day: string): string {
  const wd = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  return addDays(day, wd === 0 ? -6 : 1 - wd);
}

/** The days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

// ── OEE ─────────────────────────────────────────────────────────────────────

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Planned time of a machine on a day, minutes, as of `now`: the calendar's available hours of the day
 * (planning.ts `availableHours`: hoursPerDay bounded by the shifts, zero on days off) for a day that is
 * over; for the day `now` falls in, only the shift minutes already gone by (still at most hoursPerDay);
 * nothing for a day still to come. Shift times are plant wall-clock times on UTC days, like the board.
 */
export function plannedMinutes(machine: Pick<Machine, 'hoursPerDay'>, day: string, cal: ShiftCalendar, now: string): number {
  const full = availableHours(machine, day, cal) * 60;
  const nowDay = now.slice(0, 10);
  if (day < nowDay || full === 0) return full;
  if (day > nowDay) return 0;
  const dayStart = Date.parse(`${day}T00:00:00.000Z`);
  const elapsed = (Date.parse(now) - dayStart) / 60_000;
  const shifts = cal.shifts.length ? cal.shifts : [{ start: '00:00', end: '24:00' }];
  let gone = 0;
  for (const s of shifts) {
    const start = minutesOf(s.start);
    let end = minutesOf(s.end);
    if (end <= start) end += 24 * 60; // a night shift ends the next morning
    gone += Math.max(0, Math.min(end, elapsed) - start);
  }
  return Math.min(full, Math.round(gone));
}

/** What a machine (or a department, summed) did in a period: the inputs of its OEE. */
export interface OeeInput {
  plannedMinutes: number;
  /** Downtime job events on its stages plus corrective maintenance downtime, minutes. */
  downtimeMinutes: number;
  /** Good + rejected parts counted. */
  totalCount: number;
  goodCount: number;
  /** Σ idealCycleSeconds × count (for one machine: its ideal cycle time × total count). */
  idealSeconds: number;
}

/**
 * OEE = availability × performance × quality (DOMAIN.md):
 * availability = run time / planned time, run time = planned time − downtime (never below 0);
 * performance = ideal cycle time × total count / run time, capped at 1; quality = good / total.
 * Without production (total count 0) every factor and the OEE are null: nothing to measure, never a
 * division by zero. A factor whose denominator is 0 is null, and so is the OEE then.
 */
export function oee(i: OeeInput): OeeRow {
  const runMinutes = Math.max(0, i.plannedMinutes - i.downtimeMinutes);
  const row = { plannedMinutes: i.plannedMinutes, runMinutes, downtimeMinutes: i.downtimeMinutes, totalCount: i.totalCount, goodCount: i.goodCount };
  if (i.totalCount <= 0) return { ...row, availability: null, performance: null, quality: null, oee: null };
  const availability = ratio(runMinutes, i.plannedMinutes);
  const perf = ratio(i.idealSeconds, runMinutes * 60);
  const performance = perf === null ? null : Math.min(1, perf);
  const quality = ratio(i.goodCount, i.totalCount);
  const value = availability === null || performance === null || quality === null ? null : availability * performance * quality;
  return { ...row, availability, performance, quality, oee: value };
}

/** One machine's input from its counts: idealSeconds = idealCycleSeconds × total count. */
export function machineOeeInput(machine: Pick<Machine, 'idealCycleSeconds'>, f: { plannedMinutes: number; downtimeMinutes: number; goodCount: number; rejectCount: number }): OeeInput {
  const totalCount = f.goodCount + f.rejectCount;
  return { plannedMinutes: f.plannedMinutes, downtimeMinutes: f.downtimeMinutes, totalCount, goodCount: f.goodCount, idealSeconds: machine.idealCycleSeconds * totalCount };
}

/** A department's input: its machines' inputs summed (every machine, those without production too). */
export function sumOeeInputs(inputs: OeeInput[]): OeeInput {
  return inputs.reduce((s, i) => ({
    plannedMinutes: s.plannedMinutes + i.plannedMinutes, downtimeMinutes: s.downtimeMinutes + i.downtimeMinutes,
    totalCount: s.totalCount + i.totalCount, goodCount: s.goodCount + i.goodCount, idealSeconds: s.idealSeconds + i.idealSeconds,
  }), { plannedMinutes: 0, downtimeMinutes: 0, totalCount: 0, goodCount: 0, idealSeconds: 0 });
}

// ── capacity ────────────────────────────────────────────────────────────────

export type CapacityStage = Pick<Stage, 'id' | 'machineId' | 'scheduledStart' | 'plannedMinutes' | 'status' | 'deletedAt'>;

/**
 * Scheduled and available hours of a machine over days, from the board's per-day rules
 * (planning.ts `scheduledHours`: stages not done; `availableHours`), and their ratio. Over 1 is over
 * capacity; null when the machine has no hours on those days (even with something scheduled).
 */
export function machineCapacity(stages: CapacityStage[], machine: Pick<Machine, 'id' | 'hoursPerDay'>, days: string[], cal: ShiftCalendar) {
  const { scheduled, available } = hoursOver(stages, [machine], days, cal);
  return capacityRow(scheduled, available);
}

export function capacityRow(scheduled: number, available: number) {
  const round = (h: number) => Math.round(h * 100) / 100;
  return { scheduledHours: round(scheduled), availableHours: round(available), utilisation: ratio(scheduled, available) };
}

// ── on-time delivery ────────────────────────────────────────────────────────

/** An order line and when it was finished: its last stage done (or its order completed), else null. */
export interface DeliveryLine { dueDate: string; completedAt: string | null }

/**
 * On-time delivery = order lines completed on or before their due date / lines due in the period
 * (DOMAIN.md). The period runs from `from` to `today`: a line due before today counts whether or not
 * it is finished; a line due today counts only once it is finished (until the day is over it is not
 * late yet). "On or before" compares the UTC day of the completion with the due date.
 */
export function onTimeDelivery(lines: DeliveryLine[], from: string, today: string) {
  let linesDue = 0;
  let linesOnTime = 0;
  for (const l of lines) {
    if (l.dueDate < from || l.dueDate > today) continue;
    if (l.dueDate === today && !l.completedAt) continue;
    linesDue += 1;
    if (l.completedAt && l.completedAt.slice(0, 10) <= l.dueDate) linesOnTime += 1;
  }
  return { from, to: today, linesDue, linesOnTime, ratio: ratio(linesOnTime, linesDue) };
}

