// Per request: an id (kept from a load balancer's X-Request-Id when it looks like one, else new),
// returned as X-Request-Id; one log line with user, route, status, duration and a push's counts; and
// the request's duration in the metrics. The route is Hono's matched pattern (`/api/sync/push`,
// `/api/admin/:entity/:id`), so labels stay few whatever paths clients send.
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { randomUUID } from 'node:crypto';
import type { AppEnv } from '../context';
import type { Pino } from './logger';
import type { Metrics } from './metrics';

const INCOMING_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestLog(logger: Pino, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('X-Request-Id');
    const id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    let failed: unknown;
    try {
      await next();
    } catch (err) {
      failed = err;
      throw err;
    } finally {
      const status = failed ? 500 : c.res.status;
      if (!failed) c.res.headers.set('X-Request-Id', id);
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(c);
      metrics.requestSeconds.observe({ method: c.req.method, route, status: String(status) }, seconds);
      const sync = c.get('syncCounts');
      if (route !== '/health' || status !== 200) {
        logger.info({
          reqId: id, method: c.req.method, route, path: c.req.path, status, ms: Math.round(seconds * 10_000) / 10,
          userId: c.get('user')?.id ?? null, ...(sync ? { sync } : {}),
        }, 'request');
      }
    }
  };
}

/** The pattern of the handler that answered: not a middleware's `*`, and one label for the client's files. */
function routeOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  // The handler that ran last is the one that answered (c.req.routeIndex, after next()); routes matched
  // after it, such as the static server's GET * fallback, never ran and do not name the request.
  const all = matchedRoutes(c);
  const answered = all.slice(0, c.req.routeIndex + 1).filter((r) => r.method !== 'ALL' || !r.path.endsWith('*'));
  const last = answered[answered.length - 1];
  if (last && last.path !== '*' && last.path !== '/*') return last.path;
  return c.req.path.startsWith('/api/') ? '/api/*' : 'static';
}
