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
import { sopReport } from './sop.report';

const ReportQuery = v.strictObject({ from: v.optional(IsoDate), to: v.optional(IsoDate) }, 'has a parameter that is not allowed');

export const sopReportRoutes = new Hono<AppEnv>()
  .use('*', requireUser, requireRole(...MANAGERS))
  .get('/', describeRoute({ summary: 'SOP report: tickets by department, SOP and severity; on-time response; mean time to close; escalations', tags: ['Reports'] }), async (c) => {
    const q = query(c, ReportQuery);
    const now = new Date();
    const to = q.to ?? now.toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    if (from > to) throw new AppError(400, 'validation_failed', 'The period starts after it ends.', [{ field: 'from', message: 'must be on or before to' }]);
    const tickets = await repo.ticketsRaisedBetween(c.get('deps').db, `${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`);
    return c.json({ from, to, ...sopReport(tickets.map((t) => ({ ...t, escalationLevel: Number(t.escalationLevel) })), now.toISOString()) });
  });
