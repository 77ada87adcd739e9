// The parts of a CSV export of a list (server/exports/exports.routes.ts uses them; a module adds its
// list's export with one route: docs/api.md "CSV exports"): the rows of a table in the user's scope,
// keyset-paged in a stable order, the names of ids, and the one call that makes the download.
import type { Context } from 'hono';
import { csvStream } from '../http/csv';
import type { TableName } from '../../sync/tables';
import type { AppEnv } from '../context';
import { lookups, scopedRows, type Dir, type Row } from './exports.repository';

export { lookups, scopedRows, type Dir, type Row };

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
