// What every request handler can reach: the database, config, and (after auth) the acting user.
import type { Db, Dialect } from './db/db';
import type { Env } from './env';
import type { Logger } from './http/errors';
import type { PublicUser } from '../sync/roles';

export interface Deps {
  db: Db;
  dialect: Dialect;
  env: Env;
  log: Logger;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    user: PublicUser;
  };
}
