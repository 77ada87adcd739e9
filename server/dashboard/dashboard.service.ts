// Assembles GET /api/dashboard (sync/dashboard.ts `Dashboard`) from the repository's aggregate queries
// and the pure KPI rules of sync/kpi.ts. The queries run side by side; none runs per row.
import { ALERT_ITEMS, ORDER_STATUSES, type Dashboard } from '../../sync/dashboard';
import { DEFAULT_CALENDAR, type ShiftCalendar } from '../../sync/planning';
import { slaAlert } from '../../sync/sla';
import type { Actor } from '../../sync/roles';
import { addDays, capacityRow, daysBetween, machineCapacity, machineOeeInput, mondayOf, oee, onTimeDelivery, plannedMinutes, sumOeeInputs, type OeeInput } from '../../sync/kpi';
import type { Db } from '../db/db';
import { AppError } from '../http/errors';
import * as repo from './dashboard.repository';

/** Weeks before this one that on-time delivery looks back over. */
export const OTD_WEEKS_BACK = 4;
/** Preventive plans due within this many days (or overdue) are an alert. */
export const PREVENTIVE_DAYS = 7;

const startOf = (day: string) => `${day}T00:00:00.000Z`;

/**
 * The department the dashboard covers: a supervisor's own (another one is refused), a manager's or
 * admin's choice or the whole plant (null). The route lets only those three roles in.
 */
export function dashboardScope(user: Actor, departmentId: string | undefined): string | null {
  if (user.role === 'supervisor') {
    if (departmentId && departmentId !== user.departmentId) {
      throw new AppError(403, 'forbidden', 'A supervisor sees the dashboard of their own department only.', [{ field: 'departmentId', message: 'is another department' }]);
    }
    if (!user.departmentId) throw new AppError(403, 'forbidden', 'A supervisor without a department has no dashboard.');
    return user.departmentId;
  }
  return departmentId ?? null;
}

export async function dashboard(db: Db, user: Actor, q: { departmentId?: string; today?: string }, nowDate = new Date()): Promise<Dashboard> {
  const now = nowDate.toISOString();
  const today = q.today ?? now.slice(0, 10);
  const dept = dashboardScope(user, q.departmentId);
  const monday = mondayOf(today);
  const week = { from: monday, to: addDays(monday, 6) };
  const nextWeek = { from: addDays(monday, 7), to: addDays(monday, 13) };
  const otdFrom = addDays(monday, -7 * OTD_WEEKS_BACK);
  // OEE counts up to now, or to the end of `today` when the device's day is already over on the server.
  const oeeEnd = now < startOf(addDays(today, 1)) ? now : startOf(addDays(today, 1));

  const [config, departments, machines, orderCounts, lines, stages, made, repairs, rejects, tickets, sop, preventive, onHold] = await Promise.all([
    repo.readConfigs(db, ['shiftCalendar']),
    repo.departments(db),
    repo.machines(db, dept),
    repo.orderCounts(db, dept, week, today),
    repo.deliveryLines(db, dept, otdFrom, today),
    repo.scheduledStages(db, dept, startOf(week.from), startOf(addDays(nextWeek.to, 1))),
    repo.production(db, dept, startOf(week.from), startOf(today), oeeEnd),
    repo.repairDowntime(db, dept, startOf(week.from), startOf(today), oeeEnd),
    repo.rejectsAwaitingReview(db, dept),
    repo.openTickets(db, dept),
    repo.sopOverdue(db, dept, now),
    repo.preventiveDue(db, dept, new Date(nowDate.getTime() + PREVENTIVE_DAYS * 86_400_000).toISOString()),
    repo.ordersOnHold(db, dept),
  ]);
  const cal = (config.get('shiftCalendar') as ShiftCalendar | undefined) ?? DEFAULT_CALENDAR;
  const scopeDept = dept ? departments.find((d) => d.id === dept) : undefined;
  if (dept && !scopeDept) throw new AppError(400, 'validation_failed', 'There is no such department.', [{ field: 'departmentId', message: 'is not a department' }]);
  // Departments that have machines in the scope, in code order.
  const shownDepts = departments.filter((d) => machines.some((m) => m.departmentId === d.id));
  const machineRef = (m: (typeof machines)[number]) => ({ machineId: m.id, code: m.code, name: m.name, departmentId: m.departmentId });
  const deptRef = (d: (typeof departments)[number]) => ({ departmentId: d.id, code: d.code, name: d.name });

  // ── orders ──
  const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Dashboard['orders']['byStatus'];
  let dueThisWeek = 0;
  let late = 0;
  for (const r of orderCounts) {
    if (r.status in byStatus) byStatus[r.status as keyof typeof byStatus] = r.orders;
    dueThisWeek += r.dueThisWeek;
    late += r.late;
  }

  // ── capacity: this week and next, the board's rules per day, summed ──
  const capacity = ([['This week', week], ['Next week', nextWeek]] as const).map(([label, p]) => {
    const days = daysBetween(p.from, p.to);
    const rows = machines.map((m) => ({ ...machineRef(m), ...machineCapacity(stages, m, days, cal) }));
    return {
      label, from: p.from, to: p.to, machines: rows,
      departments: shownDepts.map((d) => {
        const mine = rows.filter((r) => r.departmentId === d.id);
        return { ...deptRef(d), ...capacityRow(mine.reduce((s, r) => s + r.scheduledHours, 0), mine.reduce((s, r) => s + r.availableHours, 0)) };
      }),
    };
  });

  // ── OEE: today and this week (up to now) ──
  const madeBy = new Map(made.map((r) => [r.machineId, r]));
  const repairBy = new Map(repairs.map((r) => [r.machineId, r]));
  const oee_ = ([['Today', { from: today, to: today }, 'today'], ['This week', week, 'week']] as const).map(([label, p, part]) => {
    const days = daysBetween(p.from, p.to);
    const inputs = new Map<string, OeeInput>(machines.map((m) => {
      const counts = madeBy.get(m.id)?.[part] ?? { good: 0, rejected: 0, downtime: 0 };
      const planned = days.reduce((s, d) => s + plannedMinutes(m, d, cal, oeeEnd), 0);
      return [m.id, machineOeeInput(m, { plannedMinutes: planned, downtimeMinutes: counts.downtime + (repairBy.get(m.id)?.[part] ?? 0), goodCount: counts.good, rejectCount: counts.rejected })];
    }));
    return {
      label, from: p.from, to: p.to,
      machines: machines.map((m) => ({ ...machineRef(m), ...oee(inputs.get(m.id)!) })),
      departments: shownDepts.map((d) => ({ ...deptRef(d), ...oee(sumOeeInputs(machines.filter((m) => m.departmentId === d.id).map((m) => inputs.get(m.id)!))) })),
    };
  });

  // ── SLA alerts: each open ticket's running clock, by the rule the Maintenance list's ?sla= filter uses ──
  const sla: Dashboard['alerts']['sla']['items'] = [];
  for (const t of tickets) {
    const a = slaAlert(t, now);
    if (a.state !== 'ok' && a.dueAt) sla.push({ id: t.id, number: t.number ?? '', machineCode: t.machineCode, priority: t.priority, clock: a.clock, state: a.state, dueAt: a.dueAt });
  }
  sla.sort((a, b) => rank(a.state) - rank(b.state) || a.priority - b.priority || a.dueAt.localeCompare(b.dueAt));

  return {
    generatedAt: now,
    today, week, nextWeek,
    scope: { departmentId: dept, departmentName: scopeDept?.name ?? null },
    orders: { byStatus, dueThisWeek, late, onTimeDelivery: onTimeDelivery(lines, otdFrom, today) },
    capacity,
    oee: oee_,
    alerts: {
      rejectsAwaitingReview: rejects,
      sla: { breached: sla.filter((s) => s.state === 'breached').length, nearBreach: sla.filter((s) => s.state === 'near').length, items: sla.slice(0, ALERT_ITEMS) },
      sopOverdue: sop,
      preventiveDue: preventive,
      ordersOnHold: onHold,
    },
  };
}

const rank = (s: 'breached' | 'near') => (s === 'breached' ? 0 : 1);
