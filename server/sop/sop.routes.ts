// GET /api/reports/sop?from&to: SOP tickets by department raised against, by SOP and by severity;
// on-time response %, mean time to close and escalations per department (issue 12).
import { describeRoute } from '../http/openapi';
import { Hono } from 'hono';
import * as v from 'valibot';
import { IsoDate } from '../../sync/protocol';
import { MANAGERS } from '../../sync/roles';
import type { AppEnv } from '../context';
import { requireRole, requireUser } from '../http/auth';
import { AppError, query } from '../http/errors';
import * as repo from './sop.repository';
import { csvResponse } from '../http/csv';
import { sopReport } from './sop.report';

const ReportQuery = v.strictObject({
  from: v.optional(IsoDate),
  to: v.optional(IsoDate),
  /** csv (issue 15 §3): the report's figures and its three tables as one download. */
  format: v.optional(v.picklist(['json', 'csv'], 'must be json or csv'), 'json'),
}, 'has a parameter that is not allowed');

type Report = { from: string; to: string } & ReturnType<typeof sopReport>;

/** The report as one CSV, as the page shows it: the totals, then a section per table (by department, by SOP, by severity). */
function reportCsv(r: Report): unknown[][] {
  const rows: unknown[][] = [['Section', 'Code', 'Name', 'Tickets', 'Open', 'Escalations', 'On-time response %', 'Mean time to close (h)']];
  rows.push(['Total', '', `${r.from} to ${r.to}`, r.total, '', r.escalations, r.onTimeResponsePct, r.meanTimeToCloseHours]);
  for (const d of r.byDepartment) rows.push(['By department raised against', d.code, d.name, d.tickets, d.open, d.escalations, d.onTimeResponsePct, d.meanTimeToCloseHours]);
  for (const s of r.bySop) rows.push(['By SOP', s.code, s.title, s.tickets, '', '', '', '']);
  for (const s of r.bySeverity) rows.push(['By severity', s.severity, s.severity[0].toUpperCase() + s.severity.slice(1), s.tickets, '', '', '', '']);
  return rows;
}

export const sopReportRoutes = new Hono<AppEnv>()
  .use('*', requireUser, requireRole(...MANAGERS))
  .get('/', describeRoute({ summary: 'SOP report: tickets by department, SOP and severity; on-time response; mean time to close; escalations (JSON or CSV)', tags: ['Reports'], query: ReportQuery }), async (c) => {
    const q = query(c, ReportQuery);
    const now = new Date();
    const to = q.to ?? now.toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    if (from > to) throw new AppError(400, 'validation_failed', 'The period starts after it ends.', [{ field: 'from', message: 'must be on or before to' }]);
    const tickets = await repo.ticketsRaisedBetween(c.get('deps').db, `${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`);
    const report: Report = { from, to, ...sopReport(tickets.map((t) => ({ ...t, escalationLevel: Number(t.escalationLevel) })), now.toISOString()) };
    if (q.format === 'csv') return csvResponse(`sop-report-${from}-${to}.csv`, reportCsv(report));
    return c.json(report);
  });
