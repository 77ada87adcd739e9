// The reads of CSV exports: the rows of a table in the user's scope, keyset-paged in a stable order,
// and the names of ids (server/exports/export-csv.ts streams them out).
import type { Db } from '../db/db';
import { byName } from '../db/db';
import { whereInScope } from '../db/scope';
import { paged } from '../http/csv';
import type { PublicUser } from '../../sync/roles';
import type { TableName } from '../../sync/tables';

export type Row = Record<string, any>;
export type Dir = 'asc' | 'desc';

/** Names for ids, read once per export (small tables). */
export async function lookups(db: Db) {
  const k = byName(db);
  const [departments, machines, users, defects, products] = await Promise.all([
    k.selectFrom('departments').select(['id', 'name']).execute(),
    k.selectFrom('machines').select(['id', 'code']).execute(),
    k.selectFrom('users').select(['id', 'displayName']).execute(),
    k.selectFrom('defectCodes').select(['id', 'code']).execute(),
    k.selectFrom('products').select(['id', 'sku']).execute(),
  ]);
  const map = (rows: Row[], f: string) => {
    const m = new Map(rows.map((r) => [r.id as string, r[f] as string]));
    return (id: string | null | undefined) => (id ? (m.get(id) ?? id) : '');
  };
  return { dept: map(departments, 'name'), machine: map(machines, 'code'), user: map(users, 'displayName'), defect: map(defects, 'code'), product: map(products, 'sku') };
}

/** Rows of `table` in `user`'s scope (null: every row, for the audit log), not deleted, `where` applied, in (`col`, id) order, one keyset page at a time. */
export function scopedRows(db: Db, user: PublicUser | null, table: TableName | 'auditLog', col: string, dir: Dir, where: (q: any) => any) {
  const cmp = dir === 'asc' ? '>' : '<';
  return paged<Row>(async (after, size) => {
    let q: any = byName(db).selectFrom(table).selectAll();
    if (user && table !== 'auditLog') q = whereInScope(q, user, table as TableName).where('deletedAt', 'is', null);
    q = where(q);
    if (after) q = q.where((eb: any) => eb.or([eb(col, cmp, after[col]), eb.and([eb(col, '=', after[col]), eb('id', cmp, after.id)])]));
    return q.orderBy(col, dir).orderBy('id', dir).limit(size).execute();
  });
}

/** Each order's number and due date by id (the stages export names its order). */
export async function orderRefs(db: Db): Promise<Map<string, Row>> {
  return new Map((await byName(db).selectFrom('orders').select(['id', 'number', 'dueDate']).execute()).map((o: Row) => [o.id, o]));
}

/** The document numbers of rows of `table` (a corrective action's sources), by id. */
export async function numbersOf(db: Db, table: 'rejects' | 'customerReturns' | 'ncrReports' | 'sopTickets', ids: string[]): Promise<{ id: string; number: string | null }[]> {
  return byName(db).selectFrom(table).select(['id', 'number']).where('id', 'in', ids).execute();
}

/** The ids of the products whose SKU matches a LIKE pattern (lower case), for a search that names a SKU. */
export async function productIdsBySku(db: Db, pattern: string): Promise<string[]> {
  return (await byName(db).selectFrom('products').select(['id']).where((eb: any) => eb(eb.fn('lower', ['sku']), 'like', pattern)).execute()).map((p: Row) => p.id);
}

/** Every SOP as "code title", by id. */
export async function sopNames(db: Db): Promise<Map<string, string>> {
  return new Map((await byName(db).selectFrom('sops').select(['id', 'code', 'title']).execute()).map((s: Row) => [s.id, `${s.code} ${s.title}`]));
}
