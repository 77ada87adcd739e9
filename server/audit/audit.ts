// The one audit writer. Append-only: nothing in the app updates or deletes an audit row.
import { uuidv7 } from '../../sync/ids';
import type { Db } from '../db/db';

export interface AuditEntry {
  userId?: string | null;
  username?: string | null;
  clientId?: string | null;
  mutationId?: string | null;
  mutationName: string;
  entity?: string | null;
  entityId?: string | null;
  baseVersion?: number | null;
  resultVersion?: number | null;
  outcome: 'applied' | 'conflict' | 'rejected';
  code?: string | null;
  message?: string | null;
  before?: unknown;
  after?: unknown;
  conflicts?: unknown;
  clientAt?: string | null;
  ip?: string | null;
  at?: string;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function writeAudit(db: Db, e: AuditEntry): Promise<string> {
  const id = uuidv7();
  await db
    .insertInto('auditLog')
    .values({
      id,
      at: e.at ?? new Date().toISOString(),
      userId: e.userId ?? null,
      username: e.username ?? null,
      clientId: e.clientId ?? null,
      mutationId: e.mutationId ?? null,
      mutationName: e.mutationName,
      entity: e.entity ?? null,
      entityId: e.entityId ?? null,
      baseVersion: e.baseVersion ?? null,
      resultVersion: e.resultVersion ?? null,
      outcome: e.outcome,
      code: e.code ?? null,
      message: e.message ? e.message.slice(0, 500) : null,
      before: json(e.before),
      after: json(e.after),
      conflicts: json(e.conflicts),
      clientAt: e.clientAt ?? null,
      ip: e.ip ? e.ip.slice(0, 64) : null,
    })
    .execute();
  return id;
}

/** The fields whose values differ between two versions of a row, as {before, after}. */
export function diff(before: Record<string, unknown> | undefined, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (['version', 'updatedAt', 'updatedBy', 'seq', 'createdAt'].includes(key)) continue;
    const was = before?.[key];
    if (JSON.stringify(was) !== JSON.stringify(after[key])) {
      // Secrets are audited as "changed", never by value.
      const secret = key === 'passwordHash';
      if (before) b[key] = secret ? '(hidden)' : (was ?? null);
      a[key] = secret ? '(changed)' : after[key];
    }
  }
  return { before: before ? b : null, after: a };
}
