// GET /api/sync/pull: a scoped snapshot paged across tables, then the change log in sequence order.
import { createHash } from 'node:crypto';
import type { Change, PullResponse } from '../../sync/protocol';
import type { PublicUser } from '../../sync/roles';
import { canSee, isSyncedTable, SYNCED_TABLES, type TableName } from '../../sync/tables';
import type { Deps } from '../context';
import { AppError } from '../http/errors';
import { toWire, type RawChange } from './codec';
import { horizon } from '../../sync/window';
import * as repo from './sync.repository';

/**
 * Cursor forms (opaque to devices), each ending in the scope it was made for (`.<scope>`):
 *   `v1.s.<snapshotSeq>.<tableIndex>.<lastId>.<scope>`  a snapshot in progress, taken at snapshotSeq
 *   `v1.c.<seq>.<scope>`                                  changes after seq
 * Cursors made before the scope part was added have none and are taken as they are.
 */
type Cursor = { kind: 'snapshot'; seq: number; table: number; afterId: string } | { kind: 'changes'; seq: number };

function parseCursor(text: string | undefined): (Cursor & { scope?: string }) | null {
  if (!text) return null;
  const snap = /^v1\.s\.(\d+)\.(\d+)\.([0-9a-f-]{0,36})(?:\.([0-9a-f]{8}))?$/.exec(text);
  if (snap) return { kind: 'snapshot', seq: Number(snap[1]), table: Number(snap[2]), afterId: snap[3], scope: snap[4] };
  const ch = /^v1\.c\.(\d+)(?:\.([0-9a-f]{8}))?$/.exec(text);
  if (ch) return { kind: 'changes', seq: Number(ch[1]), scope: ch[2] };
  return null;
}

/** What decides a user's scope (sync/tables.ts scopeFor): a cursor made for another scope cannot be continued. */
const scopeTag = (user: PublicUser) => createHash('sha256').update(`${user.role}:${user.departmentId ?? ''}`).digest('hex').slice(0, 8);

const encode = (c: Cursor, scope: string) => (c.kind === 'snapshot' ? `v1.s.${c.seq}.${c.table}.${c.afterId}.${scope}` : `v1.c.${c.seq}.${scope}`);

/** The change-log position a cursor stands at (metrics: how far behind devices are). */
export function cursorSeq(text: string): number | null {
  return parseCursor(text)?.seq ?? null;
}

/** A pull's answer; snapshot rows may come as JSON already (codec.ts `RawChange`, written by `pageJson`). */
export type PullPage = Omit<PullResponse, 'changes'> & { changes: (Change | RawChange)[] };

export async function pull(deps: Deps, user: PublicUser, q: { cursor?: string; limit: number; clientId: string }): Promise<PullPage> {
  const { client, current, horizon } = await repo.pullState(deps.db, q.clientId);
  if (client && client.userId !== user.id) throw new AppError(403, 'client_not_owned', 'This device id belongs to another user.');
  const lastSeq = client?.lastSeq ?? 0;

  const parsed = parseCursor(q.cursor);
  let cursor: Cursor | null = parsed;
  const scope = scopeTag(user);
  let reset = false;
  // An unknown cursor, one from the future (another database), one older than the change log's
  // retention, or one made before the user's role or department changed (the device holds the old
  // scope's rows, and the new scope's rows that did not change since would never come) cannot be
  // continued: start the device over from a snapshot.
  if (q.cursor && (!parsed || parsed.seq > current || parsed.seq < horizon || (parsed.scope && parsed.scope !== scope) || (parsed.kind === 'snapshot' && parsed.table >= SYNCED_TABLES.length))) {
    reset = true;
    cursor = null;
  }
  if (!cursor) cursor = { kind: 'snapshot', seq: current, table: 0, afterId: '' };

  const page = cursor.kind === 'snapshot' ? await snapshotPage(deps, user, cursor, q.limit) : await changesPage(deps, user, cursor, q.limit);
  // A device drops the outbox entries up to lastSeq with this page: on a page with more to come,
  // only the mutations whose writes this page (or an earlier one) carried, or their effects would
  // vanish from the device until the page that holds them.
  const acked = page.hasMore && cursor.kind === 'changes' && lastSeq > 0
    ? Math.min(lastSeq, await repo.coveredSeq(deps.db, q.clientId, page.cursor.seq))
    : lastSeq;
  return { cursor: encode(page.cursor, scope), hasMore: page.hasMore, lastSeq: acked, reset, changes: page.changes };
}

async function snapshotPage(deps: Deps, user: PublicUser, start: Extract<Cursor, { kind: 'snapshot' }>, limit: number) {
  const changes: (Change | RawChange)[] = [];
  const windowStart = horizon(new Date(), deps.env.SYNC_WINDOW_DAYS);
  let { table, afterId } = start;
  while (table < SYNCED_TABLES.length && changes.length < limit) {
    const name = SYNCED_TABLES[table];
    const want = limit - changes.length;
    const rows = await repo.snapshotChanges(deps.db, name, user, afterId, want, windowStart);
    for (const row of rows) changes.push(row);
    if (rows.length < want) {
      table += 1; // this table is done
      afterId = '';
    } else {
      afterId = rows[rows.length - 1].id as string; // the page is full; go on from here next time
    }
  }
  if (table >= SYNCED_TABLES.length) return { cursor: { kind: 'changes', seq: start.seq } as Cursor, hasMore: false, changes };
  return { cursor: { kind: 'snapshot', seq: start.seq, table, afterId } as Cursor, hasMore: true, changes };
}

async function changesPage(deps: Deps, user: PublicUser, start: Extract<Cursor, { kind: 'changes' }>, limit: number) {
  const entries = await repo.changesAfter(deps.db, start.seq, limit + 1);
  const hasMore = entries.length > limit;
  const pageEntries = entries.slice(0, limit);
  const byTable = new Map<TableName, string[]>();
  for (const e of pageEntries) if (isSyncedTable(e.table)) byTable.set(e.table, [...(byTable.get(e.table) ?? []), e.rowId]);
  const rows = new Map<string, Record<string, unknown>>();
  const hidden: string[] = [];
  for (const [table, ids] of byTable) {
    for (const row of await repo.rowsByIds(deps.db, table, [...new Set(ids)])) {
      rows.set(`${table}:${row.id}`, row);
      if (!row.deletedAt && !canSee(user, table, row)) hidden.push(row.id as string);
    }
  }
  // A row the user cannot see now is deleted from the device only if its scope changed since the cursor.
  const evicted = await repo.evictedSince(deps.db, hidden, start.seq);
  // Each row once, at its last entry in the page, as it is now (a newer state than that entry's is
  // sent again with its own entry later): skipping it for a later entry on a later page would leave
  // the device, until that page, without writes this page acknowledges.
  const lastEntry = new Map(pageEntries.map((e) => [`${e.table}:${e.rowId}`, e.seq]));
  const changes: Change[] = [];
  for (const e of pageEntries) {
    const row = rows.get(`${e.table}:${e.rowId}`);
    if (!row || lastEntry.get(`${e.table}:${e.rowId}`) !== e.seq) continue;
    if (row.deletedAt) changes.push({ table: e.table, op: 'delete', id: e.rowId });
    else if (canSee(user, e.table, row)) changes.push({ table: e.table, op: 'upsert', id: e.rowId, row: toWire(e.table, row) });
    else if (evicted.has(e.rowId)) changes.push({ table: e.table, op: 'delete', id: e.rowId });
  }
  const seq = pageEntries.length ? pageEntries[pageEntries.length - 1].seq : start.seq;
  return { cursor: { kind: 'changes', seq } as Cursor, hasMore, changes };
}
