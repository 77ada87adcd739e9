// The one way the server writes synced rows — push, admin master data, import, seed, the admin CLI:
// a ServerStore in the caller's transaction (sequence stamps, change-log entries), then one audit entry.
import type { FieldConflict } from '../../sync/protocol';
import type { Actor } from '../../sync/roles';
import { mutationContext, type MutationContext } from '../../sync/store';
import { uuidv7 } from '../../sync/ids';
import { auditFields, writeAudit, type AuditEntry } from '../audit/audit';
import type { Db } from '../db/db';
import type { StampedTable } from '../db/schema';
import * as repo from './sync.repository';
import { ServerStore, type SharedWrite } from './server-store';

export interface WriteMeta {
  /** Who writes: stamped on every row as `updatedBy` and named in the audit entry. */
  actor: { id: string; username: string | null };
  /** The audit entry's mutation name (`job.progress`, `admin.machines.create`, `import.orders`). */
  name: string;
  /** The mutation's id: a pushed envelope's; otherwise the write makes its own. Ids a mutator derives hang off it. */
  mutationId?: string;
  /** The server's clock; read once per write when not given. */
  now?: string;
  /** The device's clock when the user acted (push only), audited as `clientAt`. */
  clientAt?: string | null;
  clientId?: string | null;
  ip?: string | null;
  /** The app itself writes (the demo seed): rows are stamped with `actor.id`, the audit entry names no user. */
  system?: boolean;
  /** Insert new rows in batches at flush (an import of thousands of rows). */
  bulkInserts?: boolean;
}

/**
 * What the body wrote: the row the audit entry is about. A write of many rows (an import, the seed)
 * names no row (`id: null`) and is audited by its `summary` and `message` instead of its rows.
 */
export interface Written {
  table: StampedTable | null;
  id: string | null;
  conflicts?: FieldConflict[];
  /** Called after flush: the audit entry's `after` when `id` is null. */
  summary?: (store: ServerStore) => unknown;
  message?: string;
}

export interface WriteScope {
  now: string;
  mutationId: string;
  /**
   * The context to run a shared mutator in as `actor`, on the server's clock, with ids derived from
   * `id` (default `mutationId`). A write that runs several mutators gives each its own id.
   */
  context(actor: Actor, id?: string): MutationContext;
}

export type WriteResult<R extends Written> = R & {
  /** 'conflict' when the body reported field conflicts. */
  status: 'applied' | 'conflict';
  /** The audited row's version after the write (0 when there is none). */
  version: number;
  /** The sequence counter as the write leaves it: the change log holds nothing of it after this. */
  position: number;
};

/**
 * Runs `body` on a ServerStore in `trx`, flushes the store, and writes the audit entry: the
 * before/after of the row `body` names, plus every other row it moved. The caller owns the
 * transaction (push stores its result in the same one).
 */
export async function auditedWrite<R extends Written>(trx: Db, meta: WriteMeta, body: (store: ServerStore, w: WriteScope) => Promise<R>): Promise<WriteResult<R>> {
  const staged = await stagedWrite(trx, meta, body);
  await writeAudit(trx, staged.audit);
  return staged.result;
}

/**
 * `auditedWrite` without its last statement: the audit entry is returned for the caller to write
 * (a push writes the entries of all its mutations in one statement). With `shared`, the store
 * leaves counters and change-log entries to the caller too (`store.log`), and reads the rows the
 * transaction already holds.
 */
export async function stagedWrite<R extends Written>(trx: Db, meta: WriteMeta, body: (store: ServerStore, w: WriteScope) => Promise<R>, shared?: SharedWrite): Promise<{ result: WriteResult<R>; audit: AuditEntry; store: ServerStore }> {
  const now = meta.now ?? new Date().toISOString();
  const mutationId = meta.mutationId ?? uuidv7();
  const store = new ServerStore(trx, meta.actor.id, now, { bulkInserts: meta.bulkInserts, shared });
  const scope: WriteScope = {
    now, mutationId,
    context: (actor, id = mutationId) => mutationContext({ actor, now, at: meta.clientAt ?? now, side: 'server', mutationId: id }),
  };
  const out = await body(store, scope);
  await store.flush();
  const conflicts = out.conflicts?.length ? out.conflicts : undefined;
  const status = conflicts ? 'conflict' : 'applied';
  let version = 0;
  let row: Pick<AuditEntry, 'baseVersion' | 'resultVersion' | 'before' | 'after'> = { after: out.summary?.(store) ?? null };
  if (out.table && out.id !== null) {
    const primary = store.writes.find((w) => w.table === out.table && w.id === out.id);
    // A mutator that changed nothing (a repeated transition) still answers the row's current version.
    version = Number((primary?.after ?? (await store.current(out.table, out.id)))?.version ?? 0);
    const baseVersion = primary?.before ? Number(primary.before.version) : primary ? null : version;
    row = { baseVersion, resultVersion: version, ...auditFields(primary, store.writes) };
  }
  const audit: AuditEntry = {
    at: now, userId: meta.system ? null : meta.actor.id, username: meta.actor.username, clientId: meta.clientId ?? null,
    mutationId: meta.mutationId ?? null, mutationName: meta.name, entity: out.table, entityId: out.id, outcome: status,
    ...row, conflicts, message: out.message ?? null, clientAt: meta.clientAt ?? null, ip: meta.ip ?? null,
  };
  return { result: { ...out, status, version, position: store.position ?? (await repo.readCounter(trx, 'sync')) }, audit, store };
}

/** `auditedWrite` in a transaction of its own (admin routes, the CLI, tests). */
export function writeAudited<R extends Written>(db: Db, meta: WriteMeta, body: (store: ServerStore, w: WriteScope) => Promise<R>): Promise<WriteResult<R>> {
  return db.transaction().execute((trx) => auditedWrite(trx, meta, body));
}
