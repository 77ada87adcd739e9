// The one department-scope helper for list queries: the user's scope rule from sync/tables.ts
// (the same rule devices and tests evaluate) turned into a WHERE clause.
import { sql } from 'kysely';
import type { Actor } from '../../sync/roles';
import { scopeFor, type ScopeRule, type TableName } from '../../sync/tables';

/** Restricts `q` (a select from `table`) to the rows `user` may see. */
export function whereInScope<Q>(q: Q, user: Actor, table: TableName): Q {
  return whereRule(q, scopeFor(user, table));
}

export function whereRule<Q>(q: Q, rule: ScopeRule): Q {
  const query = q as any;
  if (rule.kind === 'all') return q;
  if (rule.kind === 'none') return query.where(sql<boolean>`1 = 0`);
  return query.where((eb: any) =>
    eb.or([
      ...rule.eq.map((c) => eb(c.field, '=', c.value)),
      // JSON arrays of ids are stored as text: match the quoted id (ids hold no quotes or wildcards).
      ...rule.contains.map((c) => eb(c.field, 'like', `%"${c.value.replace(/[%_"\\]/g, '')}"%`)),
    ]),
  );
}
