// What an operator of the system reads: one JSON log line per request (with the id the response
// carries), failures with their stack in the log and never in the answer, and Prometheus metrics
// behind METRICS_TOKEN.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { issueSession } from '../auth/sessions';
import { loadEnv } from '../env';
import { startServer, type Running } from '../server';
import { createLogger } from './logger';

const TOKEN = 'metrics-token-for-the-test-0123456789';
let dir: string;
let running: Running;
let lines: Record<string, unknown>[];
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'barron-observe-'));
  lines = [];
  const env = loadEnv({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'barron.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'info',
    JWT_SECRET: 'observe-test-secret-that-is-long-enough-01', NODE_ENV: 'test', METRICS_TOKEN: TOKEN,
  }, dir);
  const logger = createLogger('info', { write: (s: string) => { lines.push(JSON.parse(s)); } });
  // A built client, as in production: its GET * fallback must not name the API's requests.
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Barron</title>');
  running = await startServer(env, { logger, clientDir: dir });
  const u = await running.deps.db.selectFrom('users').selectAll().where('username', '=', 'operator.press').executeTakeFirstOrThrow();
  token = (await issueSession(running.deps, { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentId: u.departmentId }, uuidv7(), new Date())).accessToken;
});

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pushTwo() {
  const machine = await running.deps.db.selectFrom('machines').select('id').where('code', 'like', 'PR%').executeTakeFirstOrThrow();
  const clientId = uuidv7();
  const res = await fetch(`${running.url}/api/sync/push`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientId, schemaVersion: 1, mutations: [
      { id: uuidv7(), seq: 1, name: 'maintenance.create', args: { id: uuidv7(), machineId: machine.id, type: 'corrective', priority: 3, description: 'Guard rattles' }, at: new Date().toISOString() },
      { id: uuidv7(), seq: 2, name: 'no.such.mutation', args: {}, at: new Date().toISOString() },
    ] }),
  });
  return res;
}

describe('request logs', () => {
  it('writes one JSON line per request with the id the response carries, the user, the route and a push’s counts', async () => {
    const res = await pushTwo();
    expect(res.status).toBe(200);
    const id = res.headers.get('X-Request-Id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines.find((l) => l.reqId === id);
    expect(line).toMatchObject({
      msg: 'request', method: 'POST', route: '/api/sync/push', status: 200,
      sync: { sent: 2, applied: 1, rejected: 1 },
    });
    expect(line?.userId).toBeTruthy();
    expect(typeof line?.ms).toBe('number');
  });

  it('keeps a load balancer’s request id and refuses one that could forge log lines', async () => {
    const kept = await fetch(`${running.url}/api/me`, { headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'lb-0123456789abcdef' } });
    expect(kept.headers.get('X-Request-Id')).toBe('lb-0123456789abcdef');
    const odd = await fetch(`${running.url}/api/me`, { headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'x"} {"level":60}' } });
    expect(odd.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs a failure with its stack and answers only the JSON error shape', async () => {
    const real = running.deps.db.selectFrom.bind(running.deps.db);
    // The audit list reads the database; make that read fail the way a bug would.
    running.deps.db.selectFrom = (() => { throw new Error('boom in a query'); }) as typeof real;
    try {
      const res = await fetch(`${running.url}/api/audit`, { headers: { Authorization: `Bearer ${token}` } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: expect.any(String) } });
      expect(text).not.toContain('boom');
      expect(text).not.toMatch(/\bat .*\.ts:\d+/);
      const err = lines.find((l) => l.level === 50 && JSON.stringify(l).includes('boom in a query')) as { err?: { stack?: string } } | undefined;
      expect(err?.err?.stack).toMatch(/boom in a query[\s\S]*at /);
    } finally {
      running.deps.db.selectFrom = real;
    }
  });
});

describe('GET /metrics', () => {
  it('answers 401 without the token and Prometheus text with it', async () => {
    expect((await fetch(`${running.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${running.url}/metrics`, { headers: { Authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
    await pushTwo();
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    expect((await fetch(`${running.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${running.url}/orders`)).status).toBe(200);
    const res = await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/barron_http_request_duration_seconds_count\{method="POST",route="\/api\/sync\/push",status="200"\} [1-9]/);
    // Each GET under the route that answered it, not under the client's GET * fallback.
    expect(text).toMatch(/barron_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]/);
    expect(text).toMatch(/barron_http_request_duration_seconds_count\{method="GET",route="\/api\/me",status="200"\} [1-9]/);
    expect(text).toMatch(/barron_http_request_duration_seconds_count\{method="GET",route="static",status="200"\} [1-9]/);
    expect(text).toMatch(/barron_sync_mutations_total\{name="maintenance.create",status="applied"\} [1-9]/);
    expect(text).toMatch(/barron_sync_mutations_total\{name="unknown",status="rejected"\} [1-9]/);
    expect(text).toContain('barron_sync_lag');
    expect(text).toContain('barron_sse_connections');
  });

  it('is not there at all without METRICS_TOKEN', async () => {
    const d = mkdtempSync(join(tmpdir(), 'barron-observe-'));
    const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(d, 'b.sqlite')}`, SEED_DEMO: 'false', LOG_LEVEL: 'silent', JWT_SECRET: 'observe-test-secret-that-is-long-enough-01', NODE_ENV: 'test' }, d);
    const other = await startServer(env, { clientDir: d });
    try {
      const res = await fetch(`${other.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    } finally {
      await other.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
