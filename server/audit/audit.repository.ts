// Reads of the audit log (the writer is audit.ts).
import type { Db } from '../db/db';

export interface AuditFilter {
  entity?: string; entityId?: string; userId?: string; from?: string; to?: string; page: number; pageSize: number;
}

const parse = (s: unknown) => (typeof s === 'string' ? JSON.parse(s) : s ?? null);

export async function listAudit(db: Db, f: AuditFilter) {
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
