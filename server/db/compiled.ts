// The generic row statements of sync and audit (insert rows, update a row by id, read rows by id or
// by a field), compiled once per shape instead of once per call. A push or an import runs thousands
// of them, and building a Kysely query, running it through the CamelCasePlugin and compiling it cost
// more than SQLite's own work for a small write (docs/performance.md, "Sync").
//
// The SQL is still Kysely's: the first call of a shape compiles it through the caller's handle (its
// plugins, its dialect) and checks that the parameters this module derives from the values are the
// ones Kysely derived; a shape for which they differ (or whose values are not plain) is never cached
// and always goes through Kysely. Results still pass the handle's plugins (camelCase keys).
import { CamelCasePlugin, CompiledQuery } from 'kysely';
import { arrayReader, byName, type ArrayRows, type Db } from './db';

/**
 * Per handle — its CamelCasePlugin (openDatabase makes one per database, so it names the dialect and
 * the identifier mapping), or its adapter's class without plugins: shape → SQL text, or null (do not
 * cache). A handle with any other plugin compiles every statement, so that plugin sees every query
 * (the fault-injecting plugins of the tests).
 */
const caches = new WeakMap<object, Map<string, string | null>>();
const NONE = new Map<string, string | null>();
/** Shapes are bounded by the code (tables × column sets × row counts); past this, new shapes are compiled every time. */
const MAX_SHAPES = 5_000;

function cacheOf(db: Db) {
  const executor = db.getExecutor();
  const plugins = executor.plugins;
  if (plugins.length > 1 || (plugins.length === 1 && !(plugins[0] instanceof CamelCasePlugin))) return NONE;
  const owner = plugins[0] ?? executor.adapter.constructor;
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new Map()));
  return cache;
}

/** A value a statement binds as it is (Kysely binds these as parameters, never inlines them). */
function plain(v: unknown) {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
}

function sameParams(a: readonly unknown[], b: readonly unknown[]) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Runs the statement of `key`: from the cache when its shape was checked before, else compiled by
 * `build` (and cached when Kysely's parameters are `params`).
 */
async function run(db: Db, key: string, params: unknown[], build: () => { compile(): CompiledQuery }) {
  const cache = cacheOf(db);
  const text = cache.get(key);
  if (text) return db.executeQuery(CompiledQuery.raw(text, params));
  const compiled = build().compile();
  if (text === undefined && cache !== NONE && cache.size < MAX_SHAPES) cache.set(key, sameParams(compiled.parameters, params) ? compiled.sql : null);
  return db.executeQuery(compiled);
}

/** `insert into table (cols) values (…), (…)`: rows with the same fields, all defined. */
export async function insertRows(db: Db, table: string, rows: Record<string, unknown>[]) {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const params: unknown[] = [];
  let uniform = true;
  for (const row of rows) {
    let n = 0;
    for (const c in row) {
      n++;
      if (!(c in rows[0])) uniform = false;
    }
    if (n !== cols.length) uniform = false;
    for (const c of cols) {
      const v = row[c];
      if (!plain(v)) uniform = false;
      params.push(v);
    }
    if (!uniform) break;
  }
  if (!uniform) {
    await byName(db).insertInto(table).values(rows).execute();
    return;
  }
  await run(db, `i|${table}|${rows.length}|${cols.join(',')}`, params, () => byName(db).insertInto(table).values(rows));
}

/** `update table set … where id = ?`. */
export async function updateById(db: Db, table: string, id: string, changes: Record<string, unknown>) {
  const cols = Object.keys(changes).filter((c) => changes[c] !== undefined);
  const params = cols.map((c) => changes[c]);
  params.push(id);
  if (!params.every(plain) || cols.length === 0) {
    await byName(db).updateTable(table).set(changes).where('id', '=', id).execute();
    return;
  }
  await run(db, `u|${table}|${cols.join(',')}`, params, () => byName(db).updateTable(table).set(changes).where('id', '=', id));
}

/**
 * Several rows of `table` updated in one statement, each to its own values of `cols`:
 * `update table set c = case when id = ? then ? … else c end, … where id in (…)`. Every value is bound.
 */
export async function updateByIds(db: Db, table: string, cols: readonly string[], rows: readonly { id: string; values: Record<string, unknown> }[]) {
  if (rows.length === 0 || cols.length === 0) return;
  const params: unknown[] = [];
  for (const c of cols) for (const r of rows) params.push(r.id, r.values[c]);
  for (const r of rows) params.push(r.id);
  const build = () => byName(db).updateTable(table)
    .set((eb) => Object.fromEntries(cols.map((c) => {
      let when = eb.case().when('id', '=', rows[0].id).then(eb.val(rows[0].values[c]));
      for (const r of rows.slice(1)) when = when.when('id', '=', r.id).then(eb.val(r.values[c]));
      return [c, when.else(eb.ref(c)).end()];
    })))
    .where('id', 'in', rows.map((r) => r.id));
  if (!params.every(plain)) {
    await build().execute();
    return;
  }
  await run(db, `U|${table}|${rows.length}|${cols.join(',')}`, params, build);
}

/** `select * from table where field in (…)` (`live`: and not deleted), in the order the database returns them. */
export async function selectWhereIn(db: Db, table: string, field: string, values: readonly unknown[], live: boolean): Promise<Record<string, unknown>[]> {
  if (values.length === 0) return [];
  const params = [...values];
  const build = () => {
    let q = byName(db).selectFrom(table).selectAll().where(field, 'in', params);
    if (live) q = q.where('deletedAt', 'is', null);
    return q;
  };
  if (!params.every(plain)) return (await build().execute()) as Record<string, unknown>[];
  return (await run(db, `s|${table}|${field}|${params.length}|${live}`, params, build)).rows as Record<string, unknown>[];
}

/** `select * from table where field = ?` (`live`: and not deleted). */
export async function selectWhere(db: Db, table: string, field: string, value: unknown, live: boolean): Promise<Record<string, unknown>[]> {
  const build = () => {
    let q = byName(db).selectFrom(table).selectAll().where(field, '=', value);
    if (live) q = q.where('deletedAt', 'is', null);
    return q;
  };
  if (!plain(value)) return (await build().execute()) as Record<string, unknown>[];
  return (await run(db, `w|${table}|${field}|${live}`, [value], build)).rows as Record<string, unknown>[];
}

/** The camelCase names of the handle's CamelCasePlugin (default options, as openDatabase makes it), remembered per column. */
class Names extends CamelCasePlugin {
  private readonly known = new Map<string, string>();
  readonly name = (column: string) => {
    let n = this.known.get(column);
    if (n === undefined) this.known.set(column, (n = this.camelCase(column)));
    return n;
  };
}
const names = new Names();

/**
 * Runs a select built on `db` and returns its rows as arrays (db.ts `arrayReader`) with `name`, the
 * handle's camelCase of a column. Null when the handle cannot read arrays, or when a driver returned
 * an object value (the CamelCasePlugin maps the keys inside such values too; none come from this
 * schema, which stores JSON as text): then run the query as usual.
 */
export async function selectArrays(db: Db, query: { compile(): CompiledQuery }): Promise<(ArrayRows & { name: (column: string) => string }) | null> {
  const read = arrayReader(db);
  if (!read) return null;
  const { columns, rows } = await read(query.compile());
  for (const r of rows) for (const v of r) if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return null;
  return { columns, rows, name: names.name };
}
