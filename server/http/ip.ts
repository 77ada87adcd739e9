// The caller's address for audit and rate limiting: the socket's, or — only when TRUST_PROXY is
// set — the last address the proxy appended to X-Forwarded-For (a client can forge the others).
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppEnv } from '../context';

export function clientIp(c: Context<AppEnv>): string | null {
  if (c.get('deps')?.env.TRUST_PROXY) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1];
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
}
