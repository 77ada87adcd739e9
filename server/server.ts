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
import { pruneChangeLog, readCounter } from './sync/sync.repository';
import { createLogger, logFunction, type Pino } from './observe/logger';
import { createMetrics } from './observe/metrics';
import { markServerRunning, markServerStopped, sqliteFile } from './db/backup';
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
/** `logger`: where the JSON log lines go (tests pass a stream to read them); stdout by default. */
export async function startServer(env: Env, opts: { clientDir?: string; logger?: Pino } = {}): Promise<Running> {
  const clientDir = opts.clientDir ?? DIST;
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const log = logFunction(logger);
  const database = await openAtStart(env.DATABASE_URL);
  // `npm run restore` refuses while this file names a live process.
  const dbFile = database.dialect === 'sqlite' ? sqliteFile(env.DATABASE_URL) : null;
  if (dbFile) markServerRunning(dbFile);
  const demoDefault = database.dialect === 'sqlite';
  let seeded = false;
  if ((env.SEED_DEMO ?? demoDefault) && (await isEmpty(database.db))) {
    await seedDemo(database.db);
    seeded = true;
  }
  const deps: Deps = { db: database.db, dialect: database.dialect, env, log, logger };
  deps.metrics = createMetrics({ currentSeq: () => readCounter(database.db, 'sync'), pool: database.poolStats });
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
    if (dbFile) markServerStopped(dbFile);
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

/**
 * Opens and migrates the database, or stops the start with what to check: a data directory that
 * cannot be created or written (read-only, full, a file in the way), a database that cannot be reached.
 */
async function openAtStart(url: string) {
  const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  let database: ReturnType<typeof openDatabase> | null = null;
  try {
    database = openDatabase(url);
    await migrateUp(database.raw);
    return database;
  } catch (err) {
    await database?.close().catch(() => {});
    const reason = (err as Error).message;
    throw new Error(`Cannot open the database ${shown}: ${reason}. Check DATABASE_URL, and that its directory exists, is writable and has free space (or that the database server is reachable).`, { cause: err });
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
