// The edit rule of SYNC-PROTOCOL.md: merge field by field against the value the device saw.
import type { FieldConflict } from './protocol';

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Per field: applied where the current value still equals `base`; nothing to do where it already
 * equals the new value; otherwise a conflict that keeps the current (server) value.
 */
export function mergeFields(
  current: object,
  base: Record<string, unknown>,
  changes: Record<string, unknown>,
): { apply: Record<string, unknown>; conflicts: FieldConflict[] } {
  const now = current as Readonly<Record<string, unknown>>; // a row read field by field, by name
  const apply: Record<string, unknown> = {};
  const conflicts: FieldConflict[] = [];
  for (const [field, mine] of Object.entries(changes)) {
    const theirs = now[field];
    if (sameValue(theirs, mine)) continue;
    if (sameValue(theirs, base[field])) apply[field] = mine;
    else conflicts.push({ field, base: base[field], mine, theirs });
  }
  return { apply, conflicts };
}

/**
 * The `base` and `changes` of an edit from a row and the values a form holds now: only the fields
 * that differ, each with the value the user saw. Typed by the row, so an edit mutation's args check.
 */
export function editOf<T extends object, K extends keyof T>(row: T, next: Pick<T, K>): { base: Partial<Pick<T, K>>; changes: Partial<Pick<T, K>> } {
  const base: Partial<Pick<T, K>> = {};
  const changes: Partial<Pick<T, K>> = {};
  for (const k of Object.keys(next) as K[]) {
    if (sameValue(next[k], row[k])) continue;
    base[k] = row[k];
    changes[k] = next[k];
  }
  return { base, changes };
}
