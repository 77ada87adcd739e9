// All SQL of the sync engine: the sequence counter, clients, stored results, the change log, synced rows.
import { sql } from 'kysely';
import { byName, type Db, type Dialect } from '../db/db';
import type { StampedTable } from '../db/schema';
import type { TableName } from '../../sync/tables';
import type { Actor } from '../../sync/roles';
import { whereInScope } from '../db/scope';
import { WINDOW, type WindowRule } from '../../sync/window';
import type { Change, MutationResult } from '../../sync/protocol';
import { changesFromArrays, fromDb, toDb, wireFromDb, type RawChange } from './codec';
import * as compiled from '../db/compiled';
import { selectInOneTrip } from '../db/one-trip';

/** Advances a counter under its row lock (held to commit, so commit order is sequence order). */
export async function nextCounter(trx: Db, name: string): Promise<number> {
  // One statement per allocation: RETURNING where the dialect has it (SQLite), and on MySQL
  // LAST_INSERT_ID(expr), which hands the new value back in the statement's answer.
  if (trx.getExecutor().adapter.supportsReturning) {
    const r = await trx.updateTable('counters').set({ value: sql`value + 1` }).where('name', '=', name).returning('value').executeTakeFirstOrThrow();
    return Number(r.value);
  }
  const r = await sql`update counters set value = last_insert_id(value + 1) where name = ${name}`.execute(trx);
  if (r.insertId === undefined) throw new Error(`counter ${name} is missing`);
  return Number(r.insertId);
}

export async function setCounter(trx: Db, name: string, value: number) {
  await trx.updateTable('counters').set({ value }).where('name', '=', name).execute();
}

export async function readCounter(db: Db, name: string): Promise<number> {
  const r = await db.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirst();
  return Number(r?.value ?? 0);
}

export async function findClient(db: Db, id: string, dialect: Dialect, lock = false) {
  let q = db.selectFrom('syncClients').select(['id', 'userId', 'lastSeq']).where('id', '=', id);
  if (lock && dialect === 'mysql') q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && { id: r.id, userId: r.userId, lastSeq: Number(r.lastSeq) };
}

/**
 * What a pull page starts from, in one statement (one round trip, one read snapshot, instead of three
 * queries): the device's client row (owner, lastSeq) and the sequence counter and change-log horizon.
 */
export async function pullState(db: Db, clientId: string) {
  const r = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('syncClients').select('userId').where('id', '=', clientId).as('clientUserId'),
      eb.selectFrom('syncClients').select('lastSeq').where('id', '=', clientId).as('clientLastSeq'),
      eb.selectFrom('counters').select('value').where('name', '=', 'sync').as('current'),
      eb.selectFrom('counters').select('value').where('name', '=', 'horizon').as('horizon'),
    ])
    .executeTakeFirstOrThrow();
  return {
    client: r.clientUserId == null ? undefined : { userId: r.clientUserId, lastSeq: Number(r.clientLastSeq) },
    current: Number(r.current ?? 0),
    horizon: Number(r.horizon ?? 0),
  };
}

export async function insertClient(db: Db, id: string, userId: string, now: string) {
  await db.insertInto('syncClients').values({ id, userId, lastSeq: 0, createdAt: now, lastSeenAt: now }).execute();
}

export async function advanceClient(trx: Db, id: string, lastSeq: number, now: string) {
  await compiled.updateById(trx, 'syncClients', id, { lastSeq, lastSeenAt: now });
}

/** Stored results of one client by seq, for the replays of a push (one query per 500 seqs). */
export async function storedResults(trx: Db, clientId: string, seqs: number[]): Promise<Map<number, MutationResult>> {
  const out = new Map<number, MutationResult>();
  for (let i = 0; i < seqs.length; i += 500) {
    const rows = await trx.selectFrom('syncMutations').select(['seq', 'result']).where('clientId', '=', clientId).where('seq', 'in', seqs.slice(i, i + 500)).execute();
    for (const r of rows) out.set(Number(r.seq), JSON.parse(r.result) as MutationResult);
  }
  return out;
}

export interface StoredResult { result: MutationResult; name: string; commitSeq: number }

/** The results of one push's transaction, in multi-row statements. */
export async function storeResults(trx: Db, clientId: string, rows: StoredResult[], now: string) {
  for (let i = 0; i < rows.length; i += 200) {
    await compiled.insertRows(trx, 'syncMutations', rows.slice(i, i + 200).map((r) => ({
      clientId, seq: r.result.seq, mutationId: r.result.id, name: r.name.slice(0, 64), result: JSON.stringify(r.result), createdAt: now, commitSeq: r.commitSeq,
    })));
  }
}

export async function storedResult(trx: Db, clientId: string, seq: number): Promise<MutationResult | undefined> {
  const r = await trx.selectFrom('syncMutations').select('result').where('clientId', '=', clientId).where('seq', '=', seq).executeTakeFirst();
  return r ? (JSON.parse(r.result) as MutationResult) : undefined;
}

/** `commitSeq`: the sequence counter when the mutation committed (no write of it comes later). */
export async function storeResult(trx: Db, clientId: string, result: MutationResult, name: string, now: string, commitSeq: number) {
  await trx
    .insertInto('syncMutations')
    .values({ clientId, seq: result.seq, mutationId: result.id, name: name.slice(0, 64), result: JSON.stringify(result), createdAt: now, commitSeq })
    .execute();
}

/** The client's highest seq whose writes all lie at or before `upTo` in the change log (0 when none). */
export async function coveredSeq(db: Db, clientId: string, upTo: number): Promise<number> {
  const r = await db
    .selectFrom('syncMutations')
    .select('seq')
    .where('clientId', '=', clientId)
    .where((eb) => eb.or([eb('commitSeq', 'is', null), eb('commitSeq', '<=', upTo)]))
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return Number(r?.seq ?? 0);
}

// ── synced rows, by table name (byName: the tables' row types meet in the codec, not in Kysely) ──
// (a ServerStore's reads and writes by id take the stamped server-only tables too: StampedTable)

export async function getRow(trx: Db, table: StampedTable, id: string) {
  const [r] = await compiled.selectWhere(trx, table, 'id', id, false);
  return r && fromDb(table, r);
}

export async function findRows(trx: Db, table: TableName, field: string, value: string) {
  const rows = await compiled.selectWhere(trx, table, field, value, true);
  return rows.map((r) => fromDb(table, r));
}

/** Live rows of `table` whose `field` is one of `values`, 500 values per query. */
export async function rowsWhereIn(trx: Db, table: TableName, field: string, values: string[]) {
  const out: Record<string, unknown>[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await compiled.selectWhereIn(trx, table, field, unique.slice(i, i + 500), true);
    for (const r of rows) out.push(fromDb(table, r));
  }
  return out;
}

export async function insertRow(trx: Db, table: StampedTable, row: Record<string, unknown>) {
  await compiled.insertRows(trx, table, [toDb(table, row)]);
}

/**
 * Many new rows of one table: as many a statement as the baseline's bulk insert writes (500), within
 * SQLite's 32,766 bound parameters (the widest row bounds a statement): fewer, larger statements
 * cost the database less per row (measured, ~10 %).
 */
export async function insertRows(trx: Db, table: StampedTable, rows: Record<string, unknown>[]) {
  const columns = rows.reduce((most, r) => Math.max(most, Object.keys(r).length), 1);
  const per = Math.max(1, Math.min(500, Math.floor(30_000 / columns)));
  for (let i = 0; i < rows.length; i += per) await compiled.insertRows(trx, table, rows.slice(i, i + per).map((r) => toDb(table, r)));
}

/** Rows of one table updated in one statement per 200, each to its own values of `cols`. */
export async function updateRows(trx: Db, table: StampedTable, cols: readonly string[], rows: { id: string; values: Record<string, unknown> }[]) {
  for (let i = 0; i < rows.length; i += 200) {
    await compiled.updateByIds(trx, table, cols, rows.slice(i, i + 200).map((r) => ({ id: r.id, values: toDb(table, r.values) })));
  }
}

export async function updateRow(trx: Db, table: StampedTable, id: string, changes: Record<string, unknown>) {
  await compiled.updateById(trx, table, id, toDb(table, changes));
}

export async function logChanges(trx: Db, entries: { seq: number; tableName: StampedTable; rowId: string; evict: boolean }[], at: string) {
  if (entries.length === 0) return;
  for (let i = 0; i < entries.length; i += 500) {
    await compiled.insertRows(trx, 'changeLog', entries.slice(i, i + 500).map((e) => ({ seq: e.seq, tableName: e.tableName, rowId: e.rowId, evict: e.evict ? 1 : 0, at })));
  }
}

export async function readConfig(trx: Db, key: string): Promise<unknown> {
  const r = await trx.selectFrom('config').select('value').where('key', '=', key).executeTakeFirst();
  return r ? JSON.parse(r.value) : undefined;
}

// ── pull ─────────────────────────────────────────────────────────────────

/** Rows that closed before the sync window's horizon stay on the server (read online as history). */
function windowed(q: any, table: TableName, horizon: string) {
  const rule = WINDOW[table];
  if (!rule) return q;
  if (rule.kind === 'own') {
    return q.where((eb: any) => eb.or([eb(rule.field, 'not in', rule.closed), eb('updatedAt', '>=', horizon)]));
  }
  const parent = WINDOW[rule.parent] as Extract<WindowRule, { kind: 'own' }>;
  return q.where(rule.via, 'not in', (eb: any) =>
    eb.selectFrom(rule.parent).select('id').where(parent.field, 'in', parent.closed).where('updatedAt', '<', horizon),
  );
}

/**
 * A page of live rows of one table in id order after `afterId`, within the user's scope and the sync
 * window, as upserts in their wire form (no seq, no secrets): written as JSON already when the handle
 * reads arrays (codec.ts `RawChange`), else through `wireFromDb`.
 */
export async function snapshotChanges(db: Db, table: TableName, user: Actor, afterId: string, limit: number, horizon: string): Promise<(Change | RawChange)[]> {
  let q = byName(db).selectFrom(table).selectAll().where('deletedAt', 'is', null).orderBy('id').limit(limit);
  if (afterId) q = q.where('id', '>', afterId);
  const query = windowed(whereInScope(q, user, table), table, horizon);
  const arrays = await compiled.selectArrays(db, query);
  if (arrays) return changesFromArrays(table, arrays.columns, arrays.rows, arrays.name);
  return (await query.execute()).map((r: Record<string, unknown>) => {
    const row = wireFromDb(table, r);
    return { table, op: 'upsert', id: row.id as string, row };
  });
}

export async function changesAfter(db: Db, seq: number, limit: number) {
  const rows = await db.selectFrom('changeLog').select(['seq', 'tableName', 'rowId', 'evict']).where('seq', '>', seq).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ seq: Number(r.seq), table: r.tableName as TableName, rowId: r.rowId, evict: !!Number(r.evict) }));
}

export async function rowsByIds(db: Db, table: TableName, ids: string[]) {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await compiled.selectWhereIn(db, table, 'id', ids.slice(i, i + 500), false);
    for (const r of rows) out.push(fromDb(table, r));
  }
  return out;
}

/** Rows of several tables by id (each read at most 500 ids), in one round trip on MySQL (db/one-trip.ts): the prefetch of a push. */
export async function rowsByIdsInOneTrip(trx: Db, dialect: Dialect, reads: { table: TableName; ids: string[] }[]) {
  const sets = await selectInOneTrip(trx, dialect, reads.map((r) => (db: Db) => compiled.selectWhereIn(db, r.table, 'id', r.ids, false)));
  return sets.map((rows, n) => rows.map((r) => fromDb(reads[n].table, r)));
}

/** Of `ids`, those whose scope changed at some write after `seq`. */
export async function evictedSince(db: Db, ids: string[], seq: number): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('changeLog').select('rowId').distinct().where('rowId', 'in', ids).where('seq', '>', seq).where('evict', '=', 1).execute();
  return new Set(rows.map((r) => r.rowId));
}

/** Drops change-log entries older than `before`; later cursors older than the horizon get a reset. */
export async function pruneChangeLog(db: Db, before: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const r = await trx.selectFrom('changeLog').select((eb) => eb.fn.max('seq').as('maxSeq')).where('at', '<', before).executeTakeFirst();
    const horizon = Number(r?.maxSeq ?? 0);
    if (!horizon) return 0;
    const del = await trx.deleteFrom('changeLog').where('seq', '<=', horizon).executeTakeFirst();
    await trx.updateTable('counters').set({ value: horizon }).where('name', '=', 'horizon').where('value', '<', horizon).execute();
    return Number(del.numDeletedRows);
  });
}
