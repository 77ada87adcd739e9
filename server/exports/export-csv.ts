// The parts of a CSV export of a list (server/exports/exports.routes.ts uses them; a module adds its
// list's export with one route: docs/api.md "CSV exports"): the rows of a table in the user's scope,
// keyset-paged in a stable order, the names of ids, and the one call that makes the download.
import type { Context } from 'hono';
import type { Db } from '../db/db';
import { byName } from '../db/db';
import { whereInScope } from '../db/scope';
import { csvStream, paged } from '../http/csv';
import type { PublicUser } from '../../sync/roles';
import type { TableName } from '../../sync/tables';
import type { AppEnv } from '../context';

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

export async function* mapRows(rows: AsyncIterable<Row>, f: (r: Row) => unknown[]): AsyncGenerator<unknown[]> {
  for await (const r of rows) yield f(r);
}

export interface CsvExport {
  /** The file name's start: `<name>-<YYYY-MM-DD>.csv`. */
  name: string;
  table: TableName;
  /** The order of the rows: a column and its direction (the id breaks ties and pages the list). */
  sort: [column: string, dir: Dir];
  /** The screen's filters as a WHERE on the Kysely query. */
  where?: (q: any) => any;
  /** Column header → the cell of a row (`l` names departments, machines, users, defect codes and products). */
  columns: Record<string, (row: Row, l: Awaited<ReturnType<typeof lookups>>) => unknown>;
}

/** The streamed download of one list in the signed-in user's scope: the one call a new list's export route makes. */
export async function exportCsv(c: Context<AppEnv>, e: CsvExport): Promise<Response> {
  const { db } = c.get('deps');
  const l = await lookups(db);
  const cells = Object.values(e.columns);
  const rows = scopedRows(db, c.get('user'), e.table, e.sort[0], e.sort[1], e.where ?? ((q) => q));
  return csvStream(`${e.name}-${new Date().toISOString().slice(0, 10)}.csv`, Object.keys(e.columns), mapRows(rows, (r) => cells.map((f) => f(r, l))));
}
