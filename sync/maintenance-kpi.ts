// The maintenance report's formulas (DOMAIN.md §4, issue 13), pure over ticket and machine rows so
// each one is unit-tested with figures worked out by hand (maintenance-kpi.test.ts); shared so the machine page computes them offline.
import { slaClocks } from './sla';
import type { Machine, MaintenanceTicket } from './tables';

export type KpiTicket = Pick<MaintenanceTicket,
  'id' | 'number' | 'machineId' | 'departmentId' | 'type' | 'priority' | 'status' | 'raisedAt' | 'createdAt' | 'responseDueAt' | 'resolutionDueAt'
  | 'respondedAt' | 'completedAt' | 'pausedSeconds' | 'pausedSince' | 'downtimeMinutes' | 'planDueAt' | 'assigneeId'>;
export type KpiMachine = Pick<Machine, 'id' | 'code' | 'name' | 'departmentId' | 'hoursPerDay'>;

export interface Period { from: string; to: string; now: string }

export interface Kpis {
  /** Corrective tickets completed in the period. */
  repairs: number;
  /** Their downtime, minutes. */
  repairDowntimeMinutes: number;
  /** repair downtime / repairs, minutes; null without a repair. */
  mttrMinutes: number | null;
  /** Corrective tickets raised in the period. */
  breakdowns: number;
  /** The machines' hours per day over the period's days. */
  availableHours: number;
  /** Available hours less the repair downtime. */
  operatingHours: number;
  /** operating hours / breakdowns; null without a breakdown. */
  mtbfHours: number | null;
  /** operating / available, %; null without available time. */
  availabilityPct: number | null;
  response: Compliance;
  resolution: Compliance;
  preventive: Compliance;
}
/** met / due, %: due are the tickets whose due time falls in the period and is decided (met, or passed). */
export interface Compliance { due: number; met: number; pct: number | null }

const ms = (s: string) => Date.parse(s);
const inPeriod = (at: string | null | undefined, p: Period) => !!at && ms(at) >= ms(p.from) && ms(at) < ms(p.to);
const pct = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 1000) / 10);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The days a period spans (its `to` is exclusive), for available time. */
export function periodDays(p: Pick<Period, 'from' | 'to'>): number {
  return Math.max(0, (ms(p.to) - ms(p.from)) / 86_400_000);
}

/**
 * Response compliance. A ticket counts when its response is due in the period and the outcome is
 * known at `now`: it was responded to (met when at or before the due time), or the due time passed
 * without a response (missed). A cancelled ticket counts not at all.
 */
export function responseCompliance(tickets: readonly KpiTicket[], p: Period): Compliance {
  let due = 0, met = 0;
  for (const t of tickets) {
    if (t.status === 'cancelled' || !inPeriod(t.responseDueAt, p)) continue;
    const c = slaClocks(t, p.now).response;
    if (!t.respondedAt && ms(t.responseDueAt!) > ms(p.now)) continue; // still running: not decided yet
    due += 1;
    if (!c.breached) met += 1;
  }
  return { due, met, pct: pct(met, due) };
}

/** Resolution compliance, the same way, against the target moved later by the ticket's pauses. */
export function resolutionCompliance(tickets: readonly KpiTicket[], p: Period): Compliance {
  let due = 0, met = 0;
  for (const t of tickets) {
    if (t.status === 'cancelled' || !t.resolutionDueAt) continue;
    const c = slaClocks(t, p.now).resolution;
    if (!inPeriod(c.dueAt, p)) continue;
    if (!t.completedAt && ms(c.dueAt!) > ms(p.now)) continue;
    due += 1;
    if (!c.breached) met += 1;
  }
  return { due, met, pct: pct(met, due) };
}

/** Preventive compliance: preventive tickets due (plan due date) in the period, done on or before that day (UTC). */
export function preventiveCompliance(tickets: readonly KpiTicket[], p: Period): Compliance {
  let due = 0, met = 0;
  for (const t of tickets) {
    if (t.type !== 'preventive' || t.status === 'cancelled' || !inPeriod(t.planDueAt, p)) continue;
    const dueDay = t.planDueAt!.slice(0, 10);
    if (!t.completedAt && dueDay >= p.now.slice(0, 10)) continue; // due today or later: still possible
    due += 1;
    if (t.completedAt && t.completedAt.slice(0, 10) <= dueDay) met += 1;
  }
  return { due, met, pct: pct(met, due) };
}

/** Every figure for a set of tickets on a set of machines over a period. */
export function kpis(tickets: readonly KpiTicket[], machines: readonly KpiMachine[], p: Period): Kpis {
  const corrective = tickets.filter((t) => t.type === 'corrective' && t.status !== 'cancelled');
  const repaired = corrective.filter((t) => inPeriod(t.completedAt, p));
  const repairDowntimeMinutes = repaired.reduce((s, t) => s + (t.downtimeMinutes ?? 0), 0);
  const breakdowns = corrective.filter((t) => inPeriod(t.raisedAt ?? t.createdAt, p)).length;
  const availableHours = round1(machines.reduce((s, m) => s + m.hoursPerDay, 0) * periodDays(p));
  const operatingHours = round1(Math.max(0, availableHours - repairDowntimeMinutes / 60));
  return {
    repairs: repaired.length,
    repairDowntimeMinutes,
    mttrMinutes: repaired.length ? round1(repairDowntimeMinutes / repaired.length) : null,
    breakdowns,
    availableHours,
    operatingHours,
    mtbfHours: breakdowns ? round1(operatingHours / breakdowns) : null,
    availabilityPct: pct(operatingHours, availableHours),
    response: responseCompliance(tickets, p),
    resolution: resolutionCompliance(tickets, p),
    preventive: preventiveCompliance(tickets, p),
  };
}

export const BACKLOG_BUCKETS = ['under 1 day', '1–3 days', '3–7 days', '7–30 days', 'over 30 days'] as const;
const OPEN = ['open', 'assigned', 'in_progress', 'on_hold'];

/** Open tickets at `now` by age since they were raised. */
export function backlogByAge(tickets: readonly KpiTicket[], now: string): { bucket: string; count: number }[] {
  const counts = BACKLOG_BUCKETS.map(() => 0);
  for (const t of tickets) {
    if (!OPEN.includes(t.status)) continue;
    const days = (ms(now) - ms(t.raisedAt ?? t.createdAt)) / 86_400_000;
    const i = days < 1 ? 0 : days < 3 ? 1 : days < 7 ? 2 : days < 30 ? 3 : 4;
    counts[i] += 1;
  }
  return BACKLOG_BUCKETS.map((bucket, i) => ({ bucket, count: counts[i] }));
}
