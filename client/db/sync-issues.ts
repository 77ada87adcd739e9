// IndexedDB reads and writes of the Sync issues inbox (the rules of "apply mine again" are in client/sync/issues.ts).
import type { Row, TableName } from '../../sync/tables';
import type { BarronDB } from './db';

/** The row as the server last sent it: its shadow when this device has pending changes to it, else the row. */
export async function serverRow(db: BarronDB, table: TableName, id: string): Promise<Row | null> {
  const shadow = await db.shadows.get(`${table}:${id}`);
  if (shadow) return shadow.row;
  return (await db.rows(table).get(id)) ?? null;
}

export async function resolveIssue(db: BarronDB, id: string) {
  await db.syncIssues.update(id, { resolved: 1 });
}
