// Keeps the device inside the sync window: rows that closed before it (and their children) leave
// IndexedDB; older history is read online. Rows with pending local changes always stay.
import { closedBefore, WINDOW } from '../../sync/window';
import type { TableName } from '../../sync/tables';
import type { BarronDB } from './db';

export async function pruneWindow(db: BarronDB, horizonIso: string): Promise<number> {
  let removed = 0;
  await db.transaction('rw', db.writeScope, async () => {
    const pinned = new Set((await db.shadows.toArray()).map((s) => s.key));
    const closed = new Map<TableName, Set<string>>();
    for (const [table, rule] of Object.entries(WINDOW) as [TableName, NonNullable<(typeof WINDOW)[TableName]>][]) {
      if (rule.kind !== 'own') continue;
      const ids = (await db.anyRows(table).filter((r) => closedBefore(table, r, horizonIso)).primaryKeys()).filter((id) => !pinned.has(`${table}:${id}`));
      closed.set(table, new Set(ids));
      await db.anyRows(table).bulkDelete(ids);
      removed += ids.length;
    }
    for (const [table, rule] of Object.entries(WINDOW) as [TableName, NonNullable<(typeof WINDOW)[TableName]>][]) {
      if (rule.kind !== 'parent') continue;
      const parents = closed.get(rule.parent);
      if (!parents?.size) continue;
      const ids = (await db.anyRows(table).filter((r) => parents.has(r[rule.via] as string)).primaryKeys()).filter((id) => !pinned.has(`${table}:${id}`));
      await db.anyRows(table).bulkDelete(ids);
      removed += ids.length;
    }
  });
  return removed;
}
