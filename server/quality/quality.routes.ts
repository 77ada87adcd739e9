// GET /api/quality/history: the audit trail of one quality row (a reject, a customer return, a
// corrective action) for whoever may see that row — a supervisor reads their department's reject
// history here, where the plant-wide /api/audit is for admins and managers only.
import { describeRoute } from '../http/openapi';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { notFound, query } from '../http/errors';
import { Uuid } from '../../sync/protocol';
import { canSee } from '../../sync/tables';
import { ROW_LABEL } from '../../sync/rejections';
import { getRow } from '../sync/sync.repository';
import { listAudit } from '../audit/audit.repository';

/** The tables whose history this route reads (the quality module's own). */
export const HISTORY_TABLES = ['rejects', 'customerReturns', 'correctiveActions'] as const;

const HistoryQuery = v.strictObject({
  entity: v.picklist(HISTORY_TABLES, 'is not one of rejects, customerReturns, correctiveActions'),
  id: Uuid,
}, 'has a field that is not allowed');

export const qualityRoutes = new Hono<AppEnv>().get('/history', describeRoute({ summary: 'The readable history (audit before/after) of a reject, return or corrective action the caller may see', tags: ['Quality'] }), async (c) => {
  const q = query(c, HistoryQuery);
  const { db } = c.get('deps');
  const row = await getRow(db, q.entity, q.id);
  // Another department's row reads exactly like a made-up id.
  if (!row || !canSee(c.get('user'), q.entity, row)) throw notFound(`${ROW_LABEL[q.entity]} ${q.id}`);
  return c.json(await listAudit(db, { entity: q.entity, entityId: q.id, page: 1, pageSize: 100 }));
});
