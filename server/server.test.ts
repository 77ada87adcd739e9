// The real HTTP server (startServer on a free port), for what app.request() cannot show: sockets and connections.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, type TestCertificate } from '../tests/setup/tls';
import { issueSession } from './auth/sessions';
import { uuidv7 } from '../sync/ids';
import { loadEnv } from './env';
import { startServer, type Running } from './server';

const dirs: string[] = [];
const servers: Running[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'barron-server-'));
  dirs.push(d);
  return d;
};

/** A stand-in for dist/: the shell, a hashed asset and the service worker (unit tests do not build the client). */
function fakeClient(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Barron PMS</title><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log("app")');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  return dir;
}

/** startServer on a free port of 127.0.0.1 with its own SQLite file and the demo plant. */
async function start(extra: Record<string, string> = {}, clientDir?: string): Promise<Running> {
  const dir = tempDir();
  const env = loadEnv({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'barron.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'silent',
    JWT_SECRET: 'server-test-secret-that-is-long-enough-0123', NODE_ENV: 'test', ...extra,
  }, dir);
  const running = await startServer(env, { clientDir });
  servers.push(running);
  return running;
}

afterAll(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function adminToken(running: Running) {
  const u = await running.deps.db.selectFrom('users').selectAll().where('username', '=', 'admin').executeTakeFirstOrThrow();
  return (await issueSession(running.deps, { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentId: u.departmentId }, uuidv7(), new Date())).accessToken;
}

interface RawAnswer { status: number; headers: Record<string, string>; body: string; serverClosed: boolean }

/** Writes `bytes` on a fresh socket and reads the answer; `serverClosed`: the server ended the connection within 2 s of answering. */
function raw(port: number, ...bytes: (string | Buffer)[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (serverClosed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const [head, ...rest] = data.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const hs = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers: hs, body: rest.join('\r\n\r\n'), serverClosed });
    };
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (!timer && data.includes('\r\n\r\n')) timer = setTimeout(() => finish(false), 2_000);
    });
    socket.on('end', () => finish(true));
    for (const b of bytes) socket.write(b);
  });
}

/** Only the first `sent` bytes of a body whose Content-Length says `declared`, the way a phone on poor Wi-Fi uploads. */
function slowUpload(port: number, path: string, headers: Record<string, string>, declared: number, sent: number): Promise<RawAnswer> {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive', `Content-Length: ${declared}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return raw(port, `${lines.join('\r\n')}\r\n\r\n`, Buffer.alloc(sent, 'x'));
}

/** GET over HTTPS trusting only `ca`, as a device that installed the plant CA does. */
function httpsGet(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: readFileSync(ca) }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

describe('the HTTP server', () => {
  let running: Running;
  beforeAll(async () => {
    running = await start();
  });

  it.each([
    ['a JSON body over 1 MiB', '/api/sync/push', 'application/json', 2 * 1024 * 1024, 'bytes'],
    ['an import upload over 5 MiB', '/api/import/orders', 'multipart/form-data; boundary=x', 6 * 1024 * 1024, 'MB'],
  ])('refuses %s with 413 and Connection: close, since the rest of the body is never read, and the next request works', async (_what, path, type, declared, unit) => {
    const answer = await slowUpload(running.port, path, { 'Content-Type': type, Authorization: `Bearer ${await adminToken(running)}` }, declared, 64 * 1024);
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large', message: expect.stringContaining(unit) } });
    expect(answer.serverClosed).toBe(true);
    const next = await fetch(`http://127.0.0.1:${running.port}/health`);
    expect(next.status).toBe(200);
  });
});

describe('security headers', () => {
  let running: Running;
  beforeAll(async () => {
    running = await start({}, fakeClient());
  });

  /** A policy as directive → sources, so a missing or loosened directive shows by name. */
  const parseCsp = (header: string | null) =>
    Object.fromEntries((header ?? '').split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...sources] = d.split(/\s+/);
      return [name, sources];
    }));

  it.each([
    ['the app shell', '/', 200, 'text/html'],
    ['a deep link answered with the shell', '/orders/ORD-000001', 200, 'text/html'],
    ['a hashed asset', '/assets/index-abc123.js', 200, 'javascript'],
    ['the service worker', '/sw.js', 200, 'javascript'],
    ['/health', '/health', 200, 'application/json'],
    ['an API route that needs a session', '/api/me', 401, 'application/json'],
    ['an unknown API route', '/api/nothing-here', 404, 'application/json'],
  ])('%s (%s) carries the strict CSP, nosniff, no referrer, no framing and camera for this origin only', async (_what, path, status, type) => {
    const res = await fetch(`http://127.0.0.1:${running.port}${path}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain(type);
    expect(parseCsp(res.headers.get('content-security-policy'))).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'connect-src': ["'self'"],
      'worker-src': ["'self'"],
      'manifest-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const permissions = res.headers.get('permissions-policy') ?? '';
    expect(permissions).toContain('camera=(self)');
    expect(permissions).toContain('microphone=()');
    // Plain HTTP: no HSTS (a browser would ignore it, and it would mislead whoever reads the headers).
    expect(res.headers.get('strict-transport-security')).toBeNull();
    await res.arrayBuffer();
  });
});

describe('HTTPS', () => {
  let running: Running;
  let pki: TestCertificate;
  beforeAll(async () => {
    pki = makeCertificate(tempDir());
    running = await start({ TLS_CERT: pki.cert, TLS_KEY: pki.key, HTTP_REDIRECT_PORT: '0' }, fakeClient());
  });

  it('serves the app over HTTPS with a certificate a device trusts through the plant CA, with HSTS', async () => {
    expect(running.url).toBe(`https://localhost:${running.port}`);
    for (const path of ['/', '/health']) {
      const res = await httpsGet(`https://127.0.0.1:${running.port}${path}`, pki.ca);
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    expect((await httpsGet(`https://127.0.0.1:${running.port}/`, pki.ca)).body).toContain('<title>Barron PMS</title>');
  });

  it('answers plain HTTP on HTTP_REDIRECT_PORT with a redirect to the same host, path and query on HTTPS', async () => {
    const get = await fetch(`http://127.0.0.1:${running.redirectPort}/orders/ORD-000001?tab=stages`, { redirect: 'manual' });
    expect(get.status).toBe(308);
    expect(get.headers.get('location')).toBe(`https://127.0.0.1:${running.port}/orders/ORD-000001?tab=stages`);
    // The name the phone used, not the server's own; 308 so that a POST is repeated as a POST.
    const post = await raw(running.redirectPort!, 'POST /api/auth/login HTTP/1.1\r\nHost: pms.plant.local\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    expect(post.status).toBe(308);
    expect(post.headers.location).toBe(`https://pms.plant.local:${running.port}/api/auth/login`);
    // Without a Host header there is no name to send the client to.
    expect((await raw(running.redirectPort!, 'GET / HTTP/1.0\r\n\r\n')).status).toBe(400);
    // Nothing but the redirect is served over plain HTTP.
    const api = await fetch(`http://127.0.0.1:${running.redirectPort}/api/me`, { redirect: 'manual' });
    expect(api.status).toBe(308);
    expect(await api.text()).toBe('');
  });

  it('refuses to start when the redirect port is taken, naming HTTP_REDIRECT_PORT and the reason', async () => {
    await expect(start({ TLS_CERT: pki.cert, TLS_KEY: pki.key, HTTP_REDIRECT_PORT: String(running.redirectPort) })).rejects.toThrow(
      /HTTP_REDIRECT_PORT: cannot listen on 127\.0\.0\.1:\d+ \(another program is using it\)/,
    );
  });
});
