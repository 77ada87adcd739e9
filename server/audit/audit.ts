// What goes into an audit entry: the changed fields of each row a write touched. The insert is in audit.repository.ts.
import type { Write } from '../sync/server-store';

export { writeAudit, type AuditEntry } from './audit.repository';

const UNAUDITED = new Set(['version', 'updatedAt', 'updatedBy', 'seq', 'createdAt']);

/**
 * Whether two field values audit as the same (as their JSON would): equal values without the
 * stringify, which a push would otherwise do twice for every field of every row it writes.
 */
function same(was: unknown, now: unknown) {
  if (was === now) return true;
  // Different strings or booleans (or one missing) differ in JSON too; objects, and numbers
  // (NaN and ±Infinity are `null` in JSON), are compared by their JSON.
  const tw = typeof was;
  const tn = typeof now;
  if ((tw === 'string' || tw === 'boolean' || tw === 'undefined') && (tn === 'string' || tn === 'boolean' || tn === 'undefined')) return false;
  return JSON.stringify(was) === JSON.stringify(now);
}

/** The fields whose values differ between two versions of a row, as {before, after}. */
export function diff(before: Record<string, unknown> | undefined, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (UNAUDITED.has(key)) continue;
    const was = before?.[key];
    if (!same(was, after[key])) {
      // Secrets are audited as "changed", never by value.
      const secret = key === 'passwordHash';
      if (before) b[key] = secret ? '(hidden)' : (was ?? null);
      a[key] = secret ? '(changed)' : after[key];
    }
  }
  return { before: before ? b : null, after: a };
}

/** Before/after of a write's own row, plus the other rows it moved (a stage's totals, the next stage). */
export function auditFields(primary: Write | undefined, writes: Write[]) {
  const main = primary ? diff(primary.before, primary.after) : { before: null, after: {} };
  const related = writes
    .filter((w) => w !== primary)
    .map((w) => ({ table: w.table, id: w.id, ...diff(w.before, w.after) }));
  return { before: main.before, after: related.length ? { ...main.after, $related: related } : main.after };
}
