// /api/sync/push and /api/sync/pull (SYNC-PROTOCOL.md), and /api/sync/events, the poke (server/sync/events.ts).
import { Hono } from 'hono';
import type { Context } from 'hono';
import { PullQuerySchema, PushRequestSchema, type PushRequest, type PushResponse } from '../../sync/protocol';
import { MUTATIONS } from '../../sync/mutations';
import type { AppEnv } from '../context';
import { body, query } from '../http/errors';
import { clientIp } from '../http/ip';
import { cursorSeq, pull } from './pull';
import { pageJson } from './codec';
import { describeRoute } from '../http/openapi';
import { eventStream, tokenEnd } from './events';
import { push } from './push';
import { pushGateOf } from './push-gate';

export const syncRoutes = new Hono<AppEnv>()
  .post('/push', describeRoute({ summary: 'Send queued mutations (SYNC-PROTOCOL.md)', body: PushRequestSchema }), async (c) => {
    const req = await body(c, PushRequestSchema);
    const deps = c.get('deps');
    // Admitted first come, first served, a few at a time per process (server/sync/push-gate.ts).
    const res = await pushGateOf(deps.db, deps.dialect).run(() => push(deps, c.get('user'), req, clientIp(c)), c.req.raw.signal);
    countPush(c, req, res);
    return c.json(res);
  })
  .get('/pull', describeRoute({ summary: 'Changes after a cursor (SYNC-PROTOCOL.md)', query: PullQuerySchema }), async (c) => {
    const q = query(c, PullQuerySchema);
    const res = await pull(c.get('deps'), c.get('user'), q);
    c.set('syncCounts', { rows: res.changes.length });
    const metrics = c.get('deps').metrics;
    metrics?.pullRows.inc(res.changes.length);
    const seq = cursorSeq(res.cursor);
    if (metrics && seq !== null) metrics.notePulled(q.clientId, seq);
    // The same JSON as c.json(res), encoded change by change (codec.ts pageJson).
    return c.body(pageJson(res), 200, { 'Content-Type': 'application/json' });
  })
  .get('/events', describeRoute({ summary: 'The poke: "changed" with the latest sequence when the change log moves (SSE)', sse: true }), (c) => {
    const { db, log } = c.get('deps');
    return eventStream(db, log, { endsAt: tokenEnd(c.req.header('authorization')), signal: c.req.raw.signal });
  });

/** A push's outcomes in the request's log line and the metrics, by mutation name (unknown names as one label). */
function countPush(c: Context<AppEnv>, req: PushRequest, res: PushResponse) {
  const counts: Record<string, number> = { sent: req.mutations.length, applied: 0, conflict: 0, rejected: 0 };
  const names = new Map(req.mutations.map((m) => {
    const raw = (m ?? {}) as { seq?: unknown; name?: unknown };
    return [raw.seq, typeof raw.name === 'string' ? raw.name : null] as const;
  }));
  for (const r of res.results) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    const name = names.get(r.seq);
    c.get('deps').metrics?.mutations.inc({ name: name && MUTATIONS.has(name) ? name : 'unknown', status: r.status });
  }
  c.set('syncCounts', counts);
}
