// Boots the whole server: config, database, migrations, demo seed, static client, HTTP(S) listener.
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { createApp } from './app';
import type { Deps } from './context';
import { openDatabase, type DatabaseHandle } from './db/db';
import { migrateUp } from './db/migrate';
import { EnvError, type Env } from './env';
import { isEmpty, seedDemo } from './seed';
import { pruneChangeLog } from './sync/sync.repository';
import { closeStreams } from './sync/events';
import { pruneAuth } from './auth/auth.repository';
import { startJobs, type RunningJobs } from './jobs/jobs';
import { JOBS } from './jobs/index';

export const DIST = resolve(import.meta.dirname, '../dist');

export interface Running {
  url: string;
  port: number;
  /** The plain-HTTP port that redirects to HTTPS (HTTP_REDIRECT_PORT), when there is one. */
  redirectPort: number | null;
  deps: Deps;
  database: DatabaseHandle;
  seeded: boolean;
  /** The background jobs of this process (tests run a pass with `runAll`). */
  jobs: RunningJobs;
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
  const jobs = startJobs(deps, JOBS);
  await jobs.runAll();

  const listening: ServerType[] = [];
  const close = async () => {
    clearInterval(pruneTimer);
    jobs.stop();
    closeStreams(deps.db); // an open poke stream would keep the listener from closing
    await Promise.all(listening.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
    await database.close();
  };
  const tls = env.tls;
  try {
    const server = await listen('PORT', tls
      ? { fetch: app.fetch, port: env.PORT, hostname: env.HOST, createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key } }
      : { fetch: app.fetch, port: env.PORT, hostname: env.HOST });
    listening.push(server);
    const port = portOf(server, env.PORT);
    let redirectPort: number | null = null;
    if (tls && env.HTTP_REDIRECT_PORT !== undefined) {
      const redirect = await listen('HTTP_REDIRECT_PORT', { fetch: (req) => redirectToHttps(req, port), port: env.HTTP_REDIRECT_PORT, hostname: env.HOST });
      listening.push(redirect);
      redirectPort = portOf(redirect, env.HTTP_REDIRECT_PORT);
    }
    return { url: `${tls ? 'https' : 'http'}://localhost:${port}`, port, redirectPort, deps, database, seeded, jobs, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function portOf(server: ServerType, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}

/** Listens on `options.port`; a port in use or not allowed stops the start with the variable named. */
function listen(name: 'PORT' | 'HTTP_REDIRECT_PORT', options: Parameters<typeof serve>[0]): Promise<ServerType> {
  return new Promise((ok, fail) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EACCES' ? 'permission denied; a port below 1024 needs root or CAP_NET_BIND_SERVICE'
        : err.code === 'EADDRINUSE' ? 'another program is using it' : err.message;
      fail(new EnvError([`${name}: cannot listen on ${options.hostname}:${options.port} (${why})`]));
    };
    const s = serve(options, () => {
      s.off('error', onError);
      ok(s);
    });
    s.once('error', onError);
  });
}

/** Plain HTTP next to HTTPS: the same host, path and query on the HTTPS port; 308 keeps the method and body. */
function redirectToHttps(req: Request, httpsPort: number): Response {
  if (!req.headers.get('host')) return new Response('Send a Host header: the redirect to HTTPS keeps the name you used.\n', { status: 400, headers: { 'Content-Type': 'text/plain' } });
  const url = new URL(req.url);
  url.protocol = 'https:';
  url.port = httpsPort === 443 ? '' : String(httpsPort);
  return new Response(null, { status: 308, headers: { Location: url.href } });
}
