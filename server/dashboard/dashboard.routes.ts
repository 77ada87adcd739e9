// GET /api/dashboard (issue 15 §2): the plant dashboard in one answer (sync/dashboard.ts). Managers and
// admins see the plant or one department, supervisors their own department; operators and technicians
// are refused. docs/dashboard.md says what each figure means.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { describeRoute } from '../http/openapi';
import { AppError, query } from '../http/errors';
import { requireUser } from '../http/auth';
import { IsoDate, Uuid } from '../../sync/protocol';
import { mayReadDashboard } from '../../sync/permissions';
import type { Dashboard } from '../../sync/dashboard';
import { dashboard } from './dashboard.service';

export const DashboardQuery = v.strictObject({
  departmentId: v.optional(Uuid),
  /** The device's local day (YYYY-MM-DD); the server's UTC day without it. */
  today: v.optional(IsoDate),
}, 'has a field that is not allowed');

export const dashboardRoutes = new Hono<AppEnv>()
  .get('/', describeRoute({ summary: 'Plant dashboard: orders, capacity, OEE and alerts in one answer (managers: plant; supervisors: their department)', tags: ['Reports'], query: DashboardQuery }), requireUser, async (c) => {
    const user = c.get('user');
    if (!mayReadDashboard(user.role)) throw new AppError(403, 'forbidden', 'The dashboard is for managers and supervisors.');
    const q = query(c, DashboardQuery);
    return c.json<Dashboard>(await dashboard(c.get('deps').db, user, q));
  });
