// All SQL of master-data administration (writes go through server/sync/write.ts).
import { sql } from 'kysely';
import { byName, type Db } from '../db/db';
import { fromDb, toWire } from '../sync/codec';
import type { TableName } from '../../sync/tables';

export async function listRows(db: Db, table: string, includeInactive: boolean, orderBy: string) {
  let q = byName(db).selectFrom(table).selectAll().where('deletedAt', 'is', null).orderBy(orderBy);
  if (!includeInactive) q = q.where('active', '=', 1);
  const rows = await q.execute();
  return rows.map((r) => toWire(table as TableName, fromDb(table as TableName, r)));
}

/**
 * The row whose `field` equals `value` ignoring letter case. MariaDB's default collation compares
 * that way and SQLite does not; comparing lower() on both sides makes "prs" clash with "PRS" on both.
 */
export async function findByFieldIgnoringCase(db: Db, table: string, field: string, value: string) {
  return byName(db).selectFrom(table).select('id').where(sql<boolean>`lower(${sql.ref(field)}) = lower(${value})`).executeTakeFirst();
}

export async function exists(db: Db, table: string, id: string, extra?: { field: string; value: unknown }) {
  let q = byName(db).selectFrom(table).select('id').where('id', '=', id).where('deletedAt', 'is', null).where('active', '=', 1);
  if (extra) q = q.where(extra.field, '=', extra.value);
  return !!(await q.executeTakeFirst());
}

export async function getWire(db: Db, table: string, id: string) {
  const r = await byName(db).selectFrom(table).selectAll().where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst();
  return r ? toWire(table as TableName, fromDb(table as TableName, r)) : undefined;
}
