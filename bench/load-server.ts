// bench:load's server side, in a child process (load.bench.ts forks itself with --serve): the
// started server with one user and session per device, answering the parent's questions (Ask) over IPC.
import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { uuidv7 } from '../sync/ids';
import type { PublicUser } from '../sync/roles';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { issueSession } from '../server/auth/sessions';
import { writeAudited } from '../server/sync/write';
import { openSseConnections } from '../server/sync/events';

export interface Fixture {
  url: string;
  devices: { token: string; userId: string; departmentId: string }[];
  stages: { id: string; departmentId: string }[];
  machines: { id: string; departmentId: string }[];
  defects: string[];
  tickets: { id: string; departmentId: string }[];
}

export type Ask = { kind: 'verify'; ids: string[] } | { kind: 'stages' } | { kind: 'sse' } | { kind: 'loop' } | { kind: 'nodeHttp' } | { kind: 'close' };

/** BENCH_SQL_PROF=1 (SQLite): time spent in each statement of the server, by SQL text, printed at close. */
async function profileSql() {
  const SQLite = (await import('better-sqlite3')).default;
  const proto = Object.getPrototypeOf(new SQLite(':memory:').prepare('select 1'));
  const spent = new Map<string, [number, number]>();
  for (const m of ['all', 'run', 'get', 'iterate'] as const) {
    const orig = proto[m];
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      const t = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        const e = spent.get(this.source) ?? [0, 0];
        e[0] += performance.now() - t;
        e[1] += 1;
        spent.set(this.source, e);
      }
    };
  }
  return () => {
    const total = [...spent.values()].reduce((n, e) => n + e[0], 0);
    console.log(`  SQL time in the server: ${(total / 1000).toFixed(1)} s; the heaviest statements:`);
    for (const [sqlText, [t, n]] of [...spent].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12)) console.log(`    ${(t / 1000).toFixed(1)} s, ${n}×: ${sqlText.replace(/\s+/g, ' ').slice(0, 220)}`);
  };
}

/**
 * What Node's HTTP layer saw, before Hono: for every request, the time from its socket's accept to the
 * request event (a new connection's wait to be read) and from the request event to the response's last
 * byte handed to the socket. The slowest few are kept ([ms, what, at ms since the steady run]).
 */
function watchNodeHttp() {
  const slow: { wait: [number, string][]; total: [number, string][] } = { wait: [], total: [] };
  const keep = (xs: [number, string][], x: [number, string]) => {
    xs.push(x);
    if (xs.length > 400) xs.sort((a, b) => b[0] - a[0]).splice(40);
  };
  const emit = HttpServer.prototype.emit;
  HttpServer.prototype.emit = function (this: HttpServer, event: string, ...args: any[]) {
    if (event === 'connection') (args[0] as { acceptedAt?: number }).acceptedAt = performance.now();
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      const t = performance.now();
      const sock = req.socket as typeof req.socket & { acceptedAt?: number; served?: number };
      if (!sock.served && sock.acceptedAt !== undefined) keep(slow.wait, [t - sock.acceptedAt, `${req.method} ${req.url?.split('?')[0]} (accept → request event)`]);
      sock.served = (sock.served ?? 0) + 1;
      if (!req.url?.startsWith('/api/sync/events')) res.once('finish', () => keep(slow.total, [performance.now() - t, `${req.method} ${req.url?.split('?')[0]} (request event → finish)`]));
    }
    return (emit as (this: HttpServer, e: string, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
  return () => ({ wait: slow.wait.sort((a, b) => b[0] - a[0]).slice(0, 8), total: slow.total.sort((a, b) => b[0] - a[0]).slice(0, 8), reset: () => { slow.wait.length = 0; slow.total.length = 0; } });
}

export async function serve(url: string, deviceCount: number, metricsToken: string) {
  const nodeHttp = watchNodeHttp();
  const sqlReport = process.env.BENCH_SQL_PROF && url.startsWith('sqlite:') ? await profileSql() : null;
  const env = loadEnv({ DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '1', LOG_LEVEL: 'silent', NODE_ENV: 'test', METRICS_TOKEN: metricsToken, JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const running = await startServer(env);
  const { db } = running.deps;
  // One operator per device, spread over the departments that have machines and stages. Created in
  // one audited write with one password hash (the bench does not measure bcrypt), each given a real
  // session through issueSession — what a login opens — so no login is throttled or weakened.
  const depts = await db.selectFrom('departments').select(['id', 'code']).where('code', 'in', ['PRS', 'PNT', 'ASM']).execute();
  const hash = await bcrypt.hash(uuidv7(), 10);
  const users: PublicUser[] = Array.from({ length: deviceCount }, (_, i) => ({
    id: uuidv7(), username: `load.op.${String(i + 1).padStart(4, '0')}`, displayName: `Load operator ${i + 1}`, role: 'operator', departmentId: depts[i % depts.length].id, active: true,
  }));
  await writeAudited(db, { actor: { id: uuidv7(), username: null }, system: true, name: 'bench.load.users' }, async (s) => {
    for (const u of users) await s.insert('users', { ...u, active: true, passwordHash: hash });
    return { table: 'users', id: null, message: `${users.length} load-test operators` };
  });
  const devices = [];
  for (const u of users) devices.push({ token: (await issueSession(running.deps, u, uuidv7(), new Date())).accessToken, userId: u.id, departmentId: u.departmentId! });
  const fixture: Fixture = {
    url: running.url.replace('localhost', '127.0.0.1'),
    devices,
    stages: await db.selectFrom('stages').select(['id', 'departmentId']).where('deletedAt', 'is', null).where('status', 'in', ['ready', 'running', 'paused', 'pending']).execute(),
    machines: await db.selectFrom('machines').select(['id', 'departmentId']).where('active', '=', 1).execute(),
    defects: (await db.selectFrom('defectCodes').select('id').where('active', '=', 1).execute()).map((d) => d.id),
    tickets: await db.selectFrom('maintenanceTickets').select(['id', 'departmentId']).where('deletedAt', 'is', null).execute(),
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.send!({ kind: 'ready', fixture });
  process.on('message', async (ask: Ask) => {
    if (ask.kind === 'close') {
      sqlReport?.();
      await running.close();
      process.exit(0);
    }
    if (ask.kind === 'nodeHttp') {
      const seen = nodeHttp();
      process.send!({ kind: 'nodeHttp', wait: seen.wait, total: seen.total });
      seen.reset();
    }
    if (ask.kind === 'sse') process.send!({ kind: 'sse', open: openSseConnections() });
    if (ask.kind === 'loop') {
      process.send!({ kind: 'loop', p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 });
      loop.reset();
    }
    if (ask.kind === 'stages') {
      const rows = await db.selectFrom('stages').select(['id', 'goodQty']).execute();
      process.send!({ kind: 'stages', rows: rows.map((r) => [r.id, Number(r.goodQty)]) });
    }
    if (ask.kind === 'verify') {
      // Per acknowledged mutation id: its audit entries, its stored results, and the row it made.
      const audits = new Map<string, number>();
      const results = new Map<string, number>();
      for (let i = 0; i < ask.ids.length; i += 500) {
        const part = ask.ids.slice(i, i + 500);
        for (const r of await db.selectFrom('auditLog').select(['mutationId', (eb) => eb.fn.countAll().as('n')]).where('mutationId', 'in', part).groupBy('mutationId').execute()) audits.set(r.mutationId!, Number(r.n));
        for (const r of await db.selectFrom('syncMutations').select(['mutationId', (eb) => eb.fn.countAll().as('n')]).where('mutationId', 'in', part).groupBy('mutationId').execute()) results.set(r.mutationId, Number(r.n));
      }
      process.send!({ kind: 'verified', audits: [...audits], results: [...results] });
    }
  });
}

