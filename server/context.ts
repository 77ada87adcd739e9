// What every request handler can reach: the database, config, and (after auth) the acting user.
import type { Db, Dialect } from './db/db';
import type { Env } from './env';
import type { Logger } from './http/errors';
import type { PublicUser } from '../sync/roles';
import type { Pino } from './observe/logger';
import type { Metrics } from './observe/metrics';

export interface Deps {
  db: Db;
  dialect: Dialect;
  env: Env;
  log: Logger;
  /** Structured logs; the server sets it (tests may leave it out: nothing is logged then). */
  logger?: Pino;
  /** This process's Prometheus metrics (GET /metrics); made by createApp when not given. */
  metrics?: Metrics;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    user: PublicUser;
    requestId: string;
    /** A push's outcome counts, or a pull's row count, for the request's log line. */
    syncCounts?: Record<string, number>;
  };
}
