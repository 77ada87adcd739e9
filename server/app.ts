// Builds the Hono app from the feature routers; main.ts serves it, tests call app.request().
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv, Deps } from './context';
import { ping } from './db/db';
import { errorBody, onError, tooLarge } from './http/errors';
import { requireUser } from './http/auth';
import { securityHeaders } from './http/security-headers';
import { authRoutes } from './auth/auth.routes';
import { auditRoutes } from './audit/audit.routes';
import { syncRoutes } from './sync/sync.routes';
import { adminRoutes } from './admin/admin.routes';
import { importRoutes } from './import/import.routes';
import { exportRoutes } from './exports/exports.routes';
import { apiDocsRoutes } from './http/api-docs';
import { describeRoute } from './http/openapi';
import { MAX_PUSH_BYTES } from '../sync/protocol';

export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.onError(onError(deps.log));
  // First, so that every response has them: /health, /api, and the static client server.ts adds after.
  app.use('*', securityHeaders({ hsts: deps.env.tls !== null }));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });

  app.get('/health', describeRoute({ summary: 'Liveness and database check', tags: ['app'], public: true }), async (c) => {
    const ok = await ping(deps.db);
    return c.json({ status: ok ? 'ok' : 'unavailable', db: ok ? 'up' : 'down' }, ok ? 200 : 503);
  });

  const api = new Hono<AppEnv>();
  // Answers of the API hold tokens and plant data: no browser, service worker or proxy may keep them.
  api.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
  });
  const jsonLimit = bodyLimit({ maxSize: MAX_PUSH_BYTES, onError: (c) => tooLarge(c, `The request body is larger than ${MAX_PUSH_BYTES} bytes.`) });
  // Uploads have their own, larger limit (server/import); every other body is JSON of at most 1 MiB.
  api.use('*', (c, next) => (c.req.path.startsWith('/api/import/') ? next() : jsonLimit(c, next)));
  api.route('/auth', authRoutes);
  // Everything else needs a session; unknown paths still answer 404 below, signed in or not.
  for (const path of ['/me', '/sync/*', '/audit', '/audit/*', '/admin/*', '/import/*']) api.use(path, requireUser);
  api.get('/me', describeRoute({ summary: 'The signed-in user' }), (c) => c.json({ user: c.get('user') }));
  api.route('/sync', syncRoutes);
  api.route('/audit', auditRoutes);
  api.route('/admin', adminRoutes);
  api.route('/import', importRoutes);
  // live (issue 15): CSV exports (each route checks the session itself) and the API description.
  api.route('/', exportRoutes);
  api.all('*', (c) => c.json(errorBody('not_found', `There is no API route ${c.req.method} ${c.req.path}.`), 404));

  // The API reference: before the API's own middleware, so its static files may be cached (docs/api.md).
  app.route('/api', apiDocsRoutes(app));
  app.route('/api', api);
  return app;
}

export type App = ReturnType<typeof createApp>;
