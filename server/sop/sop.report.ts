// The SOP report's numbers from the tickets of a period: pure, so the formulas are tested on their own.
import { SEVERITIES } from '../../sync/sop';

export interface ReportTicket {
  severity: string; status: string; escalationLevel: number; dueAt: string; respondedAt: string | null; closedAt: string | null;
  createdAt: string; againstDepartmentId: string; departmentCode: string; departmentName: string; sopId: string; sopCode: string; sopTitle: string;
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 10);
const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

/**
 * On-time response % = tickets answered (acknowledged or rejected) by their due time / tickets whose
 * answer was due by `now` or that were answered; mean time to close = mean hours from raised to closed
 * over the closed tickets; escalations = steps taken (level 1 and 2 each count one).
 */
export function sopReport(tickets: ReportTicket[], now: string) {
  const counted = (t: ReportTicket) => t.respondedAt !== null || t.dueAt <= now;
  const onTime = (t: ReportTicket) => t.respondedAt !== null && t.respondedAt <= t.dueAt;
  const closed = tickets.filter((t) => t.closedAt);
  const meanClose = (ts: ReportTicket[]) => {
    const c = ts.filter((t) => t.closedAt);
    return c.length ? hours(c.reduce((s, t) => s + (Date.parse(t.closedAt!) - Date.parse(t.createdAt)), 0) / c.length) : null;
  };
  const byDept = new Map<string, ReportTicket[]>();
  const bySop = new Map<string, ReportTicket[]>();
  for (const t of tickets) {
    byDept.set(t.againstDepartmentId, [...(byDept.get(t.againstDepartmentId) ?? []), t]);
    bySop.set(t.sopId, [...(bySop.get(t.sopId) ?? []), t]);
  }
  return {
    total: tickets.length,
    onTimeResponsePct: pct(tickets.filter(onTime).length, tickets.filter(counted).length),
    meanTimeToCloseHours: meanClose(closed),
    escalations: tickets.reduce((s, t) => s + t.escalationLevel, 0),
    byDepartment: [...byDept.values()].map((ts) => ({
      departmentId: ts[0].againstDepartmentId, code: ts[0].departmentCode, name: ts[0].departmentName, tickets: ts.length,
      open: ts.filter((t) => t.status !== 'closed' && t.status !== 'rejected').length,
      escalations: ts.reduce((s, t) => s + t.escalationLevel, 0),
      onTimeResponsePct: pct(ts.filter(onTime).length, ts.filter(counted).length), meanTimeToCloseHours: meanClose(ts),
    })).sort((a, b) => b.tickets - a.tickets || a.code.localeCompare(b.code)),
    bySop: [...bySop.values()].map((ts) => ({ sopId: ts[0].sopId, code: ts[0].sopCode, title: ts[0].sopTitle, tickets: ts.length }))
      .sort((a, b) => b.tickets - a.tickets || a.code.localeCompare(b.code)),
    bySeverity: [...SEVERITIES].reverse().map((severity) => ({ severity, tickets: tickets.filter((t) => t.severity === severity).length })),
  };
}
