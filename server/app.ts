// Builds the Hono app from the feature routers; main.ts serves it, tests call app.request().
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv, Deps } from './context';
import { markUnavailable, ping, recentlyUnavailable } from './db/db';
import { errorBody, onError, tooLarge } from './http/errors';
import { requireUser } from './http/auth';
import { securityHeaders } from './http/security-headers';
import { authRoutes } from './auth/auth.routes';
import { auditRoutes } from './audit/audit.routes';
import { syncRoutes } from './sync/sync.routes';
import { adminRoutes } from './admin/admin.routes';
import { importRoutes } from './import/import.routes';
import { attachmentRoutes } from './attachments/attachments.routes';
import { reportRoutes } from './quality/reports.routes';
import { sopReportRoutes } from './sop/sop.routes';
import { maintenanceReportRoutes, maintenanceRoutes } from './maintenance/maintenance.routes';
import { exportRoutes } from './exports/exports.routes';
import { apiDocsRoutes } from './http/api-docs';
import { describeRoute } from './http/openapi';
import { MAX_PUSH_BYTES } from '../sync/protocol';
import { qualityRoutes } from './quality/quality.routes';
import { createMetrics } from './observe/metrics';
import { requestLog } from './observe/request-log';
import { metricsRoute } from './observe/metrics.routes';
import { readCounter } from './sync/sync.repository';
// finance (issue 14)
import { financeReportRoutes, financeRoutes } from './finance/finance.routes';
// dashboard (issue 15 §2)
import { dashboardRoutes } from './dashboard/dashboard.routes';

export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.onError(onError(deps.log, () => markUnavailable(deps.db)));
  // First, so that every response has them: /health, /api, and the static client server.ts adds after.
  app.use('*', securityHeaders({ hsts: deps.env.tls !== null }));
  deps.metrics ??= createMetrics({ currentSeq: () => readCounter(deps.db, 'sync') });
  if (deps.logger) app.use('*', requestLog(deps.logger, deps.metrics));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });

  app.get('/health', describeRoute({ summary: 'Liveness and database check', tags: ['app'], public: true }), async (c) => {
    // Down when it does not answer, or when it refused a write within the last few seconds (a locked
    // SQLite file still answers reads; a device's push would not get through).
    const ok = !recentlyUnavailable(deps.db) && (await ping(deps.db));
    return c.json({ status: ok ? 'ok' : 'unavailable', db: ok ? 'up' : 'down' }, ok ? 200 : 503);
  });

  // Prometheus scrapes here with METRICS_TOKEN as a bearer token; without the variable the route is not there (404).
  app.get('/metrics', describeRoute({ summary: 'Prometheus metrics (bearer METRICS_TOKEN; 404 when unset)', tags: ['app'], public: true }), metricsRoute(deps));

  const api = new Hono<AppEnv>();
  // Answers of the API hold tokens and plant data: no browser, service worker or proxy may keep them.
  api.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
  });
  const jsonLimit = bodyLimit({ maxSize: MAX_PUSH_BYTES, onError: (c) => tooLarge(c, `The request body is larger than ${MAX_PUSH_BYTES} bytes.`) });
  // Uploads have their own, larger limit (server/import); every other body is JSON of at most 1 MiB.
  api.use('*', (c, next) => (c.req.path.startsWith('/api/import/') || c.req.path === '/api/attachments' || /^\/api\/finance\/boms\/[^/]+\/import$/.test(c.req.path) ? next() : jsonLimit(c, next)));
  api.route('/auth', authRoutes);
  // Everything else needs a session; unknown paths still answer 404 below, signed in or not.
  for (const path of ['/me', '/sync/*', '/audit', '/audit/*', '/admin/*', '/import/*', /* quality photos and reports */ '/attachments', '/attachments/*', '/reports/*']) api.use(path, requireUser);
  api.get('/me', describeRoute({ summary: 'The signed-in user' }), (c) => c.json({ user: c.get('user') }));
  api.route('/sync', syncRoutes);
  api.route('/audit', auditRoutes);
  api.route('/admin', adminRoutes);
  api.route('/import', importRoutes);
  // quality: reject, return and corrective-action history
  api.use('/quality/*', requireUser);
  api.route('/quality', qualityRoutes);
  // quality photos and reports (issue 11 §4, §5)
  api.route('/attachments', attachmentRoutes);
  api.route('/reports', reportRoutes);
  // SOP compliance (issue 12): the router checks the session itself.
  api.route('/reports/sop', sopReportRoutes);
  // finance (issue 14): online only, managers and admins; never synced
  api.use('/finance/*', requireUser); // /reports/* is guarded above
  api.route('/finance', financeRoutes);
  api.route('/reports', financeReportRoutes);
  // maintenance (issue 13)
  for (const path of ['/reports/maintenance', '/maintenance/*']) api.use(path, requireUser);
  api.route('/reports/maintenance', maintenanceReportRoutes);
  api.route('/maintenance', maintenanceRoutes);
  // live (issue 15): CSV exports (each route checks the session itself) and the API description.
  api.route('/', exportRoutes);
  // dashboard (issue 15 §2): the router checks the session itself.
  api.route('/dashboard', dashboardRoutes);
  api.all('*', (c) => c.json(errorBody('not_found', `There is no API route ${c.req.method} ${c.req.path}.`), 404));

  // The API reference: before the API's own middleware, so its static files may be cached (docs/api.md).
  app.route('/api', apiDocsRoutes(app));
  app.route('/api', api);
  return app;
}

export type App = ReturnType<typeof createApp>;
