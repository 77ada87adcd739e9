// The outbox: this user's queued mutations in the order they were made, each kept until a pull
// carries its effects; the answers the server gave are recorded on the entry and, when refused, on
// the Sync issues inbox.
import type { MutationResult } from '../../sync/protocol';
import type { BarronDB, OutboxEntry } from './db';

/** Queues a mutation with the next seq. Call it inside the transaction that applied the mutation. */
export async function queue(db: BarronDB, entry: Omit<OutboxEntry, 'seq' | 'result'>): Promise<OutboxEntry> {
  const seq = ((await db.getMeta<number>('lastQueuedSeq')) ?? 0) + 1;
  await db.setMeta('lastQueuedSeq', seq);
  const queued = { ...entry, seq };
  await db.outbox.add(queued);
  return queued;
}

/** Every entry, acknowledged or not, in seq order (a rebase re-applies them). */
export function entries(db: BarronDB): Promise<OutboxEntry[]> {
  return db.outbox.orderBy('seq').toArray();
}

/** The entries the server has not answered yet, oldest first, at most `limit`. */
export async function pending(db: BarronDB, limit = Infinity): Promise<OutboxEntry[]> {
  return (await entries(db)).filter((e) => !e.result).slice(0, limit);
}

/** How many changes still wait to be sent (the top bar, sign-out, app updates). Usable in a live query. */
export function pendingCount(db: BarronDB): Promise<number> {
  return db.outbox.filter((e) => !e.result).count();
}

/** Stores the server's answers on their entries; refused and conflicting ones also go to Sync issues. */
export async function recordResults(db: BarronDB, batch: OutboxEntry[], results: MutationResult[], nowIso: string) {
  const bySeq = new Map(batch.map((e) => [e.seq, e]));
  await db.transaction('rw', [db.outbox, db.syncIssues], async () => {
    for (const r of results) {
      const entry = bySeq.get(r.seq);
      if (!entry) continue;
      await db.outbox.update(r.seq, { result: r });
      if (r.status !== 'applied') {
        await db.syncIssues.put({
          id: entry.id, seq: entry.seq, name: entry.name, args: entry.args, at: entry.at, status: r.status,
          code: r.code, message: r.message, conflicts: r.conflicts, entity: r.entity ?? null,
          createdAt: nowIso, resolved: 0,
        });
      }
    }
  });
}

/** Moves the pending entries down so the first one has seq `expected` (closing a gap the server reported). */
export async function renumber(db: BarronDB, expected: number) {
  await db.transaction('rw', [db.outbox, db.meta], async () => {
    const waiting = await pending(db);
    if (!waiting.length || waiting[0].seq <= expected) throw new Error(`Cannot close a sequence gap at ${expected}.`);
    await db.outbox.bulkDelete(waiting.map((e) => e.seq));
    await db.outbox.bulkAdd(waiting.map((e, i) => ({ ...e, seq: expected + i })));
    await db.setMeta('lastQueuedSeq', expected + waiting.length - 1);
  });
}

/** Drops the entries whose effects a pull has carried (seq up to `lastSeq`). */
export async function dropAcknowledged(db: BarronDB, lastSeq: number) {
  await db.outbox.where('seq').belowOrEqual(lastSeq).delete();
}
