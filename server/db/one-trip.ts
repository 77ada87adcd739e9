// The statements that end a push's transaction, sent to MariaDB/MySQL in one round trip.
//
// Under the sequence lock every round trip is a wait: for the database, and then for the event loop
// to get back to this request behind the others it is serving. A push ends with ~10 writes (rows,
// counters, change log, audit, stored results, the client's lastSeq), each one awaited in turn.
// Here they are compiled as usual — the same Kysely statements, the same parameters, the same cache
// of compiled shapes — but collected instead of sent, and then sent as one multi-statement query on
// the transaction's connection (the pool allows it: db.ts; docs/decisions/0034).
//
// The database runs them in order and stops at the first that fails; the error is that statement's,
// so the caller's handling (a refused row sends the part one mutation at a time, a transient error
// tries the transaction again) is what it was. SQLite has no round trips, and a handle with plugins
// of its own (the tests' fault injectors, which must see every statement) runs them one by one.
import {
  CamelCasePlugin, CompiledQuery, createQueryId, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler,
  type DatabaseConnection, type Driver, type QueryResult,
} from 'kysely';
import type { Db, Dialect } from './db';
import type { Database } from './schema';

/** A joined query stays below this many bytes of SQL and text values (MariaDB's packet limit is 16 MiB by default). */
const MAX_TRIP_BYTES = 1 << 20;

class Collecting implements Driver {
  readonly queries: CompiledQuery[] = [];
  private readonly connection: DatabaseConnection = {
    executeQuery: async <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
      this.queries.push(q);
      return { rows: [] };
    },
    streamQuery: () => {
      throw new Error('a collected statement cannot be streamed');
    },
  };
  async init() {}
  async acquireConnection() {
    return this.connection;
  }
  async beginTransaction() {
    throw new Error('statements collected for one trip run inside the caller’s transaction');
  }
  async commitTransaction() {}
  async rollbackTransaction() {}
  async releaseConnection() {}
  async destroy() {}
}

/** The handle's one CamelCasePlugin, or null when it has other plugins or none. */
function onlyCamelCase(db: Db): CamelCasePlugin | null {
  const plugins = db.getExecutor().plugins;
  return plugins.length === 1 && plugins[0] instanceof CamelCasePlugin ? plugins[0] : null;
}

function approxBytes(q: CompiledQuery) {
  let n = q.sql.length + 2;
  for (const p of q.parameters) n += typeof p === 'string' ? p.length * 3 + 2 : 24;
  return n;
}

/** A handle that compiles statements and keeps them instead of sending them (answering no rows). */
function collecting(plugin: CamelCasePlugin) {
  const driver = new Collecting();
  const db: Db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new MysqlAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new MysqlIntrospector(k),
      createQueryCompiler: () => new MysqlQueryCompiler(),
    },
    // The same plugin instance: the same identifiers, and compiled.ts keeps its cache per plugin.
    plugins: [plugin],
  });
  return { db, queries: driver.queries };
}

/**
 * Runs `write` against a handle whose statements reach the database together when it returns: in one
 * round trip on MySQL (or a few, for very large pushes), as they come on SQLite or on a handle with
 * plugins besides the camelCase mapping. `write` must not read: its statements answer no rows.
 */
export async function inOneTrip(trx: Db, dialect: Dialect, write: (db: Db) => Promise<void>): Promise<void> {
  const plugin = dialect === 'mysql' ? onlyCamelCase(trx) : null;
  if (!plugin) return write(trx);
  const { db, queries } = collecting(plugin);
  await write(db);
  for (let i = 0; i < queries.length; ) {
    let bytes = approxBytes(queries[i]);
    let j = i + 1;
    while (j < queries.length && bytes + approxBytes(queries[j]) <= MAX_TRIP_BYTES) bytes += approxBytes(queries[j++]);
    const trip = queries.slice(i, j);
    await trx.executeQuery(trip.length === 1 ? trip[0] : CompiledQuery.raw(trip.map((q) => q.sql).join(';\n'), trip.flatMap((q) => q.parameters)));
    i = j;
  }
}

/**
 * The rows of several selects, each `select(db)` one statement that answers rows, read in one round
 * trip on MySQL (the prefetch of a push: the rows of several tables by id, under the sequence lock).
 * Rows come back with camelCase keys, as the handle's plugin maps them.
 */
export async function selectInOneTrip(trx: Db, dialect: Dialect, selects: ((db: Db) => Promise<Record<string, unknown>[]>)[]): Promise<Record<string, unknown>[][]> {
  const plugin = dialect === 'mysql' && selects.length > 1 ? onlyCamelCase(trx) : null;
  if (!plugin) {
    const out: Record<string, unknown>[][] = [];
    for (const select of selects) out.push(await select(trx));
    return out;
  }
  const { db, queries } = collecting(plugin);
  const made: number[] = []; // per select, the index of its statement, or -1 (it asked the database nothing)
  for (const select of selects) {
    const before = queries.length;
    await select(db);
    if (queries.length > before + 1) throw new Error('selectInOneTrip: each select must be one statement');
    made.push(queries.length > before ? before : -1);
  }
  if (queries.length <= 1) {
    const rows = queries.length ? ((await trx.executeQuery(queries[0])).rows as Record<string, unknown>[]) : [];
    return made.map((i) => (i < 0 ? [] : rows));
  }
  // Without the plugin's result mapping (it would map the list of result sets as if it were a row);
  // the same connection: the transaction's.
  const joined = CompiledQuery.raw(queries.map((q) => q.sql).join(';\n'), queries.flatMap((q) => q.parameters));
  const sets = (await trx.withoutPlugins().executeQuery(joined)).rows;
  const isRows = (x: unknown): x is Record<string, unknown>[] => Array.isArray(x);
  if (sets.length !== queries.length || !sets.every(isRows)) throw new Error('selectInOneTrip: the database answered another number of result sets');
  // The plugin's own mapping of the names (its options), one result set at a time.
  const mapped = await Promise.all(sets.map(async (rows) => (await plugin.transformResult({ result: { rows }, queryId: createQueryId() })).rows));
  return made.map((i) => (i < 0 ? [] : mapped[i]));
}
