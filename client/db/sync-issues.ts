// IndexedDB reads and writes of the Sync issues inbox (the rules of "apply mine again" are in client/sync/issues.ts).
import type { Row, TableName } from '../../sync/tables';
import type { BarronDB, SyncIssue } from './db';

/** The row as the server last sent it: its shadow when this device has pending changes to it, else the row. */
export async function serverRow(db: BarronDB, table: TableName, id: string): Promise<Row | null> {
  const shadow = await db.shadows.get(`${table}:${id}`);
  if (shadow) return shadow.row;
  return (await db.anyRows(table).get(id)) ?? null;
}

export async function resolveIssue(db: BarronDB, id: string) {
  await db.syncIssues.update(id, { resolved: 1 });
}

/** Issues not yet filed away (the badge on Sync issues). Usable in a live query. */
export async function openIssueCount(db: BarronDB): Promise<number> {
  // quality photos: a photo the server refused is an open issue too
  return (await db.syncIssues.where('resolved').equals(0).count()) + (await db.photoBlobs.where('state').equals('refused').count());
}

/** Every issue, the newest first. */
export function listIssues(db: BarronDB): Promise<SyncIssue[]> {
  return db.syncIssues.orderBy('createdAt').reverse().toArray();
}
