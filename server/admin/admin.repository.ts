// All SQL of master-data administration (writes go through server/sync/write.ts).
import type { Db } from '../db/db';
import { fromDb, toWire } from '../sync/codec';
import type { TableName } from '../../sync/tables';

export async function listRows(db: Db, table: string, includeInactive: boolean, orderBy: string) {
  let q = db.selectFrom(table).selectAll().where('deletedAt', 'is', null).orderBy(orderBy);
  if (!includeInactive) q = q.where('active', '=', 1);
  const rows = await q.execute();
  return rows.map((r) => toWire(table as TableName, fromDb(table as TableName, r)));
}

export async function findByField(db: Db, table: string, field: string, value: unknown) {
  return db.selectFrom(table).select('id').where(field, '=', value).executeTakeFirst();
}

export async function exists(db: Db, table: string, id: string, extra?: { field: string; value: unknown }) {
  let q = db.selectFrom(table).select('id').where('id', '=', id).where('deletedAt', 'is', null).where('active', '=', 1);
  if (extra) q = q.where(extra.field, '=', extra.value);
  return !!(await q.executeTakeFirst());
}

export async function getWire(db: Db, table: string, id: string) {
  const r = await db.selectFrom(table).selectAll().where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst();
  return r ? toWire(table as TableName, fromDb(table as TableName, r)) : undefined;
}
