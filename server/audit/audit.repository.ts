// All SQL of the audit log: the one insert (append-only: nothing updates or deletes an audit row) and the reads.
import { uuidv7 } from '../../sync/ids';
import type { AuditPage } from '../../sync/wire';
import type { Db } from '../db/db';
import { insertRows } from '../db/compiled';

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

/** Appends one entry; every audited write (`server/sync/write.ts` `auditedWrite`) and every refusal ends here. */
export async function writeAudit(db: Db, e: AuditEntry): Promise<string> {
  const row = auditRow(e);
  await insertRows(db, 'auditLog', [row]);
  return row.id;
}

/** Appends many entries in multi-row statements (the mutations of one push). */
export async function writeAudits(db: Db, entries: AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 100) await insertRows(db, 'auditLog', entries.slice(i, i + 100).map(auditRow));
}

function auditRow(e: AuditEntry) {
  return {
    id: uuidv7(),
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
  };
}

export interface AuditFilter {
  entity?: string; entityId?: string; userId?: string; from?: string; to?: string; page: number; pageSize: number;
}

const parse = (s: unknown) => (typeof s === 'string' ? JSON.parse(s) : s ?? null);

export async function listAudit(db: Db, f: AuditFilter): Promise<AuditPage> {
  let q = db.selectFrom('auditLog');
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.entityId) q = q.where('entityId', '=', f.entityId);
  if (f.userId) q = q.where('userId', '=', f.userId);
  if (f.from) q = q.where('at', '>=', new Date(f.from).toISOString());
  if (f.to) q = q.where('at', '<=', new Date(f.to).toISOString());
  const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute();
  return {
    total: Number(total?.n ?? 0),
    page: f.page,
    pageSize: f.pageSize,
    entries: rows.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after), conflicts: parse(r.conflicts) })),
  };
}
