// /api/sync/push and /api/sync/pull (SYNC-PROTOCOL.md), and /api/sync/events, the poke (server/sync/events.ts).
import { Hono } from 'hono';
import { describeRoute } from '../http/openapi';
import { PullQuerySchema, PushRequestSchema } from '../../sync/protocol';
import type { AppEnv } from '../context';
import { body, query } from '../http/errors';
import { clientIp } from '../http/ip';
import { eventStream, tokenEnd } from './events';
import { pull } from './pull';
import { push } from './push';

export const syncRoutes = new Hono<AppEnv>()
  .post('/push', describeRoute({ summary: 'Send queued mutations (SYNC-PROTOCOL.md)', body: PushRequestSchema }), async (c) => {
    const req = await body(c, PushRequestSchema);
    return c.json(await push(c.get('deps'), c.get('user'), req, clientIp(c)));
  })
  .get('/pull', describeRoute({ summary: 'Changes after a cursor (SYNC-PROTOCOL.md)', query: PullQuerySchema }), async (c) => {
    const q = query(c, PullQuerySchema);
    return c.json(await pull(c.get('deps'), c.get('user'), q));
  })
  .get('/events', describeRoute({ summary: 'The poke: "changed" with the latest sequence when the change log moves (SSE)', sse: true }), (c) => {
    const { db, log } = c.get('deps');
    return eventStream(db, log, { endsAt: tokenEnd(c.req.header('authorization')), signal: c.req.raw.signal });
  });
