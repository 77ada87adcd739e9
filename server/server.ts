// Boots the whole server: config, database, migrations, demo seed, static client, HTTP listener.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { createApp } from './app';
import type { Deps } from './context';
import { openDatabase, type Database } from './db/db';
import { migrateUp } from './db/migrate';
import type { Env } from './env';
import { isEmpty, seedDemo } from './seed';
import { pruneChangeLog } from './sync/sync.repository';
import { pruneAuth } from './auth/auth.repository';

export const DIST = resolve(import.meta.dirname, '../dist');

export interface Running {
  url: string;
  port: number;
  deps: Deps;
  database: Database;
  seeded: boolean;
  close(): Promise<void>;
}

/** `clientDir`: the built client to serve (tests pass a folder of their own); nothing is served when it has no index.html. */
export async function startServer(env: Env, opts: { clientDir?: string } = {}): Promise<Running> {
  const clientDir = opts.clientDir ?? DIST;
  const log = (msg: string, err?: unknown) => {
    if (env.LOG_LEVEL !== 'silent') console.error(`[barron] ${msg}`, err instanceof Error ? err.stack : (err ?? ''));
  };
  const database = openDatabase(env.DATABASE_URL);
  await migrateUp(database.raw);
  const demoDefault = database.dialect === 'sqlite';
  let seeded = false;
  if ((env.SEED_DEMO ?? demoDefault) && (await isEmpty(database.db))) {
    await seedDemo(database.db);
    seeded = true;
  }
  const deps: Deps = { db: database.db, dialect: database.dialect, env, log };
  const app = createApp(deps);

  // The built client: hashed assets cached for long, the shell and service worker always revalidated.
  if (existsSync(resolve(clientDir, 'index.html'))) {
    const indexHtml = readFileSync(resolve(clientDir, 'index.html'), 'utf8');
    app.use('/*', serveStatic({
      root: clientDir,
      onFound: (path, c) => {
        c.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }));
    app.get('*', (c) => (c.req.path.startsWith('/api') ? c.notFound() : c.html(indexHtml, 200, { 'Cache-Control': 'no-cache' })));
  }

  const prune = () =>
    Promise.all([
      pruneChangeLog(deps.db, new Date(Date.now() - env.CHANGE_LOG_RETENTION_DAYS * 86_400_000).toISOString()),
      pruneAuth(deps.db, new Date()),
    ]).catch((e) => log('hourly pruning failed', e));
  await prune();
  const pruneTimer = setInterval(prune, 3_600_000);
  pruneTimer.unref();

  const server: ServerType = await new Promise((ok) => {
    const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => ok(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const url = `http://localhost:${port}`;
  return {
    url, port, deps, database, seeded,
    async close() {
      clearInterval(pruneTimer);
      await new Promise<void>((ok) => server.close(() => ok()));
      await database.close();
    },
  };
}
