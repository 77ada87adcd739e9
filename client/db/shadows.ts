// Shadows: the server's version of each row this device changed locally, so a pull can put the
// server's row back and re-apply what is still pending (the rebase) without losing either.
import type { Change } from '../../sync/protocol';
import { SYNCED_TABLES, type Row, type TableName } from '../../sync/tables';
import type { BarronDB, Shadow } from './db';

/** A pull's reset: every synced row and shadow leaves the device (the pull that follows refills it). */
export async function clearSynced(db: BarronDB) {
  for (const t of SYNCED_TABLES) await db.anyRows(t).clear();
  await db.shadows.clear();
}

/**
 * Writes a page of changes from the server, into the rows and into the shadows of rows with local
 * changes, in a few bulk requests: the shadows of the page's rows in one bulkGet, then per table one
 * bulkPut and one bulkDelete. Each change replaces the whole row (or removes it), so when a page
 * names a row twice its last change is the one that stays, as when they are applied one by one.
 * Call it inside the pull's transaction.
 */
export async function applyChanges(db: BarronDB, changes: readonly Change[]) {
  const last = new Map<string, Change>();
  for (const ch of changes) {
    const key = `${ch.table}:${ch.id}`;
    last.delete(key); // keeps the map in the order of each row's last change
    last.set(key, ch);
  }
  const keys = [...last.keys()];
  const shadows = await db.shadows.bulkGet(keys);
  const puts = new Map<TableName, Row[]>();
  const deletes = new Map<TableName, string[]>();
  const shadowPuts: Shadow[] = [];
  keys.forEach((key, i) => {
    const ch = last.get(key)!;
    if (ch.op === 'upsert') {
      let rows = puts.get(ch.table);
      if (!rows) puts.set(ch.table, (rows = []));
      rows.push(ch.row as Row);
    } else {
      let ids = deletes.get(ch.table);
      if (!ids) deletes.set(ch.table, (ids = []));
      ids.push(ch.id);
    }
    const shadow = shadows[i];
    if (shadow) shadowPuts.push({ ...shadow, row: ch.op === 'upsert' ? (ch.row as Row) : null });
  });
  for (const [table, rows] of puts) await db.anyRows(table).bulkPut(rows);
  for (const [table, ids] of deletes) await db.anyRows(table).bulkDelete(ids);
  if (shadowPuts.length) await db.shadows.bulkPut(shadowPuts);
}

/** Writes one change from the server (applyChanges with a page of one). */
export function applyChange(db: BarronDB, ch: Change) {
  return applyChanges(db, [ch]);
}

/** Puts every row with local changes back to the server's version and forgets the shadows. */
export async function restoreServerRows(db: BarronDB) {
  for (const s of await db.shadows.toArray()) {
    if (s.row) await db.anyRows(s.table).put(s.row);
    else await db.anyRows(s.table).delete(s.id);
  }
  await db.shadows.clear();
}
