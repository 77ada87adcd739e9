// Test harness: a clean database per test (SQLite file, or a MariaDB database when TEST_DIALECT=mysql),
// migrated once per file, emptied and re-seeded with the demo plant before each test.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createConnection } from 'mysql2/promise';
import { createApp, type App } from '../../server/app';
import type { Deps } from '../../server/context';
import { openDatabase, type DatabaseHandle } from '../../server/db/db';
import { migrateUp } from '../../server/db/migrate';
import { loadEnv } from '../../server/env';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface TestDb {
  url: string;
  database: DatabaseHandle;
  drop(): Promise<void>;
}

/** A new, empty, migrated database of the dialect this run tests. */
export async function createTestDatabase(): Promise<TestDb> {
  if (process.env.TEST_DIALECT === 'mysql') {
    const base = process.env.TEST_DATABASE_URL;
    if (!base) throw new Error('TEST_DATABASE_URL must be set for the mysql project (see docs/testing.md).');
    const name = `barron_t_${randomBytes(6).toString('hex')}`;
    const admin = await createConnection(base).catch((err: Error) => {
      const shown = new URL(base);
      shown.password = shown.password && '***';
      throw new Error(`Cannot reach the test MariaDB at ${shown} (${err.message}). Start it and create the test user as docs/testing.md shows, or point TEST_DATABASE_URL elsewhere.`);
    });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    const database = openDatabase(u.toString());
    await migrateUp(database.raw);
    return {
      url: u.toString(),
      database,
      async drop() {
        await database.close();
        const c = await createConnection(base);
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await c.end();
      },
    };
  }
  const file = join(tmpdir(), `barron-test-${randomBytes(6).toString('hex')}.sqlite`);
  const database = openDatabase(`sqlite:${file}`);
  await migrateUp(database.raw);
  return {
    url: `sqlite:${file}`,
    database,
    async drop() {
      await database.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

const KEEP = new Set(['kysely_migration', 'kysely_migration_lock']);

/** Empties every table and resets the counters, leaving the schema. */
export async function resetDatabase(database: DatabaseHandle) {
  const tables = (await database.raw.introspection.getTables()).map((t) => t.name).filter((n) => !KEEP.has(n));
  for (const t of tables) await database.raw.deleteFrom(t).execute();
  await database.raw.insertInto('counters').values(['sync', 'horizon', 'ORD', 'REJ', 'MT', /* quality */ 'CA', 'RET', /* SOP compliance (issue 12) */ 'SOP', 'NCR'].map((name) => ({ name, value: 0 }))).execute();
}

export interface Harness {
  app: App;
  deps: Deps;
  database: DatabaseHandle;
  /** The test database's URL (a second handle on it plays a second server process). */
  url: string;
  /** Logs a demo user in and returns its access token, refresh token and user. */
  login(username: string, password?: string): Promise<{ accessToken: string; refreshToken: string; user: any }>;
  /** JSON request with an optional bearer token; returns status, parsed body and the response headers. */
  call(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

/** Registers the hooks of one test file and returns the live harness. */
export function useHarness(opts: { seed?: boolean } = {}): Harness {
  let db: TestDb;
  const h = {} as Harness;
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = loadEnv({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    h.database = db.database;
    h.url = db.url;
    h.deps = { db: db.database.db, dialect: db.database.dialect, env, log: () => {} };
    h.app = createApp(h.deps);
  });
  beforeEach(async () => {
    await resetDatabase(db.database);
    if (opts.seed !== false) await seedDemo(db.database.db);
  });
  afterAll(async () => {
    await db?.drop();
  });
  h.call = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let payload: string | undefined = o.raw;
    if (o.body !== undefined) {
      payload = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    if (o.raw !== undefined) headers['content-type'] ??= 'application/json';
    const res = await h.app.request(path, { method, headers, body: payload });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // non-JSON body: left as text for the assertion to show
    }
    return { status: res.status, body, headers: res.headers };
  };
  h.login = async (username, password = DEMO_PASSWORD) => {
    const r = await h.call('POST', '/api/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return h;
}
