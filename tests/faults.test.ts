// Faults the server must survive without losing or doubling a change (issue 16 §4): killed with
// SIGKILL mid-push; the database unreachable for a while under load; a full disk; a device clock hours
// off. Runs on SQLite (unit) and MariaDB (mysql project: the database is cut with a TCP proxy, the way
// a stopped MariaDB or a network failure looks to the server).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../sync/ids';
import { openDatabase, type DatabaseHandle } from '../server/db/db';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { DEMO_PASSWORD } from '../server/seed';
import { startChildServer, type ChildServer } from './setup/child-server';
import { createTestDatabase, type TestDb } from './setup/harness';

const MYSQL = process.env.TEST_DIALECT === 'mysql';
const SECRET = 'faults-test-secret-that-is-long-enough-0123';
const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh database for a child server: a SQLite file, or a MariaDB database of its own. */
async function freshDatabase(): Promise<{ url: string; handle: () => DatabaseHandle }> {
  if (MYSQL) {
    const t: TestDb = await createTestDatabase();
    cleanups.push(() => t.drop());
    return { url: t.url, handle: () => t.database };
  }
  const dir = mkdtempSync(join(tmpdir(), 'barron-faults-'));
  dirs.push(dir);
  const url = `sqlite:${join(dir, 'barron.sqlite')}`;
  let h: DatabaseHandle | null = null;
  cleanups.push(async () => { await h?.close(); });
  return { url, handle: () => (h ??= openDatabase(url)) };
}

async function login(url: string, username: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  expect(r.status).toBe(200);
  return (await r.json()).accessToken;
}

function pushBody(clientId: string, mutations: object[]) {
  return JSON.stringify({ clientId, schemaVersion: 1, mutations });
}

async function push(url: string, token: string, clientId: string, mutations: object[]) {
  const r = await fetch(`${url}/api/sync/push`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: pushBody(clientId, mutations) });
  return { status: r.status, headers: r.headers, body: await r.json() };
}

/** A running Press stage of the demo plant and `n` progress events of one good part each on it. */
async function progressBatch(db: DatabaseHandle, n: number) {
  const stage = await db.db.selectFrom('stages').selectAll().where('name', '=', 'Blank and form').where('status', '=', 'running').orderBy('id').executeTakeFirstOrThrow();
  const at = new Date().toISOString();
  const mutations = Array.from({ length: n }, (_, i) => ({ id: uuidv7(), seq: i + 1, name: 'job.progress', args: { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0 }, at }));
  return { stage, mutations };
}

async function goodQty(db: DatabaseHandle, stageId: string) {
  return Number((await db.db.selectFrom('stages').select('goodQty').where('id', '=', stageId).executeTakeFirstOrThrow()).goodQty);
}

async function auditedOnce(db: DatabaseHandle, ids: string[]) {
  const rows = await db.db.selectFrom('auditLog').select(['mutationId']).where('mutationId', 'in', ids).execute();
  const per = new Map<string, number>();
  for (const r of rows) per.set(r.mutationId!, (per.get(r.mutationId!) ?? 0) + 1);
  return { entries: rows.length, distinct: per.size, doubled: [...per.values()].filter((n) => n > 1).length };
}

describe('the server killed with SIGKILL mid-push', () => {
  let child: ChildServer | null = null;
  afterAll(async () => { await child?.stop(); });

  it('loses nothing and counts nothing twice: the device sends the same queue again after the restart', async () => {
    const database = await freshDatabase();
    const env = { DATABASE_URL: database.url, SEED_DEMO: 'true', JWT_SECRET: SECRET };
    child = await startChildServer(env);
    const token = await login(child.url, 'operator.press');
    const db = database.handle();
    const { stage, mutations } = await progressBatch(db, 400);
    const before = await goodQty(db, stage.id);
    const clientId = uuidv7();

    // Send the whole queue and kill the process as soon as its first commits are visible.
    const sent = fetch(`${child.url}/api/sync/push`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: pushBody(clientId, mutations) })
      .then((r) => r.status, () => 'connection lost');
    const deadline = Date.now() + 20_000;
    while ((await goodQty(db, stage.id)) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await child.kill();
    const outcome = await sent;
    const landed = (await goodQty(db, stage.id)) - before;
    expect(outcome).toBe('connection lost'); // killed before it answered: the device has no results
    expect(landed).toBeLessThan(mutations.length);

    // Restarted on the same database; the device resends everything it has not seen acknowledged.
    child = await startChildServer(env);
    const again = await push(child.url, await login(child.url, 'operator.press'), clientId, mutations);
    expect(again.status).toBe(200);
    expect(again.body.results).toHaveLength(mutations.length);
    expect(again.body.results.every((r: { status: string }) => r.status === 'applied')).toBe(true);
    expect(again.body.lastSeq).toBe(mutations.length);
    expect(await goodQty(db, stage.id)).toBe(before + mutations.length);
    expect(await auditedOnce(db, mutations.map((m) => m.id))).toEqual({ entries: mutations.length, distinct: mutations.length, doubled: 0 });
    const events = await db.db.selectFrom('jobEvents').select('id').where('id', 'in', mutations.map((m) => m.args.id)).execute();
    expect(events).toHaveLength(mutations.length);
  }, 180_000);
});

/** A TCP relay on loopback to MariaDB that can be cut and restored like a database going away. */
async function dbRelay(target: URL) {
  const [host, targetPort] = [target.hostname, Number(target.port || 3306)];
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const open = () => new Promise<void>((ok) => {
    server = createServer((client) => {
      const upstream = connect(targetPort, host);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    server.listen(port, '127.0.0.1', () => {
      port = (server!.address() as { port: number }).port;
      ok();
    });
  });
  await open();
  return {
    port,
    cut: () => new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server!.close(() => ok());
    }),
    restore: open,
  };
}

describe('the database unreachable for a while under load', () => {
  it('answers 503 with Retry-After and /health says db down; once it is back the same pushes land exactly once', async () => {
    const base = await freshDatabase();
    let url = base.url;
    let outage: { start(): Promise<void>; end(): Promise<void> };
    if (MYSQL) {
      const u = new URL(base.url);
      const relay = await dbRelay(u);
      u.hostname = '127.0.0.1';
      u.port = String(relay.port);
      url = u.toString();
      outage = { start: relay.cut, end: relay.restore };
    } else {
      // Another program holds the SQLite file exclusively (a backup tool, a stuck sqlite3 shell).
      let locker: SQLite.Database | null = null;
      const file = base.url.replace(/^sqlite:/, '');
      outage = {
        async start() {
          locker = new SQLite(file);
          locker.exec('BEGIN EXCLUSIVE'); // in WAL mode: every writer waits, readers go on
        },
        async end() {
          locker!.exec('ROLLBACK');
          locker!.close();
        },
      };
    }
    const child = await startChildServer({ DATABASE_URL: url, SEED_DEMO: 'true', JWT_SECRET: SECRET });
    cleanups.push(() => child.stop());
    const db = base.handle();
    const token = await login(child.url, 'operator.press');
    const { stage, mutations } = await progressBatch(db, 30);
    const before = await goodQty(db, stage.id);
    const devices = [0, 1, 2].map((d) => ({ clientId: uuidv7(), queue: mutations.slice(d * 10, d * 10 + 10).map((m, i) => ({ ...m, seq: i + 1 })) }));

    await outage.start();
    const started = Date.now();
    // On SQLite each push waits out the busy timeout (and its retries) before answering: one device there.
    const during = await Promise.all((MYSQL ? devices : devices.slice(0, 1)).map((d) => push(child.url, token, d.clientId, d.queue)));
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('unavailable');
      expect(Number(r.headers.get('Retry-After'))).toBeGreaterThan(0);
    }
    const health = await fetch(`${child.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ db: 'down' });
    // Keep it away for the rest of 10 s, the devices retrying on their schedule meanwhile.
    while (Date.now() - started < 10_000) {
      const r = await push(child.url, token, devices[0].clientId, devices[0].queue);
      expect(r.status).toBe(503);
      await new Promise((ok) => setTimeout(ok, 1_000));
    }
    expect(await goodQty(db, stage.id)).toBe(before);
    await outage.end();

    // Back: /health recovers by itself and every device's resend applies once.
    let healthy = 0;
    for (let i = 0; i < 30 && healthy !== 200; i++) {
      healthy = (await fetch(`${child.url}/health`)).status;
      if (healthy !== 200) await new Promise((ok) => setTimeout(ok, 500));
    }
    expect(healthy).toBe(200);
    const after = await Promise.all(devices.map((d) => push(child.url, token, d.clientId, d.queue)));
    for (const r of after) {
      expect(r.status).toBe(200);
      expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(Array(10).fill('applied'));
    }
    expect(await goodQty(db, stage.id)).toBe(before + 30);
    expect(await auditedOnce(db, mutations.map((m) => m.id))).toEqual({ entries: 30, distinct: 30, doubled: 0 });
  }, 180_000);
});

describe('a full disk (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'barron-full-'));
    dirs.push(dir);
  });

  it('answers 503 and leaves a database that passes its integrity check, then works again with space', async () => {
    const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'barron.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'silent', JWT_SECRET: SECRET, NODE_ENV: 'test' }, dir);
    const running = await startServer(env, { clientDir: dir });
    cleanups.push(() => running.close());
    const handle = { db: running.deps.db } as DatabaseHandle;
    const { stage, mutations } = await progressBatch(handle, 500);
    for (const m of mutations) (m.args as { note?: string }).note = 'n'.repeat(1000); // ~0.5 MB: past any free pages
    const before = await goodQty(handle, stage.id);
    // The disk fills up: the file may not grow by another page.
    // (Column names come back camelCased through the app's handle.)
    const pages = Number((await sql<{ pageCount: number }>`pragma page_count`.execute(running.deps.db)).rows[0].pageCount);
    expect(pages).toBeGreaterThan(10);
    await sql.raw(`pragma max_page_count = ${pages}`).execute(running.deps.db);
    const token = await login(running.url, 'operator.press');
    const clientId = uuidv7();
    const full = await push(running.url, token, clientId, mutations);
    expect(full.status).toBe(503);
    expect(full.headers.get('Retry-After')).toBeTruthy();
    const acknowledged = full.body.error.details[0].results.length;
    expect(acknowledged).toBeLessThan(mutations.length);
    const integrity = await sql<{ integrityCheck: string }>`pragma integrity_check`.execute(running.deps.db);
    expect(integrity.rows[0].integrityCheck).toBe('ok');
    expect(await goodQty(handle, stage.id)).toBe(before + acknowledged); // no half-written mutation

    await sql.raw('pragma max_page_count = 1073741823').execute(running.deps.db);
    const resent = await push(running.url, token, clientId, mutations);
    expect(resent.status).toBe(200);
    expect(await goodQty(handle, stage.id)).toBe(before + mutations.length);
  }, 120_000);

  it('stops at start with the path named when the data directory cannot be used', async () => {
    const file = join(dir, 'not-a-directory');
    (await import('node:fs')).writeFileSync(file, 'x');
    const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(file, 'barron.sqlite')}`, LOG_LEVEL: 'silent', JWT_SECRET: SECRET, NODE_ENV: 'test' }, dir);
    await expect(startServer(env, { clientDir: dir })).rejects.toThrow(/Cannot open the database sqlite:.*not-a-directory.*Check DATABASE_URL/);
  });
});

describe('a device clock hours ahead', () => {
  it('cannot put its changes after later ones, nor date its work in the future', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'barron-clock-'));
    dirs.push(dir);
    const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'barron.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'silent', JWT_SECRET: SECRET, NODE_ENV: 'test' }, dir);
    const running = await startServer(env, { clientDir: dir });
    cleanups.push(() => running.close());
    const handle = { db: running.deps.db } as DatabaseHandle;
    const { stage } = await progressBatch(handle, 0);
    const ahead = new Date(Date.now() + 5 * 3_600_000).toISOString();
    const token = await login(running.url, 'operator.press');
    const first = { id: uuidv7(), seq: 1, name: 'job.progress', args: { id: uuidv7(), stageId: stage.id, goodQty: 1, rejectQty: 0 }, at: ahead };
    const second = { id: uuidv7(), seq: 1, name: 'job.progress', args: { id: uuidv7(), stageId: stage.id, goodQty: 2, rejectQty: 0 }, at: new Date().toISOString() };
    expect((await push(running.url, token, uuidv7(), [first])).status).toBe(200);
    const pushedAt = Date.now();
    expect((await push(running.url, token, uuidv7(), [second])).status).toBe(200);
    const events = await running.deps.db.selectFrom('jobEvents').selectAll().where('id', 'in', [first.args.id, second.args.id]).execute();
    const byId = new Map(events.map((e) => [e.id, e]));
    // The work is dated by the server's clock when the device's is ahead of it.
    expect(Date.parse(byId.get(first.args.id)!.at)).toBeLessThanOrEqual(pushedAt);
    // And the change log orders by arrival: the clock-ahead change comes first.
    const log = await running.deps.db.selectFrom('changeLog').select(['seq', 'rowId']).where('rowId', 'in', [first.args.id, second.args.id]).orderBy('seq').execute();
    expect(log.map((l) => l.rowId)).toEqual([first.args.id, second.args.id]);
  });
});
