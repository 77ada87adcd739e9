// npm run bench:load — a plant-sized load: N simulated devices over real HTTP against a started
// server (in a child process, so the devices' own work does not slow the server's event loop), each
// with its own user, session, client id and outbox. Steady run: every device pulls every 10 s and
// pushes bursts of 1–20 realistic mutations; /health is probed meanwhile (and before, idle). Then the
// burst: every device pushes 50 queued mutations at the same instant (the end of a Wi-Fi outage).
// Afterwards it checks that every acknowledged mutation is on the server exactly once, with one
// audit entry each, and that the stage totals add up. Prints ratios measured in one run.
//
// Knobs (env): BENCH_DEVICES (200), BENCH_SECONDS (60), BENCH_PUSH_EVERY (seconds between a device's
// pushes, 30), BENCH_PULL_EVERY (10), BENCH_BURST (mutations per device in the burst, 50; 0 skips),
// BENCH_REFERENCE (mutations of the reference push rate, 2000), BENCH_SSE (1: open a poke stream per
// device at GET /api/sync/events for the run, read its pokes, and report the streams the server holds),
// BENCH_DATABASE_URL=mysql://… (MariaDB/MySQL as well as SQLite), BENCH_SERVER_CPU (1; e.g. 0.25: the
// server process runs a quarter of the time during the steady run — a busy machine, reproducibly).
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { get as httpGet, Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { uuidv7 } from '../sync/ids';
import type { PublicUser } from '../sync/roles';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { issueSession } from '../server/auth/sessions';
import { writeAudited } from '../server/sync/write';
import { openSseConnections } from '../server/sync/events';
import { benchKinds, withBenchDatabase } from './bench-db';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const PUSH_EVERY = Number(process.env.BENCH_PUSH_EVERY ?? 30);
const PULL_EVERY = Number(process.env.BENCH_PULL_EVERY ?? 10);
const BURST = Number(process.env.BENCH_BURST ?? 50);
const REFERENCE = Number(process.env.BENCH_REFERENCE ?? 2000);
const SSE = process.env.BENCH_SSE !== '0';
/** BENCH_SERVER_CPU=0.25: the server process runs only that share of the time during the steady run (SIGSTOP/SIGCONT every 60 ms) — a busy machine, reproducibly. */
const SERVER_CPU = Number(process.env.BENCH_SERVER_CPU ?? 1);
const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** The server's own view (GET /metrics): requests by route, and how many took longer than 2.5 s and 10 s inside the server. */
async function serverSide(url: string) {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })).text();
  const by = new Map<string, { n: number; le: Map<string, number> }>();
  for (const m of text.matchAll(/^barron_http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.method} ${labels.route}`;
    const e = by.get(key) ?? { n: 0, le: new Map() };
    e.le.set(labels.le, (e.le.get(labels.le) ?? 0) + Number(m[2]));
    if (labels.le === '+Inf') e.n += Number(m[2]);
    by.set(key, e);
  }
  return [...by].filter(([k]) => /sync\/(push|pull)|health|GET \/\*/.test(k)).map(([k, e]) => `${k === 'GET /*' ? 'GET (pull and /health: the metrics label every GET /*)' : k}: ${e.n} requests, ${e.n - (e.le.get('2.5') ?? 0)} over 2.5 s, ${e.n - (e.le.get('10') ?? 0)} over 10 s`).join('; ');
}

// ── the server side (child process) ─────────────────────────────────────────

interface Fixture {
  url: string;
  devices: { token: string; userId: string; departmentId: string }[];
  stages: { id: string; departmentId: string }[];
  machines: { id: string; departmentId: string }[];
  defects: string[];
  tickets: { id: string; departmentId: string }[];
}

type Ask = { kind: 'verify'; ids: string[] } | { kind: 'stages' } | { kind: 'sse' } | { kind: 'loop' } | { kind: 'nodeHttp' } | { kind: 'close' };

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

async function serve(url: string) {
  const nodeHttp = watchNodeHttp();
  const sqlReport = process.env.BENCH_SQL_PROF && url.startsWith('sqlite:') ? await profileSql() : null;
  const env = loadEnv({ DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: '1', LOG_LEVEL: 'silent', NODE_ENV: 'test', METRICS_TOKEN: BENCH_METRICS_TOKEN, JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const running = await startServer(env);
  const { db } = running.deps;
  // One operator per device, spread over the departments that have machines and stages. Created in
  // one audited write with one password hash (the bench does not measure bcrypt), each given a real
  // session through issueSession — what a login opens — so no login is throttled or weakened.
  const depts = await db.selectFrom('departments').select(['id', 'code']).where('code', 'in', ['PRS', 'PNT', 'ASM']).execute();
  const hash = await bcrypt.hash(uuidv7(), 10);
  const users: PublicUser[] = Array.from({ length: DEVICES }, (_, i) => ({
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

// ── the devices (parent process) ────────────────────────────────────────────

interface Sent { id: string; seq: number; name: string; args: Record<string, unknown>; at: string }

class Stats {
  readonly push: number[] = [];
  readonly pull: number[] = [];
  readonly health: number[] = [];
  /** The slowest requests: [latency ms, start ms (performance.now()), what]. */
  readonly slow: [number, number, string][] = [];
  errors = 0;
  requests = 0;
  readonly errorKinds = new Map<string, number>();
  error(kind: string) {
    this.errors++;
    this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
  }
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
const line = (label: string, xs: number[]) => `${label}: n ${xs.length}, p50 ${ms(pct(xs, 50))}, p95 ${ms(pct(xs, 95))}, p99 ${ms(pct(xs, 99))}`;
const sleep = (t: number) => new Promise((ok) => setTimeout(ok, t));

class Device {
  readonly clientId = uuidv7();
  private seq = 0;
  readonly outbox: Sent[] = [];
  cursor = '';
  /** Every mutation the server acknowledged (a result in a 200, or in a 409/503's details), with its result. */
  readonly acked = new Map<string, { m: Sent; status: string; code?: string }>();

  constructor(readonly f: Fixture, readonly d: Fixture['devices'][number], readonly stats: Stats) {}

  private pick<T>(xs: T[]) {
    return xs[Math.floor(Math.random() * xs.length)];
  }

  /** A realistic mutation of an operator: mostly counts, some rejects, a few ticket comments. */
  enqueue(n: number) {
    const stages = this.f.stages.filter((s) => s.departmentId === this.d.departmentId);
    const machines = this.f.machines.filter((m) => m.departmentId === this.d.departmentId);
    const tickets = this.f.tickets.filter((t) => t.departmentId === this.d.departmentId);
    for (let i = 0; i < n; i++) {
      const r = Math.random();
      const at = new Date().toISOString();
      let m: Omit<Sent, 'seq' | 'id' | 'at'>;
      if (r < 0.7 || !machines.length) m = { name: 'job.progress', args: { id: uuidv7(), stageId: this.pick(stages).id, goodQty: 1 + Math.floor(Math.random() * 5), rejectQty: 0, confirmOverPlan: true } };
      else if (r < 0.9 || !tickets.length) m = { name: 'reject.create', args: { id: uuidv7(), machineId: this.pick(machines).id, defectCodeId: this.pick(this.f.defects), quantity: 1 + Math.floor(Math.random() * 3) } };
      else m = { name: 'maintenance.comment', args: { id: uuidv7(), ticketId: this.pick(tickets).id, note: 'Load test: checked, still running' } };
      this.outbox.push({ id: uuidv7(), seq: ++this.seq, at, ...m });
    }
  }

  private async request(path: string, init: RequestInit) {
    this.stats.requests++;
    return fetch(`${this.f.url}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${this.d.token}`, ...(init.headers ?? {}) } });
  }

  private record(results: { id: string; seq: number; status: string; code?: string }[]) {
    for (const r of results) {
      const m = this.outbox.find((x) => x.id === r.id) ?? this.acked.get(r.id)?.m;
      if (m) this.acked.set(r.id, { m, status: r.status, code: r.code });
    }
  }

  /** Sends the outbox as a device does, 100 at a time; what the server acknowledged leaves it. */
  async push(times = this.stats.push) {
    while (this.outbox.length) {
      const batch = this.outbox.slice(0, 100);
      const t0 = performance.now();
      let res: Response;
      try {
        res = await this.request('/api/sync/push', { method: 'POST', body: JSON.stringify({ clientId: this.clientId, schemaVersion: 1, mutations: batch }) });
      } catch (err) {
        this.stats.error(`push network ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`);
        return;
      }
      const body = (await res.json()) as any;
      times.push(performance.now() - t0);
      this.stats.slow.push([performance.now() - t0, t0, `push ${batch.length}`]);
      if (res.status !== 200) {
        this.stats.error(`push ${res.status} ${body?.error?.code ?? ''}`);
        const details = body?.error?.details?.[0];
        if (details?.results) this.record(details.results);
        if (details?.lastSeq !== undefined) this.drop(details.lastSeq);
        return; // the device tries again at its next push
      }
      this.record(body.results);
      this.drop(body.lastSeq);
    }
  }

  private drop(lastSeq: number) {
    while (this.outbox.length && this.outbox[0].seq <= lastSeq) this.outbox.shift();
  }

  async pull() {
    for (let page = 0; page < 200; page++) {
      const t0 = performance.now();
      let res: Response;
      try {
        res = await this.request(`/api/sync/pull?clientId=${this.clientId}&limit=500${this.cursor ? `&cursor=${this.cursor}` : ''}`, { method: 'GET' });
      } catch (err) {
        this.stats.error(`pull network ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`);
        return;
      }
      const body = (await res.json()) as any;
      this.stats.pull.push(performance.now() - t0);
      this.stats.slow.push([performance.now() - t0, t0, `pull page ${page + 1}, ${body?.changes?.length ?? 0} changes`]);
      if (res.status !== 200) {
        this.stats.error(`pull ${res.status} ${body?.error?.code ?? ''}`);
        return;
      }
      this.cursor = body.cursor;
      if (!body.hasMore) return;
    }
  }

  /** "changed" messages this device's poke stream brought (server/sync/events.ts). */
  pokes = 0;

  /**
   * The poke stream (GET /api/sync/events), held open for the run and read as a device reads it:
   * every `event: changed` counts. A real device pulls at once on a poke; here the pulls keep their
   * 10 s schedule so that the load stays the one the issue describes (the pokes are counted instead).
   */
  async openEvents(signal: AbortSignal): Promise<'open' | 'failed'> {
    // Through node:http, not fetch: fetch's pool would put the 200 long-lived streams in the same
    // client as every push and pull of this process (see docs/performance.md).
    const u = new URL(`${this.f.url}/api/sync/events?clientId=${this.clientId}`);
    return new Promise((ok) => {
      const req = httpGet({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, agent: false, signal, headers: { authorization: `Bearer ${this.d.token}`, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          this.stats.error(`events ${res.statusCode}`);
          res.resume();
          return ok('failed');
        }
        ok('open');
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            if (buf.slice(0, cut).split('\n').includes('event: changed')) this.pokes++;
            buf = buf.slice(cut + 2);
          }
        });
        res.on('end', () => {
          if (!signal.aborted) this.stats.error('events stream ended early');
        });
        res.on('error', () => {
          if (!signal.aborted) this.stats.error('events stream broke');
        });
      });
      req.on('error', (err) => {
        if (signal.aborted) return;
        this.stats.error(`events network ${(err as { code?: string }).code ?? String(err)}`);
        ok('failed');
      });
    });
  }
}

async function healthLoop(url: string, times: number[], until: () => boolean, every = 250) {
  while (!until()) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      times.push(performance.now() - t0);
    } catch {
      /* counted nowhere: /health is the yardstick, not the subject */
    }
    await sleep(every);
  }
}

/** BENCH_SERVER_CPU < 1: stops and continues the server process so that it runs that share of every 60 ms. */
function starveServer(child: ChildProcess) {
  if (!(SERVER_CPU > 0 && SERVER_CPU < 1)) return { stop() {} };
  let on = true;
  let timer: ReturnType<typeof setTimeout>;
  const cycle = () => {
    child.kill('SIGSTOP');
    timer = setTimeout(() => {
      child.kill('SIGCONT');
      if (on) timer = setTimeout(cycle, 60 * SERVER_CPU);
    }, 60 * (1 - SERVER_CPU));
  };
  cycle();
  return {
    stop() {
      on = false;
      clearTimeout(timer);
      child.kill('SIGCONT');
    },
  };
}

async function loadOne(label: string, url: string) {
  // BENCH_CPU_PROF=<dir>: the server process writes a V8 CPU profile there (node --cpu-prof) when it closes.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', url], { execArgv: [...process.execArgv, ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(msg: Ask, kind: string) => new Promise<T>((ok, fail) => {
    const exited = (code: number | null) => fail(new Error(`server exited with ${code}`));
    const on = (m: any) => {
      if (m.kind === kind) {
        child.off('message', on);
        child.off('exit', exited);
        ok(m as T);
      }
    };
    child.on('message', on);
    child.once('exit', exited);
    child.send(msg);
  });
  const ready = await new Promise<{ fixture: Fixture }>((ok, fail) => {
    child.once('message', (m: any) => (m.kind === 'ready' ? ok(m) : fail(new Error('unexpected message'))));
    child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
  });
  const f = ready.fixture;
  console.log(`\n${label}: ${DEVICES} devices, ${SECONDS} s steady run, then a burst of ${BURST} each${SERVER_CPU < 1 ? `; the server runs ${SERVER_CPU * 100} % of the time in the steady run (BENCH_SERVER_CPU)` : ''}`);
  try {
    const stats = new Stats();
    const devices = f.devices.map((d) => new Device(f, d, stats));
    const before = new Map((await ask<{ rows: [string, number][] }>({ kind: 'stages' }, 'stages')).rows);

    // /health with nothing else running: the yardstick.
    const idle: number[] = [];
    const idleUntil = Date.now() + 3000;
    await healthLoop(f.url, idle, () => Date.now() > idleUntil, 50);

    // Reference push rate on this server: 4 devices, batches of 100 (as npm run bench:sync).
    const refDevices = devices.slice(0, 4);
    for (const d of refDevices) d.enqueue(Math.ceil(REFERENCE / 4));
    const r0 = performance.now();
    await Promise.all(refDevices.map((d) => d.push([])));
    const refRate = (Math.ceil(REFERENCE / 4) * 4) / ((performance.now() - r0) / 1000);

    // Every device's first sync (its snapshot), a few at a time as a shift's devices come up.
    const s0 = performance.now();
    for (let i = 0; i < devices.length; i += 20) await Promise.all(devices.slice(i, i + 20).map((d) => d.pull()));
    const firstSync = performance.now() - s0;
    stats.pull.length = 0;

    // Poke streams: one per device while the run lasts (server/sync/events.ts).
    const sse = new AbortController();
    setMaxListeners(DEVICES + 10, sse.signal); // one abort listener per stream
    let sseNote = 'off (BENCH_SSE=0)';
    const pokesBefore = new Map<Device, number>();
    if (SSE) {
      const opened = await Promise.all(devices.map((d) => d.openEvents(sse.signal)));
      await sleep(500);
      const held = (await ask<{ open: number }>({ kind: 'sse' }, 'sse')).open;
      sseNote = `${opened.filter((o) => o === 'open').length} of ${devices.length} opened, the server holds ${held} SSE connections`;
      for (const d of devices) pokesBefore.set(d, d.pokes);
    }
    let sseMid = 0;

    // The steady run.
    const end = Date.now() + SECONDS * 1000;
    const over = () => Date.now() > end;
    const underLoad: number[] = [];
    const requestsBefore = stats.requests;
    const starve = starveServer(child);
    await ask({ kind: 'loop' }, 'loop'); // from here: the steady run's event-loop delay in the server
    await ask({ kind: 'nodeHttp' }, 'nodeHttp'); // and what Node's HTTP layer saw
    const ownLoop = monitorEventLoopDelay({ resolution: 10 }); // and in this process, the devices' side
    ownLoop.enable();
    const t0 = performance.now();
    await Promise.all([
      healthLoop(f.url, underLoad, over),
      (async () => {
        await sleep((SECONDS * 1000) / 2);
        if (SSE) sseMid = (await ask<{ open: number }>({ kind: 'sse' }, 'sse')).open;
      })(),
      ...devices.map(async (d) => {
        await sleep(Math.random() * Math.min(PUSH_EVERY, SECONDS) * 1000);
        let nextPull = Date.now() + Math.random() * PULL_EVERY * 1000;
        while (!over()) {
          d.enqueue(1 + Math.floor(Math.random() * 20));
          await d.push();
          if (Date.now() >= nextPull) {
            await d.pull();
            nextPull = Date.now() + PULL_EVERY * 1000;
          }
          await sleep(Math.max(0, Math.min(PUSH_EVERY * 1000 * (0.5 + Math.random()), end - Date.now())));
        }
      }),
    ]);
    starve.stop();
    const steadySeconds = (performance.now() - t0) / 1000;
    const steadyLoop = await ask<{ p50: number; p99: number; max: number }>({ kind: 'loop' }, 'loop');
    const nodeSeen = await ask<{ wait: [number, string][]; total: [number, string][] }>({ kind: 'nodeHttp' }, 'nodeHttp');
    ownLoop.disable();
    if (process.env.BENCH_SLOWEST) {
      const worst = stats.slow.filter((x) => x[1] >= t0).sort((a, b) => b[0] - a[0]).slice(0, Number(process.env.BENCH_SLOWEST));
      for (const [lat, at, what] of worst) console.log(`    slow: ${ms(lat)} from +${((at - t0) / 1000).toFixed(1)} s: ${what}`);
    }
    const steadyRequests = stats.requests - requestsBefore;

    console.log(`  first sync of ${devices.length} devices: ${(firstSync / 1000).toFixed(1)} s; poke streams: ${sseNote}`);
    console.log(`  reference push rate (4 devices, batches of 100): ${Math.round(refRate)} mutations/s`);
    console.log(`  steady: ${Math.round(steadyRequests / steadySeconds)} requests/s over ${steadySeconds.toFixed(0)} s, errors ${stats.errors}${stats.errors ? ` (${[...stats.errorKinds].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`);
    console.log(`    ${line('push', stats.push)}`);
    console.log(`    ${line('pull', stats.pull)}`);
    console.log(`    ${line('/health under load', underLoad)}`);
    console.log(`    ${line('/health idle', idle)}`);
    console.log(`    inside the server (GET /metrics, every request so far): ${await serverSide(f.url)}`);
    console.log(`    the server's event loop during the run: delay p50 ${ms(steadyLoop.p50)}, p99 ${ms(steadyLoop.p99)}, max ${ms(steadyLoop.max)}; the devices' process: p50 ${ms(ownLoop.percentile(50) / 1e6)}, p99 ${ms(ownLoop.percentile(99) / 1e6)}, max ${ms(ownLoop.max / 1e6)}`);
    console.log(`    Node's HTTP layer in the server, slowest: ${[...nodeSeen.wait, ...nodeSeen.total].sort((a, b) => b[0] - a[0]).slice(0, 6).map(([t, what]) => `${ms(t)} ${what}`).join('; ')}`);
    if (SSE) {
      const pokes = devices.map((d) => d.pokes - (pokesBefore.get(d) ?? 0)).sort((a, b) => a - b);
      console.log(`    poke streams: the server held ${sseMid} SSE connections mid-run; "changed" pokes per device during the run: min ${pokes[0]}, median ${pokes[Math.floor(pokes.length / 2)]}, max ${pokes[pokes.length - 1]}`);
    }
    console.log(`    push p99 ÷ /health p99 under load = ${(pct(stats.push, 99) / pct(underLoad, 99)).toFixed(1)} (aim ≤ 10)`);

    // The burst: every device pushes BURST queued mutations at the same instant.
    if (BURST > 0) {
      const burst: number[] = [];
      const errorsBefore = stats.errors;
      for (const d of devices) d.enqueue(BURST);
      const queued = devices.reduce((n, d) => n + d.outbox.length, 0);
      const b0 = performance.now();
      await Promise.all(devices.map((d) => d.push(burst)));
      // A device whose push failed sends its outbox again, as after any error.
      for (let round = 0; round < 5 && devices.some((d) => d.outbox.length); round++) await Promise.all(devices.map((d) => d.push(burst)));
      const drain = queued / ((performance.now() - b0) / 1000);
      console.log(`  burst: ${devices.length} devices × ${BURST} queued mutations at once: ${queued} in ${((performance.now() - b0) / 1000).toFixed(1)} s, errors ${stats.errors - errorsBefore}`);
      console.log(`    ${line('push', burst)}; p99 ÷ p50 = ${(pct(burst, 99) / pct(burst, 50)).toFixed(2)} (aim ≤ 5)`);
      console.log(`    drained at ${Math.round(drain)} mutations/s = ${(drain / refRate).toFixed(2)} of the reference push rate (aim ≥ 0.5)`);
    }
    sse.abort();

    // Nothing lost, nothing doubled.
    const all = [...devices.flatMap((d) => [...d.acked.values()])];
    const left = devices.reduce((n, d) => n + d.outbox.length, 0);
    const v = await ask<{ audits: [string, number][]; results: [string, number][] }>({ kind: 'verify', ids: all.map((a) => a.m.id) }, 'verified');
    const audits = new Map(v.audits);
    const results = new Map(v.results);
    const badAudit = all.filter((a) => audits.get(a.m.id) !== 1).length;
    const badResult = all.filter((a) => results.get(a.m.id) !== 1).length;
    const after = new Map((await ask<{ rows: [string, number][] }>({ kind: 'stages' }, 'stages')).rows);
    const added = new Map<string, number>();
    for (const a of all) {
      if (a.m.name === 'job.progress' && a.status === 'applied') added.set(a.m.args.stageId as string, (added.get(a.m.args.stageId as string) ?? 0) + (a.m.args.goodQty as number));
    }
    const wrongStages = [...after].filter(([id, q]) => q !== (before.get(id) ?? 0) + (added.get(id) ?? 0)).length;
    const byStatus = new Map<string, number>();
    for (const a of all) {
      const k = a.status === 'rejected' ? `rejected ${a.m.name} ${a.code}` : a.status;
      byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
    }
    console.log(`  verified: ${all.length} acknowledged mutations (${[...byStatus].map(([k, n]) => `${n} ${k}`).join(', ')}), ${left} never acknowledged`);
    console.log(`    without exactly one audit entry: ${badAudit}; without exactly one stored result: ${badResult}; stages whose good count differs from the acknowledged progress: ${wrongStages}`);
    if (badAudit || badResult || wrongStages || left) process.exitCode = 1;
  } finally {
    child.send({ kind: 'close' });
    await new Promise((ok) => child.once('exit', ok));
  }
}

if (process.argv.includes('--serve')) {
  await serve(process.argv[process.argv.indexOf('--serve') + 1]);
} else {
  console.log(`Barron PMS load benchmark: ${DEVICES} devices; pushes every ~${PUSH_EVERY} s, pulls every ${PULL_EVERY} s`);
  for (const kind of benchKinds()) {
    await withBenchDatabase(kind, (url) => loadOne(kind === 'sqlite' ? 'SQLite (better-sqlite3, WAL)' : 'MariaDB / MySQL (mysql2)', url));
  }
  if (!process.env.BENCH_DATABASE_URL) console.log('\n(set BENCH_DATABASE_URL=mysql://… to run the same load on MySQL/MariaDB)');
}
