// GET /api/audit: the audit trail, filtered and paged (admin, manager). There is no write route.
import { Hono } from 'hono';
import { describeRoute } from '../http/openapi';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { query } from '../http/errors';
import { requireRole } from '../http/auth';
import { mayViewAudit } from '../../sync/permissions';
import { ROLES } from '../../sync/roles';
import { listAudit } from './audit.repository';
import { IsoTime } from '../../sync/protocol';

const Int = (min: number, max: number) => v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(min), v.maxValue(max));

/** An ISO timestamp that names a real moment (2026-02-31 is refused, not rolled into March). */
const Moment = IsoTime;

export const AuditQuerySchema = v.strictObject({
  entity: v.optional(v.pipe(v.string(), v.maxLength(32))),
  entityId: v.optional(v.pipe(v.string(), v.maxLength(36))),
  userId: v.optional(v.pipe(v.string(), v.maxLength(36))),
  from: v.optional(Moment),
  to: v.optional(Moment),
  page: v.optional(Int(1, 100_000), '1'),
  pageSize: v.optional(Int(1, 200), '50'),
});

export const auditRoutes = new Hono<AppEnv>().get('/', describeRoute({ summary: 'The audit trail, filtered and paged (admin, manager)', query: AuditQuerySchema }), requireRole(...ROLES.filter(mayViewAudit)), async (c) => {
  const q = query(c, AuditQuerySchema);
  return c.json(await listAudit(c.get('deps').db, q));
});
