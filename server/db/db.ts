// One Kysely instance per process, for SQLite (the embedded default) or MySQL/MariaDB.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, MysqlDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import { createPool } from 'mysql2';
import type { Database } from './schema';

export type Dialect = 'sqlite' | 'mysql';

/** Kysely over the app's tables (server/db/schema.ts). Columns are snake_case in the database, camelCase in code. */
export type Db = Kysely<Database>;

/**
 * The same handle for code that names its table at run time (the generic row functions of sync and
 * admin, test helpers): the one cast away from the typed Db. Rows read this way go through
 * server/sync/codec.ts `fromDb`, which gives them their wire shape.
 */
export function byName(db: Db): Kysely<any> {
  return db as unknown as Kysely<any>;
}

/** An open database: the typed handle, the raw one for migrations, and how to close both. */
export interface DatabaseHandle {
  db: Db;
  /** The same database without the camelCase mapping, for migrations (which name columns as stored). */
  raw: Kysely<any>;
  dialect: Dialect;
  close(): Promise<void>;
  /** Connections of the MariaDB/MySQL pool in use, idle and waited for (metrics); absent on SQLite. */
  poolStats?: () => { used: number; free: number; queued: number };
}

/**
 * Every MySQL connection's session: without NO_BACKSLASH_ESCAPES, whatever the server's default.
 * mysql2 escapes a quote in a value as \' ; with that mode on, a backslash is text and the quote
 * would end the string: a value could then write SQL of its own.
 */
export const MYSQL_SESSION = "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

export function openDatabase(url: string): DatabaseHandle {
  if (url.startsWith('mysql://')) {
    const pool = createPool({
      uri: url, connectionLimit: 10, timezone: 'Z', dateStrings: true, supportBigNumbers: true,
      // A push's closing writes go in one query (one-trip.ts). Every value reaches the SQL only as a
      // parameter that mysql2 escapes as a value, so no text from a request can end one statement and
      // start another (docs/decisions/0034) — as long as backslashes escape: see MYSQL_SESSION.
      multipleStatements: true,
    });
    // Before the connection's first query (mysql2 runs a connection's commands in order). On error
    // the connection is closed: its queries then fail as a lost connection would, and are retried.
    pool.on('connection', (conn) => conn.query(MYSQL_SESSION, (err: unknown) => err && conn.destroy()));
    const raw = new Kysely<any>({ dialect: new MysqlDialect({ pool }) });
    const db = raw.withPlugin(new CamelCasePlugin()) as Db;
    // The text protocol, as Kysely's driver queries (same conversions), on a pool connection of its own.
    arrayReaders.set(db.getExecutor(), (q) =>
      new Promise((resolve, reject) =>
        pool.query({ sql: q.sql, values: [...q.parameters], rowsAsArray: true }, (err, rows, fields) =>
          err ? reject(err) : resolve({ columns: (fields ?? []).map((f) => f.name), rows: rows as unknown[][] }),
        ),
      ),
    );
    // mysql2 keeps these lists on the pool without a public accessor; read defensively.
    const lists = pool as unknown as { _allConnections?: { length: number }; _freeConnections?: { length: number }; _connectionQueue?: { length: number } };
    const poolStats = () => {
      const all = lists._allConnections?.length ?? 0;
      const free = lists._freeConnections?.length ?? 0;
      return { used: all - free, free, queued: lists._connectionQueue?.length ?? 0 };
    };
    return { db, raw, dialect: 'mysql', close: () => raw.destroy(), poolStats };
  }
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // 64 MiB of page cache (the default is 2 MiB): a push's or an import's transaction touches more
  // pages than 2 MiB hold, and SQLite then spills them to the WAL and reads them back mid-transaction.
  sqlite.pragma('cache_size = -65536');
  const raw = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const db = raw.withPlugin(new CamelCasePlugin()) as Db;
  // Statements of their own (raw mode is a statement's setting), run while holding Kysely's one
  // connection: never inside another caller's open transaction, whose writes are not committed.
  const arrays = withStatementCache(sqlite, 100, true);
  arrayReaders.set(db.getExecutor(), (q) =>
    db.connection().execute(async () => {
      const stmt = arrays.prepare(q.sql);
      return { columns: stmt.columns().map((c) => c.name), rows: stmt.all(...q.parameters) as unknown[][] };
    }),
  );
  return { db, raw, dialect: 'sqlite', close: () => raw.destroy() };
}

/** A select's rows as arrays of values, with the columns as stored (no object per row). */
export type ArrayRows = { columns: string[]; rows: unknown[][] };
const arrayReaders = new WeakMap<object, (q: CompiledQuery) => Promise<ArrayRows>>();

/**
 * Runs a compiled select of `db` and returns its rows as arrays: for the pull's snapshot pages, which
 * write every row straight into JSON (server/sync/codec.ts `changesFromArrays`). Only for the very
 * handle openDatabase made (by its executor): a transaction, a connection-bound handle (whose
 * connection the SQLite reader would wait for) or one with more plugins (the tests' fault
 * injectors, which must see every query) gets null and runs the query as usual.
 */
export function arrayReader(db: Db): ((q: CompiledQuery) => Promise<ArrayRows>) | null {
  return arrayReaders.get(db.getExecutor()) ?? null;
}

const unavailableAt = new WeakMap<object, number>();
/** How long after a refused write GET /health still says `db: down`. */
export const UNAVAILABLE_MEMORY_MS = 5_000;

/** A request just failed on the database being busy, locked, full or gone. */
export function markUnavailable(db: Db) {
  unavailableAt.set(db, Date.now());
}

export function recentlyUnavailable(db: Db, now = Date.now()): boolean {
  const at = unavailableAt.get(db);
  return at !== undefined && now - at < UNAVAILABLE_MEMORY_MS;
}

/** True when the database answers a trivial query. */
export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false; // health reports the failure as 503; the reason is logged by the caller's monitoring
  }
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing is a
 * large share of a small write's cost. Keep the most recent statements by SQL text.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500, rawRows = false) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text); // re-insert: most recently used last
      } else {
        stmt = sqlite.prepare(text);
        if (rawRows) stmt.raw(true);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

/** A write refused by a UNIQUE index (SQLite or MySQL): two requests raced past the app's own check. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
