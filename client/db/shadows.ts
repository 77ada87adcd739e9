// Shadows: the server's version of each row this device changed locally, so a pull can put the
// server's row back and re-apply what is still pending (the rebase) without losing either.
import type { Change } from '../../sync/protocol';
import { SYNCED_TABLES, type Row } from '../../sync/tables';
import type { BarronDB } from './db';

/** A pull's reset: every synced row and shadow leaves the device (the pull that follows refills it). */
export async function clearSynced(db: BarronDB) {
  for (const t of SYNCED_TABLES) await db.anyRows(t).clear();
  await db.shadows.clear();
}

/** Writes one change from the server, into the row and into its shadow when the row has local changes. */
export async function applyChange(db: BarronDB, ch: Change) {
  const key = `${ch.table}:${ch.id}`;
  const shadow = await db.shadows.get(key);
  if (ch.op === 'upsert') {
    await db.anyRows(ch.table).put(ch.row as Row);
    if (shadow) await db.shadows.put({ ...shadow, row: ch.row as Row });
  } else {
    await db.anyRows(ch.table).delete(ch.id);
    if (shadow) await db.shadows.put({ ...shadow, row: null });
  }
}

/** Puts every row with local changes back to the server's version and forgets the shadows. */
export async function restoreServerRows(db: BarronDB) {
  for (const s of await db.shadows.toArray()) {
    if (s.row) await db.anyRows(s.table).put(s.row);
    else await db.anyRows(s.table).delete(s.id);
  }
  await db.shadows.clear();
}
