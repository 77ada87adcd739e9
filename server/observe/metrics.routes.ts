// GET /metrics: Prometheus text format, for a scraper holding METRICS_TOKEN (docs/operations.md).
import type { Context } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import type { AppEnv, Deps } from '../context';
import { errorBody } from '../http/errors';

export function metricsRoute(deps: Deps) {
  return async (c: Context<AppEnv>) => {
    const token = deps.env.METRICS_TOKEN;
    if (!token || !deps.metrics) return c.json(errorBody('not_found', 'There is no route GET /metrics.'), 404);
    const given = /^Bearer (.+)$/.exec(c.req.header('Authorization') ?? '')?.[1] ?? '';
    if (!sameText(given, token)) {
      return c.json(errorBody('unauthenticated', 'GET /metrics needs the METRICS_TOKEN as a bearer token.'), 401, { 'WWW-Authenticate': 'Bearer' });
    }
    const text = await deps.metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': deps.metrics.registry.contentType, 'Cache-Control': 'no-store' });
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
